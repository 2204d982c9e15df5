"""Baselines and Naive2: worked values, intervals, and the official M4 numbers."""

import numpy as np
import polars as pl
import pytest

from seqpred.evaluate.forecast import forecast_errors
from seqpred.exceptions import DataError
from seqpred.models.forecast import (
    DriftForecaster,
    MeanForecaster,
    Naive2,
    NaiveForecaster,
    SeasonalNaive,
)
from seqpred.models.forecast.naive2 import is_seasonal, seasonal_indices


def test_point_forecasts_by_hand():
    y = [np.array([1.0, 2.0, 4.0, 3.0])]
    assert NaiveForecaster().fit(y).predict(horizon=2)[0, :, 0].tolist() == [3.0, 3.0]
    assert MeanForecaster().fit(y).predict(horizon=1)[0, 0, 0] == 2.5
    drift = DriftForecaster().fit(y).predict(horizon=3)[0, :, 0]
    np.testing.assert_allclose(drift, [3 + 2 / 3, 3 + 4 / 3, 5.0])
    season = SeasonalNaive(season_length=3).fit(y).predict(horizon=5)[0, :, 0]
    assert season.tolist() == [2.0, 4.0, 3.0, 2.0, 4.0]


def test_interval_growth_follows_the_textbook():
    y = [np.array([0.0, 1.0, 0.0, 1.0, 0.0])]
    _, std = NaiveForecaster().fit(y).predict_distribution(horizon=4)
    np.testing.assert_allclose(std[0, :, 0], np.sqrt([1, 2, 3, 4]))
    y = [np.array([0.0, 1.0, 3.0, 1.0, 0.0, 2.0])]
    _, std = SeasonalNaive(season_length=2).fit(y).predict_distribution(horizon=4)
    sigma = np.sqrt(np.mean([3.0**2, 0.0, 3.0**2, 1.0]))
    np.testing.assert_allclose(std[0, :, 0], sigma * np.sqrt([1, 1, 2, 2]))


def test_multivariate_series_are_forecast_per_feature():
    y = [np.column_stack([np.arange(6.0), -np.arange(6.0)])]
    forecast = DriftForecaster().fit(y).predict(horizon=2)
    assert forecast.shape == (1, 2, 2)
    np.testing.assert_allclose(forecast[0], [[6.0, -6.0], [7.0, -7.0]])


def test_seasonal_naive_needs_a_season_of_history():
    model = SeasonalNaive(season_length=5).fit([np.arange(10.0)])
    with pytest.raises(DataError, match="at least 5"):
        model.predict([np.arange(3.0)])


def test_seasonality_test_and_indices():
    t = np.arange(120)
    seasonal = 10 + 3 * np.sin(2 * np.pi * t / 12)
    assert is_seasonal(seasonal, 12)
    assert not is_seasonal(np.random.default_rng(0).normal(10, 1, 120), 12)
    assert not is_seasonal(seasonal[:30], 12)  # shorter than 3 seasons
    index = seasonal_indices(seasonal, 12)
    assert index.shape == (12,) and abs(index.mean() - 1) < 1e-12
    assert np.argmax(index) == 3  # the sine peaks a quarter period in


def test_naive2_reseasonalises_the_naive_forecast():
    t = np.arange(96)
    y = (20 + 0.05 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12))
    forecast = Naive2(season_length=12).fit([y]).predict(horizon=12)[0, :, 0]
    index = seasonal_indices(y, 12)
    adjusted_last = y[-1] / index[95 % 12]
    np.testing.assert_allclose(forecast, adjusted_last * index[np.arange(96, 108) % 12])


def _read_m4(path):
    frame = pl.read_csv(path, infer_schema_length=0)
    rows = frame.iter_rows()
    return [np.array([float(v) for v in r[1:] if v not in (None, "")]) for r in rows]


def test_m4_hourly_official_benchmarks_exactly(shared_data):
    folder = shared_data / "forecast" / "m4_hourly"
    train = _read_m4(folder / "Hourly-train.csv")
    truth = np.stack(_read_m4(folder / "Hourly-test.csv"))[:, :, None]
    insample = [x[:, None] for x in train]
    official = {"seasonal": (13.912, 1.193), "naive": (43.003, 11.608)}
    official["naive2"] = (18.383, 2.395)
    models = {
        "seasonal": SeasonalNaive(season_length=24, horizon=48),
        "naive": NaiveForecaster(horizon=48),
        "naive2": Naive2(season_length=24, horizon=48),
    }
    for name, model in models.items():
        errors = forecast_errors(truth, model.fit(train).predict(), insample, 24)
        got = (round(errors["smape"], 3), round(errors["mase"], 3))
        assert got == official[name], name
