"""The MiniRocket transform in vectorised NumPy (Dempster, Schmidt, Webb 2021).

Kernels have length 9 and weights -1 except three positions of weight 2; the
84 kernels are the 84 choices of those three positions. Because the weights
are fixed, a convolution is ``C = -sum_j X_j + 3 (X_a + X_b + X_c)`` where
``X_j`` is the series shifted by ``(j - 4) · dilation`` with zero padding:
nine shifted copies serve all 84 kernels at once. As in the reference code
the arithmetic is float32: ``A = -sum_j X_j`` and ``G_j = 3 X_j`` are formed
once per dilation and a kernel's output is ``((A + G_a) + G_b) + G_c``, every
step one float32 operation, so that this NumPy path (used without numba) and
the compiled loops of :mod:`._minirocket_kernels` give identical features.

Series are stored padded to ``(N, channels, L)`` with their lengths; every
count is restricted to a series' own positions, so unequal lengths and
prefixes are handled exactly (a series of the maximum length is transformed
as in the reference implementation).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import combinations

import numpy as np

from seqpred._numba import n_threads, numba_enabled
from seqpred._typing import Array
from seqpred.models.classify._minirocket_kernels import (
    diagonal_compiled,
    transform_compiled,
)

__all__ = [
    "INDICES",
    "fit_biases",
    "fit_dilations",
    "fit_minirocket",
    "quantiles",
    "transform",
    "transform_numpy",
]

INDICES = np.array(list(combinations(range(9), 3)), dtype=np.int64)  # (84, 3)
"""Positions of the three weights 2 in each of the 84 kernels."""

PAIRS = np.unique(INDICES[:, :2], axis=0)  # (28, 2): the first two of those positions
PAIR_OF = np.array([np.flatnonzero((PAIRS == k[:2]).all(axis=1))[0] for k in INDICES])
"""Row of :data:`PAIRS` holding each kernel's first two weights 2 (84,)."""

_CELLS = 8_000_000  # comparison cells per chunk (memory bound)


def fit_dilations(
    length: int, n_features: int, max_dilations_per_kernel: int
) -> tuple[Array, Array]:
    """Return the dilations and the number of features of each (paper, sec. 3.2)."""
    n_kernels = len(INDICES)
    per_kernel = n_features // n_kernels
    true_max = min(per_kernel, max_dilations_per_kernel)
    multiplier = per_kernel / true_max
    max_exponent = np.log2(max(length - 1, 1) / (9 - 1))
    dilations, counts = np.unique(
        np.logspace(0, max(max_exponent, 0.0), true_max, base=2).astype(np.int32),
        return_counts=True,
    )
    counts = (counts * multiplier).astype(np.int64)
    remainder = per_kernel - counts.sum()
    i = 0
    while remainder > 0:
        counts[i] += 1
        remainder -= 1
        i = (i + 1) % len(counts)
    return dilations.astype(np.int64), counts


def quantiles(n: int) -> Array:
    """Low-discrepancy quantiles ``(k · φ) mod 1`` for ``k = 1..n``."""
    out: Array = (np.arange(1, n + 1) * ((np.sqrt(5) + 1) / 2)) % 1
    return out


def _shifted(X: Array, dilation: int) -> Array:
    """Return nine copies of X (N, ch, L), shifted by (j - 4)·d: (9, N, ch, L)."""
    out = np.zeros((9, *X.shape), dtype=np.float32)
    L = X.shape[-1]
    for j in range(9):
        s = (j - 4) * dilation
        if s >= 0 and s < L:
            out[j, ..., : L - s] = X[..., s:]
        elif s < 0 and -s < L:
            out[j, ..., -s:] = X[..., : L + s]
    return out


def _taps(X: Array, dilation: int) -> tuple[Array, Array]:
    """Return ``A = -Σ_j X_j`` (N, ch, L) and ``G = 3 X_j`` (9, N, ch, L).

    ``X_j`` is X shifted by ``(j - 4)·d``; kernel ``(a, b, e)`` outputs
    ``A + G_a + G_b + G_e``. The sum runs in tap order, one float32 addition
    at a time, exactly as the compiled loop does.
    """
    G = _shifted(X, dilation)
    total = np.zeros(X.shape, dtype=np.float32)
    for j in range(9):
        total += G[j]
    G *= 3.0
    return -total, G


def _sum_channels(C: Array, channels: Array) -> Array:
    """Sum each kernel's masked channels: C (84, N, ch, L), mask (84, ch) -> (84, N, L).

    Channels are added one at a time in channel order, as in the compiled loop
    (so the float32 sums agree bit for bit).
    """
    if C.shape[2] == 1:
        out: Array = C[:, :, 0, :]
        return out
    out = np.zeros((C.shape[0], C.shape[1], C.shape[3]), dtype=np.float32)
    for c in range(C.shape[2]):
        picked = channels[:, c] > 0
        out[picked] += C[picked, :, c, :]
    return out


