"""Seasonal period detection, the time-index rule and seasonal strength."""

import numpy as np
import pytest

from seqpred.data.sequence_set import SequenceSet
from seqpred.models.forecast import ARIMA, ETS, Naive2, SeasonalNaive, Theta
from seqpred.models.forecast.seasonality import (
    detect_season_length,
    period_from_timestamps,
    resolve_season_lengths,
    seasonal_strength,
)

RNG = np.random.default_rng(7)


@pytest.mark.parametrize("period", [4, 7, 12, 24])
def test_a_cycle_on_a_trend_is_found(period):
    t = np.arange(12 * period)
    y = 50 + 0.4 * t + 5 * np.sin(2 * np.pi * t / period) + RNG.normal(0, 0.5, len(t))
    assert detect_season_length(y) == period


def test_a_sharp_pattern_gives_its_period_not_a_multiple():
    pattern = np.array([1.0, 5.0, 3.0, 2.0])
    y = np.tile(pattern, 15) + RNG.normal(0, 0.1, 60)
    assert detect_season_length(y) == 4


@pytest.mark.parametrize(
    "y",
    [
        np.cumsum(RNG.normal(size=200)),  # random walk
        RNG.normal(size=200),  # white noise
        np.arange(50.0),  # a line
        np.ones(30),  # constant
        np.array([1.0, 2.0, 1.0, 2.0, 1.0]),  # too short for three cycles
    ],
    ids=["random-walk", "noise", "line", "constant", "short"],
)
def test_nothing_periodic_gives_one(y):
    assert detect_season_length(y) == 1


def test_max_period_bounds_the_search():
    t = np.arange(240)
    y = np.sin(2 * np.pi * t / 24)
    assert detect_season_length(y) == 24
    assert detect_season_length(y, max_period=12) == 1


@pytest.mark.parametrize(
    ("start", "stop", "unit", "expected"),
    [
        ("2024-01-01T00:00", "2024-01-01T06:00", "m", 60),
        ("2024-01-01T00", "2024-01-05T00", "h", 24),
        ("2024-01-01", "2024-03-01", "D", 7),
        ("2020-01", "2023-01", "M", 12),
        ("2000", "2010", "Y", 1),
    ],
)
def test_the_time_index_gives_the_usual_period(start, stop, unit, expected):
    stamps = np.arange(start, stop, dtype=f"datetime64[{unit}]")
    assert period_from_timestamps(stamps.astype("datetime64[s]")) == expected


def test_weeks_and_quarters_and_unknown_spacings():
    weeks = np.arange("2024-01-01", "2024-12-01", 7, dtype="datetime64[D]")
    assert period_from_timestamps(weeks) == 52
    quarters = np.arange("2000-01", "2010-01", 3, dtype="datetime64[M]")
    assert period_from_timestamps(quarters.astype("datetime64[D]")) == 4
    odd = np.arange("2024-01-01", "2024-06-01", 5, dtype="datetime64[D]")
    assert period_from_timestamps(odd) is None
    assert period_from_timestamps(np.arange(10)) is None


def test_resolve_reads_timestamps_before_the_data():
    hours = np.arange("2024-01-01T00", "2024-01-04T00", dtype="datetime64[h]")
    y = RNG.normal(size=len(hours))  # no visible cycle, but hourly data
    ss = SequenceSet(y[:, None], np.array([0, len(y)]), timestamps=hours)
    assert resolve_season_lengths(ss, "auto").tolist() == [24]
    short = SequenceSet(y[:30, None], np.array([0, 30]), timestamps=hours[:30])
    assert resolve_season_lengths(short, "auto").tolist() == [1]  # < 2 cycles
    assert resolve_season_lengths(ss, None).tolist() == [1]
    assert resolve_season_lengths(ss, 6).tolist() == [6]


def test_seasonal_strength_is_in_unit_interval():
    t = np.arange(96)
    strong = 10 + np.sin(2 * np.pi * t / 12) + RNG.normal(0, 0.05, 96)
    weak = 10 + 0.1 * np.sin(2 * np.pi * t / 12) + RNG.normal(0, 1.0, 96)
    assert seasonal_strength(strong, 12) > 0.9
    assert 0.0 <= seasonal_strength(weak, 12) < 0.64
    assert seasonal_strength(strong, 1) == 0.0
    assert seasonal_strength(strong[:20], 12) == 0.0


@pytest.mark.parametrize("cls", [ETS, Theta, ARIMA])
def test_auto_season_reaches_every_statistical_model(cls):
    t = np.arange(72)
    y = 100 + 10 * np.sin(2 * np.pi * t / 6) + RNG.normal(0, 0.3, 72)
    model = cls(horizon=6).fit([y, np.linspace(1.0, 2.0, 40)])
    assert model.season_lengths_.tolist() == [6, 1]
    truth = 100 + 10 * np.sin(2 * np.pi * np.arange(72, 78) / 6)
    assert np.abs(model.predict()[0, :, 0] - truth).max() < 2.0


def test_baselines_take_auto_too():
    t = np.arange(40)
    y = np.tile([1.0, 5.0, 3.0, 2.0], 10) + 0.01 * t
    for cls, tolerance in ((SeasonalNaive, 0.0), (Naive2, 0.5)):
        model = cls(season_length="auto").fit([y, np.arange(30.0)])
        assert model.season_lengths_.tolist() == [4, 1]
        forecast = model.predict(horizon=4)
        np.testing.assert_allclose(forecast[0, :, 0], y[-4:], atol=tolerance)
        np.testing.assert_allclose(forecast[1, :, 0], 29.0)
