"""Unit tests for the sequence classifiers and their solvers."""

from __future__ import annotations

import numpy as np
import pytest

import seqpred
from seqpred.data import SequenceSet
from seqpred.data.synthetic import motif_sequences
from seqpred.exceptions import DataError, NotFittedError
from seqpred.models.classify import (
    CompressionClassifier,
    DTWClassifier,
    KmerClassifier,
    MiniRocketClassifier,
)
from seqpred.models.classify._dtw_kernels import dtw_distance
from seqpred.models.classify._linear import (
    CSR,
    _logistic_loss,
    fit_logistic,
    fit_ridge_cv,
    fit_temperature,
)


def _motifs(n, seed):
    return motif_sequences(n, length=40, motif_length=5, random_state=seed)


@pytest.mark.parametrize("cls", [CompressionClassifier, KmerClassifier])
def test_discrete_classifiers_learn_planted_motifs(cls):
    X, y = _motifs(200, 0)
    Xt, yt = _motifs(200, 0)  # same motifs (same seed), different draws below
    model = cls().fit(X[:150], y[:150])
    assert model.score(Xt[150:], yt[150:]) >= 0.8
    proba = model.predict_proba(Xt[150:])
    assert proba.shape == (50, 2) and np.allclose(proba.sum(axis=1), 1)


def test_prefix_accuracy_grows_with_prefix_length():
    X, y = motif_sequences(300, length=40, motif_length=5, random_state=1)
    model = CompressionClassifier(max_order=3).fit(X[:200], y[:200])
    test, labels = X[200:], y[200:]
    acc = [model.score([s[:n] for s in test], labels) for n in (5, 20, 40)]
    assert acc[0] < acc[1] < acc[2]
    assert acc[2] >= 0.85


def test_labels_from_sequence_set_and_errors():
    X, y = ["ab", "ba", "aab", "bba"], ["x", "y", "x", "y"]
    ss = SequenceSet.from_lists(X, labels=y)
    model = KmerClassifier(max_k=1).fit(ss)
    assert model.classes_.tolist() == ["x", "y"]
    with pytest.raises(NotFittedError):
        KmerClassifier().predict(X)
    with pytest.raises(DataError, match="no class labels"):
        KmerClassifier().fit(X)
    with pytest.raises(DataError, match="at least 2 classes"):
        KmerClassifier().fit(X, ["x"] * 4)
    with pytest.raises(DataError, match="expected 4 labels"):
        KmerClassifier().fit(X, ["x", "y"])
    with pytest.raises(DataError, match="all be strings or all be numbers"):
        KmerClassifier().fit(X, ["x", 1, None, "y"])


def test_registry_names():
    assert {name for name, task in seqpred.available("classify").items()} >= {
        "compression",
        "kmer",
        "minirocket",
        "dtw",
    }
    assert isinstance(seqpred.create("dtw", window=0.1), DTWClassifier)


def test_kmer_hashing_and_positions():
    X = ["acgtacgt", "tgcatgca"] * 5
    y = [0, 1] * 5
    hashed = KmerClassifier(n_features=32).fit(X, y)
    assert hashed.coef_.shape == (32, 2)
    positional = KmerClassifier(max_k=1, n_position_bins=4).fit(X, y)
    assert positional.coef_.shape[0] == 4 * 4  # 4 symbols x 4 bins
    assert positional.predict(["acgt"]).tolist() == [0]


def test_logistic_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 4))
    Y = np.eye(3)[rng.integers(3, size=20)]
    theta = rng.normal(size=4 * 3 + 3)
    f, g = _logistic_loss(theta, X, Y, 0.1, 3)
    eps = 1e-6
    numeric = np.array(
        [
            (_logistic_loss(theta + eps * e, X, Y, 0.1, 3)[0] - f) / eps
            for e in np.eye(len(theta))
        ]
    )
    assert np.allclose(g, numeric, atol=1e-4)


