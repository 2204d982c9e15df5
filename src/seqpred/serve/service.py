"""The models a service hosts, their sessions, metrics, and background work.

:class:`Service` is what the routes of :mod:`seqpred.serve.app` talk to. It is
built before the server starts: every model file is loaded (a bad file stops
the start with its error), and every learning model recovers its state from
its snapshot and log. The background steps (expiry, learning, snapshots)
start with the server and stop with it, after a last snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from seqpred.serve.config import ServeConfig
from seqpred.serve.errors import NotFound
from seqpred.serve.hosted import HostedModel
from seqpred.serve.metrics import Metrics
from seqpred.serve.online import Online

__all__ = ["Service"]

logger = logging.getLogger(__name__)


class Service:
    """Hosted models, their sessions and the metrics of one server.

    Parameters
    ----------
    models : dict of str to Path
        Model name -> model file.
    config : ServeConfig
        The settings.
    """

    def __init__(self, models: dict[str, Path], config: ServeConfig) -> None:
        self.config = config
        self.metrics = Metrics()
        self.models: dict[str, HostedModel] = {}
        self.online: dict[str, Online] = {}
        self.started = time.time()
        self._tasks: list[asyncio.Task[None]] = []
        for name, path in models.items():
            hosted = HostedModel(name, Path(path), config)
            hosted.load()
            self.models[name] = hosted
            if hosted.task == "next-item":
                online = Online(hosted, config)
                online.start()
                self.online[name] = online
        self._register_gauges()

    # -- lookups
    def model(self, name: str) -> HostedModel:
        """Return the hosted model ``name``, or raise :class:`NotFound`."""
        hosted = self.models.get(name)
        if hosted is None:
            raise NotFound(
                f"no model named {name!r}; this server hosts {sorted(self.models)} "
                "(GET /models lists them)."
            )
        return hosted

    def sessions(self, name: str) -> Online:
        """Return the sessions of model ``name`` (next-item models only)."""
        hosted = self.model(name)
        online = self.online.get(name)
        if online is None:
            raise NotFound(
                f"model {name!r} serves task {hosted.task!r}; live sessions are for "
                "next-item models. Use POST /models/{name}/predict."
            )
        return online

    def describe(self, name: str) -> dict[str, Any]:
        """Return a model's description with its sessions' state."""
        out = self.model(name).describe()
        if name in self.online:
            out["sessions"] = self.online[name].stats()
        return out

    # -- life cycle
    async def start(self) -> None:
        """Start the background steps of every model with sessions."""
        for online in self.online.values():
            self._tasks.append(asyncio.create_task(online.run()))

    async def stop(self) -> None:
        """Stop the background steps; learn, snapshot and close every log."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for online in self.online.values():
            try:
                await online.stop()
            except Exception:
                logger.exception("%s: could not save the state", online.hosted.name)
        for hosted in self.models.values():
            hosted.close()

    def _register_gauges(self) -> None:
        def per_model(read: Any) -> Any:
            return lambda: [({"model": n}, float(read(n))) for n in self.online]

        self.metrics.gauge(
            "seqpred_sessions",
            "Live sessions per model.",
            per_model(lambda n: len(self.online[n].sessions)),
        )
        self.metrics.gauge(
            "seqpred_session_memory_bytes",
            "Estimated memory the live sessions hold, per model.",
            per_model(lambda n: self.online[n].sessions.memory_bytes()),
        )
        self.metrics.gauge(
            "seqpred_pending_sessions",
            "Ended sessions not yet learned, per model.",
            per_model(lambda n: len(self.online[n].pending)),
        )
        self.metrics.gauge(
            "seqpred_model_memory_bytes",
            "Memory of each model's fitted arrays.",
            lambda: [
                ({"model": n}, float(h.model.memory_bytes()))
                for n, h in self.models.items()
            ],
        )
