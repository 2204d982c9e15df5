"""Fit any seqpred model on a Spark DataFrame: statistics per partition, merged.

A model with mergeable statistics (:mod:`seqpred.models.mergeable`) is
fitted in three steps:

1. the shared vocabulary: one ``groupBy(item)`` finds each symbol's first
   appearance (sequence id, then time), ``V`` rows reach the driver, which
   broadcasts the symbols;
2. ``mapInArrow``: every partition encodes its sequences with that
   vocabulary and counts its statistics (in chunks of about a million
   events, merged as it goes); one pickled :class:`Statistics` per
   partition;
3. ``treeReduce(merge)`` merges them on the executors; the driver receives
   one merged statistics object and calls ``from_statistics``.

Only statistics reach the driver, never events. Any other model (CPT and
CPT+, LZ78, the neural and statistical models) is fitted on the driver from
its sequences, which the executors encode to int ids and send as
zstd-compressed Arrow (see ``docs/scale.md`` for what that costs).
"""

from __future__ import annotations

import io as _bytes_io
import pickle
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np

from seqpred._registry import create
from seqpred.base import BaseEstimator
from seqpred.data.readers.roles import AUTO
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.mergeable import Statistics, is_mergeable, merge
from seqpred.spark._arrow import sequence_set
from seqpred.spark._data import Columns, columns_of, grouped, shared_vocabulary
from seqpred.spark._session import require_pyspark

__all__ = ["fit"]

CHUNK_STEPS = 1_000_000
"""Events a partition encodes and counts at a time (bounds executor memory)."""

_VOCABULARIES: dict[str, Vocabulary] = {}
"""Vocabularies rebuilt in this (worker) process, by broadcast token."""


def fit(
    model: Any,
    df: Any,
    *,
    sequence_col: str | None = AUTO,
    item_col: str = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = None,
    depth: int = 2,
    **params: Any,
) -> BaseEstimator:
    """Fit a seqpred model on a Spark DataFrame; return an ordinary fitted model.

    Parameters
    ----------
    model : str or BaseEstimator
        A registered name (``"markov"``, ``"cpt+"``, ``"kmer"``,
        ``"naive"``, ...) or an unfitted estimator. It is not modified: a
        fitted clone is returned.
    df : pyspark.sql.DataFrame
        Events (sequence id, time, item: one row per event) or sequences
        (sequence id and an array of items, as :func:`sessionize` returns);
        numeric items for forecasters, a label column for classifiers.
    sequence_col, item_col, time_col, label_col : str, "auto" or None
        The columns' roles (``"auto"`` finds them from names, as
        :func:`seqpred.data.read_table` does).
    depth : int, default=2
        Depth of the tree reduction of the partitions' statistics.
    **params
        Parameters of the model, when ``model`` is a name.

    Returns
    -------
    BaseEstimator
        The fitted model; it saves, loads, serves and predicts like any
        other. For a model with mergeable statistics it equals ``fit`` in
        one process on the sequences in id order (events in time order).

    Raises
    ------
    ImportError
        If PySpark 4 is missing.
    DataError
        If the roles cannot be told or the data is empty.

    Examples
    --------
    >>> from seqpred import spark
    >>> model = spark.fit("markov", sessions, order=2)  # doctest: +SKIP
    >>> model.predict_top_k([["home", "search"]])  # doctest: +SKIP
    """
    require_pyspark("seqpred.spark.fit")
    estimator = _estimator(model, params)
    numeric = estimator.get_tags().input_kind == "numeric"
    columns = columns_of(
        df, sequence_col=sequence_col, item_col=item_col, time_col=time_col,
        label_col=label_col, who="seqpred.spark.fit",
    )  # fmt: skip
    if columns.sequence is None:
        raise DataError(
            "seqpred.spark.fit: found no sequence id column; expected one to order "
            "the sequences (session_id, user_id, unique_id, ...). Name it with "
            "sequence_col=."
        )
    table = grouped(df, columns, keep_times=numeric and not columns.grouped)
    vocabulary = None if numeric else shared_vocabulary(df, columns)
    if is_mergeable(estimator):
        return _from_statistics(estimator, table, columns, vocabulary, depth)
    return _on_the_driver(estimator, table, columns, vocabulary)


