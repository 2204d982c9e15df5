"""Benchmark forecasters: naive, seasonal naive, drift and mean.

Each is local (it reads only the history it forecasts from), has nothing to
learn, and gives Gaussian intervals from its in-sample residuals with the
textbook variance growth (Hyndman and Athanasopoulos, *Forecasting:
Principles and Practice*, 3rd ed., section 5.5, table 5.2).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.forecast._ragged import (
    lag_rms,
    last_values,
    series_means,
    steps_ahead,
)
from seqpred.models.forecast._statistics import SeriesStatistics
from seqpred.models.forecast.base import ForecasterMixin
from seqpred.models.forecast.seasonality import resolve_season_lengths

__all__ = ["DriftForecaster", "MeanForecaster", "NaiveForecaster", "SeasonalNaive"]

_TAGS = Tags(input_kind="numeric")
_HORIZON = {"horizon": [Interval(int, 1, None)]}


class _Baseline(SeriesStatistics, ForecasterMixin):
    """A baseline: nothing to learn beyond the stored training series.

    Its statistics are those series (:mod:`seqpred.models.mergeable`).
    """

    _tags: ClassVar[Tags] = _TAGS

    def _fit(self, ss: SequenceSet) -> None:
        return None


class NaiveForecaster(_Baseline):
    """Forecast every future step as the last observed value (random walk).

    Parameters
    ----------
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    The interval at step ``k`` is Gaussian with standard deviation
    ``sigma * sqrt(k)``, ``sigma`` the RMS of the history's one-step changes.

    Examples
    --------
    >>> import numpy as np
    >>> model = NaiveForecaster().fit([np.array([1.0, 2.0, 4.0])])
    >>> model.predict(horizon=2)[0, :, 0].tolist()
    [4.0, 4.0]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = dict(_HORIZON)

    def __init__(self, horizon: int = 1) -> None:
        self.horizon = horizon

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        k = steps_ahead(horizon)
        last = last_values(ss)[:, None, :]  # (N, 1, F)
        sigma = lag_rms(ss, 1)[:, None, :]
        return np.repeat(last, horizon, axis=1), sigma * np.sqrt(k)


class SeasonalNaive(_Baseline):
    """Forecast each step as the value one season earlier.

    Parameters
    ----------
    season_length : int or "auto", default=1
        The season ``m`` in steps (24 for hourly data with a daily cycle);
        1 is the naive forecast. "auto" takes it from a datetime index, else
        detects it in each series (see
        :mod:`seqpred.models.forecast.seasonality`), 1 where none shows.
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    season_lengths_ : ndarray of shape (n_channels,)
        The season of each training channel (series x feature).
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    Step ``k`` repeats ``y[T + k - m * (floor((k - 1) / m) + 1)]``. The
    interval's standard deviation is ``sigma * sqrt(floor((k - 1) / m) + 1)``,
    ``sigma`` the RMS of the history's changes over one season. A history
    needs at least ``season_length`` steps. This is the M4 competition's
    "sNaive" benchmark. With "auto", each history's season is detected
    again when it is forecast.

    Examples
    --------
    >>> import numpy as np
    >>> model = SeasonalNaive(season_length=3).fit([np.arange(6.0)])
    >>> model.predict(horizon=4)[0, :, 0].tolist()
    [3.0, 4.0, 5.0, 3.0]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "season_length": [Options({"auto"}), Interval(int, 1, None)],
        **_HORIZON,
    }

    def __init__(self, season_length: int | str = 1, *, horizon: int = 1) -> None:
        self.season_length = season_length
        self.horizon = horizon

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"season_length": 4},
            {"season_length": 1, "horizon": 3},
            {"season_length": "auto"},
        ]

    def _min_history(self) -> int:
        return 1 if self.season_length == "auto" else int(self.season_length)

    def _fit(self, ss: SequenceSet) -> None:
        self.season_lengths_ = resolve_season_lengths(
            ss, self.season_length, min_cycles=1.0
        )

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        lengths = resolve_season_lengths(ss, self.season_length, min_cycles=1.0)
        lengths = lengths.reshape(len(ss), ss.n_features)
        mean = np.empty((len(ss), horizon, ss.n_features))
        std = np.empty_like(mean)
        steps = np.arange(horizon)
        for m in np.unique(lengths):
            index = ss.offsets[1:, None] - m + (steps % m)[None, :]  # (N, h)
            cycles = (steps // m + 1).astype(np.float64)[None, :, None]
            sigma = lag_rms(ss, int(m))[:, None, :]
            use = (lengths == m)[:, None, :]  # the channels with this season
            mean = np.where(use, ss.values[np.maximum(index, 0)], mean)
            std = np.where(use, sigma * np.sqrt(cycles), std)
        return mean, std


class DriftForecaster(_Baseline):
    """Extend the line through the first and last observations (random walk with drift).

    Parameters
    ----------
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    Step ``k`` is ``y_T + k (y_T - y_1) / (T - 1)`` (no drift when ``T = 1``);
    the interval's standard deviation is ``sigma * sqrt(k (1 + k / T))``.

    Examples
    --------
    >>> import numpy as np
    >>> model = DriftForecaster().fit([np.array([1.0, 2.0, 4.0])])
    >>> model.predict(horizon=2)[0, :, 0].tolist()
    [5.5, 7.0]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = dict(_HORIZON)

    def __init__(self, horizon: int = 1) -> None:
        self.horizon = horizon

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        k = steps_ahead(horizon)
        first = ss.values[ss.offsets[:-1]]
        last = last_values(ss)
        steps = np.maximum(ss.lengths - 1, 1).astype(np.float64)[:, None]
        slope = (last - first) / steps  # (N, F); 0 for one-step series
        sigma = lag_rms(ss, 1, shift=slope)[:, None, :]
        t = ss.lengths.astype(np.float64)[:, None, None]
        mean = last[:, None, :] + k * slope[:, None, :]
        return mean, sigma * np.sqrt(k * (1 + k / t))


class MeanForecaster(_Baseline):
    """Forecast every step as the mean of the history.

    Parameters
    ----------
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    The interval's standard deviation is ``sigma * sqrt(1 + 1 / T)`` at every
    step, ``sigma`` the RMS deviation of the history from its mean.

    Examples
    --------
    >>> import numpy as np
    >>> model = MeanForecaster().fit([np.array([1.0, 2.0, 6.0])])
    >>> model.predict(horizon=2)[0, :, 0].tolist()
    [3.0, 3.0]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = dict(_HORIZON)

    def __init__(self, horizon: int = 1) -> None:
        self.horizon = horizon

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        means = series_means(ss)  # (N, F)
        deviations = ss.values - means[ss.sequence_index]
        spread = np.sqrt(series_means(SequenceSet(deviations**2, ss.offsets)))
        t = ss.lengths.astype(np.float64)[:, None]
        std = spread * np.sqrt(1 + 1 / t)
        ones = np.ones((1, horizon, 1))
        return means[:, None, :] * ones, std[:, None, :] * ones
