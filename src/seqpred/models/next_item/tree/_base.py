"""What CPT and CPT+ share: storage, index, tuning, incremental training, querying."""

from __future__ import annotations

import logging
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from seqpred._numba import n_threads
from seqpred._typing import Array
from seqpred.base import check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import InvalidParameterError
from seqpred.models.next_item.base import NextItemMixin
from seqpred.models.next_item.tree._compression import (
    collapse_branches,
    encode_frequent_runs,
)
from seqpred.models.next_item.tree._index import (
    PredictionTree,
    build_tree,
    dense_rows,
    index_from_pairs,
)
from seqpred.models.next_item.tree._kernels import Structures, window_queries

__all__ = ["Batch", "CompactTreeBase"]

logger = logging.getLogger(__name__)

MAX_WINDOW = 62  # sub-queries are bitmasks over the query's positions
AUTO_LENGTHS: tuple[int | None, ...] = (None, 6, 20)
"""Candidates for ``max_sequence_length="auto"``, the default first (a
subclass may list its own in ``_auto_lengths``)."""
_MIN_TUNING_SEQUENCES = 20
_MAX_VALIDATION = 400
_MAX_TUNING_TRAIN = 500
_MIN_PARALLEL = 8
"""Smallest batch split over threads: a CPT/CPT+ query costs 10-50 µs, so
waking the thread pool pays from about 8 queries on."""
_SETUP_PER_QUERY = 4096
"""Work-array entries (vocabulary + sequences) that one query's work
outweighs: a piece of a threaded batch gets a query per this many."""


@dataclass(frozen=True)
class Batch:
    """Encoded queries ready for the kernels: flat ``values`` and ``offsets``."""

    values: Array
    offsets: Array

    def __len__(self) -> int:
        return len(self.offsets) - 1


def _owners(offsets: Array) -> tuple[Array, Array]:
    """For every stored item, its sequence and its position in that sequence."""
    lengths = np.diff(offsets)
    owner = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    return owner, np.arange(int(offsets[-1]), dtype=np.int64) - offsets[owner]


def _tails(values: Array, offsets: Array) -> Array:
    """Each sequence's last item when it occurs nowhere else in it, else ``-1``.

    A sub-query holding that item has an empty consequent in the sequence,
    which the kernels then skip without reading it.
    """
    lengths = np.diff(offsets)
    if len(values) == 0:
        return np.full(len(lengths), -1, dtype=np.int32)
    owner = np.repeat(np.arange(len(lengths)), lengths)
    last = values[np.maximum(offsets[1:] - 1, 0)]
    count = np.bincount(owner[values == last[owner]], minlength=len(lengths))
    return np.where((count == 1) & (lengths > 0), last, -1).astype(np.int32)


def _choose(hits: Array, modes: list[int]) -> tuple[int, int, int]:
    """Pick (length, option, mode) indices from per-query validation hits.

    ``hits`` has shape ``(n_lengths, n_queries, n_options, 2)``; the last
    axis is "repeats allowed" / "query items left out", restricted to
    ``modes``. Index ``(0, 0, 0)`` is the default. A candidate replaces it
    only when it wins on the same queries by more than one standard error of
    a paired (sign-test) comparison; among such candidates the one with the
    most hits is chosen. Small validation sets thus keep the default instead
    of chasing noise.
    """
    default = hits[0, :, 0, modes[0]].astype(np.int64)
    best, best_hits = (0, 0, 0), -1
    for i in range(hits.shape[0]):
        for j in range(hits.shape[2]):
            for r, mode in enumerate(modes):
                column = hits[i, :, j, mode].astype(np.int64)
                gain = int(column.sum() - default.sum())
                discordant = int(np.abs(column - default).sum())
                if gain > np.sqrt(max(discordant, 1)) and column.sum() > best_hits:
                    best, best_hits = (i, j, r), int(column.sum())
    return best


