"""GridSearchCV and Pipeline with seqpred estimators, checked by value.

Each search runs on data built so that one setting clearly wins, and its
per-candidate scores equal a hand-written loop over the same folds.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.model_selection import GridSearchCV, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

import seqpred  # noqa: E402
from seqpred.data import SequenceKFold  # noqa: E402
from seqpred.models.generate import ConditionalModel  # noqa: E402
from seqpred.models.next_item import PPM  # noqa: E402


def period_three(n, seed):
    """Sequences that repeat three distinct symbols: x_t = x_{t-3}."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        seed_symbols = rng.choice(list("abcdef"), size=3, replace=False).tolist()
        out.append((seed_symbols * 4)[: int(rng.integers(5, 11))])
    return out


def two_patterns(n, seed):
    """Class 'ab': ...abab...; class 'aabb': ...aabbaabb...; same letter counts."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for i in range(n):
        pattern = "ab" if i % 2 else "aabb"
        start = int(rng.integers(len(pattern)))
        length = int(rng.integers(12, 20)) // 4 * 4
        X.append(((pattern * 12)[start:])[:length].upper())
        y.append(pattern)
    return X, y


def lower(X):
    return [s.lower() for s in X]


def candidate_scores(search):
    return search.cv_results_["mean_test_score"]


def test_grid_search_finds_the_markov_order_the_data_needs(manual_scores):
    sessions = period_three(150, seed=0)
    cv = SequenceKFold(5, shuffle=True, random_state=0)
    search = GridSearchCV(seqpred.create("markov"), {"order": [1, 2, 3]}, cv=cv)
    search.fit(sessions)
    assert search.best_params_ == {"order": 3}
    scores = candidate_scores(search)
    assert scores[2] > 0.9 > 0.5 > max(scores[:2])
    for order, score in zip([1, 2, 3], scores):
        model = seqpred.create("markov", order=order)
        manual = manual_scores(model, sessions, None, cv.split(sessions))
        assert score == pytest.approx(manual.mean())
    assert search.best_estimator_.is_fitted
    assert search.best_estimator_.n_sequences_ == len(sessions)  # refit on all
    assert search.predict([["a", "b", "c", "a", "b"]]) == ["c"]


def test_pipeline_with_a_transformer_then_a_classifier(manual_scores):
    X, y = two_patterns(60, seed=1)
    pipe = Pipeline([("lower", FunctionTransformer(lower)), ("model", None)])
    pipe.set_params(model=seqpred.create("kmer", max_k=1))
    cv = SequenceKFold(4, shuffle=True, random_state=2)
    search = GridSearchCV(pipe, {"model__max_k": [1, 2]}, cv=cv).fit(X, y)
    assert search.best_params_ == {"model__max_k": 2}
    scores = candidate_scores(search)
    assert scores[1] == 1.0 and scores[0] < 0.8
    kmer = seqpred.create("kmer", max_k=2)
    manual = manual_scores(kmer, lower(X), y, cv.split(X))
    assert scores[1] == pytest.approx(manual.mean())
    assert search.predict(["ABABAB", "AABBAA"]).tolist() == ["ab", "aabb"]
    assert search.classes_.tolist() == ["aabb", "ab"]


def test_pipeline_scores_next_item_models_like_the_model_itself(manual_scores):
    sessions = ["".join(s).upper() for s in period_three(60, seed=3)]
    cv = SequenceKFold(3)
    for name in ("ppm", "cpt+"):
        model = seqpred.create(name)
        pipe = Pipeline([("lower", FunctionTransformer(lower)), ("model", model)])
        scores = cross_val_score(pipe, sessions, cv=cv)
        expected = manual_scores(model, lower(sessions), None, cv.split(sessions))
        np.testing.assert_allclose(scores, expected)


def test_nested_parameters_of_a_wrapped_estimator(manual_scores):
    X = ["aabb" * 4, "abba" * 4, "bbaa" * 4, "baab" * 4] * 6
    y = ["x", "y"] * 12
    model = ConditionalModel(PPM(max_order=1))
    cv = SequenceKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(model, {"estimator__max_order": [1, 3]}, cv=cv)
    search.fit(X, y)
    assert search.best_params_ == {"estimator__max_order": 3}
    assert search.best_estimator_.estimator.max_order == 3
    assert model.estimator.max_order == 1  # the given estimator is untouched
    order_three = ConditionalModel(PPM(max_order=3))
    manual = manual_scores(order_three, X, y, cv.split(X))
    assert candidate_scores(search)[1] == pytest.approx(manual.mean())
    assert candidate_scores(search)[0] < candidate_scores(search)[1] - 0.3  # bits


def test_grid_search_over_a_seq2seq_model(manual_scores):
    words = ["ab", "ba", "aab", "abb", "bab", "aba"] * 4
    X, y = words, [w[::-1] for w in words]
    cv = SequenceKFold(3, shuffle=True, random_state=0)
    grid = {"max_order": [1, 6]}
    search = GridSearchCV(seqpred.create("seq2seq-ppm"), grid, cv=cv).fit(X, y)
    assert search.best_params_ == {"max_order": 6}
    for order, score in zip(grid["max_order"], candidate_scores(search)):
        model = seqpred.create("seq2seq-ppm", max_order=order)
        assert score == pytest.approx(manual_scores(model, X, y, cv.split(X)).mean())
    assert search.predict(["aab"]) == ["baa"]


def test_neural_model_in_a_grid_search():
    pytest.importorskip("torch")
    sessions = period_three(40, seed=4)
    tiny = {"embedding_dim": 8, "hidden_size": 8, "max_epochs": 2}
    model = seqpred.create("gru", random_state=0, device="cpu", **tiny)
    cv = SequenceKFold(2)
    search = GridSearchCV(model, {"hidden_size": [4, 8]}, cv=cv).fit(sessions)
    again = GridSearchCV(model, {"hidden_size": [4, 8]}, cv=cv).fit(sessions)
    np.testing.assert_array_equal(candidate_scores(search), candidate_scores(again))
    assert search.best_estimator_.is_fitted
