"""Polars helpers shared by the text-line and table readers (polars imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from seqpred.data.readers._common import Array, Unknown, first_seen_groups
from seqpred.data.vocabulary import Vocabulary

if TYPE_CHECKING:
    import polars as pl

__all__ = ["dense_keys", "encode_series", "series_groups", "stable_argsort"]


def dense_keys(series: pl.Series) -> Array:
    """Return int64 (or float) keys with equal keys exactly for equal values.

    Strings become category codes (one hash pass, no sort), integers and
    times are used as they are, anything else is ranked.
    """
    import polars as pl

    if series.dtype in (pl.Int128, pl.UInt128):  # NumPy has no 128-bit integers
        series = series.cast(pl.String)
    dtype = series.dtype
    if dtype == pl.String:
        keys = series.cast(pl.Categorical).to_physical()
    elif dtype.is_integer() or dtype.is_temporal():
        keys = series.to_physical()
    elif dtype == pl.Boolean:
        keys = series.cast(pl.Int8)
    else:
        keys = series.rank("dense")
    return np.asarray(keys.to_numpy()).astype(np.int64, copy=False)


def series_groups(series: pl.Series) -> tuple[Array, Array]:
    """Give each distinct value of ``series`` a group id, by first appearance.

    Returns the group of each row and the first row of each group, as
    :func:`~seqpred.data.readers._common.first_seen_groups` does.
    """
    return first_seen_groups(dense_keys(series))


def encode_series(
    series: pl.Series, vocabulary: Vocabulary | None, unknown: Unknown | None
) -> tuple[Array, Vocabulary]:
    """Encode a polars column of symbols to int64 ids, new symbols in first-seen order.

    Only the distinct values become Python objects; the per-row work is a
    category cast and NumPy table lookups.

    Parameters
    ----------
    series : polars.Series
        Symbols without nulls (strings, ints, ...).
    vocabulary : Vocabulary or None
        ``None`` builds a new vocabulary (and ``unknown`` defaults to ``"add"``).
    unknown : {"error", "unk", "add"} or None
        Policy for symbols missing from a given vocabulary (default ``"error"``).

    Returns
    -------
    codes : ndarray of int64, shape (len(series),)
    vocabulary : Vocabulary
    """
    if vocabulary is None:
        vocabulary = Vocabulary()
        unknown = unknown or "add"
    group, first = series_groups(series)
    symbols = series.gather(first).to_list()
    ids = vocabulary.encode(symbols, unknown=unknown or "error")
    return ids[group], vocabulary


def stable_argsort(key: Array) -> Array:
    """Return the stable sorting permutation of a 1-D key (polars, multi-threaded)."""
    import polars as pl

    order = pl.DataFrame({"key": key}).select(
        pl.arg_sort_by("key", maintain_order=True)
    )
    return np.asarray(order.to_series().to_numpy()).astype(np.int64)
