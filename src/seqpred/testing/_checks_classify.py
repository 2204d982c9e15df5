"""Checks for sequence classifiers (tags ``task="classify"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from seqpred.base import BaseEstimator, clone
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError
from seqpred.testing._data import make_data
from seqpred.testing._support import TOLERANCE, assert_outputs_equal

__all__ = ["CLASSIFY_CHECKS"]


def _fitted(estimator: BaseEstimator) -> Any:
    twin: Any = clone(estimator)
    data = make_data(twin.get_tags())
    return twin.fit(data.train, data.train_labels)


def _assert_outputs(model: Any, X: Any, what: str) -> None:
    classes = model.classes_
    n = len(X)
    predictions = model.predict(X)
    assert isinstance(predictions, np.ndarray) and predictions.shape == (n,), (
        f"{what}: predict must return an array of shape ({n},)"
    )
    assert set(predictions.tolist()) <= set(classes.tolist()), (
        f"{what}: predicted labels outside classes_"
    )
    scores = model.decision_function(X)
    assert scores.shape == (n, len(classes)), f"{what}: decision_function shape"
    if not model.get_tags().probabilistic:
        return
    proba = model.predict_proba(X)
    assert isinstance(proba, np.ndarray) and proba.shape == (n, len(classes)), (
        f"{what}: predict_proba shape {getattr(proba, 'shape', None)}"
    )
    assert np.isfinite(proba).all() and (proba >= 0).all(), (
        f"{what}: predict_proba has NaN, inf or negative entries"
    )
    assert np.allclose(proba.sum(axis=1), 1.0, rtol=0, atol=TOLERANCE), (
        f"{what}: predict_proba rows do not sum to 1"
    )
    assert np.array_equal(classes[np.argmax(proba, axis=1)], predictions), (
        f"{what}: predict disagrees with the argmax of predict_proba"
    )


def check_classify_outputs(estimator: BaseEstimator) -> None:
    """Check classes_ is sorted and predictions have the right shapes and values."""
    model = _fitted(estimator)
    data = make_data(estimator.get_tags())
    classes = model.classes_
    assert classes.tolist() == sorted(set(data.train_labels or [])), (
        f"classes_ is {classes.tolist()}; expected the sorted distinct labels"
    )
    _assert_outputs(model, data.queries, "queries")
    _assert_outputs(model, data.train, "training sequences")
    score = model.score(data.train, data.train_labels)
    expected = float(
        np.mean(model.predict(data.train) == np.asarray(data.train_labels))
    )
    assert isinstance(score, float) and abs(score - expected) <= TOLERANCE, (
        f"score {score!r} is not the accuracy {expected!r}"
    )


def check_prefix_prediction(estimator: BaseEstimator) -> None:
    """Check every prefix length (1 to the full length) can be classified."""
    model = _fitted(estimator)
    data = make_data(estimator.get_tags())
    longest = max(data.train, key=len)
    prefixes = [longest[:i] for i in range(1, len(longest) + 1)]
    _assert_outputs(model, prefixes, "prefixes")


def check_labels_from_sequence_set(estimator: BaseEstimator) -> None:
    """Check fit(SequenceSet with labels) equals fit(X, y)."""
    data = make_data(estimator.get_tags())
    reference = _fitted(estimator)
    twin: Any = clone(estimator)
    twin.fit(SequenceSet.from_lists(data.train, labels=data.train_labels))
    outputs = _support_outputs(estimator)
    assert_outputs_equal(
        outputs(reference, data.queries),
        outputs(twin, data.queries),
        "labels from the SequenceSet",
    )


def _support_outputs(estimator: BaseEstimator) -> Callable[[Any, Any], Any]:
    from seqpred.testing._support import support_for

    return support_for(estimator).outputs


def check_bad_labels(estimator: BaseEstimator) -> None:
    """Check missing labels, one class and a wrong label count raise DataError."""
    data = make_data(estimator.get_tags())
    n = len(data.train)
    cases = {
        "no labels": None,
        "a single class": ["only"] * n,
        "too few labels": list(data.train_labels or [])[:-1],
    }
    for what, labels in cases.items():
        twin: Any = clone(estimator)
        try:
            twin.fit(data.train, labels)
        except DataError:
            continue
        raise AssertionError(f"fit with {what} did not raise DataError")


CLASSIFY_CHECKS: list[Callable[[BaseEstimator], None]] = [
    check_classify_outputs,
    check_prefix_prediction,
    check_labels_from_sequence_set,
    check_bad_labels,
]
"""Checks for classifiers, run after the common ones."""
