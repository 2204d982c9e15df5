"""Per-task support for the checks: which methods predict, and how to compare outputs.

A task's outputs are a dict ``method -> list of per-sequence results``, so the
common checks (idempotence, batch versus one at a time, order invariance,
save and load) compare any task the same way. A new task adds one
:class:`TaskSupport` to :data:`SUPPORT`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred import _registry
from seqpred.base import BaseEstimator
from seqpred.exceptions import InvalidParameterError
from seqpred.testing._data import SkipCheck

__all__ = [
    "CHECK_NAMES",
    "SUPPORT",
    "TaskSupport",
    "assert_outputs_equal",
    "registered",
    "support_for",
]

CHECK_NAMES: set[str] = set()
"""The short names of every check; filled by :mod:`seqpred.testing` on import."""

Outputs = dict[str, list[Any]]

TOLERANCE = 1e-9
"""Largest difference allowed between scores that should be equal."""


@dataclass(frozen=True)
class TaskSupport:
    """What the common checks need to know about one task.

    Parameters
    ----------
    outputs : callable
        ``outputs(estimator, X) -> dict[str, list]``: every prediction method's
        result, one entry per input sequence.
    methods : tuple of str
        Methods that need a fitted estimator (called with a batch).
    """

    outputs: Callable[[Any, Any], Outputs]
    methods: tuple[str, ...]


def _next_item_outputs(estimator: Any, X: Any) -> Outputs:
    outputs: Outputs = {
        "predict": list(estimator.predict(X)),
        "predict_top_k": list(estimator.predict_top_k(X, k=3)),
    }
    if estimator.get_tags().probabilistic:
        outputs["predict_proba"] = list(estimator.predict_proba(X))
    return outputs


def _classify_outputs(estimator: Any, X: Any) -> Outputs:
    outputs: Outputs = {
        "predict": list(estimator.predict(X)),
        "decision_function": list(estimator.decision_function(X)),
    }
    if estimator.get_tags().probabilistic:
        outputs["predict_proba"] = list(estimator.predict_proba(X))
    return outputs


def _seq2seq_outputs(estimator: Any, X: Any) -> Outputs:
    return {"predict": list(estimator.predict(X))}


def _forecast_outputs(estimator: Any, X: Any) -> Outputs:
    mean, std = estimator.predict_distribution(X)
    return {
        "predict": list(estimator.predict(X)),
        "predict_distribution": [list(pair) for pair in zip(mean, std)],
    }


def _generate_outputs(estimator: Any, X: Any) -> Outputs:
    label = estimator.classes_[0]  # conditional generators: score given one class
    return {
        "predict_proba": list(estimator.predict_proba(X, label)),
        "log_proba": list(estimator.log_proba(X, label)),
    }


def _anomaly_outputs(estimator: Any, X: Any) -> Outputs:
    return {
        "score_samples": list(estimator.score_samples(X)),
        "predict": list(estimator.predict(X)),
    }


SUPPORT: dict[str, TaskSupport] = {
    "anomaly": TaskSupport(
        outputs=_anomaly_outputs, methods=("score_samples", "predict")
    ),
    "classify": TaskSupport(
        outputs=_classify_outputs,
        methods=("predict", "predict_proba", "decision_function", "score"),
    ),
    "next-item": TaskSupport(
        outputs=_next_item_outputs,
        methods=("predict", "predict_top_k", "predict_proba", "score"),
    ),
    "seq2seq": TaskSupport(outputs=_seq2seq_outputs, methods=("predict",)),
    "forecast": TaskSupport(
        outputs=_forecast_outputs, methods=("predict", "predict_distribution")
    ),
    "generate": TaskSupport(
        outputs=_generate_outputs, methods=("predict_proba", "log_proba")
    ),
}


def support_for(estimator: BaseEstimator) -> TaskSupport:
    """Return the task support for ``estimator``; skip the check when there is none."""
    task = estimator.get_tags().task
    if task not in SUPPORT:
        raise SkipCheck(f"no conformance support yet for task {task!r}")
    return SUPPORT[task]


def assert_outputs_equal(
    expected: Outputs, actual: Outputs, what: str, rows: list[int] | None = None
) -> None:
    """Assert two outputs agree (scores within :data:`TOLERANCE`).

    ``rows`` selects and orders the rows of ``expected`` to compare with
    ``actual`` (for one-at-a-time and permuted calls).
    """
    assert expected.keys() == actual.keys(), (
        f"{what}: methods differ: {sorted(expected)} vs {sorted(actual)}"
    )
    for method, want_all in expected.items():
        want = want_all if rows is None else [want_all[i] for i in rows]
        got = actual[method]
        assert len(want) == len(got), (
            f"{what}: {method} returned {len(got)} rows, expected {len(want)}"
        )
        for i, (a, b) in enumerate(zip(want, got)):
            assert _same(a, b), f"{what}: {method} row {i} differs: {a!r} vs {b!r}"


def _same(a: Any, b: Any) -> bool:
    """Equal, comparing floats within :data:`TOLERANCE` and arrays elementwise."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_arr, b_arr = np.asarray(a), np.asarray(b)
        if a_arr.shape != b_arr.shape:
            return False
        if a_arr.dtype.kind in "fc" or b_arr.dtype.kind in "fc":
            return bool(np.allclose(a_arr, b_arr, rtol=0, atol=TOLERANCE))
        return bool(np.array_equal(a_arr, b_arr))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= TOLERANCE or (a != a and b != b)
    return bool(a == b)


@contextmanager
def registered(cls: type[BaseEstimator]) -> Iterator[None]:
    """Register ``cls`` for the duration of a check if it is not registered."""
    try:
        _registry.name_of(cls)
    except InvalidParameterError:
        pass
    else:
        yield
        return
    if "<locals>" in cls.__qualname__ or "." in cls.__qualname__:
        raise AssertionError(
            f"{cls.__qualname__} must be defined at module level to be saved"
        )
    key = f"_check_estimator:{cls.__module__}.{cls.__qualname__}".lower()
    target = f"{cls.__module__}:{cls.__qualname__}"
    task = cls.get_tags().task
    if task is None:
        raise AssertionError(
            f"{cls.__qualname__} has no task: derive it from a task mixin"
        )
    _registry.REGISTRY[key] = (target, task)
    try:
        yield
    finally:
        _registry.REGISTRY.pop(key, None)
