"""The MiniRocket transform in vectorised NumPy (Dempster, Schmidt, Webb 2021).

Kernels have length 9 and weights -1 except three positions of weight 2; the
84 kernels are the 84 choices of those three positions. Because the weights
are fixed, a convolution is ``C = -sum_j X_j + 3 (X_a + X_b + X_c)`` where
``X_j`` is the series shifted by ``(j - 4) · dilation`` with zero padding:
nine shifted copies serve all 84 kernels at once.

Series are stored padded to ``(N, channels, L)`` with their lengths; every
count is restricted to a series' own positions, so unequal lengths and
prefixes are handled exactly (a series of the maximum length is transformed
as in the reference implementation).
"""

from __future__ import annotations

from itertools import combinations
from typing import Any

import numpy as np

from seqpred._numba import numba_enabled
from seqpred.models.classify._minirocket_kernels import transform_compiled

__all__ = [
    "INDICES",
    "fit_dilations",
    "fit_minirocket",
    "quantiles",
    "transform",
    "transform_numpy",
]

Array = np.ndarray[Any, Any]

INDICES = np.array(list(combinations(range(9), 3)), dtype=np.int64)  # (84, 3)
"""Positions of the three weights 2 in each of the 84 kernels."""

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
    out = np.zeros((9, *X.shape))
    L = X.shape[-1]
    for j in range(9):
        s = (j - 4) * dilation
        if s >= 0 and s < L:
            out[j, ..., : L - s] = X[..., s:]
        elif s < 0 and -s < L:
            out[j, ..., -s:] = X[..., : L + s]
    return out


def _convolve(X: Array, dilation: int) -> Array:
    """All 84 kernel outputs per channel: (84, N, ch, L)."""
    S = _shifted(X, dilation)
    out: Array = S[INDICES[:, 0]]  # the three taps of weight 2 = -1 + 3, in place
    out += S[INDICES[:, 1]]
    out += S[INDICES[:, 2]]
    out *= 3.0
    out -= S.sum(axis=0)[None]  # every tap also has weight -1
    return out


def _combine(C: Array, channels: Array) -> Array:
    """Sum each kernel's channels: C (84, N, ch, L), mask (84, ch) -> (84, N, L)."""
    out: Array = np.einsum("knpl,kp->knl", C, channels)
    return out


def _diagonal(X: Array, dilation: int, channels: Array) -> Array:
    """Kernel ``k``'s output on series ``k`` of ``X`` ``(84, ch, L)``: ``(84, L)``.

    The same sums as ``_combine(_convolve(X, dilation), channels)[k, k]``,
    without the 83 other series per kernel.
    """
    S = _shifted(X, dilation)  # (9, 84, ch, L)
    rows = np.arange(len(INDICES))
    C: Array = S[INDICES[:, 0], rows]
    C += S[INDICES[:, 1], rows]
    C += S[INDICES[:, 2], rows]
    C *= 3.0
    C -= S.sum(axis=0)
    out: Array = np.einsum("kpl,kp->kl", C, channels)
    return out


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
        ``(n_dilations, 84, ch)`` 0/1 mask) and ``biases``.
    """
    n, n_channels, L = X.shape
    dilations, per_dilation = fit_dilations(L, n_features, max_dilations_per_kernel)
    channels = np.ones((len(dilations), len(INDICES), n_channels))
    if n_channels > 1:
        top = min(n_channels, 9)
        sizes = (2 ** rng.uniform(0, np.log2(top + 1), channels.shape[:2])).astype(int)
        channels[:] = 0.0
        for d in range(len(dilations)):
            for k in range(len(INDICES)):
                picked = rng.choice(n_channels, sizes[d, k], replace=False)
                channels[d, k, picked] = 1.0
    q = quantiles(int(per_dilation.sum()) * len(INDICES))
    biases = np.empty(len(q))
    start = 0
    for d, dilation in enumerate(dilations):
        examples = rng.integers(n, size=len(INDICES))
        C = _diagonal(X[examples], int(dilation), channels[d])  # kernel k, example k
        for k in range(len(INDICES)):
            stop = start + per_dilation[d]
            row = C[k, : lengths[examples[k]]]
            biases[start:stop] = np.quantile(row, q[start:stop])
            start = stop
    return {
        "dilations": dilations,
        "features_per_dilation": per_dilation,
        "channels": channels,
        "biases": biases,
    }


def transform(X: Array, lengths: Array, params: dict[str, Array]) -> Array:
    """Return PPV features ``(N, n_features)``: the share of positions above each bias.

    Following the reference code, the convolutions of every other
    (dilation, kernel) pair use zero padding; the others count only the
    positions where the kernel lies inside the series (falling back to
    padding when the series is too short for that dilation). With numba the
    compiled loop of :mod:`._minirocket_kernels` computes the same features;
    without, the vectorised NumPy version below.
    """
    if not numba_enabled():
        return transform_numpy(X, lengths, params)
    out = np.zeros((X.shape[0], len(params["biases"])))
    transform_compiled(
        np.ascontiguousarray(X, dtype=np.float64),
        np.asarray(lengths, dtype=np.int64),
        INDICES,
        np.asarray(params["dilations"], dtype=np.int64),
        np.asarray(params["features_per_dilation"], dtype=np.int64),
        np.ascontiguousarray(params["channels"], dtype=np.float64),
        np.ascontiguousarray(params["biases"], dtype=np.float64),
        out,
    )
    return out


def transform_numpy(X: Array, lengths: Array, params: dict[str, Array]) -> Array:
    """:func:`transform` in vectorised NumPy (the path without numba)."""
    n, _, L = X.shape
    dilations, per_dilation = params["dilations"], params["features_per_dilation"]
    biases = params["biases"]
    out = np.zeros((n, len(biases)))
    positions = np.arange(L)
    # the largest temporary is the (84, n, channels, L) kernel output
    step = max(1, _CELLS // max(1, len(INDICES) * L * X.shape[1]))
    for lo in range(0, n, step):
        chunk, lens = X[lo : lo + step], lengths[lo : lo + step]
        start = 0
        for d, dilation in enumerate(dilations):
            C = _combine(_convolve(chunk, int(dilation)), params["channels"][d])
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
