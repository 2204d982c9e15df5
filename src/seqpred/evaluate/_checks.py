"""Input checks shared by the metric functions.

Every check raises :class:`~seqpred.exceptions.DataError` (or
:class:`~seqpred.exceptions.InvalidParameterError` for a bad ``k``-like
parameter) with a message shaped *who: what is wrong; expected; got. Fix.*
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

from seqpred._params import check_int
from seqpred._typing import Array
from seqpred.data._ragged import ragged_positions
from seqpred.exceptions import DataError, InvalidParameterError


def short_repr(value: Any, limit: int = 60) -> str:
    """Return ``repr(value)`` cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def as_array(values: Any, name: str, who: str) -> Array:
    """Convert to a non-empty NumPy array without NaN."""
    try:
        arr = np.asarray(values)
    except ValueError:
        raise DataError(
            f"{who}: {name} is ragged; expected a rectangular array; got "
            f"{short_repr(values)}. Pad rows to one length (with -1 for ids)."
        ) from None
    if arr.size == 0:
        raise DataError(
            f"{who}: {name} is empty; expected at least one value; got "
            f"{short_repr(arr)}. Pass at least one item."
        )
    if arr.dtype.kind in "fc" and np.isnan(arr).any():
        where = int(np.flatnonzero(np.isnan(arr).ravel())[0])
        raise DataError(
            f"{who}: {name} contains NaN (first at flat index {where}); expected "
            "numbers; got nan. Impute or drop missing values first."
        )
    return arr


def as_float(values: Any, name: str, who: str, *, finite: bool = True) -> Array:
    """Convert to a non-empty float64 array (finite unless told otherwise)."""
    arr = as_array(values, name, who)
    if arr.dtype.kind not in "biuf":
        raise DataError(
            f"{who}: {name} must hold numbers; expected a numeric array; got dtype "
            f"{arr.dtype}. Convert it with numpy.asarray(..., dtype=float)."
        )
    arr = arr.astype(np.float64, copy=False)
    if finite and not np.isfinite(arr).all():
        raise DataError(
            f"{who}: {name} contains infinite values; expected finite numbers; "
            "got inf. Clip or drop them first."
        )
    return arr


def as_ids(values: Any, name: str, who: str, *, ndim: int, low: int) -> Array:
    """Convert to a non-empty int64 array of ``ndim`` dimensions, all ``>= low``."""
    arr = as_array(values, name, who)
    if arr.dtype.kind not in "iu":
        raise DataError(
            f"{who}: {name} must hold integer ids; expected an int array; got "
            f"dtype {arr.dtype}. Encode symbols to ids first (Vocabulary.encode)."
        )
    if arr.ndim != ndim:
        shape = "(N,)" if ndim == 1 else "(N, K)"
        raise DataError(
            f"{who}: {name} must be {ndim}-D; expected shape {shape}; got shape "
            f"{arr.shape}. Reshape it."
        )
    arr = arr.astype(np.int64, copy=False)
    if arr.min() < low:
        raise DataError(
            f"{who}: {name} holds ids below {low}; expected ids >= {low}"
            f"{' (-1 = no item)' if low == -1 else ''}; got {int(arr.min())}. "
            "Use -1 only to mark a missing prediction."
        )
    return arr


def as_labels(values: Any, name: str, who: str) -> Array:
    """Convert class labels to a non-empty 1-D array."""
    arr = as_array(values, name, who)
    if arr.ndim != 1:
        raise DataError(
            f"{who}: {name} must be 1-D; expected shape (N,); got shape "
            f"{arr.shape}. Pass one label per sample."
        )
    return arr


def same_length(a: Array, b: Array, names: tuple[str, str], who: str) -> None:
    """Raise if ``a`` and ``b`` differ in their first dimension."""
    if len(a) != len(b):
        raise DataError(
            f"{who}: {names[0]} and {names[1]} have different lengths; expected "
            f"one entry of each per sample; got {len(a)} and {len(b)}. "
            "Align them before scoring."
        )


def same_shape(a: Array, b: Array, names: tuple[str, str], who: str) -> None:
    """Raise if ``a`` and ``b`` have different shapes."""
    if a.shape != b.shape:
        raise DataError(
            f"{who}: {names[0]} and {names[1]} have different shapes; expected "
            f"equal shapes; got {a.shape} and {b.shape}. Pass one prediction per "
            "true value."
        )


def check_k(k: Any, width: int, who: str) -> int:
    """Return ``k`` (``width`` when ``None``) after checking ``1 <= k <= width``."""
    if k is None:
        return width
    check_int(who, "k", k, low=1, default=max(width, 1))
    if k > width:
        raise InvalidParameterError(
            f"{who}: k={k} exceeds the {width} columns of ranked; expected "
            f"k <= {width}. Ask the model for k={k} predictions or lower k."
        )
    return int(k)


def pad_ragged(rows: Any, name: str, who: str) -> Array:
    """Return ``rows`` (a 2-D array or a list of id lists) as ``(N, C)``, -1 padded."""
    if isinstance(rows, np.ndarray) and rows.dtype != object:
        return as_ids(rows, name, who, ndim=2, low=-1)
    if not isinstance(rows, Sequence) or isinstance(rows, (str, bytes)):
        raise DataError(
            f"{who}: {name} must be a 2-D id array or a list of id lists; got "
            f"{type(rows).__name__}. Pass [[id, ...], ...]."
        )
    if len(rows) == 0:
        raise DataError(
            f"{who}: {name} is empty; expected at least one row; got []. "
            "Pass at least one item."
        )
    try:
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
    except TypeError:
        raise DataError(
            f"{who}: each row of {name} must be a list of ids; got "
            f"{short_repr(rows)}. Pass [[id, ...], ...], one list per query."
        ) from None
    flat = np.asarray(list(chain.from_iterable(rows)))
    if flat.size == 0:
        flat = flat.astype(np.int64)
    elif flat.dtype.kind not in "iu":
        raise DataError(
            f"{who}: {name} must hold integer ids; expected int lists; got dtype "
            f"{flat.dtype}. Encode symbols to ids first (Vocabulary.encode)."
        )
    dense = np.full((len(rows), max(int(lengths.max()), 1)), -1, dtype=np.int64)
    dense[np.repeat(np.arange(len(rows)), lengths), ragged_positions(lengths)] = flat
    return as_ids(dense, name, who, ndim=2, low=-1)
