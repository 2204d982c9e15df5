"""A model the service hosts: its file, the fitted estimator, and how it answers.

:class:`HostedModel` loads a model file through :func:`seqpred.io.load` (with
the memory budget, and the signature check when a key is configured), warms
it up (compiled kernels and caches are built before the first request), and
answers ``predict`` requests: on the event loop when they are small, on a
worker thread when they are large, and through a
:class:`~seqpred.serve.batching.MicroBatcher` for neural models.

The estimator is never changed in place: online learning and ``reload``
build a new one and :meth:`HostedModel.swap` puts it in service, so a
request in flight, a snapshot being written and a learning step never see a
half-updated model.
"""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

from seqpred.exceptions import InvalidParameterError
from seqpred.io import load, read_manifest
from seqpred.serve.batching import MicroBatcher
from seqpred.serve.config import ServeConfig
from seqpred.serve.tasks import HANDLERS, batch_key, join_rows, run_batch

__all__ = ["HostedModel", "model_names"]

logger = logging.getLogger(__name__)

_INLINE_ITEMS = 256
"""Requests with at most this many items run on the event loop (faster than a
thread hop); larger ones on a worker thread, so they do not stall others."""


def model_names(paths: list[str]) -> dict[str, Path]:
    """Return ``{name: path}`` for ``NAME=PATH`` or ``PATH`` arguments (name: stem).

    Examples
    --------
    >>> model_names(["clicks.seqpred", "b=models/v2.seqpred"])
    {'clicks': PosixPath('clicks.seqpred'), 'b': PosixPath('models/v2.seqpred')}
    """
    out: dict[str, Path] = {}
    for given in paths:
        name, sep, path = given.partition("=")
        if not sep:
            name, path = Path(given).stem, given
        if not name or not all(c.isalnum() or c in "-_." for c in name):
            raise InvalidParameterError(
                f"serve: model name {name!r} (from {given!r}) must be letters, "
                "digits, '-', '_' or '.'; name it with NAME=PATH, e.g. "
                "clicks=model.seqpred."
            )
        if name in out:
            raise InvalidParameterError(
                f"serve: two models are named {name!r}; name them with NAME=PATH, "
                "e.g. a=one.seqpred b=two.seqpred."
            )
        out[name] = Path(path)
    return out


class HostedModel:
    """One served model (see the module docstring).

    Parameters
    ----------
    name : str
        The name in the routes (``/models/{name}/...``).
    path : Path
        The model file.
    config : ServeConfig
        Key, memory budget and micro-batching wait.
    """

    def __init__(self, name: str, path: Path, config: ServeConfig) -> None:
        self.name = name
        self.path = path
        self.config = config
        self.generation = 0
        self.loaded_at = 0.0
        self.model: Any = None
        self.batcher: MicroBatcher | None = None
        self.manifest: dict[str, Any] = {}

    # -- loading
    def load(self) -> None:
        """Load (or reload) the model file, warm it up and put it in service."""
        model = self.read()
        self.manifest = self.read_manifest()
        self.swap(model)

    def read(self) -> Any:
        """Return the estimator of the model file (not yet in service)."""
        return load(
            self.path, key=self.config.model_key, max_bytes=self.config.max_model_bytes
        )

    def read_manifest(self) -> dict[str, Any]:
        """Return the verified manifest of the model file."""
        return read_manifest(
            self.path, key=self.config.model_key, max_bytes=self.config.max_model_bytes
        )

    def swap(self, model: Any, *, warm: bool = True) -> None:
        """Put ``model`` in service (a new generation), warmed up unless done."""
        if warm:
            warm_up(model)
        if self.batcher is not None:
            self.batcher.close()
            self.batcher = None
        self.model = model
        if model.get_tags().requires_torch:
            self.batcher = MicroBatcher(
                run_batch(model),
                wait=self.config.batch_wait_ms / 1000.0,
                max_items=self.config.max_batch,
            )
        self.generation += 1
        self.loaded_at = time.time()

    @property
    def task(self) -> str:
        """The model's task (``"next-item"``, ``"classify"``, ...)."""
        return str(self.model.get_tags().task)

    @property
    def learns(self) -> bool:
        """Whether ended sessions can update the model (``partial_fit``)."""
        tags = self.model.get_tags()
        return bool(tags.task == "next-item" and tags.supports_partial_fit)

    def describe(self) -> dict[str, Any]:
        """Return name, task, class, versions and sizes (for ``GET /models``)."""
        model = self.model
        return {
            "name": self.name,
            "task": self.task,
            "model": self.manifest.get("model"),
            "class": type(model).__name__,
            "params": {k: _plain(v) for k, v in model.get_params(deep=False).items()},
            "file": str(self.path),
            "file_bytes": self.path.stat().st_size if self.path.exists() else None,
            "memory_bytes": int(model.memory_bytes()),
            "seqpred_version": self.manifest.get("seqpred_version"),
            "generation": self.generation,
            "loaded_at": self.loaded_at,
            "micro_batching": self.batcher is not None,
        }

    # -- answering
    async def predict(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer a ``predict`` request (fields already checked)."""
        model, task = self.model, self.task
        handler = HANDLERS[task]
        if self.batcher is not None:
            key = batch_key(task, request)
            if key is not None:
                rows = await self.batcher.submit(key, request["sequences"])
                return join_rows(rows)
        if _items(request) <= _INLINE_ITEMS:
            return handler(model, request)
        return await asyncio.to_thread(handler, model, request)

    def close(self) -> None:
        """Stop the micro-batching worker."""
        if self.batcher is not None:
            self.batcher.close()


def warm_up(model: Any) -> None:
    """Run one tiny prediction so kernels compile and caches exist before requests.

    Caches are attributes the first prediction adds; creating them here, on
    the thread that swaps the model in, means no later request changes the
    estimator while a snapshot reads it.
    """
    task = model.get_tags().task
    if task != "next-item":
        return
    symbols = model.vocabulary_.symbols[:2]
    try:
        model.predict_top_k_ids([symbols], 1)
        model.predict_top_k_ids([symbols, symbols], 1)
    except Exception:  # a model that cannot answer this query answers others
        logger.debug("warm-up of %r failed", model, exc_info=True)


def _items(request: dict[str, Any]) -> int:
    sequences = request.get("sequences")
    if not isinstance(sequences, list):
        return int(request.get("n", 1) or 1) * int(request.get("max_length", 100) or 1)
    return sum(len(s) if isinstance(s, (list, str)) else 1 for s in sequences)


def _plain(value: Any) -> Any:
    """Return a parameter as a JSON value (``repr`` for anything else)."""
    if isinstance(value, (bool, int, float, str, type(None))):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return repr(value)
