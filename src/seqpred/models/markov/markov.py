"""k-order Markov next-item predictor with back-off to shorter contexts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.mixins import NextItemMixin

__all__ = ["MarkovPredictor"]

Array = np.ndarray[Any, Any]


class MarkovPredictor(NextItemMixin):
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

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        How often each id occurs in the training data.
    n_sequences_ : int
        Number of training sequences.
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
    >>> from seqpred.models.markov import MarkovPredictor
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
    }
    _tags: ClassVar[Tags] = Tags(task="next-item", supports_partial_fit=False)

    def __init__(
        self,
        order: int = 3,
        *,
        min_count: int = 1,
        fallback: Any = None,
        on_unknown: str = "ignore",
    ) -> None:
        self.order = order
        self.min_count = min_count
        self.fallback = fallback
        self.on_unknown = on_unknown

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"order": 2}, {"order": 1, "fallback": "most_frequent"}]

    # -- learning
    def _fit(self, ss: SequenceSet) -> None:
        values = ss.values
        width = self.vocabulary_.size
        lengths = ss.lengths
        position = np.arange(len(values), dtype=np.int64)
        seq_start = np.repeat(ss.offsets[:-1], lengths)
        seq_end = np.repeat(ss.offsets[1:], lengths)
        valid = position < seq_end - 1  # positions followed by a next item
        parent = np.zeros(len(values), dtype=np.int64)  # the empty context
        self.context_keys_: list[Array] = []
        self.row_ptr_: list[Array] = []
        self.next_ids_: list[Array] = []
        self.next_counts_: list[Array] = []
        self.context_totals_: list[Array] = []
        for j in range(1, self.order + 1):
            valid &= position - j + 1 >= seq_start
            at = np.flatnonzero(valid)
            keys = parent[at] * width + values[at - j + 1]
            context_keys, context_of = np.unique(keys, return_inverse=True)
            self._store_order(context_keys, context_of, values[at + 1], width)
            parent = np.zeros(len(values), dtype=np.int64)
            parent[at] = context_of

    def _store_order(
        self, context_keys: Array, context_of: Array, nexts: Array, width: int
    ) -> None:
        """Count (context, next) pairs into a CSR matrix with rows sorted by count."""
        pairs, counts = np.unique(context_of * width + nexts, return_counts=True)
        rows, cols = np.divmod(pairs, width)
        order = np.lexsort((cols, -counts, rows))
        row_ptr = np.zeros(len(context_keys) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(context_keys)), out=row_ptr[1:])
        self.context_keys_.append(context_keys)
        self.row_ptr_.append(row_ptr)
        self.next_ids_.append(cols[order])
        self.next_counts_.append(counts[order].astype(np.int64))
        self.context_totals_.append(
            np.diff(np.cumsum(np.r_[0, counts[order]])[row_ptr])
        )

    # -- querying
    def _match(self, queries: SequenceSet) -> tuple[Array, Array]:
        """Per query: the order (0 = none) and row of its longest usable context."""
        values = queries.values
        lengths = queries.lengths
        ends = queries.offsets[1:] - 1
        width = self.vocabulary_.size
        n = len(queries)
        context = np.zeros(n, dtype=np.int64)
        alive = lengths >= 1
        best_order = np.zeros(n, dtype=np.int64)
        best_row = np.full(n, -1, dtype=np.int64)
        for j in range(1, self.order + 1):
            alive &= lengths >= j
            at = np.flatnonzero(alive)
            if at.size == 0:
                break
            keys = context[at] * width + values[ends[at] - j + 1]
            table = self.context_keys_[j - 1]
            row = np.minimum(np.searchsorted(table, keys), len(table) - 1)
            found = table[row] == keys
            alive[at[~found]] = False
            at, row = at[found], row[found]
            context[at] = row
            totals = self.context_totals_[j - 1][row]
            usable = totals >= self.min_count
            best_order[at[usable]] = j
            best_row[at[usable]] = row[usable]
        return best_order, best_row

    def _rows(
        self, best_order: Array, best_row: Array, k: int | None
    ) -> Iterator[tuple[Array, Array, Array, Array, int]]:
        """Yield (query indices, flat CSR positions, row lengths, totals, level)."""
        for j in range(1, self.order + 1):
            at = np.flatnonzero(best_order == j)
            if at.size == 0:
                continue
            row = best_row[at]
            row_ptr = self.row_ptr_[j - 1]
            start = row_ptr[row]
            length = row_ptr[row + 1] - start
            if k is not None:
                length = np.minimum(length, k)
            flat = np.arange(int(length.sum()), dtype=np.int64)
            flat += np.repeat(start - np.cumsum(length) + length, length)
            yield at, flat, length, self.context_totals_[j - 1][row], j - 1

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        best_order, best_row = self._match(queries)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.zeros((len(queries), k), dtype=np.float64)
        for at, flat, length, totals, level in self._rows(best_order, best_row, k):
            query = np.repeat(at, length)
            rank = np.arange(len(flat)) - np.repeat(np.cumsum(length) - length, length)
            ids[query, rank] = self.next_ids_[level][flat]
            scores[query, rank] = self.next_counts_[level][flat] / np.repeat(
                totals, length
            )
        return ids, scores

    def _proba(self, queries: SequenceSet) -> Array:
        best_order, best_row = self._match(queries)
        proba = np.zeros((len(queries), self.vocabulary_.size), dtype=np.float64)
        for at, flat, length, totals, level in self._rows(best_order, best_row, None):
            query = np.repeat(at, length)
            proba[query, self.next_ids_[level][flat]] = self.next_counts_[level][
                flat
            ] / np.repeat(totals, length)
        return proba
