r"""A write-ahead log: each acknowledged change is on disk before its reply.

Records are lines ``<crc32 hex> <json>\\n`` in segment files named
``wal-<first lsn>.log``; a record holds its log sequence number (``lsn``),
its wall time and the operations of one request (see
:mod:`seqpred.serve.sessions`), which a restart applies all or none.

:meth:`WriteAheadLog.append` numbers a record and queues it; awaiting
:meth:`WriteAheadLog.commit` returns once it is written and flushed
(``fdatasync``). Concurrent requests share one flush (*group commit*): the
flush runs on one background thread, writing every record queued so far.
If a write or flush fails, the log refuses everything after with
:class:`~seqpred.serve.errors.Unavailable` (503): the records in memory may
be ahead of the disk, so nothing more is acknowledged.

On start, :meth:`WriteAheadLog.recover` reads the segments in order and
returns the records after a snapshot's ``lsn``. A record cut short by a
crash can only be the last one, never acknowledged: it is dropped and the
file truncated there. A bad record anywhere else is corruption and stops
the start with :class:`~seqpred.exceptions.DataError`.

Examples
--------
>>> import asyncio, tempfile, pathlib
>>> with tempfile.TemporaryDirectory() as tmp:
...     wal = WriteAheadLog(pathlib.Path(tmp))
...     _ = wal.recover(after=0)
...     lsn = wal.append([["events", "s1", ["home"]]], t=0.0)
...     asyncio.run(wal.commit(lsn))
...     wal.close()
...     again = WriteAheadLog(pathlib.Path(tmp))
...     [r["ops"] for r in again.recover(after=0)]
...     again.close()
[[['events', 's1', ['home']]]]
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from seqpred.exceptions import DataError
from seqpred.serve.errors import Unavailable

__all__ = ["WriteAheadLog"]

_PREFIX, _SUFFIX = "wal-", ".log"


class WriteAheadLog:
    """The write-ahead log of one model's online state (see the module docstring).

    Parameters
    ----------
    directory : Path
        Where the segments live (created if missing).
    fsync : bool, default=True
        Flush each group of records to the disk before acknowledging it.
    """

    def __init__(self, directory: Path, *, fsync: bool = True) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.fsync = fsync
        self._lock = threading.Lock()  # the queue and the counters
        self._io = threading.Lock()  # the file
        self._pending: list[bytes] = []
        self._next = 1
        self._queued = 0  # lsn of the last queued record
        self._durable = 0  # lsn of the last record on disk
        self._fd: int | None = None
        self._failure: BaseException | None = None
        self._flushing: asyncio.Future[int] | None = None
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="seqpred-wal")

    # -- start
    def recover(self, *, after: int) -> list[dict[str, Any]]:
        """Return the records with ``lsn > after``, in order; open a new segment.

        Parameters
        ----------
        after : int
            The ``lsn`` a snapshot already holds (0 for none).

        Returns
        -------
        list of dict
            The records, each ``{"lsn": int, "t": float, "ops": list}``.
        """
        records = []
        last = after
        for path in self.segments():
            for record in self._read(path, final=path == self.segments()[-1]):
                last = max(last, int(record["lsn"]))
                if record["lsn"] > after:
                    records.append(record)
        self._next = last + 1
        self._queued = self._durable = last
        self._open(self._next)
        return records

    def segments(self) -> list[Path]:
        """Return the segment files, oldest first."""
        found = self.directory.glob(f"{_PREFIX}*{_SUFFIX}")
        return sorted(found, key=lambda p: int(p.name[len(_PREFIX) : -len(_SUFFIX)]))

    def _read(self, path: Path, *, final: bool) -> list[dict[str, Any]]:
        data = path.read_bytes()
        records, at = [], 0
        while at < len(data):
            end = data.find(b"\n", at)
            record = None if end < 0 else _decode(data[at:end])
            if record is None:
                if final and (end < 0 or data.find(b"\n", end + 1) < 0):
                    with open(path, "r+b") as handle:  # a torn last record
                        handle.truncate(at)
                        os.fsync(handle.fileno())
                    break
                raise DataError(
                    f"write-ahead log {path}: record at byte {at} is corrupt and "
                    "is not the last one, so acknowledged events after it cannot "
                    "be trusted. Restore the state directory from a backup, or "
                    "move it away to start from the model file."
                )
            records.append(record)
            at = end + 1
        return records

    # -- writing
    def append(self, ops: list[Any], *, t: float) -> int:
        """Queue a record of ``ops`` (JSON values) and return its ``lsn``."""
        if self._failure is not None:
            raise self._failed()
        with self._lock:
            lsn = self._next
            self._next += 1
            body = json.dumps(
                {"lsn": lsn, "t": t, "ops": ops}, separators=(",", ":")
            ).encode("utf-8")
            self._pending.append(b"%08x %s\n" % (zlib.crc32(body), body))
            self._queued = lsn
        return lsn

    async def commit(self, lsn: int) -> None:
        """Return once the record ``lsn`` (and all before it) is on disk."""
        loop = asyncio.get_running_loop()
        while self._durable < lsn:
            if self._failure is not None:
                raise self._failed()
            if self._flushing is None or self._flushing.done():
                self._flushing = loop.run_in_executor(self._executor, self.flush)
            try:
                await asyncio.shield(self._flushing)
            except OSError:
                raise self._failed() from None

    def flush(self) -> int:
        """Write and flush every queued record now; return the durable ``lsn``."""
        with self._io:
            with self._lock:
                lines, self._pending = self._pending, []
                last = self._queued
            if lines and self._failure is None:
                try:
                    self._write(b"".join(lines))
                except OSError as exc:
                    self._failure = exc
                    raise
            if self._failure is None:
                self._durable = last
            return self._durable

    def _write(self, data: bytes) -> None:
        assert self._fd is not None, "recover() opens the log"
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view) :]
        if self.fsync:
            os.fdatasync(self._fd)

    def _failed(self) -> Unavailable:
        return Unavailable(
            f"write-ahead log {self.directory}: a write failed "
            f"({self._failure}); the service accepts no more events for this "
            "model. Free the disk or fix its permissions, then restart: every "
            "acknowledged event is in the log."
        )

    # -- segments
    def rotate(self) -> int:
        """Flush, then continue in a new segment; return its first ``lsn``.

        Every record before the returned ``lsn`` is in an older segment, so
        once a snapshot holds them :meth:`drop_before` can delete those.
        """
        self.flush()
        with self._io:
            first = self._queued + 1
            self._open(first)
        return first

    def drop_before(self, lsn: int) -> None:
        """Delete the segments holding only records before ``lsn``."""
        segments = self.segments()
        for path, following in zip(segments, segments[1:]):
            if int(following.name[len(_PREFIX) : -len(_SUFFIX)]) <= lsn:
                path.unlink(missing_ok=True)

    def _open(self, first: int) -> None:
        if self._fd is not None:
            os.close(self._fd)
        path = self.directory / f"{_PREFIX}{first:020d}{_SUFFIX}"
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        _sync_directory(self.directory)

    @property
    def durable_lsn(self) -> int:
        """``lsn`` of the last record on disk."""
        return self._durable

    @property
    def last_lsn(self) -> int:
        """``lsn`` of the last record queued (durable or not yet)."""
        return self._queued

    def close(self) -> None:
        """Flush what is queued and close the file."""
        if self._fd is not None:
            if self._failure is None:
                self.flush()
            os.close(self._fd)
            self._fd = None
        self._executor.shutdown(wait=True)


def _decode(line: bytes) -> dict[str, Any] | None:
    """Return the record of one line, or None if it is torn or corrupt."""
    crc, _, body = line.partition(b" ")
    try:
        if len(crc) != 8 or int(crc, 16) != zlib.crc32(body):
            return None
        record = json.loads(body)
    except ValueError:
        return None
    return record if isinstance(record, dict) and "lsn" in record else None


def _sync_directory(directory: Path) -> None:
    """Flush a directory entry (a new or renamed file) to the disk."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
