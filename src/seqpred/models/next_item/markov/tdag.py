"""TDAG: the bounded Markov tree of Laird and Saul, with a validated count threshold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.next_item.base import NextItemMixin
from seqpred.models.next_item.markov._contexts import (
    ContextCounts,
    count_contexts,
    fit_context_tables,
    load_tables,
    match_contexts,
    ragged_rows,
    store_tables,
    suffix_queries,
)
from seqpred.models.next_item.markov._incremental import (
    check_order,
    grow,
    merge_batch,
    merge_tables,
)
from seqpred.models.next_item.markov._statistics import ContextTableStatistics

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["TDAG"]

CANDIDATE_COUNTS = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32)
"""The thresholds ``min_count="auto"`` chooses from."""
MIN_VALIDATION = 30
"""Fewer held-out predictions than this leave ``min_count_`` at 1."""
HOLDOUT = 0.2
"""Share of each training sequence's last items held out to choose the threshold."""


class TDAG(ContextTableStatistics, NextItemMixin):
    """Predict the next item from the deepest reliable node of a bounded Markov tree.

    The transition directed acyclic graph (TDAG) is a tree of contexts: the
    path from the root to a node spells a context, a node's children are the
    items that followed it, and every node counts how often it was reached
    (in-count) and how often an item followed it (out-count). Nodes are
    created down to depth ``max_height``, so contexts hold at most
    ``max_height - 1`` items. A query is answered from the deepest node
    spelled by one of its suffixes whose out-count is at least the
    threshold; an item's score is ``in-count(child) / out-count(node)``.

    Parameters
    ----------
    max_height : int, default=6
        Height of the tree: the deepest nodes spell ``max_height`` items and
        predictions use contexts of up to ``max_height - 1`` items, the
        query's last ones (the reference tree's height is 6).
    min_count : int or "auto", default="auto"
        A node is used for prediction when it was followed by an item at
        least this many times; otherwise the prediction comes from a shorter
        context (the shortest matching one when none qualifies). ``"auto"``
        chooses it among :data:`CANDIDATE_COUNTS` by the next-item accuracy
        on the last 20% of every training sequence, predicted from a tree
        of the rest; with fewer than 30 held-out items it is 1.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when no suffix of the query is a node:
        ``None`` reports *no match*; ``"most_frequent"`` returns the most
        frequent training item (the root's prediction); a symbol returns
        that symbol.
    on_unknown : {"ignore", "error"}, default="ignore"
        Symbols unseen in training: ``"ignore"`` treats them as breaking the
        context (no node contains them); ``"error"`` raises
        :class:`~seqpred.exceptions.UnknownSymbolError`.
    n_jobs : int or None, default=None
        Processes ``fit`` counts in: ``None`` or 1 is one process, ``-1``
        every core (inputs of fewer than 200,000 items per process are
        counted in one); the tree is the same either way.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        How often each id occurs in the training data (the root's children).
    n_sequences_ : int
        Number of training sequences.
    max_height_ : int
        The height used: ``max_height``, clamped so that contexts hold at
        most the longest training sequence minus one items.
    longest_sequence_ : int
        Items in the longest training sequence.
    context_keys_ : list of ndarray
        Per depth ``j`` (context length), the sorted keys
        ``parent * V + item`` of the nodes with children, where ``parent`` is
        the id of the context without its *first* item (see
        :mod:`seqpred.models.next_item.markov._contexts`).
    row_ptr_, next_ids_, next_counts_ : list of ndarray
        Per depth, every node's children and their in-counts as a CSR matrix
        sorted by decreasing count, ties by increasing id.
    context_totals_ : list of ndarray
        Per depth, every node's out-count.
    min_count_ : int
        The threshold in use.
    validation_hits_ : ndarray of int64, shape (len(CANDIDATE_COUNTS),)
        With ``min_count="auto"``: held-out items each candidate threshold
        predicted right (empty otherwise).
    n_validation_ : int
        Held-out items behind ``validation_hits_``.

    Notes
    -----
    The tree is stored as the context tables of the Markov family: per
    depth, interned contexts and their follower counts, built with a few
    ``np.unique`` calls over all positions (``O(max_height · n log n)`` time
    for ``n`` training items, memory up to ``max_height · n`` nodes). Since
    training is batch, the in- and out-counts equal those of the paper's
    on-line update. ``min_count="auto"`` builds a second tree on 80% of the
    data, so fitting costs about twice as much. ``partial_fit`` merges the
    counts of a batch (``partial_fit(A).partial_fit(B)`` stores the tree of
    ``fit(A + B)``); with ``"auto"`` it first scores the thresholds on the
    batch with the current tree (prequential validation), adds those hits
    and chooses again. Only contexts of up to ``longest_sequence_ - 1``
    items have followers, so a taller ``max_height`` is clamped there
    (``max_height_``, same predictions, the cost of the real tree), with a
    :class:`~seqpred.exceptions.SeqpredWarning` when its contexts would be
    longer than the longest training sequence; ``partial_fit`` grows the
    tree when a batch brings longer sequences. The counts are mergeable
    statistics (:mod:`seqpred.models.mergeable`): with ``"auto"`` a chunk
    also counts its held-out heads' tree and its distinct held-out
    (context, target) pairs, and the hits are computed once after the merge,
    so chunks merge into exactly the model of ``fit`` on all of them.

    Differences from the reference implementation: it looks up the whole
    query as a path from the root, so a query longer than the tree gets no
    prediction and a tie between the two best children gives none either.
    Here the query's last ``max_height - 1`` items are matched suffix by
    suffix, ties go to the smaller id, and the threshold replaces the
    reference's "deepest node, whatever its count".

    Limits: like every fixed-height Markov model it cannot use evidence
    older than ``max_height - 1`` items, and it predicts nothing after a
    last item that never preceded anything in training.

    References
    ----------
    .. [1] P. Laird, R. Saul, "Discrete Sequence Prediction and its
       Applications", Machine Learning 15(1), 1994, sections 2-3 (the TDAG
       and its bounds on height and node counts).
    .. [2] T. Gueniche, P. Fournier-Viger, R. Raman, V. S. Tseng, "CPT+:
       Decreasing the Time/Space Complexity of the Compact Prediction Tree",
       PAKDD 2015 (TDAG as a baseline; the IPredict implementation).

    Examples
    --------
    >>> from seqpred.models.next_item import TDAG
    >>> model = TDAG(max_height=3, min_count=2).fit(["abcabd", "abcab"])
    >>> model.predict(["ab", "xab", "b", "d"])
    ['c', 'c', 'c', None]
    >>> model.predict_top_k(["zab"], k=2)
    [[('c', 0.666...), ('d', 0.333...)]]
    >>> model.min_count_
    2
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "max_height": [Interval(int, 2, None)],
        "min_count": [Options({"auto"}), Interval(int, 1, None)],
        "fallback": [None, str, int],
        "on_unknown": [Options({"ignore", "error"})],
        "n_jobs": [None, Interval(int, 1, None), Interval(int, -1, -1)],
    }
    _order_parameter = "max_height"
    _order_offset = 1
    _tags: ClassVar[Tags] = Tags(
        supports_partial_fit=True,
        skip_checks={
            "partial_fit": "with min_count='auto' partial_fit updates the threshold "
            "choice online, so it keeps fit(A + B)'s tree but may choose another "
            "threshold (tested in tests/unit with a fixed min_count)"
        },
    )
    context_keys_: list[Array]
    max_height_: int
    longest_sequence_: int

    def __init__(
        self,
        max_height: int = 6,
        *,
        min_count: int | str = "auto",
        fallback: Any = None,
        on_unknown: str = "ignore",
        n_jobs: int | None = None,
    ) -> None:
        self.max_height = max_height
        self.min_count = min_count
        self.fallback = fallback
        self.on_unknown = on_unknown
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"max_height": 3},
            {"max_height": 2, "min_count": 2, "fallback": "most_frequent"},
        ]

    # -- learning
    def _fit(self, ss: SequenceSet) -> None:
        if self._fit_in_processes(ss, stacklevel=4):
            return
        width = self.vocabulary_.size
        tables = fit_context_tables(self, ss, "max_height", offset=1)
        depth = self.max_height_ - 1
        self.validation_hits_ = np.zeros(0, dtype=np.int64)
        self.n_validation_ = 0
        if self.min_count == "auto":
            head, tail = _split_tails(ss, depth)
            heads = count_contexts(head, depth, width)
            self.validation_hits_ = _hits(heads, *tail, width)
            self.n_validation_ = len(tail[1])
        self._choose()
        store_tables(self, tables)

    def partial_fit(self, X: Any, y: None = None) -> Self:
        """Add the counts of more training sequences; return ``self``.

        The first call (on an unfitted model) is :meth:`fit`. Later calls
        extend ``vocabulary_`` with new symbols and merge the batch's counts,
        so ``partial_fit(A).partial_fit(B)`` stores the tree of
        ``fit(A + B)``. With ``min_count="auto"`` the batch is first
        predicted with the current tree to update the threshold choice.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            More training sequences.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self
        """
        if not self.is_fitted:
            self.fit(X)
            return self
        longest = check_order(self, "max_height", offset=1)
        tables = load_tables(self)
        ss, old_width = grow(self, X)
        width = self.vocabulary_.size
        if self.min_count == "auto" and len(self.validation_hits_):
            contexts = suffix_queries(ss, len(tables))
            scored = ss.positions > 0  # items with at least one item before
            self.validation_hits_ = self.validation_hits_ + _hits(
                _widen(tables, old_width, width),
                contexts[scored],
                ss.values[scored],
                width,
            )
            self.n_validation_ += int(scored.sum())
        self._choose()
        merge_batch(self, ss, tables, old_width, "max_height", longest, offset=1,
                    stacklevel=4)  # fmt: skip
        return self

    # -- mergeable statistics (see seqpred.models.mergeable)
    def _counting_values(self) -> dict[str, Any]:
        return {"max_height": self.max_height, "auto": self.min_count == "auto"}

    def _count_model(self, ss: SequenceSet) -> dict[str, Any]:
        counts = super()._count_model(ss)
        if self.min_count == "auto":
            depth = self._chunk_order(ss)
            head, (contexts, targets) = _split_tails(ss, depth)
            counts["heads"] = count_contexts(head, depth, self._width(ss))
            counts["tails"] = _tail_rows(contexts, targets, depth)
        return counts

    @staticmethod
    def _width(ss: SequenceSet) -> int:
        return 0 if ss.vocabulary is None else int(ss.vocabulary.size)

    @classmethod
    def _merge_model(cls, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        merged = super()._merge_model(a, b)
        if "heads" in a:
            width = max(len(a["item_counts"]), len(b["item_counts"]))
            merged["heads"] = merge_tables(a["heads"], width, b["heads"], width)
            merged["tails"] = _merge_tail_rows(a["tails"], b["tails"])
        return merged

    def _restore_model(self, counts: dict[str, Any], stacklevel: int) -> None:
        super()._restore_model(counts, stacklevel + 1)
        self.validation_hits_ = np.zeros(0, dtype=np.int64)
        self.n_validation_ = 0
        if self.min_count == "auto":
            rows, weights = counts["tails"]
            contexts, targets = _tail_sets(rows)
            self.validation_hits_ = _hits(
                counts["heads"], contexts, targets, self.vocabulary_.size, weights
            )
            self.n_validation_ = int(weights.sum())
        self._choose()

    def _choose(self) -> None:
        """Set ``min_count_`` from the parameter or the validation hits."""
        if self.min_count != "auto":
            self.min_count_ = int(self.min_count)
        elif self.n_validation_ < MIN_VALIDATION:
            self.min_count_ = 1
        else:  # the most hits; the smaller threshold on ties
            self.min_count_ = CANDIDATE_COUNTS[int(np.argmax(self.validation_hits_))]

    # -- querying
    def _scatter(self, queries: SequenceSet, k: int | None, out: Array) -> Array:
        """Write each query's scores into ``out`` (ranks if ``k``, else ids)."""
        tables = load_tables(self)
        rows = match_contexts(tables, queries, self.vocabulary_.size)
        depth, row = _deepest(tables, rows, self.min_count_)
        ids = np.full((len(queries), k or 1), -1, dtype=np.int64)
        for j, table in enumerate(tables, start=1):
            at = np.flatnonzero(depth == j)
            if at.size == 0:
                continue
            flat, length, rank = ragged_rows(table, row[at], k)
            query = np.repeat(at, length)
            score = table.next_counts[flat] / np.repeat(table.totals[row[at]], length)
            if k is None:
                out[query, table.next_ids[flat]] = score
            else:
                out[query, rank] = score
                ids[query, rank] = table.next_ids[flat]
        return ids

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        scores = np.zeros((len(queries), k), dtype=np.float64)
        return self._scatter(queries, k, scores), scores

    def _proba(self, queries: SequenceSet) -> Array:
        proba = np.zeros((len(queries), self.vocabulary_.size), dtype=np.float64)
        self._scatter(queries, None, proba)
        return proba


