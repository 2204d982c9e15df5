"""Turn flat ``(query, item, score)`` entries into top-k arrays or dense rows.

Entries may repeat a ``(query, item)`` pair; repeated scores add up. Top-k
rows are sorted by decreasing score, ties by increasing id, whichever of the
two paths runs: sparse (sort the entries) when they are few compared with
``n × width``, dense (sum them into ``(rows, width)`` blocks) otherwise.
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array

__all__ = ["dense_rows", "last_true", "sum_pairs", "top_k_entries"]

_CELLS_PER_BLOCK = 4_000_000  # dense (rows, width) blocks stay ~32 MB


def sum_pairs(
    query: Array, item: Array, score: Array, width: int
) -> tuple[Array, Array, Array]:
    """Add up the scores of equal ``(query, item)`` pairs; sorted by query, item."""
    pair, slot = np.unique(query * width + item, return_inverse=True)
    total = np.bincount(slot.ravel(), weights=score, minlength=len(pair))
    pair_query, pair_item = np.divmod(pair, width)
    return pair_query, pair_item, total


def top_k_entries(
    query: Array, item: Array, score: Array, n: int, k: int, width: int
) -> tuple[Array, Array]:
    """Return ``(ids, scores)`` of shape ``(n, k)``; missing slots hold -1 and 0.

    Examples
    --------
    >>> ids, scores = top_k_entries(
    ...     np.array([0, 0, 0, 2, 0]), np.array([5, 3, 4, 3, 5]),
    ...     np.array([0.2, 0.5, 0.5, 1.0, 0.3]), n=3, k=2, width=6)
    >>> ids.tolist(), scores.tolist()
    ([[3, 4], [-1, -1], [3, -1]], [[0.5, 0.5], [0.0, 0.0], [1.0, 0.0]])
    """
    ids = np.full((n, k), -1, dtype=np.int64)
    scores = np.zeros((n, k), dtype=np.float64)
    if 4 * len(query) < n * width:
        query, item, score = sum_pairs(query, item, score, width)
        keep = score > 0  # as the dense path, which cannot see zeros
        _write_top_k(query[keep], item[keep], score[keep], k, ids, scores)
        return ids, scores
    order = np.argsort(query, kind="stable")
    query, item, score = query[order], item[order], score[order]
    step = max(1, _CELLS_PER_BLOCK // width)
    kk = min(k, width)
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        a, b = np.searchsorted(query, [lo, hi])
        block = dense_rows(query[a:b] - lo, item[a:b], score[a:b], hi - lo, width)
        # every entry at least the k-th largest of its row (ties kept)
        kth = np.partition(block, width - kk, axis=1)[:, width - kk]
        row, col = np.nonzero((block >= kth[:, None]) & (block > 0))
        _write_top_k(row + lo, col, block[row, col], k, ids, scores)
    return ids, scores


def _write_top_k(
    query: Array, item: Array, score: Array, k: int, ids: Array, scores: Array
) -> None:
    """Write the best ``k`` of unique entries sorted by (query, item) into rows."""
    if query.size == 0:
        return
    order = np.lexsort((-score, query))  # stable: ties stay in item order
    query, item, score = query[order], item[order], score[order]
    rank = np.arange(query.size, dtype=np.int64) - np.searchsorted(query, query)
    keep = rank < k
    ids[query[keep], rank[keep]] = item[keep]
    scores[query[keep], rank[keep]] = score[keep]


def dense_rows(query: Array, item: Array, score: Array, n: int, width: int) -> Array:
    """Sum entries into an ``(n, width)`` array of scores."""
    flat = np.bincount(query * width + item, weights=score, minlength=n * width)
    return flat.reshape(n, width)


def last_true(mask: Array, offsets: Array) -> Array:
    """Per segment ``offsets[i]:offsets[i+1]`` of ``mask``, the last True index or -1.

    Examples
    --------
    >>> last_true(np.array([True, False, True, False, False]), np.array([0, 3, 3, 5]))
    array([ 2, -1, -1])
    """
    n = len(offsets) - 1
    position = np.where(mask, np.arange(mask.size, dtype=np.int64), -1)
    out = np.full(n, -1, dtype=np.int64)
    nonempty = np.flatnonzero(offsets[1:] > offsets[:-1])
    if nonempty.size:
        out[nonempty] = np.maximum.reduceat(position, offsets[nonempty])
    return out
