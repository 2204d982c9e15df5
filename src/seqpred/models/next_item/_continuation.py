"""The k most probable continuations of N items: beam search, greedy and sampling.

Each function takes a :class:`~seqpred.models.next_item._rollout.Rollout`
(a fitted model and its encoded queries) and returns ``(paths, probs)``:
``paths`` of shape ``(N, k, steps)`` (ids, ``-1`` where a query has fewer
than ``k`` paths) and ``probs`` of shape ``(N, k)``, the joint probability of
each path by the chain rule,

    P(x_1 .. x_n | q) = P(x_1 | q) P(x_2 | q x_1) ... P(x_n | q x_1 .. x_{n-1}),

every factor the model's own next-step distribution. Paths are sorted by
decreasing probability (ties: the order in which they were found, lower ids
first). A query the model cannot answer at all (no top-1 item) gets no path.

All paths of all queries go through the model together, one call per step
and chunk of rows; ids are never decoded here.

Shape legend: N queries, M paths alive, B beam width, V ids, S samples.
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array
from seqpred.models.next_item._rollout import Rollout

__all__ = [
    "beam_search",
    "greedy_search",
    "keep_best",
    "sample_paths",
    "sample_rows",
    "top_items",
]


def top_items(proba: Array, c: int) -> Array:
    """Return each row's ``c`` likeliest ids, by decreasing probability then id.

    Ties at the cut are resolved by id too, so the result never depends on
    the order a partition happened to leave. Costs a few passes over
    ``proba`` (no full sort of the rows).

    Examples
    --------
    >>> top_items(np.array([[0.1, 0.5, 0.1, 0.3]]), 3).tolist()
    [[1, 3, 0]]
    """
    m, size = proba.shape
    c = min(c, size)
    if c < size:
        cut = -np.partition(-proba, c - 1, axis=1)[:, c - 1]  # the c-th largest
        above = proba > cut[:, None]
        tied = proba == cut[:, None]
        need = c - above.sum(axis=1)
        chosen = above | (tied & (np.cumsum(tied, axis=1) <= need[:, None]))
        part = np.nonzero(chosen)[1].reshape(m, c)  # ids in increasing order
    else:
        part = np.broadcast_to(np.arange(size), proba.shape)
    order = np.argsort(-np.take_along_axis(proba, part, axis=1), axis=1, kind="stable")
    return np.asarray(np.take_along_axis(part, order, axis=1))


def keep_best(owner: Array, score: Array, width: int) -> Array:
    """Return the candidates to keep: per owner, the ``width`` best scores > 0.

    Candidates are ranked by owner, then decreasing score, then position
    (the order they were produced in, which breaks ties deterministically).
    """
    n = len(owner)
    order = np.lexsort((np.arange(n), -score, owner))
    owners = owner[order]
    first = np.ones(n, dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    starts = np.flatnonzero(first)
    rank = np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
    keep = (rank < width) & (score[order] > 0)
    return np.asarray(order[keep])


def _pack(
    owner: Array, paths: Array, probs: Array, n: int, k: int, steps: int
) -> tuple[Array, Array]:
    """Lay out per-owner sorted paths as ``(N, k, steps)`` and ``(N, k)`` arrays."""
    out_paths = np.full((n, k, steps), -1, dtype=np.int64)
    out_probs = np.zeros((n, k), dtype=np.float64)
    kept = keep_best(owner, probs, k)
    if kept.size == 0:
        return out_paths, out_probs
    owners = owner[kept]
    first = np.ones(len(kept), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    starts = np.flatnonzero(first)
    rank = np.arange(len(kept)) - np.repeat(
        starts, np.diff(np.append(starts, len(kept)))
    )
    out_paths[owners, rank] = paths[kept]
    out_probs[owners, rank] = probs[kept]
    return out_paths, out_probs


def _start(rollout: Rollout) -> tuple[Array, Array, Array]:
    """Return the empty paths of the matched queries: ``owner, paths (M, 0), probs``."""
    owner = np.flatnonzero(rollout.matched()).astype(np.int64)
    return owner, np.zeros((len(owner), 0), dtype=np.int64), np.ones(len(owner))


def _expand(
    rollout: Rollout, owner: Array, paths: Array, probs: Array, width: int
) -> tuple[Array, Array, Array]:
    """Extend every path by its ``width`` likeliest next items.

    Returns ``(parent, item, score)``: for each extension, the row of the
    path it extends, the new item and the joint probability of the result.
    """
    parents, items, scores = [], [], []
    for lo, hi, proba in rollout.distributions(owner, paths):
        top = top_items(proba, width)  # (m, c)
        parents.append(np.repeat(np.arange(lo, hi), top.shape[1]))
        items.append(top.ravel())
        picked = np.take_along_axis(proba, top, axis=1)  # (m, c)
        scores.append((probs[lo:hi, None] * picked).ravel())
    return np.concatenate(parents), np.concatenate(items), np.concatenate(scores)


def _search(
    rollout: Rollout, steps: int, k: int, widths: tuple[int, int], prune: bool
) -> tuple[Array, Array]:
    """Grow paths step by step; ``widths`` = (first step, later steps)."""
    n = len(rollout.queries)
    owner, paths, probs = _start(rollout)
    for step in range(steps):
        if len(owner) == 0:
            return _pack(owner, np.zeros((0, steps), np.int64), probs, n, k, steps)
        width = widths[0] if step == 0 else widths[1]
        parent, item, score = _expand(rollout, owner, paths, probs, width)
        if prune:  # the beam: the `width` best extensions of each query
            kept = keep_best(owner[parent], score, width)
        else:
            kept = np.flatnonzero(score > 0)
        parent = parent[kept]
        owner = owner[parent]
        paths = np.concatenate([paths[parent], item[kept, None]], axis=1)
        probs = score[kept]
    return _pack(owner, paths, probs, n, k, steps)


def beam_search(
    rollout: Rollout, steps: int, k: int, width: int
) -> tuple[Array, Array]:
    """Return the ``k`` best paths of each query found by a beam of ``width`` paths.

    At each step every path alive is extended by its ``width`` likeliest next
    items, and the ``width`` most probable extensions of each query survive.
    With ``width`` at least the number of paths of non-zero probability the
    search is exhaustive, hence exact; a narrower beam can miss the best
    path when its first items are unlikely.
    """
    return _search(rollout, steps, k, (width, width), prune=True)


def greedy_search(rollout: Rollout, steps: int, k: int) -> tuple[Array, Array]:
    """Return paths that start with each of the ``k`` likeliest first items.

    Each is continued by the likeliest next item at every later step (with
    ``k=1``, plain greedy decoding). Cheaper than a beam, and blind to a
    better path through a less likely item.
    """
    return _search(rollout, steps, k, (k, 1), prune=False)


def sample_rows(proba: Array, rng: np.random.Generator) -> Array:
    """Draw one id from each row of ``proba`` (inverse CDF, one uniform per row)."""
    cdf = np.cumsum(proba, axis=1)  # (M, V)
    u = rng.random(len(proba)) * cdf[:, -1]
    picked = (cdf <= u[:, None]).sum(axis=1)
    return np.asarray(np.minimum(picked, proba.shape[1] - 1), dtype=np.int64)


def sample_paths(
    rollout: Rollout,
    steps: int,
    k: int,
    n_samples: int,
    rng: np.random.Generator,
) -> tuple[Array, Array]:
    """Return the ``k`` most probable among ``n_samples`` sampled paths per query.

    Paths are drawn item by item from the model (ancestral sampling);
    distinct paths are then ranked by their exact joint probability, not
    by how often they were drawn.
    """
    n = len(rollout.queries)
    matched = np.flatnonzero(rollout.matched())
    owner = np.repeat(matched, n_samples).astype(np.int64)  # (M,) = (N' * S,)
    paths = np.zeros((len(owner), steps), dtype=np.int64)
    probs = np.ones(len(owner))
    for step in range(steps):
        for lo, hi, proba in rollout.distributions(owner, paths[:, :step]):
            drawn = sample_rows(proba, rng)
            paths[lo:hi, step] = drawn
            probs[lo:hi] *= proba[np.arange(hi - lo), drawn]
    if len(owner):
        rows = np.concatenate([owner[:, None], paths], axis=1)
        _, first = np.unique(rows, axis=0, return_index=True)
        first.sort()  # the first draw of each distinct path, in draw order
        owner, paths, probs = owner[first], paths[first], probs[first]
    return _pack(owner, paths, probs, n, k, steps)
