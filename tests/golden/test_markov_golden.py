"""Worked example: the transition counts of "abracadabra" (a textbook n-gram table)."""

import numpy as np
import pytest

from seqpred.models.next_item import MarkovPredictor

WORD = "abracadabra"


def test_first_order_counts_match_hand_table():
    model = MarkovPredictor(order=1).fit([WORD])
    # a -> b twice, c once, d once; b -> r twice; r -> a twice; c -> a; d -> a
    assert model.predict_top_k(["a"], k=5) == [[("b", 0.5), ("c", 0.25), ("d", 0.25)]]
    assert model.predict_top_k(["b", "r", "c", "d"], k=5) == [
        [("r", 1.0)],
        [("a", 1.0)],
        [("a", 1.0)],
        [("a", 1.0)],
    ]
    proba = model.predict_proba(["a"])[0]
    assert dict(zip(model.vocabulary_.symbols, proba)) == pytest.approx(
        {"a": 0.0, "b": 0.5, "r": 0.0, "c": 0.25, "d": 0.25}
    )


def test_second_order_uses_longer_context_and_backs_off():
    model = MarkovPredictor(order=2).fit([WORD])
    # "ra" is followed once by "c" (the final "ra" has no successor)
    assert model.predict(["abra"]) == ["c"]
    # "da" -> "b"; "xa" is unseen at order 2 and backs off to "a" -> "b"
    assert model.predict(["da", "xa"]) == ["b", "b"]
    # the unseen last item gives no match
    assert model.predict(["ax"]) == [None]


def test_context_totals_are_transition_counts():
    model = MarkovPredictor(order=1).fit([WORD])
    totals = dict(
        zip(
            model.vocabulary_.decode(model.context_keys_[0]),
            model.context_totals_[0].tolist(),
        )
    )
    assert totals == {"a": 4, "b": 2, "r": 2, "c": 1, "d": 1}
    assert int(np.sum(model.next_counts_[0])) == len(WORD) - 1
