"""The settings of a running service, checked once before anything starts."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from seqpred._params import check_int, check_real
from seqpred.exceptions import InvalidParameterError

__all__ = ["LOOPBACK", "ServeConfig"]

LOOPBACK = ("127.0.0.1", "::1", "localhost")
"""Hosts that only this machine can reach: the default binds to the first."""


@dataclass(frozen=True)
class ServeConfig:
    """Settings of ``seqpred serve`` (every limit has a safe default).

    Parameters
    ----------
    host : str, default="127.0.0.1"
        Interface to bind; the loopback by default, so nothing outside this
        machine can connect. Binding elsewhere without a ``token`` logs a
        warning.
    port : int, default=8000
        TCP port (0 picks a free one).
    token : str or None, default=None
        Bearer token every request but ``GET /health`` must carry
        (``Authorization: Bearer <token>``); the command line reads it from
        ``SEQPRED_TOKEN``.
    model_key : bytes or None, default=None
        Accept only model files (and snapshots) signed with this key; the
        command line reads it from ``SEQPRED_MODEL_KEY``.
    max_model_bytes : int, str or None, default=None
        Memory budget for loading each model file (see
        :func:`seqpred.io.load`).
    max_body_bytes : int, default=1_048_576
        Largest request body; a larger one gets 413.
    max_batch : int, default=1024
        Most sequences (or samples) one request may ask for; more gets 413.
    max_items : int, default=100_000
        Most items across the sequences of one request; more gets 413.
    max_k : int, default=1000
        Largest ``k`` (top-k candidates) a request may ask for.
    max_sessions : int, default=100_000
        Live sessions per model; beyond it the least recently used session
        is ended (and learned from, like any ended session).
    max_session_length : int, default=1000
        Events a session holds; the event that reaches it ends the session
        (learned from) and the next event starts it again, empty.
    session_ttl : float, default=1800.0
        Seconds without an event after which a session is ended.
    state_dir : Path or None, default=None
        Where each model keeps its write-ahead log and snapshots (one
        sub-directory per model). ``None`` serves sessions without learning
        from them (nothing to lose, nothing kept).
    snapshot_interval : float, default=300.0
        Seconds between snapshots of a learning model (also taken at a clean
        shutdown).
    learn_interval : float, default=1.0
        Seconds between ``partial_fit`` calls with the sessions ended since
        the last one (one call per batch: its cost grows with the model).
    fsync : bool, default=True
        Flush the write-ahead log to disk before acknowledging an event.
        ``False`` survives a crash of the service but not of the machine.
    batch_wait_ms : float, default=2.0
        How long the micro-batching queue of a neural model waits for more
        requests to share one forward pass.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    model_key: bytes | None = None
    max_model_bytes: int | str | None = None
    max_body_bytes: int = 1_048_576
    max_batch: int = 1024
    max_items: int = 100_000
    max_k: int = 1000
    max_sessions: int = 100_000
    max_session_length: int = 1000
    session_ttl: float = 1800.0
    state_dir: Path | None = None
    snapshot_interval: float = 300.0
    learn_interval: float = 1.0
    fsync: bool = True
    batch_wait_ms: float = 2.0

    def __post_init__(self) -> None:
        owner = "ServeConfig"
        check_int(owner, "port", self.port, low=0, high=65535, default=8000)
        for name, default in (
            ("max_body_bytes", 1_048_576),
            ("max_batch", 1024),
            ("max_items", 100_000),
            ("max_k", 1000),
            ("max_sessions", 100_000),
            ("max_session_length", 1000),
        ):
            check_int(owner, name, getattr(self, name), low=1, default=default)
        for name, default_real in (
            ("session_ttl", 1800.0),
            ("snapshot_interval", 300.0),
            ("learn_interval", 1.0),
            ("batch_wait_ms", 2.0),
        ):
            check_real(owner, name, getattr(self, name), low=0, default=default_real)
        if self.token is not None and not self.token.strip():
            raise InvalidParameterError(
                f"{owner}: token must be a non-empty string or None; got "
                f"{self.token!r}. Unset SEQPRED_TOKEN, or set it to a long secret."
            )

    @property
    def is_loopback(self) -> bool:
        """Whether ``host`` can only be reached from this machine."""
        return self.host in LOOPBACK or self.host.startswith("127.")

    def replace(self, **changes: object) -> ServeConfig:
        """Return a copy with some settings changed (checked again)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]
