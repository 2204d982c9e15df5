"""Next-item models on the command line: the handler of :mod:`seqpred.cli.tasks`."""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred.cli.args import query_symbols
from seqpred.cli.output import OutputFormat, emit, emit_predictions, step
from seqpred.cli.tasks import (
    DataSource,
    EvaluateOptions,
    PredictOptions,
    reject_options,
)
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import InvalidParameterError

__all__ = ["describe", "emit_continuations", "evaluate", "fit_arguments", "predict"]

TASK = "next-item"


def describe(sequences: SequenceSet) -> str:
    """Summarise training data: ``"3 sequences (9 items, 4 symbols)"``."""
    vocabulary = sequences.vocabulary
    n_symbols = len(vocabulary) if vocabulary is not None else "-"
    return (
        f"{len(sequences):,} sequences "
        f"({sequences.n_steps:,} items, {n_symbols} symbols)"
    )


def fit_arguments(source: DataSource) -> tuple[tuple[Any, ...], str]:
    """Read the training sequences: ``fit(sequences)``."""
    sequences, roles = source.read_with_roles()
    description = describe(sequences)
    if roles is not None:
        description += f" from columns {roles}"
    return (sequences,), description


def predict(estimator: Any, options: PredictOptions) -> None:
    """Print the prediction and the top-k candidates of each query."""
    reject_options(TASK, horizon=options.horizon, plot=options.plot)
    if not options.inputs and options.source is None:
        raise InvalidParameterError(
            "predict: give --input 'a b c' (repeatable) or --file FILE."
        )
    raw: list[list[Any]] = list(options.split_inputs())
    ids: list[Any] | None = None
    with_fields: SequenceSet | None = None
    if options.source is not None:
        read = options.source.read()
        if read.ids is not None:  # label the file's queries (say, sessions)
            ids = [f"input {i + 1}" for i in range(len(raw))]
            ids += [_plain(v) for v in np.asarray(read.ids).tolist()]
        if read.fields is not None or read.static is not None:
            if raw:
                raise InvalidParameterError(
                    "predict: the --file queries carry fields and --input ones "
                    "cannot; give every query in the file."
                )
            with_fields = read  # predicted as read, fields and all
        raw.extend(read.to_lists())
    symbols = estimator.vocabulary_.symbols
    queries = [query_symbols(q, symbols) for q in raw]
    X: Any = queries if with_fields is None else with_fields
    if options.steps is not None:
        paths = estimator.predict_next(X, steps=options.steps, k=options.top_k)
        emit_continuations(options.fmt, queries, paths, ids=ids)
        return
    best = estimator.predict(X)
    ranked = estimator.predict_top_k(X, k=options.top_k)
    emit_predictions(options.fmt, queries, best, ranked, ids=ids)


def emit_continuations(
    fmt: OutputFormat,
    queries: list[list[Any]],
    paths: list[list[tuple[list[Any], float]]],
    ids: list[Any] | None = None,
) -> None:
    """Write the continuations of each query: one row per continuation, best first.

    A query with none shows ``(no match)`` in the table, an empty list in
    JSON and empty ``rank,continuation,probability`` cells in CSV.
    """
    keys = list(range(len(queries))) if ids is None else ids
    if fmt is OutputFormat.json:
        data = [
            {
                **({} if ids is None else {"id": key}),
                "query": q,
                "continuations": [
                    {"items": items, "probability": p} for items, p in row
                ],
            }
            for key, q, row in zip(keys, queries, paths)
        ]
        emit(fmt, header=[], rows=[], data=data)
        return
    rows: list[list[Any]] = []
    for key, q, row in zip(keys, queries, paths):
        first = [key] if fmt is OutputFormat.csv or ids is not None else []
        rows.extend([*first, q, r + 1, items, p] for r, (items, p) in enumerate(row))
        if not row:
            empty = "(no match)" if fmt is OutputFormat.table else None
            rows.append([*first, q, None, empty, None])
    label = ("query_id" if ids is None else "id") if fmt is OutputFormat.csv else "id"
    with_key = fmt is OutputFormat.csv or ids is not None
    header = [*([label] if with_key else []), "query", "rank", "continuation"]
    emit(fmt, header=[*header, "probability"], rows=rows)


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def evaluate(estimator: Any, options: EvaluateOptions) -> None:
    """Print the metrics of predicting held-out sequence ends."""
    from seqpred.evaluate import evaluate_next_item

    reject_options(TASK, horizon=options.horizon, plot=options.plot)
    sequences = options.source.read()
    if options.steps is not None:
        _evaluate_steps(estimator, sequences, options)
        return
    with step("evaluating"):
        report = evaluate_next_item(
            estimator,
            sequences,
            window=options.window,
            consequent=options.consequent,
            k=options.k,
        )
    values = report.as_dict()
    emit(
        options.fmt, header=["metric", "value"], rows=list(values.items()), data=values
    )


def _evaluate_steps(
    estimator: Any, sequences: SequenceSet, options: EvaluateOptions
) -> None:
    """Print the scores of continuations of ``--steps`` items (last items held out)."""
    from seqpred.evaluate import evaluate_multistep

    if options.consequent != 1:
        raise InvalidParameterError(
            "evaluate: --steps N holds out the last N items itself; drop "
            f"--consequent {options.consequent}, or drop --steps."
        )
    assert options.steps is not None
    with step(f"evaluating {options.steps} steps ahead"):
        report = evaluate_multistep(
            estimator,
            sequences,
            steps=options.steps,
            k=options.k,
            window=options.window,
        )
    values = report.as_dict()
    emit(
        options.fmt, header=["metric", "value"], rows=list(values.items()), data=values
    )
