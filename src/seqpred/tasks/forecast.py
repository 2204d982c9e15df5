"""Deprecated: import from :mod:`seqpred.models.forecast` (removed in 0.3)."""

from typing import Any

from seqpred._lazy import moved

__getattr__: Any = moved(
    __name__,
    "seqpred.models.forecast",
    [
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
        "BacktestResult=seqpred.evaluate.forecast",
        "backtest=seqpred.evaluate.forecast",
        "forecast_errors=seqpred.evaluate.forecast",
    ],
)
