"""Reshape next-symbol distributions (temperature, top-k, top-p) and draw from them.

Everything works on a batch of probability rows ``(N, V)`` with NumPy, so
the same code serves every model, and draws come from one
:class:`numpy.random.Generator` (one uniform number per row and step), so a
seed reproduces the samples exactly.

Shape legend: N samples, V vocabulary ids.
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array

__all__ = ["draw", "reshape_distribution"]


def reshape_distribution(
    proba: Array,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
) -> Array:
    """Apply temperature, then top-k, then top-p to probability rows; renormalise.

    Parameters
    ----------
    proba : ndarray of shape (N, V)
        Probability rows (zeros allowed; each row needs some positive entry).
    temperature : float, default=1.0
        ``p ** (1 / temperature)``: below 1 sharper, above 1 flatter.
    top_k : int or None, default=None
        Keep the ``top_k`` most probable entries of each row (ties broken by
        the lower id).
    top_p : float or None, default=None
        Nucleus: keep the smallest set of most probable entries whose mass
        (after temperature and top-k) reaches ``top_p``.

    Returns
    -------
    ndarray of shape (N, V)
        Rows summing to 1.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.5, 0.3, 0.15, 0.05]])
    >>> reshape_distribution(p, top_k=2).round(3).tolist()
    [[0.625, 0.375, 0.0, 0.0]]
    >>> reshape_distribution(p, top_p=0.8).round(3).tolist()
    [[0.625, 0.375, 0.0, 0.0]]
    >>> reshape_distribution(p, top_p=0.81).round(3).tolist()
    [[0.526, 0.316, 0.158, 0.0]]
    """
    with np.errstate(divide="ignore"):
        logits = np.log(proba) / temperature  # (N, V); zeros stay at -inf
    logits -= logits.max(axis=1, keepdims=True)
    weights = np.exp(logits)
    n, v = weights.shape
    if top_k is not None and top_k < v:
        order = np.argsort(-weights, axis=1, kind="stable")  # (N, V) best first
        weights[np.arange(n)[:, None], order[:, top_k:]] = 0.0
    weights /= weights.sum(axis=1, keepdims=True)
    if top_p is not None and top_p < 1:
        order = np.argsort(-weights, axis=1, kind="stable")
        ranked = np.take_along_axis(weights, order, axis=1)  # (N, V) descending
        before = np.cumsum(ranked, axis=1) - ranked  # mass of the better entries
        drop = before >= top_p - 1e-12  # the nucleus already reached top_p
        keep = np.empty_like(drop)
        np.put_along_axis(keep, order, ~drop, axis=1)  # back to id order
        weights *= keep
        weights /= weights.sum(axis=1, keepdims=True)
    return weights


def draw(proba: Array, rng: np.random.Generator) -> Array:
    """Draw one column index per row of ``proba`` (N, V) by inverting its CDF.

    Never returns a column of probability 0: the chosen column is the first
    whose cumulative mass exceeds ``u * total`` for a uniform ``u < 1``.
    """
    cdf = np.cumsum(proba, axis=1)  # (N, V)
    threshold = rng.random(len(proba)) * cdf[:, -1]  # (N,)
    chosen = (cdf <= threshold[:, None]).sum(axis=1)
    out: Array = np.minimum(chosen, proba.shape[1] - 1).astype(np.int64)
    return out