class CompactTreeBase(NextItemMixin):
    """Prediction tree, inverted index and lookup table, and the query pipeline.

    Subclasses hold the parameters ``window``, ``max_sequence_length``,
    ``predict_repeats`` and ``max_consequent_length``, and implement
    :meth:`_count_tables` (prediction), :meth:`_options`,
    :meth:`_set_option` and :meth:`_validate` (their tuned parameter).

    The training sequences are stored flat (``sequence_values_`` and
    ``sequence_offsets_``, whose offsets are the lookup table); the
    prediction tree is built on request by :meth:`prediction_tree`.

    With ``"auto"`` parameters, ``fit`` holds out up to 400 training
    sequences (every k-th), fits on up to 500 of the rest with each
    candidate, scores the prediction of each held-out sequence's last item
    from the ``window`` items before it, keeps the default unless a
    candidate clearly beats it (:func:`_choose`) and refits on everything.
    """

    _auto_lengths: ClassVar[tuple[int | None, ...]] = AUTO_LENGTHS

    window: int
    max_sequence_length: int | None | str
    predict_repeats: bool | str
    max_consequent_length: int | None

    max_sequence_length_: int | None
    predict_repeats_: bool
    sequence_values_: Array
    sequence_offsets_: Array
    sequence_tails_: Array
    index_ptr_: Array
    index_sequences_: Array
    index_positions_: Array
    item_support_: Array
    dense_row_: Array
    dense_bits_: Array

    # -- to implement
    def _options(self) -> list[Any]:
        """Candidate values of the subclass's tuned parameter, the default first."""
        raise NotImplementedError

    def _set_option(self, option: Any) -> None:
        raise NotImplementedError

    def _validate(
        self, queries: Batch, targets: SequenceSet, options: list[Any]
    ) -> Array:
        """Return top-1 hits ``(n_queries, n_options, 2)``, with or without repeats."""
        raise NotImplementedError

    def _count_tables(
        self, queries: Batch, ids: Array, scores: Array, dense: Array, raw: bool
    ) -> None:
        raise NotImplementedError

    # -- building
    def _cut(self, ss: SequenceSet) -> SequenceSet:
        if self.max_sequence_length_ is None:
            return ss
        return ss.slice_steps(-self.max_sequence_length_, None)

    def _fit(self, ss: SequenceSet) -> None:
        self._tune(ss)
        ss = self._cut(ss)
        self._store(ss.values, ss.offsets)

    def _store(self, values: Array, offsets: Array) -> None:
        """Keep the (cut) training sequences and build their inverted index."""
        self.sequence_values_ = values.astype(np.int32)
        self.sequence_offsets_ = offsets.astype(np.int64)
        self.sequence_tails_ = _tails(values, offsets)
        n_sequences = len(offsets) - 1
        owner, position = _owners(offsets)
        self._index_pairs(values, owner, position, n_sequences)

    def _index_pairs(
        self, items: Array, owners: Array, positions: Array, n_sequences: int
    ) -> None:
        ptr, sequences, support, first = index_from_pairs(
            items, owners, self.vocabulary_.size, n_sequences, positions
        )
        self.index_ptr_ = ptr
        self.index_sequences_ = sequences
        self.index_positions_ = first
        self.item_support_ = support
        self.dense_row_, self.dense_bits_ = dense_rows(ptr, sequences, n_sequences)

    # -- tuning
    def _tune(self, ss: SequenceSet) -> None:
        """Resolve the ``"auto"`` parameters on held-out training sequences.

        Candidates are listed default first; see :func:`_choose`.
        """
        lengths = (
            list(self._auto_lengths)
            if self.max_sequence_length == "auto"
            else [self.max_sequence_length]
        )
        repeats = (
            [True, False]
            if self.predict_repeats == "auto"
            else [bool(self.predict_repeats)]
        )
        options = self._options()
        self.max_sequence_length_ = lengths[0]  # type: ignore[assignment]
        self._set_option(options[0])
        self.predict_repeats_ = repeats[0]
        if len(lengths) * len(repeats) * len(options) == 1:
            return
        held_out = self._held_out(ss)
        if held_out is None:
            return
        train, queries, targets = held_out
        hits = []
        for length in lengths:
            self.max_sequence_length_ = length  # type: ignore[assignment]
            cut = self._cut(train)
            self._store(cut.values, cut.offsets)
            hits.append(self._validate(self._prepare(queries), targets, options))
        stacked = np.stack(hits)
        i, j, r = _choose(stacked, [0 if repeat else 1 for repeat in repeats])
        logger.debug(
            "%s: validation hits per length %s", type(self).__name__, stacked.sum(1)
        )
        self.max_sequence_length_ = lengths[i]  # type: ignore[assignment]
        self._set_option(options[j])
        self.predict_repeats_ = repeats[r]

    def _held_out(
        self, ss: SequenceSet
    ) -> tuple[SequenceSet, SequenceSet, SequenceSet] | None:
        """Split off every k-th sequence of length >= 2 as validation queries.

        Returns the training part (at most 500 evenly spaced sequences), the
        queries (the ``window`` items before each held-out sequence's last
        item) and the targets (that item).
        """
        n = len(ss)
        if n < _MIN_TUNING_SEQUENCES:
            return None
        n_validation = min(n // 5, _MAX_VALIDATION)
        stride = n // n_validation
        chosen = np.zeros(n, dtype=bool)
        chosen[np.arange(stride - 1, n, stride)[:n_validation]] = True
        chosen &= ss.lengths >= 2
        if not chosen.any():
            return None
        validation = ss[chosen]
        queries = validation.slice_steps(-(min(self.window, MAX_WINDOW) + 1), -1)
        train = np.flatnonzero(~chosen)
        if len(train) > _MAX_TUNING_TRAIN:  # evenly spaced: tuning cost is bounded
            step = len(train) / _MAX_TUNING_TRAIN
            train = train[(np.arange(_MAX_TUNING_TRAIN) * step).astype(np.int64)]
        return ss[train], queries, validation.slice_steps(-1, None)

    # -- incremental training
    def partial_fit(self, X: Any, y: None = None) -> CompactTreeBase:
        """Add training sequences to the fitted model; return ``self``.

        New sequences (cut to ``max_sequence_length_``) are appended to the
        sequence store, its lookup table and the inverted index; new symbols
        extend ``vocabulary_``. Predictions then equal those of a model
        fitted on all the sequences with the same resolved parameters
        (``"auto"`` values stay as the first ``fit`` chose them). On an
        unfitted model this is :meth:`fit`.

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
            return self.fit(X)  # type: ignore[return-value]
        vocabulary = self.vocabulary_.copy()
        ss = as_sequence_set(
            X,
            vocabulary=vocabulary,
            unknown="add",
            kind="discrete",
            owner=type(self).__name__,
        )
        vocabulary.freeze()
        counts = np.bincount(ss.values, minlength=vocabulary.size)
        counts[: len(self.item_counts_)] += self.item_counts_
        ss = self._cut(ss)
        n_old = len(self.sequence_offsets_) - 1
        old_items = np.repeat(
            np.arange(len(self.item_support_), dtype=np.int64), self.item_support_
        )
        owner, position = _owners(ss.offsets)
        self.vocabulary_ = vocabulary
        self.sequence_values_ = np.concatenate(
            [self.sequence_values_, ss.values.astype(np.int32)]
        )
        self.sequence_offsets_ = np.concatenate(
            [self.sequence_offsets_, self.sequence_offsets_[-1] + ss.offsets[1:]]
        )
        self.sequence_tails_ = np.concatenate(
            [self.sequence_tails_, _tails(ss.values, ss.offsets)]
        )
        self._index_pairs(
            np.concatenate([old_items, ss.values]),
            np.concatenate([self.index_sequences_.astype(np.int64), owner + n_old]),
            np.concatenate([self.index_positions_.astype(np.int64), position]),
            n_old + len(ss),
        )
        self.item_counts_ = counts
        self.n_sequences_ += len(ss)
        return self

    def training_sequences(self) -> list[list[Hashable]]:
        """Return the training sequences as stored (cut to ``max_sequence_length_``).

        Returns
        -------
        list of list
            One list of symbols per training sequence, in training order.
        """
        check_is_fitted(self, "training_sequences")
        ss = SequenceSet(
            self.sequence_values_.astype(np.int64),
            self.sequence_offsets_,
            vocabulary=self.vocabulary_,
        )
        return ss.to_lists()

    def prediction_tree(
        self,
        *,
        compress_frequent: bool = False,
        compress_branches: bool = False,
        min_frequent_length: int = 2,
        max_frequent_length: int = 4,
        min_frequent_support: int = 2,
    ) -> PredictionTree:
        """Build the prediction tree of the stored sequences, optionally compressed.

        The model predicts from its flat sequence store, which holds the same
        information; the tree shows the papers' structure and what CPT+'s
        two lossless compressions make of it.

        Parameters
        ----------
        compress_frequent : bool, default=False
            Apply CCF: runs of ``min_frequent_length..max_frequent_length``
            items that occur at least ``min_frequent_support`` times become
            one symbol (the papers' ``CCFmin``, ``CCFmax``, ``CCFsup``).
        compress_branches : bool, default=False
            Apply CBS: merge chains of single-child nodes into one node.
        min_frequent_length : int, default=2
            Shortest run considered by CCF.
        max_frequent_length : int, default=4
            Longest run considered by CCF.
        min_frequent_support : int, default=2
            Occurrences a run needs to become a CCF symbol.

        Returns
        -------
        PredictionTree
            The nodes, the lookup table and the dictionary of compressed runs.
        """
        check_is_fitted(self, "prediction_tree")
        if not 2 <= min_frequent_length <= max_frequent_length:
            raise InvalidParameterError(
                f"{type(self).__name__}.prediction_tree: need 2 <= "
                f"min_frequent_length <= max_frequent_length; got "
                f"{min_frequent_length} and {max_frequent_length}. Use 2 and 4."
            )
        values = self.sequence_values_.astype(np.int64)
        offsets = self.sequence_offsets_
        n_items = self.vocabulary_.size
        d_ptr, d_items = np.zeros(1, np.int64), np.empty(0, np.int64)
        if compress_frequent:
            values, offsets, d_ptr, d_items = encode_frequent_runs(
                values,
                offsets,
                n_items,
                min_frequent_length,
                max_frequent_length,
                max(int(min_frequent_support), 1),
            )
        parent, symbol, lookup = build_tree(values, offsets)
        if compress_branches:
            parent, symbol, lookup, d_ptr, d_items = collapse_branches(
                parent, symbol, lookup, n_items, d_ptr, d_items
            )
        return PredictionTree(
            parent.astype(np.int32),
            symbol.astype(np.int32),
            lookup.astype(np.int32),
            d_ptr,
            d_items.astype(np.int32),
            self.vocabulary_,
        )

    # -- querying
    def _structures(self) -> Structures:
        return (
            self.sequence_values_,
            self.sequence_offsets_,
            self.index_ptr_,
            self.index_sequences_,
            self.dense_row_,
            np.ascontiguousarray(self.dense_bits_),
            self.sequence_tails_,
            self.index_positions_,
        )

    def _prepare(self, queries: SequenceSet) -> Batch:
        """Drop items never seen in training; keep the last ``window`` items."""
        values, offsets = window_queries(
            queries.values,
            queries.offsets,
            self.item_support_,
            min(self.window, MAX_WINDOW),
        )
        return Batch(values, offsets)

    def _n_chunks(self, n: int) -> int:
        """Pieces a batch of ``n`` queries is split into (several per thread).

        Each piece allocates its own work arrays, about ``vocabulary +
        sequences`` entries, so a piece gets at least one query per
        ``_SETUP_PER_QUERY`` of them; batches under ``_MIN_PARALLEL`` queries
        (or too few for two pieces) run in the calling thread, where waking
        the thread pool costs more than it saves. Measured: SIGN and BMS
        folds gain 1.1-1.2x from 8 queries on; with 100,000 items, 8 queries
        in 8 pieces ran 3x slower than in one.
        """
        if n < _MIN_PARALLEL:
            return 1
        setup = self.vocabulary_.size + len(self.sequence_offsets_) - 1
        per_piece = max(1, setup // _SETUP_PER_QUERY)
        pieces = min(n // per_piece, 4 * n_threads())
        return pieces if pieces >= 2 else 1

    def _max_consequent(self) -> int:
        limit = self.max_consequent_length
        return int(np.iinfo(np.int32).max) if limit is None else int(limit)

    def _run(
        self, queries: SequenceSet, k: int, want_dense: bool, raw: bool
    ) -> tuple[Array, Array, Array]:
        n = len(queries)
        ids = np.full((n, k), -1, dtype=np.int64)
        scores = np.zeros((n, k), dtype=np.float64)
        width = self.vocabulary_.size if want_dense else 0
        dense = np.zeros((n, width), dtype=np.float64)
        self._count_tables(self._prepare(queries), ids, scores, dense, raw)
        return ids, scores, dense

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        ids, scores, _ = self._run(queries, k, want_dense=False, raw=False)
        return ids, scores

    def _proba(self, queries: SequenceSet) -> Array:
        return self._run(queries, 1, want_dense=True, raw=False)[2]

    def count_table(self, X: Any) -> list[dict[Hashable, float]]:
        """Return each query's count table: the raw score of every candidate item.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The queries.

        Returns
        -------
        list of dict
            One ``{symbol: score}`` per query, by decreasing score; empty for
            no match. Query items are left out unless ``predict_repeats_``.
        """
        queries = self._queries(X, "count_table")
        dense = self._run(queries, 1, want_dense=True, raw=True)[2]
        tables = []
        for row in dense:
            at = np.flatnonzero(row)
            at = at[np.lexsort((at, -row[at]))]
            symbols = self.vocabulary_.decode(at)
            tables.append(dict(zip(symbols, row[at].tolist())))
        return tables
