"""The mergeable-statistics contract: vocabularies, refusals, fit in processes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import seqpred
from seqpred._registry import REGISTRY, get_class
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.synthetic import click_sessions
from seqpred.exceptions import (
    DataError,
    InvalidParameterError,
    SeqpredWarning,
    UnknownSymbolError,
)
from seqpred.models import mergeable
from seqpred.models.classify import KmerClassifier
from seqpred.models.forecast.baselines import NaiveForecaster
from seqpred.models.mergeable import (
    FirstSeen,
    Statistics,
    chunk_bounds,
    first_seen,
    is_mergeable,
    merge,
    resolve_n_jobs,
)
from seqpred.models.next_item import DG, PPM, TDAG, MarkovPredictor
from seqpred.models.next_item.markov import _statistics

MERGEABLE = {"markov", "akom", "ppm", "tdag", "dg", "kmer"}
MERGEABLE |= {"naive", "seasonal-naive", "drift", "mean"}


def test_the_mergeable_models_are_the_counting_ones():
    found = {
        name
        for name, (target, _) in REGISTRY.items()
        if "neural" not in target and is_mergeable(get_class(name))
    }
    assert found == MERGEABLE
    assert not is_mergeable(seqpred.create("lz78"))  # a sequential parse


def test_first_seen_merges_into_the_fit_vocabulary_in_any_order():
    chunks = [[["b", "a"], ["c"]], [[1, "a", True]], [["d", 1.0, "b"]]]
    starts = [0, 3, 6]
    parts = [first_seen(c, start=s) for c, s in zip(chunks, starts)]
    whole = MarkovPredictor(order=1).fit([s for c in chunks for s in c]).vocabulary_
    for order in ([0, 1, 2], [2, 0, 1], [1, 2, 0]):
        merged = merge(*(parts[i] for i in order))
        assert isinstance(merged, FirstSeen)
        assert (
            merged.vocabulary().symbols
            == whole.symbols
            == ["b", "a", "c", 1, True, "d", 1.0]
        )


def test_single_chunk_without_vocabulary_is_fit():
    data = ["abcab", "abd", "bd"]
    model = PPM(max_order=2)
    twin = PPM(max_order=2).from_statistics(model.statistics(data))
    assert twin.predict_top_k(["ab", "d"]) == PPM(max_order=2).fit(data).predict_top_k(
        ["ab", "d"]
    )
    assert repr(model.statistics(data)) == "Statistics(PPM, n_sequences=3, symbols=4)"


def test_merge_refuses_parts_that_do_not_add_up():
    a = MarkovPredictor(order=2).statistics(["ab"])
    with pytest.raises(InvalidParameterError, match="do not add up"):
        merge(a, MarkovPredictor(order=3).statistics(["ab"]))
    with pytest.raises(InvalidParameterError, match="do not add up"):
        merge(a, PPM(max_order=2).statistics(["ab"]))
    with pytest.raises(DataError, match="different vocabularies.*first_seen"):
        merge(a, MarkovPredictor(order=2).statistics(["ba"]))
    with pytest.raises(InvalidParameterError, match="cannot merge"):
        merge(a, first_seen(["ab"]))
    with pytest.raises(InvalidParameterError, match="nothing to merge"):
        merge()


def test_from_statistics_refuses_another_model_or_parameters():
    stats = MarkovPredictor(order=2).statistics(["abc"])
    with pytest.raises(InvalidParameterError, match="counted by MarkovPredictor"):
        PPM().from_statistics(stats)
    with pytest.raises(InvalidParameterError, match=r"\{'order': 2\}.*\{'order': 4\}"):
        MarkovPredictor(order=4).from_statistics(stats)
    with pytest.raises(InvalidParameterError, match="expected Statistics"):
        MarkovPredictor().from_statistics({"counts": 1})


def test_statistics_need_every_symbol_in_the_shared_vocabulary():
    vocabulary = first_seen(["ab"]).vocabulary()
    with pytest.raises(UnknownSymbolError):
        MarkovPredictor().statistics(["abz"], vocabulary=vocabulary)


def test_empty_chunks_merge_and_all_empty_data_is_refused():
    vocabulary = first_seen(["ab"]).vocabulary()
    model = MarkovPredictor(order=2)
    empty = model.statistics([], vocabulary=vocabulary)
    full = model.statistics(["ab"], vocabulary=vocabulary)
    rebuilt = MarkovPredictor(order=2).from_statistics(merge(empty, full))
    assert rebuilt.predict(["a"]) == ["b"]
    with pytest.raises(DataError, match="all training sequences are empty"):
        MarkovPredictor(order=2).from_statistics(merge(empty, empty))


def test_from_statistics_warns_about_the_order_once_like_fit():
    vocabulary = first_seen(["abc", "ab"]).vocabulary()
    model = MarkovPredictor(order=9)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parts = [model.statistics([s], vocabulary=vocabulary) for s in ("abc", "ab")]
        assert not caught  # a chunk cannot know the longest sequence of all
        rebuilt = MarkovPredictor(order=9).from_statistics(merge(*parts))
    assert [w.category for w in caught] == [SeqpredWarning]
    assert caught[0].filename == __file__
    assert rebuilt.order_ == 2


def test_per_sequence_parts_need_distinct_keys():
    X, y = ["ab", "ba"], ["x", "y"]
    model = KmerClassifier(max_k=1)
    a = model.statistics(X, y)
    with pytest.raises(DataError, match="same key"):
        KmerClassifier(max_k=1).from_statistics(merge(a, model.statistics(X, y)))
    with pytest.raises(DataError, match="one key per sequence"):
        model.statistics(X, y, keys=[1])
    series = [np.arange(4.0), np.arange(3.0)]
    first = NaiveForecaster().statistics(series[:1], keys=[1])
    second = NaiveForecaster().statistics(series[1:], keys=[0])
    twin = NaiveForecaster().from_statistics(merge(first, second))
    assert twin.train_offsets_.tolist() == [0, 3, 7]  # key order: series[1] first


def test_chunk_bounds_and_n_jobs():
    offsets = np.array([0, 5, 6, 7, 12])
    assert chunk_bounds(offsets, 1) == [(0, 4)]
    many = chunk_bounds(offsets, 8)
    assert many[0][0] == 0 and many[-1][1] == 4 and len(many) <= 4
    assert all(a[1] == b[0] for a, b in zip(many, many[1:]))
    assert resolve_n_jobs(-1) >= 1
    with pytest.raises(InvalidParameterError, match="n_jobs"):
        MarkovPredictor(n_jobs=0).fit(["ab"])


@pytest.mark.parametrize(
    "model",
    [MarkovPredictor(order=3), PPM(max_order=2), TDAG(max_height=4), DG(lookahead=2)],
    ids=repr,
)
def test_fit_in_processes_equals_fit(model, monkeypatch):
    ss = SequenceSet.from_lists(click_sessions(600, random_state=3))
    monkeypatch.setattr(_statistics, "MIN_STEPS_PER_PROCESS", 1000)
    monkeypatch.setattr(mergeable, "MAX_STEPS_PER_CHUNK", 1500)  # runs of chunks
    parallel = type(model)(**model.get_params()).set_params(n_jobs=2).fit(ss)
    single = type(model)(**model.get_params()).fit(ss)
    for name, value in vars(single).items():
        if name.endswith("_"):
            other = vars(parallel)[name]
            if isinstance(value, list):
                assert all(np.array_equal(a, b) for a, b in zip(value, other)), name
            elif isinstance(value, np.ndarray):
                assert np.array_equal(value, other), name
            else:
                assert value == other, name
    queries = ss[:50]
    assert parallel.predict_top_k(queries) == single.predict_top_k(queries)
    counter = type(model)(**model.get_params())
    chunked = mergeable.statistics_in_processes(counter, ss, None, n_jobs=1)
    twin = type(model)(**model.get_params()).from_statistics(chunked)
    assert twin.predict_top_k(queries) == single.predict_top_k(queries)


def test_a_failing_child_process_is_reported(monkeypatch):
    ss = SequenceSet.from_lists(click_sessions(300, random_state=3))
    monkeypatch.setattr(_statistics, "MIN_STEPS_PER_PROCESS", 1000)

    def broken(self, ss):
        raise DataError("broken chunk")

    monkeypatch.setattr(MarkovPredictor, "_count_model", broken)
    with pytest.raises(DataError, match="broken chunk"):
        MarkovPredictor(n_jobs=2).fit(ss)


def test_statistics_are_plain_data():
    stats = DG().statistics(["abc"])
    assert isinstance(stats, Statistics)
    assert stats.model is DG and stats.params == {"lookahead": 4, "count_repeats": True}
