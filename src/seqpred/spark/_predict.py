"""Distributed scoring of any fitted seqpred model on Spark.

The model travels as the bytes of its model file (:func:`seqpred.io.dumps`,
the safe format: JSON and arrays, never pickle), broadcast once; each Python
worker loads it once (:func:`seqpred.io.loads`) and predicts Arrow record
batches (``mapInArrow``): the sequences of a batch are encoded with the
model's vocabulary in a few vectorised calls, predicted as one batch and
written back as an Arrow column.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from seqpred import io
from seqpred.base import BaseEstimator, check_is_fitted
from seqpred.data.readers.roles import AUTO
from seqpred.exceptions import InvalidParameterError
from seqpred.spark._arrow import (
    forecast_column,
    label_column,
    sequence_set,
    spark_type,
    symbol_array,
    top_k_column,
)
from seqpred.spark._data import columns_of, grouped
from seqpred.spark._session import require_pyspark

__all__ = ["predict", "score"]

_TASKS = ("next-item", "classify", "forecast")
_MODELS: dict[str, BaseEstimator] = {}
"""Models loaded in this (worker) process, by broadcast token."""


def _model_bytes(model: Any, who: str) -> tuple[BaseEstimator, bytes]:
    """Return the fitted model and its model-file bytes (a model, a path or bytes)."""
    if isinstance(model, BaseEstimator):
        check_is_fitted(model, who)
        return model, io.dumps(model)
    if isinstance(model, (bytes, bytearray)):
        data = bytes(model)
        return io.loads(data), data
    if isinstance(model, (str, os.PathLike)):
        loaded = io.load(model)
        return loaded, Path(model).read_bytes()
    raise InvalidParameterError(
        f"{who}: model must be a fitted estimator, a model file's path or its bytes; "
        f"got {type(model).__name__}. Pass seqpred.spark.fit(...)'s result."
    )


def _task(model: BaseEstimator, who: str) -> str:
    task = model.get_tags().task
    if task not in _TASKS:
        raise InvalidParameterError(
            f"{who}: {type(model).__name__} is a {task!r} model; expected one of "
            f"{list(_TASKS)}. Predict it in one process."
        )
    return str(task)


def _worker_model(token: str, broadcast: Any) -> BaseEstimator:
    if token not in _MODELS:
        _MODELS.clear()  # one model at a time per worker
        _MODELS[token] = io.loads(broadcast.value)
    return _MODELS[token]


def _output_type(model: Any, task: str, who: str) -> str:
    if task == "next-item":
        kind = spark_type(model.vocabulary_.symbols, who)
        return f"array<struct<item:{kind},score:double>>"
    if task == "classify":
        return spark_type(list(model.classes_.tolist()), who)
    if int(model.n_features_) == 1:
        return "array<double>"
    return "array<array<double>>"


def _encode(model: Any, column: Any, task: str) -> Any:
    numeric = model.get_tags().input_kind == "numeric"
    unknown = "error" if getattr(model, "on_unknown", "ignore") == "error" else "unk"
    return sequence_set(
        column,
        vocabulary=None if numeric else model.vocabulary_,
        unknown=unknown,
        numeric=numeric,
        owner=f"seqpred.spark ({type(model).__name__})",
    )


def predict(
    model: Any,
    df: Any,
    *,
    k: int = 5,
    horizon: int | None = None,
    sequence_col: str | None = AUTO,
    item_col: str = AUTO,
    time_col: str | None = AUTO,
    output_col: str = "prediction",
) -> Any:
    """Predict every sequence of a Spark DataFrame with a fitted model, in parallel.

    Parameters
    ----------
    model : BaseEstimator, path or bytes
        A fitted next-item model, classifier or forecaster, its model file
        or the file's bytes. It is broadcast as the model file's bytes.
    df : pyspark.sql.DataFrame
        Sequences (an array column, one row per sequence) or events (grouped
        into sequences first, by id and time).
    k : int, default=5
        Next-item models: the ranked items per sequence.
    horizon : int or None, default=None
        Forecasters: steps ahead (``None``: the model's ``horizon``).
    sequence_col, item_col, time_col : str, "auto" or None
        The columns' roles, found from names with ``"auto"``.
    output_col : str, default="prediction"
        The name of the added column.

    Returns
    -------
    pyspark.sql.DataFrame
        ``df`` (as sequences) with ``output_col``: for a next-item model an
        array of ``{item, score}`` structs, best first (empty for no match);
        for a classifier the label; for a forecaster the mean forecast of
        each step (an array; arrays of arrays for several features).

    Examples
    --------
    >>> from seqpred import spark
    >>> scored = spark.predict(model, sessions, k=3)  # doctest: +SKIP
    >>> scored.select("prediction").first()  # doctest: +SKIP
    Row(prediction=[Row(item='cart', score=0.66...), ...])
    """
    require_pyspark("seqpred.spark.predict")
    who = "seqpred.spark.predict"
    fitted, data = _model_bytes(model, who)
    task = _task(fitted, who)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise InvalidParameterError(
            f"{who}: k must be an int >= 1; got {k!r}. Use k=5."
        )
    columns = columns_of(
        df, sequence_col=sequence_col, item_col=item_col, time_col=time_col, who=who
    )
    table = grouped(df, columns)
    if output_col in table.columns:
        raise InvalidParameterError(
            f"{who}: the DataFrame already has a column {output_col!r}; expected a "
            "new name. Pass output_col=."
        )
    out_type = _output_type(fitted, task, who)
    schema = table.schema.simpleString()[len("struct<") : -1]
    schema += f",{output_col}:{out_type}"
    token = uuid.uuid4().hex
    broadcast = table.sparkSession.sparkContext.broadcast(data)
    kind = out_type.split("item:")[1].split(",")[0] if task == "next-item" else out_type
    items = columns.items

    def predict_partition(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        model = _worker_model(token, broadcast)
        symbols = None
        if task == "next-item":
            symbols = symbol_array(model.vocabulary_.symbols, kind)  # type: ignore[attr-defined]
        for batch in batches:
            column = batch.column(batch.schema.get_field_index(items))
            ss = _encode(model, column, task)
            if task == "next-item":
                ids, scores = model.predict_top_k_ids(ss, k)  # type: ignore[attr-defined]
                out = top_k_column(ids, scores, symbols)
            elif task == "classify":
                out = label_column(model.predict(ss), kind)  # type: ignore[attr-defined]
            else:
                out = forecast_column(model.predict(ss, horizon))  # type: ignore[attr-defined]
            yield pa.RecordBatch.from_arrays(
                [*batch.columns, out], names=[*batch.schema.names, output_col]
            )

    return table.mapInArrow(predict_partition, schema)


def score(
    model: Any,
    df: Any,
    *,
    k: int = 5,
    horizon: int | None = None,
    sequence_col: str | None = AUTO,
    item_col: str = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = None,
) -> dict[str, float]:
    """Evaluate a fitted model on a Spark DataFrame; return the metrics.

    Next-item models predict the last item of every sequence (of at least
    two items) from the items before it; classifiers predict ``label_col``;
    forecasters forecast the last ``horizon`` steps of every series long
    enough from the steps before them. Sums are taken per partition and
    added on the driver.

    Parameters
    ----------
    model : BaseEstimator, path or bytes
        As :func:`predict`.
    df : pyspark.sql.DataFrame
        Sequences or events, as :func:`predict` takes them.
    k : int, default=5
        Next-item models: the cut-off of ``hit@k`` and ``mrr@k``.
    horizon : int or None, default=None
        Forecasters: the held-out steps (``None``: the model's ``horizon``).
    sequence_col, item_col, time_col, label_col : str, "auto" or None
        The columns' roles; classifiers need ``label_col``.

    Returns
    -------
    dict
        Next-item: ``n``, ``accuracy``, ``hit@k``, ``mrr@k``, ``coverage``
        (share of sequences with a prediction). Classifiers: ``n``,
        ``accuracy``. Forecasters: ``n`` (series), ``mae``.
    """
    require_pyspark("seqpred.spark.score")
    who = "seqpred.spark.score"
    fitted, data = _model_bytes(model, who)
    task = _task(fitted, who)
    if task == "classify" and label_col is None:
        raise InvalidParameterError(
            f"{who}: scoring a classifier needs its true labels; expected label_col=. "
            "Pass label_col='label'."
        )
    h = int(horizon or getattr(fitted, "horizon", 1) or 1)
    columns = columns_of(
        df, sequence_col=sequence_col, item_col=item_col, time_col=time_col,
        label_col=label_col, who=who,
    )  # fmt: skip
    table = grouped(df, columns)
    token = uuid.uuid4().hex
    broadcast = table.sparkSession.sparkContext.broadcast(data)
    names = ["n", "a", "b", "c", "d"]

    def score_partition(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        model = _worker_model(token, broadcast)
        totals = np.zeros(5)
        for batch in batches:
            column = batch.column(batch.schema.get_field_index(columns.items))
            ss = _encode(model, column, task)
            labels = None
            if columns.label is not None:
                labels = batch.column(batch.schema.get_field_index(columns.label))
            totals += _sums(model, ss, task, k, h, labels)
        yield pa.RecordBatch.from_pydict({n: [float(v)] for n, v in zip(names, totals)})

    schema = ",".join(f"{n} double" for n in names)
    rows = table.mapInArrow(score_partition, schema).collect()
    sums = [[row[n] for n in names] for row in rows]
    totals = [float(v) for v in np.sum(sums, axis=0)] if sums else [0.0] * 5
    n = max(totals[0], 1.0)
    if task == "next-item":
        return {
            "n": totals[0],
            "accuracy": totals[1] / n,
            f"hit@{k}": totals[2] / n,
            f"mrr@{k}": totals[3] / n,
            "coverage": totals[4] / n,
        }
    if task == "classify":
        return {"n": totals[0], "accuracy": totals[1] / n}
    return {"n": totals[0], "mae": totals[1] / max(totals[2], 1.0)}


def _sums(model: Any, ss: Any, task: str, k: int, h: int, labels: Any) -> Any:
    """Per-batch sums of the metrics of :func:`score`."""
    if task == "classify":
        truth = np.asarray(labels.to_pylist())
        right = np.asarray(model.predict(ss)) == truth
        return np.array([len(truth), right.sum(), 0, 0, 0], dtype=np.float64)
    need = 2 if task == "next-item" else h + 1
    keep = np.flatnonzero(ss.lengths >= need)
    if keep.size == 0:
        return np.zeros(5)
    ss = ss.take(keep)
    cut = 1 if task == "next-item" else h
    history = ss.slice_steps(0, ss.lengths - cut)
    if task == "forecast":
        future = ss.slice_steps(ss.lengths - cut, ss.lengths).values
        mean = model.predict(history, h).reshape(-1, future.shape[1])
        errors = np.abs(mean - future)
        return np.array([len(keep), errors.sum(), errors.size, 0, 0], dtype=np.float64)
    targets = ss.values[ss.offsets[1:] - 1]
    ids, _ = model.predict_top_k_ids(history, k)
    found = ids == targets[:, None]
    rank = np.argmax(found, axis=1)
    hit = found.any(axis=1)
    return np.array(
        [
            len(keep),
            found[:, 0].sum(),
            hit.sum(),
            (1.0 / (rank[hit] + 1)).sum(),
            (ids[:, 0] >= 0).sum(),
        ],
        dtype=np.float64,
    )
