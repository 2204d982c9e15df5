"""Reshape next-symbol distributions (temperature, top-k, top-p) and draw from them.

Everything works on a batch of probability rows ``(N, V)`` with NumPy, so
the same code serves every model, and draws come from one
:class:`numpy.random.Generator` (one uniform number per row and step), so a
seed reproduces the samples exactly.

Shape legend: N samples, V vocabulary ids.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from seqpred.exceptions import InvalidParameterError

__all__ = ["check_sampling_args", "draw", "reshape_distribution"]

Array = np.ndarray[Any, Any]


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_sampling_args(
    owner: str,
    n: Any,
    max_length: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
) -> None:
    """Raise :class:`InvalidParameterError` naming the first bad argument and a fix."""
    checks = [
        ("n", n, _is_int(n) and n >= 1, "an int >= 1", "n=5"),
        ("max_length", max_length, _is_int(max_length) and max_length >= 1,
         "an int >= 1", "max_length=100"),
        ("temperature", temperature,
         _is_real(temperature) and np.isfinite(temperature) and temperature > 0,
         "a finite float > 0", "temperature=1.0 (or 0.8 for safer samples)"),
        ("top_k", top_k, top_k is None or (_is_int(top_k) and top_k >= 1),
         "None or an int >= 1", "top_k=None (no cut) or top_k=10"),
        ("top_p", top_p, top_p is None or (_is_real(top_p) and 0 < top_p <= 1),
         "None or a float in (0, 1]", "top_p=None (no cut) or top_p=0.9"),
    ]  # fmt: skip
    for name, value, ok, expected, fix in checks:
        if not ok:
            raise InvalidParameterError(
                f"{owner}: {name} must be {expected}; got {value!r}. Use {fix}."
            )


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
