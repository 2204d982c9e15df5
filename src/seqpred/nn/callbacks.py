"""Trainer callbacks: hooks called at the start and end of training and per epoch.

A callback is any object with some of these methods (missing ones are
skipped)::

    on_train_begin(info: dict) -> None     # model size, device, batches
    on_epoch_end(record: dict) -> None     # one epoch's metrics
    on_train_end(summary: dict) -> None    # epochs run, best epoch, stop reason

Records hold plain numbers and strings, so they serialise as JSON as is.
"""

from __future__ import annotations

import json
import os
from typing import IO, Any

__all__ = ["JsonlLogger"]


class JsonlLogger:
    """Write one JSON object per line: training info, each epoch, the summary.

    The file is truncated when training begins and flushed after every
    line, so it can be followed while a model trains (``tail -f``).

    Parameters
    ----------
    path : str or path-like
        The JSON-lines file.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "log.jsonl"
    ...     logger = JsonlLogger(path)
    ...     logger.on_train_begin({"parameters": 10})
    ...     logger.on_epoch_end({"epoch": 1, "train_loss": 0.5})
    ...     logger.on_train_end({"n_epochs": 1})
    ...     [json.loads(line)["event"] for line in path.read_text().splitlines()]
    ['train_begin', 'epoch', 'train_end']
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def _write(self, event: str, record: dict[str, Any]) -> None:
        if self._file is None:
            self._file = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        self._file.write(json.dumps({"event": event, **record}) + "\n")
        self._file.flush()

    def on_train_begin(self, info: dict[str, Any]) -> None:
        """Truncate the file and write the training info."""
        self.close()
        open(self.path, "w", encoding="utf-8").close()
        self._write("train_begin", info)

    def on_epoch_end(self, record: dict[str, Any]) -> None:
        """Append one epoch's metrics."""
        self._write("epoch", record)

    def on_train_end(self, summary: dict[str, Any]) -> None:
        """Append the summary and close the file."""
        self._write("train_end", summary)
        self.close()

    def close(self) -> None:
        """Close the file if open."""
        if self._file is not None:
            self._file.close()
            self._file = None