def _estimator(model: Any, params: dict[str, Any]) -> BaseEstimator:
    if isinstance(model, str):
        return create(model, **params)
    if not isinstance(model, BaseEstimator):
        raise InvalidParameterError(
            f"seqpred.spark.fit: model must be a registered name or a seqpred "
            f"estimator; got {type(model).__name__}. Use 'markov' or "
            "seqpred.create('markov', order=2)."
        )
    if params:
        raise InvalidParameterError(
            f"seqpred.spark.fit: parameters {sorted(params)} were given with an "
            "estimator; expected them only with a model name. Set them on the "
            "estimator (set_params) instead."
        )
    return model.__class__(**model.get_params(deep=False))


def _broadcast_vocabulary(df: Any, vocabulary: Vocabulary | None) -> tuple[str, Any]:
    token = uuid.uuid4().hex
    symbols = None if vocabulary is None else vocabulary.symbols
    return token, df.sparkSession.sparkContext.broadcast(symbols)


def _worker_vocabulary(token: str, broadcast: Any) -> Vocabulary | None:
    symbols = broadcast.value
    if symbols is None:
        return None
    if token not in _VOCABULARIES:
        _VOCABULARIES.clear()  # one fit at a time per worker
        _VOCABULARIES[token] = Vocabulary(symbols).freeze()
    return _VOCABULARIES[token]


def _read_batches(
    batches: list[Any], columns: Columns, vocabulary: Vocabulary | None, numeric: bool
) -> tuple[SequenceSet, Any, Any]:
    """Sequences, labels and keys (sequence ids) of some record batches."""
    import pyarrow as pa

    table = pa.Table.from_batches(batches).combine_chunks()
    column = table.column(columns.items).combine_chunks()
    ss = sequence_set(
        column, vocabulary=vocabulary, unknown="error", numeric=numeric,
        owner="seqpred.spark.fit",
    )  # fmt: skip
    keys = np.asarray(table.column(columns.sequence).to_numpy(zero_copy_only=False))
    labels = None
    if columns.label is not None:
        labels = np.asarray(table.column(columns.label).to_pylist())
    if numeric and "times" in table.column_names:
        times = table.column("times").combine_chunks().flatten()
        ss = SequenceSet(
            ss.values, ss.offsets, ids=keys,
            timestamps=np.asarray(times.to_numpy(zero_copy_only=False)),
        )  # fmt: skip
    elif numeric:
        ss = SequenceSet(ss.values, ss.offsets, ids=keys)
    return ss, labels, keys


def _chunks(batches: Iterator[Any], columns: Columns) -> Iterator[list[Any]]:
    """Group record batches into chunks of about :data:`CHUNK_STEPS` events."""
    import pyarrow.compute as pc

    pending: list[Any] = []
    steps = 0
    for batch in batches:
        if batch.num_rows == 0:
            continue
        pending.append(batch)
        column = batch.column(batch.schema.get_field_index(columns.items))
        steps += int(pc.sum(pc.list_value_length(column)).as_py() or 0)
        if steps >= CHUNK_STEPS:
            yield pending
            pending, steps = [], 0
    if pending:
        yield pending


