"""Items ranked by the probability of appearing within the next N steps.

``P(x within N | q)`` is the probability that item ``x`` is one of the next
``N`` items after query ``q``, under the model's own chain rule. Two
estimators, each returning ``(scores (N, V), missing (N,))``:

:func:`within_enumerate`
    Sums over paths. ``x`` first appears at step ``t`` on a path ``p`` of
    ``t - 1`` items without ``x`` with probability ``P(p) P(x | q p)``, so
    ``P(x within N) = sum_t sum_p P(p) P(x | q p) [x not in p]``. The paths
    are enumerated step by step, keeping the ``width`` most probable ones of
    each query; ``missing`` is the probability of the paths dropped, and
    the true value lies in ``[score, score + missing]``. When no path of
    non-zero probability is dropped (``missing == 0``), the result is exact.
:func:`within_sample`
    Monte Carlo: the share of ``n_samples`` paths drawn from the model that
    contain ``x`` (unbiased, standard error at most ``0.5 / sqrt(n_samples)``;
    ``missing`` is NaN).

Shape legend: N queries, M paths alive, V ids, S samples.
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array
from seqpred.models.next_item._continuation import keep_best, sample_rows, top_items
from seqpred.models.next_item._rollout import Rollout

__all__ = ["within_enumerate", "within_sample"]


def _group_sum(rows: Array, owner: Array, out: Array) -> None:
    """Add the rows of each owner into ``out[owner]`` (owners sorted, contiguous)."""
    if len(owner) == 0:
        return
    first = np.ones(len(owner), dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    starts = np.flatnonzero(first)
    out[owner[starts]] += np.add.reduceat(rows, starts, axis=0)


def within_enumerate(rollout: Rollout, steps: int, width: int) -> tuple[Array, Array]:
    """Return ``(scores, missing)`` from the ``width`` best paths of each query."""
    n, size = len(rollout.queries), rollout.size
    scores = np.zeros((n, size))
    missing = np.zeros(n)
    owner = np.flatnonzero(rollout.matched()).astype(np.int64)
    paths = np.zeros((len(owner), 0), dtype=np.int64)
    probs = np.ones(len(owner))
    for step in range(steps):
        if len(owner) == 0:
            break
        last = step == steps - 1
        parents, items, chosen = [], [], []
        for lo, hi, proba in rollout.distributions(owner, paths):
            joint = probs[lo:hi, None] * proba  # (m, V)
            fresh = joint.copy()
            rows = np.arange(hi - lo)[:, None]
            fresh[rows, paths[lo:hi]] = 0.0  # items already on the path
            _group_sum(fresh, owner[lo:hi], scores)
            if last:
                continue
            top = top_items(joint, width)  # (m, c)
            parents.append(np.repeat(np.arange(lo, hi), top.shape[1]))
            items.append(top.ravel())
            chosen.append(np.take_along_axis(joint, top, axis=1).ravel())
        if last:
            break
        parent = np.concatenate(parents)
        score = np.concatenate(chosen)
        kept = keep_best(owner[parent], score, width)
        # Mass dropped: the paths alive minus the extensions kept, per query.
        np.add.at(missing, owner, probs)
        np.subtract.at(missing, owner[parent[kept]], score[kept])
        parent = parent[kept]
        owner = owner[parent]
        paths = np.concatenate([paths[parent], np.concatenate(items)[kept, None]], 1)
        probs = score[kept]
    np.clip(missing, 0.0, 1.0, out=missing)
    missing[missing < 1e-12] = 0.0  # rounding of sums that are exactly equal
    return np.minimum(scores, 1.0), missing


def within_sample(
    rollout: Rollout, steps: int, n_samples: int, rng: np.random.Generator
) -> tuple[Array, Array]:
    """Return ``(scores, missing)``: the share of sampled paths containing each id."""
    n, size = len(rollout.queries), rollout.size
    matched = np.flatnonzero(rollout.matched())
    owner = np.repeat(matched, n_samples).astype(np.int64)
    paths = np.zeros((len(owner), steps), dtype=np.int64)
    for step in range(steps):
        for lo, hi, proba in rollout.distributions(owner, paths[:, :step]):
            paths[lo:hi, step] = sample_rows(proba, rng)
    scores = np.zeros((n, size))
    chunk = rollout.rows_per_chunk
    for lo in range(0, len(owner), chunk):
        hi = min(lo + chunk, len(owner))
        seen = np.zeros((hi - lo, size))  # (m, V): 1 where the path holds the id
        seen[np.arange(hi - lo)[:, None], paths[lo:hi]] = 1.0
        _group_sum(seen, owner[lo:hi], scores)
    scores /= n_samples
    return scores, np.full(n, np.nan)
