"""AutoNextItem: the choice, the budget, the leaderboard, saving, create('auto')."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import seqpred
from seqpred.exceptions import InvalidParameterError
from seqpred.models.next_item import AutoNextItem, MarkovPredictor


def second_order(n: int = 60, seed: int = 0) -> list[list[str]]:
    """The item after "a" is "b" after "x" and "c" after "y": order 2 is needed."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        first = "x" if rng.random() < 0.5 else "y"
        out.append([first, "a", "b" if first == "x" else "c"])
    return out


ORDERS = (("markov", {"order": 1}), ("markov", {"order": 2}))


def test_the_model_that_clearly_wins_validation_is_chosen():
    model = AutoNextItem(models=ORDERS, max_time=None).fit(second_order())
    assert model.best_name_ == "markov" and model.best_params_ == {"order": 2}
    assert isinstance(model.best_estimator_, MarkovPredictor)
    assert model.predict([["x", "a"], ["y", "a"]]) == ["b", "c"]
    scores = [row["score"] for row in model.leaderboard_[:2]]
    assert scores[1] == 1.0 and scores[0] < 0.8
    assert model.validation_score_ == 1.0 and model.n_validation_ == 9


def test_leaderboard_rows():
    model = AutoNextItem(models=ORDERS, max_time=None).fit(second_order())
    rows = model.leaderboard_
    assert [r["model"] for r in rows] == ["markov", "markov", "blend"]
    assert set(rows[0]) == {
        "model", "params", "score", "fit_seconds", "predict_seconds", "status",
        "chosen", "note",
    }  # fmt: skip
    assert [r["chosen"] for r in rows] == [False, True, False]
    assert all(r["status"] == "ok" and r["fit_seconds"] >= 0 for r in rows)
    assert rows[2]["params"]["models"] == [["markov", {"order": 1}],
                                           ["markov", {"order": 2}]]  # fmt: skip
    without = AutoNextItem(models=ORDERS, max_time=None, blend=False)
    assert [r["model"] for r in without.fit(second_order()).leaderboard_] == [
        "markov", "markov"
    ]  # fmt: skip


def test_a_tiny_budget_still_returns_a_fitted_model():
    model = AutoNextItem(max_time=0.0).fit(second_order())
    assert model.is_fitted and model.best_name_ == "cpt+"
    assert math.isnan(model.validation_score_)
    assert {r["status"] for r in model.leaderboard_} == {"over budget"}
    assert len(model.predict([["x", "a"]])) == 1


def test_a_failing_candidate_is_reported_and_skipped():
    models = (("markov", {"order": 2}), ("ppm", {"max_order": -1}))
    model = AutoNextItem(models=models, max_time=None).fit(second_order())
    failed = model.leaderboard_[1]
    assert failed["status"] == "failed" and "max_order" in failed["note"]
    assert model.best_params_ == {"order": 2}


def test_bad_models_are_refused_with_the_names_to_use():
    for bad in (("nope",), ("markov", ("ppm", "order=2")), (), ("auto-next-item",)):
        with pytest.raises(InvalidParameterError, match="models"):
            AutoNextItem(models=bad).fit(second_order())


def test_the_consequent_counts_any_of_the_next_items():
    data = [["a", "b", "c"]] * 30
    model = AutoNextItem(models=("markov",), consequent=2, max_time=None).fit(data)
    assert model.leaderboard_[0]["score"] == 1.0  # "b" is among "b", "c"


def test_save_and_load_keep_predictions_and_the_leaderboard(tmp_path: Path):
    data = second_order() + [["x", "a", "b", "d"], ["y", "a", "c", "d"]] * 5
    for blend in (False, True):
        model = AutoNextItem(models=ORDERS + ("dg",), blend=blend, max_time=None)
        model.fit(data)
        path = tmp_path / f"auto{blend}.seqpred"
        seqpred.save(model, path)
        loaded = seqpred.load(path)
        queries = [["x", "a"], ["y", "a", "c"], ["zz"]]
        assert loaded.predict_top_k(queries, k=3) == model.predict_top_k(queries, k=3)
        assert loaded.leaderboard_ == model.leaderboard_
        assert loaded.best_name_ == model.best_name_


def test_a_chosen_blend_predicts_with_its_members():
    model = AutoNextItem(models=ORDERS, max_time=None).fit(second_order())
    model.estimators_ = [MarkovPredictor(order=1).fit(second_order()),
                         MarkovPredictor(order=2).fit(second_order())]  # fmt: skip
    model.weights_ = np.array([0.3, 0.7])
    assert model.best_estimator_ is None
    assert model.predict([["x", "a"]]) == ["b"]
    assert np.allclose(model.predict_proba([["x", "a"]]).sum(axis=1), 1.0)


def test_create_auto_needs_a_task_with_an_auto_model():
    assert isinstance(seqpred.create("auto", task="next-item"), AutoNextItem)
    assert seqpred.create("AUTO", task="next-item", max_time=5.0).max_time == 5.0
    for bad in ({}, {"task": "generate"}):
        with pytest.raises(InvalidParameterError, match="task"):
            seqpred.create("auto", **bad)
    assert seqpred.available()["auto-next-item"] == "next-item"
    assert seqpred.available()["auto-classify"] == "classify"
    assert "auto" not in seqpred.available()


@pytest.mark.filterwarnings("ignore:TDAG")
@pytest.mark.parametrize(
    "candidate", [("markov", {"order": 2}), ("tdag", {}), ("dg", {}), ("cpt+", {})]
)
def test_the_winner_completed_by_partial_fit_equals_a_fit_on_all_the_data(candidate):
    data = second_order(80, seed=3) + [["z", "a", "b", "q"], ["q", "x", "a"]] * 5
    model = AutoNextItem(models=(candidate,), max_time=None, blend=False).fit(data)
    reference = seqpred.create(candidate[0], **candidate[1]).fit(data)
    queries = [["x", "a"], ["y", "a"], ["q"], ["z", "a", "b"], ["a"]]
    ids, scores = model.best_estimator_.predict_top_k_ids(queries, 3)
    ref_ids, ref_scores = reference.predict_top_k_ids(queries, 3)
    np.testing.assert_array_equal(ids, ref_ids)
    np.testing.assert_allclose(scores, ref_scores, rtol=0, atol=1e-12)
    assert model.best_estimator_.vocabulary_.symbols == reference.vocabulary_.symbols
