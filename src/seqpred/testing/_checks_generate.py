"""Checks for class-conditional generators (tags ``task="generate"``).

A generator is fitted on labelled sequences, ``fit(X, y)``, and offers
``predict_proba(X, labels)``, ``log_proba(X, labels)``,
``bits_per_symbol(X, labels)`` and ``sample(n, prefix, label=..., ...)``.
The checks bring their own labelled data (two symbol chains, one running up
the alphabet and one down).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from seqpred.base import BaseEstimator, clone
from seqpred.exceptions import InvalidParameterError, NotFittedError
from seqpred.testing._data import _classify_data
from seqpred.testing._support import TOLERANCE, assert_outputs_equal

__all__ = ["GENERATE_CHECKS"]


def _fitted(estimator: BaseEstimator) -> tuple[Any, Any]:
    data = _classify_data("discrete")
    twin: Any = clone(estimator)
    return twin.fit(data.train, data.train_labels), data


def check_generate_not_fitted(estimator: BaseEstimator) -> None:
    """Check sampling and scoring before fit raise NotFittedError."""
    data = _classify_data("discrete")
    twin: Any = clone(estimator)
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("sample", lambda: twin.sample(2, max_length=3, label="up")),
        ("predict_proba", lambda: twin.predict_proba(data.queries, "up")),
        ("log_proba", lambda: twin.log_proba(data.queries, "up")),
    ]
    for name, call in calls:
        try:
            call()
        except NotFittedError:
            continue
        raise AssertionError(f"{name} before fit did not raise NotFittedError")


def check_generate_outputs(estimator: BaseEstimator) -> None:
    """Check probabilities sum to 1 and log_proba / bits_per_symbol agree."""
    model, data = _fitted(estimator)
    assert model.classes_.tolist() == ["down", "up"], "classes_ must be sorted labels"
    queries = data.queries
    for label in model.classes_.tolist():
        proba = model.predict_proba(queries, label)
        assert proba.shape == (len(queries), len(model.vocabulary_)), (
            f"predict_proba shape {proba.shape}"
        )
        assert np.isfinite(proba).all() and (proba >= 0).all()
        assert np.allclose(proba.sum(axis=1), 1.0, atol=TOLERANCE), (
            "predict_proba rows do not sum to 1"
        )
        scores = model.log_proba(queries, label)
        assert [len(s) for s in scores] == [len(q) for q in queries], (
            "log_proba must return one score per symbol"
        )
        flat = np.concatenate(scores)
        bits = model.bits_per_symbol(queries, label)
        assert abs(bits + flat.mean() / np.log(2)) < 1e-9, (
            "bits_per_symbol disagrees with log_proba"
        )
    up = model.bits_per_symbol(data.train[0:12:2], "up")
    down = model.bits_per_symbol(data.train[0:12:2], "down")
    assert up < down, "the right label must make its own sequences likelier"


def check_generate_sample(estimator: BaseEstimator) -> None:
    """Check samples are reproducible, bounded, in the vocabulary; labels checked."""
    model, _ = _fitted(estimator)
    kwargs = {"max_length": 6, "label": "up", "random_state": 0}
    first = model.sample(4, **kwargs)
    assert first == model.sample(4, **kwargs), "same seed gave different samples"
    assert len(first) == 4 and all(len(s) <= 6 for s in first)
    symbols = set(model.vocabulary_.symbols)
    assert all(set(s) <= symbols for s in first), "a sample left the vocabulary"
    greedy = [model.sample(2, label="down", top_k=1, random_state=r) for r in (1, 2)]
    assert greedy[0] == greedy[1], "top_k=1 must not depend on the seed"
    try:
        model.sample(1, label="no such label")
    except InvalidParameterError:
        pass
    else:
        raise AssertionError("an unknown label did not raise InvalidParameterError")


def check_generate_save_load(estimator: BaseEstimator) -> None:
    """Check a saved and loaded generator samples and scores the same."""
    from seqpred import io

    model, data = _fitted(estimator)
    with tempfile.TemporaryDirectory() as tmp:
        loaded: Any = io.load(io.save(model, Path(tmp) / "model.seqpred"))
    kwargs = {"max_length": 6, "label": "up", "random_state": 0}
    assert loaded.sample(3, **kwargs) == model.sample(3, **kwargs)
    assert_outputs_equal(
        {"log_proba": model.log_proba(data.queries, "down")},
        {"log_proba": loaded.log_proba(data.queries, "down")},
        "loaded",
    )


GENERATE_CHECKS: list[Callable[[BaseEstimator], None]] = [
    check_generate_not_fitted,
    check_generate_outputs,
    check_generate_sample,
    check_generate_save_load,
]
"""Checks for generators, in the order they run."""
