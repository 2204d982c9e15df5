"""Live sessions: the events of each visitor so far, bounded in count, length and age.

A :class:`SessionStore` keeps, per session id, the events received (as the
client sent them, to learn from) and their ids under the model's vocabulary
(to predict from). Every change is an *operation*, planned first and then
applied, so that the write-ahead log can record exactly what happened and a
restart can replay it without re-deciding anything:

``("events", session_id, [event, ...])``
    append events (creating the session);
``("end", session_id, reason)``
    end the session: its events become one training sequence. ``reason``
    is ``"client"`` (``DELETE``), ``"ttl"`` (idle too long), ``"lru"``
    (evicted to make room) or ``"length"`` (it reached the length bound).

:meth:`SessionStore.plan_events` turns a request into operations under the
bounds: a new session beyond ``max_sessions`` first ends the least recently
used one; events that would pass ``max_session_length`` are split, ending
the session at the bound and starting it again.

Examples
--------
>>> store = SessionStore(max_sessions=2, max_length=3, ttl=60.0)
>>> ops = store.plan_events("a", ["home", "search", "product", "cart"])
>>> [op[0] for op in ops]
['events', 'end', 'events']
>>> [store.apply(op, now=0.0) for op in ops]
[None, ['home', 'search', 'product'], None]
>>> store.events("a")
['cart']
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.vocabulary import Vocabulary

__all__ = ["Op", "Session", "SessionStore"]

Op = tuple[str, str, Any]
"""An operation: ``("events", id, events)`` or ``("end", id, reason)``."""
_BYTES_PER_SESSION = 400  # the dict entry, the object, two lists: measured
_BYTES_PER_EVENT = 16  # a list slot and an id (symbols are shared objects)


@dataclass
class Session:
    """The events of one session and their ids under ``vocabulary``."""

    symbols: list[Any] = field(default_factory=list)
    last_seen: float = 0.0
    ids: Array = field(default_factory=lambda: np.empty(8, dtype=np.int64))
    n_encoded: int = 0
    vocabulary: Vocabulary | None = None

    def encoded(self, vocabulary: Vocabulary) -> Array:
        """Return the ids of all events under ``vocabulary`` (unknown -> ``<unk>``).

        Events are encoded once; all of them again only when the vocabulary
        changed (after the model learned new symbols).
        """
        if vocabulary is not self.vocabulary:
            self.vocabulary, self.n_encoded = vocabulary, 0
        n = len(self.symbols)
        if self.n_encoded < n:
            if self.ids.shape[0] < n:
                bigger = np.empty(max(n, 2 * self.ids.shape[0]), dtype=np.int64)
                bigger[: self.n_encoded] = self.ids[: self.n_encoded]
                self.ids = bigger
            new = self.symbols[self.n_encoded :]
            self.ids[self.n_encoded : n] = vocabulary.encode(new, unknown="unk")
            self.n_encoded = n
        return self.ids[:n]


class SessionStore:
    """Bounded live sessions, least recently used first (see the module docstring).

    Parameters
    ----------
    max_sessions : int
        Live sessions kept.
    max_length : int
        Events one session holds.
    ttl : float
        Seconds without an event after which a session expires.
    """

    def __init__(self, *, max_sessions: int, max_length: int, ttl: float) -> None:
        self.max_sessions = max_sessions
        self.max_length = max_length
        self.ttl = ttl
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._n_events = 0
        self.ended: dict[str, int] = {"client": 0, "ttl": 0, "lru": 0, "length": 0}

    def __len__(self) -> int:
        return len(self._sessions)

    def __contains__(self, session_id: object) -> bool:
        return session_id in self._sessions

    # -- planning
    def plan_events(self, session_id: str, events: list[Any]) -> list[Op]:
        """Return the operations appending ``events`` to a session within the bounds."""
        ops: list[Op] = []
        session = self._sessions.get(session_id)
        if session is None and len(self._sessions) >= self.max_sessions:
            oldest = next(iter(self._sessions))
            ops.append(("end", oldest, "lru"))
        held = 0 if session is None else len(session.symbols)
        start = 0
        while start < len(events):
            room = self.max_length - held
            chunk = events[start : start + room]
            ops.append(("events", session_id, chunk))
            start += len(chunk)
            held += len(chunk)
            if held >= self.max_length:
                ops.append(("end", session_id, "length"))
                held = 0
        return ops

    def plan_expiry(self, now: float) -> list[Op]:
        """Return the ``end`` operations of the sessions idle for ``ttl`` seconds."""
        ops: list[Op] = []
        for session_id, session in self._sessions.items():  # oldest first
            if now - session.last_seen < self.ttl:
                break
            ops.append(("end", session_id, "ttl"))
        return ops

    # -- applying
    def apply(self, op: Op, *, now: float) -> list[Any] | None:
        """Apply one operation; return the events of a session it ended, else None."""
        kind, session_id, payload = op
        if kind == "events":
            session = self._sessions.get(session_id)
            if session is None:
                session = self._sessions[session_id] = Session()
            else:
                self._sessions.move_to_end(session_id)
            session.symbols.extend(payload)
            session.last_seen = now
            self._n_events += len(payload)
            return None
        if kind == "end":
            ended = self._sessions.pop(session_id, None)
            if ended is None:
                return None
            self._n_events -= len(ended.symbols)
            self.ended[str(payload)] = self.ended.get(str(payload), 0) + 1
            return ended.symbols
        raise ValueError(f"SessionStore.apply: unknown operation {kind!r}")

    # -- reading
    def get(self, session_id: str) -> Session | None:
        """Return the session, or None."""
        return self._sessions.get(session_id)

    def events(self, session_id: str) -> list[Hashable] | None:
        """Return a copy of the session's events, or None."""
        session = self._sessions.get(session_id)
        return None if session is None else list(session.symbols)

    def stats(self) -> dict[str, Any]:
        """Return counts, an estimate of the memory held and the bounds."""
        return {
            "sessions": len(self._sessions),
            "events": self._n_events,
            "memory_bytes": self.memory_bytes(),
            "ended": dict(self.ended),
            "max_sessions": self.max_sessions,
            "max_session_length": self.max_length,
            "session_ttl": self.ttl,
        }

    def memory_bytes(self) -> int:
        """Estimate the bytes the sessions hold (lists, ids and bookkeeping)."""
        buffers = sum(s.ids.nbytes for s in self._sessions.values())
        return (
            _BYTES_PER_SESSION * len(self._sessions)
            + _BYTES_PER_EVENT * self._n_events
            + buffers
        )

    # -- snapshots
    def export(self) -> list[dict[str, Any]]:
        """Return the sessions as JSON-ready records, least recently used first."""
        return [
            {"id": session_id, "events": list(s.symbols), "last_seen": s.last_seen}
            for session_id, s in self._sessions.items()
        ]

    def restore(self, records: list[dict[str, Any]]) -> None:
        """Replace the sessions by exported records."""
        self._sessions.clear()
        self._n_events = 0
        for record in records:
            session = Session(list(record["events"]), float(record["last_seen"]))
            self._sessions[str(record["id"])] = session
            self._n_events += len(session.symbols)
