"""Per-series statistics of ragged numeric series, vectorised over all series."""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet

__all__ = ["last_values", "lag_rms", "series_means", "steps_ahead"]


def _per_series_sum(ss: SequenceSet, index: Array, weights: Array) -> Array:
    """Sum ``weights`` ``(M, F)`` by the series of steps ``index``; ``(N, F)``."""
    seq = ss.sequence_index[index]
    n = len(ss)
    return np.stack(
        [
            np.bincount(seq, weights=weights[:, j], minlength=n)
            for j in range(weights.shape[1])
        ],
        axis=1,
    )


def last_values(ss: SequenceSet, back: int = 1) -> Array:
    """Return the value ``back`` steps from the end of each series, ``(N, F)``."""
    return np.asarray(ss.values[ss.offsets[1:] - back])


def series_means(ss: SequenceSet) -> Array:
    """Return each series' mean, ``(N, F)`` (series must be non-empty)."""
    index = np.arange(ss.n_steps)
    sums = _per_series_sum(ss, index, ss.values)
    return np.asarray(sums / ss.lengths[:, None])


def lag_rms(ss: SequenceSet, lag: int, shift: Array | None = None) -> Array:
    """Return the RMS of ``y[t] - y[t - lag] - shift`` within each series, ``(N, F)``.

    ``shift`` ``(N, F)`` is subtracted per series (a drift); a series with no
    pair at that lag gets 0.
    """
    index = np.flatnonzero(ss.positions >= lag)
    diff = ss.values[index] - ss.values[index - lag]
    if shift is not None:
        diff = diff - shift[ss.sequence_index[index]]
    sums = _per_series_sum(ss, index, diff**2)
    counts = np.bincount(ss.sequence_index[index], minlength=len(ss))[:, None]
    return np.asarray(np.sqrt(sums / np.maximum(counts, 1)))


def steps_ahead(horizon: int) -> Array:
    """Return ``1 .. horizon`` shaped ``(1, h, 1)`` for broadcasting."""
    return np.arange(1, horizon + 1, dtype=np.float64)[None, :, None]
