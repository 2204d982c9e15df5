"""EncoderDecoderForecaster: learning, global fits, quantiles, covariates, errors."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seqpred import io  # noqa: E402
from seqpred.exceptions import DataError, InvalidParameterError  # noqa: E402
from seqpred.models.forecast import EncoderDecoderForecaster  # noqa: E402

FAST = {"device": "cpu", "validation_fraction": 0.0, "random_state": 0}


@pytest.fixture(scope="module")
def sine_model() -> EncoderDecoderForecaster:
    y = np.sin(np.arange(200) / 3)
    return EncoderDecoderForecaster(
        lookback=12,
        horizon=4,
        hidden_size=16,
        max_epochs=20,
        learning_rate=0.03,
        **FAST,
    ).fit([y])


def test_learns_a_noise_free_sine(sine_model):
    mean = sine_model.predict()[0, :, 0]
    assert np.abs(mean - np.sin(np.arange(200, 204) / 3)).max() < 0.1
    history = [np.sin(np.arange(50, 80) / 3)]
    ahead = sine_model.predict(history, horizon=4)[0, :, 0]
    assert np.abs(ahead - np.sin(np.arange(80, 84) / 3)).max() < 0.1


def test_global_fit_over_series_of_different_levels():
    t = np.arange(120)
    levels, amps = [5.0, 50.0, 500.0, 0.5], [1.0, 10.0, 100.0, 0.1]
    series = [
        lv + a * np.sin(2 * np.pi * t / 12 + p)
        for lv, a, p in zip(levels, amps, [0.0, 1.0, 2.0, 3.0])
    ]
    model = EncoderDecoderForecaster(
        lookback=24,
        horizon=6,
        hidden_size=16,
        max_epochs=15,
        batch_size=128,
        learning_rate=0.03,
        **FAST,
    ).fit(series)
    assert model.n_sequences_ == 4
    mean = model.predict()[:, :, 0]  # (4, 6)
    future = np.arange(120, 126)
    for i, (lv, a, p) in enumerate(zip(levels, amps, [0.0, 1.0, 2.0, 3.0])):
        truth = lv + a * np.sin(2 * np.pi * future / 12 + p)
        assert np.abs(mean[i] - truth).max() < 0.15 * a  # scaled per window


def test_quantiles_sorted_and_interval_coverage_is_honest():
    rng = np.random.default_rng(1)
    t = np.arange(1200)
    y = np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.5, len(t))
    model = EncoderDecoderForecaster(
        lookback=24,
        horizon=3,
        hidden_size=16,
        max_epochs=8,
        batch_size=128,
        learning_rate=0.01,
        **FAST,
    ).fit([y[:900]])
    origins = np.arange(900, 1197, 3)
    histories = [y[o - 24 : o] for o in origins]
    truth = np.stack([y[o : o + 3] for o in origins])
    q = model.predict_quantiles(histories, quantiles=(0.1, 0.5, 0.9))[:, :, 0]
    assert (np.diff(q, axis=-1) >= 0).all()
    inside = (truth >= q[..., 0]) & (truth <= q[..., 2])
    assert 0.65 <= inside.mean() <= 0.92
    # the interval and the frame are the learned quantiles, not a Gaussian
    lower, upper = model.predict_interval(histories, coverage=0.8)
    assert np.allclose(lower[..., 0], q[..., 0]) and np.allclose(
        upper[..., 0], q[..., 2]
    )
    frame = model.forecast(histories[:2], coverage=0.8)
    assert np.allclose(frame["lower"].to_numpy(), q[:2, :, 0].ravel())
    wide = model.predict_quantiles(histories, quantiles=(0.025, 0.975))[:, :, 0]
    assert (wide[..., 0] <= q[..., 0]).all() and (wide[..., 1] >= q[..., 2]).all()


def test_known_future_covariates_are_used():
    rng = np.random.default_rng(2)
    c = rng.normal(size=(2, 400))
    y = [2.0 * c[i] + 0.05 * rng.normal(size=400) for i in range(2)]
    covariates = [c[i][:, None] for i in range(2)]
    params = {
        "lookback": 8,
        "horizon": 2,
        "hidden_size": 16,
        "max_epochs": 6,
        "batch_size": 128,
        "learning_rate": 0.03,
        "scaling": "none",
        **FAST,
    }
    model = EncoderDecoderForecaster(**params).fit(
        [s[:350] for s in y], covariates=[x[:350] for x in covariates]
    )
    blind = EncoderDecoderForecaster(**params).fit([s[:350] for s in y])
    hist = [s[300:340] for s in y]
    cov = [x[300:342] for x in covariates]
    truth = np.stack([s[340:342] for s in y])
    with_cov = model.predict(hist, horizon=2, covariates=cov)[..., 0]
    without = blind.predict(hist, horizon=2)[..., 0]
    assert np.abs(with_cov - truth).mean() < 0.5 * np.abs(without - truth).mean()
    with pytest.raises(DataError, match="covariates"):
        model.predict(hist, horizon=2)


def test_static_features_and_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    series = [rng.normal(size=60) + i for i in range(3)]
    static = np.arange(3.0)[:, None]
    model = EncoderDecoderForecaster(
        lookback=6, horizon=2, hidden_size=4, max_epochs=2, **FAST
    ).fit(series, static=static)
    loaded = io.load(io.save(model, tmp_path / "ed.seqpred"))
    assert np.array_equal(loaded.predict(), model.predict())
    assert np.array_equal(
        loaded.predict_quantiles(series, static=static, quantiles=(0.2, 0.5)),
        model.predict_quantiles(series, static=static, quantiles=(0.2, 0.5)),
    )


def test_random_state_reproducible():
    y = [np.sin(np.arange(80) / 2)]
    params = {
        "lookback": 8,
        "horizon": 2,
        "hidden_size": 4,
        "max_epochs": 3,
        "device": "cpu",
    }
    a = EncoderDecoderForecaster(random_state=5, **params).fit(y).predict()
    b = EncoderDecoderForecaster(random_state=5, **params).fit(y).predict()
    c = EncoderDecoderForecaster(random_state=6, **params).fit(y).predict()
    assert np.array_equal(a, b) and not np.array_equal(a, c)


def test_recursive_strategy_forecasts_any_horizon():
    y = [np.sin(np.arange(100) / 3)]
    model = EncoderDecoderForecaster(
        lookback=8,
        strategy="recursive",
        encoder="tcn",
        hidden_size=8,
        max_epochs=3,
        **FAST,
    ).fit(y)
    q = model.predict_quantiles(horizon=5)
    assert q.shape == (1, 5, 1, 3)
    assert np.allclose(q[0, 0, 0, 1], model.predict(horizon=1)[0, 0, 0])


def test_clear_errors():
    y = [np.sin(np.arange(60) / 3)]
    model = EncoderDecoderForecaster(lookback=6, horizon=2, max_epochs=1, **FAST)
    with pytest.raises(InvalidParameterError, match="horizon=3"):
        model.fit(y).predict(horizon=3)
    with pytest.raises(DataError, match="lookback 6 \\+ 2"):
        model.fit([np.arange(7.0)])
    with pytest.raises(DataError, match="NaN"):
        model.fit([np.array([1.0, np.nan, 2.0] * 10)])
    with pytest.raises(InvalidParameterError, match="quantiles"):
        model.set_params(quantiles=(0.1, 0.9)).fit(y)
    with pytest.raises(InvalidParameterError, match="encoder"):
        EncoderDecoderForecaster(encoder="transformer").fit(y)


def test_windows_per_epoch_caps_training_and_validation_windows():
    y = [np.sin(np.arange(300) / 3), np.cos(np.arange(200) / 3)]
    model = EncoderDecoderForecaster(
        lookback=8,
        horizon=2,
        hidden_size=4,
        max_epochs=2,
        batch_size=16,
        windows_per_epoch=32,
        validation_fraction=0.5,
        device="cpu",
        random_state=0,
    ).fit(y)
    assert model.n_windows_ == (300 - 9) + (200 - 9)
    assert [h["steps"] for h in model.history_] == [2, 2]  # 32 windows / 16
    assert all(np.isfinite(h["valid_loss"]) for h in model.history_)


def test_season_length_starts_from_the_seasonal_naive_forecast():
    rng = np.random.default_rng(4)
    pattern = rng.normal(size=12)
    y = [np.tile(pattern, 10) + 5.0]
    model = EncoderDecoderForecaster(
        lookback=24,
        horizon=6,
        season_length=12,
        hidden_size=4,
        max_epochs=1,
        learning_rate=1e-6,
        **FAST,
    ).fit(y)
    # untrained, the median is (almost) the seasonal-naive forecast
    assert np.abs(model.predict()[0, :, 0] - (pattern[:6] + 5.0)).max() < 0.2
    with pytest.raises(InvalidParameterError, match="season_length"):
        model.set_params(season_length=24).fit(y)


def test_other_forecasters_import_without_torch():
    code = (
        "import sys; sys.modules['torch'] = None\n"
        "from seqpred.models.forecast import AR\n"
        "AR(order=2).fit([[1.0, 2.0, 3.0, 4.0, 5.0]]).predict()\n"
        "try:\n"
        "    from seqpred.models.forecast import EncoderDecoderForecaster\n"
        "except ImportError as exc:\n"
        "    assert 'seqpred[neural]' in str(exc), exc\n"
        "else:\n"
        "    raise SystemExit('no ImportError')\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_gpu_fit_predicts_like_its_cpu_copy_and_loads_on_cpu(tmp_path):
    y = [np.sin(np.arange(300) / 3 + p) for p in range(4)]
    model = EncoderDecoderForecaster(
        lookback=24, horizon=6, hidden_size=16, max_epochs=3, random_state=0
    ).fit(y)  # device="auto": CUDA
    assert model._network()[1].type == "cuda"
    on_gpu = model.predict_quantiles()
    loaded = io.load(io.save(model, tmp_path / "gpu.seqpred")).set_params(device="cpu")
    assert np.allclose(loaded.predict_quantiles(), on_gpu, rtol=0, atol=1e-9)
