"""NeuralLanguageModel conditioned on a feature vector per sequence (issue 6)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

import seqpred  # noqa: E402
from seqpred.exceptions import DataError, InvalidParameterError  # noqa: E402
from seqpred.models.generate import SequenceGenerator  # noqa: E402
from seqpred.models.next_item import (
    PPM,  # noqa: E402
    NeuralLanguageModel,  # noqa: E402
)

PAIRS = ("ab", "cd")


def _data(n: int = 80, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Feature 0 -> "abab...", feature 1 -> "cdcd..." (3 to 6 repeats)."""
    rng = np.random.default_rng(seed)
    flags = rng.integers(0, 2, n)
    X = [PAIRS[f] * int(rng.integers(3, 7)) for f in flags]
    return X, flags[:, None].astype(float)


def _model(encoder: str = "gru", **kwargs) -> NeuralLanguageModel:
    params = dict(
        hidden_size=16, n_heads=2, max_epochs=25, learning_rate=0.02, max_length=16,
        validation_fraction=0.0, patience=None, device="cpu", random_state=0,
    )  # fmt: skip
    params.update(kwargs)
    return NeuralLanguageModel(encoder, **params)


@pytest.fixture(scope="module")
def fitted() -> NeuralLanguageModel:
    X, features = _data()
    return _model().fit(X, features=features)


def _share(samples, pair: str) -> float:
    symbols = [s for sample in samples for s in sample]
    assert symbols, "the samples are empty"
    return float(np.mean([s in pair for s in symbols]))


def test_samples_follow_the_pattern_of_the_feature(fitted):
    assert fitted.n_condition_features_ == 1
    for flag, pair in enumerate(PAIRS):
        own = fitted.sample(20, max_length=10, features=[float(flag)], random_state=0)
        assert _share(own, pair) >= 0.9
    generator = SequenceGenerator(fitted)
    for flag, pair in enumerate(PAIRS):  # one row, broadcast to all samples
        drawn = generator.sample(
            20, max_length=10, features=[[float(flag)]], random_state=1
        )
        assert _share(drawn, pair) >= 0.9
    # one row per sample: the first ten follow "ab", the last ten "cd"
    rows = np.repeat([[0.0], [1.0]], 10, axis=0)
    mixed = generator.sample(20, max_length=10, features=rows, random_state=2)
    assert _share(mixed[:10], "ab") >= 0.9 and _share(mixed[10:], "cd") >= 0.9


def test_a_non_recurrent_encoder_and_several_features():
    X, flags = _data()
    features = np.hstack([flags, np.full_like(flags, 3.0)])  # a constant column
    model = _model("transformer").fit(X, features=features)
    assert model.n_condition_features_ == 2
    for flag, pair in enumerate(PAIRS):
        drawn = model.sample(20, max_length=10, features=[flag, 3.0], random_state=0)
        assert _share(drawn, pair) >= 0.9


def test_the_right_feature_scores_higher(fitted):
    X = ["abababab", "cdcdcdcd"]
    right = fitted.log_proba(X, features=[[0.0], [1.0]])
    wrong = fitted.log_proba(X, features=[[1.0], [0.0]])
    for r, w in zip(right, wrong):
        assert r.shape == (8,) and r.sum() > w.sum() + 5.0
    generator = SequenceGenerator(fitted)
    bits = generator.bits_per_symbol(X, features=[[0.0], [1.0]])
    assert bits == pytest.approx(fitted.bits_per_symbol(X, features=[[0.0], [1.0]]))
    assert bits < fitted.bits_per_symbol(X, features=[[1.0], [0.0]])
    proba = fitted.predict_proba(["ab", "cd", ""], features=[[0.0], [1.0], [0.0]])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    symbols = fitted.vocabulary_.symbols
    assert symbols[int(np.argmax(proba[0]))] == "a"
    assert symbols[int(np.argmax(proba[1]))] == "c"
    prior = fitted.item_counts_[3:] / fitted.item_counts_.sum()
    np.testing.assert_allclose(proba[2], prior)  # no known symbol: the frequencies
    nxt = fitted.next_log_proba(["", "c"], features=[[1.0], [1.0]])
    np.testing.assert_allclose(np.exp(nxt).sum(axis=1), 1.0)
    assert fitted.vocabulary_.decode([int(np.argmax(nxt[0]))]) == ["c"]


