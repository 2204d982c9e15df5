"""The one-query path (ids in, ids out) equals the batch path; caches follow fits."""

from __future__ import annotations

import numpy as np
import pytest

import seqpred
from seqpred.data.vocabulary import UNK_ID
from seqpred.models.next_item import CPTPlus

CONFIGS = [
    ("markov", {}),
    ("markov", {"order": 1}),
    ("markov", {"order": 4, "min_count": 3}),
    ("ppm", {}),
    ("ppm", {"escape": "A", "max_order": 2}),
    ("ppm", {"escape": "B", "exclusion": True}),
    ("ppm", {"escape": "C", "exclusion": True, "max_order": 3}),
    ("ppm", {"escape": "D", "exclusion": True}),
    ("cpt+", {}),
    ("cpt+", {"predict_repeats": False, "window": 3}),
    ("cpt+", {"max_candidates": 4, "min_update_ratio": 2.0}),
    ("cpt+", {"max_candidates": None, "max_consequent_length": 2}),
]


def _data(seed: int = 0, n: int = 300, vocab: int = 12) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):  # a sticky walk: repeated contexts, some ties
        length = int(rng.integers(1, 12))
        seq = [int(rng.integers(vocab))]
        for _ in range(length - 1):
            step = int(rng.choice([-1, 0, 1, 1, 2]))
            seq.append((seq[-1] + step) % vocab)
        out.append(seq)
    return out


def _queries(train: list[list[int]]) -> list[list[int]]:
    rng = np.random.default_rng(1)
    out = [s[: int(rng.integers(0, len(s) + 1))] for s in train[:120]]
    return out + [[], [99], [3, 99], [99, 3], list(range(12)) * 3]


@pytest.mark.parametrize("name, params", CONFIGS, ids=str)
def test_one_query_equals_the_batch(name, params):
    model = seqpred.create(name, **params).fit(_data())
    queries = model._queries(_queries(_data()), "test")
    batch_ids, batch_scores = model._top_k_ids(queries, 6)
    for i in range(len(queries)):
        ids, scores = model.predict_top_k_encoded(queries[i], None, 6)
        assert ids.shape == scores.shape == (1, 6)
        np.testing.assert_array_equal(ids[0], batch_ids[i], err_msg=f"query {i}")
        np.testing.assert_allclose(scores[0], batch_scores[i], rtol=0, atol=1e-15)


@pytest.mark.parametrize("name", ["markov", "ppm", "cpt+"])
def test_public_one_query_calls_take_the_fast_path(name):
    model = seqpred.create(name).fit(_data())
    together = model.predict_top_k_ids(_queries(_data())[:30], 3)
    alone = [model.predict_top_k_ids([q], 3) for q in _queries(_data())[:30]]
    np.testing.assert_array_equal(np.vstack([a[0] for a in alone]), together[0])


@pytest.mark.parametrize("name", ["markov", "ppm", "cpt+"])
def test_caches_follow_partial_fit_and_refit(name):
    first, second = _data(0), _data(5, vocab=15)
    model = seqpred.create(name).fit(first)
    query = model.vocabulary_.encode([3, 4], unknown="unk")
    model.predict_top_k_encoded(query, None, 4)  # builds the caches
    model.partial_fit(second)
    fresh = seqpred.create(name)
    if name == "cpt+":  # keep what the first fit chose
        fresh.set_params(
            max_sequence_length=model.max_sequence_length_,
            min_update_ratio=model.min_update_ratio_,
            predict_repeats=model.predict_repeats_,
        )
    fresh.fit(first + second)
    query = model.vocabulary_.encode([13, 14], unknown="unk")
    got = model.predict_top_k_encoded(query, None, 4)
    expected = fresh.predict_top_k_encoded(query, None, 4)
    np.testing.assert_array_equal(got[0], expected[0])
    model.fit(second)  # a new vocabulary: encode again
    query = model.vocabulary_.encode([13, 14], unknown="unk")
    np.testing.assert_array_equal(
        model.predict_top_k_encoded(query, None, 4)[0],
        model.predict_top_k_ids([[13, 14]], 4)[0],
    )


def test_cpt_plus_cache_follows_set_params():
    model = CPTPlus(max_candidates=None).fit(_data())
    query = model.vocabulary_.encode([3, 4, 5], unknown="unk")
    model.predict_top_k_encoded(query, None, 4)
    model.set_params(window=1, max_candidates=2)
    batch = model._top_k_ids(model._queries([[3, 4, 5]], "test"), 4)
    np.testing.assert_array_equal(
        model.predict_top_k_encoded(query, None, 4)[0], batch[0]
    )


def test_encoded_batches_and_unknown_ids():
    model = seqpred.create("markov", order=2).fit(_data())
    values = np.array([3, 4, UNK_ID, 5, 6], dtype=np.int64)
    offsets = np.array([0, 2, 3, 5], dtype=np.int64)
    ids, _ = model.predict_top_k_encoded(values, offsets, 2)
    assert ids.shape == (3, 2)
    assert (ids[1] == -1).all()  # an unknown symbol matches no context
    for q, (lo, hi) in enumerate(zip(offsets[:-1], offsets[1:])):
        alone, _ = model.predict_top_k_encoded(values[lo:hi], None, 2)
        np.testing.assert_array_equal(alone[0], ids[q])


def test_models_without_a_hook_use_the_batch_path():
    model = seqpred.create("dg").fit(_data())
    assert model._top_k_one is None
    query = model.vocabulary_.encode([3, 4], unknown="unk")
    ids, _ = model.predict_top_k_encoded(query, None, 3)
    np.testing.assert_array_equal(ids, model.predict_top_k_ids([[3, 4]], 3)[0])
