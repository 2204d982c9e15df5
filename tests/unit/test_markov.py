import numpy as np
import pytest

import seqpred
from seqpred.exceptions import InvalidParameterError, NotFittedError, UnknownSymbolError
from seqpred.models.next_item import MarkovPredictor

SESSIONS = [
    ["home", "search", "product", "cart", "checkout"],
    ["home", "search", "product", "product", "cart"],
    ["home", "help"],
    ["search", "product", "cart", "checkout"],
]


def test_fit_returns_self_and_sets_fitted_attributes():
    model = MarkovPredictor(order=2)
    assert model.fit(SESSIONS) is model
    assert model.is_fitted and model.n_sequences_ == 4
    assert len(model.vocabulary_) == 6


def test_not_fitted():
    with pytest.raises(NotFittedError):
        MarkovPredictor().predict([["home"]])


def test_min_count_backs_off_to_frequent_contexts():
    data = [["x", "a", "b"]] + [["a", "c"]] * 3
    assert MarkovPredictor(order=2).fit(data).predict([["x", "a"]]) == ["b"]
    model = MarkovPredictor(order=2, min_count=2).fit(data)
    assert model.predict([["x", "a"]]) == ["c"]


def test_fallback_options():
    data = [["a", "b"], ["a", "b"], ["c"]]
    assert MarkovPredictor().fit(data).predict([["c"]]) == [None]
    assert MarkovPredictor(fallback="most_frequent").fit(data).predict([["c"]]) == ["a"]
    assert MarkovPredictor(fallback="c").fit(data).predict([["c"]]) == ["c"]
    with pytest.raises(InvalidParameterError, match="fallback='zzz'"):
        MarkovPredictor(fallback="zzz").fit(data)


def test_unknown_symbols():
    model = MarkovPredictor().fit(SESSIONS)
    assert model.predict([["home", "spaceship"]]) == [None]
    strict = MarkovPredictor(on_unknown="error").fit(SESSIONS)
    with pytest.raises(UnknownSymbolError, match="spaceship"):
        strict.predict([["home", "spaceship"]])


def test_empty_and_short_queries():
    model = MarkovPredictor(order=3).fit(SESSIONS)
    assert model.predict([[], ["cart"]]) == [None, "checkout"]
    assert model.predict_top_k([[]], k=3) == [[]]
    proba = model.predict_proba([[]])
    assert proba.shape == (1, 6) and proba.sum() == pytest.approx(1.0)


def test_invalid_parameters():
    with pytest.raises(InvalidParameterError, match="order must be an int >= 1"):
        MarkovPredictor(order=0).fit(SESSIONS)
    with pytest.raises(InvalidParameterError, match="on_unknown"):
        MarkovPredictor(on_unknown="skip").fit(SESSIONS)
    with pytest.raises(InvalidParameterError, match="k must be"):
        MarkovPredictor().fit(SESSIONS).predict_top_k([["home"]], k=0)


def test_integer_symbols_and_arrays():
    data = [np.array([1, 2, 3, 1, 2, 3]), [1, 2, 3]]
    model = seqpred.create("markov", order=2).fit(data)
    assert model.predict([[1, 2], np.array([2, 3])]) == [3, 1]
    assert type(model.predict([[1, 2]])[0]) is int


def test_score_is_last_item_accuracy():
    model = MarkovPredictor(order=1).fit(SESSIONS)
    assert 0.0 <= model.score(SESSIONS) <= 1.0


def test_long_sequence_and_many_symbols():
    rng = np.random.default_rng(0)
    big = [rng.integers(0, 100_000, size=200_000)]
    model = MarkovPredictor(order=2).fit(big)
    assert model.predict([big[0][:10]]) == [int(big[0][10])]
    assert len(model.vocabulary_) > 80_000
    assert model.memory_bytes() > 0