def _convolve(X: Array, dilation: int, channels: Array) -> Array:
    """All 84 kernel outputs, channels summed: X (N, ch, L) -> (84, N, L)."""
    A, G = _taps(X, dilation)
    C: Array = A[None] + G[INDICES[:, 0]]
    C += G[INDICES[:, 1]]
    C += G[INDICES[:, 2]]
    return _sum_channels(C, channels)


def _diagonal(X: Array, dilation: int, channels: Array) -> Array:
    """Kernel ``k``'s output on series ``k`` of ``X`` ``(84, ch, L)``: ``(84, L)``.

    The same sums as ``_convolve(X, dilation, channels)[k, k]``, without the
    83 other series per kernel.
    """
    A, G = _taps(X, dilation)
    rows = np.arange(len(INDICES))
    C: Array = A + G[INDICES[:, 0], rows]
    C += G[INDICES[:, 1], rows]
    C += G[INDICES[:, 2], rows]
    return _sum_channels(C[:, None], channels)[:, 0]


def fit_minirocket(
    X: Array,
    lengths: Array,
    n_features: int,
    max_dilations_per_kernel: int,
    rng: np.random.Generator,
) -> dict[str, Array]:
    """Learn dilations, channel subsets and biases from training series.

    Parameters
    ----------
    X : ndarray of shape (N, ch, L)
        Zero-padded training series.
    lengths : ndarray of shape (N,)
        True length of each series.
    n_features, max_dilations_per_kernel : int
        As in the paper (defaults 10,000 and 32 give 9,996 features).
    rng : numpy.random.Generator
        Draws the example behind each bias and the channel subsets.

    Returns
    -------
    dict
        ``dilations``, ``features_per_dilation``, ``channels`` (a
        ``(n_dilations, 84, ch)`` 0/1 mask) and ``biases`` (float32).
    """
    n_channels, L = X.shape[1], X.shape[2]
    dilations, per_dilation = fit_dilations(L, n_features, max_dilations_per_kernel)
    shape = (len(dilations), len(INDICES))
    channels = np.ones((*shape, n_channels))
    if n_channels > 1:  # 1 to min(ch, 9) channels per kernel, log-uniformly
        top = min(n_channels, 9)
        sizes = (2 ** rng.uniform(0, np.log2(top + 1), shape)).astype(int)
        # a uniformly random subset of each size: the channels of lowest rank
        ranks = np.argsort(np.argsort(rng.random(channels.shape), axis=-1), axis=-1)
        channels = (ranks < sizes[..., None]).astype(float)
    candidates = np.flatnonzero(np.asarray(lengths) > 0)  # empty series have no values
    examples = candidates[rng.integers(len(candidates), size=shape)]
    q = quantiles(int(per_dilation.sum()) * len(INDICES))
    biases = fit_biases(X, lengths, dilations, per_dilation, channels, examples, q)
    return {
        "dilations": dilations,
        "features_per_dilation": per_dilation,
        "channels": channels,
        "biases": biases,
    }


