"""Numeric forecasters: baselines, Naive2, linear models, SETAR, an MLP, a seq2seq.

All share :class:`ForecasterMixin`: ``fit(series)``, ``predict(X=None,
horizon=h)`` returning ``(N, h, F)``, ``predict_distribution``,
``predict_quantiles``, ``predict_interval``, ``forecast`` (a tidy polars
frame) and ``score``. :class:`EncoderDecoderForecaster` needs torch to
import, so it is loaded on first use (the others never import torch).
"""

from typing import Any

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
    "EncoderDecoderForecaster",
    "ForecasterMixin",
    "MLPForecaster",
    "MeanForecaster",
    "Naive2",
    "NaiveForecaster",
    "SETAR",
    "SeasonalNaive",
]


def __getattr__(name: str) -> Any:
    """Import :class:`EncoderDecoderForecaster` (and torch) on first use."""
    if name == "EncoderDecoderForecaster":
        from seqpred.models.forecast.encoder_decoder import EncoderDecoderForecaster

        return EncoderDecoderForecaster
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
