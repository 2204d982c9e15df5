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
from dataclasses import dataclass, field, replace
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
    "model_tokens",
    "reject_options",
    "remember_tokens",
    "with_model_tokens",
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
    line_options: dict[str, Any] = field(default_factory=dict)

    def read(self) -> SequenceSet:
        """Read the file (see :meth:`read_with_roles`)."""
        return self.read_with_roles()[0]

    def read_with_roles(self) -> tuple[SequenceSet, str | None]:
        """Read the file; return the sequences and, for a table, its columns' roles.

        ``-`` is standard input. The format is detected once (a stream is
        first copied whole, so nothing is lost); tables are read with their
        columns' roles found from their names
        (:func:`~seqpred.data.readers.read_table`), other files with
        :func:`~seqpred.data.readers.read_sequences`; ``line_options`` apply
        when the file is read as text lines.
        """
        from seqpred.data.readers import read_sequences, read_table
        from seqpred.data.readers._common import spooled
        from seqpred.data.readers.auto import guess_format, rename_path
        from seqpred.exceptions import SeqpredError

        with step(f"reading {self.path}"), spooled(self.path, "read") as (p, shown):
            fmt, options = self.data_format, dict(self.options)
            if fmt == "auto":
                fmt, detected = guess_format(p, shown)
                options = {**detected, **options}
            if fmt == "lines":
                options = {**self.line_options, **options}
            try:
                if fmt in ("csv", "parquet"):
                    read = read_table(p, format=fmt, **options)
                    return read.sequences, read.roles.describe()
                return read_sequences(p, format=fmt, **options), None
            except SeqpredError as exc:
                rename_path(exc, str(p), shown)
                raise


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
    steps: int | None = None

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
    steps: int | None = None


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


# -- how the model's inputs were split into items ------------------------------------

_TOKENS = ("whitespace", "chars")


def remember_tokens(estimator: Any, source: DataSource) -> None:
    """Record on a fitted model how its training text was split into items.

    Sets ``input_tokens_`` (``"whitespace"`` or ``"chars"``, the reader's
    ``tokens`` option) on models of discrete symbols, so that ``predict``
    and ``evaluate`` split their inputs the same way. It is saved with the
    model.
    """
    if estimator.get_tags().input_kind != "discrete":
        return
    tokens = source.options.get("tokens", "whitespace")
    if tokens in _TOKENS:
        estimator.input_tokens_ = tokens


def model_tokens(estimator: Any, given: str | None) -> str:
    """Return how to split ``--input`` strings: as the model was trained.

    An explicit ``--tokens`` that contradicts the model is refused: the
    predictions would be about other items than the model knows.

    Examples
    --------
    >>> class Model:
    ...     input_tokens_ = "chars"
    >>> model_tokens(Model(), None)
    'chars'
    >>> model_tokens(Model(), "whitespace")
    Traceback (most recent call last):
    ...
    seqpred.exceptions.InvalidParameterError: --tokens whitespace contradicts ...
    """
    trained = getattr(estimator, "input_tokens_", None)
    if given is None:
        return str(trained or "whitespace")
    if trained is not None and given != trained:
        raise InvalidParameterError(
            f"--tokens {given} contradicts the model, which was fitted on items "
            f"split as {trained!r} (--data-option tokens={trained}); leave "
            "--tokens out to split the same way, or refit."
        )
    return given


def with_model_tokens(estimator: Any, source: DataSource) -> DataSource:
    """Return ``source`` reading text files split as the model's training data.

    A ``--data-option tokens=`` that contradicts the model is refused.
    """
    trained = getattr(estimator, "input_tokens_", None)
    if trained is None:
        return source
    given = source.options.get("tokens")
    if given is not None:
        if given != trained:
            raise InvalidParameterError(
                f"--data-option tokens={given} contradicts the model, which was "
                f"fitted on items split as {trained!r}; leave it out to split "
                "the same way, or refit."
            )
        return source
    if trained == "whitespace":
        return source
    return replace(source, line_options={"tokens": trained})
