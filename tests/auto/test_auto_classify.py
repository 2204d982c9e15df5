"""AutoClassifier: the choice by cross-validation, the budget, the data kind, saving."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import seqpred
from seqpred.exceptions import InvalidParameterError
from seqpred.models.classify import AutoClassifier, KmerClassifier
from seqpred.models.classify.auto import stratified_folds


def alternating(n: int = 40) -> tuple[list[str], list[str]]:
    """ "abab..." against "baba...": the same letters, the order tells them apart."""
    X, y = [], []
    for i in range(n):
        length = 6 + i % 5
        start = "ab" if i % 2 == 0 else "ba"
        X.append((start * 8)[:length])
        y.append("ab" if i % 2 == 0 else "ba")
    return X, y


UNIGRAMS_THEN_BIGRAMS = (("kmer", {"max_k": 1}), ("kmer", {"max_k": 2}))


def test_the_model_that_clearly_wins_cross_validation_is_chosen():
    X, y = alternating()
    model = AutoClassifier(
        models=UNIGRAMS_THEN_BIGRAMS, max_time=None, tune_alpha=False
    )
    model.fit(X, y)
    assert model.best_params_ == {"max_k": 2}
    assert isinstance(model.best_estimator_, KmerClassifier)
    scores = [row["score"] for row in model.leaderboard_]
    assert scores[1] == 1.0 and scores[0] < 0.8
    assert model.predict(["ababab", "bababa"]).tolist() == ["ab", "ba"]
    assert model.n_folds_ == 5 and model.validation_score_ == 1.0


def test_alpha_is_tuned_around_the_chosen_kmer_model():
    X, y = alternating()
    model = AutoClassifier(models=(("kmer", {"max_k": 2}),), max_time=None).fit(X, y)
    alphas = [row["params"]["alpha"] for row in model.leaderboard_[1:]]
    assert alphas == [1e-5, 1e-3]


def test_numeric_series_get_numeric_candidates_and_tags():
    rng = np.random.default_rng(0)
    t = np.linspace(0, 6, 40)
    X = [np.sin(t * (1 if i % 2 else 3)) + rng.normal(0, 0.1, 40) for i in range(20)]
    y = ["slow" if i % 2 else "fast" for i in range(20)]
    assert AutoClassifier.get_tags().input_kind == "discrete"
    model = AutoClassifier(max_time=None, random_state=0).fit(X, y)
    assert model.get_tags().input_kind == "numeric"
    assert [r["model"] for r in model.leaderboard_] == ["minirocket", "dtw", "dtw"]
    assert model.best_name_ == "minirocket"
    assert model.predict(X[:2]).tolist() == y[:2]


def test_a_tiny_budget_still_returns_a_fitted_model():
    X, y = alternating()
    model = AutoClassifier(max_time=0.0).fit(X, y)
    assert model.is_fitted and model.n_folds_ == 0
    assert math.isnan(model.validation_score_)
    assert {r["status"] for r in model.leaderboard_} == {"over budget"}
    assert model.predict(["abab"]).shape == (1,)


def test_classes_too_small_to_fold_are_fitted_without_validation():
    model = AutoClassifier(models=("kmer",), max_time=None).fit(["ab", "ba"], [0, 1])
    assert model.n_folds_ == 0 and model.best_name_ == "kmer"


def test_bad_models_are_refused():
    X, y = alternating()
    for bad in (("nope",), ("kmer", ("dtw", None)), ()):
        with pytest.raises(InvalidParameterError, match="models"):
            AutoClassifier(models=bad).fit(X, y)


def test_save_and_load_keep_predictions(tmp_path: Path):
    X, y = alternating()
    model = AutoClassifier(models=UNIGRAMS_THEN_BIGRAMS, max_time=None).fit(X, y)
    seqpred.save(model, tmp_path / "auto.seqpred")
    loaded = seqpred.load(tmp_path / "auto.seqpred")
    queries = ["abab", "baba", "zz"]
    assert np.allclose(loaded.predict_proba(queries), model.predict_proba(queries))
    assert loaded.leaderboard_ == model.leaderboard_
    assert loaded.get_tags().input_kind == "discrete"


def test_stratified_folds_spread_every_class():
    y = np.array([0] * 6 + [1] * 3)
    fold = stratified_folds(y, 3)
    for f in range(3):
        assert sorted(y[fold == f].tolist()) == [0, 0, 1]


def test_create_auto_for_classification():
    assert isinstance(seqpred.create("auto", task="classify"), AutoClassifier)
