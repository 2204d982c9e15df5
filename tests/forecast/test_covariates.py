"""Known-future covariates and static features of the linear window models."""

import numpy as np
import pytest

from seqpred import io
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.forecast import AR, DLinear, NaiveForecaster

STRATEGIES = ["recursive", "direct", "multi-output"]
H = 4


def _driven(noise, *, n_series=3, length=200, seed=0):
    """Series ``y_t = 2 x_t + 1 + noise`` with ``x`` random and known ``H`` ahead."""
    rng = np.random.default_rng(seed)
    xs = [rng.normal(size=length + H) for _ in range(n_series)]
    ys = [2.0 * x + 1.0 + noise * rng.normal(size=length + H) for x in xs]
    return [y[:length] for y in ys], xs, np.stack([y[length:] for y in ys])


def _models(strategy):
    return [
        AR(order=2, horizon=H, strategy=strategy),
        DLinear(lookback=8, moving_average=3, horizon=H, strategy=strategy, alpha=0.0),
    ]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_known_future_regressor_is_forecast_far_better_with_it(strategy):
    train, xs, future = _driven(noise=0.1)
    for model in _models(strategy):
        with_x = model.fit(train, covariates=[x[:-H] for x in xs])
        error = np.abs(with_x.predict(covariates=xs)[:, :, 0] - future).mean()
        blind = type(model)(**model.get_params()).fit(train)
        blind_error = np.abs(blind.predict()[:, :, 0] - future).mean()
        assert error < 0.2 < 1.0 < blind_error, (type(model).__name__, error)


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_a_noise_free_regressor_is_forecast_exactly(strategy):
    train, xs, future = _driven(noise=0.0)
    for model in _models(strategy):
        model.fit(train, covariates=[x[:-H] for x in xs])
        np.testing.assert_allclose(
            model.predict(covariates=xs)[:, :, 0], future, atol=1e-8
        )
        np.testing.assert_allclose(model.covariate_coef_, 2.0, atol=1e-8)
        # new histories, passed explicitly, work the same way
        histories = [y[:150] for y in train]
        ahead = model.predict(histories, covariates=[x[: 150 + H] for x in xs])
        expected = np.stack([2.0 * x[150 : 150 + H] + 1.0 for x in xs])
        np.testing.assert_allclose(ahead[:, :, 0], expected, atol=1e-8)


def test_recursive_feeds_back_an_arx_process_exactly():
    rng = np.random.default_rng(1)
    x = rng.normal(size=120)
    y = np.zeros(120)
    for t in range(1, 120):
        y[t] = 0.5 * y[t - 1] + 2.0 * x[t] + 1.0
    model = AR(order=1).fit([y[:100]], covariates=[x[:100]])
    ahead = model.predict(horizon=20, covariates=[x])
    np.testing.assert_allclose(ahead[0, :, 0], y[100:], atol=1e-8)


def test_static_features_let_a_global_model_separate_two_groups():
    rng = np.random.default_rng(2)
    levels = np.repeat([-2.0, 2.0], 10)  # two groups of ten series
    series = [level + rng.normal(size=60) for level in levels]
    static = (levels > 0).astype(float)[:, None]  # (N, 1): the group
    train, test = [s[:50] for s in series], np.stack([s[50:] for s in series])
    grouped = AR(order=1, horizon=10, strategy="direct").fit(train, static=static)
    pooled = AR(order=1, horizon=10, strategy="direct").fit(train)
    error = ((grouped.predict()[:, :, 0] - test) ** 2).mean()  # reuses train static
    pooled_error = ((pooled.predict()[:, :, 0] - test) ** 2).mean()
    assert error < 1.2 < 1.5 < pooled_error
    assert grouped.static_coef_.shape == (1, 10)
    np.testing.assert_allclose(grouped.static_coef_, 4.0, atol=0.5)
    swapped = grouped.predict(train, static=1.0 - static)[:, :, 0].mean(axis=1)
    assert (swapped[:10] > 1).all() and (swapped[10:] < -1).all()


