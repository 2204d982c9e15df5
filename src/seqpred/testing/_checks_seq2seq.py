"""Checks for sequence-to-sequence models (tags ``task="seq2seq"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from seqpred.base import BaseEstimator, clone
from seqpred.exceptions import DataError
from seqpred.testing._data import make_data

__all__ = ["SEQ2SEQ_CHECKS"]


def _fitted(estimator: BaseEstimator) -> Any:
    twin: Any = clone(estimator)
    data = make_data(twin.get_tags())
    return twin.fit(data.train, data.train_labels)


def _assert_outputs(model: Any, X: Any, what: str, outputs: Any) -> None:
    """One output sequence per input, each made of training output symbols."""
    predictions = model.predict(X)
    assert isinstance(predictions, list), f"{what}: predict returned no list"
    assert len(predictions) == len(X), (
        f"{what}: predict returned {len(predictions)} outputs for {len(X)} inputs"
    )
    symbols = {symbol for output in outputs for symbol in output}
    for i, output in enumerate(predictions):
        assert isinstance(output, (list, str)), (
            f"{what}: output {i} is a {type(output).__name__}, not a sequence"
        )
        unknown = set(output) - symbols
        assert not unknown, f"{what}: output {i} has unknown symbols {unknown}"


def check_seq2seq_outputs(estimator: BaseEstimator) -> None:
    """Check predict gives one output sequence per input; score is in [0, 1]."""
    model = _fitted(estimator)
    data = make_data(estimator.get_tags())
    _assert_outputs(model, data.queries, "queries", data.train_labels)
    _assert_outputs(model, data.train, "training inputs", data.train_labels)
    score = model.score(data.train, data.train_labels)
    assert isinstance(score, float) and 0.0 <= score <= 1.0, (
        f"score returned {score!r}; expected a float in [0, 1]"
    )


def check_bad_targets(estimator: BaseEstimator) -> None:
    """Check missing outputs and a wrong output count raise DataError."""
    data = make_data(estimator.get_tags())
    targets = list(data.train_labels or [])
    cases = {
        "no outputs (y=None)": None,
        "too few outputs": targets[:-1],
        "too many outputs": [*targets, ["1"]],
    }
    for what, y in cases.items():
        twin: Any = clone(estimator)
        try:
            twin.fit(data.train, y)
        except DataError as exc:
            assert "y" in str(exc), f"the error for {what} does not mention y"
            continue
        raise AssertionError(f"fit with {what} did not raise DataError")
    twin = clone(estimator)
    try:
        twin.fit(data.train)
    except (DataError, TypeError) as exc:
        assert "y" in str(exc), f"fit without y raised an unclear error: {exc}"
    else:
        raise AssertionError("fit without y did not raise")


SEQ2SEQ_CHECKS: list[Callable[[BaseEstimator], None]] = [
    check_seq2seq_outputs,
    check_bad_targets,
]
"""Checks for sequence-to-sequence models, run after the common ones."""
