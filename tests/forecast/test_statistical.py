"""ETS, Theta and ARIMA: model choice, fall-backs, refits and clear refusals."""

import numpy as np
import pytest

from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.forecast import ARIMA, ETS, Theta
from seqpred.models.forecast.arima import kpss_statistic, n_diffs, n_seasonal_diffs

RNG = np.random.default_rng(11)
MODELS = [ETS, Theta, ARIMA]


def _trend(n=60, slope=2.0, noise=1.0):
    return 50 + slope * np.arange(n) + RNG.normal(0, noise, n)


@pytest.mark.parametrize("cls", MODELS)
def test_a_trend_is_continued(cls):
    y = _trend()
    forecast = cls(season_length=1, horizon=5).fit([y]).predict()[0, :, 0]
    truth = 50 + 2.0 * np.arange(60, 65)
    assert np.abs(forecast - truth).max() < 6


@pytest.mark.parametrize("cls", MODELS)
def test_short_and_constant_series_get_the_naive_forecast(cls):
    series = [np.array([3.0, 4.0, 7.0]), np.full(10, 5.0), np.array([2.0])]
    mean, std = cls(season_length=1).fit(series).predict_distribution(horizon=2)
    np.testing.assert_allclose(mean[:, :, 0], [[7, 7], [5, 5], [2, 2]], atol=1e-9)
    assert np.isfinite(std).all()


@pytest.mark.parametrize("cls", MODELS)
def test_new_histories_are_fitted_anew(cls):
    a, b = _trend(40), _trend(40, slope=-1.0) + 200
    model = cls(season_length=1, horizon=3).fit([a])
    alone = cls(season_length=1, horizon=3).fit([b]).predict()
    np.testing.assert_allclose(model.predict([b]), alone)
    np.testing.assert_allclose(model.predict([a]), model.predict())


@pytest.mark.parametrize("cls", MODELS)
def test_missing_values_are_refused_with_the_fix(cls):
    y = _trend(30)
    y[4] = np.nan
    with pytest.raises(DataError, match="NaN"):
        cls(season_length=1).fit([y])


@pytest.mark.parametrize("cls", MODELS)
def test_intervals_widen_with_the_horizon(cls):
    y = np.cumsum(RNG.normal(size=80)) + 100
    _, std = cls(season_length=1).fit([y]).predict_distribution(horizon=6)
    assert (np.diff(std[0, :, 0]) >= -1e-9).all() and std[0, -1, 0] > std[0, 0, 0]


def test_ets_picks_the_models_the_data_call_for():
    t = np.arange(72)
    seasonal = 100 + 10 * np.sin(2 * np.pi * t / 12) + RNG.normal(0, 0.5, 72)
    model = ETS(season_length=12, selection="best").fit([seasonal, _trend(72)])
    names = model.model_names_
    assert names[0].endswith(",A)") or names[0].endswith(",M)")
    assert names[1].split(",")[1] in ("A", "Ad") and names[1].endswith(",N)")
    assert model.aicc_.shape == (2,) and np.isfinite(model.aicc_).all()
    alpha, beta, gamma, phi = model.smoothing_[1]
    assert 0 < beta < alpha < 1 and gamma == 0.0


def test_ets_weights_and_best_share_the_best_model():
    y = _trend(50) * (1 + 0.1 * np.sin(np.arange(50)))
    best = ETS(season_length=1, selection="best").fit([y])
    weighted = ETS(season_length=1).fit([y])
    assert best.model_names_ == weighted.model_names_
    assert not np.allclose(best.predict(horizon=4), weighted.predict(horizon=4))


def test_ets_multiplicative_needs_positive_data():
    y = _trend(40) - 100  # crosses zero
    model = ETS(season_length=1).fit([y])
    assert model.model_names_[0].startswith("ETS(A")
    with pytest.raises(DataError, match="needs positive series.*error='additive'"):
        ETS(error="multiplicative", season_length=1).fit([y])


def test_ets_fixed_components_are_respected():
    model = ETS(error="additive", trend="damped", season="none").fit([_trend()])
    assert model.model_names_ == ["ETS(A,Ad,N)"]
    assert 0.8 <= model.smoothing_[0, 3] <= 0.98


