"""Unit tests for seqpred.data.synthetic: reproducibility and known answers."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from seqpred.data.synthetic import (
    MarkovSource,
    addition_pairs,
    arithmetic_sequences,
    click_sessions,
    motif_sequences,
    periodic_sequences,
    seasonal_series,
)
from seqpred.exceptions import DataError, InvalidParameterError


def contexts_and_targets(source, seqs):
    """Context index and next symbol at every position with a full context."""
    grid = np.asarray(seqs)  # (N, L)
    n, k = source.n_symbols, source.order
    ctx = np.zeros((grid.shape[0], grid.shape[1] - k), dtype=np.int64)
    for j in range(k):
        ctx = ctx * n + grid[:, j : grid.shape[1] - k + j]
    return ctx, grid[:, k:]


# -- MarkovSource -------------------------------------------------------------------


def test_markov_source_is_reproducible():
    a = MarkovSource(random_state=3)
    b = MarkovSource(random_state=3)
    np.testing.assert_array_equal(a.transition_matrix, b.transition_matrix)
    assert a.sample(4, 12) == b.sample(4, 12)  # continues the seeded stream
    assert a.sample(4, 12, random_state=9) == b.sample(4, 12, random_state=9)
    assert MarkovSource(random_state=4).sample(4, 12) != a.sample(4, 12)


def test_markov_source_shapes_and_laws():
    source = MarkovSource(n_symbols=4, order=2, random_state=0)
    table = source.transition_matrix
    assert table.shape == (16, 4)
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    assert not table.flags.writeable
    pi = source.stationary_distribution()
    assert pi.shape == (16,) and np.isclose(pi.sum(), 1.0)
    # pi is invariant under one step of the context chain.
    nxt = (np.arange(16)[:, None] * 4 + np.arange(4)) % 16
    stepped = np.bincount(nxt.ravel(), weights=(pi[:, None] * table).ravel())
    np.testing.assert_allclose(stepped, pi, atol=1e-12)
    assert 0.25 < source.bayes_accuracy() <= 1.0
    assert 0.0 < source.entropy_rate() < 2.0


def test_bayes_accuracy_and_entropy_rate_match_samples():
    source = MarkovSource(random_state=0)
    ctx, target = contexts_and_targets(source, source.sample(200, 1000, random_state=1))
    table = source.transition_matrix
    accuracy = (table.argmax(axis=1)[ctx] == target).mean()
    assert abs(accuracy - source.bayes_accuracy()) < 0.01
    log_loss = -np.log2(table[ctx, target]).mean()
    assert abs(log_loss - source.entropy_rate()) < 0.02


def test_samples_are_stationary_from_the_start():
    source = MarkovSource(n_symbols=3, order=1, random_state=2)
    first = np.array(source.sample(20000, 1, random_state=5))[:, 0]
    empirical = np.bincount(first, minlength=3) / len(first)
    np.testing.assert_allclose(empirical, source.stationary_distribution(), atol=0.02)


def test_sample_lengths_and_order_zero():
    source = MarkovSource(n_symbols=3, order=0, random_state=0)
    assert source.stationary_distribution().tolist() == [1.0]
    seqs = source.sample(50, (2, 5), random_state=0)
    assert {len(s) for s in seqs} <= {2, 3, 4, 5}
    long_order = MarkovSource(n_symbols=2, order=4, random_state=0)
    assert [len(s) for s in long_order.sample(3, 2)] == [2, 2, 2]


def test_large_context_space_uses_power_iteration():
    source = MarkovSource(n_symbols=4, order=5, random_state=0)  # 1024 contexts
    pi = source.stationary_distribution()
    nxt = (np.arange(1024)[:, None] * 4 + np.arange(4)) % 1024
    stepped = np.bincount(
        nxt.ravel(), weights=(pi[:, None] * source.transition_matrix).ravel()
    )
    np.testing.assert_allclose(stepped, pi, atol=1e-10)


def test_next_proba_uses_the_last_order_symbols():
    source = MarkovSource(n_symbols=3, order=2, random_state=0)
    proba = source.next_proba([[0, 1, 2], [1, 2], [2], []])
    np.testing.assert_allclose(proba[0], source.transition_matrix[1 * 3 + 2])
    np.testing.assert_allclose(proba[1], proba[0])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # An empty prefix gives the stationary marginal of the next symbol.
    marginal = source.stationary_distribution() @ source.transition_matrix
    np.testing.assert_allclose(proba[3], marginal)
    with pytest.raises(DataError, match="symbols must be ints in 0..2"):
        source.next_proba([[5]])


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_symbols": 1}, "n_symbols must be an int >= 2"),
        ({"order": -1}, "order must be an int >= 0"),
        ({"concentration": 0.0}, "concentration must be a finite number > 0"),
        ({"n_symbols": 100, "order": 4}, "contexts"),
        ({"random_state": "x"}, "random_state"),
    ],
)
def test_markov_source_rejects_bad_parameters(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        MarkovSource(**kwargs)


def test_sample_rejects_bad_arguments():
    source = MarkovSource(random_state=0)
    with pytest.raises(InvalidParameterError, match="n_sequences"):
        source.sample(-1, 5)
    with pytest.raises(InvalidParameterError, match="length must be an int >= 1"):
        source.sample(2, (5, 3))


# -- simple generators ------------------------------------------------------------


def test_arithmetic_sequences_follow_their_step():
    seqs = arithmetic_sequences(100, random_state=0)
    assert seqs == arithmetic_sequences(100, random_state=0)
    for seq in seqs:
        assert 5 <= len(seq) <= 10 and 0 <= seq[0] <= 20
        steps = set(np.diff(seq).tolist())
        assert len(steps) == 1 and 1 <= steps.pop() <= 5
    assert arithmetic_sequences(1, length=3, start=-2, step=-1) == [[-2, -3, -4]]
    assert arithmetic_sequences(0) == []
    with pytest.raises(InvalidParameterError, match="length must be an int >= 1"):
        arithmetic_sequences(2, length=(0, 3))


def test_periodic_sequences_repeat_distinct_patterns():
    seqs = periodic_sequences(50, period=(2, 5), length=(12, 20), random_state=1)
    assert seqs == periodic_sequences(
        50, period=(2, 5), length=(12, 20), random_state=1
    )
    for seq in seqs:
        period = len(set(seq))
        assert 2 <= period <= 5 and 12 <= len(seq) <= 20
        assert seq[period:] == seq[:-period]
        assert len(set(seq[:period])) == period
    with pytest.raises(InvalidParameterError, match="period must be <= n_symbols"):
        periodic_sequences(2, period=6, n_symbols=5)


def test_motif_sequences_carry_only_their_class_motif():
    seqs, labels = motif_sequences(200, n_classes=3, random_state=0)
    again, labels_again = motif_sequences(200, n_classes=3, random_state=0)
    assert seqs == again and labels.tolist() == labels_again.tolist()
    assert np.bincount(labels).tolist() == [67, 67, 66]
    assert all(len(s) == 50 and set(s) <= set("ACGT") for s in seqs)
    # Recover each class motif as the 6-mer common to all its members only.
    for c in range(3):
        members = [s for s, y in zip(seqs, labels) if y == c]
        others = [s for s, y in zip(seqs, labels) if y != c]
        shared = set.intersection(*({s[i : i + 6] for i in range(45)} for s in members))
        assert any(all(m not in s for s in others) for m in shared)
    with pytest.raises(InvalidParameterError, match="alphabet"):
        motif_sequences(2, alphabet="AA")
    with pytest.raises(InvalidParameterError, match="length must be an int >= 6"):
        motif_sequences(2, length=4)


def test_seasonal_series_shape_season_and_trend():
    series = seasonal_series(3, 96, period=24, trend=0.5, noise=0.0, random_state=0)
    assert len(series) == 3 and all(s.shape == (96,) for s in series)
    for s in series:  # exact season plus trend when noise is off
        np.testing.assert_allclose(s[24:] - s[:-24], 0.5 * 24)
    noisy = seasonal_series(2, 10, random_state=1)
    assert all(
        np.array_equal(a, b)
        for a, b in zip(noisy, seasonal_series(2, 10, random_state=1))
    )
    with pytest.raises(InvalidParameterError, match="noise"):
        seasonal_series(1, 10, noise=-1.0)
    with pytest.raises(InvalidParameterError, match="period"):
        seasonal_series(1, 10, period=0)


def test_addition_pairs_are_correct_sums():
    pairs = addition_pairs(200, digits=3, random_state=0)
    assert pairs == addition_pairs(200, digits=3, random_state=0)
    for question, answer in pairs:
        a, b = question.split("+")
        assert len(a) <= 3 and len(b) <= 3 and int(a) + int(b) == int(answer)
    with pytest.raises(InvalidParameterError, match="digits"):
        addition_pairs(2, digits=0)


# -- click sessions ---------------------------------------------------------------


def test_click_sessions_look_like_sessions():
    sessions = click_sessions(500, random_state=0)
    assert sessions == click_sessions(500, random_state=0)
    assert sessions != click_sessions(500, random_state=1)
    lengths = [len(s) for s in sessions]
    assert min(lengths) >= 3 and max(lengths) <= 30
    assert 8 < np.mean(lengths) < 16
    pages = {p for s in sessions for p in s}
    assert {"home", "search", "product", "cart", "checkout", "help"} <= pages
    assert 15 <= len(pages) <= 20


def test_click_sessions_are_second_order():
    sessions = click_sessions(2000, random_state=0)

    def argmax_accuracy(order):
        counts = Counter()
        for s in sessions:
            for t in range(2, len(s)):
                counts[(tuple(s[t - order : t]), s[t])] += 1
        best = Counter()
        for (ctx, _), c in counts.items():
            best[ctx] = max(best[ctx], c)
        return sum(best.values()) / sum(counts.values())

    assert argmax_accuracy(2) > argmax_accuracy(1) + 0.05
