"""CPT+'s candidate bound: what ``max_candidates`` means; it bounds the work."""

from __future__ import annotations

import time

import numpy as np
import pytest

from seqpred.models.next_item import CPTPlus

FIXED = {"max_sequence_length": None, "min_update_ratio": 1.0, "predict_repeats": True}


def _log(n: int, seed: int = 0) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 8, int(rng.integers(2, 9))).tolist() for _ in range(n)]


@pytest.mark.parametrize("bound", [1, 5, 40])
def test_one_item_query_reads_the_last_sequences_holding_it(bound):
    # a one-item query has no sub-query: its similar sequences are exactly the
    # last `bound` training sequences that contain the item
    log = _log(300)
    holding = [s for s in log if 3 in s][-bound:]
    bounded = CPTPlus(max_candidates=bound, **FIXED).fit(log)
    oracle = CPTPlus(max_candidates=None, **FIXED).fit(holding)
    got, expected = bounded.count_table([[3]])[0], oracle.count_table([[3]])[0]
    assert got.keys() == expected.keys()
    for item, score in expected.items():
        assert got[item] == pytest.approx(score, rel=1e-12)


def test_a_bound_above_the_log_changes_nothing():
    log = _log(200)
    queries = [s[:-1] for s in _log(60, seed=1)]
    unbounded = CPTPlus(max_candidates=None).fit(log).predict_top_k_ids(queries, 4)
    large = CPTPlus(max_candidates=10_000).fit(log).predict_top_k_ids(queries, 4)
    np.testing.assert_array_equal(unbounded[0], large[0])
    np.testing.assert_array_equal(unbounded[1], large[1])


def test_the_bound_is_validated():
    with pytest.raises(ValueError, match="max_candidates"):
        CPTPlus(max_candidates=0).fit(_log(30))


def _per_query_seconds(n: int, bound: int | None) -> float:
    model = CPTPlus(max_candidates=bound, **FIXED).fit(_log(n, seed=2))
    queries = model._queries([s[-5:] for s in _log(200, seed=3)], "test")
    model._top_k_ids(queries, 3)
    start = time.perf_counter()
    model._top_k_ids(queries, 3)
    return (time.perf_counter() - start) / len(queries)


def test_the_bound_keeps_the_cost_flat_as_the_log_grows():
    # 8 items over 4,000 or 40,000 sequences: every item is in thousands of
    # sequences, so the unbounded search grows about 10x and the bounded one
    # stays (the noise of a shared machine is well inside 3x)
    small, large = _per_query_seconds(4_000, 64), _per_query_seconds(40_000, 64)
    assert large < 3 * small + 20e-6


def test_one_long_training_sequence_is_cheap_to_query():
    # issue 15: one 10^6-item sequence, then one query
    rng = np.random.default_rng(0)
    sequence = rng.integers(0, 50, 1_000_000)
    model = CPTPlus(max_sequence_length=None).fit([sequence])
    model.predict([sequence[:5]])
    start = time.perf_counter()
    model.predict([sequence[:5], sequence[-5:], [int(sequence[7])] * 5])
    assert time.perf_counter() - start < 0.5
