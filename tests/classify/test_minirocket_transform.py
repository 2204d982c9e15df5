"""MiniRocket: the float32 transform against its definition, compiled against NumPy,
and the ridge's Gram-matrix leave-one-out path against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from seqpred._numba import numba_enabled
from seqpred.models.classify import MiniRocketClassifier
from seqpred.models.classify import _minirocket as mr
from seqpred.models.classify._linear import fit_ridge_cv
from seqpred.models.classify._minirocket_kernels import diagonal_compiled

needs_numba = pytest.mark.skipif(
    not numba_enabled(), reason="numba is absent: only the NumPy path exists"
)


def _series(n_channels, seed, n=12, width=40):
    """Padded float32 series of unequal lengths, with flat stretches (ties)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(6, width + 1, size=n)
    lengths[0] = width
    X = rng.normal(size=(n, n_channels, width)).cumsum(axis=-1).astype(np.float32)
    X[1, :, 5:15] = 0.5  # equal convolution values: biases land on ties
    for i, length in enumerate(lengths):
        X[i, :, length:] = 0.0
    return X, lengths


def _reference(X, lengths, params, tol):
    """PPV features from the definition, in float64, counting values within
    ``tol`` of a bias once as above and once as not: ``(low, high)`` bounds."""
    n, _, width = X.shape
    x = X.astype(np.float64)
    low = np.zeros((n, len(params["biases"])))
    high = np.zeros_like(low)
    start = 0
    for d, dilation in enumerate(params["dilations"]):
        f = int(params["features_per_dilation"][d])
        padded = np.zeros((n, x.shape[1], width + 8 * dilation))
        padded[:, :, 4 * dilation : 4 * dilation + width] = x
        for k, taps in enumerate(mr.INDICES):
            weights = -np.ones(9)
            weights[taps] = 2.0
            C = sum(
                w * padded[:, :, j * dilation : j * dilation + width]
                for j, w in enumerate(weights)
            )  # (n, ch, L)
            C = (C * params["channels"][d, k][None, :, None]).sum(axis=1)
            biases = params["biases"][start + k * f : start + (k + 1) * f]
            for i, length in enumerate(lengths):
                lo, hi = 0, length
                if (d + k) % 2 == 1 and length - 4 * dilation > 4 * dilation:
                    lo, hi = 4 * dilation, length - 4 * dilation  # no padding
                window = C[i, lo:hi, None]
                columns = slice(start + k * f, start + (k + 1) * f)
                low[i, columns] = (window > biases + tol).mean(axis=0)
                high[i, columns] = (window > biases - tol).mean(axis=0)
        start += len(mr.INDICES) * f
    return low, high


@pytest.mark.parametrize("n_channels", [1, 3])
def test_features_follow_the_definition(n_channels):
    X, lengths = _series(n_channels, seed=n_channels)
    params = mr.fit_minirocket(X, lengths, 336, 32, np.random.default_rng(0))
    got = mr.transform(X, lengths, params)
    assert got.dtype == np.float32 and got.shape == (len(X), 336)
    # float32 sums differ from float64 ones in the last bits, and biases are
    # quantiles of these very outputs, so values equal to a bias may fall
    # either side of it: only such near-ties may differ from the definition
    tol = 1e-5 * (np.abs(X).max() * 12 + 1)  # float32 rounding of a 9-tap sum
    low, high = _reference(X, lengths, params, tol)
    assert np.all(low - 1e-6 <= got) and np.all(got <= high + 1e-6)
    assert np.mean(low != high) < 0.01  # the bounds are tight almost everywhere


@needs_numba
@pytest.mark.parametrize("n_channels", [1, 3, 12])
def test_compiled_and_numpy_paths_agree_bit_for_bit(n_channels):
    X, lengths = _series(n_channels, seed=10 + n_channels)
    params = mr.fit_minirocket(X, lengths, 840, 32, np.random.default_rng(1))
    assert np.array_equal(
        mr.transform(X, lengths, params), mr.transform_numpy(X, lengths, params)
    )
    examples = np.random.default_rng(2).integers(len(X), size=84)
    for d, dilation in enumerate(params["dilations"]):  # the outputs behind biases
        compiled = np.empty((84, X.shape[-1]), dtype=np.float32)
        mask = params["channels"][d] > 0
        diagonal_compiled(X, examples, int(dilation), mr.INDICES, mask, compiled)
        numpy = mr._diagonal(X[examples], int(dilation), params["channels"][d])
        assert np.array_equal(compiled, numpy)


@needs_numba
def test_numpy_fallback_fits_the_same_model(monkeypatch):
    rng = np.random.default_rng(3)
    X = [rng.normal(size=(int(rng.integers(15, 40)), 2)).cumsum(0) for _ in range(16)]
    y = [0, 1] * 8
    for i in range(0, 16, 2):
        X[i][:, 1] += np.sin(np.arange(len(X[i])))
    compiled = MiniRocketClassifier(n_features=420, random_state=0).fit(X, y)
    monkeypatch.setenv("SEQPRED_DISABLE_NUMBA", "1")  # read at each call
    fallback = MiniRocketClassifier(n_features=420, random_state=0).fit(X, y)
    assert np.array_equal(compiled.biases_, fallback.biases_)
    assert np.array_equal(compiled.coef_, fallback.coef_)
    queries = [x[:10] for x in X[:4]] + X[4:8]
    assert np.array_equal(
        compiled.predict_proba(queries), fallback.predict_proba(queries)
    )


def test_ridge_gram_path_matches_brute_force():
    rng = np.random.default_rng(4)
    n, d, alpha = 12, 30, 0.7  # fewer examples than features: the Gram path
    X = rng.normal(size=(n, d))
    y = rng.integers(3, size=n)
    coef, bias, chosen, loo = fit_ridge_cv(X, y, 3, np.array([alpha]))
    Y = np.where(np.eye(3)[y] > 0, 1.0, -1.0)
    xm, ym = X.mean(0), Y.mean(0)
    W = np.linalg.solve(
        (X - xm).T @ (X - xm) + alpha * np.eye(d), (X - xm).T @ (Y - ym)
    )
    assert chosen == alpha
    assert np.allclose(coef, W, atol=1e-10) and np.allclose(bias, ym - xm @ W)
    for i in range(n):
        keep = np.arange(n) != i
        xm, ym = X[keep].mean(0), Y[keep].mean(0)
        Xc, Yc = X[keep] - xm, Y[keep] - ym
        W = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(d), Xc.T @ Yc)
        assert np.allclose((X[i] - xm) @ W + ym, loo[i], atol=1e-8)
