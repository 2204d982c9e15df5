"""Numeric forecasting: one series or many, univariate or multivariate.

Every forecaster shares :class:`ForecasterMixin`: ``fit(series)``,
``predict(X=None, horizon=h)`` returning ``(N, h, F)`` (``X=None`` continues
the training series), ``predict_distribution``, ``predict_quantiles``,
``predict_interval``, ``forecast`` (a tidy polars frame with ``series``,
``step``, ``feature``, ``mean``, ``lower``, ``upper``) and ``score``.

Baselines: :class:`NaiveForecaster`, :class:`SeasonalNaive`,
:class:`DriftForecaster`, :class:`MeanForecaster`, :class:`Naive2`. Linear
models on windows (global, channel independent, closed form): :class:`AR`
and :class:`DLinear`, with the recursive, direct or multi-output strategy;
:class:`SETAR`, a two-regime threshold autoregression; :class:`MLPForecaster`,
an ensemble of small networks on windows (torch to fit).
:func:`~seqpred.evaluate.forecast.backtest` runs rolling-origin backtests.

Examples
--------
>>> import numpy as np
>>> from seqpred.tasks.forecast import SeasonalNaive
>>> y = np.tile([1.0, 5.0, 3.0], 4)
>>> SeasonalNaive(season_length=3).fit([y]).predict(horizon=3)[0, :, 0].tolist()
[1.0, 5.0, 3.0]
"""

from seqpred.evaluate.forecast import BacktestResult, backtest, forecast_errors
from seqpred.models.forecast import (
    AR,
    SETAR,
    DLinear,
    DriftForecaster,
    ForecasterMixin,
    MeanForecaster,
    MLPForecaster,
    Naive2,
    NaiveForecaster,
    SeasonalNaive,
)

__all__ = [
    "AR",
    "BacktestResult",
    "DLinear",
    "DriftForecaster",
    "ForecasterMixin",
    "MLPForecaster",
    "MeanForecaster",
    "Naive2",
    "NaiveForecaster",
    "SETAR",
    "SeasonalNaive",
    "backtest",
    "forecast_errors",
]
