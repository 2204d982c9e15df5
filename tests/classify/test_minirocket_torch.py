"""MiniRocket's torch transform (for a GPU): the same features as the NumPy path."""

from __future__ import annotations

import numpy as np
import pytest

from seqpred.exceptions import InvalidParameterError
from seqpred.models.classify import MiniRocketClassifier
from seqpred.models.classify import _minirocket as mr

torch = pytest.importorskip("torch")

from seqpred.models.classify._minirocket_torch import transform_torch  # noqa: E402


def _series(n_channels, seed, n=14, width=45):
    """Padded float32 series of unequal lengths, with a flat stretch (ties)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(6, width + 1, size=n)
    lengths[0] = width
    X = rng.normal(size=(n, n_channels, width)).cumsum(axis=-1).astype(np.float32)
    X[1, :, 5:15] = 0.5
    for i, length in enumerate(lengths):
        X[i, :, length:] = 0.0
    return X, lengths


def _devices():
    yield "cpu"
    if torch.cuda.is_available():
        yield "cuda"


@pytest.mark.parametrize("n_channels", [1, 3, 12])
@pytest.mark.parametrize("device", list(_devices()))
def test_torch_transform_equals_numpy_bit_for_bit(n_channels, device):
    X, lengths = _series(n_channels, seed=n_channels)
    params = mr.fit_minirocket(X, lengths, 840, 32, np.random.default_rng(0))
    expected = mr.transform_numpy(X, lengths, params)
    got = transform_torch(X, lengths, params, device)
    assert got.dtype == np.float32 and got.shape == expected.shape
    np.testing.assert_array_equal(got, expected)


def test_classifier_on_torch_predicts_as_on_the_cpu_path():
    t = np.linspace(0, 6, 50)
    X = [np.sin(t * f) + 0.05 * np.cos(7 * t * f) for f in (1, 1.1, 3, 3.2)] * 4
    y = ["slow", "slow", "fast", "fast"] * 4
    cpu = MiniRocketClassifier(n_features=840, random_state=0).fit(X, y)
    auto = MiniRocketClassifier(n_features=840, random_state=0, device="auto")
    auto.fit(X, y)
    np.testing.assert_array_equal(auto.coef_, cpu.coef_)
    queries = [np.sin(t * 0.95), np.sin(t * 3.1)]
    np.testing.assert_array_equal(
        auto.predict_proba(queries), cpu.predict_proba(queries)
    )


def test_unknown_device_is_refused_with_the_choices():
    model = MiniRocketClassifier(n_features=168, random_state=0, device="tpu")
    with pytest.raises(InvalidParameterError, match="device must be 'auto', 'cpu'"):
        model.fit([np.arange(20.0), np.arange(20.0)[::-1]], ["up", "down"])
