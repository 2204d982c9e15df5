"""Mergeable statistics: chunks counted apart and merged in any order equal one fit.

For every model with mergeable statistics, random data is cut into random
chunks, each chunk is counted with the shared vocabulary, the statistics are
merged in a random order and grouping, and the model built from them must
equal ``fit`` on all the data: every fitted attribute (arrays with their
dtypes) and ``predict_top_k`` / ``predict_proba`` / forecasts on queries.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seqpred.data.vocabulary import Vocabulary
from seqpred.models.classify import KmerClassifier
from seqpred.models.forecast.baselines import (
    DriftForecaster,
    MeanForecaster,
    NaiveForecaster,
    SeasonalNaive,
)
from seqpred.models.mergeable import first_seen, merge
from seqpred.models.next_item import AKOM, DG, PPM, TDAG, MarkovPredictor
from seqpred.testing import assert_same_fitted_state

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

NEXT_ITEM = [
    MarkovPredictor(order=1),
    MarkovPredictor(order=3, min_count=2),
    AKOM(order=4),
    PPM(max_order=3),
    PPM(max_order=2, escape="C", exclusion=True),
    TDAG(max_height=4),
    TDAG(max_height=3, min_count=2),
    DG(lookahead=3),
    DG(lookahead=2, count_repeats=False),
]


def cut(n, cuts):
    """Sorted distinct cut points in 0..n -> [(lo, hi), ...] covering 0..n."""
    edges = sorted({0, n, *(c % (n + 1) for c in cuts)})
    return list(zip(edges[:-1], edges[1:]))


def merge_in_order(parts, order, grouping):
    """Merge ``parts`` in a permuted order, sometimes as a left fold."""
    parts = [parts[i] for i in order]
    if grouping:
        return merge(*parts)
    merged = parts[0]
    for part in parts[1:]:
        merged = merge(merged, part)
    return merged


sequences = st.lists(
    st.lists(st.sampled_from("abcdef"), min_size=0, max_size=12),
    min_size=1,
    max_size=30,
)


@pytest.mark.parametrize("model", NEXT_ITEM, ids=repr)
@SETTINGS
@given(
    data=sequences,
    cuts=st.lists(st.integers(0, 40), max_size=4),
    order_seed=st.randoms(use_true_random=False),
    grouping=st.booleans(),
)
def test_next_item_chunks_merge_into_the_fit(model, data, cuts, order_seed, grouping):
    if not any(data):
        return  # fit refuses all-empty data; so does from_statistics (unit test)
    bounds = cut(len(data), cuts)
    starts = np.cumsum([0] + [sum(len(s) for s in data[a:b]) for a, b in bounds])
    vocabulary = merge(
        *(first_seen(data[a:b], start=s) for (a, b), s in zip(bounds, starts))
    ).vocabulary()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = [model.statistics(data[a:b], vocabulary=vocabulary) for a, b in bounds]
        order = list(range(len(parts)))
        order_seed.shuffle(order)
        merged = merge_in_order(parts, order, grouping)
        rebuilt = type(model)(**model.get_params()).from_statistics(merged)
        whole = type(model)(**model.get_params()).fit(data)
    assert_same_fitted_state(rebuilt, whole)
    queries = [s[-3:] for s in data] + [["a"], ["f", "e"], ["z"]]
    assert rebuilt.predict_top_k(queries, k=3) == whole.predict_top_k(queries, k=3)
    assert np.array_equal(rebuilt.predict_proba(queries), whole.predict_proba(queries))


@pytest.mark.parametrize(
    "model",
    [
        KmerClassifier(max_k=2, max_iter=30),
        KmerClassifier(
            max_k=3,
            n_features=32,
            tfidf=False,
            sublinear_tf=True,
            nb_scaling=True,
            boundaries=True,
            char_ngrams=(1, 2),
            max_iter=30,
        ),  # fmt: skip
    ],
    ids=["exact", "hashed"],
)
@SETTINGS
@given(
    data=st.lists(
        st.tuples(
            st.lists(st.sampled_from(["ab", "c", "d"]), max_size=6), st.booleans()
        ),
        min_size=2,
        max_size=24,
    ),
    cuts=st.lists(st.integers(0, 30), max_size=3),
    order_seed=st.randoms(use_true_random=False),
)
def test_kmer_chunks_merge_into_the_fit(model, data, cuts, order_seed):
    X = [x for x, _ in data]
    y = [label for _, label in data]
    if len(set(y)) < 2 or not any(X):
        return
    bounds = cut(len(X), cuts)
    vocabulary = Vocabulary([s for x in X for s in x]).freeze()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = [
            model.statistics(X[a:b], y[a:b], vocabulary=vocabulary, keys=range(a, b))
            for a, b in bounds
        ]
        order_seed.shuffle(parts)
        rebuilt = type(model)(**model.get_params()).from_statistics(merge(*parts))
        whole = type(model)(**model.get_params()).fit(X, y)
    assert_same_fitted_state(rebuilt, whole)
    assert np.array_equal(rebuilt.predict_proba(X), whole.predict_proba(X))


@pytest.mark.parametrize(
    "model",
    [
        NaiveForecaster(),
        SeasonalNaive(season_length=2),
        SeasonalNaive(season_length="auto"),
        DriftForecaster(),
        MeanForecaster(horizon=2),
    ],
    ids=repr,
)
@SETTINGS
@given(
    lengths=st.lists(st.integers(2, 15), min_size=1, max_size=12),
    seed=st.integers(0, 2**16),
    cuts=st.lists(st.integers(0, 12), max_size=3),
    order_seed=st.randoms(use_true_random=False),
)
def test_forecaster_chunks_merge_into_the_fit(model, lengths, seed, cuts, order_seed):
    rng = np.random.default_rng(seed)
    series = [rng.normal(size=n).cumsum() for n in lengths]
    parts = [
        model.statistics(series[a:b], keys=np.arange(a, b))
        for a, b in cut(len(series), cuts)
    ]
    order_seed.shuffle(parts)
    rebuilt = type(model)(**model.get_params()).from_statistics(merge(*parts))
    whole = type(model)(**model.get_params()).fit(series)
    assert_same_fitted_state(rebuilt, whole)
    assert np.array_equal(rebuilt.predict(horizon=3), whole.predict(horizon=3))