def test_logistic_sparse_equals_dense():
    rng = np.random.default_rng(1)
    dense = rng.random((30, 6)) * (rng.random((30, 6)) < 0.4)
    rows, cols = np.nonzero(dense)
    sparse = CSR(np.searchsorted(rows, np.arange(31)), cols, dense[rows, cols], 6)
    y = rng.integers(2, size=30)
    W1, b1, ok1 = fit_logistic(dense, y, 2, c=0.01)
    W2, b2, ok2 = fit_logistic(sparse, y, 2, c=0.01)
    assert ok1 and ok2
    assert np.allclose(W1, W2, atol=1e-5) and np.allclose(b1, b2, atol=1e-5)


def test_ridge_leave_one_out_matches_brute_force():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(15, 5))
    y = rng.integers(2, size=15)
    _, _, alpha, loo = fit_ridge_cv(X, y, 2, np.array([0.5]))
    Y = np.where(np.eye(2)[y] > 0, 1.0, -1.0)
    for i in range(15):
        keep = np.arange(15) != i
        xm, ym = X[keep].mean(0), Y[keep].mean(0)
        Xc, Yc = X[keep] - xm, Y[keep] - ym
        W = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(5), Xc.T @ Yc)
        assert np.allclose((X[i] - xm) @ W + ym, loo[i], atol=1e-8)


def test_temperature_recovers_scale():
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(4000, 3)) * 3
    p = np.exp(scores / 2.0)
    p /= p.sum(1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])
    assert fit_temperature(scores, y) == pytest.approx(2.0, rel=0.1)


def _dtw_reference(a, b, w):
    n, m = len(a), len(b)
    D = np.full((n + 1, m + 1), np.inf)
    D[0, 0] = 0
    w = max(w, abs(n - m))
    for i in range(1, n + 1):
        for j in range(max(1, i - w), min(m, i + w) + 1):
            D[i, j] = (a[i - 1] - b[j - 1]) ** 2 + min(
                D[i - 1, j - 1], D[i - 1, j], D[i, j - 1]
            )
    return D[n, m]


def test_dtw_kernel_matches_reference_and_pruning_is_exact():
    rng = np.random.default_rng(4)
    a, b = rng.normal(size=12), rng.normal(size=9)
    for w in (0, 2, 20):
        got = dtw_distance(a[:, None], b[:, None], w, np.inf)
        assert got == pytest.approx(_dtw_reference(a, b, w))
    X = [rng.normal(size=20).cumsum() for _ in range(30)]
    y = rng.integers(3, size=30)
    queries = [rng.normal(size=20).cumsum() for _ in range(10)]
    model = DTWClassifier(window=0.2).fit(X, y)
    brute = np.array(
        [
            [
                min(_dtw_reference(q, x, 4) for x, c in zip(X, y) if c == k)
                for k in range(3)
            ]
            for q in queries
        ]
    )
    assert np.allclose(-model.decision_function(queries), brute)


def test_minirocket_multivariate_unequal_length():
    rng = np.random.default_rng(5)
    X = [rng.normal(size=(int(rng.integers(12, 30)), 3)) for _ in range(20)]
    y = [0, 1] * 10
    for i in range(0, 20, 2):
        X[i][:, 0] += np.sin(np.arange(len(X[i])))
    model = MiniRocketClassifier(n_features=336, random_state=0).fit(X, y)
    assert model.n_features_ == 3
    assert model.predict_proba([X[0][:5], X[1]]).shape == (2, 2)
    with pytest.raises(DataError, match="channel"):
        model.predict([np.zeros((10, 2))])


def test_save_load_keeps_predictions(tmp_path):
    from seqpred import io

    X, y = _motifs(60, 2)
    model = CompressionClassifier(max_order=2).fit(X, y)
    twin = io.load(io.save(model, tmp_path / "m.seqpred"))
    assert np.allclose(twin.predict_proba(X[:5]), model.predict_proba(X[:5]))
