"""Combine several models' top-n candidate lists with per-model weights.

Each model gives, per query, ``n`` candidate ids with scores. Scores are
normalised per row to sum to 1, the candidate lists are laid side by side
(``(Q, M·n)`` ids), and ``S[q, j, m]`` holds model ``m``'s score for
candidate ``j`` of query ``q``. A weight vector ``w`` then ranks candidates
by ``S @ w``.
"""

from __future__ import annotations

import itertools

import numpy as np

from seqpred._typing import Array

__all__ = ["candidate_scores", "simplex_grid", "top_k_from_scores"]


def _normalise(scores: Array) -> Array:
    total = scores.sum(axis=1, keepdims=True)
    out: Array = np.divide(scores, total, out=np.zeros_like(scores), where=total > 0)
    return out


def candidate_scores(ids: list[Array], scores: list[Array]) -> tuple[Array, Array]:
    """Return candidate ids ``(Q, M·n)`` and per-model scores ``(Q, M·n, M)``.

    Examples
    --------
    >>> a_ids, a_sc = np.array([[3, 4]]), np.array([[0.6, 0.4]])
    >>> b_ids, b_sc = np.array([[4, -1]]), np.array([[1.0, 0.0]])
    >>> cand, s = candidate_scores([a_ids, b_ids], [a_sc, b_sc])
    >>> cand.tolist()
    [[3, 4, 4, -1]]
    >>> (s @ np.array([0.5, 0.5])).round(2).tolist()
    [[0.3, 0.7, 0.7, 0.0]]
    """
    candidates = np.concatenate(ids, axis=1)  # (Q, M·n)
    per_model = []
    for model_ids, model_scores in zip(ids, scores):
        normalised = _normalise(np.where(model_ids >= 0, model_scores, 0.0))
        same = candidates[:, :, None] == model_ids[:, None, :]  # (Q, M·n, n)
        same &= candidates[:, :, None] >= 0
        per_model.append((same * normalised[:, None, :]).sum(axis=2))
    return candidates, np.stack(per_model, axis=2)


def simplex_grid(n_models: int, steps: int) -> Array:
    """All weight vectors with entries in ``{0, 1/steps, ..., 1}`` summing to 1.

    Examples
    --------
    >>> simplex_grid(2, 2).tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    """
    rows = []
    # stars and bars: choose where the n_models - 1 bars go among steps stars
    for bars in itertools.combinations(range(steps + n_models - 1), n_models - 1):
        edges = np.array((-1, *bars, steps + n_models - 1))
        rows.append(np.diff(edges) - 1)
    return np.array(rows, dtype=np.float64)[::-1] / steps


def top_k_from_scores(
    candidates: Array, combined: Array, k: int
) -> tuple[Array, Array]:
    """Distinct candidates with the ``k`` highest combined scores per row."""
    n = len(candidates)
    valid = (candidates >= 0) & (combined > 0)
    score = np.where(valid, combined, -1.0)
    ids = np.where(valid, candidates, np.iinfo(np.int64).max)
    order = np.lexsort((ids, -score), axis=1)
    ids = np.take_along_axis(ids, order, axis=1)
    score = np.take_along_axis(score, order, axis=1)
    repeat = np.zeros_like(valid)
    repeat[:, 1:] = ids[:, 1:] == ids[:, :-1]  # equal ids have equal scores
    keep = (score >= 0) & ~repeat
    rank = np.cumsum(keep, axis=1) - 1
    take = keep & (rank < k)
    out_ids = np.full((n, k), -1, dtype=np.int64)
    out_scores = np.zeros((n, k))
    rows, cols = np.nonzero(take)
    out_ids[rows, rank[rows, cols]] = ids[rows, cols]
    out_scores[rows, rank[rows, cols]] = score[rows, cols]
    return out_ids, out_scores
