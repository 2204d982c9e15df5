"""Probabilistic metrics: log loss, bits per symbol, perplexity.

All logarithms taken by the caller are natural (nats); bits are derived here.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.evaluate._checks import as_float, as_ids, same_length
from seqpred.exceptions import DataError

__all__ = [
    "bits_per_symbol",
    "bits_per_symbol_from_proba",
    "log_loss",
    "perplexity",
]

_SUM_TOLERANCE = 1e-4


def _check_proba(proba: Any, who: str) -> Array:
    """Return ``proba`` as a valid ``(N, V)`` float array whose rows sum to 1."""
    arr = as_float(proba, "proba", who)
    if arr.ndim != 2:
        raise DataError(
            f"{who}: proba must be 2-D; expected shape (N, V); got shape "
            f"{arr.shape}. Pass one row of probabilities per sample."
        )
    if arr.min() < 0 or arr.max() > 1:
        raise DataError(
            f"{who}: proba must lie in [0, 1]; got values from {arr.min()!r} to "
            f"{arr.max()!r}. Pass probabilities, not scores (apply softmax)."
        )
    sums = arr.sum(axis=1)
    bad = np.abs(sums - 1.0) > _SUM_TOLERANCE
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"{who}: each proba row must sum to 1; row {row} sums to "
            f"{float(sums[row])!r}. Normalise the rows (proba / proba.sum(1))."
        )
    return arr


def _target_proba(proba: Any, targets: Any, who: str) -> Array:
    """Return the probability each row gives to its target."""
    arr = _check_proba(proba, who)
    ids = as_ids(targets, "targets", who, ndim=1, low=0)
    same_length(arr, ids, ("proba", "targets"), who)
    if ids.max() >= arr.shape[1]:
        raise DataError(
            f"{who}: targets index proba's columns; expected ids < {arr.shape[1]}; "
            f"got {int(ids.max())}. Pass column indices (0..V-1) as targets."
        )
    picked: Array = arr[np.arange(len(ids)), ids]
    return picked


def log_loss(proba: Any, targets: Any, *, eps: float = 1e-15) -> float:
    """Return the mean negative log-likelihood of the targets, in nats.

    Parameters
    ----------
    proba : array-like of float, shape (N, V)
        Predicted probabilities; each row sums to 1.
    targets : array-like of int, shape (N,)
        The column index of each true outcome.
    eps : float, default=1e-15
        Probabilities are clipped to ``[eps, 1]`` so that one impossible
        outcome gives a large, finite loss.

    Returns
    -------
    float
        Cross-entropy in nats, ``>= 0``; 0 for certain, correct predictions.

    Raises
    ------
    DataError
        Rows that are not probabilities, targets out of range, NaN.

    Examples
    --------
    >>> log_loss([[0.5, 0.5], [0.25, 0.75]], [0, 1])
    0.490...
    """
    picked = _target_proba(proba, targets, "log_loss")
    return float(-np.mean(np.log(np.clip(picked, eps, 1.0))))


def bits_per_symbol_from_proba(
    proba: Any, targets: Any, *, eps: float = 1e-15
) -> float:
    """Return the mean code length of the targets in bits (log loss over ln 2).

    Parameters
    ----------
    proba : array-like of float, shape (N, V)
        Predicted next-symbol probabilities; each row sums to 1.
    targets : array-like of int, shape (N,)
        The column index of each true symbol.
    eps : float, default=1e-15
        Lower clip of probabilities, as in :func:`log_loss`.

    Returns
    -------
    float
        Bits per symbol, ``>= 0``.

    Examples
    --------
    >>> bits_per_symbol_from_proba([[0.5, 0.5], [0.25, 0.75]], [0, 1])
    0.707...
    """
    return log_loss(proba, targets, eps=eps) / math.log(2.0)


def _mean_nats(log_probs: Any, who: str) -> float:
    """Return ``-mean(log_probs)`` after checking they are log probabilities."""
    arr = as_float(log_probs, "log_probs", who, finite=False)
    if (arr > 1e-9).any():
        raise DataError(
            f"{who}: log_probs must be natural-log probabilities (<= 0); got a "
            f"maximum of {float(arr.max())!r}. Pass numpy.log(p), not p or -log(p)."
        )
    return float(-np.mean(arr))


def bits_per_symbol(log_probs: Any) -> float:
    """Return the mean code length in bits from per-symbol natural-log probabilities.

    Parameters
    ----------
    log_probs : array-like of float
        ``log P(x_t | x_<t)`` (natural log) of every scored symbol, any shape.
        ``-inf`` (an impossible symbol) gives ``inf``.

    Returns
    -------
    float
        Bits per symbol, ``>= 0``; lower is better.

    Examples
    --------
    >>> import numpy as np
    >>> bits_per_symbol(np.log([0.5, 0.25]))
    1.5
    """
    return _mean_nats(log_probs, "bits_per_symbol") / math.log(2.0)


def perplexity(log_probs: Any) -> float:
    """Return the perplexity ``exp(-mean(log_probs))``.

    Parameters
    ----------
    log_probs : array-like of float
        ``log P(x_t | x_<t)`` (natural log) of every scored symbol, any shape.

    Returns
    -------
    float
        Perplexity, ``>= 1``: the effective number of equally likely choices
        per symbol (``2 ** bits_per_symbol``).

    Examples
    --------
    >>> import numpy as np
    >>> perplexity(np.log([0.5, 0.125]))
    4.0...
    """
    nats = _mean_nats(log_probs, "perplexity")
    with np.errstate(over="ignore"):
        return float(np.exp(nats))
