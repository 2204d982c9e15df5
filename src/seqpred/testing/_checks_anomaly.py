"""Checks for anomaly scorers (tags ``task="anomaly"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from seqpred.base import BaseEstimator, clone
from seqpred.testing._data import make_data

__all__ = ["ANOMALY_CHECKS"]


def check_anomaly_scores(estimator: BaseEstimator) -> None:
    """Check one finite score per sequence, and flags that follow ``threshold_``."""
    model: Any = clone(estimator)
    data = make_data(model.get_tags())
    model.fit(data.train)
    threshold = model.threshold_
    assert isinstance(threshold, float) and np.isfinite(threshold), (
        f"threshold_ is {threshold!r}; expected a finite float"
    )
    for what, X in (("queries", data.queries), ("training sequences", data.train)):
        scores = np.asarray(model.score_samples(X))
        assert scores.shape == (len(X),), (
            f"{what}: score_samples has shape {scores.shape}; expected ({len(X)},)"
        )
        assert np.isfinite(scores).all(), f"{what}: score_samples has NaN or inf"
        flags = np.asarray(model.predict(X))
        assert flags.shape == scores.shape, f"{what}: predict has shape {flags.shape}"
        assert set(np.unique(flags).tolist()) <= {0, 1}, f"{what}: flags are not 0/1"
        assert np.array_equal(flags, (scores > threshold).astype(flags.dtype)), (
            f"{what}: predict does not flag exactly the scores above threshold_"
        )


ANOMALY_CHECKS: list[Callable[[BaseEstimator], None]] = [check_anomaly_scores]
"""Checks for anomaly scorers, run after the common ones."""
