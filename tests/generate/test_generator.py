"""SequenceGenerator: reproducible batched sampling, top-k/top-p, errors, scoring."""

from __future__ import annotations

import numpy as np
import pytest

from seqpred.data.synthetic import MarkovSource
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import InvalidParameterError, NotFittedError, UnknownSymbolError
from seqpred.models.generate import SequenceGenerator
from seqpred.models.generate.sampling import reshape_distribution
from seqpred.models.next_item import PPM, MarkovPredictor


@pytest.fixture(scope="module")
def source():
    return MarkovSource(n_symbols=5, order=1, concentration=0.5, random_state=3)


@pytest.fixture(scope="module")
def markov(source):
    """A first-order Markov model: its next-symbol law is known exactly."""
    return MarkovPredictor(order=1).fit(source.sample(200, 200, random_state=0))


def test_same_seed_same_samples_and_different_seeds_differ():
    model = PPM(max_order=3).fit(["the cat sat on the mat with the hat"] * 3)
    generator = SequenceGenerator(model)
    kwargs = {"max_length": 40, "temperature": 0.9, "top_p": 0.95}
    first = generator.sample(4, prefix="the ", random_state=7, **kwargs)
    again = SequenceGenerator(model).sample(4, prefix="the ", random_state=7, **kwargs)
    other = generator.sample(4, prefix="the ", random_state=8, **kwargs)
    assert first == again
    assert first != other
    assert [len(s) for s in first] == [40] * 4


def test_one_model_call_per_step_for_the_whole_batch(markov, monkeypatch):
    calls = []
    original = type(markov).predict_proba

    def counting(self, X):
        calls.append(len(X))
        return original(self, X)

    monkeypatch.setattr(type(markov), "predict_proba", counting)
    SequenceGenerator(markov).sample(6, max_length=10, random_state=0)
    assert calls == [6] * 10


def test_top_k_and_top_p_honoured_on_a_known_distribution(markov):
    symbol = 0
    law = markov.predict_proba([[symbol]])[0]  # exact P(next | 0), in symbol order
    generator = SequenceGenerator(markov)
    n = 4000
    for kwargs in ({"top_k": 2}, {"top_p": 0.7}, {"top_p": 0.7, "temperature": 0.5}):
        draws = generator.sample(
            n, prefix=[symbol], max_length=1, random_state=1, **kwargs
        )
        drawn = np.array([markov.vocabulary_.index(s[0]) for s in draws])
        drawn -= Vocabulary.n_reserved
        expected = reshape_distribution(law[None, :], **kwargs)[0]
        assert set(drawn.tolist()) <= set(np.flatnonzero(expected > 0).tolist())
        frequencies = np.bincount(drawn, minlength=len(law)) / n
        assert np.abs(frequencies - expected).max() < 0.03, kwargs
    # the nucleus of 0.7 is the smallest set of most likely symbols reaching 0.7
    ranked = np.sort(law)[::-1]
    size = int(np.searchsorted(np.cumsum(ranked), 0.7) + 1)
    assert (reshape_distribution(law[None, :], top_p=0.7)[0] > 0).sum() == size


def test_temperature_sharpens_and_flattens():
    p = np.array([[0.6, 0.3, 0.1]])
    cold = reshape_distribution(p, temperature=0.5)[0]
    hot = reshape_distribution(p, temperature=2.0)[0]
    assert cold[0] > 0.6 > hot[0]
    np.testing.assert_allclose(cold, [0.36, 0.09, 0.01] / np.float64(0.46))


def test_stop_symbol_ends_a_sample(markov):
    samples = SequenceGenerator(markov).sample(
        20, max_length=50, stop=2, random_state=0
    )
    assert all(2 not in s for s in samples)
    assert any(len(s) < 50 for s in samples)


def test_log_proba_and_bits_match_the_model(source, markov):
    data = source.sample(5, 30, random_state=9)
    ppm = PPM(max_order=2).fit(source.sample(50, 100, random_state=2))
    generator = SequenceGenerator(ppm)
    expected = ppm.log_proba(data)
    for got, want in zip(generator.log_proba(data), expected):
        np.testing.assert_allclose(got, want)
    # a model without log_proba is scored from predict_proba, prefix by prefix
    scores = SequenceGenerator(markov).log_proba(data)
    first = data[0]
    rows = markov.predict_proba([first[:j] for j in range(1, len(first))])
    ids = markov.vocabulary_.encode(first[1:]) - Vocabulary.n_reserved
    np.testing.assert_allclose(scores[0][1:], np.log(rows[np.arange(len(ids)), ids]))
    bits = SequenceGenerator(markov).bits_per_symbol(data)
    assert bits == pytest.approx(-np.concatenate(scores).mean() / np.log(2))
    assert bits < source.entropy_rate() + 0.3


def test_errors_name_the_problem_and_the_fix(markov):
    with pytest.raises(NotFittedError, match="not fitted"):
        SequenceGenerator(PPM())
    with pytest.raises(InvalidParameterError, match="next-symbol probabilities"):
        SequenceGenerator(object())
    generator = SequenceGenerator(markov)
    with pytest.raises(UnknownSymbolError, match=r"prefix holds symbols.*'z'"):
        generator.sample(1, prefix=[0, "z"])
    with pytest.raises(InvalidParameterError, match=r"temperature must be .*> 0"):
        generator.sample(1, temperature=0)
    with pytest.raises(InvalidParameterError, match=r"top_p must be None or a float"):
        generator.sample(1, top_p=1.5)
    with pytest.raises(InvalidParameterError, match=r"top_k must be"):
        generator.sample(1, top_k=0)
    with pytest.raises(InvalidParameterError, match="not a conditional model"):
        generator.sample(1, label="a")
    with pytest.raises(UnknownSymbolError, match="stop"):
        generator.sample(1, stop="never")


def test_neural_language_model_samples_end_and_reproduce():
    pytest.importorskip("torch")
    from seqpred.models.next_item import NeuralLanguageModel

    model = NeuralLanguageModel(
        "gru", hidden_size=24, max_epochs=30, learning_rate=0.02,
        device="cpu", random_state=0,
    ).fit(["abcabc", "abcabcabc"] * 6)  # fmt: skip
    proba = np.exp(model.next_log_proba(["", "abc"]))  # the empty context too
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert proba[0, model.vocabulary_.index("a")] > 0.5  # sequences start with a
    assert proba[:, 0].max() == 0.0 and proba[1, 2] > 0  # no padding; an end
    generator = SequenceGenerator(model)
    first = generator.sample(5, prefix="a", max_length=30, random_state=3)
    assert first == generator.sample(5, prefix="a", max_length=30, random_state=3)
    assert any(len(s) < 30 for s in first)  # the model's end mark ends samples
    assert generator.sample(1, prefix="ab", max_length=4, top_k=1) == [
        ["c", "a", "b", "c"]
    ]
    assert generator.bits_per_symbol(["abcabc"]) == pytest.approx(
        model.bits_per_symbol(["abcabc"])
    )
