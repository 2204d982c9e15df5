"""NeuralLanguageModel: scoring windows, bits per symbol and sampling."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from seqpred.exceptions import InvalidParameterError  # noqa: E402
from seqpred.models.next_item import NeuralLanguageModel  # noqa: E402
from seqpred.models.next_item.neural.language_model import _scoring_windows  # noqa: E402

TEXT = ["the cat sat on the mat. " * 6, "a cat. " * 4]


@pytest.fixture(scope="module")
def model():
    return NeuralLanguageModel(
        "gru", hidden_size=32, n_layers=1, max_length=16, max_epochs=15,
        learning_rate=0.02, dropout=0.0, validation_fraction=0.0,
        device="cpu", random_state=0,
    ).fit(TEXT)  # fmt: skip


def test_scoring_windows_score_every_symbol_once():
    lengths = np.array([0, 1, 16, 17, 40, 100])
    seq, begin, length, first = _scoring_windows(lengths, 16)
    for i, n in enumerate(lengths):
        scored = []
        for b, m, f in zip(begin[seq == i], length[seq == i], first[seq == i]):
            assert m <= 16
            scored += list(range(b + f, b + m))
            assert b + f >= 8 or b == 0  # at least half a window of context
        assert scored == list(range(n))


def test_log_proba_matches_one_step_at_a_time(model):
    text = "the cat sat on the mat. the"  # longer than max_length=16
    scores = model.log_proba([text])[0]
    assert scores.shape == (len(text),) and (scores < 0).all()
    # symbol 3 from the start mark and 3 symbols; symbol 20 from a window
    full = model._next_log_proba(model._queries([text[:3]], "test"))[0][0]
    assert np.isclose(scores[3], full[model.vocabulary_.index(text[3])])
    assert model.log_proba(["", "zz"])[0].shape == (0,)
    assert np.isfinite(model.log_proba(["zz"])[0]).all()  # <unk> has a small share


def test_bits_per_symbol_is_low_on_training_text(model):
    assert model.bits_per_symbol(["the cat sat on the mat. "]) < 1.5
    uniform = np.log2(len(model.vocabulary_))
    assert model.bits_per_symbol(["qqqq"]) > uniform


def test_sampling_is_reproducible_and_respects_its_options(model):
    a = model.sample(3, prefix="the ", max_length=20, random_state=1)
    b = model.sample(3, prefix="the ", max_length=20, random_state=1)
    assert a == b and len(a) == 3 and all(len(s) <= 20 for s in a)
    greedy = model.sample(2, prefix="the c", max_length=3, top_k=1)
    assert greedy[0] == greedy[1] == ["a", "t", " "]
    nucleus = model.sample(2, prefix="the c", max_length=3, top_p=1e-6)
    assert nucleus == greedy
    cold = model.sample(1, max_length=40, temperature=0.05, random_state=0)[0]
    assert set(cold) <= set(model.vocabulary_.symbols)
    for bad in ({"n": 0}, {"temperature": 0}, {"top_k": 0}, {"top_p": 1.5}):
        with pytest.raises(InvalidParameterError):
            model.sample(**{"n": 1, **bad})


@pytest.mark.parametrize("encoder", ["tcn", "transformer"])
def test_window_encoders_sample(encoder):
    lm = NeuralLanguageModel(
        encoder, hidden_size=8, n_heads=2, n_layers=1, max_length=8, max_epochs=1,
        device="cpu", random_state=0,
    ).fit(TEXT)  # fmt: skip
    out = lm.sample(2, prefix="the cat sat on", max_length=12, random_state=0)
    assert out == lm.sample(2, prefix="the cat sat on", max_length=12, random_state=0)
    assert all(len(s) <= 12 for s in out)


def test_one_long_text_trains_in_windows():
    lm = NeuralLanguageModel(
        "lstm", hidden_size=8, n_layers=1, max_length=16, max_epochs=1,
        batch_size=4, device="cpu", random_state=0,
    ).fit(["".join(TEXT) * 3])  # fmt: skip
    assert lm.history_[0]["steps"] >= 5
    assert lm.history_[0]["valid_loss"] is not None
