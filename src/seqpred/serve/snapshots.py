"""Atomic snapshots of a learning model: the model, its live sessions, one ``lsn``.

A snapshot is a directory ``snapshot-<lsn>-<time>`` holding ``model.seqpred``
(written by :func:`seqpred.io.save`, signed when a key is configured),
``sessions.json`` (the live sessions and the ended ones not yet learned)
and ``meta.json`` (the ``lsn`` of the last log record it reflects). It is
written under a temporary name, every file flushed to disk, then renamed in
one step to a name no other snapshot has; only then are older snapshots
deleted. A crash leaves the old snapshot, the new one, or both, never
neither and never half of one. Start-up loads the newest complete snapshot
and replays the log records after its ``lsn``.

Examples
--------
>>> import pathlib, tempfile
>>> import seqpred
>>> model = seqpred.create("markov", order=1).fit(["abab"])
>>> with tempfile.TemporaryDirectory() as tmp:
...     _ = write_snapshot(pathlib.Path(tmp), model, [], [["a", "b"]], lsn=7)
...     found = read_snapshot(pathlib.Path(tmp))
>>> found.lsn, found.pending, found.model.predict(["a"])
(7, [['a', 'b']], ['b'])
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seqpred.exceptions import DataError
from seqpred.io import load, save

__all__ = ["Snapshot", "file_identity", "read_snapshot", "write_snapshot"]

FORMAT = 1
_PREFIX = "snapshot-"


@dataclass
class Snapshot:
    """What a snapshot holds."""

    lsn: int
    model: Any
    sessions: list[dict[str, Any]]
    pending: list[list[Any]]
    path: Path
    source: dict[str, Any]


def write_snapshot(
    directory: Path,
    model: Any,
    sessions: list[dict[str, Any]],
    pending: list[list[Any]],
    *,
    lsn: int,
    key: bytes | None = None,
    source: dict[str, Any] | None = None,
) -> Path:
    """Write a snapshot atomically; delete older ones; return its directory.

    Parameters
    ----------
    directory : Path
        The model's state directory.
    model : estimator
        The model as of ``lsn`` (not changed while this runs).
    sessions : list of dict
        :meth:`SessionStore.export` as of ``lsn``.
    pending : list of list
        Ended sessions not yet in ``model``.
    lsn : int
        The last log record the snapshot reflects.
    key : bytes or None, default=None
        Sign the model file with this key.
    source : dict or None, default=None
        What model file the state grew from (see :func:`file_identity`).
    """
    final = directory / f"{_PREFIX}{lsn:020d}-{time.time_ns():020d}"
    temporary = directory / f".{final.name}.tmp-{os.getpid()}"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir(parents=True)
    save(model, temporary / "model.seqpred", key=key)
    _write_json(temporary / "sessions.json", {"sessions": sessions, "pending": pending})
    meta = {"format": FORMAT, "lsn": lsn, "created": time.time(), "source": source}
    _write_json(temporary / "meta.json", meta)
    _sync(temporary)
    os.replace(temporary, final)  # a new name: the old snapshot stays until now
    _sync(directory)
    for old in _snapshots(directory):
        if old != final:
            shutil.rmtree(old, ignore_errors=True)
    for leftover in directory.glob(f".{_PREFIX}*.tmp-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    return final


def read_snapshot(
    directory: Path, *, key: bytes | None = None, max_bytes: int | str | None = None
) -> Snapshot | None:
    """Return the newest complete snapshot in ``directory``, or None.

    The model is loaded like a model file: under the memory budget
    ``max_bytes`` and, with ``key``, only if signed with it.
    """
    found = _snapshots(directory)
    if not found:
        return None
    path = found[-1]
    try:
        meta = json.loads((path / "meta.json").read_text())
        state = json.loads((path / "sessions.json").read_text())
    except (OSError, ValueError) as exc:
        raise DataError(
            f"snapshot {path}: unreadable ({exc}). Move the directory away to "
            "start from the previous snapshot or from the model file."
        ) from None
    model = load(path / "model.seqpred", key=key, max_bytes=max_bytes)
    return Snapshot(
        int(meta["lsn"]),
        model,
        list(state["sessions"]),
        list(state["pending"]),
        path,
        dict(meta.get("source") or {}),
    )


def file_identity(path: Path) -> dict[str, Any]:
    """Return what tells a model file apart from a replaced one: path, size, time."""
    stat = path.stat()
    resolved = str(path.resolve())
    return {"path": resolved, "bytes": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _snapshots(directory: Path) -> list[Path]:
    """Complete snapshot directories (renamed, with meta.json), oldest first."""
    if not directory.exists():
        return []
    found = [
        p
        for p in directory.glob(f"{_PREFIX}*-*")
        if p.is_dir() and (p / "meta.json").exists()
    ]
    return sorted(
        found, key=lambda p: tuple(map(int, p.name[len(_PREFIX) :].split("-")))
    )


def _write_json(path: Path, value: Any) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(value, handle, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())


def _sync(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
