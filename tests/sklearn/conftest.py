"""Helpers for the scikit-learn tests: the scores of a hand-written CV loop."""

from __future__ import annotations

import numpy as np
import pytest

import seqpred


def _take(data, index):
    if data is None:
        return None
    if hasattr(data, "shape") and not isinstance(data, np.ndarray):
        return data[index]  # a SeriesPanel: time steps
    return [data[i] for i in index]


def manual_cv_scores(estimator, X, y, folds):
    """Fit a fresh copy on each training part and score it on the test part."""
    scores = []
    for train, test in folds:
        model = seqpred.clone(estimator)
        if y is None:
            model.fit(_take(X, train))
            scores.append(model.score(_take(X, test)))
        else:
            model.fit(_take(X, train), _take(y, train))
            scores.append(model.score(_take(X, test), _take(y, test)))
    return np.array(scores)


@pytest.fixture
def manual_scores():
    """Return :func:`manual_cv_scores`."""
    return manual_cv_scores
