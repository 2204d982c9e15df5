"""Linear models in plain NumPy: multinomial logistic regression and ridge.

scikit-learn and SciPy are not dependencies, so this module carries the two
solvers the classifiers need:

* :func:`fit_logistic` — L2-regularised multinomial logistic regression,
  minimised with L-BFGS (two-loop recursion, Armijo backtracking) on a
  small CSR matrix type (:class:`CSR`) or a dense array;
* :func:`fit_ridge_cv` — one-vs-rest ridge regression on ±1 targets with the
  regularisation chosen by exact leave-one-out error from one eigen- or
  singular value decomposition (the closed form of ``RidgeClassifierCV``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred._typing import Array

__all__ = ["CSR", "fit_logistic", "fit_ridge_cv", "fit_temperature", "softmax"]


@dataclass(frozen=True)
class CSR:
    """A minimal compressed-sparse-row matrix: ``indptr``, ``indices``, ``data``."""

    indptr: Array
    indices: Array
    data: Array
    n_cols: int

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_rows, n_cols)``."""
        return len(self.indptr) - 1, self.n_cols

    def rows(self) -> Array:
        """Row index of every stored entry."""
        return np.repeat(np.arange(self.shape[0]), np.diff(self.indptr))

    def dot(self, W: Array) -> Array:
        """Return ``self @ W`` for a dense ``(n_cols, C)`` matrix."""
        out = np.zeros((self.shape[0], W.shape[1]))
        filled = np.diff(self.indptr) > 0
        if filled.any():  # segment sums; empty rows would break reduceat
            products = self.data[:, None] * W[self.indices]  # (nnz, C)
            out[filled] = np.add.reduceat(products, self.indptr[:-1][filled])
        return out

    def transpose(self) -> CSR:
        """Return the ``(n_cols, n_rows)`` transpose, also in CSR form."""
        order = np.argsort(self.indices, kind="stable")
        indptr = np.searchsorted(self.indices[order], np.arange(self.n_cols + 1))
        return CSR(indptr, self.rows()[order], self.data[order], self.shape[0])

    def tdot(self, G: Array) -> Array:
        """Return ``self.T @ G`` for a dense ``(n_rows, C)`` matrix."""
        return self.transpose().dot(G)


def _dot(X: Array | CSR, W: Array) -> Array:
    return X.dot(W) if isinstance(X, CSR) else X @ W


def _tdot(X: Array | CSR, G: Array) -> Array:
    return X.tdot(G) if isinstance(X, CSR) else X.T @ G


def softmax(Z: Array) -> Array:
    """Row-wise softmax, stable for large scores."""
    Z = Z - Z.max(axis=1, keepdims=True)
    E = np.exp(Z)
    out: Array = E / E.sum(axis=1, keepdims=True)
    return out


def _logistic_loss(
    theta: Array,
    X: Array | CSR,
    Y: Array,
    c: float,
    n_classes: int,
    XT: CSR | None = None,
) -> tuple[float, Array]:
    """Mean cross-entropy + ``c/2 |W|²`` and its gradient (bias not penalised).

    ``XT`` is ``X``'s precomputed transpose (sparse ``X`` only), for speed.
    """
    n, d = X.shape
    W = theta[: d * n_classes].reshape(d, n_classes)
    b = theta[d * n_classes :]
    Z = _dot(X, W) + b  # (N, C)
    Z -= Z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(Z).sum(axis=1, keepdims=True))
    log_p = Z - log_norm
    loss = -float((Y * log_p).sum()) / n + 0.5 * c * float((W * W).sum())
    G = (np.exp(log_p) - Y) / n  # (N, C)
    grad_W = (XT.dot(G) if XT is not None else _tdot(X, G)) + c * W
    return loss, np.concatenate([grad_W.ravel(), G.sum(axis=0)])


def _vdot(a: Array, b: Array) -> float:
    """Return ``a · b`` without BLAS.

    On a busy machine, threaded BLAS calls on long vectors thrash (measured
    10x slower with 2 cores shared by several jobs).
    """
    return float(np.sum(a * b))


