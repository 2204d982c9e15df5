import numpy as np
import pytest

from seqpred.models.next_item import PPM


def _dense_top_k(model, queries, k):
    """Reference top-k from the dense (N, V) probabilities."""
    encoded = model._queries(queries, "test")
    proba, matched = model._dense(encoded)
    proba[:, :3] = -1.0  # reserved ids are never predicted
    ids = np.argsort(-proba, axis=1, kind="stable")[:, :k]
    scores = np.take_along_axis(proba, ids, axis=1)
    ids[(scores < 0) | ~matched[:, None]] = -1
    scores[(scores < 0) | ~matched[:, None]] = 0.0
    return ids, scores


@pytest.mark.parametrize("escape", list("ABCD"))
@pytest.mark.parametrize("exclusion", [True, False])
@pytest.mark.parametrize("n_symbols", [4, 60])
def test_sparse_top_k_equals_dense_probabilities(escape, exclusion, n_symbols):
    rng = np.random.default_rng(n_symbols)
    train = [rng.integers(0, n_symbols, size=rng.integers(1, 25)) for _ in range(150)]
    queries = [
        rng.integers(0, n_symbols + 3, size=rng.integers(0, 6)) for _ in range(80)
    ]
    model = PPM(max_order=3, escape=escape, exclusion=exclusion).fit(train)
    ids, scores = model.predict_top_k_ids(queries, k=5)
    k = min(5, len(model.vocabulary_))  # k is capped at the number of symbols
    assert ids.shape == (len(queries), k)
    ref_ids, ref_scores = _dense_top_k(model, queries, k)
    np.testing.assert_allclose(scores, ref_scores, atol=1e-12)
    tied = np.isclose(scores, np.roll(scores, 1, axis=1)) | np.isclose(
        scores, np.roll(scores, -1, axis=1)
    )
    assert ((ids == ref_ids) | tied).all()


def test_top_k_is_consistent_with_predict_proba():
    model = PPM(max_order=2).fit(["abracadabra", "cadabra"])
    proba = model.predict_proba(["ab", "ra"])
    best = [model.vocabulary_.symbols[i] for i in proba.argmax(axis=1)]
    assert model.predict(["ab", "ra"]) == best


def test_large_vocabulary_top_k_is_fast_enough():
    rng = np.random.default_rng(0)
    train = [rng.integers(0, 20_000, size=30) for _ in range(2_000)]
    model = PPM(max_order=3).fit(train)
    ids, scores = model.predict_top_k_ids([t[:5] for t in train[:500]], k=10)
    assert ids.shape == (500, 10)
    assert (np.diff(scores, axis=1) <= 1e-15).all()


def test_queries_without_any_matched_context():
    model = PPM(max_order=2).fit([["a", "b"]])
    ids, scores = model.predict_top_k_ids([[], ["zz"], ["b"]], k=2)
    assert (ids == -1).all() and (scores == 0).all()


def test_training_on_length_one_sequences_only():
    model = PPM(max_order=2, exclusion=False).fit([["a"], ["b"], ["a"]])
    ids, scores = model.predict_top_k_ids([["a"], []], k=2)
    assert (ids == -1).all()
    proba = model.predict_proba([["a"]])
    np.testing.assert_allclose(proba.sum(), 1.0)
