"""Arrow list columns to encoded sequences, and predictions back to Arrow columns.

Everything here runs inside Spark's Python workers on Arrow record batches
(``mapInArrow``): the per-event work is vectorised (``pyarrow.compute`` and
NumPy); only distinct symbols become Python objects.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError

__all__ = [
    "arrow_type",
    "forecast_column",
    "label_column",
    "lengths_of",
    "sequence_set",
    "spark_type",
    "symbol_array",
    "top_k_column",
]


def lengths_of(column: Any) -> Array:
    """Items per row of an Arrow list column (a null list has none)."""
    import pyarrow.compute as pc

    lengths = pc.fill_null(pc.list_value_length(column), 0)
    return np.asarray(lengths.to_numpy(zero_copy_only=False), dtype=np.int64)


def sequence_set(
    column: Any,
    *,
    vocabulary: Vocabulary | None,
    unknown: str,
    numeric: bool = False,
    owner: str = "seqpred.spark",
) -> SequenceSet:
    """Return the sequences of an Arrow list column, encoded with ``vocabulary``.

    Parameters
    ----------
    column : pyarrow.ListArray
        One sequence per row.
    vocabulary : Vocabulary or None
        Encode with it (discrete data).
    unknown : {"error", "unk", "add"}
        Policy for symbols missing from the vocabulary.
    numeric : bool, default=False
        The items are numbers (a series per row).
    owner : str
        Name used in error messages.
    """
    import pyarrow.compute as pc

    lengths = lengths_of(column)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    flat = column.flatten()
    if flat.null_count:
        raise DataError(
            f"{owner}: a sequence holds a null item; expected items only. Drop the "
            "null events (df.dropna()) before building sequences."
        )
    if numeric:
        values = np.asarray(flat.to_numpy(zero_copy_only=False), dtype=np.float64)
        return SequenceSet(values, offsets)
    encoded = pc.dictionary_encode(flat)
    symbols = encoded.dictionary.to_pylist()
    table = (vocabulary or Vocabulary()).encode(symbols, unknown=unknown)  # type: ignore[arg-type]
    indices = np.asarray(encoded.indices.to_numpy(zero_copy_only=False))
    return SequenceSet(table[indices], offsets, vocabulary=vocabulary)


def spark_type(values: Sequence[Any], who: str) -> str:
    """Return the Spark SQL type of symbols or labels (``"string"``, ``"bigint"``)."""
    kinds = {type(v) for v in values}
    if kinds <= {str}:
        return "string"
    if kinds <= {bool, np.bool_}:
        return "boolean"
    if kinds <= {int, np.int64, np.int32, np.int16, np.int8}:
        return "bigint"
    if kinds <= {float, int, np.float64, np.float32}:
        return "double"
    raise DataError(
        f"{who}: symbols of types {sorted(k.__name__ for k in kinds)} have no single "
        "Spark type; expected all strings or all numbers. Cast the item column "
        "to one type before fitting."
    )


def arrow_type(name: str) -> Any:
    """Return the Arrow type of a Spark SQL type name from :func:`spark_type`."""
    import pyarrow as pa

    return {
        "string": pa.string(),
        "boolean": pa.bool_(),
        "bigint": pa.int64(),
        "double": pa.float64(),
    }[name]


def symbol_array(symbols: list[Hashable], kind: str) -> Any:
    """Return an Arrow array indexed by id: nulls for the reserved ids, then symbols."""
    import pyarrow as pa

    return pa.array([None] * Vocabulary.n_reserved + list(symbols), arrow_type(kind))


def top_k_column(ids: Array, scores: Array, symbols: Any) -> Any:
    """Return ``list<struct<item, score>>``: each row's ranked items, best first.

    ``ids`` and ``scores`` are ``(N, k)`` (``-1`` marks no item); ``symbols``
    is :func:`symbol_array`.
    """
    import pyarrow as pa

    valid = ids >= 0
    offsets = np.zeros(len(ids) + 1, dtype=np.int32)
    np.cumsum(valid.sum(axis=1), out=offsets[1:])
    items = symbols.take(pa.array(ids[valid], pa.int64()))
    entries = pa.StructArray.from_arrays(
        [items, pa.array(scores[valid], pa.float64())], names=["item", "score"]
    )
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), entries)


def label_column(labels: Array, kind: str) -> Any:
    """Return a classifier's predicted labels as an Arrow array."""
    import pyarrow as pa

    return pa.array(np.asarray(labels).tolist(), arrow_type(kind))


def forecast_column(mean: Array) -> Any:
    """Return ``(N, h, F)`` forecasts as ``list<double>`` (F = 1) or nested lists."""
    import pyarrow as pa

    n, h, f = mean.shape
    if f == 1:
        offsets = pa.array(np.arange(n + 1, dtype=np.int32) * h, pa.int32())
        return pa.ListArray.from_arrays(offsets, pa.array(mean.reshape(-1)))
    steps = pa.ListArray.from_arrays(
        pa.array(np.arange(n * h + 1, dtype=np.int32) * f, pa.int32()),
        pa.array(mean.reshape(-1)),
    )
    return pa.ListArray.from_arrays(
        pa.array(np.arange(n + 1, dtype=np.int32) * h, pa.int32()), steps
    )
