"""The MiniRocket transform and the outputs behind its biases as compiled loops.

:func:`transform_compiled` and :func:`diagonal_compiled` compute exactly what
the vectorised NumPy functions of :mod:`seqpred.models.classify._minirocket`
compute — the same float32 operations in the same order, so the same
features and biases bit for bit — without their ``(84, N, channels, L)``
temporaries. Per series and dilation the nine shifted, tripled copies ``G``
and the negated tap sum ``A`` are built once, then the 28 pair sums
``(A + G_a) + G_b`` that the 84 kernels share, so each kernel's output is one
addition per position; its proportions of positive values (PPV) are counted
with 32-bit integers, which LLVM turns into 8-wide AVX2 compares (over
positions, or over biases when a series is shorter than twice the number of
biases). No fast-math flag is needed (no float reduction is reordered),
which is what keeps the two paths identical.

The loops are plain ``njit`` functions that release the GIL: the caller runs
blocks of series on threads (numba's ``parallel=True`` doubled the first-use
compile time and its cached load for no gain here). Without numba the NumPy
path is used instead (:func:`seqpred.models.classify._minirocket.transform`
decides).
"""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array

__all__ = ["diagonal_compiled", "transform_compiled"]


@maybe_njit
def _taps(x: Array, dilation: int, A: Array, G: Array) -> None:
    """Fill ``G[j] = 3 · shift(x, (j - 4)·d)`` and ``A = -Σ_j shift(x, ...)``.

    ``x`` is one series ``(ch, L)`` in float32; shifts pad with zeros. Every
    operation is a single float32 operation, as in the NumPy path.
    """
    n_channels, width = x.shape
    three = np.float32(3.0)
    zero = np.float32(0.0)
    for c in range(n_channels):
        for t in range(width):
            total = zero
            for j in range(9):
                u = t + (j - 4) * dilation
                s = x[c, u] if 0 <= u < width else zero
                G[j, c, t] = three * s
                total = np.float32(total + s)
            A[c, t] = -total


@maybe_njit
def _kernel_output(
    A: Array, G: Array, a: int, b: int, e: int, mask: Array, values: Array
) -> None:
    """One kernel's output ``((A + G_a) + G_b) + G_e``, summed over masked channels."""
    n_channels, width = A.shape
    values[:] = np.float32(0.0)
    for c in range(n_channels):
        if mask[c]:
            for t in range(width):
                v = A[c, t] + G[a, c, t] + G[b, c, t] + G[e, c, t]
                values[t] = values[t] + v


@maybe_njit
def _pair_sums(A: Array, G: Array, pairs: Array, P: Array) -> None:
    """Fill ``P[p] = (A + G_a) + G_b`` for each pair ``(a, b)`` of ``pairs``.

    The 84 kernels share 28 such pairs, so each kernel output is then one
    addition ``P[p] + G_e`` per position instead of three; the float32 sums
    are the same, grouped as in :func:`_kernel_output`.
    """
    n_channels, width = A.shape
    for p in range(pairs.shape[0]):
        a, b = pairs[p, 0], pairs[p, 1]
        for c in range(n_channels):
            for t in range(width):
                P[p, c, t] = A[c, t] + G[a, c, t] + G[b, c, t]


@maybe_njit
def diagonal_compiled(
    X: Array,
    examples: Array,
    dilation: int,
    indices: Array,
    channels: Array,
    out: Array,
) -> None:
    """Write kernel ``k``'s output on series ``examples[k]`` of ``X`` into ``out[k]``.

    ``X`` is ``(N, ch, L)`` float32, ``channels`` the ``(84, ch)`` mask of one
    dilation and ``out`` ``(84, L)``: the convolutions whose quantiles are the
    biases.
    """
    n_channels, width = X.shape[1], X.shape[2]
    A = np.empty((n_channels, width), dtype=np.float32)
    G = np.empty((9, n_channels, width), dtype=np.float32)
    for k in range(indices.shape[0]):
        _taps(X[examples[k]], dilation, A, G)
        _kernel_output(
            A, G, indices[k, 0], indices[k, 1], indices[k, 2], channels[k], out[k]
        )


@maybe_njit
def transform_compiled(
    X: Array,
    lengths: Array,
    indices: Array,
    pairs: Array,
    pair_of: Array,
    dilations: Array,
    per_dilation: Array,
    channels: Array,
    biases: Array,
    out: Array,
) -> None:
    """Write the PPV features of every series of ``X`` ``(N, ch, L)`` into ``out``.

    Kernel ``k`` is the pair ``pairs[pair_of[k]]`` of weight-2 taps plus tap
    ``indices[k, 2]``.
    """
    n, n_channels, width = X.shape
    n_kernels = indices.shape[0]
    for i in range(n):
        length = lengths[i]
        A = np.empty((n_channels, width), dtype=np.float32)
        G = np.empty((9, n_channels, width), dtype=np.float32)
        P = np.empty((pairs.shape[0], n_channels, width), dtype=np.float32)
        values = np.empty(width, dtype=np.float32)
        counts = np.empty(per_dilation.max(), dtype=np.int32)
        start = 0
        for d in range(dilations.shape[0]):
            f = per_dilation[d]
            pad = 4 * dilations[d]
            _taps(X[i], dilations[d], A, G)
            _pair_sums(A, G, pairs, P)
            inner_lo, inner_hi = pad, length - pad
            if inner_hi <= inner_lo:  # too short for this dilation: pad as usual
                inner_lo, inner_hi = 0, length
            for k in range(n_kernels):
                p, e = pair_of[k], indices[k, 2]
                if n_channels == 1:
                    for t in range(width):
                        values[t] = P[p, 0, t] + G[e, 0, t]
                else:
                    values[:] = np.float32(0.0)
                    for c in range(n_channels):
                        if channels[d, k, c]:
                            for t in range(width):
                                values[t] = values[t] + (P[p, c, t] + G[e, c, t])
                lo, hi = (0, length) if (d + k) % 2 == 0 else (inner_lo, inner_hi)
                denom = max(hi - lo, 1)
                column = start + k * f
                # slices: a loop from 0 vectorises, one from lo does not
                window, cuts = values[lo:hi], biases[column : column + f]
                if window.shape[0] < 2 * f:  # short series: vectorise over biases
                    counts[:f] = 0
                    for t in range(window.shape[0]):
                        v = window[t]
                        for q in range(f):
                            counts[q] = np.int32(counts[q] + np.int32(v > cuts[q]))
                    for q in range(f):
                        out[i, column + q] = counts[q] / denom
                    continue
                for q in range(f):  # otherwise over positions, one bias at a time
                    bias = cuts[q]
                    count = np.int32(0)  # 32-bit lanes: 8 compares per AVX2 op
                    for t in range(window.shape[0]):
                        count = np.int32(count + np.int32(window[t] > bias))
                    out[i, column + q] = count / denom
            start += n_kernels * f
