"""Checks for next-item predictors (tags ``task="next-item"``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from seqpred.base import BaseEstimator, clone
from seqpred.exceptions import DataError, InvalidParameterError, UnknownSymbolError
from seqpred.testing._data import SkipCheck, make_data
from seqpred.testing._support import TOLERANCE

__all__ = ["NEXT_ITEM_CHECKS"]


def _fitted(estimator: BaseEstimator) -> Any:
    twin: Any = clone(estimator)
    return twin.fit(make_data(twin.get_tags()).train)


def _assert_predictions(model: Any, X: Any, what: str) -> None:
    """One symbol (or None) per sequence, each a training symbol."""
    predictions = model.predict(X)
    assert isinstance(predictions, list), f"{what}: predict returned no list"
    assert len(predictions) == len(X), (
        f"{what}: predict returned {len(predictions)} outputs for {len(X)} inputs"
    )
    symbols = set(model.vocabulary_.symbols)
    for p in predictions:
        assert p is None or p in symbols, f"{what}: predicted unknown symbol {p!r}"


def _assert_proba(model: Any, X: Any, what: str) -> None:
    """Shape (N, V), finite, non-negative, rows summing to 1."""
    if not model.get_tags().probabilistic:
        return
    proba = model.predict_proba(X)
    expected = (len(X), len(model.vocabulary_))
    assert isinstance(proba, np.ndarray) and proba.shape == expected, (
        f"{what}: predict_proba shape {getattr(proba, 'shape', None)}, "
        f"expected {expected}"
    )
    assert np.isfinite(proba).all(), f"{what}: predict_proba has NaN or inf"
    assert (proba >= 0).all(), f"{what}: predict_proba has negative entries"
    sums = proba.sum(axis=1)
    assert np.allclose(sums, 1.0, rtol=0, atol=TOLERANCE), (
        f"{what}: predict_proba rows sum to {sums.tolist()}, not 1"
    )


def _assert_top_k(model: Any, X: Any, k: int, what: str) -> None:
    """Rows of at most k unique known symbols, scores non-increasing."""
    ids, scores = model.predict_top_k_ids(X, k=k)
    width = min(k, max(len(model.vocabulary_), 1))  # k is capped at the symbols
    assert ids.shape == scores.shape == (len(X), width), (
        f"{what}: predict_top_k_ids shapes {ids.shape}, {scores.shape}; "
        f"expected {(len(X), width)}"
    )
    rows = model.predict_top_k(X, k=k)
    assert len(rows) == len(X), f"{what}: predict_top_k gave {len(rows)} rows"
    symbols = set(model.vocabulary_.symbols)
    for i, row in enumerate(rows):
        items = [item for item, _ in row]
        scores = [score for _, score in row]
        assert len(row) <= k, f"{what}: row {i} has {len(row)} > k={k} items"
        assert len(set(items)) == len(items), f"{what}: row {i} repeats items"
        assert set(items) <= symbols, f"{what}: row {i} has unknown items {items}"
        assert all(np.isfinite(scores)), f"{what}: row {i} has non-finite scores"
        assert all(a >= b for a, b in zip(scores, scores[1:])), (
            f"{what}: row {i} is not sorted by decreasing score: {scores}"
        )


def check_prediction_shapes(estimator: BaseEstimator) -> None:
    """Check ``predict`` gives a known symbol or None per sequence; score in [0, 1]."""
    model = _fitted(estimator)
    data = make_data(model.get_tags())
    _assert_predictions(model, data.queries, "queries")
    score = model.score(data.train)
    assert isinstance(score, float) and 0.0 <= score <= 1.0, (
        f"score returned {score!r}; expected a float in [0, 1]"
    )


def check_predict_proba(estimator: BaseEstimator) -> None:
    """Check ``predict_proba`` rows are distributions over ``vocabulary_``."""
    model = _fitted(estimator)
    if not model.get_tags().probabilistic:
        from seqpred.testing._data import SkipCheck

        raise SkipCheck("the estimator is not probabilistic")
    _assert_proba(model, make_data(model.get_tags()).queries, "queries")


def check_top_k(estimator: BaseEstimator) -> None:
    """Check top-k is sorted, unique, at most k long, and agrees with predict."""
    model = _fitted(estimator)
    queries = make_data(model.get_tags()).queries
    for k in (1, 3, model.vocabulary_.size + 2):
        _assert_top_k(model, queries, k, f"k={k}")
    best = model.predict(queries)
    for i, row in enumerate(model.predict_top_k(queries, k=3)):
        if row:
            assert best[i] == row[0][0], (
                f"query {i}: predict gave {best[i]!r} but top-k starts {row[0][0]!r}"
            )
    for bad_k in (0, -1, 2.5, "3"):
        try:
            model.predict_top_k(queries, k=bad_k)
        except InvalidParameterError:
            continue
        raise AssertionError(f"predict_top_k accepted k={bad_k!r}")


def check_edge_queries(estimator: BaseEstimator) -> None:
    """Check empty, length-1 and unknown-symbol queries and an empty batch."""
    model = _fitted(estimator)
    data = make_data(model.get_tags())
    edge = {
        "an empty query": [[]],
        "length-1 queries": [[s] for s in model.vocabulary_.symbols],
        "a query of mixed lengths": [[], data.queries[0], [data.queries[0][-1]]],
    }
    for what, X in edge.items():
        _assert_predictions(model, X, what)
        _assert_top_k(model, X, 3, what)
        _assert_proba(model, X, what)
    unknown = [[data.unknown], [*data.queries[0], data.unknown]]
    if model.get_tags().handles_unknown:
        _assert_predictions(model, unknown, "unknown symbols")
        _assert_top_k(model, unknown, 3, "unknown symbols")
        _assert_proba(model, unknown, "unknown symbols")
    else:
        try:
            model.predict(unknown)
        except UnknownSymbolError:
            pass
        else:
            raise AssertionError(
                "tags say handles_unknown=False but an unknown symbol did not "
                "raise UnknownSymbolError"
            )
    assert model.predict([]) == [], "predict([]) must return []"
    assert model.predict_top_k([], k=2) == [], "predict_top_k([]) must return []"
    if model.get_tags().probabilistic:
        proba = model.predict_proba([])
        assert proba.shape == (0, len(model.vocabulary_)), (
            f"predict_proba([]) has shape {proba.shape}"
        )


def check_bad_input(estimator: BaseEstimator) -> None:
    """Check empty training data and bare sequences raise DataError."""
    model = _fitted(estimator)
    cases: list[tuple[str, Any]] = [
        ("fit", []),
        ("fit", [[], []]),
        ("fit", "abc"),
        ("fit", [1, 2, 3]),
        ("predict", "ab"),
        ("predict", [1, 2]),
    ]
    for method, X in cases:
        target = model if method == "predict" else clone(estimator)
        try:
            getattr(target, method)(X)
        except DataError:
            continue
        raise AssertionError(f"{method}({X!r}) did not raise DataError")


def check_length_one_training(estimator: BaseEstimator) -> None:
    """Check training on length-1 sequences only works."""
    model: Any = clone(estimator)
    model.fit([["a"], ["b"], ["a"]])
    _assert_predictions(model, [["a"], ["b"], []], "after length-1 training")
    _assert_proba(model, [["a"], []], "after length-1 training")


def check_partial_fit(estimator: BaseEstimator) -> None:
    """Check ``partial_fit(A).partial_fit(B)`` predicts as ``fit(A + B)``.

    ``B`` brings new symbols, so the vocabulary must grow; the first call on
    an unfitted model must equal ``fit(A)``.
    """
    if not estimator.get_tags().supports_partial_fit:
        raise SkipCheck(f"{type(estimator).__name__} does not support partial_fit")
    data = make_data(estimator.get_tags())
    a, b = data.train, data.train_other
    first: Any = clone(estimator)
    first.partial_fit(a)
    once: Any = clone(estimator)
    once.fit(a)
    queries = data.queries + data.queries_other
    _assert_same_predictions(first, once, queries, "partial_fit(A) vs fit(A)")
    first.partial_fit(b)
    both: Any = clone(estimator)
    both.fit(a + b)
    assert list(first.vocabulary_.symbols) == list(both.vocabulary_.symbols), (
        "partial_fit(A).partial_fit(B) has another vocabulary than fit(A + B)"
    )
    _assert_same_predictions(
        first, both, queries, "partial_fit(A).partial_fit(B) vs fit(A + B)"
    )


def _assert_same_predictions(model: Any, reference: Any, X: Any, what: str) -> None:
    ids, scores = model.predict_top_k_ids(X, k=3)
    ref_ids, ref_scores = reference.predict_top_k_ids(X, k=3)
    assert np.allclose(scores, ref_scores, rtol=0, atol=TOLERANCE), (
        f"{what}: top-3 scores differ"
    )
    assert model.predict(X) == reference.predict(X), f"{what}: predictions differ"
    if model.get_tags().probabilistic:
        assert np.allclose(
            model.predict_proba(X), reference.predict_proba(X), atol=TOLERANCE
        ), f"{what}: predict_proba differs"


def _assert_paths(model: Any, X: Any, steps: int, k: int, what: str) -> None:
    """Shapes, valid ids, probabilities in [0, 1] and non-increasing over paths."""
    paths, probs = model.predict_next_ids(X, steps=steps, k=k)
    n = len(X)
    assert paths.shape == (n, k, steps) and probs.shape == (n, k), (
        f"{what}: predict_next_ids shapes {paths.shape}, {probs.shape}; expected "
        f"{(n, k, steps)} and {(n, k)}"
    )
    assert ((probs >= 0) & (probs <= 1 + TOLERANCE)).all(), (
        f"{what}: path probabilities outside [0, 1]: {probs.tolist()}"
    )
    assert (np.diff(probs, axis=1) <= TOLERANCE).all(), (
        f"{what}: path probabilities increase along a row: {probs.tolist()}"
    )
    empty = paths[:, :, 0] < 0
    assert ((paths < 0).all(axis=2) == empty).all() and (probs[empty] == 0).all(), (
        f"{what}: a path is partly -1, or a missing path has a probability"
    )
    real = paths[~empty]
    assert ((real >= 3) & (real < model.vocabulary_.size)).all(), (
        f"{what}: a path holds a reserved or out-of-range id"
    )
    rows = model.predict_next(X, steps=steps, k=k)
    assert [len(r) for r in rows] == (~empty).sum(axis=1).tolist(), (
        f"{what}: predict_next rows and predict_next_ids disagree on lengths"
    )
    symbols = set(model.vocabulary_.symbols)
    for row in rows:
        for items, _ in row:
            assert len(items) == steps and set(items) <= symbols, (
                f"{what}: predict_next gave the path {items!r}"
            )


def _same_up_to_ties(got: list[Any], expected: list[Any], what: str) -> None:
    """Items equal, except that items of equal probability may swap."""
    assert len(got) == len(expected), f"{what}: {got} vs {expected}"
    for (a, pa), (b, pb) in zip(got, expected):
        if a != b:
            assert abs(pa - pb) <= 1e-6, f"{what}: {got} vs {expected}"


def check_multistep(estimator: BaseEstimator) -> None:
    """Check ``predict_next`` and ``predict_within`` (shapes, steps=1, seeds).

    Paths have the documented shapes and probabilities in [0, 1],
    non-increasing over the ``k`` paths; with ``steps=1`` the items are those
    of ``predict_top_k`` (ties aside) with ``predict_proba``'s probabilities;
    sampling with an int seed is reproducible.
    """
    model = _fitted(estimator)
    if not model.get_tags().probabilistic:
        raise SkipCheck("the estimator is not probabilistic")
    data = make_data(model.get_tags())
    queries = [*data.queries[:6], []]
    _assert_paths(model, queries, 3, 4, "steps=3")
    _assert_paths(model, [], 2, 3, "an empty batch")
    one = model.predict_next(queries, steps=1, k=3)
    if getattr(model, "horizon", 1) == 1:  # proba and top-k are the next item's
        proba = model.predict_proba(queries)
        index = {s: j for j, s in enumerate(model.vocabulary_.symbols)}
        for i, row in enumerate(one):
            for items, p in row:
                assert abs(p - proba[i, index[items[0]]]) <= 1e-6, (
                    f"query {i}: steps=1 gave P({items[0]!r}) = {p}, "
                    f"predict_proba {proba[i, index[items[0]]]}"
                )
        ranked = model.predict_top_k(queries, k=3)
        for i, (row, top) in enumerate(zip(one, ranked)):
            expected = [(item, proba[i, index[item]]) for item, _ in top]
            got = [(items[0], p) for items, p in row]
            _same_up_to_ties(got, expected, f"query {i}: steps=1 vs predict_top_k")
    within = model.predict_within(queries, steps=1, k=3, method="enumerate")
    for i, (row, paths) in enumerate(zip(within, one)):
        _same_up_to_ties(
            row, [(items[0], p) for items, p in paths], f"query {i}: within 1"
        )
    for rows in (
        model.predict_within(queries, steps=3, k=4),
        model.predict_within(queries, steps=2, k=4, method="sample", random_state=0),
    ):
        for row in rows:
            scores = [p for _, p in row]
            assert all(0 <= p <= 1 + TOLERANCE for p in scores), scores
            assert all(a >= b for a, b in zip(scores, scores[1:])), scores
    seeded = {"steps": 2, "k": 3, "method": "sample", "random_state": 0}
    for name in ("predict_next", "predict_within"):
        method = getattr(model, name)
        first = method(queries, n_samples=20, **seeded)
        assert first == method(queries, n_samples=20, **seeded), (
            f"{name}(method='sample', random_state=0) gave two results"
        )


NEXT_ITEM_CHECKS: list[Callable[[BaseEstimator], None]] = [
    check_prediction_shapes,
    check_predict_proba,
    check_top_k,
    check_edge_queries,
    check_bad_input,
    check_length_one_training,
    check_partial_fit,
    check_multistep,
]
"""Checks for next-item predictors, in the order they run."""
