"""Accuracy versus prefix length, and prediction from prefixes by every classifier."""

from __future__ import annotations

import numpy as np
import pytest

from seqpred.data.synthetic import motif_sequences
from seqpred.evaluate.classify import prefix_accuracy_curve
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.classify import (
    CompressionClassifier,
    DTWClassifier,
    KmerClassifier,
    MiniRocketClassifier,
)

FRACTIONS = [0.2, 0.4, 0.6, 0.8, 1.0]


@pytest.fixture(scope="module")
def motifs():
    X, y = motif_sequences(400, length=60, motif_length=6, random_state=0)
    return X[:200], y[:200], X[200:], y[200:]


@pytest.mark.parametrize(
    "make", [lambda: KmerClassifier(max_k=6), lambda: CompressionClassifier(4)]
)
def test_prefix_accuracy_grows_with_prefix_length(motifs, make):
    X, y, Xt, yt = motifs
    curve = prefix_accuracy_curve(make().fit(X, y), Xt, yt, fractions=FRACTIONS)
    acc = curve.accuracy
    assert curve.unit == "fraction" and curve.n_sequences == 200
    assert np.all(np.diff(acc) >= -0.03)  # grows, up to sampling noise
    assert acc[-1] - acc[0] >= 0.2  # the motif is seen more often
    assert acc[0] < 0.7 and acc[-1] >= 0.75
    np.testing.assert_allclose(curve.mean_length, [12, 24, 36, 48, 60])


def test_lengths_in_steps_and_sequence_set_labels(motifs):
    from seqpred.data import SequenceSet

    X, y, Xt, yt = motifs
    model = KmerClassifier(max_k=4).fit(X, y)
    test = SequenceSet.from_lists([list(s) for s in Xt]).with_labels(yt)
    curve = prefix_accuracy_curve(model, test, lengths=[0, 30, 100])
    assert curve.unit == "steps"
    assert curve.mean_length.tolist() == [0.0, 30.0, 60.0]
    assert curve.accuracy[0] == pytest.approx(np.mean(yt == model.predict([""])[0]))
    assert curve.as_rows()[2][2] == curve.accuracy[2]


def test_bad_cuts_and_labels_are_reported(motifs):
    X, y, Xt, yt = motifs
    model = KmerClassifier(max_k=2).fit(X, y)
    with pytest.raises(InvalidParameterError, match="fractions"):
        prefix_accuracy_curve(model, Xt, yt, fractions=[0.0, 0.5])
    with pytest.raises(InvalidParameterError, match="not both"):
        prefix_accuracy_curve(model, Xt, yt, fractions=[0.5], lengths=[3])
    with pytest.raises(DataError, match="labels"):
        prefix_accuracy_curve(model, Xt, yt[:5])


def _numeric(n, seed):
    """Class 1 has a bump in the first half; class 0 a dip."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = np.arange(40)
    bump = np.exp(-((t - 12) ** 2) / 8.0)
    X = [(2 * c - 1) * bump + 0.3 * rng.normal(size=40) for c in y]
    return X, y


@pytest.mark.parametrize(
    "make",
    [lambda: MiniRocketClassifier(random_state=0), lambda: DTWClassifier()],
)
def test_numeric_classifiers_predict_from_any_prefix(make):
    X, y = _numeric(40, 0)
    Xt, yt = _numeric(30, 1)
    model = make().fit(X, y)
    for length in (1, 5, 20, 40):
        predicted = model.predict([x[:length] for x in Xt])
        assert set(predicted.tolist()) <= {0, 1}
        proba = model.predict_proba([x[:length] for x in Xt])
        np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    curve = prefix_accuracy_curve(model, Xt, yt, lengths=[2, 40])
    assert curve.accuracy[-1] >= 0.9


def test_neural_classifier_predicts_prefixes_with_augmentation(motifs):
    pytest.importorskip("torch")
    from seqpred.models.classify.neural import NeuralSequenceClassifier

    X, y, Xt, yt = motifs
    model = NeuralSequenceClassifier(
        embedding_dim=8, hidden_size=16, max_epochs=2, prefix_augmentation=True,
        random_state=0, device="cpu",
    ).fit(X[:60], y[:60])  # fmt: skip
    curve = prefix_accuracy_curve(model, Xt[:30], yt[:30], fractions=[0.1, 1.0])
    assert curve.accuracy.shape == (2,)
    proba = model.predict_proba([s[:3] for s in Xt[:5]])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
