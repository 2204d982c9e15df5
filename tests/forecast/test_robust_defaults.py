"""Guards of the window models: short histories, pooled levels, explosive fits."""

import warnings

import numpy as np
import pytest

import seqpred
from seqpred.evaluate.forecast import forecast_errors
from seqpred.exceptions import DataError, FallbackWarning
from seqpred.models.forecast import AR, SETAR, DLinear

RNG = np.random.default_rng(5)


def _short_trending_panel(n_series=40, length=20, horizon=6):
    """Yearly-like series: short, positive, trending, levels from 10 to 10^4."""
    series = []
    for level in np.geomspace(10, 1e4, n_series):
        growth = RNG.uniform(-0.02, 0.08)
        noise = RNG.normal(0, 0.03, length + horizon)
        series.append(level * np.exp(np.cumsum(growth + noise)))
    train = [y[:-horizon] for y in series]
    test = np.stack([y[-horizon:] for y in series])[:, :, None]
    return train, test


def test_a_short_training_series_is_not_continued_from_its_neighbour():
    long = np.sin(np.arange(200) / 3)
    short = np.array([100.0, 101, 102, 103, 104])
    model = DLinear(lookback=24, horizon=3).fit([long, short])
    with pytest.raises(DataError, match="training series 1 has 5 step.*'theta'"):
        model.predict()
    assert model.predict([long]).shape == (1, 3, 1)


def test_fit_refusals_name_the_models_that_fit_short_series():
    with pytest.raises(DataError, match="'theta' or 'ets'"):
        DLinear().fit([np.arange(20.0)])
    with pytest.raises(DataError, match="'theta' or 'ets'"):
        SETAR().fit([np.arange(13.0)])


@pytest.mark.parametrize("name", ["ar", "setar", "theta", "ets", "arima"])
def test_defaults_are_not_far_worse_than_naive_on_short_trending_series(name):
    train, test = _short_trending_panel()
    naive = np.stack([np.repeat(y[-1], 6) for y in train])[:, :, None]
    insample = [y[:, None] for y in train]
    base = forecast_errors(test, naive, insample)["mase"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        forecast = seqpred.create(name, horizon=6).fit(train).predict()
    assert forecast_errors(test, forecast, insample)["mase"] <= 1.5 * base


def test_a_panel_of_levels_is_scaled_and_one_series_is_not():
    train, _ = _short_trending_panel()
    assert AR().fit(train).scaling_ == "mean"
    assert AR().fit(train[:1]).scaling_ == "none"
    centred = [y - y.mean() for y in train]
    assert AR().fit(centred).scaling_ == "none"  # crosses zero
    assert AR(scaling="standard").fit(train).scaling_ == "standard"


def test_an_explosive_fit_falls_back_to_naive_from_where_it_runs_away():
    growth = 1.3 ** np.arange(30)  # fits y_t = 1.3 y_{t-1}
    model = AR(order=1).fit([growth])
    history = 10 + RNG.normal(0, 0.1, 20)
    with pytest.warns(FallbackWarning, match="ran away from their history"):
        mean, std = model.predict_distribution([history], horizon=30)
    assert mean[0, -1, 0] == history[-1]  # naive at the end
    assert np.isfinite(std).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        first = model.predict([history], horizon=1)
    assert first[0, 0, 0] == mean[0, 0, 0]  # the first steps do not move


def test_a_sensible_forecast_is_left_alone():
    t = np.arange(120)
    y = 5 + np.sin(2 * np.pi * t / 12) + 0.02 * t
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        forecast = AR(order=13).fit([y]).predict(horizon=24)
    ahead = np.arange(120, 144)
    truth = 5 + np.sin(2 * np.pi * ahead / 12) + 0.02 * ahead
    assert np.abs(forecast[0, :, 0] - truth).max() < 0.1


def test_global_models_take_auto_seasons():
    t = np.arange(96)
    panel = [
        50 + 5 * np.sin(2 * np.pi * (t + shift) / 12) + RNG.normal(0, 0.2, 96)
        for shift in range(6)
    ]
    model = AR(season_length="auto", horizon=12).fit(panel)
    assert model.season_length_ == 12 and model.coef_.shape[0] == 2 + 12
    assert DLinear(lookback=10, season_length="auto").fit(panel).season_length_ is None
    assert not hasattr(AR().fit(panel), "season_length_")