def _deepest(
    tables: list[ContextCounts], rows: Array, min_count: int
) -> tuple[Array, Array]:
    """Per query: depth (0 = none) and row of the deepest node out-counted enough.

    Out-counts shrink with depth along a query's suffixes, so when no node
    reaches ``min_count`` the shortest matching one (the most counted) is
    used.
    """
    n = len(rows)
    depth = np.where(rows[:, 0] >= 0, 1, 0) if tables else np.zeros(n, np.int64)
    row = rows[:, 0].copy() if tables else np.full(n, -1, np.int64)
    for j, table in enumerate(tables, start=1):
        ok = rows[:, j - 1] >= 0
        ok[ok] = table.totals[rows[ok, j - 1]] >= min_count
        depth[ok] = j
        row[ok] = rows[ok, j - 1]
    return depth, row


def _hits(
    tables: list[ContextCounts],
    contexts: SequenceSet,
    targets: Array,
    width: int,
    weights: Array | None = None,
) -> Array:
    """How many ``targets`` each candidate threshold predicts right (top 1).

    With ``weights``, each (context, target) pair counts that many times.
    """
    rows = match_contexts(tables, contexts, width)
    hits = np.zeros(len(CANDIDATE_COUNTS), dtype=np.int64)
    for c, min_count in enumerate(CANDIDATE_COUNTS):
        depth, row = _deepest(tables, rows, min_count)
        best = np.full(len(targets), -1, dtype=np.int64)
        for j, table in enumerate(tables, start=1):
            at = depth == j
            best[at] = table.next_ids[table.row_ptr[row[at]]]
        right = best == targets
        hits[c] = int(np.sum(right) if weights is None else np.sum(weights[right]))
    return hits


