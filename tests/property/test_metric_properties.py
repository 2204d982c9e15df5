"""Property tests of the metrics: bounds, perfect scores, order invariance."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.evaluate import metrics as m

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def rankings(draw):
    """Draw ``(ranked (N, K), targets (N,), permutation)``."""
    n = draw(st.integers(1, 15))
    width = draw(st.integers(1, 6))
    ranked = np.array(
        draw(st.lists(st.integers(-1, 8), min_size=n * width, max_size=n * width))
    ).reshape(n, width)
    targets = np.array(draw(st.lists(st.integers(0, 8), min_size=n, max_size=n)))
    perm = np.array(draw(st.permutations(range(n))))
    return ranked, targets, perm


@st.composite
def labelled(draw, n_classes=4):
    """Draw ``(y_true, y_pred, permutation)`` of small integer labels."""
    n = draw(st.integers(1, 25))
    labels = st.integers(0, n_classes - 1)
    y_true = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    y_pred = np.array(draw(st.lists(labels, min_size=n, max_size=n)))
    perm = np.array(draw(st.permutations(range(n))))
    return y_true, y_pred, perm


@st.composite
def binary_scores(draw):
    """Draw ``(y, scores, permutation)`` with both classes present and ties likely."""
    n = draw(st.integers(2, 25))
    y = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    y[0], y[1] = 0, 1
    scores = np.array(
        draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=float
    )
    perm = np.array(draw(st.permutations(range(n))))
    return y, scores, perm


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


@st.composite
def real_pairs(draw):
    n = draw(st.integers(1, 20))
    y = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    f = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    perm = np.array(draw(st.permutations(range(n))))
    return y, f, perm


# -- ranking ------------------------------------------------------------------------


@SETTINGS
@given(rankings())
def test_ranking_bounds_and_order(data):
    ranked, targets, _ = data
    for k in range(1, ranked.shape[1] + 1):
        hr = m.hit_rate_at_k(ranked, targets, k)
        ndcg = m.ndcg_at_k(ranked, targets, k)
        mrr = m.mrr_at_k(ranked, targets, k)
        assert 0.0 <= mrr <= ndcg + 1e-12 <= hr + 2e-12 <= 1.0 + 2e-12
    assert 0.0 <= m.coverage(ranked) <= 1.0
    assert m.coverage(ranked) + m.no_match_rate(ranked) == pytest.approx(1.0)


@SETTINGS
@given(rankings())
def test_hit_rate_monotone_in_k(data):
    ranked, targets, _ = data
    rates = [m.hit_rate_at_k(ranked, targets, k) for k in range(1, ranked.shape[1] + 1)]
    assert all(a <= b for a, b in zip(rates, rates[1:]))


@SETTINGS
@given(rankings())
def test_perfect_ranking_scores_one(data):
    ranked, targets, _ = data
    ranked = ranked.copy()
    ranked[:, 0] = targets
    for fn in (m.hit_rate_at_k, m.mrr_at_k, m.ndcg_at_k):
        assert fn(ranked, targets, 1) == 1.0
    assert m.coverage(ranked) == 1.0
    assert m.success_in_set(targets, targets[:, None]) == 1.0


@SETTINGS
@given(rankings())
def test_ranking_invariant_to_joint_permutation(data):
    ranked, targets, perm = data
    for fn in (m.hit_rate_at_k, m.mrr_at_k, m.ndcg_at_k):
        assert fn(ranked[perm], targets[perm]) == pytest.approx(fn(ranked, targets))
    assert m.success_in_set(ranked[perm, 0], ranked[perm]) == pytest.approx(
        m.success_in_set(ranked[:, 0], ranked)
    )


# -- classification -----------------------------------------------------------------


@SETTINGS
@given(labelled())
def test_classification_bounds_and_order(data):
    y_true, y_pred, perm = data
    for fn in (m.accuracy, m.balanced_accuracy, m.macro_f1):
        score = fn(y_true, y_pred)
        assert 0.0 <= score <= 1.0
        assert fn(y_true[perm], y_pred[perm]) == pytest.approx(score)
        assert fn(y_true, y_true) == 1.0
    cm = m.confusion_matrix(y_true, y_pred)
    assert cm.sum() == len(y_true)
    assert np.trace(cm) / len(y_true) == pytest.approx(m.accuracy(y_true, y_pred))
    np.testing.assert_array_equal(cm, m.confusion_matrix(y_true[perm], y_pred[perm]))


def _brute_auc(y, s):
    pos, neg = s[y == 1], s[y == 0]
    diff = pos[:, None] - neg[None, :]
    return ((diff > 0).sum() + 0.5 * (diff == 0).sum()) / diff.size


@SETTINGS
@given(binary_scores())
def test_roc_auc_properties(data):
    y, scores, perm = data
    auc = m.roc_auc(y, scores)
    assert 0.0 <= auc <= 1.0
    assert auc == pytest.approx(_brute_auc(y, scores))
    assert m.roc_auc(1 - y, scores) == pytest.approx(1.0 - auc)
    assert m.roc_auc(y, -scores) == pytest.approx(1.0 - auc)
    assert m.roc_auc(y[perm], scores[perm]) == pytest.approx(auc)
    assert m.roc_auc(y, y.astype(float)) == 1.0


@SETTINGS
@given(binary_scores())
def test_roc_auc_two_columns_match_binary(data):
    y, scores, _ = data
    p = scores / 5.0
    assert m.roc_auc(y, np.column_stack([1 - p, p])) == pytest.approx(m.roc_auc(y, p))


# -- regression ---------------------------------------------------------------------


@SETTINGS
@given(real_pairs())
def test_regression_properties(data):
    y, f, perm = data
    s = m.smape(y, f)
    assert 0.0 <= s <= 200.0
    assert m.smape(y, y) == 0.0
    assert m.mae(y, y) == m.mse(y, y) == m.rmse(y, y) == 0.0
    assert m.mae(y, f) <= m.rmse(y, f) * (1 + 1e-9) + 1e-9
    assert m.rmse(y, f) == pytest.approx(np.sqrt(m.mse(y, f)))
    for fn in (m.mae, m.mse, m.smape):
        assert fn(y[perm], f[perm]) == pytest.approx(fn(y, f))


@SETTINGS
@given(real_pairs(), st.integers(1, 3))
def test_mase_scales_mae(data, season):
    y, f, _ = data
    train = np.arange(season + 5, dtype=float) % (season + 1)  # never flat at lag
    scale = np.mean(np.abs(train[season:] - train[:-season]))
    assert m.mase(y, f, train, season) == pytest.approx(m.mae(y, f) / scale)
    assert m.mase(y, y, train, season) == 0.0


# -- probabilistic ------------------------------------------------------------------


@SETTINGS
@given(
    st.integers(1, 10),
    st.integers(2, 5),
    st.data(),
)
def test_log_loss_properties(n, v, data):
    raw = np.array(
        data.draw(st.lists(st.floats(0.01, 1.0), min_size=n * v, max_size=n * v))
    ).reshape(n, v)
    proba = raw / raw.sum(axis=1, keepdims=True)
    targets = np.array(
        data.draw(st.lists(st.integers(0, v - 1), min_size=n, max_size=n))
    )
    loss = m.log_loss(proba, targets)
    assert loss >= 0.0
    log_probs = np.log(proba[np.arange(n), targets])
    assert loss == pytest.approx(-log_probs.mean())
    assert m.perplexity(log_probs) == pytest.approx(2 ** m.bits_per_symbol(log_probs))
    assert m.perplexity(log_probs) >= 1.0 - 1e-12
    assert m.log_loss(np.eye(v)[targets], targets) == pytest.approx(0.0)


# -- seq2seq ------------------------------------------------------------------------

token_lists = st.lists(st.lists(st.integers(0, 3), max_size=5), min_size=1, max_size=8)


@SETTINGS
@given(token_lists, st.data())
def test_seq2seq_properties(true, data):
    pred = data.draw(
        st.lists(
            st.lists(st.integers(0, 3), max_size=5),
            min_size=len(true),
            max_size=len(true),
        )
    )
    em = m.exact_match(pred, true)
    assert 0.0 <= em <= 1.0
    assert m.exact_match(true, true) == 1.0
    assert em == pytest.approx(np.mean([p == t for p, t in zip(pred, true)]))
    if any(true):
        ta = m.token_accuracy(pred, true)
        assert 0.0 <= ta <= 1.0
        assert m.token_accuracy(true, true) == 1.0
        hits = sum(
            sum(1 for i, t in enumerate(ts) if i < len(ps) and ps[i] == t)
            for ps, ts in zip(pred, true)
        )
        assert ta == pytest.approx(hits / sum(len(t) for t in true))
