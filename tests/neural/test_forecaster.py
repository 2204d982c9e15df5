"""NeuralForecaster: learning a sine, padding, saving, determinism, errors."""

import numpy as np
import pytest

pytest.importorskip("torch")

from seqpred.exceptions import DataError  # noqa: E402
from seqpred.io import load, save  # noqa: E402
from seqpred.models.forecast.neural import NeuralForecaster  # noqa: E402

X = [np.sin(np.arange(40) / 2 + p) for p in np.linspace(0, 3, 8)]


def _model(**params):
    base = {"hidden_size": 16, "max_epochs": 40, "learning_rate": 0.01,
            "validation_fraction": 0.0, "random_state": 0, "device": "cpu"}  # fmt: skip
    return NeuralForecaster(**{**base, **params})


@pytest.fixture(scope="module")
def fitted():
    return _model().fit(X)


def test_learns_a_sine_with_small_uncertainty(fitted):
    queries = [np.sin(np.arange(n) / 2) for n in (20, 25, 30)]
    mean, std = fitted.predict_distribution(queries)
    truth = np.sin(np.array([20, 25, 30]) / 2)[:, None, None]  # (N, h, F)
    assert np.abs(mean - truth).max() < 0.2
    assert (std > 0).all() and std.max() < 0.5
    assert fitted.score(queries, truth) > 0.0
    assert fitted.history_[-1]["train_loss"] < fitted.history_[0]["train_loss"]


def test_padding_invariance(fitted):
    queries = [X[0][:5], X[1], X[2][:17]]
    together = fitted.predict_distribution(queries)
    for i, q in enumerate(queries):
        alone = fitted.predict_distribution([q])
        np.testing.assert_allclose(alone[0][0], together[0][i], atol=1e-12)
        np.testing.assert_allclose(alone[1][0], together[1][i], atol=1e-12)


def test_save_load_and_determinism(tmp_path, fitted):
    twin = _model(max_epochs=3).fit(X)
    again = _model(max_epochs=3).fit(X)
    np.testing.assert_array_equal(twin.predict(X), again.predict(X))
    save(fitted, tmp_path / "f")
    loaded = load(tmp_path / "f")
    np.testing.assert_array_equal(loaded.predict(X), fitted.predict(X))


@pytest.mark.parametrize("encoder", ["lstm", "tcn", "transformer"])
def test_encoders_and_multivariate(encoder):
    series = [np.column_stack([x, -x]) for x in X[:4]]
    model = _model(encoder=encoder, max_epochs=2).fit(series)
    assert model.predict(series).shape == (4, 1, 2)
    with pytest.raises(DataError, match="feature"):
        model.predict([np.zeros((3, 3))])


def test_empty_series_and_no_next_value_raise(fitted):
    with pytest.raises(DataError, match="empty"):
        fitted.predict([[]])
    with pytest.raises(DataError, match="two steps"):
        _model().fit([[1.0], [2.0]])
