"""Frame ragged sequences as supervised examples: padding, prefixes, windows.

Every function works on the flat ``values`` / ``offsets`` arrays of a
:class:`~seqpred.data.SequenceSet` with ``np.repeat`` / ``np.cumsum`` index
arithmetic, so the cost is linear in the number of steps produced and there
is no Python loop over sequences.

Shape legend: N sequences, L length (padded), F features per step,
M framed examples.
"""

from __future__ import annotations

import numpy as np

from seqpred._params import check_int
from seqpred._typing import Array
from seqpred.data._ragged import offsets_from_lengths, ragged_gather, ragged_ranges
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError

__all__ = ["from_padded", "pad_sequences", "prefix_targets", "sliding_windows"]


def pad_sequences(
    ss: SequenceSet,
    *,
    max_length: int | None = None,
    side: str = "right",
    pad: float = 0,
) -> tuple[Array, Array]:
    """Pack ragged sequences into a dense array and a mask of real steps.

    Parameters
    ----------
    ss : SequenceSet
        The sequences, discrete or numeric.
    max_length : int, default=None
        Width ``L`` of the result. ``None`` uses the longest sequence.
        Longer sequences keep their **last** ``max_length`` steps (the most
        recent context, which is what next-item models need).
    side : {"right", "left"}, default="right"
        ``"right"`` pads after the real steps (left-aligned rows);
        ``"left"`` pads before them (right-aligned rows, so the last real
        step of every row sits in the last column).
    pad : int or float, default=0
        Fill value of padded cells. For discrete data it must be an integer
        (``0`` is :data:`~seqpred.data.PAD_ID`).

    Returns
    -------
    array : ndarray
        ``(N, L)`` int64 ids for discrete data, ``(N, L, F)`` float64 values
        for numeric data.
    mask : ndarray of bool, shape (N, L)
        ``True`` on real steps.

    Raises
    ------
    InvalidParameterError
        If ``max_length``, ``side`` or ``pad`` is invalid.

    See Also
    --------
    from_padded : The inverse.

    Examples
    --------
    >>> ss = SequenceSet(np.array([5, 6, 7, 8]), np.array([0, 3, 4]))
    >>> array, mask = pad_sequences(ss)
    >>> array.tolist(), mask.tolist()
    ([[5, 6, 7], [8, 0, 0]], [[True, True, True], [True, False, False]])
    >>> pad_sequences(ss, max_length=2, side="left")[0].tolist()
    [[6, 7], [0, 8]]
    """
    return ss.padded(max_length=max_length, side=side, pad=pad)


def from_padded(
    array: Array,
    mask: Array | None,
    *,
    vocabulary: Vocabulary | None = None,
) -> SequenceSet:
    """Rebuild a :class:`SequenceSet` from a dense array and its mask.

    The inverse of :func:`pad_sequences`: the real steps of each row, in
    column order, become one sequence. Works for left or right padding (and
    for masks with holes: only ``True`` cells are kept).

    Parameters
    ----------
    array : ndarray
        ``(N, L)`` integer ids (discrete) or ``(N, L)`` / ``(N, L, F)`` floats
        (numeric; ``(N, L)`` means one feature).
    mask : ndarray of bool, shape (N, L), or None
        ``True`` on real steps; ``None`` keeps every cell.
    vocabulary : Vocabulary, default=None
        Vocabulary of the ids (discrete data only).

    Returns
    -------
    SequenceSet

    Raises
    ------
    DataError
        If the shapes disagree or the array is neither integer nor float.

    Examples
    --------
    >>> array = np.array([[0, 5, 6], [0, 0, 7]])
    >>> from_padded(array, array != 0).to_lists(decode=False)
    [[5, 6], [7]]
    """
    array = np.asarray(array)
    if array.ndim not in (2, 3):
        raise DataError(
            "from_padded: array must have shape (N, L) or (N, L, F); got shape "
            f"{array.shape}. Pass the array returned by pad_sequences."
        )
    if mask is None:
        mask = np.ones(array.shape[:2], dtype=bool)
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != array.shape[:2]:
        raise DataError(
            f"from_padded: mask must be a bool array of shape {array.shape[:2]}; "
            f"got {mask.dtype} of shape {mask.shape}. Pass the mask returned by "
            "pad_sequences."
        )
    is_int = array.dtype.kind in "iu"
    if is_int and array.ndim == 3:
        raise DataError(
            f"from_padded: integer ids must have shape (N, L); got {array.shape}. "
            "Use a float array for multivariate numeric data."
        )
    if not is_int and array.dtype.kind != "f":
        raise DataError(
            f"from_padded: array must hold integer ids or floats; got dtype "
            f"{array.dtype}. Convert it with array.astype(np.int64)."
        )
    if vocabulary is not None and not is_int:
        raise DataError(
            "from_padded: a vocabulary only applies to integer ids; got a float "
            "array. Drop vocabulary= for numeric data."
        )
    offsets = offsets_from_lengths(mask.sum(axis=1))
    values = array[mask]  # row-major: each row's real steps in column order
    return SequenceSet(values, offsets, vocabulary=vocabulary)


