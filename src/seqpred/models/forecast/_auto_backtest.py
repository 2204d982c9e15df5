"""The validation of :class:`~seqpred.models.forecast.auto.AutoForecaster`.

Expanding-window backtests cut from the training series themselves: window
``w`` (1 = the latest) holds out the ``horizon`` steps that end ``(w - 1)
horizon`` steps before each series' end, and trains on everything before
them. A series takes part in a window when at least
:data:`MIN_TRAIN_STEPS` steps remain before the held-out ones. Each held-out
stretch is scored per series by MASE (scaled by the in-sample
seasonal-naive error of the steps before it, as in the M4 competition) and
sMAPE, averaged over the series' windows.

Shapes: N series, n series of a window, h horizon steps, F features.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet

__all__ = ["MIN_TRAIN_STEPS", "Window", "average_errors", "combine", "make_windows"]

MIN_TRAIN_STEPS = 6
"""Steps a series keeps before a held-out stretch to take part in a window."""


def combine(stack: Array, how: str) -> Array:
    """Return the ``"mean"`` or ``"median"`` over the first axis of ``stack``.

    Examples
    --------
    >>> combine(np.array([[1.0], [2.0], [9.0]]), "median").tolist()
    [2.0]
    """
    if how == "median":
        return np.asarray(np.median(stack, axis=0))
    return np.asarray(stack.mean(axis=0))


@dataclass
class Window:
    """One backtest window: which series, their training parts, what follows.

    Attributes
    ----------
    rows : ndarray of shape (n,)
        Indices of the series that take part (into the training series).
    train : SequenceSet
        Their steps before the held-out stretch (time stamps kept).
    truth : ndarray of shape (n, h, F)
        The held-out values.
    scale : ndarray of shape (n, F)
        The MASE scale of each channel: the mean absolute change over its
        season length in ``train`` (over one step when the part is shorter
        than a season; the mean absolute value, else 1, when that is 0).
    """

    rows: Array
    train: SequenceSet
    truth: Array
    scale: Array

    def errors(self, forecast: Array) -> tuple[Array, Array]:
        """Return per series ``(MASE, sMAPE)``, each ``(n,)``, of ``forecast``.

        ``forecast`` is ``(n, h, F)``, aligned with ``truth``.
        """
        error = np.abs(self.truth - forecast)
        mase = (error / self.scale[:, None, :]).mean(axis=(1, 2))
        denominator = np.abs(self.truth) + np.abs(forecast)
        ratio = np.divide(
            error, denominator, out=np.zeros_like(error), where=denominator > 0
        )
        return mase, 200.0 * ratio.mean(axis=(1, 2))


def make_windows(
    ss: SequenceSet, horizon: int, n_windows: int, season_lengths: Array
) -> list[Window]:
    """Return the backtest windows of ``ss``, latest first.

    Windows no series is long enough for are left out.

    ``season_lengths`` holds one season length per channel ``(N F,)``: the
    lag of each channel's MASE scale.

    Examples
    --------
    >>> ss = SequenceSet.from_lists([np.arange(12.0), np.arange(9.0)], kind="numeric")
    >>> [w.rows.tolist() for w in make_windows(ss, 2, 2, np.ones(2, dtype=int))]
    [[0, 1], [0]]
    """
    out = []
    lags = np.asarray(season_lengths, dtype=np.int64).reshape(len(ss), ss.n_features)
    for w in range(1, n_windows + 1):
        cut = w * horizon
        rows = np.flatnonzero(ss.lengths - cut >= MIN_TRAIN_STEPS)
        if not len(rows):
            continue
        part = ss.take(rows)
        train = part.slice_steps(None, -cut)
        ends = part.offsets[1:] - cut  # first held-out step of each series
        truth = part.values[ends[:, None] + np.arange(horizon)[None, :]]
        scale = np.empty((len(rows), ss.n_features))
        for i, series in enumerate(train):
            for j in range(ss.n_features):
                scale[i, j] = _scale(series[:, j], int(lags[rows[i], j]))
        out.append(Window(rows, train, truth, scale))
    return out


def _scale(y: Array, m: int) -> float:
    """Return the mean absolute change over ``m`` steps (see :class:`Window`)."""
    m = m if len(y) > m else 1
    scale = float(np.mean(np.abs(y[m:] - y[:-m]))) if len(y) > m else 0.0
    if not scale > 0:
        scale = float(np.mean(np.abs(y)))
    return scale if scale > 0 else 1.0


def average_errors(
    windows: Sequence[Window], forecasts: Sequence[Array], n_series: int
) -> tuple[Array, Array]:
    """Return per series ``(MASE, sMAPE)`` ``(N,)`` averaged over its windows.

    ``forecasts[w]`` is the ``(n, h, F)`` forecast of window ``w``; a series
    in no window gets NaN.
    """
    totals = np.zeros((2, n_series))
    counts = np.zeros(n_series)
    for window, forecast in zip(windows, forecasts):
        mase, smape = window.errors(forecast)
        totals[0, window.rows] += mase
        totals[1, window.rows] += smape
        counts[window.rows] += 1
    with np.errstate(invalid="ignore", divide="ignore"):
        means = totals / counts
    return means[0], means[1]
