"""k-order Markov next-item predictor with back-off to shorter contexts."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.next_item.base import NextItemMixin
from seqpred.models.next_item.markov._contexts import (
    fit_context_tables,
    load_tables,
    match_contexts,
    ragged_rows,
    store_tables,
)
from seqpred.models.next_item.markov._fast import markov_top_k_one, packed_tables
from seqpred.models.next_item.markov._incremental import ContextCountsPartialFit
from seqpred.models.next_item.markov._statistics import ContextTableStatistics

__all__ = ["MarkovPredictor"]


class MarkovPredictor(ContextTableStatistics, ContextCountsPartialFit, NextItemMixin):
    """Predict the next item from the longest matching context of up to ``order`` items.

    The model counts, for every context of length ``1..order`` seen in the
    training sequences, how often each item follows it. A query is answered
    from its longest suffix that was seen at least ``min_count`` times
    (back-off to shorter contexts); the scores are the empirical next-item
    probabilities of that context.

    Parameters
    ----------
    order : int, default=3
        Longest context used, in items. ``order=1`` is the classic first-order
        Markov chain (Mark1).
    min_count : int, default=1
        A context must have been followed by an item at least this many times
        to be used; rarer contexts back off to shorter ones.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when no context of the query was seen:
        ``None`` reports *no match*; ``"most_frequent"`` returns the most
        frequent training item; a symbol returns that symbol.
    on_unknown : {"ignore", "error"}, default="ignore"
        Symbols unseen in training: ``"ignore"`` treats them as breaking the
        context (contexts containing them never match); ``"error"`` raises
        :class:`~seqpred.exceptions.UnknownSymbolError`.
    n_jobs : int or None, default=None
        Processes ``fit`` counts in: ``None`` or 1 is one process, ``-1``
        every core. Inputs of fewer than 200,000 items per process are
        counted in one (see :mod:`seqpred.models.mergeable`); the tables are
        the same either way.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        How often each id occurs in the training data.
    n_sequences_ : int
        Number of training sequences.
    order_ : int
        The order used: ``order``, clamped to the longest training sequence
        minus one (a longer context is never followed by an item).
    longest_sequence_ : int
        Items in the longest training sequence.
    context_keys_ : list of ndarray
        Per order ``j``, the sorted keys ``parent_context * V + item`` of the
        contexts of length ``j`` (a context's id is its index here).
    row_ptr_, next_ids_, next_counts_ : list of ndarray
        Per order, the context → next-item counts as a CSR matrix whose rows
        are sorted by decreasing count.
    context_totals_ : list of ndarray
        Per order, how many training transitions leave each context.

    Notes
    -----
    Contexts are interned order by order: the id of a length-``j`` context is
    the rank of the pair (id of its length-``j-1`` suffix, the item ``j``
    steps back), so building and querying are a few ``np.unique`` and
    ``np.searchsorted`` calls over all positions at once. Training costs
    ``O(order · n log n)`` for ``n`` training items; a batch of queries costs
    ``O(order · N log n)``. Memory grows with the number of distinct contexts,
    which for large vocabularies and high orders approaches ``order · n``.

    An ``order`` longer than every training sequence cannot be used: only
    contexts of up to ``longest_sequence_ - 1`` items have followers. Those
    are the tables kept (``order_``; predictions are those of the parameter,
    and ``order=10**6`` on short sequences fits as fast as their real
    order), with a :class:`~seqpred.exceptions.SeqpredWarning` when
    ``order`` exceeds the longest sequence. ``partial_fit`` adds orders when
    a batch brings longer sequences, so ``partial_fit(A).partial_fit(B)``
    still stores the tables of ``fit(A + B)``. The counts are mergeable
    statistics (:meth:`statistics`, :func:`~seqpred.models.mergeable.merge`,
    :meth:`from_statistics`): chunks counted anywhere, in processes
    (``n_jobs``) or on Spark (:mod:`seqpred.spark`), merge into exactly the
    tables of ``fit`` on all of them.

    Limits: the model only predicts items that followed a matching context in
    training, and a query whose last item never preceded anything gets no
    match (``None``) unless ``fallback`` is set.

    References
    ----------
    .. [1] R. Begleiter, R. El-Yaniv, G. Yona, "On Prediction Using Variable
       Order Markov Models", JAIR 22, 2004, section 2.
    .. [2] J. Pitkow, P. Pirolli, "Mining Longest Repeating Subsequences to
       Predict World Wide Web Surfing", USITS 1999 (all-k-order Markov).

    Examples
    --------
    >>> from seqpred.models.next_item import MarkovPredictor
    >>> sessions = [["home", "search", "product", "cart"],
    ...             ["home", "search", "product", "product"],
    ...             ["home", "search", "product", "cart"]]
    >>> model = MarkovPredictor(order=2).fit(sessions)
    >>> model.predict([["search", "product"], ["checkout"]])
    ['cart', None]
    >>> model.predict_top_k([["search", "product"]], k=2)
    [[('cart', 0.666...), ('product', 0.333...)]]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "order": [Interval(int, 1, None)],
        "min_count": [Interval(int, 1, None)],
        "fallback": [None, str, int],
        "on_unknown": [Options({"ignore", "error"})],
        "n_jobs": [None, Interval(int, 1, None), Interval(int, -1, -1)],
    }
    _tags: ClassVar[Tags] = Tags(supports_partial_fit=True)
    order_: int
    longest_sequence_: int

    def __init__(
        self,
        order: int = 3,
        *,
        min_count: int = 1,
        fallback: Any = None,
        on_unknown: str = "ignore",
        n_jobs: int | None = None,
    ) -> None:
        self.order = order
        self.min_count = min_count
        self.fallback = fallback
        self.on_unknown = on_unknown
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"order": 2}, {"order": 1, "fallback": "most_frequent"}]

    # -- learning
    def _fit(self, ss: SequenceSet) -> None:
        if not self._fit_in_processes(ss, stacklevel=4):
            store_tables(self, fit_context_tables(self, ss, "order"))

    # -- querying
    def _best_rows(self, queries: SequenceSet) -> tuple[Array, Array]:
        """Per query: the order (0 = none) and row of its longest usable context."""
        tables = load_tables(self)
        rows = match_contexts(tables, queries, self.vocabulary_.size)
        best_order = np.zeros(len(queries), dtype=np.int64)
        best_row = np.full(len(queries), -1, dtype=np.int64)
        for j, table in enumerate(tables, start=1):
            row = rows[:, j - 1]
            usable = row >= 0
            usable[usable] = table.totals[row[usable]] >= self.min_count
            best_order[usable] = j
            best_row[usable] = row[usable]
        return best_order, best_row

    def _scatter(self, queries: SequenceSet, k: int | None, out: Array) -> Array:
        """Write follower probabilities of each query's best context into ``out``.

        With ``k``, ``out`` is ``(N, k)`` and ranks are columns (the ids are
        returned); without, ``out`` is ``(N, V)`` and ids are columns.
        """
        best_order, best_row = self._best_rows(queries)
        ids = np.full((len(queries), k or 1), -1, dtype=np.int64)
        for j, table in enumerate(load_tables(self), start=1):
            at = np.flatnonzero(best_order == j)
            if at.size == 0:
                continue
            row = best_row[at]
            flat, length, rank = ragged_rows(table, row, k)
            query = np.repeat(at, length)
            proba = table.next_counts[flat] / np.repeat(table.totals[row], length)
            if k is None:
                out[query, table.next_ids[flat]] = proba
            else:
                out[query, rank] = proba
                ids[query, rank] = table.next_ids[flat]
        return ids

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        scores = np.zeros((len(queries), k), dtype=np.float64)
        ids = self._scatter(queries, k, scores)
        return ids, scores

    def _proba(self, queries: SequenceSet) -> Array:
        proba = np.zeros((len(queries), self.vocabulary_.size), dtype=np.float64)
        self._scatter(queries, None, proba)
        return proba

    def _top_k_one(self, query: Array, k: int) -> tuple[Array, Array]:
        ids, scores = markov_top_k_one(packed_tables(self), query, k, self.min_count)
        return ids, scores
