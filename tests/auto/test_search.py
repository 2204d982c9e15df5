"""The search every auto model shares: budget, failures, the sticky choice."""

from __future__ import annotations

import numpy as np

from seqpred.models.auto import (
    Budget,
    Candidate,
    OverBudget,
    Trial,
    choose,
    leaderboard,
    paired_gain,
    run_candidates,
)


def _scored(hits: dict[str, list[int]]):
    def evaluate(candidate: Candidate) -> Trial:
        items = np.array(hits[candidate.name], dtype=float)
        return Trial(candidate, float(items.mean()), items, 0.01, 0.001)

    return evaluate


def test_candidates_run_in_order_and_the_first_is_kept_unless_clearly_beaten():
    hits = {
        "first": [1] * 50 + [0] * 50,
        "lucky": [0] * 4 + [1] * 46 + [1] * 6 + [0] * 44,  # 6 won, 4 lost: noise
        "better": [1] * 80 + [0] * 20,  # +30: a real gain
    }
    trials = run_candidates([Candidate(n) for n in hits], _scored(hits), Budget(None))
    assert [t.candidate.name for t in trials] == ["first", "lucky", "better"]
    assert choose(trials[:2]) == 0
    assert choose(trials) == 2


def test_a_zero_budget_runs_nothing_and_says_why():
    trials = run_candidates([Candidate("a")], _scored({"a": [1]}), Budget(0.0))
    assert trials[0].status == "over budget" and trials[0].score is None
    assert choose(trials) is None
    row = leaderboard(trials, None)[0]
    assert row["status"] == "over budget" and not row["chosen"]


def test_failures_and_over_budget_signals_are_recorded_not_raised():
    def evaluate(candidate: Candidate) -> Trial:
        if candidate.name == "broken":
            raise ValueError("bad\nthing")
        if candidate.name == "slow":
            raise OverBudget("stopped after 1 of 5 folds")
        return Trial(candidate, 1.0, np.ones(3))

    names = ["broken", "slow", "fine"]
    trials = run_candidates([Candidate(n) for n in names], evaluate, Budget(None))
    assert [t.status for t in trials] == ["failed", "over budget", "ok"]
    assert trials[0].note == "ValueError: bad thing"
    assert choose(trials) == 2


def test_paired_gain_and_leaderboard_rows():
    gain, error = paired_gain(np.array([1, 1, 0]), np.array([0, 1, 0]))
    assert gain == 1.0 and error == 1.0
    trial = Trial(Candidate("ppm", {"max_order": np.int64(3)}), 0.5, None, 1.0, 0.25)
    row = leaderboard([trial], 0)[0]
    assert row == {
        "model": "ppm", "params": {"max_order": 3}, "score": 0.5,
        "fit_seconds": 1.0, "predict_seconds": 0.25, "status": "ok",
        "chosen": True, "note": "",
    }  # fmt: skip
    assert type(row["params"]["max_order"]) is int
