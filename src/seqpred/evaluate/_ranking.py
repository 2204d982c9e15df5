"""Ranking metrics for next-item predictions: HR@k, MRR@k, NDCG@k, coverage.

``ranked`` is an ``(N, K)`` int array of item ids, best first, with ``-1``
where the model had fewer than ``K`` candidates (a row of ``-1`` is a *no
match*). ``targets`` is the ``(N,)`` array of true next ids.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.evaluate._checks import as_ids, check_k, pad_ragged, same_length

__all__ = [
    "coverage",
    "hit_rate_at_k",
    "mrr_at_k",
    "ndcg_at_k",
    "no_match_rate",
    "success_in_set",
]


def first_hit_rank(ranked: Any, targets: Any, k: int | None, who: str) -> Array:
    """Return the 1-based rank of each target in the top ``k`` (0 when absent)."""
    ranked = as_ids(ranked, "ranked", who, ndim=2, low=-1)
    targets = as_ids(targets, "targets", who, ndim=1, low=0)
    same_length(ranked, targets, ("ranked", "targets"), who)
    k = check_k(k, ranked.shape[1], who)
    hits = ranked[:, :k] == targets[:, None]  # (N, k); -1 never equals a target
    found = hits.any(axis=1)
    return np.where(found, np.argmax(hits, axis=1) + 1, 0)


def reciprocal_rank(rank: Array) -> Array:
    """Return ``1 / rank`` per query, 0 where the target was not found (rank 0)."""
    out: Array = np.where(rank > 0, 1.0 / np.maximum(rank, 1), 0.0)
    return out


def discounted_gain(rank: Array) -> Array:
    """Return ``1 / log2(rank + 1)`` per query, 0 where the target was not found."""
    out: Array = np.where(rank > 0, 1.0 / np.log2(np.maximum(rank, 1) + 1.0), 0.0)
    return out


def hit_rate_at_k(ranked: Any, targets: Any, k: int | None = None) -> float:
    """Return the fraction of targets found among the top ``k`` predictions.

    Parameters
    ----------
    ranked : array-like of int, shape (N, K)
        Predicted ids, best first; ``-1`` marks no item.
    targets : array-like of int, shape (N,)
        The true next id of each query (``>= 0``).
    k : int, default=None
        Cut-off, ``1 <= k <= K``; ``None`` uses all ``K`` columns.

    Returns
    -------
    float
        HR@k in ``[0, 1]``.

    Raises
    ------
    DataError
        Empty input, mismatched lengths, non-integer ids.
    InvalidParameterError
        ``k`` outside ``1..K``.

    Examples
    --------
    >>> hit_rate_at_k([[3, 4], [5, -1], [-1, -1]], [4, 3, 3], k=2)
    0.333...
    >>> hit_rate_at_k([[3, 4], [5, -1]], [4, 5], k=1)
    0.5
    """
    rank = first_hit_rank(ranked, targets, k, "hit_rate_at_k")
    return float(np.mean(rank > 0))


def mrr_at_k(ranked: Any, targets: Any, k: int | None = None) -> float:
    """Return the mean reciprocal rank of the targets, counting 0 beyond ``k``.

    Parameters
    ----------
    ranked : array-like of int, shape (N, K)
        Predicted ids, best first; ``-1`` marks no item.
    targets : array-like of int, shape (N,)
        The true next id of each query.
    k : int, default=None
        Cut-off, ``1 <= k <= K``; ``None`` uses all ``K`` columns.

    Returns
    -------
    float
        MRR@k in ``[0, 1]``; never above :func:`hit_rate_at_k`.

    Examples
    --------
    >>> mrr_at_k([[3, 4], [5, 3]], [4, 5], k=2)
    0.75
    """
    rank = first_hit_rank(ranked, targets, k, "mrr_at_k")
    return float(np.mean(reciprocal_rank(rank)))


def ndcg_at_k(ranked: Any, targets: Any, k: int | None = None) -> float:
    """Return NDCG@k with a single relevant item per query.

    The ideal ranking puts the target first (IDCG = 1), so each query scores
    ``1 / log2(rank + 1)`` when the target is at ``rank <= k`` and 0 otherwise.

    Parameters
    ----------
    ranked : array-like of int, shape (N, K)
        Predicted ids, best first; ``-1`` marks no item.
    targets : array-like of int, shape (N,)
        The true next id of each query.
    k : int, default=None
        Cut-off, ``1 <= k <= K``; ``None`` uses all ``K`` columns.

    Returns
    -------
    float
        NDCG@k in ``[0, 1]``.

    Examples
    --------
    >>> ndcg_at_k([[3, 4], [5, 3]], [4, 5], k=2)
    0.815...
    """
    rank = first_hit_rank(ranked, targets, k, "ndcg_at_k")
    return float(np.mean(discounted_gain(rank)))


def has_prediction(ranked: Any, who: str) -> Array:
    """Return a bool per row: whether it holds at least one id."""
    ranked = as_ids(ranked, "ranked", who, ndim=2, low=-1)
    found: Array = (ranked >= 0).any(axis=1)
    return found


def coverage(ranked: Any) -> float:
    """Return the fraction of queries with at least one prediction.

    Parameters
    ----------
    ranked : array-like of int, shape (N, K)
        Predicted ids, best first; ``-1`` marks no item.

    Returns
    -------
    float
        In ``[0, 1]``; ``1 - coverage`` is :func:`no_match_rate`.

    Examples
    --------
    >>> coverage([[3, 4], [-1, -1], [5, -1], [6, 7]])
    0.75
    """
    return float(np.mean(has_prediction(ranked, "coverage")))


def no_match_rate(ranked: Any) -> float:
    """Return the fraction of queries with no prediction at all (IPredict's *No Match*).

    Parameters
    ----------
    ranked : array-like of int, shape (N, K)
        Predicted ids, best first; ``-1`` marks no item.

    Returns
    -------
    float
        In ``[0, 1]``.

    Examples
    --------
    >>> no_match_rate([[3, 4], [-1, -1], [5, -1], [6, 7]])
    0.25
    """
    return float(np.mean(~has_prediction(ranked, "no_match_rate")))


def in_set(predicted: Any, consequents: Any, who: str) -> Array:
    """Return a bool per query: whether its prediction is a consequent id."""
    predicted = as_ids(predicted, "predicted", who, ndim=1, low=-1)
    sets = pad_ragged(consequents, "consequents", who)  # (N, C), -1 padded
    same_length(predicted, sets, ("predicted", "consequents"), who)
    found: Array = (predicted >= 0) & (sets == predicted[:, None]).any(axis=1)
    return found


def success_in_set(predicted: Any, consequents: Any) -> float:
    """Return the fraction of predictions found in their query's consequent set.

    This is the accuracy of the CPT/CPT+ protocol: a prediction succeeds when
    it is any of the next few items, not only the very next one.

    Parameters
    ----------
    predicted : array-like of int, shape (N,)
        One predicted id per query; ``-1`` for no prediction (never a success).
    consequents : array-like of int, shape (N, C), or list of id lists
        The consequent ids of each query; a 2-D array is padded with ``-1``.

    Returns
    -------
    float
        In ``[0, 1]``.

    Examples
    --------
    >>> success_in_set([3, 4, -1], [[5, 3], [6], [7, 8]])
    0.333...
    """
    return float(np.mean(in_set(predicted, consequents, "success_in_set")))
