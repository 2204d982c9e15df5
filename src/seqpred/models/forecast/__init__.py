"""Numeric forecasters: baselines, Naive2, linear models, SETAR and an MLP.

All share :class:`ForecasterMixin`: ``fit(series)``, ``predict(X=None,
horizon=h)`` returning ``(N, h, F)``, ``predict_distribution``,
``predict_quantiles``, ``predict_interval``, ``forecast`` (a tidy polars
frame) and ``score``.
"""

from seqpred.models.forecast._mixin import ForecasterMixin
from seqpred.models.forecast.baselines import (
    DriftForecaster,
    MeanForecaster,
    NaiveForecaster,
    SeasonalNaive,
)
from seqpred.models.forecast.linear import AR, DLinear
from seqpred.models.forecast.mlp import MLPForecaster
from seqpred.models.forecast.naive2 import Naive2
from seqpred.models.forecast.setar import SETAR

__all__ = [
    "AR",
    "DLinear",
    "DriftForecaster",
    "ForecasterMixin",
    "MLPForecaster",
    "MeanForecaster",
    "Naive2",
    "NaiveForecaster",
    "SETAR",
    "SeasonalNaive",
]
