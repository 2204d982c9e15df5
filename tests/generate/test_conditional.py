"""ConditionalModel: conditioning changes samples enough for a classifier to tell."""

from __future__ import annotations

import numpy as np
import pytest

import seqpred
from seqpred.data.synthetic import motif_sequences
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.generate import ConditionalModel, SequenceGenerator
from seqpred.models.next_item import PPM


def _recovered(model, classifier, length, **kwargs):
    labels = np.repeat(model.classes_, 50)
    samples = SequenceGenerator(model).sample(
        len(labels), label=labels, max_length=length, random_state=0, **kwargs
    )
    assert all(len(s) <= length for s in samples)
    predicted = classifier.predict(["".join(s) for s in samples])
    return float(np.mean(predicted == labels))


def test_conditional_ppm_samples_carry_their_label():
    X, y = motif_sequences(300, n_classes=3, length=40, motif_length=8, random_state=0)
    classifier = seqpred.create("compression").fit(X, y)
    model = ConditionalModel(PPM(max_order=4), shared_weight=0.1).fit(X, y)
    assert _recovered(model, classifier, 40) >= 0.9
    assert _recovered(model, classifier, 40, temperature=0.7) >= 0.9
    # without a label the shared model is used: the classes are not recovered
    plain = SequenceGenerator(model).sample(150, max_length=40, random_state=0)
    counts = np.bincount(classifier.predict(["".join(s) for s in plain]), minlength=3)
    assert counts.max() < 100


def test_conditional_neural_lm_with_a_label_token(tmp_path):
    pytest.importorskip("torch")
    from seqpred.models.next_item import NeuralLanguageModel

    X, y = motif_sequences(160, n_classes=2, length=24, motif_length=6, random_state=0)
    classifier = seqpred.create("compression").fit(X, y)
    lm = NeuralLanguageModel(
        "gru", hidden_size=64, max_epochs=40, learning_rate=0.02, max_length=48,
        validation_fraction=0.0, patience=None, device="cpu", random_state=0,
    )  # fmt: skip
    model = ConditionalModel(lm, strategy="prefix").fit(X, y)
    assert _recovered(model, classifier, 24, temperature=0.7) >= 0.9
    with pytest.raises(InvalidParameterError, match="needs a label"):
        model.sample(1)
    # the nested network's weights travel in the model file
    path = seqpred.save(model, tmp_path / "conditional.seqpred")
    twin = seqpred.load(path)
    np.testing.assert_allclose(
        twin.log_proba(X[:3], y[:3]), model.log_proba(X[:3], y[:3]), rtol=1e-6
    )


def test_probabilities_scores_and_back_off():
    X = ["abababab", "abababba", "cdcdcdcd", "cdcdcddc"]
    y = ["ab", "ab", "cd", "cd"]
    model = ConditionalModel(PPM(max_order=2), shared_weight=0.25).fit(X, y)
    proba = model.predict_proba(["ab", "cd"], labels=["cd", "cd"])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba.shape == (2, 4)
    # the "cd" model never saw "ab": the shared model still predicts "a"
    assert proba[0, model.vocabulary_.symbols.index("a")] > 0.05
    own = model.log_proba(["cdcd"], "cd")[0]
    other = model.log_proba(["cdcd"], "ab")[0]
    assert own.sum() > other.sum()
    assert model.bits_per_symbol(["cdcd"], "cd") == pytest.approx(
        -own.mean() / np.log(2)
    )
    shared = model.log_proba(["cdcd"])[0]  # no label: the shared model
    rows = model.shared_model_.predict_proba(["", "c", "cd", "cdc"])
    at = [model.vocabulary_.symbols.index(s) for s in "cdcd"]
    np.testing.assert_allclose(shared, np.log(rows[np.arange(4), at]))


def test_errors():
    model = ConditionalModel().fit(["ab", "cd"], ["x", "y"])
    with pytest.raises(InvalidParameterError, match=r"unknown label 'z'.*\['x', 'y'\]"):
        model.sample(1, label="z")
    with pytest.raises(InvalidParameterError, match="shared_weight"):
        ConditionalModel(shared_weight=1.5).fit(["ab"], ["x"])
    with pytest.raises(DataError, match="no class labels"):
        ConditionalModel().fit(["ab", "cd"])
    with pytest.raises(DataError, match="strategy='per-label'"):
        ConditionalModel(strategy="prefix").fit([["a"], ["<label=x>"]], ["x", "y"])


def test_save_and_load_keep_samples(tmp_path):
    X, y = motif_sequences(40, n_classes=2, length=20, random_state=1)
    model = ConditionalModel(PPM(max_order=3)).fit(X, y)
    path = seqpred.save(model, tmp_path / "conditional.seqpred")
    twin = seqpred.load(path)
    kwargs = {"label": 1, "max_length": 15, "random_state": 4}
    assert twin.sample(3, **kwargs) == model.sample(3, **kwargs)
