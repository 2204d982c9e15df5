"""evaluate_multistep: exact match, per-position accuracy, HR@k / NDCG@k within N."""

from __future__ import annotations

import numpy as np
import pytest

import seqpred
from seqpred.evaluate import MultiStepReport, evaluate_multistep
from seqpred.evaluate.multistep import multistep_scores
from seqpred.exceptions import DataError, InvalidParameterError, NotFittedError

TRAIN = ["abcd", "abcd", "abce", "bcda", "bcdb"]


@pytest.fixture(scope="module")
def model():
    return seqpred.create("markov", order=1).fit(TRAIN)


def test_scores_by_hand(model):
    report = evaluate_multistep(model, ["xabcd", "abce", "a"], steps=2, k=3)
    # queries "xab" -> answer "cd" (beam: c d), "ab" -> "ce" (beam: c d)
    assert (report.n_queries, report.n_skipped) == (2, 1)
    assert report.exact_match == 0.5
    assert report.position_accuracy == (1.0, 0.5)
    assert report.hit_rate == 1.0
    assert 0 < report.ndcg <= 1
    assert report.as_dict()["accuracy@2"] == 0.5


def test_the_model_never_sees_the_answer(model):
    perfect = evaluate_multistep(model, ["abcd"], steps=2)
    assert perfect.exact_match == 1.0
    unseen = evaluate_multistep(model, ["aebd"], steps=2)  # "e" is never after a
    assert unseen.position_accuracy[1] == 0.0


def test_repeat_baseline(model):
    report = evaluate_multistep(model, ["abcd", "bcdb"], steps=2, method="repeat")
    assert report.exact_match == 0.0  # c c and a a
    assert report.position_accuracy[0] == 1.0
    assert report.method == "repeat"


def test_window_limits_the_query():
    model = seqpred.create("markov", order=3).fit(["xabc", "yabd"] * 3)
    full = evaluate_multistep(model, ["xabc"], steps=1)
    short = evaluate_multistep(model, ["xabc"], steps=1, window=1)
    assert full.exact_match == 1.0 and short.n_queries == 1


def test_ndcg_and_hit_rate():
    scores = multistep_scores(
        np.array([[3, 4], [-1, -1]]),
        np.array([[4, 3, 9], [-1, -1, -1]]),
        np.array([[3, 4], [3, 3]]),
    )
    assert scores["hit_rate"] == 0.5
    assert scores["ndcg"] == pytest.approx(0.5)  # row 0 ideal, row 1 nothing
    assert scores["no_match_rate"] == 0.5


def test_combine():
    a = evaluate_multistep(seqpred.create("markov").fit(TRAIN), ["abcd"], steps=2)
    b = evaluate_multistep(seqpred.create("markov").fit(TRAIN), ["abce"], steps=2)
    total = MultiStepReport.combine([a, b])
    assert total.n_queries == 2
    assert total.exact_match == pytest.approx((a.exact_match + b.exact_match) / 2)
    with pytest.raises(DataError):
        MultiStepReport.combine([])


def test_errors(model):
    with pytest.raises(DataError, match="steps \\+ 1"):
        evaluate_multistep(model, ["ab"], steps=2)
    with pytest.raises(InvalidParameterError, match="method"):
        evaluate_multistep(model, ["abcd"], method="viterbi")
    with pytest.raises(InvalidParameterError, match="steps"):
        evaluate_multistep(model, ["abcd"], steps=0)
    with pytest.raises(NotFittedError):
        evaluate_multistep(seqpred.create("markov"), ["abcd"])