def _split_tails(
    ss: SequenceSet, depth: int
) -> tuple[SequenceSet, tuple[SequenceSet, Array]]:
    """Split off the last ``HOLDOUT`` share (at least one) of every sequence.

    Returns the heads, and the held-out items with their contexts (the up to
    ``depth`` items before them in their sequence).
    """
    lengths = ss.lengths
    n_tail = np.where(lengths >= 2, np.maximum(1, (lengths * HOLDOUT).astype(int)), 0)
    heads = ss.slice_steps(0, lengths - n_tail)
    held = ss.positions >= np.repeat(lengths - n_tail, lengths)
    contexts = suffix_queries(ss, depth)
    return heads, (contexts[held], ss.values[held])


def _tail_rows(
    contexts: SequenceSet, targets: Array, depth: int
) -> tuple[Array, Array]:
    """Return the distinct held-out ``(context, target)`` rows and their counts.

    A row holds the context right-aligned in ``depth`` columns (``-1`` before
    a shorter context), then the target.
    """
    rows = np.full((len(targets), depth + 1), -1, dtype=np.int64)
    lengths = contexts.lengths
    columns = depth - np.repeat(lengths, lengths) + contexts.positions
    rows[contexts.sequence_index, columns] = contexts.values
    rows[:, depth] = targets
    return _distinct_rows(rows, np.ones(len(rows), dtype=np.int64))


