"""The anomaly-scoring contract: how odd each sequence is, and which are outliers.

An anomaly scorer learns what normal looks like from (mostly) normal
sequences and implements

``fit(X, y=None)``
    learn, and set ``threshold_`` from the training scores;
``score_samples(X)``
    return ``(N,)`` scores, higher for odder sequences;

and inherits ``predict`` (``(N,)`` flags, 1 above ``threshold_``) from
:class:`AnomalyMixin`, which also sets ``Tags.task`` to ``"anomaly"``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.base import BaseEstimator, check_is_fitted

__all__ = ["AnomalyMixin"]


class AnomalyMixin(BaseEstimator):
    """Public API of anomaly scorers (see the module docstring)."""

    _task = "anomaly"

    threshold_: float

    def fit(self, X: Any, y: None = None) -> AnomalyMixin:
        """Learn normal behaviour and set ``threshold_``; return ``self``."""
        raise NotImplementedError

    def score_samples(self, X: Any) -> Array:
        """Return ``(N,)`` anomaly scores (higher = odder)."""
        raise NotImplementedError

    def predict(self, X: Any) -> Array:
        """Return ``(N,)`` flags: 1 where a sequence's score exceeds ``threshold_``."""
        check_is_fitted(self, "predict")
        return (self.score_samples(X) > self.threshold_).astype(np.int64)
