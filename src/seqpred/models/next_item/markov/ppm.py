"""PPM: prediction by partial matching, a variable-order Markov probability model."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags, check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import UNK_ID, Vocabulary
from seqpred.models.next_item.base import NextItemMixin
from seqpred.models.next_item.markov._contexts import (
    fit_context_tables,
    load_tables,
    match_contexts,
    ragged_rows,
    store_tables,
    suffix_queries,
)
from seqpred.models.next_item.markov._fast import (
    ESCAPES,
    packed_tables,
    ppm_top_k_one,
    work_arrays,
)
from seqpred.models.next_item.markov._incremental import ContextCountsPartialFit
from seqpred.models.next_item.markov._ppm_sparse import sparse_top_k
from seqpred.models.next_item.markov._statistics import ContextTableStatistics

__all__ = ["PPM"]

_CELLS_PER_CHUNK = 4_000_000  # dense (rows, V) work arrays stay ~32 MB
_QUERIES_PER_CHUNK = 1024


class PPM(ContextTableStatistics, ContextCountsPartialFit, NextItemMixin):
    """Prediction by partial matching: blend contexts of every order with escapes.

    For a query the model starts at its longest seen context (up to
    ``max_order`` items). Each context gives its followers a share of the
    remaining probability mass and passes the rest ("escape") to the next
    shorter context, down to order 0 (item frequencies) and order -1 (uniform
    over the vocabulary). With ``exclusion``, followers already given mass by
    a longer context are left out of shorter ones.

    Parameters
    ----------
    max_order : int, default=5
        Longest context, in items.
    escape : {"A", "B", "C", "D"}, default="D"
        Escape method, as named in the literature. With ``n`` transitions
        out of a context, ``q`` distinct followers and ``c`` the count of one
        follower: A gives ``c/(n+1)`` and escapes ``1/(n+1)``; B
        ``(c-1)/n`` and ``q/n``; C ``c/(n+q)`` and ``q/(n+q)``; D
        ``(c-1/2)/n`` and ``q/(2n)``.
    exclusion : bool, default=False
        Exclude followers of longer contexts from shorter ones, as a
        compressor does (PPM-C of the literature is ``escape="C",
        exclusion=True``). ``False`` blends all orders, each order's estimate
        weighted by the escapes above it: on the next-item benchmarks this
        ranks the true next item first more often (see docs/benchmarks.md),
        hence the default.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when no context of length >= 1 matches.
    on_unknown : {"ignore", "error"}, default="ignore"
        Unseen symbols in queries: break the context, or raise.
    n_jobs : int or None, default=None
        Processes ``fit`` counts in: ``None`` or 1 is one process, ``-1``
        every core (inputs of fewer than 200,000 items per process are
        counted in one); the tables are the same either way.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        Order-0 counts.
    n_sequences_ : int
        Number of training sequences.
    max_order_ : int
        The order used: ``max_order``, clamped to the longest training
        sequence minus one (a longer context is never followed by an item).
    longest_sequence_ : int
        Items in the longest training sequence.
    context_keys_, row_ptr_, next_ids_, next_counts_, context_totals_ : list
        Per order, the interned contexts and their follower counts (see
        :mod:`seqpred.models.next_item.markov._contexts`).

    Notes
    -----
    Probabilities are computed for a batch at once on dense ``(N, V)``
    arrays, in chunks, so cost is ``O(N · (V + max_order · followers))``.
    With exclusion the escape mass of a context whose every follower was
    already predicted is spread over the remaining symbols; rows are
    renormalised so that they sum to 1 over the vocabulary. Unknown symbols
    get the order -1 share of one extra "unknown" symbol in :meth:`log_proba`.

    Only contexts of up to ``longest_sequence_ - 1`` items have followers,
    so a longer ``max_order`` is clamped there (``max_order_``): the tables,
    probabilities and cost are those of the data's real longest context,
    with a :class:`~seqpred.exceptions.SeqpredWarning` when ``max_order``
    exceeds the longest training sequence. ``partial_fit`` adds orders when
    a batch brings longer sequences (``partial_fit(A).partial_fit(B)``
    still stores the tables of ``fit(A + B)``), and chunks counted apart
    merge the same way (:mod:`seqpred.models.mergeable`).

    References
    ----------
    .. [1] J. Cleary, I. Witten, "Data Compression Using Adaptive Coding and
       Partial String Matching", IEEE Trans. Communications 32(4), 1984.
    .. [2] A. Moffat, "Implementing the PPM data compression scheme", IEEE
       Trans. Communications 38(11), 1990 (method C).
    .. [3] P. Howard, "The design and analysis of efficient lossless data
       compression systems", PhD thesis, Brown University, 1993 (method D).

    Examples
    --------
    >>> from seqpred.models.next_item import PPM
    >>> model = PPM(max_order=2, escape="C", exclusion=True).fit(["abracadabra"])
    >>> model.predict(["abr", "zz"])
    ['a', None]
    >>> proba = model.predict_proba(["ab"])
    >>> round(float(proba.sum()), 6)
    1.0
    >>> [round(float(x), 3) for x in model.log_proba(["abra"])[0]]
    [-1.163, -1.253, -0.405, -0.405]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "max_order": [Interval(int, 1, None)],
        "escape": [Options({"A", "B", "C", "D"})],
        "exclusion": [bool],
        "fallback": [None, str, int],
        "on_unknown": [Options({"ignore", "error"})],
        "n_jobs": [None, Interval(int, 1, None), Interval(int, -1, -1)],
    }
    _tags: ClassVar[Tags] = Tags(supports_partial_fit=True)
    _order_parameter = "max_order"
    max_order_: int
    longest_sequence_: int
    context_keys_: list[Array]

    def __init__(
        self,
        max_order: int = 5,
        *,
        escape: str = "D",
        exclusion: bool = False,
        fallback: Any = None,
        on_unknown: str = "ignore",
        n_jobs: int | None = None,
    ) -> None:
        self.max_order = max_order
        self.escape = escape
        self.exclusion = exclusion
        self.fallback = fallback
        self.on_unknown = on_unknown
        self.n_jobs = n_jobs

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"max_order": 2},
            {"max_order": 1, "escape": "A", "exclusion": False},
            {"max_order": 2, "escape": "D", "fallback": "most_frequent"},
        ]

    def _fit(self, ss: SequenceSet) -> None:
        if not self._fit_in_processes(ss, stacklevel=4):
            store_tables(self, fit_context_tables(self, ss, "max_order"))

    # -- the probability model
    def _shares(self, counts: Array, totals: Array, distinct: Array) -> Array:
        """Per-entry probabilities of followers with ``counts`` in their contexts."""
        if self.escape == "A":
            shares = counts / (totals + 1.0)
        elif self.escape == "B":
            shares = (counts - 1.0) / totals
        elif self.escape == "C":
            shares = counts / (totals + distinct)
        else:
            shares = (counts - 0.5) / totals
        return np.asarray(shares, dtype=np.float64)

    def _escapes(self, totals: Array, distinct: Array) -> Array:
        """Escape probability of contexts with ``totals`` and ``distinct`` followers."""
        if self.escape == "A":
            escapes = 1.0 / (totals + 1.0)
        elif self.escape == "B":
            escapes = distinct / totals
        elif self.escape == "C":
            escapes = distinct / (totals + distinct)
        else:
            escapes = distinct / (2.0 * totals)
        return np.asarray(escapes, dtype=np.float64)

    def _dense(self, queries: SequenceSet) -> tuple[Array, Array]:
        """Return ``(proba (N, V), matched (N,))``; column UNK_ID holds novelty."""
        width = self.vocabulary_.size
        tables = load_tables(self)
        rows = match_contexts(tables, queries, width)
        n = len(queries)
        proba = np.zeros((n, width))
        mass = np.ones(n)
        excluded = np.zeros((n, width), dtype=bool)
        excluded[:, : Vocabulary.n_reserved] = True
        for j in range(len(tables), 0, -1):
            at = np.flatnonzero(rows[:, j - 1] >= 0)
            if at.size:
                table = tables[j - 1]
                flat, length, _ = ragged_rows(table, rows[at, j - 1])
                query = np.repeat(at, length)
                self._blend(
                    query,
                    table.next_ids[flat],
                    table.next_counts[flat],
                    proba,
                    mass,
                    excluded,
                )
        order0 = np.broadcast_to(self.item_counts_, (n, width))
        query, symbol = np.nonzero(order0 > 0)
        self._blend(query, symbol, order0[query, symbol], proba, mass, excluded)
        # order -1: uniform over the symbols not yet excluded, plus "unknown"
        if not self.exclusion:
            excluded[:, Vocabulary.n_reserved :] = False
        excluded[:, UNK_ID] = False
        free = ~excluded
        proba += mass[:, None] * free / free.sum(axis=1, keepdims=True)
        proba /= proba.sum(axis=1, keepdims=True)
        return proba, rows[:, 0] >= 0

    def _blend(
        self,
        query: Array,
        symbol: Array,
        counts: Array,
        proba: Array,
        mass: Array,
        excluded: Array,
    ) -> None:
        """Give one order's followers their share of ``mass``; update escapes."""
        if self.exclusion:
            keep = ~excluded[query, symbol]
            query, symbol, counts = query[keep], symbol[keep], counts[keep]
        n = len(mass)
        totals = np.bincount(query, weights=counts, minlength=n)
        distinct = np.bincount(query, minlength=n).astype(np.float64)
        seen = totals > 0
        share = self._shares(counts, totals[query], distinct[query])
        proba[query, symbol] += mass[query] * share
        mass[seen] *= self._escapes(totals[seen], distinct[seen])
        excluded[query, symbol] = True

    def _chunked(self, queries: SequenceSet) -> tuple[Array, Array]:
        step = max(1, _CELLS_PER_CHUNK // self.vocabulary_.size)
        parts = [
            self._dense(queries[i : i + step]) for i in range(0, len(queries), step)
        ]
        return np.concatenate([p[0] for p in parts]), np.concatenate(
            [p[1] for p in parts]
        )

    # -- the mixin's hooks
    def _proba(self, queries: SequenceSet) -> Array:
        proba, _ = self._chunked(queries)
        proba[:, UNK_ID] = 0.0
        return proba

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        tables = load_tables(self)
        ids, scores = [], []
        for lo in range(0, len(queries), _QUERIES_PER_CHUNK):
            chunk = queries[lo : lo + _QUERIES_PER_CHUNK]
            rows = match_contexts(tables, chunk, self.vocabulary_.size)
            top, top_p = sparse_top_k(
                tables,
                rows,
                self.item_counts_,
                k,
                self.exclusion,
                self._shares,
                self._escapes,
            )
            unmatched = rows[:, 0] < 0  # no context of length >= 1: no match
            top[unmatched], top_p[unmatched] = -1, 0.0
            ids.append(top)
            scores.append(top_p)
        return np.concatenate(ids), np.concatenate(scores)

    def _top_k_one(self, query: Array, k: int) -> tuple[Array, Array]:
        marks, acc = work_arrays(self, self.vocabulary_.size)
        ids, scores = ppm_top_k_one(
            packed_tables(self),
            query,
            k,
            self.exclusion,
            ESCAPES[self.escape],
            marks,
            acc,
        )
        return ids, scores

    # -- sequence probabilities
    def log_proba(self, X: Any) -> list[Array]:
        """Return, per sequence, the natural log-probability of each symbol.

        Each symbol is predicted from the (up to ``max_order``) symbols
        before it in its own sequence; the first from the empty context.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The sequences to score.

        Returns
        -------
        list of ndarray
            One float array per sequence, as long as the sequence.
        """
        check_is_fitted(self, "log_proba")
        ss = self._queries(X, "log_proba")
        contexts = suffix_queries(ss, len(self.context_keys_))  # max_order_
        targets = ss.values
        out = np.empty(len(targets))
        step = max(1, _CELLS_PER_CHUNK // self.vocabulary_.size)
        for lo in range(0, len(targets), step):
            proba, _ = self._dense(contexts[lo : lo + step])
            rows = np.arange(len(proba))
            out[lo : lo + step] = np.log(proba[rows, targets[lo : lo + step]])
        return np.split(out, ss.offsets[1:-1])
