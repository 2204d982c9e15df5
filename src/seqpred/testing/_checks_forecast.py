"""Checks for forecasters (tags ``task="forecast"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from seqpred.base import BaseEstimator, clone
from seqpred.testing._data import make_data
from seqpred.testing._support import TOLERANCE

__all__ = ["FORECAST_CHECKS"]


def _fitted(estimator: BaseEstimator) -> Any:
    twin: Any = clone(estimator)
    return twin.fit(make_data(twin.get_tags()).train)


def check_forecast_outputs(estimator: BaseEstimator) -> None:
    """Check one finite forecast per series, a positive std, and a finite score."""
    model = _fitted(estimator)
    data = make_data(estimator.get_tags())
    for what, X in (("queries", data.queries), ("training series", data.train)):
        n = len(X)
        predictions = np.asarray(model.predict(X))
        assert predictions.ndim >= 1 and len(predictions) == n, (
            f"{what}: predict returned {len(predictions)} forecasts for {n} series"
        )
        assert np.isfinite(predictions).all(), f"{what}: predict has NaN or inf"
        mean, std = (np.asarray(a) for a in model.predict_distribution(X))
        assert mean.shape == std.shape == predictions.shape, (
            f"{what}: predict_distribution shapes {mean.shape}, {std.shape}; "
            f"expected {predictions.shape}"
        )
        assert np.allclose(mean, predictions, rtol=0, atol=TOLERANCE), (
            f"{what}: predict is not the mean of predict_distribution"
        )
        assert np.isfinite(std).all() and (std > 0).all(), (
            f"{what}: predict_distribution std is not finite and positive"
        )
    targets = [seq[len(q)] for seq, q in zip(data.train, data.queries)]
    score = model.score(data.queries, targets)
    assert isinstance(score, float) and np.isfinite(score), (
        f"score returned {score!r}; expected a finite float"
    )


FORECAST_CHECKS: list[Callable[[BaseEstimator], None]] = [check_forecast_outputs]
"""Checks for forecasters, run after the common ones."""