def test_theta_standard_is_theta_two_and_auto_picks_least_error():
    y = _trend(40)
    standard = Theta(method="standard", season_length=1).fit([y])
    assert standard.methods_ == ["standard"] and standard.params_[0, 1] == 2.0
    auto = Theta(method="auto", season_length=1).fit([y])
    forms = ("standard", "optimised", "dynamic-standard", "dynamic-optimised")
    errors = [Theta(method=f, season_length=1).fit([y]).params_[0, 2] for f in forms]
    assert auto.params_[0, 2] == pytest.approx(min(errors))


def test_theta_adjusts_only_seasonal_series():
    t = np.arange(60)
    seasonal = 100 * (1 + 0.2 * np.sin(2 * np.pi * t / 12)) + RNG.normal(0, 1, 60)
    model = Theta(season_length=12).fit([seasonal, _trend(60)])
    assert model.seasonal_.tolist() == [True, False]


def test_arima_recovers_an_ar1_with_a_mean():
    e = RNG.normal(size=400)
    y = np.empty(400)
    y[0] = 10.0
    for t in range(1, 400):
        y[t] = 10 + 0.7 * (y[t - 1] - 10) + e[t]
    model = ARIMA(season_length=1).fit([y])
    p, d, q, sp, sd, sq, constant = model.orders_[0]
    assert (d, sp, sd, sq, constant) == (0, 0, 0, 0, 1) and p >= 1
    assert model.sigma_[0] == pytest.approx(1.0, abs=0.1)


def test_arima_differences_a_random_walk_and_grows_its_interval():
    y = np.cumsum(RNG.normal(size=300))
    model = ARIMA(order=(0, 1, 0), season_length=1).fit([y])
    mean, std = model.predict_distribution(horizon=4)
    np.testing.assert_allclose(mean[0, :, 0], y[-1])
    np.testing.assert_allclose(std[0, :, 0] / std[0, 0, 0], np.sqrt([1, 2, 3, 4]))
    assert ARIMA(season_length=1).fit([y]).orders_[0, 1] == 1


def test_arima_seasonal_difference_continues_the_pattern():
    t = np.arange(96)
    y = 20 + np.tile([5.0, -3.0, 0.0, 8.0, -2.0, -8.0], 16) + 0.1 * t
    y = y + RNG.normal(0, 0.2, 96)
    model = ARIMA(season_length=6, horizon=6).fit([y])
    assert model.orders_[0, 4] == 1  # D
    truth = 20 + np.array([5.0, -3.0, 0.0, 8.0, -2.0, -8.0]) + 0.1 * np.arange(96, 102)
    assert np.abs(model.predict()[0, :, 0] - truth).max() < 1.5


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"order": (1, 1)}, "order must be None or a tuple of three ints"),
        ({"order": (1, -1, 0)}, "order must be None or a tuple of three ints"),
        ({"seasonal_order": (0, 1, 1)}, "seasonal_order=.* needs order too"),
    ],
)
def test_arima_bad_orders_are_refused(params, match):
    with pytest.raises(InvalidParameterError, match=match):
        ARIMA(**params).fit([_trend()])


def test_unit_root_tests():
    noise = RNG.normal(size=300)
    assert kpss_statistic(noise) < 0.463 < kpss_statistic(np.cumsum(noise))
    assert n_diffs(noise) == 0 and n_diffs(np.cumsum(noise)) == 1
    assert n_diffs(np.cumsum(np.cumsum(noise))) == 2
    t = np.arange(72)
    assert n_seasonal_diffs(np.sin(2 * np.pi * t / 12) + 0.05 * t, 12) == 1
    assert n_seasonal_diffs(noise[:72], 12) == 0
    assert n_seasonal_diffs(noise[:20], 12) == 0  # too short


@pytest.mark.parametrize("cls", MODELS)
def test_multivariate_series_are_fitted_per_feature(cls):
    y = np.column_stack([_trend(40), _trend(40, slope=-1.0) + 300])
    model = cls(season_length=1, horizon=2).fit([y])
    joint = model.predict()
    for j in range(2):
        alone = cls(season_length=1, horizon=2).fit([y[:, j]]).predict()
        np.testing.assert_allclose(joint[:, :, j], alone[:, :, 0])
