"""AR and DLinear: exact recurrences, agreeing strategies, seasonality, errors."""

import numpy as np
import polars as pl
import pytest

from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.forecast import AR, SETAR, DLinear
from seqpred.models.forecast.linear import moving_average_matrix

STRATEGIES = ["recursive", "direct", "multi-output"]


def _recurrence(n, start=(1.0, 2.0, 0.5)):
    y = list(start)
    while len(y) < n:
        y.append(0.6 * y[-1] - 0.3 * y[-2] + 0.2 * y[-3] + 1.5)
    return np.array(y)


def test_ar_recovers_a_linear_recurrence_and_forecasts_it_exactly():
    y = _recurrence(60)
    model = AR(order=3).fit([y[:40]])
    np.testing.assert_allclose(model.coef_[:, 0], [0.2, -0.3, 0.6], atol=1e-9)
    np.testing.assert_allclose(model.intercept_[0], 1.5, atol=1e-9)
    np.testing.assert_allclose(model.predict(horizon=20)[0, :, 0], y[40:], atol=1e-8)
    # a different start of the same recurrence, given as a history
    other = _recurrence(30, start=(5.0, -1.0, 2.0))
    forecast = model.predict([other[:20]], horizon=10)[0, :, 0]
    np.testing.assert_allclose(forecast, other[20:], atol=1e-8)


@pytest.mark.parametrize(
    "cls, params",
    [
        (AR, {"order": 3}),
        (DLinear, {"lookback": 12, "moving_average": 5, "alpha": 0.0}),
    ],
)
def test_strategies_agree_on_a_noise_free_series(cls, params):
    y = _recurrence(80)
    forecasts = [
        cls(horizon=6, strategy=s, **params).fit([y[:60]]).predict()[0, :, 0]
        for s in STRATEGIES
    ]
    for forecast in forecasts:
        np.testing.assert_allclose(forecast, y[60:66], atol=1e-6)


def test_global_model_pools_series_and_features():
    a, b = _recurrence(50), _recurrence(50, start=(0.0, 1.0, 3.0))
    model = AR(order=3).fit([np.column_stack([a, b])])
    assert model.n_windows_ == 2 * 47
    forecast = model.predict(horizon=3)
    np.testing.assert_allclose(forecast[0, :, 1], _recurrence(53, (0.0, 1.0, 3.0))[50:])


def test_season_length_forecasts_periodic_series_as_seasonal_naive():
    # every window's lag-7 differences are 0, so only the base remains
    rng = np.random.default_rng(0)
    pattern = rng.uniform(1, 2, size=7)
    periodic = np.tile(pattern, 12)
    noisy = [np.tile(rng.uniform(1, 5, size=7), 12) for _ in range(3)]
    for cls, params in ((AR, {"order": 5}), (DLinear, {"lookback": 21})):
        model = cls(
            season_length=7, horizon=9, strategy="multi-output", alpha=0.1,
            scaling="seasonal", scale_floor=0.0, transform="log", **params,
        ).fit([periodic, *noisy])  # fmt: skip
        forecast = model.predict([periodic], horizon=9)[0, :, 0]
        np.testing.assert_allclose(forecast, np.tile(pattern, 3)[:9], rtol=1e-6)


def test_scaling_makes_the_model_level_free():
    y = _recurrence(60) + 10
    for scaling in ("mean", "standard", "seasonal"):
        model = AR(order=4, scaling=scaling, alpha=0.0).fit([y])
        small, large = (
            model.predict([y], horizon=3),
            model.predict([y * 100], horizon=3),
        )
        np.testing.assert_allclose(large, small * 100, rtol=1e-8)


def test_moving_average_matrix_repeats_edges():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    np.testing.assert_allclose(
        x @ moving_average_matrix(4, 3).T, [[4 / 3, 2, 3, 11 / 3]]
    )


def test_intervals_and_transforms():
    y = np.exp(
        np.sin(np.arange(100) / 3) + np.random.default_rng(1).normal(0, 0.05, 100)
    )
    model = AR(order=6, transform="log").fit([y])
    mean, std = model.predict_distribution(horizon=5)
    log_std = std[0, :, 0] / mean[0, :, 0]  # the delta method: std on the log scale
    assert (mean > 0).all() and (np.diff(log_std) >= -1e-12).all()
    with pytest.raises(DataError, match="positive"):
        AR(transform="log").fit([np.array([1.0, -1.0, 2.0, 3.0])])
    with pytest.raises(DataError, match=">= 0"):
        AR(transform="sqrt").fit([np.array([1.0, -1.0, 2.0, 3.0])])


def test_clear_errors():
    y = [_recurrence(30)]
    model = AR(order=3, horizon=2, strategy="direct").fit(y)
    with pytest.raises(InvalidParameterError, match="strategy='recursive'"):
        model.predict(horizon=5)
    with pytest.raises(DataError, match="shorter"):
        AR(order=50).fit(y)
    with pytest.raises(DataError, match="training window"):
        DLinear(lookback=25, horizon=10).fit(y)
    with pytest.raises(InvalidParameterError, match="season_length"):
        DLinear(lookback=6, season_length=6).fit(y)
    with pytest.raises(DataError, match="feature"):
        model.predict([np.zeros((10, 2))])
    with pytest.raises(InvalidParameterError, match="horizon"):
        model.predict(horizon=0)


def test_sunspots_ar9_reproduces_the_published_arv(shared_data):
    frame = pl.read_csv(shared_data / "forecast" / "classic" / "sunspots.csv")
    years = frame["YEAR"].to_numpy()
    y = frame["SUNACTIVITY"].to_numpy().astype(float)
    model = AR(order=9).fit([y[years <= 1920]])
    index = np.flatnonzero((years >= 1921) & (years <= 1955))
    forecast = model.predict([y[:i] for i in index], horizon=1)[:, 0, 0]
    arv = np.mean((forecast - y[index]) ** 2) / 1495.6
    assert round(arv, 3) == 0.126


def test_setar_finds_the_regimes_of_a_threshold_process():
    rng = np.random.default_rng(1)
    y = [0.0]
    for e in rng.normal(0, 0.2, 800):
        y.append(
            (0.6 * y[-1] + 1.0 if y[-2 if len(y) > 1 else -1] <= 0 else -0.4 * y[-1])
            + e
        )
    model = SETAR(max_order=3, max_delay=3).fit([np.array(y)])
    assert model.delay_ == 2 and abs(model.threshold_) < 0.3
    forecast = model.predict(horizon=4)
    assert forecast.shape == (1, 4, 1) and np.isfinite(forecast).all()
    with pytest.raises(DataError, match="regimes"):
        SETAR(max_order=1, max_delay=1).fit([np.ones(30)])


def test_sunspots_setar_beats_the_target(shared_data):
    frame = pl.read_csv(shared_data / "forecast" / "classic" / "sunspots.csv")
    years = frame["YEAR"].to_numpy()
    y = frame["SUNACTIVITY"].to_numpy().astype(float)
    model = SETAR().fit([y[years <= 1920]])
    assert (model.delay_, *model.orders_.tolist()) == (
        3,
        3,
        11,
    )  # Tong's SETAR(2; 3, 11)
    index = np.flatnonzero((years >= 1921) & (years <= 1955))
    forecast = model.predict([y[:i] for i in index], horizon=1)[:, 0, 0]
    assert np.mean((forecast - y[index]) ** 2) / 1495.6 <= 0.10
