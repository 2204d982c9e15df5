"""Seq2seq models on the command line: the handler of :mod:`seqpred.cli.tasks`.

Training and test files hold pairs, read by :mod:`seqpred.data.readers.pairs`:
``input<TAB>output`` lines (``--data-format pairs``) or SCAN's ``IN: ... OUT:
...`` lines (``--data-format scan``); ``auto`` looks at the first line.
Reader options (``--data-option``): ``tokens=whitespace|chars|words``,
``lowercase=true``, ``encoding=...``. A model fitted on characters
(``tokens=chars``) answers with strings and reads ``--input`` as characters.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seqpred.cli.output import emit, step
from seqpred.cli.tasks import (
    DataSource,
    EvaluateOptions,
    PredictOptions,
    reject_options,
)
from seqpred.data.readers.pairs import TOKENS, read_pairs, read_scan, tokenize
from seqpred.exceptions import InvalidParameterError

__all__ = ["evaluate", "fit_arguments", "predict", "read_source"]

TASK = "seq2seq"
FORMATS = ("auto", "pairs", "scan")
OPTIONS = ("tokens", "lowercase", "encoding")


def _format_of(source: DataSource) -> str:
    """Return the pair format: ``--data-format``, or guessed from line 1."""
    if source.data_format not in FORMATS:
        raise InvalidParameterError(
            f"--data-format {source.data_format!r} does not apply to seq2seq data; "
            f"use one of {list(FORMATS)} (pairs: 'input<TAB>output' lines)."
        )
    if source.data_format != "auto":
        return source.data_format
    try:
        with Path(source.path).open("rb") as handle:
            first = next((line for line in handle if line.strip()), b"")
    except OSError:
        return "pairs"  # the reader reports the missing file
    return "scan" if first.lstrip().startswith(b"IN:") else "pairs"


def read_source(source: DataSource) -> tuple[list[Any], list[Any]]:
    r"""Read ``(inputs, outputs)`` from a pair file with its format and options.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "add.tsv"
    >>> _ = path.write_text("1+2\t3\n")
    >>> read_source(DataSource(path, "auto", {"tokens": "chars"}))
    (['1+2'], ['3'])
    """
    unknown = sorted(set(source.options) - set(OPTIONS))
    if unknown:
        raise InvalidParameterError(
            f"--data-option {', '.join(unknown)} does not apply to seq2seq pair "
            f"files; options: {', '.join(OPTIONS)} (e.g. --data-option tokens=chars)."
        )
    kind = _format_of(source)
    with step(f"reading {source.path}"):
        if kind == "scan":
            encoding = source.options.get("encoding", "utf-8")
            return read_scan(source.path, encoding=encoding)
        return read_pairs(source.path, **source.options)


def fit_arguments(source: DataSource) -> tuple[tuple[Any, ...], str]:
    """Read the training pairs: ``fit(inputs, outputs)``."""
    inputs, outputs = read_source(source)
    n_in = sum(len(x) for x in inputs)
    n_out = sum(len(y) for y in outputs)
    return (inputs, outputs), (
        f"{len(inputs):,} pairs ({n_in:,} input and {n_out:,} output symbols)"
    )


def _queries(estimator: Any, options: PredictOptions) -> list[Any]:
    """Return the inputs to decode: ``--input`` strings, then ``--file`` lines."""
    chars = bool(getattr(estimator, "string_output_", False))
    texts = list(options.inputs)
    if options.source is not None:
        path = Path(options.source.path)
        with step(f"reading {path}"):
            lines = path.read_text(encoding="utf-8").splitlines()
        texts.extend(line.split("\t")[0] for line in lines if line.strip())
    if chars:
        return [text.strip() for text in texts]
    mode: Any = options.tokens if options.tokens in TOKENS else "whitespace"
    return [tokenize(text, mode) for text in texts]


def _text(seq: Any) -> str:
    return seq if isinstance(seq, str) else " ".join(str(s) for s in seq)


def predict(estimator: Any, options: PredictOptions) -> None:
    """Print the decoded output of each input (beam width ``--top-k``)."""
    reject_options(TASK, horizon=options.horizon, plot=options.plot)
    if not options.inputs and options.source is None:
        raise InvalidParameterError(
            "predict: give --input '12+345' (repeatable) or --file FILE with one "
            "input a line."
        )
    queries = _queries(estimator, options)
    with step(f"decoding {len(queries)} inputs (beam width {options.top_k})"):
        outputs = estimator.predict(queries, beam_width=options.top_k)
    rows = [[_text(q), _text(o)] for q, o in zip(queries, outputs)]
    emit(
        options.fmt,
        header=["input", "output"],
        rows=rows,
        data=[{"input": q, "output": o} for q, o in rows],
    )


def evaluate(estimator: Any, options: EvaluateOptions) -> None:
    """Print exact match, token accuracy and (with sacrebleu) corpus BLEU."""
    from seqpred.evaluate.seq2seq import evaluate_seq2seq

    reject_options(
        TASK, window=options.window, horizon=options.horizon, plot=options.plot
    )
    source = options.source
    if getattr(estimator, "string_output_", False) and "tokens" not in source.options:
        # fitted on characters: read the test pairs the same way
        source = DataSource(
            source.path, source.data_format, {**source.options, "tokens": "chars"}
        )
    inputs, outputs = read_source(source)
    with step(f"decoding {len(inputs)} pairs"):
        report = evaluate_seq2seq(estimator, inputs, outputs)
    emit(
        options.fmt,
        header=["metric", "value"],
        rows=list(report.items()),
        data=report,
    )
