"""Numeric forecasting: one series or many, univariate or multivariate.

Every forecaster shares :class:`ForecasterMixin` (:mod:`.base`): ``fit(series)``,
``predict(X=None, horizon=h)`` returning ``(N, h, F)`` (``X=None`` continues
the training series), ``predict_distribution``, ``predict_quantiles``,
``predict_interval``, ``forecast`` (a tidy polars frame with ``series``,
``step``, ``feature``, ``mean``, ``lower``, ``upper``) and ``score``.

Baselines: :class:`NaiveForecaster`, :class:`SeasonalNaive`,
:class:`DriftForecaster`, :class:`MeanForecaster`, :class:`Naive2`.
Statistical workhorses, fitted series by series: :class:`ETS` (exponential
smoothing state-space models chosen by AICc), :class:`Theta` (the theta
method and its optimised and dynamic forms) and :class:`ARIMA` (seasonal,
with automatic differencing and stepwise order search); their
``season_length="auto"`` comes from :mod:`.seasonality`. Linear
models on windows (global, channel independent, closed form): :class:`AR`
and :class:`DLinear`, with the recursive, direct or multi-output strategy;
:class:`SETAR`, a two-regime threshold autoregression; :class:`MLPForecaster`,
an ensemble of small networks on windows (torch to fit);
:class:`EncoderDecoderForecaster`, a GRU/LSTM/temporal-CNN encoder and a GRU
decoder with learned quantiles, and :class:`NeuralForecaster`, a Gaussian
next-value network forecasting recursively (both imported with torch on
first use).
:class:`AutoForecaster` (``seqpred.create("auto", task="forecast")``) chooses
forecasters and their combination by backtests inside ``fit`` (by default the
median of theta, drift, ETS and ARIMA unless another wins clearly).
:func:`~seqpred.evaluate.forecast.backtest` runs rolling-origin backtests.

Examples
--------
>>> import numpy as np
>>> from seqpred.models.forecast import SeasonalNaive
>>> y = np.tile([1.0, 5.0, 3.0], 4)
>>> SeasonalNaive(season_length=3).fit([y]).predict(horizon=3)[0, :, 0].tolist()
[1.0, 5.0, 3.0]

:class:`AR` and :class:`DLinear` also take known-future covariates and
static features as extra regressors: ``fit(series, covariates=...,
static=...)`` with one array ``(steps, C)`` per series, aligned with it, and
``static`` ``(N, S)``; ``predict`` then needs covariates covering each
history *and* the ``h`` steps ahead (``static`` may be left out when
continuing the training series). Each forecast step reads its own covariate
row (the recursive strategy, the next step's row at each iteration):

>>> from seqpred.models.forecast import AR
>>> x = np.arange(30.0) % 7  # known in advance, e.g. the weekday
>>> sales = 2.0 * x[:24] + 1.0
>>> model = AR(order=1, horizon=6, strategy="direct")
>>> model = model.fit([sales], covariates=[x[:24]])
>>> model.predict(covariates=[x])[0, :, 0].round(6).tolist()
[7.0, 9.0, 11.0, 13.0, 1.0, 3.0]
"""

from typing import Any

from seqpred._lazy import lazy
from seqpred.models.forecast.arima import ARIMA
from seqpred.models.forecast.auto import AutoForecaster
from seqpred.models.forecast.base import ForecasterMixin
from seqpred.models.forecast.baselines import (
    DriftForecaster,
    MeanForecaster,
    NaiveForecaster,
    SeasonalNaive,
)
from seqpred.models.forecast.ets import ETS
from seqpred.models.forecast.linear import AR, DLinear
from seqpred.models.forecast.mlp import MLPForecaster
from seqpred.models.forecast.naive2 import Naive2
from seqpred.models.forecast.setar import SETAR
from seqpred.models.forecast.theta import Theta

__all__ = [
    "AR",
    "ARIMA",
    "AutoForecaster",
    "DLinear",
    "DriftForecaster",
    "ETS",
    "EncoderDecoderForecaster",  # noqa: F822  (lazy: torch)
    "ForecasterMixin",
    "MLPForecaster",
    "MeanForecaster",
    "Naive2",
    "NaiveForecaster",
    "NeuralForecaster",  # noqa: F822
    "SETAR",
    "SeasonalNaive",
    "Theta",
]

__getattr__: Any = lazy(
    {
        "EncoderDecoderForecaster": (
            "seqpred.models.forecast.encoder_decoder:EncoderDecoderForecaster"
        ),
        "NeuralForecaster": "seqpred.models.forecast.neural:NeuralForecaster",
    },
    owner=__name__,
)