def test_bad_features_raise_clear_errors(fitted):
    X, features = _data(10)
    unfitted = _model(max_epochs=1)
    with pytest.raises(DataError, match="finite.*row 3"):
        unfitted.fit(X, features=np.where(np.arange(10)[:, None] == 3, np.nan, 0.0))
    with pytest.raises(DataError, match="finite"):
        unfitted.fit(X, features=np.full((10, 1), np.inf))
    with pytest.raises(DataError, match=r"reshape\(-1, 1\)"):
        unfitted.fit(X, features=features[:, 0])
    with pytest.raises(DataError, match=r"one row per training sequence.*\(10, D\)"):
        unfitted.fit(X, features=features[:5])
    with pytest.raises(DataError, match="convert to floats"):
        unfitted.fit(X, features=[["x"]] * 10)
    # a model fitted with features needs them
    for call in (
        lambda: fitted.log_proba(["ab"]),
        lambda: fitted.next_log_proba(["ab"]),
        lambda: fitted.predict_proba(["ab"]),
        lambda: fitted.sample(1),
        lambda: SequenceGenerator(fitted).sample(1),
    ):
        with pytest.raises(InvalidParameterError, match=r"needs features=.*\(1, 1\)"):
            call()
    with pytest.raises(InvalidParameterError, match="predict_proba.*features="):
        fitted.predict(["ab"])
    with pytest.raises(DataError, match=r"shape \(2, 1\).*got shape \(2, 2\)"):
        fitted.log_proba(["ab", "cd"], features=np.zeros((2, 2)))
    with pytest.raises(DataError, match="finite"):
        fitted.sample(2, features=[np.nan])
    with pytest.raises(DataError, match="n=3 rows"):
        SequenceGenerator(fitted).sample(3, features=np.zeros((2, 1)))
    # a model fitted without features refuses them
    plain = _model(max_epochs=1).fit(X)
    assert plain.n_condition_features_ == 0
    with pytest.raises(InvalidParameterError, match="fitted without features"):
        plain.log_proba(["ab"], features=[[0.0]])
    with pytest.raises(InvalidParameterError, match="fitted without features"):
        SequenceGenerator(plain).sample(2, features=[0.0])
    ppm = PPM(max_order=2).fit(X)
    with pytest.raises(InvalidParameterError, match="cannot be conditioned"):
        SequenceGenerator(ppm).sample(2, features=[0.0])


def test_save_and_load_keep_the_conditioned_model(fitted, tmp_path):
    path = seqpred.io.save(fitted, tmp_path / "lm")
    loaded = seqpred.io.load(path)
    X, features = ["ababab", "cdcd", "abcd"], [[0.0], [1.0], [1.0]]
    for a, b in zip(fitted.log_proba(X, features), loaded.log_proba(X, features)):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(loaded.feature_mean_, fitted.feature_mean_)
    kwargs = dict(max_length=8, features=[[1.0]], random_state=3)
    assert loaded.sample(4, **kwargs) == fitted.sample(4, **kwargs)
    with pytest.raises(InvalidParameterError, match="needs features"):
        loaded.log_proba(["ab"])


def test_random_state_makes_fits_and_samples_identical(fitted):
    X, features = _data()
    again = _model().fit(X, features=features)
    queries, rows = ["abab", "cdc"], [[0.0], [1.0]]
    for a, b in zip(fitted.log_proba(queries, rows), again.log_proba(queries, rows)):
        np.testing.assert_array_equal(a, b)
    generator = SequenceGenerator(again)
    kwargs = dict(max_length=10, features=[0.0], random_state=7)
    assert generator.sample(5, **kwargs) == generator.sample(5, **kwargs)
    assert again.sample(5, **kwargs) == fitted.sample(5, **kwargs)