def test_without_covariates_the_model_is_unchanged():
    train, _, _ = _driven(noise=0.1)
    model = AR(order=2, horizon=H, strategy="direct").fit(train)
    assert model.n_covariates_ == 0 and model.n_static_ == 0
    assert model.covariate_coef_.shape == (0, H)
    assert model.static_coef_.shape == (0, H)


def test_intervals_frames_and_scores_take_covariates():
    train, xs, future = _driven(noise=0.1)
    model = AR(order=2, horizon=H).fit(train, covariates=[x[:-H] for x in xs])
    lower, upper = model.predict_interval(covariates=xs, coverage=0.9)
    assert (lower < upper).all()
    frame = model.forecast(covariates=xs)
    assert frame.height == 3 * H
    histories = [y for y in train]
    assert model.score(histories, future, covariates=xs) > -1.0


def test_save_and_load_keep_covariates_and_static(tmp_path):
    train, xs, _ = _driven(noise=0.1)
    static = np.arange(3.0)[:, None]
    model = AR(order=2, horizon=H, strategy="multi-output")
    model.fit(train, covariates=[x[:-H] for x in xs], static=static)
    io.save(model, tmp_path / "ar.zip")
    loaded = io.load(tmp_path / "ar.zip")
    np.testing.assert_array_equal(
        loaded.predict(covariates=xs), model.predict(covariates=xs)
    )
    plain = DLinear(lookback=8, moving_average=3, horizon=H).fit(train)
    io.save(plain, tmp_path / "dl.zip")
    np.testing.assert_array_equal(
        io.load(tmp_path / "dl.zip").predict(), plain.predict()
    )


def test_clear_errors():
    train, xs, _ = _driven(noise=0.1)
    fitted = [x[:-H] for x in xs]
    model = AR(order=2, horizon=H).fit(train, covariates=fitted)
    with pytest.raises(
        DataError, match="fitted with 1 covariates column.*got covariates=None"
    ):
        model.predict()
    with pytest.raises(DataError, match=r"expected 204 row\(s\) \(its 200 history"):
        model.predict(covariates=fitted)
    with pytest.raises(DataError, match="fitted with 1 covariates column"):
        model.predict(covariates=[np.stack([x, x], axis=1) for x in xs])
    with pytest.raises(DataError, match="fitted without static"):
        model.predict(covariates=xs, static=np.ones((3, 1)))
    with pytest.raises(DataError, match="expected covariates for 3 series"):
        model.predict(covariates=xs[:2])
    with pytest.raises(DataError, match="Wrap it in a list"):
        AR().fit([train[0]], covariates=np.ones((200, 2)))
    with pytest.raises(DataError, match=r"expected 200 row\(s\) \(one per step"):
        AR().fit(train, covariates=xs)
    with pytest.raises(DataError, match="NaN"):
        AR().fit(train, covariates=[np.full(200, np.nan)] * 3)
    with pytest.raises(DataError, match=r"expected \(3, S\)"):
        AR().fit(train, static=np.ones((2, 1)))
    plain = AR(order=2).fit(train)
    with pytest.raises(DataError, match="fitted without covariates"):
        plain.predict(covariates=xs)
    static_model = AR(order=2).fit(train, static=np.ones((3, 1)))
    with pytest.raises(DataError, match="fitted with 1 static column.*got static=None"):
        static_model.predict(train)
    with pytest.raises(InvalidParameterError, match="does not use covariates"):
        NaiveForecaster().fit(train, covariates=fitted)
    with pytest.raises(InvalidParameterError, match="does not use covariates"):
        NaiveForecaster().fit(train).predict(static=np.ones((3, 1)))


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_feature_of_a_multivariate_series_reads_the_covariates(strategy):
    train, xs, future = _driven(noise=0.0)
    both = [np.stack([y, y], axis=1) for y in train]  # (steps, F=2)
    for params in ({}, {"season_length": 3, "scaling": "standard"}):
        model = AR(order=2, horizon=H, strategy=strategy, **params)
        model.fit(both, covariates=[x[:-H] for x in xs])
        ahead = model.predict(covariates=xs)
        assert ahead.shape == (3, H, 2) and np.isfinite(ahead).all()
        if not params:
            np.testing.assert_allclose(ahead, np.stack([future] * 2, axis=2), atol=1e-8)