def fit_biases(
    X: Array,
    lengths: Array,
    dilations: Array,
    per_dilation: Array,
    channels: Array,
    examples: Array,
    q: Array,
) -> Array:
    """Return float32 biases: quantiles ``q`` of each kernel's output on its example.

    Kernel ``k`` at dilation ``d`` uses training series ``examples[d, k]``,
    over that series' own positions; the quantiles interpolate linearly
    between order statistics (NumPy's default). With numba the outputs come
    from the compiled loop of :mod:`._minirocket_kernels`, bit for bit the
    same as :func:`_diagonal`'s.
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    lengths = np.asarray(lengths, dtype=np.int64)
    examples = np.asarray(examples, dtype=np.int64)
    compiled = numba_enabled()
    biases = np.empty(len(q), dtype=np.float32)
    start = 0
    for d, dilation in enumerate(dilations):
        if compiled:
            C = np.empty((len(INDICES), X.shape[-1]), dtype=np.float32)
            mask = np.ascontiguousarray(channels[d] > 0)
            diagonal_compiled(X, examples[d], int(dilation), INDICES, mask, C)
        else:
            C = _diagonal(X[examples[d]], int(dilation), channels[d])  # (84, L)
        size = lengths[examples[d]]  # (84,)
        C[np.arange(C.shape[1])[None, :] >= size[:, None]] = np.inf  # sorts last
        C.sort(axis=1)
        f = int(per_dilation[d])
        top = (size - 1)[:, None]  # (84, 1)
        position = q[start : start + len(INDICES) * f].reshape(-1, f) * top  # (84, f)
        lo = np.minimum(np.floor(position).astype(np.int64), top)
        hi = np.minimum(lo + 1, top)
        low = np.take_along_axis(C, lo, axis=1).astype(np.float64)
        high = np.take_along_axis(C, hi, axis=1)
        biases[start : start + len(INDICES) * f] = (
            low + (high - low) * (position - lo)
        ).ravel()
        start += len(INDICES) * f
    return biases


def transform(X: Array, lengths: Array, params: dict[str, Array]) -> Array:
    """Return float32 PPV features ``(N, F)``: the share of positions above each bias.

    Following the reference code, the convolutions of every other
    (dilation, kernel) pair use zero padding; the others count only the
    positions where the kernel lies inside the series (falling back to
    padding when the series is too short for that dilation). Arithmetic is
    float32, as in the reference code. With numba the compiled loop of
    :mod:`._minirocket_kernels` computes the same features bit for bit,
    on :func:`seqpred._numba.n_threads` threads (blocks of series; the loop
    releases the GIL); without, the vectorised NumPy version below.
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    lengths = np.asarray(lengths, dtype=np.int64)
    if not numba_enabled():
        return transform_numpy(X, lengths, params)
    out = np.empty((X.shape[0], len(params["biases"])), dtype=np.float32)
    dilations = np.asarray(params["dilations"], dtype=np.int64)
    per_dilation = np.asarray(params["features_per_dilation"], dtype=np.int64)
    channels = np.ascontiguousarray(params["channels"] > 0)
    biases = np.ascontiguousarray(params["biases"], dtype=np.float32)

    def run(rows: slice) -> None:
        transform_compiled(
            X[rows], lengths[rows], INDICES, PAIRS, PAIR_OF, dilations,
            per_dilation, channels, biases, out[rows],
        )  # fmt: skip

    n_blocks = min(n_threads(), len(X))
    if n_blocks <= 1:
        run(slice(None))
        return out
    bounds = np.linspace(0, len(X), n_blocks + 1).astype(int)
    with ThreadPoolExecutor(n_blocks) as pool:  # numba releases the GIL
        list(pool.map(run, [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]))
    return out


def transform_numpy(X: Array, lengths: Array, params: dict[str, Array]) -> Array:
    """:func:`transform` in vectorised NumPy (the path without numba)."""
    X = np.asarray(X, dtype=np.float32)
    n, _, L = X.shape
    dilations, per_dilation = params["dilations"], params["features_per_dilation"]
    biases = np.asarray(params["biases"], dtype=np.float32)
    out = np.zeros((n, len(biases)), dtype=np.float32)
    positions = np.arange(L)
    # the largest temporary is the (84, n, channels, L) kernel output
    step = max(1, _CELLS // max(1, len(INDICES) * L * X.shape[1]))
    for lo in range(0, n, step):
        chunk, lens = X[lo : lo + step], lengths[lo : lo + step]
        start = 0
        for d, dilation in enumerate(dilations):
            C = _convolve(chunk, int(dilation), params["channels"][d])
            f = int(per_dilation[d])
            pad = 4 * int(dilation)
            full = positions[None, :] < lens[:, None]  # (n, L)
            inner = full & (positions[None, :] >= pad)
            inner &= positions[None, :] < (lens - pad)[:, None]
            inner = np.where(inner.any(axis=1, keepdims=True), inner, full)
            for k in range(len(INDICES)):
                b = biases[start + k * f : start + (k + 1) * f]  # (f,)
                mask = full if (d + k) % 2 == 0 else inner  # padding alternates
                denom = np.maximum(mask.sum(axis=1), 1)[:, None]
                out[lo : lo + step, start + k * f : start + (k + 1) * f] = (
                    _count_above(C[k], mask, b) / denom
                )
            start += len(INDICES) * f
    return out


def _count_above(values: Array, mask: Array, biases: Array) -> Array:
    """Per row, how many masked ``values`` exceed each bias: ``(n, f)``.

    Each value is placed among the sorted biases by one binary search, so the
    cost is ``O(n L log f)`` rather than the ``O(n L f)`` of comparing every
    value with every bias; a histogram of the placements, summed from the top,
    gives the counts.
    """
    n, f = values.shape[0], len(biases)
    order = np.argsort(biases, kind="stable")
    below = np.searchsorted(biases[order], values, side="left")  # biases < value
    rows = np.broadcast_to(np.arange(n)[:, None] * (f + 1), below.shape)
    hist = np.bincount((rows + below)[mask], minlength=n * (f + 1)).reshape(n, f + 1)
    above_sorted = np.cumsum(hist[:, ::-1], axis=1)[:, ::-1][:, 1:]
    counts = np.empty((n, f), dtype=np.int64)
    counts[:, order] = above_sorted
    return counts
