"""NeuralSequenceClassifier: overfitting, padding, saving, determinism, prefixes."""

import numpy as np
import pytest

pytest.importorskip("torch")

from seqpred.io import load, save  # noqa: E402
from seqpred.models.classify.neural import NeuralSequenceClassifier  # noqa: E402

X = ["abab", "baba", "aabb", "cdcd", "dcdc", "ccdd", "abba", "dccd"]
Y = ["ab", "ab", "ab", "cd", "cd", "cd", "ab", "cd"]


def _model(**params):
    base = {"hidden_size": 16, "embedding_dim": 8, "max_epochs": 25,
            "learning_rate": 0.01, "validation_fraction": 0.0, "dropout": 0.0,
            "random_state": 0, "device": "cpu"}  # fmt: skip
    return NeuralSequenceClassifier(**{**base, **params})


@pytest.mark.parametrize("encoder", ["gru", "lstm", "tcn", "transformer"])
def test_overfits_a_batch(encoder):
    model = _model(encoder=encoder, batch_size=8, max_epochs=40).fit(X, Y)
    assert model.score(X, Y) == 1.0
    assert model.history_[-1]["train_loss"] < model.history_[0]["train_loss"]


@pytest.mark.parametrize("pooling", ["last", "mean"])
def test_padding_invariance(pooling):
    model = _model(pooling=pooling, max_epochs=3).fit(X, Y)
    alone = np.vstack([model.predict_proba([x]) for x in ["ab", "abcdabcd", "c"]])
    together = model.predict_proba(["ab", "abcdabcd", "c"])
    np.testing.assert_allclose(alone, together, atol=1e-12)


def test_save_load_and_determinism(tmp_path):
    model = _model(max_epochs=3).fit(X, Y)
    twin = _model(max_epochs=3).fit(X, Y)
    np.testing.assert_array_equal(model.predict_proba(X), twin.predict_proba(X))
    save(model, tmp_path / "m")
    loaded = load(tmp_path / "m")
    np.testing.assert_array_equal(model.predict_proba(X), loaded.predict_proba(X))


def test_numeric_input():
    rng = np.random.default_rng(0)
    series = [rng.normal(m, 0.1, size=(int(rng.integers(5, 9)), 2)) for m in [0, 1] * 6]
    labels = ["low", "high"] * 6
    model = _model(max_epochs=30).fit(series, labels)
    assert model.input_kind_ == "numeric" and model.n_features_ == 2
    assert model.score(series, labels) == 1.0
    with pytest.raises(Exception, match="channel"):
        model.predict([np.zeros((3, 3))])


def test_prefix_augmentation_trains_and_predicts_prefixes():
    model = _model(prefix_augmentation=True, max_epochs=10).fit(X, Y)
    proba = model.predict_proba(["a", "ab", "c", ""])
    assert proba.shape == (4, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