def _from_statistics(
    estimator: Any, table: Any, columns: Columns, vocabulary: Vocabulary | None,
    depth: int,
) -> BaseEstimator:  # fmt: skip
    """Statistics per partition, ``treeReduce(merge)``, ``from_statistics``."""
    import pyarrow as pa

    numeric = vocabulary is None
    token, broadcast = _broadcast_vocabulary(table, vocabulary)
    counter = estimator.__class__(**estimator.get_params(deep=False))

    def count_partition(batches: Iterator[Any]) -> Iterator[Any]:
        shared = _worker_vocabulary(token, broadcast)
        parts = []
        for chunk in _chunks(batches, columns):
            ss, labels, keys = _read_batches(chunk, columns, shared, numeric)
            parts.append(counter.statistics(ss, labels, vocabulary=shared, keys=keys))
        if parts:
            merged = replace(merge(*parts), vocabulary=None)  # the driver has it
            blob = pickle.dumps(merged, protocol=pickle.HIGHEST_PROTOCOL)
            yield pa.RecordBatch.from_pydict({"part": [blob]})

    parts = table.mapInArrow(count_partition, "part binary").rdd.map(_unpickle)
    try:
        merged: Statistics = parts.treeReduce(merge, depth=depth)
    except ValueError as exc:  # PySpark: "Can not reduce() empty RDD"
        if "empty" not in str(exc):
            raise
        raise DataError(
            "seqpred.spark.fit: the DataFrame has no sequences; expected at least one."
        ) from None
    finally:
        broadcast.unpersist()
    return estimator.from_statistics(replace(merged, vocabulary=vocabulary))  # type: ignore[no-any-return]


def _unpickle(row: Any) -> Statistics:
    # statistics pickled by our own workers a moment ago, never read from a file
    return pickle.loads(bytes(row[0]))  # type: ignore[no-any-return]  # noqa: S301


def _on_the_driver(
    estimator: Any, table: Any, columns: Columns, vocabulary: Vocabulary | None
) -> BaseEstimator:
    """Encode on the executors, collect compressed int ids, fit on the driver."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    numeric = vocabulary is None
    token, broadcast = _broadcast_vocabulary(table, vocabulary)

    def encode_partition(batches: Iterator[Any]) -> Iterator[Any]:
        shared = _worker_vocabulary(token, broadcast)
        for chunk in _chunks(batches, columns):
            ss, labels, keys = _read_batches(chunk, columns, shared, numeric)
            values = ss.values if numeric else ss.values.astype(np.int32)
            part = {
                "key": pa.array(keys.tolist()),
                "length": pa.array(ss.lengths.astype(np.int32)),
            }
            if labels is not None:
                part["label"] = pa.array(labels.tolist())
            sink = _bytes_io.BytesIO()
            options = ipc.IpcWriteOptions(compression="zstd")
            batch = pa.RecordBatch.from_pydict(part)
            with ipc.new_stream(sink, batch.schema, options=options) as writer:
                writer.write_batch(batch)
            blob = pa.compress(np.ascontiguousarray(values).tobytes(), "zstd")
            yield pa.RecordBatch.from_pydict(
                {"meta": [sink.getvalue()], "values": [blob.to_pybytes()],
                 "size": [values.nbytes]}
            )  # fmt: skip

    rows = table.mapInArrow(
        encode_partition, "meta binary, values binary, size bigint"
    ).collect()
    broadcast.unpersist()
    if not rows:
        raise DataError(
            "seqpred.spark.fit: the DataFrame has no sequences; expected at least one."
        )
    ss, labels = _assemble(rows, vocabulary, numeric)
    if labels is not None:
        estimator.fit(ss, labels)
    else:
        estimator.fit(ss)
    return estimator  # type: ignore[no-any-return]


def _assemble(
    rows: list[Any], vocabulary: Vocabulary | None, numeric: bool
) -> tuple[SequenceSet, Any]:
    """Decompress the collected parts and put the sequences in id order."""
    import pyarrow as pa
    import pyarrow.ipc as ipc

    metas = [ipc.open_stream(bytes(row["meta"])).read_all() for row in rows]
    dtype = np.float64 if numeric else np.int32
    values = [
        np.frombuffer(
            pa.decompress(bytes(row["values"]), row["size"], "zstd"), dtype=dtype
        )
        for row in rows
    ]
    meta = pa.concat_tables(metas)
    keys = np.asarray(meta.column("key").to_pylist(), dtype=object)
    lengths = meta.column("length").to_numpy().astype(np.int64)
    flat = np.concatenate(values).astype(np.float64 if numeric else np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    whole = SequenceSet(flat, offsets, vocabulary=vocabulary, ids=keys)
    order = np.argsort(keys, kind="stable")
    labels = None
    if "label" in meta.column_names:
        labels = np.asarray(meta.column("label").to_pylist())[order]
    return whole.take(order), labels
