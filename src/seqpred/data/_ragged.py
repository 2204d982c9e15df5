"""Index arithmetic on ragged arrays: runs of a flat array, without Python loops.

A ragged array is a flat array cut into runs by ``offsets`` (run ``i`` is
``flat[offsets[i]:offsets[i + 1]]``), as in :class:`~seqpred.data.SequenceSet`.
The helpers here build the flat indices of many runs at once with
``np.repeat`` / ``np.cumsum``, so the cost is linear in the number of indices
produced.

Examples
--------
>>> flat, within = ragged_ranges(np.array([5, 0]), np.array([2, 3]))
>>> flat.tolist(), within.tolist()
([5, 6, 0, 1, 2], [0, 1, 0, 1, 2])
>>> gather, offsets = ragged_gather(np.array([5, 0]), np.array([2, 3]))
>>> gather.tolist(), offsets.tolist()
([5, 6, 0, 1, 2], [0, 2, 5])
>>> locate_step(offsets, 3)
(1, 1)
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array

__all__ = [
    "locate_step",
    "offsets_from_lengths",
    "ragged_gather",
    "ragged_positions",
    "ragged_ranges",
]


def offsets_from_lengths(lengths: Array) -> Array:
    """Return the ``(n + 1,)`` int64 offsets of runs of the given lengths.

    Examples
    --------
    >>> offsets_from_lengths(np.array([2, 0, 3])).tolist()
    [0, 2, 2, 5]
    """
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets


def ragged_positions(lengths: Array) -> Array:
    """Return each index's position within its run, for runs laid end to end.

    Examples
    --------
    >>> ragged_positions(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    offsets = offsets_from_lengths(lengths)
    within: Array = np.arange(int(offsets[-1]), dtype=np.int64) - np.repeat(
        offsets[:-1], lengths
    )
    return within


def ragged_ranges(starts: Array, lengths: Array) -> tuple[Array, Array]:
    """Return the flat indices of the runs ``[starts[i], starts[i] + lengths[i])``.

    Parameters
    ----------
    starts, lengths : ndarray of int, shape (n,)
        First index and length of each run (runs may overlap or repeat).

    Returns
    -------
    flat_index : ndarray of int64, shape (lengths.sum(),)
        The indices of run 0, then run 1, and so on.
    position_within_run : ndarray of int64, shape (lengths.sum(),)
        Each index's position in its run (``0 .. lengths[i] - 1``).

    Examples
    --------
    >>> flat, within = ragged_ranges(np.array([10, 3]), np.array([3, 1]))
    >>> flat.tolist(), within.tolist()
    ([10, 11, 12, 3], [0, 1, 2, 0])
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    within = ragged_positions(lengths)
    flat = np.repeat(np.asarray(starts, dtype=np.int64), lengths) + within
    return flat, within


def ragged_gather(starts: Array, lengths: Array) -> tuple[Array, Array]:
    """Return the flat indices of the runs and the offsets of the gathered array.

    ``values[flat_index]`` cut at ``offsets`` is the ragged array of the runs
    ``values[starts[i]:starts[i] + lengths[i]]``.

    Examples
    --------
    >>> gather, offsets = ragged_gather(np.array([4, 0]), np.array([1, 2]))
    >>> gather.tolist(), offsets.tolist()
    ([4, 0, 1], [0, 1, 3])
    """
    offsets = offsets_from_lengths(lengths)
    gather: Array = np.arange(int(offsets[-1]), dtype=np.int64) + np.repeat(
        np.asarray(starts, dtype=np.int64) - offsets[:-1], lengths
    )
    return gather, offsets


def locate_step(offsets: Array, step: int) -> tuple[int, int]:
    """Return ``(run, position)`` of flat index ``step`` (empty runs hold nothing).

    Examples
    --------
    >>> locate_step(np.array([0, 2, 2, 5]), 2)
    (2, 0)
    """
    run = int(np.searchsorted(offsets, step, side="right")) - 1
    return run, step - int(offsets[run])
