"""Checks for forecasters (tags ``task="forecast"``)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from seqpred.base import BaseEstimator, clone
from seqpred.testing._data import make_data
from seqpred.testing._support import TOLERANCE, registered

__all__ = ["FORECAST_CHECKS"]


def _fitted(estimator: BaseEstimator) -> Any:
    twin: Any = clone(estimator)
    return twin.fit(make_data(twin.get_tags()).train)


def check_forecast_outputs(estimator: BaseEstimator) -> None:
    """Check one finite ``(h, F)`` forecast per series, a positive std, a score."""
    model = _fitted(estimator)
    data = make_data(estimator.get_tags())
    for what, X in (("queries", data.queries), ("training series", data.train)):
        n, f = len(X), int(model.n_features_)
        predictions = np.asarray(model.predict(X))
        assert predictions.ndim == 3 and predictions.shape[::2] == (n, f), (
            f"{what}: predict returned shape {predictions.shape}; expected "
            f"(N, h, F) with N={n} series and F={f} features"
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


def check_forecast_horizon(estimator: BaseEstimator) -> None:
    """Check ``horizon=h`` gives finite ``(N, h, F)`` forecasts, the same each call.

    ``h`` is 3, or the fitted ``horizon`` of a direct or multi-output model.

    The first step must not depend on the horizon asked for, the mean of
    ``predict_distribution`` must be ``predict``, and a saved and loaded
    model must give the same multi-step forecast.
    """
    from seqpred import io

    model = _fitted(estimator)
    queries = make_data(estimator.get_tags()).queries
    n, f = len(queries), int(model.n_features_)
    h = 3 if getattr(model, "strategy", "recursive") == "recursive" else model.horizon
    one = np.asarray(model.predict(queries, horizon=1))
    assert one.shape == (n, 1, f), f"predict(horizon=1) has shape {one.shape}"
    assert np.allclose(
        np.asarray(model.predict(queries))[:, 0], one[:, 0], atol=TOLERANCE
    )
    mean, std = (np.asarray(a) for a in model.predict_distribution(queries, horizon=h))
    assert mean.shape == std.shape == (n, h, f), (
        f"predict_distribution(horizon={h}) shapes {mean.shape}, {std.shape}; "
        f"expected {(n, h, f)}"
    )
    assert np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all(), (
        f"horizon={h}: forecasts must be finite with a positive std"
    )
    assert np.allclose(mean[:, 0], one[:, 0], rtol=0, atol=TOLERANCE), (
        "the first step changes with the horizon asked for"
    )
    again = np.asarray(model.predict(queries, horizon=h))
    assert np.array_equal(again, mean), f"predict(horizon={h}) differs between calls"
    with registered(type(model)), tempfile.TemporaryDirectory() as tmp:
        loaded: Any = io.load(io.save(model, Path(tmp) / "model.seqpred"))
    restored = np.asarray(loaded.predict(queries, horizon=h))
    assert np.allclose(restored, mean, rtol=0, atol=TOLERANCE), (
        f"a saved and loaded model forecasts {h} steps differently"
    )


def check_forecast_intervals(estimator: BaseEstimator) -> None:
    """Check quantiles are sorted around the mean; the tidy frame's size.

    Also checks ``predict()`` continues every training series.
    """
    model = _fitted(estimator)
    data = make_data(estimator.get_tags())
    queries = data.queries
    q = np.asarray(
        model.predict_quantiles(queries, horizon=2, quantiles=(0.1, 0.5, 0.9))
    )
    mean = np.asarray(model.predict(queries, horizon=2))
    assert q.shape == (*mean.shape, 3), f"predict_quantiles has shape {q.shape}"
    assert (np.diff(q, axis=-1) >= 0).all(), "quantiles are not sorted"
    assert np.allclose(q[..., 1], mean, atol=1e-7), "the median is not the mean"
    lower, upper = model.predict_interval(queries, horizon=2, coverage=0.8)
    assert (lower <= mean).all() and (mean <= upper).all(), "mean outside interval"
    frame = model.forecast(queries, horizon=2)
    assert frame.height == mean.size, f"forecast() has {frame.height} rows"
    assert {"series", "step", "mean", "lower", "upper"} <= set(frame.columns)
    continued = np.asarray(model.predict(horizon=2))
    assert continued.shape == (len(data.train), 2, mean.shape[2]), (
        f"predict() (continue the training series) has shape {continued.shape}"
    )


FORECAST_CHECKS: list[Callable[[BaseEstimator], None]] = [
    check_forecast_outputs,
    check_forecast_horizon,
    check_forecast_intervals,
]
"""Checks for forecasters, run after the common ones."""
