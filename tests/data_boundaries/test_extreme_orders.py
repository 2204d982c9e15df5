"""Orders far beyond the data (issue 15, item 4): clamped, same predictions, fast.

Before, ``seqpred fit toy.txt -p order=1000000`` on five short lines counted a
table for every order up to the parameter and ran for minutes; the same for
PPM's ``max_order``, AKOM's ``order`` and TDAG's ``max_height``. Each test runs
under a time limit (the ``time_limit`` fixture, SIGALRM), so it fails in
seconds on such code.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from seqpred import io
from seqpred.exceptions import (
    InvalidParameterError,
    MemoryBudgetError,
    SeqpredWarning,
)
from seqpred.models.classify import KmerClassifier
from seqpred.models.next_item import AKOM, PPM, TDAG, MarkovPredictor

TOY = [line.split() for line in ("a b c d", "b c d e f", "a a b", "c d e", "d e f a b")]
HUGE = 10**6
QUERIES = [["a", "b"], ["c", "d", "e"], ["f"], ["z", "a"], [], list("abcdefab")]

# (class, parameter, the parameter's value for contexts of up to 4 items)
FAMILY = [
    (MarkovPredictor, "order", 4),
    (AKOM, "order", 4),
    (PPM, "max_order", 4),
    (TDAG, "max_height", 5),
]


def _quiet(model, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SeqpredWarning)
        return model.partial_fit(X) if model.is_fitted else model.fit(X)


def _same_predictions(a, b) -> None:
    np.testing.assert_array_equal(a.predict_proba(QUERIES), b.predict_proba(QUERIES))
    assert a.predict_top_k(QUERIES, k=3) == b.predict_top_k(QUERIES, k=3)
    assert [a.predict_top_k([q], k=2) for q in QUERIES] == [
        b.predict_top_k([q], k=2) for q in QUERIES
    ]
    if hasattr(a, "log_proba"):
        for x, y in zip(a.log_proba(QUERIES), b.log_proba(QUERIES)):
            np.testing.assert_array_equal(x, y)


def _tables(model) -> list[list[list[int]]]:
    names = ("context_keys_", "row_ptr_", "next_ids_", "next_counts_")
    return [[t.tolist() for t in getattr(model, n)] for n in names]


@pytest.mark.parametrize("cls, name, real", FAMILY)
def test_a_huge_order_is_clamped_with_a_warning_and_predicts_the_same(
    cls, name, real, time_limit
):
    with time_limit(10), pytest.warns(SeqpredWarning, match=f"{name}={HUGE} asks"):
        huge = cls(**{name: HUGE}).fit(TOY)
    assert getattr(huge, f"{name}_") == real
    assert huge.longest_sequence_ == 5
    assert len(huge.context_keys_) == 4
    exact = _quiet(cls(**{name: real}), TOY)
    _same_predictions(huge, exact)
    assert _tables(huge) == _tables(exact)


@pytest.mark.parametrize("cls, name, real", FAMILY)
def test_orders_within_the_data_do_not_warn(cls, name, real):
    with warnings.catch_warnings():
        warnings.simplefilter("error", SeqpredWarning)
        # a context as long as the longest sequence is clamped silently
        model = cls(**{name: real + 1}).fit(TOY)
    assert getattr(model, f"{name}_") == real


@pytest.mark.parametrize("cls, name, real", FAMILY)
def test_partial_fit_grows_the_orders_a_longer_batch_brings(
    cls, name, real, time_limit
):
    extra = {"min_count": 2} if cls is TDAG else {}
    longer = [list("abcdefabcdef"), list("fedcba")]
    with time_limit(10):
        online = _quiet(_quiet(cls(**{name: HUGE}, **extra), TOY), longer)
    assert online.longest_sequence_ == 12
    assert getattr(online, f"{name}_") == real + 7
    batch = _quiet(cls(**{name: HUGE}, **extra), TOY + longer)
    assert _tables(online) == _tables(batch)
    _same_predictions(online, batch)
    # a parameter within the fitted tables grows the same way
    small = _quiet(_quiet(cls(**{name: real + 2}, **extra), TOY), longer)
    assert getattr(small, f"{name}_") == real + 2
    assert _tables(small) == _tables(
        _quiet(cls(**{name: real + 2}, **extra), TOY + longer)
    )


@pytest.mark.parametrize("cls, name, real", FAMILY)
def test_partial_fit_refuses_a_changed_order_but_not_an_equivalent_one(cls, name, real):
    model = _quiet(cls(**{name: 2 + (name == "max_height")}), TOY)
    model.set_params(**{name: 3 + (name == "max_height")})
    with pytest.raises(InvalidParameterError, match=f"{name}=.* does not match"):
        model.partial_fit(TOY)
    clamped = _quiet(cls(**{name: HUGE}), TOY)
    clamped.set_params(**{name: real + 10})  # clamps to the same tables
    _quiet(clamped, TOY)
    assert getattr(clamped, f"{name}_") == real


def test_a_model_saved_before_the_clamp_still_loads_predicts_and_grows(tmp_path):
    path = (
        Path(__file__).parents[1] / "io" / "data" / "markov_saved_before_limits.seqpred"
    )
    old = io.load(path)
    assert not hasattr(old, "order_")  # written before order_ existed
    assert old.predict([["a", "b"]]) == ["c"]
    with pytest.raises(InvalidParameterError, match="order=3 does not match"):
        io.load(path).set_params(order=3).partial_fit([list("abcabd")])
    grown = old.partial_fit([list("abcabd")])
    assert grown.order_ == 2 and grown.longest_sequence_ >= 6
    again = io.load(io.save(grown, tmp_path / "grown.seqpred"))
    assert again.order_ == 2
    assert (
        again.predict_proba(QUERIES).tolist() == grown.predict_proba(QUERIES).tolist()
    )


def test_tables_of_an_old_file_with_empty_orders_still_merge():
    # files from before the clamp hold a table per order, the last ones empty
    model = _quiet(MarkovPredictor(order=6), TOY)
    empty = [np.zeros(0, np.int64)]
    for name in ("context_keys_", "next_ids_", "next_counts_", "context_totals_"):
        setattr(model, name, getattr(model, name) + empty * 2)
    model.row_ptr_ = model.row_ptr_ + [np.zeros(1, np.int64)] * 2
    del model.order_, model.longest_sequence_
    _quiet(model, [list("abcdefab")])
    batch = _quiet(MarkovPredictor(order=6), TOY + [list("abcdefab")])
    assert model.order_ == 6 and _tables(model) == _tables(batch)


def test_ppm_scores_long_texts_in_linear_time_with_a_huge_order(time_limit):
    # log_proba read every step's whole past (the parameter's length)
    model = _quiet(PPM(max_order=HUGE), TOY)
    text = list("abcdef" * 5_000)
    with time_limit(10):
        scores = model.log_proba([text])[0]
    assert scores.shape == (30_000,)
    np.testing.assert_array_equal(
        scores, PPM(max_order=4).fit(TOY).log_proba([text])[0]
    )


def test_kmer_lengths_beyond_every_sequence_cost_nothing(time_limit):
    # one Python loop per k and per symbol of the k-mer: k = 10^6 never ended
    X = ["abcab", "bcabc", "aabbc", "ccbba"]
    y = [0, 0, 1, 1]
    with time_limit(10):
        huge = KmerClassifier(max_k=HUGE).fit(X, y)
        proba = huge.predict_proba(["abca", "ccbb"])
    np.testing.assert_array_equal(
        proba, KmerClassifier(max_k=5).fit(X, y).predict_proba(["abca", "ccbb"])
    )


def test_orders_within_one_long_sequence_stop_at_the_memory_budget(
    time_limit, monkeypatch
):
    # one 20,000-character text: clamping leaves 19,999 orders, and past ~10
    # items no context repeats, so each order adds a context per position
    # (8 GB of tables in all): refused at once, with the largest order that fits
    monkeypatch.setenv("SEQPRED_MAX_BYTES", "64M")
    text = np.random.default_rng(0).choice(list("abcd"), 20_000).tolist()
    with time_limit(10), pytest.raises(MemoryBudgetError) as caught:
        _quiet(PPM(max_order=HUGE), [text])
    fits = int(re.search(r"Pass max_order=(\d+) or less", str(caught.value))[1])
    assert 20 < fits < 19_999
    with time_limit(20):
        model = PPM(max_order=fits).fit([text])
    names = ("context_keys_", "row_ptr_", "next_ids_", "next_counts_")
    used = sum(a.nbytes for n in (*names, "context_totals_") for a in getattr(model, n))
    assert used <= 64 << 20 and model.max_order_ == fits