def prefix_targets(
    ss: SequenceSet,
    *,
    min_prefix: int = 1,
    max_context: int | None = None,
) -> tuple[SequenceSet, Array, Array]:
    """Turn every position of every sequence into a (prefix, next item) example.

    Position ``t`` of a sequence (``t >= min_prefix``) gives one example: the
    prefix is the items before ``t`` (only the last ``max_context`` of them
    when set) and the target is item ``t``. Each position is framed exactly
    once, and a prefix never contains its target or anything after it.

    Parameters
    ----------
    ss : SequenceSet
        The sequences, discrete or numeric.
    min_prefix : int, default=1
        Smallest position framed (the shortest full prefix). ``0`` also
        frames the first item with an empty prefix.
    max_context : int, default=None
        Keep at most this many items of each prefix (the most recent ones);
        ``None`` keeps the whole prefix.

    Returns
    -------
    prefixes : SequenceSet
        One sequence per example, with the vocabulary of ``ss``; labels, ids,
        timestamps and itemset flags are carried over when present.
    targets : ndarray
        ``(M,)`` int64 ids, or ``(M, F)`` floats for numeric data.
    sequence_index : ndarray of int64, shape (M,)
        The sequence each example comes from.

    Raises
    ------
    InvalidParameterError
        If ``min_prefix`` or ``max_context`` is invalid.

    Notes
    -----
    Costs O(sum of prefix lengths) time and memory, which is quadratic in
    sequence length without ``max_context``; set it for long sequences.

    Examples
    --------
    >>> ss = SequenceSet.from_lists([[1, 2, 3], [4, 5]])
    >>> prefixes, targets, seq = prefix_targets(ss)
    >>> [[ss.vocabulary.decode(p)] for p in prefixes]
    [[[1]], [[1, 2]], [[4]]]
    >>> ss.vocabulary.decode(targets), seq.tolist()
    ([2, 3, 5], [0, 0, 1])
    >>> prefix_targets(ss, max_context=1)[0].to_lists()
    [[1], [2], [4]]
    """
    check_int("prefix_targets", "min_prefix", min_prefix, low=0, default=1)
    check_int(
        "prefix_targets", "max_context", max_context,
        low=1, default=None, optional=True, hint="for no limit",
    )  # fmt: skip
    positions = ss.positions
    target_at = np.flatnonzero(positions >= min_prefix)
    n_context = positions[target_at]
    if max_context is not None:
        n_context = np.minimum(n_context, max_context)
    gather, offsets = ragged_gather(target_at - n_context, n_context)
    sequence_index = ss.sequence_index[target_at]
    prefixes = ss._gather_steps(gather, offsets, sequence_index, restart_itemsets=True)
    return prefixes, ss.values[target_at], sequence_index


def sliding_windows(
    ss: SequenceSet,
    *,
    size: int,
    horizon: int = 1,
    stride: int = 1,
) -> tuple[Array, Array, Array]:
    """Cut fixed-size windows and the steps that follow them, within sequences.

    A window starts at positions ``0, stride, 2 * stride, ...`` of each
    sequence while ``size + horizon`` steps fit; windows never cross a
    sequence boundary and sequences shorter than ``size + horizon`` give none.

    Parameters
    ----------
    ss : SequenceSet
        The sequences, discrete or numeric.
    size : int
        Steps per window (>= 1).
    horizon : int, default=1
        Steps to predict after each window (>= 0; ``0`` gives windows only).
    stride : int, default=1
        Distance between consecutive window starts within a sequence.

    Returns
    -------
    windows : ndarray
        ``(M, size)`` ids, or ``(M, size, F)`` floats for numeric data.
    targets : ndarray
        ``(M, horizon)`` ids, or ``(M, horizon, F)`` floats.
    sequence_index : ndarray of int64, shape (M,)
        The sequence each window comes from.

    Raises
    ------
    InvalidParameterError
        If ``size``, ``horizon`` or ``stride`` is invalid.

    Examples
    --------
    >>> ss = SequenceSet(np.array([1, 2, 3, 4, 5, 6, 7]), np.array([0, 5, 7]))
    >>> windows, targets, seq = sliding_windows(ss, size=2, stride=2)
    >>> windows.tolist(), targets.tolist(), seq.tolist()
    ([[1, 2], [3, 4]], [[3], [5]], [0, 0])
    """
    check_int("sliding_windows", "size", size, low=1, default=1)
    check_int("sliding_windows", "horizon", horizon, low=0, default=1)
    check_int("sliding_windows", "stride", stride, low=1, default=1)
    span = size + horizon
    counts = np.maximum(ss.lengths - span, -1) // stride + 1  # 0 when too short
    starts, within = ragged_ranges(ss.offsets[:-1], counts)
    starts = starts + within * (stride - 1)  # (M,) flat start of each window
    values = ss.values
    windows = values[starts[:, None] + np.arange(size)]  # (M, size[, F])
    targets = values[starts[:, None] + np.arange(size, span)]  # (M, horizon[, F])
    sequence_index = np.repeat(np.arange(len(ss), dtype=np.int64), counts)
    return windows, targets, sequence_index


# -- helpers ----------------------------------------------------------------------
