"""AutoForecaster: backtests in fit, the default kept or beaten, the budget, saving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import seqpred
from seqpred.data import SequenceSet
from seqpred.exceptions import InvalidParameterError
from seqpred.models.auto.search import Budget, OverBudget
from seqpred.models.forecast import AutoForecaster
from seqpred.models.forecast import auto as auto_module
from seqpred.models.forecast._auto_backtest import make_windows


def trends(n: int = 12, length: int = 30) -> list[np.ndarray]:
    """Straight lines of different slopes: drift is exact, naive lags behind."""
    return [5.0 + (i + 1) * np.arange(length, dtype=float) for i in range(n)]


def seasonal(n: int = 12, length: int = 32) -> list[np.ndarray]:
    """A period-4 pattern at different levels: seasonal naive is exact."""
    pattern = np.array([1.0, 6.0, 3.0, 9.0])
    return [10.0 * (i + 1) + np.tile(pattern, length // 4) for i in range(n)]


def test_the_default_combination_is_the_median_of_the_four_workhorses():
    t = np.arange(40.0)
    series = [10 + 0.5 * t + np.sin(t), 30 - 0.2 * t + np.cos(t / 2)]
    model = AutoForecaster(horizon=4, season_length=1, max_time=None).fit(series)
    assert model.best_name_ == "median"
    labels = [label for label, _ in model.best_params_["models"]]
    assert labels == ["theta", "drift", "ets", "arima"]
    assert model.choices_ == ["median(theta, drift, ets, arima)"] * 2
    stages = [row["stage"] for row in model.leaderboard_]
    assert stages[:9] == ["candidate"] * 9 and set(stages[9:]) == {"combination"}
    first = model.leaderboard_[0]
    assert first["status"] == "ok" and first["mase"] > 0 and first["smape"] > 0
    assert first["score"] == pytest.approx(-first["mase"], abs=1e-5)
    assert model.n_validated_ == 2 and model.n_windows_ == 1
    forecast = model.predict()
    assert forecast.shape == (2, 4, 1) and np.isfinite(forecast).all()
    # the combined forecast is the median of the members' forecasts
    members = np.stack([e.predict() for e in model.estimators_])
    np.testing.assert_allclose(forecast, np.median(members, axis=0))


def test_a_candidate_that_wins_every_backtest_clearly_replaces_the_combination():
    model = AutoForecaster(("naive", "drift"), horizon=3, max_time=None)
    model.fit(trends())
    assert model.best_name_ == "drift" and model.best_params_ == {}
    assert model.choices_ == ["drift"] * 12
    chosen = [row for row in model.leaderboard_ if row["chosen"]]
    assert [row["model"] for row in chosen] == ["drift", "drift"]  # candidate, rule
    expected = 5.0 + 3 * np.arange(30, 33, dtype=float)  # the third line goes on
    np.testing.assert_allclose(model.predict()[2, :, 0], expected)


def test_without_a_clear_winner_the_first_candidate_stays_with_ensemble_none():
    series = [np.full(20, 3.0) + (np.arange(20) % 2) * 1e-9 for _ in range(3)]
    model = AutoForecaster(("naive", "drift"), horizon=2, ensemble=None, max_time=None)
    model.fit(series)
    assert model.best_name_ == "naive"


def test_per_series_each_validated_series_takes_its_own_best_candidate():
    series = trends(6) + seasonal(6)
    candidates = (("seasonal-naive", {"season_length": 4}), "drift")
    model = AutoForecaster(candidates, horizon=4, ensemble=None, per="series",
                           season_length=4, max_time=None)  # fmt: skip
    model.fit(series)
    assert model.choices_[:6] == ["drift"] * 6
    assert model.choices_[6:] == ["seasonal-naive(season_length=4)"] * 6
    forecast = model.predict()
    np.testing.assert_allclose(forecast[0, :, 0], 5.0 + np.arange(30, 34.0))
    np.testing.assert_allclose(forecast[6, :, 0], 10.0 + np.array([1, 6, 3, 9.0]))
    counts = {row["model"]: row["series"] for row in model.leaderboard_[:2]}
    assert counts == {"seasonal-naive": 6, "drift": 6}
    # a new history gets the group's choice
    assert model.predict([trends(1)[0]]).shape == (1, 4, 1)


def test_series_too_short_to_validate_get_the_default_members_unvalidated():
    model = AutoForecaster(("naive", "drift", "theta"), horizon=5, max_time=None)
    model.fit([np.arange(8.0), np.arange(9.0) * 2])
    assert model.n_validated_ == 0 and np.isnan(model.validation_score_)
    assert model.choices_[0] == "median(naive, drift, theta)"
    assert {row["status"] for row in model.leaderboard_} == {"not validated"}
    assert "no series has 5 + 6 steps" in model.leaderboard_[0]["note"]
    assert model.predict().shape == (2, 5, 1)


def test_a_tiny_budget_still_fits_a_model_that_forecasts():
    model = AutoForecaster(horizon=3, max_time=1e-6).fit(trends())
    assert model.predict().shape == (12, 3, 1)
    assert "over budget" in {row["status"] for row in model.leaderboard_}


def test_backtest_windows_hold_out_the_latest_steps_first():
    ss = SequenceSet.from_lists([np.arange(20.0), np.arange(10.0)], kind="numeric")
    windows = make_windows(ss, 3, 2, np.ones(2, dtype=int))
    assert [w.rows.tolist() for w in windows] == [[0, 1], [0]]
    assert windows[0].truth[:, :, 0].tolist() == [[17, 18, 19], [7, 8, 9]]
    assert windows[1].truth[0, :, 0].tolist() == [14, 15, 16]
    assert windows[1].train.lengths.tolist() == [14]
    np.testing.assert_allclose(windows[0].scale[:, 0], [1.0, 1.0])


def test_more_windows_average_each_series_errors_over_them():
    model = AutoForecaster(("naive", "drift"), horizon=3, n_windows=3, max_time=None)
    model.fit(trends())
    assert model.n_windows_ == 3 and model.best_name_ == "drift"
    naive = model.leaderboard_[0]
    assert naive["mase"] == pytest.approx(2.0)  # a line lags 2 steps on average


def test_intervals_combine_the_members_quantiles():
    rng = np.random.default_rng(0)
    series = [np.cumsum(rng.normal(0.2, 1.0, 50)) for _ in range(4)]
    model = AutoForecaster(("naive", "drift", "theta"), horizon=5, max_time=None)
    model.fit(series)
    mean = model.predict()
    lower, upper = model.predict_interval(coverage=0.8)
    assert (lower <= mean + 1e-9).all() and (mean <= upper + 1e-9).all()
    assert (upper - lower > 0).all()


def test_create_auto_for_forecast_and_saving_keep_the_choice(tmp_path: Path):
    model = seqpred.create("auto", task="forecast", models=("naive", "drift"),
                           horizon=3, max_time=None)  # fmt: skip
    assert isinstance(model, AutoForecaster)
    assert seqpred.available()["auto-forecast"] == "forecast"
    model.fit(trends())
    path = tmp_path / "auto.seqpred"
    seqpred.save(model, path)
    loaded = seqpred.load(path)
    assert loaded.best_name_ == "drift" and loaded.leaderboard_ == model.leaderboard_
    np.testing.assert_array_equal(loaded.predict(), model.predict())


@pytest.mark.parametrize(
    "models", [("no-such-model",), ("markov",), (("theta", "standard"),), ()]
)
def test_bad_candidates_are_refused_with_the_names_to_choose_from(models):
    with pytest.raises(InvalidParameterError, match="models"):
        AutoForecaster(models, max_time=None).fit(trends())


def test_local_candidates_backtest_in_blocks_with_the_same_forecasts(monkeypatch):
    rng = np.random.default_rng(1)
    series = [np.cumsum(rng.normal(0.1, 1.0, 40)) + 50 for _ in range(9)]
    whole = AutoForecaster(("theta", "naive"), horizon=4, max_time=None).fit(series)
    monkeypatch.setattr(auto_module, "LOCAL_CHUNKS", (1, 2))
    blocks = AutoForecaster(("theta", "naive"), horizon=4, max_time=None).fit(series)
    assert [len(b) for b in auto_module._chunks(9)] == [1, 2, 2, 2, 2]
    assert blocks.leaderboard_[0]["mase"] == whole.leaderboard_[0]["mase"]
    np.testing.assert_array_equal(blocks.predict(), whole.predict())


def test_a_candidate_stops_between_blocks_when_its_rest_and_refit_do_not_fit():
    with pytest.raises(OverBudget, match="stopped after 50% of its backtest"):
        auto_module._check_time(Budget(5.0), spent=3.0, done=0.5)
    auto_module._check_time(Budget(None), spent=3.0, done=0.5)
    auto_module._check_time(Budget(60.0), spent=3.0, done=0.5)
