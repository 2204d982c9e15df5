"""Seq2SeqNetwork: overfitting, padding, saving, determinism and beam search."""

import numpy as np
import pytest

pytest.importorskip("torch")

from seqpred.io import load, save  # noqa: E402
from seqpred.models.seq2seq.rnn import Seq2SeqNetwork  # noqa: E402

X = ["abc", "bca", "cab", "acb", "bac", "cba", "ab", "ba", "ca", "c"]
Y = [x[::-1] for x in X]


def _model(**params):
    base = {"hidden_size": 32, "embedding_dim": 8, "max_epochs": 40,
            "learning_rate": 0.01, "validation_fraction": 0.0,
            "batch_size": 16, "random_state": 0, "device": "cpu"}  # fmt: skip
    return Seq2SeqNetwork(**{**base, **params})


@pytest.fixture(scope="module")
def fitted():
    return _model().fit(X * 2, Y * 2)


def test_overfits_a_batch(fitted):
    assert fitted.score(X, Y) == 1.0
    assert fitted.predict(["abc"]) == ["cba"]
    assert fitted.history_[-1]["train_loss"] < 0.1


def test_lists_in_lists_out_and_reverse_input():
    lists = [list(x) for x in X]
    model = _model(reverse_input=True, max_epochs=3).fit(lists, [list(y) for y in Y])
    out = model.predict(lists[:2])
    assert all(isinstance(o, list) for o in out)


def test_padding_invariance(fitted):
    queries = ["abc", "c", "ab", "bcaab"]
    together = fitted.predict(queries, beam_width=3)
    alone = [fitted.predict([q], beam_width=3)[0] for q in queries]
    assert together == alone
    lp_together = fitted.log_proba(queries, ["cba", "c", "ba", "b"])
    lp_alone = [
        fitted.log_proba([q], [y])[0] for q, y in zip(queries, ["cba", "c", "ba", "b"])
    ]
    np.testing.assert_allclose(lp_together, lp_alone, atol=1e-10)


def test_save_load_and_determinism(tmp_path, fitted):
    twin = _model().fit(X * 2, Y * 2)
    assert [h["train_loss"] for h in twin.history_] == [
        h["train_loss"] for h in fitted.history_
    ]
    save(fitted, tmp_path / "m")
    loaded = load(tmp_path / "m")
    assert loaded.predict(X, beam_width=2) == fitted.predict(X, beam_width=2)
    np.testing.assert_array_equal(loaded.log_proba(X, Y), fitted.log_proba(X, Y))


def test_beam_width_one_is_greedy_and_beam_is_no_worse():
    model = _model(max_epochs=4).fit(X, Y)  # under-trained: greedy can be myopic
    greedy = model.predict(X)
    assert model.predict(X, beam_width=1) == greedy
    beam = model.predict(X, beam_width=4)
    assert np.all(model.log_proba(X, beam) >= model.log_proba(X, greedy) - 1e-12)


def test_max_length_caps_the_output(fitted):
    assert all(len(o) <= 1 for o in fitted.predict(X, max_length=1))
