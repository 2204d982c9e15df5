"""DG: the dependency graph of Padmanabhan and Mogul, a look-ahead first-order model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.mergeable import add_padded
from seqpred.models.next_item.base import NextItemMixin
from seqpred.models.next_item.markov._contexts import ContextCounts, ragged_rows
from seqpred.models.next_item.markov._incremental import (
    check_same_structure,
    csr_from_triples,
    grow,
)
from seqpred.models.next_item.markov._scoring import last_true
from seqpred.models.next_item.markov._statistics import NextItemStatistics

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["DG"]


class DG(NextItemStatistics, NextItemMixin):
    """Predict the next item from the items that followed the last one within a window.

    The dependency graph has one node per item and an arc ``a → b`` whose
    weight counts how often ``b`` occurred within the ``lookahead`` items
    after an occurrence of ``a``. The score of ``b`` after ``a`` is
    ``count(a → b) / count(a)``, where ``count(a)`` is the number of
    occurrences of ``a`` that had at least one item after them. A query is
    answered from its last item; if that item never preceded anything in
    training, from the last item before it that did.

    Parameters
    ----------
    lookahead : int, default=4
        Window after each item, in items, whose items get an arc
        (``lookahead=1`` is a first-order Markov chain). The default is the
        reference implementation's (IPredict / SPMF ``lookahead:4``).
    count_repeats : bool, default=True
        Whether an item occurring several times in one window adds several
        times to the arc weight, as in the reference implementation (scores
        can then exceed 1). ``False`` counts it once per window, so a score is
        the fraction of occurrences of ``a`` followed by ``b`` within the
        window (the paper's "ABB" issue, section 3). Counting repeats was as
        accurate or more on the CPT+ benchmarks (MSNBC 0.560 against 0.538).
    min_score : float, default=0.0
        Arcs scoring below this are never predicted (the reference uses a
        confidence threshold of 0.12; any threshold only lowers accuracy when
        a wrong answer and no answer cost the same).
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when no item of the query has arcs:
        ``None`` reports *no match*; ``"most_frequent"`` returns the most
        frequent training item; a symbol returns that symbol.
    on_unknown : {"ignore", "error"}, default="ignore"
        Symbols unseen in training: ``"ignore"`` skips them (they have no
        node); ``"error"`` raises
        :class:`~seqpred.exceptions.UnknownSymbolError`.
    n_jobs : int or None, default=None
        Processes ``fit`` counts in: ``None`` or 1 is one process, ``-1``
        every core (inputs of fewer than 200,000 items per process are
        counted in one); the graph is the same either way.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        How often each id occurs in the training data.
    n_sequences_ : int
        Number of training sequences.
    node_ids_ : ndarray of int64, shape (n_nodes,)
        Sorted ids of the items that have outgoing arcs.
    node_counts_ : ndarray of int64, shape (n_nodes,)
        ``count(a)``: occurrences of each node's item with an item after it.
    arc_ptr_, arc_ids_, arc_counts_ : ndarray of int64
        The arcs as a CSR matrix over nodes; each row is sorted by decreasing
        weight, ties by increasing id.
    lookahead_ : int
        The window the arcs were counted with (``partial_fit`` checks it).

    Notes
    -----
    Training gathers the ``(a, b)`` pairs of every position and offset
    ``1..lookahead`` in one array and counts them with ``np.unique``: time
    ``O(lookahead · n log n)`` and memory ``O(lookahead · n)`` for ``n``
    training items. A batch of ``N`` queries costs ``O(N log V)`` plus the
    arcs read. The graph holds at most ``V · min(V, lookahead · n)`` arcs;
    ``partial_fit`` adds a batch's counts (the graph of ``fit(A + B)``),
    and chunks counted apart merge the same way (mergeable statistics, see
    :mod:`seqpred.models.mergeable`).

    Limits: only first-order evidence is used, so longer patterns are lost,
    and with ``lookahead > 1`` an item seen *soon after* ``a`` is scored like
    one seen *right after* it, which helps when the target is any of the next
    few items (the CPT+ protocol's consequent) more than for the very next
    item.

    References
    ----------
    .. [1] V. N. Padmanabhan, J. C. Mogul, "Using Predictive Prefetching to
       Improve World Wide Web Latency", ACM SIGCOMM Computer Communication
       Review 26(3), 1996, sections 2-3.
    .. [2] T. Gueniche, P. Fournier-Viger, V. S. Tseng, "Compact Prediction
       Tree: A Lossless Model for Accurate Sequence Prediction", ADMA 2013
       (DG as a baseline; the IPredict implementation).

    Examples
    --------
    >>> from seqpred.models.next_item import DG
    >>> sessions = [["home", "search", "product", "cart"],
    ...             ["home", "search", "help"],
    ...             ["home", "product", "cart"]]
    >>> model = DG(lookahead=2).fit(sessions)
    >>> model.predict([["home"], ["search"], ["cart"]])
    ['search', 'product', None]
    >>> model.predict_top_k([["home"]], k=3)
    [[('search', 0.666...), ('product', 0.666...), ('cart', 0.333...)]]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "lookahead": [Interval(int, 1, None)],
        "count_repeats": [bool],
        "min_score": [Interval(float, 0, None)],
        "fallback": [None, str, int],
        "on_unknown": [Options({"ignore", "error"})],
        "n_jobs": [None, Interval(int, 1, None), Interval(int, -1, -1)],
    }
    _counting_params = ("lookahead", "count_repeats")
    _tags: ClassVar[Tags] = Tags(supports_partial_fit=True)

    def __init__(
        self,
        lookahead: int = 4,
        *,
        count_repeats: bool = True,
        min_score: float = 0.0,
        fallback: Any = None,
        on_unknown: str = "ignore",
        n_jobs: int | None = None,
    ) -> None:
        self.lookahead = lookahead
        self.count_repeats = count_repeats
        self.min_score = min_score
        self.fallback = fallback
        self.on_unknown = on_unknown
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"lookahead": 2},
            {"lookahead": 1, "fallback": "most_frequent"},
            {"lookahead": 3, "count_repeats": False, "min_score": 0.2},
        ]

    # -- learning
    def _fit(self, ss: SequenceSet) -> None:
        if self._fit_in_processes(ss, stacklevel=4):
            return
        self.lookahead_ = int(self.lookahead)
        self.node_ids_ = np.zeros(0, dtype=np.int64)
        self.node_counts_ = np.zeros(0, dtype=np.int64)
        self.arc_ptr_ = np.zeros(1, dtype=np.int64)
        self.arc_ids_ = np.zeros(0, dtype=np.int64)
        self.arc_counts_ = np.zeros(0, dtype=np.int64)
        self._add(ss)

    def partial_fit(self, X: Any, y: None = None) -> Self:
        """Add the arcs of more training sequences; return ``self``.

        The first call (on an unfitted model) is :meth:`fit`. Later calls
        extend ``vocabulary_`` with new symbols and add the batch's counts,
        so ``partial_fit(A).partial_fit(B)`` equals ``fit(A + B)``.

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
        check_same_structure(self, "lookahead", self.lookahead_)
        ss, _ = grow(self, X)  # item ids keep their values as the vocabulary grows
        self._add(ss)
        return self

    def _add(self, ss: SequenceSet) -> None:
        """Count the pairs of ``ss`` and merge them into the fitted graph."""
        width = self.vocabulary_.size
        sources, targets = _window_pairs(ss, self.lookahead_, self.count_repeats)
        has_next = ss.positions < np.repeat(ss.lengths, ss.lengths) - 1
        occurrences = np.bincount(ss.values[has_next], minlength=width)
        occurrences[self.node_ids_] += self.node_counts_
        node_ids = np.flatnonzero(occurrences)
        old_rows = np.repeat(self.node_ids_, np.diff(self.arc_ptr_))
        rows = np.searchsorted(node_ids, np.concatenate([old_rows, sources]))
        cols = np.concatenate([self.arc_ids_, targets])
        counts = np.concatenate(
            [self.arc_counts_, np.ones(len(targets), dtype=np.int64)]
        )
        ptr, ids, arc_counts, _ = csr_from_triples(
            len(node_ids), rows, cols, counts, width
        )
        self.node_ids_ = node_ids
        self.node_counts_ = occurrences[node_ids]
        self.arc_ptr_, self.arc_ids_, self.arc_counts_ = ptr, ids, arc_counts

    # -- mergeable statistics (see seqpred.models.mergeable)
    def _count_model(self, ss: SequenceSet) -> dict[str, Any]:
        width = int(ss.vocabulary.size) if ss.vocabulary is not None else 0
        sources, targets = _window_pairs(ss, int(self.lookahead), self.count_repeats)
        has_next = ss.positions < np.repeat(ss.lengths, ss.lengths) - 1
        arcs, arc_counts = np.unique(sources * width + targets, return_counts=True)
        return {
            "occurrences": np.bincount(ss.values[has_next], minlength=width),
            "arcs": arcs,
            "arc_counts": arc_counts.astype(np.int64),
        }

    @classmethod
    def _merge_model(cls, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        arcs, at = np.unique(
            np.concatenate([a["arcs"], b["arcs"]]), return_inverse=True
        )
        counts = np.concatenate([a["arc_counts"], b["arc_counts"]])
        summed = np.bincount(at.reshape(-1), weights=counts, minlength=len(arcs))
        return {
            "occurrences": add_padded(a["occurrences"], b["occurrences"]),
            "arcs": arcs,
            "arc_counts": summed.astype(np.int64),
        }

    def _restore_model(self, counts: dict[str, Any], stacklevel: int) -> None:
        width = self.vocabulary_.size
        occurrences = counts["occurrences"]
        node_ids = np.flatnonzero(occurrences)
        arcs: Array = counts["arcs"]
        sources, targets = arcs // max(width, 1), arcs % max(width, 1)
        ptr, ids, arc_counts, _ = csr_from_triples(
            len(node_ids), np.searchsorted(node_ids, sources), targets,
            counts["arc_counts"], width,
        )  # fmt: skip
        self.lookahead_ = int(self.lookahead)
        self.node_ids_ = node_ids
        self.node_counts_ = occurrences[node_ids]
        self.arc_ptr_, self.arc_ids_, self.arc_counts_ = ptr, ids, arc_counts

    # -- querying
    def _entries(self, queries: SequenceSet, k: int | None) -> tuple[Array, ...]:
        """Flat ``(query, item, score, rank)`` of the arcs of each query's node."""
        node_of = np.searchsorted(self.node_ids_, queries.values)
        node_of = np.minimum(node_of, max(len(self.node_ids_) - 1, 0))
        has_node = (
            self.node_ids_[node_of] == queries.values
            if len(self.node_ids_)
            else np.zeros(len(queries.values), dtype=bool)
        )
        last = last_true(has_node, queries.offsets)
        at = np.flatnonzero(last >= 0)
        rows = node_of[last[at]]
        graph = ContextCounts(
            self.node_ids_,
            self.arc_ptr_,
            self.arc_ids_,
            self.arc_counts_,
            self.node_counts_,
        )
        flat, length, rank = ragged_rows(graph, rows, k)
        query = np.repeat(at, length)
        score = self.arc_counts_[flat] / np.repeat(self.node_counts_[rows], length)
        keep = score >= self.min_score
        return query[keep], self.arc_ids_[flat][keep], score[keep], rank[keep]

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        query, item, score, rank = self._entries(queries, k)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        scores = np.zeros((len(queries), k), dtype=np.float64)
        # rows are sorted by weight and the threshold drops a suffix of each
        # row, so the kept ranks stay 0, 1, 2, ...
        ids[query, rank] = item
        scores[query, rank] = score
        return ids, scores

    def _proba(self, queries: SequenceSet) -> Array:
        query, item, score, _ = self._entries(queries, None)
        proba = np.zeros((len(queries), self.vocabulary_.size), dtype=np.float64)
        proba[query, item] = score
        return proba


def _window_pairs(
    ss: SequenceSet, lookahead: int, count_repeats: bool
) -> tuple[Array, Array]:
    """Return ``(a, b)`` for every ``b`` within ``lookahead`` items after ``a``.

    Without ``count_repeats``, a ``b`` repeated inside one window counts once.
    """
    values = ss.values
    ends = np.repeat(ss.offsets[1:], ss.lengths)
    position = np.arange(len(values), dtype=np.int64)
    sources, targets, anchors = [], [], []
    for offset in range(1, lookahead + 1):
        at = np.flatnonzero(position + offset < ends)
        if at.size == 0:
            break
        sources.append(values[at])
        targets.append(values[at + offset])
        anchors.append(at)
    if not sources:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    a, b = np.concatenate(sources), np.concatenate(targets)
    if not count_repeats:
        width = int(values.max()) + 1
        anchor = np.concatenate(anchors)
        _, first = np.unique(anchor * width + b, return_index=True)
        a, b = a[first], b[first]
    return a, b