def _merge_tail_rows(
    a: tuple[Array, Array], b: tuple[Array, Array]
) -> tuple[Array, Array]:
    """Add two sets of counted tail rows (the narrower left-padded with ``-1``)."""
    width = max(a[0].shape[1], b[0].shape[1])
    padded = [
        np.hstack([np.full((len(r), width - r.shape[1]), -1, dtype=np.int64), r])
        for r, _ in (a, b)
    ]
    return _distinct_rows(np.vstack(padded), np.concatenate([a[1], b[1]]))


def _distinct_rows(rows: Array, counts: Array) -> tuple[Array, Array]:
    if len(rows) == 0:
        return rows, counts
    distinct, inverse = np.unique(rows, axis=0, return_inverse=True)
    summed = np.bincount(inverse.reshape(-1), weights=counts, minlength=len(distinct))
    return distinct, summed.astype(np.int64)


def _tail_sets(rows: Array) -> tuple[SequenceSet, Array]:
    """Return the contexts (a SequenceSet) and targets of counted tail rows."""
    present = rows[:, :-1] >= 0
    lengths = present.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    return SequenceSet(rows[:, :-1][present], offsets), rows[:, -1]


def _widen(
    tables: list[ContextCounts], old_width: int, width: int
) -> list[ContextCounts]:
    """Re-key tables counted with ``old_width`` for a vocabulary grown to ``width``."""
    if old_width == width:
        return tables
    empty = [
        ContextCounts(
            np.zeros(0, np.int64),
            np.zeros(1, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
        )
        for _ in tables
    ]
    return merge_tables(tables, old_width, empty, width)
