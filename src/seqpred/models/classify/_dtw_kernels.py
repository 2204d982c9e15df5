"""DTW kernels: windowed, early-abandoning DTW and the LB_Keogh bound (numba)."""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array

__all__ = ["dtw_distance", "envelope", "lb_keogh", "nearest_per_class"]


@maybe_njit
def dtw_distance(a: Array, b: Array, window: int, cutoff: float) -> float:  # noqa: D103
    # Squared-Euclidean DTW of a (n, ch) and b (m, ch) within a Sakoe-Chiba
    # band of half-width `window`; returns inf once a whole row exceeds
    # `cutoff` (early abandoning). One kernel, two rolling rows: O(n·w).
    # A row writes only its band and the two cells around it (which the next
    # row reads as inf), so a narrow band never touches whole rows.
    n, m = a.shape[0], b.shape[0]
    w = max(window, abs(n - m))
    inf = np.inf
    prev = np.full(m + 1, inf)
    curr = np.full(m + 1, inf)
    prev[0] = 0.0
    for i in range(1, n + 1):
        lo = max(1, i - w)
        hi = min(m, i + w)
        curr[lo - 1] = inf
        row_min = inf
        for j in range(lo, hi + 1):
            cost = 0.0
            for c in range(a.shape[1]):
                d = a[i - 1, c] - b[j - 1, c]
                cost += d * d
            best = prev[j - 1]
            if prev[j] < best:
                best = prev[j]
            if curr[j - 1] < best:
                best = curr[j - 1]
            curr[j] = cost + best
            if curr[j] < row_min:
                row_min = curr[j]
        if hi < m:
            curr[hi + 1] = inf
        if row_min > cutoff:
            return inf
        prev, curr = curr, prev
    return float(prev[m])


@maybe_njit
def envelope(x: Array, window: int) -> tuple[Array, Array]:  # noqa: D103
    # Running min and max of x (L, ch) over [i - window, i + window], with
    # monotone queues of indices (Lemire's streaming min/max): O(L) per
    # channel whatever the window.
    n = x.shape[0]
    lower = np.empty_like(x)
    upper = np.empty_like(x)
    big = np.empty(n, dtype=np.int64)  # indices of decreasing values
    small = np.empty(n, dtype=np.int64)  # indices of increasing values
    for c in range(x.shape[1]):
        b_head, b_tail, s_head, s_tail, pushed = 0, 0, 0, 0, 0
        for i in range(n):
            while pushed < n and pushed <= i + window:
                v = x[pushed, c]
                while b_tail > b_head and x[big[b_tail - 1], c] <= v:
                    b_tail -= 1
                big[b_tail] = pushed
                b_tail += 1
                while s_tail > s_head and x[small[s_tail - 1], c] >= v:
                    s_tail -= 1
                small[s_tail] = pushed
                s_tail += 1
                pushed += 1
            while big[b_head] < i - window:
                b_head += 1
            while small[s_head] < i - window:
                s_head += 1
            upper[i, c] = x[big[b_head], c]
            lower[i, c] = x[small[s_head], c]
    return lower, upper


@maybe_njit
def lb_keogh(q: Array, lower: Array, upper: Array) -> float:  # noqa: D103
    # Squared distance from q to the envelope; a lower bound of DTW for
    # series of equal length with the same window.
    total = 0.0
    for i in range(q.shape[0]):
        for c in range(q.shape[1]):
            v = q[i, c]
            if v > upper[i, c]:
                total += (v - upper[i, c]) ** 2
            elif v < lower[i, c]:
                total += (v - lower[i, c]) ** 2
    return total


@maybe_njit
def nearest_per_class(  # noqa: D103
    query: Array,
    train: Array,
    offsets: Array,
    labels: Array,
    n_classes: int,
    lowers: Array,
    uppers: Array,
    window: int,
) -> Array:
    # Smallest DTW distance from `query` to each class's training series.
    # Candidates with equal length are visited by increasing LB_Keogh and
    # skipped once their bound exceeds the class's best so far.
    n = offsets.shape[0] - 1
    best = np.full(n_classes, np.inf)
    bounds = np.zeros(n)
    qlen = query.shape[0]
    for t in range(n):
        lo, hi = offsets[t], offsets[t + 1]
        if hi - lo == qlen and window >= 0:
            bounds[t] = lb_keogh(query, lowers[lo:hi], uppers[lo:hi])
    order = np.argsort(bounds)
    for t in order:
        c = labels[t]
        if bounds[t] >= best[c]:
            continue
        lo, hi = offsets[t], offsets[t + 1]
        d = dtw_distance(query, train[lo:hi], window, best[c])
        if d < best[c]:
            best[c] = d
    return best
