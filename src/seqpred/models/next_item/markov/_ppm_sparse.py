"""Top-k of PPM without dense ``(N, V)`` arrays, for large vocabularies.

Only symbols that follow one of a query's matched contexts (its *union*) get
a query-specific probability; every other symbol's probability depends only
on its order-0 count. So the top-k is found among the union and, per query,
the most frequent symbols outside it: a cost of ``O(followers + N · (k + U))``
instead of ``O(N · V)``, where ``U`` is the largest union of the batch.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqpred._typing import Array
from seqpred.data._ragged import ragged_positions
from seqpred.data.vocabulary import Vocabulary
from seqpred.models.next_item.markov._contexts import ContextCounts, ragged_rows

__all__ = ["sparse_top_k"]

Rule = Callable[..., Array]


def _entries(tables: list[ContextCounts], rows: Array) -> tuple[Array, ...]:
    """All (query, symbol, count, order) entries of the matched contexts."""
    parts = []
    for j, table in enumerate(tables, start=1):
        at = np.flatnonzero(rows[:, j - 1] >= 0)
        flat, length, _ = ragged_rows(table, rows[at, j - 1])
        parts.append(
            (
                np.repeat(at, length),
                table.next_ids[flat],
                table.next_counts[flat].astype(np.float64),
                np.full(len(flat), j, dtype=np.int64),
            )
        )
    return tuple(np.concatenate(column) for column in zip(*parts))


def _unique(values: Array) -> Array:
    """Sorted distinct values (sorting beats ``np.unique``'s hashing here)."""
    ordered = np.sort(values)
    return (
        ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered
    )


def _mass_entering(escape: Array) -> Array:
    """``mass[:, j]``: probability mass reaching order ``j`` (orders 0..K)."""
    mass = np.ones_like(escape)
    for j in range(escape.shape[1] - 2, -1, -1):
        mass[:, j] = mass[:, j + 1] * escape[:, j + 1]
    return mass


def sparse_top_k(
    tables: list[ContextCounts],
    rows: Array,
    counts0: Array,
    k: int,
    exclusion: bool,
    share: Rule,
    escape: Rule,
) -> tuple[Array, Array]:
    """Return ``(ids, scores)`` of the ``k`` most probable symbols per query.

    Scores are the PPM probabilities with the "unknown" slot included, as in
    the dense computation; ties are broken by the smaller id.
    """
    n, width, n_orders = len(rows), len(counts0), len(tables) + 1
    query, symbol, count, order = _entries(tables, rows)
    key = query * width + symbol
    union_keys = _unique(key)
    if exclusion:  # each symbol counts only at the longest order it follows
        first = np.lexsort((-order, key))
        sorted_keys = key[first]
        keep = first[np.r_[True, sorted_keys[1:] != sorted_keys[:-1]][: len(key)]]
        query, symbol, count, order = (
            query[keep],
            symbol[keep],
            count[keep],
            order[keep],
        )
    cell = query * n_orders + order
    totals = np.bincount(cell, weights=count, minlength=n * n_orders).astype(float)
    distinct = np.bincount(cell, minlength=n * n_orders).astype(np.float64)
    totals, distinct = totals.reshape(n, n_orders), distinct.reshape(n, n_orders)
    esc = np.ones((n, n_orders))
    seen = totals > 0
    esc[seen] = escape(totals[seen], distinct[seen])
    mass = _mass_entering(esc)
    prob = mass[query, order] * share(
        count, totals[query, order], distinct[query, order]
    )
    order0 = _Order0(counts0, union_keys, n, exclusion, share, escape)
    mass0 = mass[:, 0]
    u_query, u_symbol = np.divmod(union_keys, width)
    union_prob = np.bincount(
        np.searchsorted(union_keys, query * width + symbol),
        weights=prob,
        minlength=len(union_keys),
    ).astype(np.float64)  # an empty bincount is int64
    if not exclusion:
        union_prob += order0.prob(u_query, u_symbol, mass0)
    cand_query, cand_symbol = order0.candidates(k, union_keys, width)
    cand_prob = order0.prob(cand_query, cand_symbol, mass0)
    return _select(
        np.concatenate([u_query, cand_query]),
        np.concatenate([u_symbol, cand_symbol]),
        np.concatenate([union_prob, cand_prob]),
        n,
        k,
    )


class _Order0:
    """Order-0 and order -1 probabilities of symbols, given each query's union."""

    def __init__(
        self,
        counts0: Array,
        union_keys: Array,
        n: int,
        exclusion: bool,
        share: Rule,
        escape: Rule,
    ) -> None:
        width = len(counts0)
        self.counts0 = counts0.astype(np.float64)
        self.share = share
        self.exclusion = exclusion
        u_query, u_symbol = np.divmod(union_keys, width)
        n_user = width - Vocabulary.n_reserved
        positive = self.counts0 > 0
        union_size = np.bincount(u_query, minlength=n).astype(np.float64)
        if exclusion:
            self.total0 = self.counts0.sum() - np.bincount(
                u_query, weights=self.counts0[u_symbol], minlength=n
            )
            self.distinct0 = positive.sum() - np.bincount(
                u_query, weights=positive[u_symbol], minlength=n
            )
            # order -1 spreads over symbols unseen so far, plus "unknown"
            self.free = n_user - union_size - self.distinct0 + 1.0
        else:
            self.total0 = np.full(n, self.counts0.sum())
            self.distinct0 = np.full(n, float(positive.sum()))
            self.free = np.full(n, n_user + 1.0)
        self.escape0 = np.ones(n)
        seen = self.total0 > 0
        self.escape0[seen] = escape(self.total0[seen], self.distinct0[seen])
        self.union_size = union_size

    def prob(self, query: Array, symbol: Array, mass0: Array) -> Array:
        """Order-0 plus order -1 probability of ``symbol`` for ``query``."""
        c = self.counts0[symbol]
        has = c > 0
        out = np.zeros(len(query))
        out[has] = mass0[query[has]] * self.share(
            c[has], self.total0[query[has]], self.distinct0[query[has]]
        )
        uniform: Array = mass0[query] * self.escape0[query] / self.free[query]
        if self.exclusion:  # only symbols never seen at any order reach order -1
            uniform[has] = 0.0
        return out + uniform

    def candidates(self, k: int, union_keys: Array, width: int) -> tuple[Array, Array]:
        """Per query, the best symbols outside its union (by order-0 count).

        A query with ``u`` union symbols needs at most the first ``k + u``
        symbols of each group (seen at order 0, never seen): within a group
        probabilities fall with the count or are equal.
        """
        user = np.arange(Vocabulary.n_reserved, width)
        by_count = user[np.lexsort((user, -self.counts0[user]))]
        positive = self.counts0[by_count] > 0
        depth = k + self.union_size.astype(np.int64)
        queries, symbols = [], []
        for group in (by_count[positive], by_count[~positive]):
            take = np.minimum(depth, len(group))
            queries.append(np.repeat(np.arange(len(take)), take))
            rank = ragged_positions(take)
            symbols.append(group[rank])
        query, symbol = np.concatenate(queries), np.concatenate(symbols)
        if len(union_keys) == 0:
            return query, symbol
        key = query * width + symbol
        at = np.minimum(np.searchsorted(union_keys, key), len(union_keys) - 1)
        member = union_keys[at] == key
        return query[~member], symbol[~member]


def _select(
    query: Array, symbol: Array, prob: Array, n: int, k: int
) -> tuple[Array, Array]:
    """Keep the ``k`` best entries per query (highest probability, then small id)."""
    # by id first, then (stable) by one float key: query, decreasing probability
    by_id = np.argsort(symbol, kind="stable")
    key = query[by_id] * 2.0 + (1.0 - prob[by_id])  # probabilities lie in [0, 1]
    order = by_id[np.argsort(key, kind="stable")]
    query, symbol, prob = query[order], symbol[order], prob[order]
    starts = np.searchsorted(query, np.arange(n))
    rank = np.arange(len(query)) - starts[query]
    top = rank < k
    ids = np.full((n, k), -1, dtype=np.int64)
    scores = np.zeros((n, k))
    ids[query[top], rank[top]] = symbol[top]
    scores[query[top], rank[top]] = prob[top]
    return ids, scores
