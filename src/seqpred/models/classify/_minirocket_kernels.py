"""The MiniRocket transform as one compiled loop over series (numba).

:func:`transform_compiled` computes exactly what
:func:`seqpred.models.classify._minirocket.transform` computes — the same
sums in the same order, so the same features bit for bit — without the
``(84, N, channels, L)`` temporaries of the vectorised version: per series
and dilation it builds the nine shifted copies once, then each kernel's
output and its proportions of positive values. Series run in parallel on
numba's threads. Without numba the vectorised NumPy path is used instead
(:func:`seqpred.models.classify._minirocket.transform` decides).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._numba import maybe_parallel, prange

__all__ = ["transform_compiled"]

Array = np.ndarray[Any, Any]


@maybe_parallel
def transform_compiled(
    X: Array,
    lengths: Array,
    indices: Array,
    dilations: Array,
    per_dilation: Array,
    channels: Array,
    biases: Array,
    out: Array,
) -> None:
    """Write the PPV features of every series of ``X`` ``(N, ch, L)`` into ``out``."""
    n, n_channels, width = X.shape
    n_kernels = indices.shape[0]
    for i in prange(n):
        length = lengths[i]
        shifted = np.zeros((9, n_channels, width))
        total = np.empty((n_channels, width))
        values = np.empty(width)
        start = 0
        for d in range(dilations.shape[0]):
            dilation = dilations[d]
            f = per_dilation[d]
            pad = 4 * dilation
            for j in range(9):
                s = (j - 4) * dilation
                for c in range(n_channels):
                    for t in range(width):
                        u = t + s
                        shifted[j, c, t] = X[i, c, u] if 0 <= u < width else 0.0
            for c in range(n_channels):
                for t in range(width):
                    acc = shifted[0, c, t]
                    for j in range(1, 9):
                        acc += shifted[j, c, t]
                    total[c, t] = acc
            inner_lo, inner_hi = pad, length - pad
            if inner_hi <= inner_lo:  # too short for this dilation: pad as usual
                inner_lo, inner_hi = 0, length
            for k in range(n_kernels):
                a, b, e = indices[k, 0], indices[k, 1], indices[k, 2]
                for t in range(width):
                    acc = 0.0
                    for c in range(n_channels):
                        v = shifted[a, c, t] + shifted[b, c, t]
                        v += shifted[e, c, t]
                        v *= 3.0
                        v -= total[c, t]
                        acc += v * channels[d, k, c]
                    values[t] = acc
                lo, hi = (0, length) if (d + k) % 2 == 0 else (inner_lo, inner_hi)
                denom = max(hi - lo, 1)
                column = start + k * f
                for q in range(f):
                    bias = biases[column + q]
                    count = 0
                    for t in range(lo, hi):
                        if values[t] > bias:
                            count += 1
                    out[i, column + q] = count / denom
            start += n_kernels * f
