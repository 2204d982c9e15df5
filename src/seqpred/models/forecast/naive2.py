"""Naive2: the naive forecast of the seasonally adjusted series (M4 benchmark)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.forecast.base import ForecasterMixin
from seqpred.models.forecast.seasonality import resolve_season_lengths

__all__ = ["Naive2", "is_seasonal", "seasonal_indices"]

_T_CRIT = 1.645  # one-sided 90% (the M4 benchmarks' choice)


def _acf(y: Array, max_lag: int) -> Array:
    """Autocorrelations at lags ``1 .. max_lag`` (R's ``acf``, biased)."""
    centred = y - y.mean()
    denom = float(centred @ centred)
    if denom == 0.0:
        return np.zeros(max_lag)
    return np.array(
        [float(centred[k:] @ centred[:-k]) / denom for k in range(1, max_lag + 1)]
    )


def is_seasonal(y: Array, season_length: int) -> bool:
    """Return whether ``y`` passes the M4 seasonality test at ``season_length``.

    The autocorrelation at lag ``m`` must exceed ``1.645 / sqrt(n) *
    sqrt(1 + 2 * sum(acf[1:m] ** 2))`` in absolute value; a series shorter
    than ``3 m``, or whose default R lag range ``10 log10(n)`` does not reach
    ``m``, is not seasonal (as in the M4 R benchmark code).

    Examples
    --------
    >>> t = np.arange(96)
    >>> is_seasonal(10 + np.sin(2 * np.pi * t / 12), 12), is_seasonal(t * 1.0, 1)
    (True, False)
    """
    n, m = len(y), int(season_length)
    if m <= 1 or n < 3 * m or m > int(np.floor(10 * np.log10(n))):
        return False
    acf = _acf(np.asarray(y, dtype=np.float64), m)
    limit = _T_CRIT / np.sqrt(n) * np.sqrt(1 + 2 * np.sum(acf[: m - 1] ** 2))
    return bool(abs(acf[m - 1]) > limit)


def seasonal_indices(y: Array, season_length: int) -> Array:
    """Return the multiplicative seasonal indices ``(m,)`` of ``y`` (classical).

    Index ``i`` applies to the steps ``t`` with ``t % m == i``, counted from
    the start of ``y``. The trend is R's centred moving average (weights
    ``[0.5, 1, ..., 1, 0.5] / m`` for even ``m``); the indices are the mean
    ratio to the trend at each position, normalised to average 1. Returns
    ones when ``y`` is not seasonal (:func:`is_seasonal`) or not positive.

    Examples
    --------
    >>> t = np.arange(48)
    >>> y = 10 * (1 + 0.5 * (t % 4 == 0))
    >>> np.round(seasonal_indices(y, 4), 3).tolist()
    [1.333, 0.889, 0.889, 0.889]
    """
    m = int(season_length)
    y = np.asarray(y, dtype=np.float64)
    if not is_seasonal(y, m) or (y <= 0).any():
        return np.ones(m)
    weights = np.ones(m + 1 - m % 2)
    if m % 2 == 0:
        weights[0] = weights[-1] = 0.5
    weights /= m
    half = len(weights) // 2
    trend = np.full(len(y), np.nan)
    trend[half : len(y) - half] = np.convolve(y, weights, mode="valid")
    ratio = y / trend
    padded = np.full(-(-len(y) // m) * m, np.nan)
    padded[: len(y)] = ratio
    figure = np.nanmean(padded.reshape(-1, m), axis=0)
    return np.asarray(figure / figure.mean())


class Naive2(ForecasterMixin):
    """Forecast the last seasonally adjusted value, re-seasonalised (M4's Naive2).

    Each history is tested for seasonality at ``season_length`` (the M4
    test, 90% one-sided); if seasonal, it is divided by multiplicative
    seasonal indices from a classical decomposition, forecast naively, and
    multiplied back by the indices of the future steps.

    Parameters
    ----------
    season_length : int or "auto", default=1
        The season ``m`` in steps (24 for hourly data); 1 is the naive
        forecast. "auto" takes it from a datetime index, else detects it in
        each series (see :mod:`seqpred.models.forecast.seasonality`).
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    season_lengths_ : ndarray of shape (n_channels,)
        The season each training channel (series x feature) was tested at.
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    Local and per feature; a loop over series in Python (the test and the
    decomposition cost O(T m) per series). Non-positive series are left
    unadjusted (multiplicative indices need positive data). The interval is
    the naive one on the adjusted series (``sigma * sqrt(k)``) times the
    seasonal index.

    References
    ----------
    .. [1] S. Makridakis, E. Spiliotis, V. Assimakopoulos, "The M4
       Competition: 100,000 time series and 61 forecasting methods",
       International Journal of Forecasting 36(1), 2020 (benchmark Naive2).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(48)
    >>> y = 10 * (1 + 0.5 * (t % 4 == 0))
    >>> Naive2(season_length=4).fit([y]).predict(horizon=4)[0, :, 0].round(6).tolist()
    [15.0, 10.0, 10.0, 10.0]
    """

    _tags: ClassVar[Tags] = Tags(input_kind="numeric")
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "season_length": [Options({"auto"}), Interval(int, 1, None)],
        "horizon": [Interval(int, 1, None)],
    }

    def __init__(self, season_length: int | str = 1, *, horizon: int = 1) -> None:
        self.season_length = season_length
        self.horizon = horizon

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"season_length": 4, "horizon": 2}, {"season_length": "auto"}]

    def _fit(self, ss: SequenceSet) -> None:
        self.season_lengths_ = resolve_season_lengths(ss, self.season_length)

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        lengths = resolve_season_lengths(ss, self.season_length)
        mean = np.empty((len(ss), horizon, ss.n_features))
        std = np.empty_like(mean)
        k = np.arange(1, horizon + 1)
        for i, series in enumerate(ss):
            n = len(series)
            for j in range(ss.n_features):
                y = series[:, j]
                m = int(lengths[i * ss.n_features + j])
                index = seasonal_indices(y, m)
                adjusted = y / index[np.arange(n) % m]
                future = index[(n + k - 1) % m]
                changes = np.diff(adjusted)
                sigma = float(np.sqrt(np.mean(changes**2))) if n > 1 else 0.0
                mean[i, :, j] = adjusted[-1] * future
                std[i, :, j] = sigma * np.sqrt(k) * future
        return mean, std