def _lbfgs(
    fun: Any, x0: Array, max_iter: int, tol: float, memory: int = 10
) -> tuple[Array, bool]:
    """Minimise ``fun(x) -> (f, grad)`` with L-BFGS; return ``(x, converged)``."""
    x = x0.copy()
    f, g = fun(x)
    s_list: list[Array] = []
    y_list: list[Array] = []
    for _ in range(max_iter):
        if np.abs(g).max() <= tol:
            return x, True
        q = g.copy()  # two-loop recursion: q -> H q
        alphas = []
        for s, y in zip(reversed(s_list), reversed(y_list)):
            a = _vdot(s, q) / _vdot(y, s)
            alphas.append(a)
            q -= a * y
        if s_list:
            q *= _vdot(s_list[-1], y_list[-1]) / _vdot(y_list[-1], y_list[-1])
        for (s, y), a in zip(zip(s_list, y_list), reversed(alphas)):
            q += s * (a - _vdot(y, q) / _vdot(y, s))
        direction = -q
        slope = _vdot(g, direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            s_list.clear()
            y_list.clear()
            direction, slope = -g, -_vdot(g, g)
        step = 1.0
        for _ in range(40):  # Armijo backtracking
            x_new = x + step * direction
            f_new, g_new = fun(x_new)
            if f_new <= f + 1e-4 * step * slope:
                break
            step *= 0.5
        else:
            return x, False
        s, y = x_new - x, g_new - g
        if _vdot(s, y) > 1e-12:
            s_list.append(s)
            y_list.append(y)
            if len(s_list) > memory:
                s_list.pop(0)
                y_list.pop(0)
        converged = abs(f - f_new) <= tol * max(1.0, abs(f))
        x, f, g = x_new, f_new, g_new
        if converged:
            return x, True
    return x, False


def fit_logistic(
    X: Array | CSR,
    y: Array,
    n_classes: int,
    *,
    c: float = 1e-4,
    max_iter: int = 300,
    tol: float = 1e-6,
) -> tuple[Array, Array, bool]:
    """Fit multinomial logistic regression; return ``(W, b, converged)``.

    Parameters
    ----------
    X : ndarray of shape (N, D) or CSR
        Features.
    y : ndarray of int, shape (N,)
        Class indices in ``0 .. n_classes - 1``.
    n_classes : int
        Number of classes C.
    c : float, default=1e-4
        L2 penalty on the weights (per mean example), ``c/2 |W|²``.
    max_iter, tol : int, float
        L-BFGS stopping rules.

    Returns
    -------
    W : ndarray of shape (D, C)
    b : ndarray of shape (C,)
    converged : bool
    """
    n, d = X.shape
    Y = np.zeros((n, n_classes))
    Y[np.arange(n), y] = 1.0
    prior = np.log(np.maximum(Y.mean(axis=0), 1e-12))
    theta0 = np.concatenate([np.zeros(d * n_classes), prior])
    XT = X.transpose() if isinstance(X, CSR) else None
    theta, converged = _lbfgs(
        lambda t: _logistic_loss(t, X, Y, c, n_classes, XT), theta0, max_iter, tol
    )
    return (
        theta[: d * n_classes].reshape(d, n_classes),
        theta[d * n_classes :],
        converged,
    )


def fit_ridge_cv(
    X: Array, y: Array, n_classes: int, alphas: Array
) -> tuple[Array, Array, float, Array]:
    """One-vs-rest ridge on ±1 targets; alpha by exact leave-one-out error.

    Parameters
    ----------
    X : ndarray of shape (N, D)
        Features (already scaled).
    y : ndarray of int, shape (N,)
        Class indices.
    n_classes : int
        Number of classes C.
    alphas : ndarray
        Candidate penalties.

    Returns
    -------
    W : ndarray of shape (D, C)
    b : ndarray of shape (C,)
    alpha : float
        The chosen penalty.
    loo_scores : ndarray of shape (N, C)
        Leave-one-out decision values at that penalty (for calibration).

    Notes
    -----
    With ``Xc = X - mean = U S Vᵀ``, the hat matrix is
    ``H = U diag(s²/(s²+α)) Uᵀ`` and the leave-one-out residual of example
    ``i`` is ``(y_i - (Hy)_i) / (1 - H_ii)``: one decomposition serves every
    alpha. When there are fewer examples than features (MiniRocket's usual
    case) ``U`` and ``s²`` come from the eigendecomposition of the small
    ``(N, N)`` Gram matrix ``Xc Xcᵀ``, which costs one matrix product instead
    of an SVD of the ``(N, D)`` matrix (scikit-learn's "gram" mode);
    otherwise from a thin SVD. The intercept is the target mean (centering),
    as in scikit-learn's GCV.
    """
    n = len(y)
    Y = -np.ones((n, n_classes))
    Y[np.arange(n), y] = 1.0
    x_mean, y_mean = X.mean(axis=0), Y.mean(axis=0)
    Xc, Yc = X - x_mean, Y - y_mean
    gram = n <= Xc.shape[1]
    if gram:
        eigenvalues, U = np.linalg.eigh(Xc @ Xc.T)  # U: (N, N)
        s2 = np.maximum(eigenvalues, 0.0)  # rounding can leave tiny negatives
    else:
        U, s, Vt = np.linalg.svd(Xc, full_matrices=False)  # U: (N, r), Vt: (r, D)
        s2 = s**2
    UtY = U.T @ Yc  # (r, C)
    U2 = U**2
    best: tuple[float, float, Array] | None = None
    for alpha in alphas:
        shrink = s2 / (s2 + alpha)  # (r,)
        fitted = U @ (shrink[:, None] * UtY)
        h = U2 @ shrink + 1.0 / n  # diagonal of H, + intercept
        resid = (Yc - fitted) / np.maximum(1.0 - h, 1e-12)[:, None]
        err = float((resid**2).mean())
        if best is None or err < best[0] - 1e-12:
            best = (err, float(alpha), Y - resid)
    assert best is not None
    _, alpha, loo = best
    if gram:  # V diag(s/(s²+α)) Uᵀ Y = Xcᵀ U diag(1/(s²+α)) Uᵀ Y
        coef = Xc.T @ (U @ (UtY / (s2 + alpha)[:, None]))  # (D, C)
    else:
        coef = Vt.T @ ((np.sqrt(s2) / (s2 + alpha))[:, None] * UtY)
    return coef, y_mean - x_mean @ coef, alpha, loo


def fit_temperature(scores: Array, y: Array, offset: Array | None = None) -> float:
    """Return the T > 0 minimising the cross-entropy of ``softmax(offset + scores/T)``.

    A golden-section search over ``log T`` in [-6, 6]; cheap and robust.
    """
    rows = np.arange(len(y))
    shift = np.zeros(scores.shape[1]) if offset is None else offset

    def nll(log_t: float) -> float:
        Z = shift + scores / np.exp(log_t)
        Z = Z - Z.max(axis=1, keepdims=True)
        log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
        return -float(log_p[rows, y].mean())

    lo, hi = -6.0, 6.0
    ratio = (np.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(60):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(b)
    return float(np.exp((lo + hi) / 2))
