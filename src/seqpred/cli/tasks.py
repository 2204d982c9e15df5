"""How ``fit``, ``predict`` and ``evaluate`` reach the code of each task.

The commands in :mod:`seqpred.cli` parse the options every task shares into
:class:`DataSource`, :class:`PredictOptions` and :class:`EvaluateOptions`,
then call the handler module of the model's task (:data:`TASK_HANDLERS`).
A handler module defines three functions:

``fit_arguments(source) -> (args, description)``
    Read the training data; return the positional arguments of
    ``estimator.fit`` and a short description of the data for the summary
    line (``"1,234 sequences (5,678 items, 17 symbols)"``).
``predict(estimator, options) -> None``
    Print predictions with :func:`seqpred.cli.output.emit`.
``evaluate(estimator, options) -> None``
    Print evaluation metrics the same way.

A handler raises :class:`~seqpred.exceptions.InvalidParameterError` for an
option that does not apply to its task (exit code 2).

Examples
--------
>>> handler_for("next-item").__name__
'seqpred.cli.next_item'
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from seqpred.cli.output import OutputFormat, step
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import InvalidParameterError

__all__ = [
    "TASK_HANDLERS",
    "DataSource",
    "EvaluateOptions",
    "PredictOptions",
    "handler_for",
    "reject_options",
]

TASK_HANDLERS: dict[str, str] = {
    "next-item": "seqpred.cli.next_item",
    "classify": "seqpred.cli.classify",
    "forecast": "seqpred.cli.forecast",
    "seq2seq": "seqpred.cli.seq2seq",
}
"""Task name -> the module that serves it on the command line."""


@dataclass(frozen=True)
class DataSource:
    """A data file with its ``--data-format`` and ``--data-option`` values."""

    path: Path
    data_format: str = "auto"
    options: dict[str, Any] = field(default_factory=dict)

    def read(self) -> SequenceSet:
        """Read the file with :func:`seqpred.data.readers.read_sequences`."""
        from seqpred.data.readers import read_sequences

        with step(f"reading {self.path}"):
            return read_sequences(self.path, format=self.data_format, **self.options)


@dataclass(frozen=True)
class PredictOptions:
    """The options of ``seqpred predict`` (each task uses the ones it needs)."""

    inputs: list[str] = field(default_factory=list)
    tokens: str = "whitespace"
    source: DataSource | None = None
    top_k: int = 5
    horizon: int | None = None
    plot: Path | None = None
    fmt: OutputFormat = OutputFormat.table

    def split_inputs(self) -> list[list[str]]:
        """Split the ``--input`` strings into tokens (whitespace or chars)."""
        if self.tokens == "chars":
            return [list(text) for text in self.inputs]
        return [text.split() for text in self.inputs]


@dataclass(frozen=True)
class EvaluateOptions:
    """The options of ``seqpred evaluate`` (each task uses the ones it needs)."""

    source: DataSource
    window: int | None = None
    consequent: int = 1
    k: int = 10
    horizon: int | None = None
    plot: Path | None = None
    fmt: OutputFormat = OutputFormat.table


def handler_for(task: str) -> ModuleType:
    """Return the handler module of ``task``; a clear error when none exists."""
    module = TASK_HANDLERS.get(task)
    try:
        if module is None:
            raise ModuleNotFoundError(name=task)
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name not in (module, task):
            raise  # a dependency of the handler is missing: report it as is
        served = [
            t for t in TASK_HANDLERS if importlib.util.find_spec(TASK_HANDLERS[t])
        ]
        raise InvalidParameterError(
            f"the command line does not serve task {task!r} yet; tasks it "
            f"serves: {served}. Use the Python API for this model."
        ) from None


def reject_options(task: str, **given: Any) -> None:
    """Raise a usage error naming options that were given but do not apply.

    An option counts as given when its value is not ``None``, ``False`` or
    an empty list.

    Examples
    --------
    >>> reject_options("next-item", plot=None, horizon=None)
    >>> reject_options("next-item", horizon=3)
    Traceback (most recent call last):
    ...
    seqpred.exceptions.InvalidParameterError: --horizon does not apply to ...
    """
    names = [
        "--" + name.replace("_", "-")
        for name, value in given.items()
        if value not in (None, False, [])
    ]
    if names:
        raise InvalidParameterError(
            f"{', '.join(names)} {'does' if len(names) == 1 else 'do'} not apply "
            f"to {task} models; remove {'it' if len(names) == 1 else 'them'}."
        )
