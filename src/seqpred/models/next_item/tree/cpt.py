"""CPT: the compact prediction tree (Gueniche et al., 2013)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.next_item.tree import _cpt_kernels
from seqpred.models.next_item.tree._base import Batch, CompactTreeBase

__all__ = ["CPT"]

AUTO_MIN_REMOVED = (2, 0, 3)
"""Candidates for ``min_removed_items="auto"``, the default first."""


class CPT(CompactTreeBase):
    """Predict the next item from the training sequences that contain the query's items.

    CPT keeps the training sequences without loss, with an *inverted index*
    (for each item, the sequences containing it) and a *lookup table* (from
    a sequence id to the sequence). To predict, the sequences containing
    every item of the query, in any order, are *similar*; the items of each
    similar sequence after the point where all query items have been seen
    form its *consequent*, and every consequent item scores in a *count
    table*. When no similar sequence has a consequent, the *recursive
    divider* retries with the sub-queries missing one, two, ... items.

    Parameters
    ----------
    window : int, default=5
        Only the last ``window`` items of a query are used (at most 62),
        after dropping items never seen in training. Queries are matched as
        sets, so long windows rarely match and cost more.
    max_sequence_length : int, None or "auto", default="auto"
        Keep only the last ``max_sequence_length`` items of each training
        sequence (the papers' ``splitLength``); ``None`` keeps them all;
        ``"auto"`` chooses among None (the default), 6 and 20.
    min_removed_items : int or "auto", default="auto"
        The first count table uses the query and every sub-query missing up
        to this many items (the papers' ``recursiveDividerMin`` minus one);
        ``"auto"`` chooses among 2 (the default), 0 and 3.
    max_removed_items : int, default=4
        While the count table stays empty, one more item may be removed, up
        to this many (the papers' ``recursiveDividerMax`` minus two), always
        leaving at least one item.
    predict_repeats : bool or "auto", default="auto"
        Whether an item already in the query may be predicted (the reference
        implementation allows it; the ``cpt`` package does not). ``False``
        leaves the query's items out of the ranking; ``"auto"`` chooses
        (``True`` by default).
    max_consequent_length : int or None, default=None
        Score at most this many items of each consequent (the nearest ones);
        ``None`` scores the whole consequent.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when the count table is empty: ``None``
        reports *no match*.
    on_unknown : {"ignore", "error"}, default="ignore"
        Query symbols unseen in training are dropped, or raise
        :class:`~seqpred.exceptions.UnknownSymbolError`.

    Attributes
    ----------
    max_sequence_length_ : int or None
        The value used (chosen when the parameter is ``"auto"``).
    min_removed_items_ : int
        The value used (chosen when the parameter is ``"auto"``).
    predict_repeats_ : bool
        The value used (chosen when the parameter is ``"auto"``).
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        How often each id occurs in the training data.
    n_sequences_ : int
        Number of training sequences.
    sequence_values_ : ndarray of int32
        The stored training sequences (cut to ``max_sequence_length_``),
        concatenated.
    sequence_offsets_ : ndarray of int64, shape (n_sequences_ + 1,)
        Where each stored sequence starts in ``sequence_values_``: the
        lookup table from sequence id to sequence.
    index_ptr_, index_sequences_ : ndarray
        The inverted index as CSR: ``index_sequences_[index_ptr_[i]:
        index_ptr_[i + 1]]`` lists the sequences containing item id ``i``.
    item_support_ : ndarray of int64, shape (vocabulary_.size,)
        Number of stored sequences containing each item.
    dense_row_, dense_bits_ : ndarray
        Bitset rows of the inverted index for the items in more than 1/32
        of the sequences (never larger than their id lists; they make
        intersections word-wise ANDs).

    Notes
    -----
    A similar sequence found with a (sub-)query of ``j`` of the query's
    ``m`` items adds ``(j / m) / |similar|`` to the score of each consequent
    item, once per occurrence; each sequence counts once per level of the
    divider (as soon as it gives a consequent). Items rank by score, then by
    the summed inverse distances of their occurrences to the matched points
    (nearer first), then by support, then by id. :meth:`predict_proba`
    normalises the count table.

    ``"auto"`` parameters are chosen in ``fit``: up to 400 training
    sequences (every k-th) are held out, the model is fitted on (at most
    500 of) the rest with each candidate, and each held-out sequence's last
    item is predicted from the ``window`` items before it. The default candidate
    (listed first) is kept unless another one wins on the same queries by
    more than one standard error of a paired sign test; then the model is
    refitted on all the sequences. The papers tuned these parameters per
    dataset by hand.

    Storage: the sequences are kept flat (4 bytes per item) with the
    offsets as lookup table, instead of as a trie. On the papers' datasets
    the trie has nearly as many nodes as there are items (little prefix
    sharing), so it takes about twice the memory and is several times slower
    to read back; :meth:`prediction_tree` builds it, with CPT+'s CCF and CBS
    compressions, for inspection.

    Queries run in compiled kernels, split over numba's threads (set
    ``NUMBA_NUM_THREADS`` to limit them); without numba they run as Python,
    slowly, with the same results (``SEQPRED_DISABLE_NUMBA=1`` forces it).

    Cost: ``fit`` is ``O(n log n)`` for ``n`` items (vectorised), times the
    number of candidates when tuning. A query costs, per sub-query, one
    intersection of index rows plus one scan of each newly similar sequence;
    level ``r`` of the divider visits the ``O(C(m, r))`` sub-queries missing
    up to ``r`` items. ``partial_fit`` appends sequences to the store and
    the index.

    Limits: only items that followed *all* items of a (sub-)query in some
    training sequence can be predicted, and the order of the query items is
    ignored when matching. Unlike the reference implementation, sub-queries
    may shrink to a single item, a query too short for ``min_removed_items``
    starts at its largest level, and ties are not broken by hash order.

    References
    ----------
    .. [1] T. Gueniche, P. Fournier-Viger, V. S. Tseng, "Compact Prediction
       Tree: A Lossless Model for Accurate Sequence Prediction", ADMA 2013,
       LNCS 8347, pp. 177-188 (sections 3-4).
    .. [2] The authors' implementation, IPredict (``CPTPredictor`` with the
       recursive divider), and SPMF's copy of it.

    Examples
    --------
    >>> from seqpred.models.next_item import CPT
    >>> model = CPT(max_sequence_length=None, min_removed_items=0,
    ...             predict_repeats=True)
    >>> model = model.fit([list("ABC"), list("AB"), list("ABDC"), list("BC"),
    ...                    list("EABA")])
    >>> model.predict([["A", "B"], ["Z"]])
    ['C', None]
    >>> model.count_table([["A", "B"]])
    [{'C': 0.5, 'A': 0.25, 'D': 0.25}]
    >>> tree = model.prediction_tree(compress_branches=True)
    >>> [(parent, "".join(items)) for _, parent, items in tree.edges()]
    [(0, 'AB'), (0, 'BC'), (1, 'C'), (1, 'DC'), (0, 'EABA')]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "window": [Interval(int, 1, 62)],
        "max_sequence_length": [None, Interval(int, 1, None), Options({"auto"})],
        "min_removed_items": [Interval(int, 0, None), Options({"auto"})],
        "max_removed_items": [Interval(int, 0, None)],
        "predict_repeats": [bool, Options({"auto"})],
        "max_consequent_length": [None, Interval(int, 1, None)],
        "fallback": [None, str, int],
        "on_unknown": [Options({"ignore", "error"})],
    }
    _tags: ClassVar[Tags] = Tags(supports_partial_fit=True)

    def __init__(
        self,
        *,
        window: int = 5,
        max_sequence_length: int | None | str = "auto",
        min_removed_items: int | str = "auto",
        max_removed_items: int = 4,
        predict_repeats: bool | str = "auto",
        max_consequent_length: int | None = None,
        fallback: Any = None,
        on_unknown: str = "ignore",
    ) -> None:
        self.window = window
        self.max_sequence_length = max_sequence_length
        self.min_removed_items = min_removed_items
        self.max_removed_items = max_removed_items
        self.predict_repeats = predict_repeats
        self.max_consequent_length = max_consequent_length
        self.fallback = fallback
        self.on_unknown = on_unknown

    min_removed_items_: int

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {},
            {"window": 3, "max_sequence_length": 5, "predict_repeats": False},
            {
                "fallback": "most_frequent",
                "max_sequence_length": None,
                "min_removed_items": 1,
                "max_removed_items": 1,
            },
        ]

    def _options(self) -> list[Any]:
        if self.min_removed_items == "auto":
            return list(AUTO_MIN_REMOVED)
        return [self.min_removed_items]

    def _set_option(self, option: Any) -> None:
        self.min_removed_items_ = int(option)

    def _validate(
        self, queries: Batch, targets: SequenceSet, options: list[Any]
    ) -> Array:
        hits = np.zeros((len(queries), max(options) + 1, 2), dtype=np.int8)
        _cpt_kernels.validate_cpt_batch(
            queries.values,
            queries.offsets,
            targets.values,
            targets.offsets,
            self._structures(),
            self.item_support_,
            self.max_removed_items,
            self._max_consequent(),
            hits,
            self._n_chunks(len(queries)),
        )
        return hits[:, options]

    def _count_tables(
        self, queries: Batch, ids: Array, scores: Array, dense: Array, raw: bool
    ) -> None:
        _cpt_kernels.predict_cpt_batch(
            queries.values,
            queries.offsets,
            self._structures(),
            self.item_support_,
            self.min_removed_items_,
            self.max_removed_items,
            self._max_consequent(),
            raw,
            not self.predict_repeats_,
            ids,
            scores,
            dense,
            self._n_chunks(len(queries)),
        )
