"""Live sessions of one next-item model, and learning from them that survives a crash.

:class:`Online` owns a model's :class:`~seqpred.serve.sessions.SessionStore`.
With a state directory and a model that supports ``partial_fit`` it also
learns: each change to the sessions is a record of the
:class:`~seqpred.serve.wal.WriteAheadLog`, appended and flushed before the
request is answered; ended sessions (by the client, idle time, eviction or
length) queue up and a background step feeds them to ``partial_fit`` every
``learn_interval`` seconds, on a copy of the model that then replaces it; a
snapshot (model, live sessions, queued sessions, ``lsn``) is written every
``snapshot_interval`` seconds and at a clean shutdown, after which older log
segments are deleted. Start-up loads the newest snapshot and replays the log
after it, so an event that got a 2xx reply is in the model after any crash
(``kill -9`` included), once its session ends.

Without learning, sessions are served the same way (bounded, expiring) and
ended sessions are dropped.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.exceptions import DataError
from seqpred.serve.config import ServeConfig
from seqpred.serve.hosted import HostedModel, warm_up
from seqpred.serve.sessions import Op, SessionStore
from seqpred.serve.snapshots import file_identity, read_snapshot, write_snapshot
from seqpred.serve.wal import WriteAheadLog

__all__ = ["Online", "check_events"]

logger = logging.getLogger(__name__)

MAX_SESSION_ID = 256
"""Longest session id (characters)."""


def check_events(events: list[Any]) -> None:
    """Refuse events that are not JSON strings, integers, finite numbers or bools."""
    for position, event in enumerate(events):
        ok = isinstance(event, (str, int, bool)) or (
            isinstance(event, float) and math.isfinite(event)
        )
        if not ok:
            raise DataError(
                f"event {position} is {event!r}; an event is one item: a string, "
                "an integer, a finite number or a boolean, as in the training "
                'data. Send a list of items, e.g. {"events": ["home"]}.'
            )


class Online:
    """Sessions and online learning of one hosted next-item model.

    Parameters
    ----------
    hosted : HostedModel
        The model (a next-item model).
    config : ServeConfig
        Session bounds, state directory, intervals, ``fsync`` and key.
    """

    def __init__(self, hosted: HostedModel, config: ServeConfig) -> None:
        self.hosted = hosted
        self.config = config
        self.sessions = SessionStore(
            max_sessions=config.max_sessions,
            max_length=config.max_session_length,
            ttl=config.session_ttl,
        )
        learns = config.state_dir is not None and hosted.learns
        self.directory: Path | None = (
            Path(config.state_dir) / hosted.name if learns else None  # type: ignore[arg-type]
        )
        self.wal: WriteAheadLog | None = None
        self.pending: list[list[Any]] = []
        self.learned_sessions = 0
        self.learned_events = 0
        self.replayed = 0
        self.learn_errors = 0
        self.snapshot_lsn = 0
        self.snapshot_time = time.time()
        self.source: dict[str, Any] = {}  # the model file the state grew from
        self._lock = asyncio.Lock()  # learning, snapshots and reloads: one at a time
        self._snapshot_of = (-1, -1)  # (lsn, model generation) of the last snapshot

    @property
    def learning(self) -> bool:
        """Whether ended sessions update the model (and the log keeps them)."""
        return self.directory is not None

    # -- start and stop
    def start(self) -> None:
        """Load the newest snapshot and replay the log after it (when learning)."""
        if self.directory is None:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        snapshot = read_snapshot(
            self.directory,
            key=self.config.model_key,
            max_bytes=self.config.max_model_bytes,
        )
        after = 0
        self.source = file_identity(self.hosted.path)
        if snapshot is not None:
            if snapshot.source and snapshot.source != self.source:
                logger.warning(
                    "%s: %s changed since the state in %s was saved; serving the "
                    "state (the model as it learned online). POST /models/%s/reload "
                    "serves the file instead.",
                    self.hosted.name,
                    self.hosted.path,
                    self.directory,
                    self.hosted.name,
                )
                self.source = snapshot.source
            self.hosted.swap(snapshot.model)
            self.sessions.restore(snapshot.sessions)
            self.pending = snapshot.pending
            after = self.snapshot_lsn = snapshot.lsn
            self._snapshot_of = (after, self.hosted.generation)
        self.wal = WriteAheadLog(self.directory, fsync=self.config.fsync)
        records = self.wal.recover(after=after)
        for record in records:
            self._apply([tuple(op) for op in record["ops"]], float(record["t"]))
        self.replayed = len(records)
        logger.info(
            "%s: state from %s, %d log records replayed, %d sessions live, %d to learn",
            self.hosted.name,
            "a snapshot" if snapshot else "the model file",
            len(records),
            len(self.sessions),
            len(self.pending),
        )

    async def stop(self) -> None:
        """Learn what is queued, write a last snapshot and close the log."""
        if self.wal is None:
            return
        await self.learn()
        await self.snapshot()
        self.wal.close()

    async def run(self) -> None:
        """Expire, learn and snapshot on schedule until cancelled."""
        interval = max(self.config.learn_interval, 0.01)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.expire()
                await self.learn()
                due = time.time() - self.snapshot_time >= self.config.snapshot_interval
                if self.wal is not None and due:
                    await self.snapshot()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep serving; the next round tries again
                logger.exception("%s: background step failed", self.hosted.name)

    # -- changes
    async def add_events(self, session_id: str, events: list[Any]) -> Array:
        """Append events to a session; return its ids to predict from.

        The events are on disk (when learning) before this returns.
        """
        check_events(events)
        if len(session_id) > MAX_SESSION_ID:
            raise DataError(
                f"session id of {len(session_id)} characters; the limit is "
                f"{MAX_SESSION_ID}. Use a shorter id (a UUID is 36)."
            )
        ops = self.sessions.plan_events(session_id, events)
        lsn = self._log(ops)
        ended = self._apply(ops, time.time())
        context = self._context(session_id, ended)
        if lsn:
            await self.wal.commit(lsn)  # type: ignore[union-attr]
        return context

    async def end(self, session_id: str) -> bool:
        """End a session (queued for learning); return whether it existed."""
        if session_id not in self.sessions:
            return False
        ops: list[Op] = [("end", session_id, "client")]
        lsn = self._log(ops)
        self._apply(ops, time.time())
        if lsn:
            await self.wal.commit(lsn)  # type: ignore[union-attr]
        return True

    async def expire(self) -> None:
        """End the sessions idle for ``session_ttl`` seconds."""
        ops = self.sessions.plan_expiry(time.time())
        if ops:
            lsn = self._log(ops)
            self._apply(ops, time.time())
            if lsn:
                await self.wal.commit(lsn)  # type: ignore[union-attr]

    def _log(self, ops: list[Op]) -> int:
        if self.wal is None or not ops:
            return 0
        return self.wal.append([list(op) for op in ops], t=time.time())

    def _apply(self, ops: list[Op], now: float) -> list[list[Any]]:
        ended = []
        for op in ops:
            events = self.sessions.apply(op, now=now)
            if events is not None:
                ended.append(events)
                if self.learning:
                    self.pending.append(events)
        return ended

    def _context(self, session_id: str, ended: list[list[Any]]) -> Array:
        """Return the session's event ids (after a roll-over, the ended part first)."""
        vocabulary = self.hosted.model.vocabulary_
        session = self.sessions.get(session_id)
        held: list[Any] = [] if session is None else session.symbols
        if ended and len(held) < 64:
            tail = ended[-1][-64:] + held
            return np.asarray(vocabulary.encode(tail, unknown="unk"))
        if session is None:
            return np.empty(0, dtype=np.int64)
        return session.encoded(vocabulary)

    # -- learning and snapshots
    async def learn(self) -> None:
        """Feed the queued ended sessions to ``partial_fit`` (on a copy, then swap)."""
        if not self.pending:
            return
        async with self._lock:
            batch, self.pending = self.pending, []
            model = self.hosted.model
            try:
                learned = await asyncio.to_thread(_learned, model, batch)
            except Exception:
                self.pending = batch + self.pending
                self.learn_errors += 1
                logger.exception("%s: partial_fit failed", self.hosted.name)
                return
            if self.hosted.model is not model:  # reloaded meanwhile: learn again
                self.pending = batch + self.pending
                return
            self.hosted.swap(learned, warm=False)
            self.learned_sessions += len(batch)
            self.learned_events += sum(len(s) for s in batch)

    async def snapshot(self) -> None:
        """Write a snapshot (model, sessions, queue); drop the log it covers."""
        if self.wal is None or self.directory is None:
            return
        async with self._lock:
            lsn = self.wal.last_lsn
            if (lsn, self.hosted.generation) == self._snapshot_of:
                return  # nothing changed since the last one
            generation = self.hosted.generation
            model, sessions, pending = (
                self.hosted.model,
                self.sessions.export(),
                list(self.pending),
            )
            await asyncio.to_thread(self.wal.rotate)
            await asyncio.to_thread(
                write_snapshot,
                self.directory,
                model,
                sessions,
                pending,
                lsn=lsn,
                key=self.config.model_key,
                source=self.source,
            )
            self.wal.drop_before(lsn + 1)
            self.snapshot_lsn, self.snapshot_time = lsn, time.time()
            self._snapshot_of = (lsn, generation)

    async def reload(self) -> None:
        """Load the model file again and serve it (a snapshot follows when learning).

        What the old model learned online is not in the file: queued sessions
        are learned into the new model, earlier ones are not.
        """
        async with self._lock:
            model = await asyncio.to_thread(self.hosted.read)
            self.hosted.manifest = await asyncio.to_thread(self.hosted.read_manifest)
            self.hosted.swap(model)
            self.source = file_identity(self.hosted.path)
        await self.snapshot()

    def stats(self) -> dict[str, Any]:
        """Return the sessions' counts and memory, and the learning state."""
        out = self.sessions.stats()
        out["learning"] = self.learning
        if self.wal is not None:
            out.update(
                pending_sessions=len(self.pending),
                learned_sessions=self.learned_sessions,
                learned_events=self.learned_events,
                learn_errors=self.learn_errors,
                replayed_records=self.replayed,
                last_lsn=self.wal.last_lsn,
                durable_lsn=self.wal.durable_lsn,
                snapshot_lsn=self.snapshot_lsn,
            )
        return out


def _learned(model: Any, batch: list[list[Any]]) -> Any:
    """Return a copy of ``model`` that also learned ``batch`` (warmed up)."""
    twin = _twin(model)
    twin.partial_fit(batch)
    warm_up(twin)
    return twin


def _twin(model: Any) -> Any:
    """Return a deep copy of the parameters and fitted state, without caches.

    What a model file holds (``io.save``): parameters and ``_``-suffixed
    attributes, plus the fitted flag; caches are rebuilt on first use.
    """
    twin = copy.copy(model)
    state = {
        name: value
        for name, value in list(vars(model).items())
        if not name.startswith("_") or name.endswith("_") or name == "_fitted"
    }
    twin.__dict__ = copy.deepcopy(state)
    return twin
