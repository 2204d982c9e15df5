"""Dense NumPy arrays, padded or not, to ragged sequences."""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred.data._ragged import locate_step, offsets_from_lengths
from seqpred.data.readers._common import Array, Unknown, encode_first_seen
from seqpred.data.readers._common import to_sequence_set as _build
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError

__all__ = ["read_numpy"]

_WHO = "read_numpy"


def read_numpy(
    array: Any,
    *,
    lengths: Any = None,
    vocabulary: Vocabulary | None = None,
    unknown: Unknown | None = None,
) -> SequenceSet:
    """Turn a dense ``(N, L)`` or ``(N, L, F)`` array into a :class:`SequenceSet`.

    Parameters
    ----------
    array : array-like
        ``(N, L)`` integers, strings or booleans give discrete sequences (the
        values are the symbols); ``(N, L)`` or ``(N, L, F)`` floats give numeric
        sequences with ``F`` features (1 for 2-D input).
    lengths : array-like of int, shape (N,), default=None
        The true length of each row; the rest of the row is padding. With
        ``None``, discrete rows are used whole and float rows lose their
        trailing all-NaN steps (NaN padding marks variable length).
    vocabulary : Vocabulary, default=None
        Encode discrete values with this vocabulary; ``None`` builds one in
        first-seen (row-major) order.
    unknown : {"error", "unk", "add"}, default=None
        Policy for values missing from ``vocabulary``.

    Returns
    -------
    SequenceSet

    Raises
    ------
    DataError
        For an array that is not 2-D or 3-D, a 3-D non-float array, object
        arrays, bad ``lengths``, or NaN inside a numeric sequence.

    Examples
    --------
    >>> import numpy as np
    >>> read_numpy(np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]])).lengths.tolist()
    [2, 3]
    >>> read_numpy(np.array([[7, 8, 0], [9, 0, 0]]), lengths=[2, 1]).to_lists()
    [[7, 8], [9]]
    """
    arr = np.asarray(array)
    _check_array(arr)
    numeric = arr.dtype.kind == "f"
    if numeric and arr.ndim == 2:
        arr = arr[:, :, None]  # (N, L) -> (N, L, 1)
    if lengths is None:
        row_lengths = _unpadded_lengths(arr) if numeric else _full(arr)
    else:
        row_lengths = _check_lengths(lengths, arr)
    keep = np.arange(arr.shape[1]) < row_lengths[:, None]  # (N, L)
    values = arr[keep]  # row-major: sequence by sequence
    if numeric:
        _check_finite(values, row_lengths)
        return _build(values.astype(np.float64), row_lengths)
    codes, vocabulary = encode_first_seen(values, vocabulary, unknown)
    return _build(codes, row_lengths, vocabulary=vocabulary)


def _check_array(arr: Array) -> None:
    if arr.ndim not in (2, 3):
        raise DataError(
            f"{_WHO}: expected a 2-D (N, L) or 3-D (N, L, F) array; got shape "
            f"{arr.shape}. Reshape it, e.g. array[None, :] for one sequence."
        )
    if arr.dtype.kind not in "biufUS":
        raise DataError(
            f"{_WHO}: expected a numeric, boolean or string array; got dtype "
            f"{arr.dtype}. Use SequenceSet.from_lists for other objects."
        )
    if arr.ndim == 3 and arr.dtype.kind != "f":
        raise DataError(
            f"{_WHO}: a 3-D array means numeric features and must be float; got "
            f"dtype {arr.dtype}. Cast it with array.astype(float)."
        )


def _full(arr: Array) -> Array:
    return np.full(arr.shape[0], arr.shape[1], dtype=np.int64)


def _unpadded_lengths(arr: Array) -> Array:
    """Length of each row once its trailing all-NaN steps are dropped."""
    real = np.asarray(~np.isnan(arr).all(axis=2))  # (N, L): step has some value
    last = arr.shape[1] - np.argmax(real[:, ::-1], axis=1)
    return np.where(real.any(axis=1), last, 0).astype(np.int64)


def _check_lengths(lengths: Any, arr: Array) -> Array:
    out = np.asarray(lengths)
    n, width = arr.shape[0], arr.shape[1]
    if (
        out.shape != (n,)
        or out.dtype.kind not in "iu"
        or (out.size and (out.min() < 0 or out.max() > width))
    ):
        raise DataError(
            f"{_WHO}: lengths must be {n} integers in [0, {width}]; got "
            f"{np.asarray(lengths)!r}. Pass one length per row."
        )
    return out.astype(np.int64)


def _check_finite(values: Array, lengths: Array) -> None:
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        step = int(np.flatnonzero(bad)[0])
        row, position = locate_step(offsets_from_lengths(lengths), step)
        raise DataError(
            f"{_WHO}: row {row} has NaN or infinity at step {position}, inside the "
            "sequence; expected NaN only as trailing padding. Impute it first, "
            "or pass lengths= to mark the padding."
        )
