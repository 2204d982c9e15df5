"""Train/test splits that respect order: time never leaks into training.

Three protocols:

- :func:`holdout_last` hides the last ``k`` items of each sequence (the
  next-item protocol of SPMF and the CPT papers);
- :func:`kfold_sequences` and :func:`train_test_split_sequences` split whole
  sequences, so no sequence is in both parts;
- :func:`split_by_time` cuts every sequence at a time stamp.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from seqpred._params import check_bool, check_int, is_int
from seqpred._typing import Array, RandomStateLike
from seqpred.base import check_random_state
from seqpred.data._ragged import offsets_from_lengths
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = [
    "holdout_last",
    "kfold_sequences",
    "split_by_time",
    "train_test_split_sequences",
]


def holdout_last(
    ss: SequenceSet, k: int = 1, *, min_length: int | None = None
) -> tuple[SequenceSet, SequenceSet, SequenceSet]:
    """Hide the last ``k`` items of every long-enough sequence.

    Parameters
    ----------
    ss : SequenceSet
        The sequences.
    k : int, default=1
        Items held out at the end of each queried sequence.
    min_length : int, default=None
        Only sequences of at least this length are queried; ``None`` means
        ``k + 1`` (so every query has at least one item of context). Must be
        ``>= k + 1``.

    Returns
    -------
    train : SequenceSet
        Every input sequence, in input order: queried sequences without their
        last ``k`` items, the shorter ones whole (none of their items is held
        out, so they add training data without leaking anything).
    queries : SequenceSet
        The truncated queried sequences (the contexts to predict from), with
        labels, ids and time stamps carried over.
    targets : SequenceSet
        The held-out last ``k`` items of each query, aligned with
        ``queries``.

    Raises
    ------
    InvalidParameterError
        If ``k`` or ``min_length`` is invalid.

    Notes
    -----
    Sequences shorter than ``min_length`` are dropped from ``queries`` and
    ``targets``; use ``queries.ids`` (set ``ids`` on the input) to map
    queries back to input sequences.

    Examples
    --------
    >>> ss = SequenceSet.from_lists([[1, 2, 3], [4], [5, 6]])
    >>> train, queries, targets = holdout_last(ss)
    >>> train.to_lists(), queries.to_lists(), targets.to_lists()
    ([[1, 2], [4], [5]], [[1, 2], [5]], [[3], [6]])
    """
    check_int("holdout_last", "k", k, low=1, default=1)
    if min_length is None:
        min_length = k + 1
    check_int("holdout_last", "min_length", min_length, low=k + 1, default=k + 1)
    lengths = ss.lengths
    queried = lengths >= min_length
    train = ss.slice_steps(0, np.where(queried, lengths - k, lengths))
    rows = np.flatnonzero(queried)
    queries = train.take(rows)
    targets = ss.take(rows).slice_steps(-k, None)
    return train, queries, targets


def kfold_sequences(
    n_or_ss: int | SequenceSet,
    n_splits: int = 5,
    *,
    shuffle: bool = True,
    random_state: RandomStateLike = None,
) -> Iterator[tuple[Array, Array]]:
    """Yield ``(train_idx, test_idx)`` index pairs over whole sequences.

    Every sequence lands in exactly one test fold; fold sizes differ by at
    most one. Arguments are checked when the function is called, before
    the first fold is drawn.

    Parameters
    ----------
    n_or_ss : int or SequenceSet
        The number of sequences, or the sequences themselves.
    n_splits : int, default=5
        Number of folds (``2 <= n_splits <= n``).
    shuffle : bool, default=True
        Assign sequences to folds at random; ``False`` uses contiguous blocks
        in input order.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the shuffle (ignored when ``shuffle=False``).

    Yields
    ------
    train_idx, test_idx : ndarray of int64
        Sorted sequence indices; pass them to ``SequenceSet.take``.

    Raises
    ------
    InvalidParameterError
        If ``n_splits`` is out of range or ``n_or_ss`` is not a count or set.

    Examples
    --------
    >>> [test.tolist() for _, test in kfold_sequences(5, 2, shuffle=False)]
    [[0, 1, 2], [3, 4]]
    """
    n = _count(n_or_ss, "kfold_sequences")
    check_int("kfold_sequences", "n_splits", n_splits, low=2, default=5)
    if n_splits > n:
        raise InvalidParameterError(
            f"kfold_sequences: n_splits must be <= the number of sequences ({n}); "
            f"got {n_splits!r}. Use n_splits={max(2, n)} or pass more sequences."
        )
    check_bool("kfold_sequences", "shuffle", shuffle, default=True)
    order = (
        check_random_state(random_state).permutation(n)
        if shuffle
        else np.arange(n, dtype=np.int64)
    )
    sizes = np.full(n_splits, n // n_splits, dtype=np.int64)
    sizes[: n % n_splits] += 1
    fold_of = np.empty(n, dtype=np.int64)
    fold_of[order] = np.repeat(np.arange(n_splits), sizes)
    return _folds(fold_of, n_splits)


def _folds(fold_of: Array, n_splits: int) -> Iterator[tuple[Array, Array]]:
    for fold in range(n_splits):
        in_test = fold_of == fold
        yield np.flatnonzero(~in_test), np.flatnonzero(in_test)


def train_test_split_sequences(
    ss: SequenceSet,
    test_size: float = 0.2,
    *,
    shuffle: bool = True,
    random_state: RandomStateLike = None,
) -> tuple[SequenceSet, SequenceSet]:
    """Split whole sequences into a training and a test set.

    Parameters
    ----------
    ss : SequenceSet
        At least two sequences.
    test_size : float or int, default=0.2
        A fraction in ``(0, 1)`` (rounded up to whole sequences, then kept
        within ``[1, n - 1]`` so neither part is empty) or a count in
        ``[1, n - 1]``.
    shuffle : bool, default=True
        Pick test sequences at random; ``False`` takes the **last** ones
        (the most recent, when sequences are in time order).
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the shuffle (ignored when ``shuffle=False``).

    Returns
    -------
    train, test : SequenceSet
        Both keep the input order of their sequences.

    Raises
    ------
    InvalidParameterError
        If ``test_size`` leaves either part empty.

    Examples
    --------
    >>> ss = SequenceSet.from_lists([[1], [2], [3], [4], [5]])
    >>> train, test = train_test_split_sequences(ss, 0.4, shuffle=False)
    >>> train.to_lists(), test.to_lists()
    ([[1], [2], [3]], [[4], [5]])
    """
    n = _count(ss, "train_test_split_sequences")
    n_test = _n_test(test_size, n)
    check_bool("train_test_split_sequences", "shuffle", shuffle, default=True)
    if shuffle:
        order = check_random_state(random_state).permutation(n)
        test_idx = np.sort(order[:n_test])
    else:
        test_idx = np.arange(n - n_test, n, dtype=np.int64)
    in_test = np.zeros(n, dtype=bool)
    in_test[test_idx] = True
    return ss.take(np.flatnonzero(~in_test)), ss.take(test_idx)


def split_by_time(
    ss: SequenceSet, cutoff: Any, *, drop_empty: bool = False
) -> tuple[SequenceSet, SequenceSet]:
    """Cut every sequence at a time stamp: steps before ``cutoff`` and the rest.

    Parameters
    ----------
    ss : SequenceSet
        Sequences with per-step ``timestamps``, non-decreasing within each
        sequence.
    cutoff : scalar
        Steps with ``timestamp < cutoff`` go to ``before``, the others to
        ``after``. Comparable with the time stamps (a number, or for
        ``datetime64`` stamps anything ``numpy.datetime64`` accepts, such as
        ``"2024-01-31"``).
    drop_empty : bool, default=False
        Drop sequences left empty on either side. ``False`` keeps both sides
        aligned with the input (possibly with empty sequences).

    Returns
    -------
    before, after : SequenceSet
        Labels, ids and time stamps are carried over.

    Raises
    ------
    DataError
        If ``ss`` has no time stamps, or they decrease within a sequence.

    Examples
    --------
    >>> ss = SequenceSet(
    ...     np.array([3, 4, 5, 6]), np.array([0, 3, 4]), timestamps=[1, 5, 9, 2]
    ... )
    >>> before, after = split_by_time(ss, 5)
    >>> before.to_lists(decode=False), after.to_lists(decode=False)
    ([[3], [6]], [[4, 5], []])
    >>> split_by_time(ss, 5, drop_empty=True)[1].to_lists(decode=False)
    [[4, 5]]
    """
    check_bool("split_by_time", "drop_empty", drop_empty, default=False)
    stamps = _checked_timestamps(ss)
    if stamps.dtype.kind == "M":
        cutoff = np.datetime64(cutoff)
    try:
        early = np.asarray(stamps < cutoff, dtype=bool)
    except TypeError:
        raise DataError(
            f"split_by_time: cannot compare time stamps of dtype {stamps.dtype} "
            f"with cutoff {cutoff!r}. Pass a cutoff of the same kind as the "
            "time stamps."
        ) from None
    before = _keep_steps(ss, early)
    after = _keep_steps(ss, ~early)
    if drop_empty:
        before = before.take(np.flatnonzero(before.lengths > 0))
        after = after.take(np.flatnonzero(after.lengths > 0))
    return before, after


# -- helpers ----------------------------------------------------------------------


def _checked_timestamps(ss: SequenceSet) -> Array:
    if ss.timestamps is None:
        raise DataError(
            "split_by_time: the sequences have no per-step timestamps; expected "
            "SequenceSet(..., timestamps=...) with one time stamp per step; got "
            "timestamps=None. Read the data with a time column, or split whole "
            "sequences with train_test_split_sequences."
        )
    stamps = ss.timestamps
    if len(stamps) > 1:
        same_sequence = np.diff(ss.sequence_index) == 0
        decreasing = np.flatnonzero(same_sequence & (stamps[1:] < stamps[:-1]))
        if decreasing.size:
            step = int(decreasing[0]) + 1
            seq = int(ss.sequence_index[step])
            raise DataError(
                f"split_by_time: time stamps must not decrease within a sequence; "
                f"sequence {seq} goes from {stamps[step - 1]!r} to "
                f"{stamps[step]!r}. Sort each sequence's steps by time first."
            )
    return stamps


def _keep_steps(ss: SequenceSet, keep: Array) -> SequenceSet:
    """Keep the steps where ``keep`` is True; every sequence stays (maybe empty)."""
    lengths = np.bincount(ss.sequence_index[keep], minlength=len(ss))
    return ss._gather_steps(keep, offsets_from_lengths(lengths), restart_itemsets=True)


def _count(n_or_ss: Any, owner: str) -> int:
    if isinstance(n_or_ss, SequenceSet):
        return len(n_or_ss)
    if is_int(n_or_ss) and int(n_or_ss) >= 0:
        return int(n_or_ss)
    raise InvalidParameterError(
        f"{owner}: expected a SequenceSet or a number of sequences >= 0; got "
        f"{n_or_ss!r}. Convert lists first with SequenceSet.from_lists."
    )


def _n_test(test_size: Any, n: int) -> int:
    owner = "train_test_split_sequences"
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        n_test = -1
    elif isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0 < float(test_size) < 1:
        n_test = min(max(math.ceil(float(test_size) * n), 1), n - 1)
    else:
        n_test = -1
    if not 1 <= n_test <= n - 1:
        raise InvalidParameterError(
            f"{owner}: test_size must be a fraction in (0, 1) or a count in "
            f"[1, {n - 1}] that leaves both parts non-empty for {n} sequences; "
            f"got {test_size!r}. Use test_size=0.2, with at least 2 sequences."
        )
    return n_test
