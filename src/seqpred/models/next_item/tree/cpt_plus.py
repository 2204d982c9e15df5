"""CPT+: the compact prediction tree with noise reduction and compression (2015)."""

from __future__ import annotations

import threading
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.next_item.tree import _plus_kernels
from seqpred.models.next_item.tree._base import MAX_WINDOW, Batch, CompactTreeBase
from seqpred.models.next_item.tree._kernels import UNBOUNDED

__all__ = ["CPTPlus"]

AUTO_UPDATE_RATIOS = (2.0, 1.0, 0.0)
"""Candidates for ``min_update_ratio="auto"``, the default first."""
DEFAULT_MAX_CANDIDATES = 640
"""Default ``max_candidates``: see the class Notes for the trade-off."""
AUTO_PLUS_LENGTHS: tuple[int | None, ...] = (None, 6, 8)
"""Candidates for ``max_sequence_length="auto"``, the default first. Under
the papers' protocol 8 beats CPT's 20 on MSNBC and BIBLE_WORD and loses
nowhere; CPT keeps (None, 6, 20), which suits its divider better."""


class CPTPlus(CompactTreeBase):
    """CPT with prediction by noise reduction (PNR) and compressible storage.

    CPT+ keeps the structures of :class:`CPT` and changes how the count
    table is filled: first from the sequences similar to the query; then,
    while fewer than ``1 + floor(len(query) * min_update_ratio)`` updates
    have given a prediction, the least frequent ("noisy") items are removed
    from the (sub-)queries, breadth first, and each new sub-query updates
    the table with the sequences not used yet. Its two lossless
    compressions of the prediction tree, CCF (frequent runs of items become
    one symbol) and CBS (chains of single-child nodes merge), are available
    through :meth:`prediction_tree`.

    Parameters
    ----------
    window : int, default=5
        Only the last ``window`` items of a query are used (at most 62),
        after dropping items never seen in training. Queries are matched as
        sets, so long windows rarely match and cost more.
    max_sequence_length : int, None or "auto", default="auto"
        Keep only the last ``max_sequence_length`` items of each training
        sequence (``splitLength``); ``None`` keeps them all; ``"auto"``
        chooses among None (the default), 6 and 8.
    noise_ratio : float, default=1.0
        Share of a sub-query's items treated as noise, each removed in turn
        to make the next sub-queries (the papers' ``TB``, ``noiseRatio`` in
        the code): the ``floor(len * noise_ratio)`` items of lowest support,
        at least one.
    min_update_ratio : float or "auto", default="auto"
        Noise reduction stops once ``1 + floor(len(query) * min_update_ratio)``
        count-table updates have each given a prediction (the papers'
        ``MBR``, ``minPredictionRatio`` in the code); ``"auto"`` chooses
        among 2 (the default), 1 and 0.
    min_score_ratio : float, default=1.002
        An update gives a prediction when the best score is at least this
        many times the next best (the reference implementation's threshold).
        It only decides when noise reduction stops: the final ranking is
        returned even when the top scores are closer.
    predict_repeats : bool or "auto", default="auto"
        Whether an item already in the query may be predicted (the reference
        implementation allows it; the ``cpt`` package does not). ``False``
        leaves the query's items out of the ranking; ``"auto"`` chooses
        (``True`` by default).
    max_consequent_length : int or None, default=98
        Score at most this many items of each consequent (the nearest ones);
        ``None`` scores them all. The reference implementation uses 98.
    max_candidates : int or None, default=640
        A sub-query looks for its similar sequences among the last
        ``max_candidates`` training sequences that hold its rarest item (the
        most recent ones, in training order); ``None`` searches them all.
        This bounds the cost of a query however large the training set grows
        (see Notes).
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when the count table is empty.
    on_unknown : {"ignore", "error"}, default="ignore"
        Query symbols unseen in training are dropped, or raise
        :class:`~seqpred.exceptions.UnknownSymbolError`.

    Attributes
    ----------
    max_sequence_length_ : int or None
        The value used (chosen when the parameter is ``"auto"``).
    min_update_ratio_ : float
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
    Each consequent item found at distance ``d`` after the matched point,
    in a sequence similar to a sub-query with ``|S|`` similar sequences,
    multiplies its score by ``1 + 1/|S| + 0.0001/d`` (the scoring of the
    reference implementation); each training sequence counts once per query.
    Items rank by score, then by support, then by id. :meth:`predict_proba`
    normalises the logarithms of the scores.

    ``"auto"`` parameters are chosen in ``fit``: up to 400 training
    sequences (every k-th) are held out, the model is fitted on (at most
    500 of) the rest with each candidate, and each held-out sequence's last
    item is predicted from the ``window`` items before it. The default candidate
    (listed first) is kept unless another one wins on the same queries by
    more than one standard error of a paired sign test; then the model is
    refitted on all the sequences. One noise-reduction run with the largest
    ratio serves every ratio. The papers tuned these parameters per dataset
    by hand.

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
    number of lengths tried when tuning. A query costs one index
    intersection per sub-query tried plus one scan of each newly similar
    sequence: at most ``2 ** len(query)`` sub-queries, usually a handful (a
    sub-query met again is skipped: its sequences are all used). An
    intersection probes the rarest item's id list against the other items'
    bitsets when that list is short, else ANDs the bitsets word by word.
    ``partial_fit`` appends sequences to the store and the index.

    The candidate bound: without it, the sequences similar to a sub-query of
    frequent items grow with the training set, and so does the cost of a
    query (600x from 10^4 to 10^6 synthetic click sessions); with
    ``max_candidates=M`` a sub-query reads at most ``M`` id-list entries (or
    the bitset words that hold them) and scores at most ``M`` consequents,
    so the cost per query levels off once items occur in more than ``M``
    sequences (1.1-1.6x from 10^4 to 10^6 sessions, ``benchmarks/serve.py``).
    The trade-off: an item's older sequences stop contributing, which favours
    recent behaviour (what a live log wants) and loses evidence on a small
    or stationary log. Under the CPT+ papers' protocol (at most 5,000
    sequences) the default 640 is within 0.3 point of the unbounded model on
    SIGN, BMS, MSNBC, BIBLE_WORD and LEVIATHAN; 256 costs MSNBC 1.3 points;
    ``None`` restores the unbounded search (docs/benchmarks.md).

    Limits: only items that followed all items of a (sub-)query in some
    training sequence can be predicted, and the order of query items is
    ignored when matching.

    References
    ----------
    .. [1] T. Gueniche, P. Fournier-Viger, R. Raman, V. S. Tseng, "CPT+:
       Decreasing the time/space complexity of the Compact Prediction Tree",
       PAKDD 2015, LNCS 9078, pp. 625-636 (sections 3-4).
    .. [2] The authors' implementation, IPredict (``CPTPlusPredictor``), and
       SPMF's copy of it.

    Examples
    --------
    >>> from seqpred.models.next_item import CPTPlus
    >>> model = CPTPlus(max_sequence_length=None, min_update_ratio=1.0,
    ...                 predict_repeats=True)
    >>> model = model.fit([list("ABC"), list("AB"), list("ABDC"), list("BC"),
    ...                    list("EABA")])
    >>> model.predict([["A", "B"], ["Z"]])
    ['C', None]
    >>> model.predict_top_k([["A", "B"]], k=2)
    [[('C', 0.58...), ('A', 0.20...)]]
    >>> round(model.count_table([["A", "B"]])[0]["C"], 4)
    1.8754
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "window": [Interval(int, 1, 62)],
        "max_sequence_length": [None, Interval(int, 1, None), Options({"auto"})],
        "noise_ratio": [Interval(float, 0, 1)],
        "min_update_ratio": [Interval(float, 0, None), Options({"auto"})],
        "min_score_ratio": [Interval(float, 1, None)],
        "predict_repeats": [bool, Options({"auto"})],
        "max_consequent_length": [None, Interval(int, 1, None)],
        "max_candidates": [None, Interval(int, 1, None)],
        "fallback": [None, str, int],
        "on_unknown": [Options({"ignore", "error"})],
    }
    _tags: ClassVar[Tags] = Tags(supports_partial_fit=True)
    _auto_lengths: ClassVar[tuple[int | None, ...]] = AUTO_PLUS_LENGTHS

    def __init__(
        self,
        *,
        window: int = 5,
        max_sequence_length: int | None | str = "auto",
        noise_ratio: float = 1.0,
        min_update_ratio: float | str = "auto",
        min_score_ratio: float = 1.002,
        predict_repeats: bool | str = "auto",
        max_consequent_length: int | None = 98,
        max_candidates: int | None = DEFAULT_MAX_CANDIDATES,
        fallback: Any = None,
        on_unknown: str = "ignore",
    ) -> None:
        self.window = window
        self.max_sequence_length = max_sequence_length
        self.noise_ratio = noise_ratio
        self.min_update_ratio = min_update_ratio
        self.min_score_ratio = min_score_ratio
        self.predict_repeats = predict_repeats
        self.max_consequent_length = max_consequent_length
        self.max_candidates = max_candidates
        self.fallback = fallback
        self.on_unknown = on_unknown

    min_update_ratio_: float

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {},
            {"window": 4, "max_consequent_length": None},
            {"noise_ratio": 0.0, "min_update_ratio": 0.0, "max_sequence_length": 4},
            {"fallback": "most_frequent", "predict_repeats": False},
        ]

    def _options(self) -> list[Any]:
        if self.min_update_ratio == "auto":
            return list(AUTO_UPDATE_RATIOS)
        return [float(self.min_update_ratio)]

    def _set_option(self, option: Any) -> None:
        self.min_update_ratio_ = float(option)

    def _limits(self) -> Array:
        bound = self.max_candidates
        return np.array(
            [self._max_consequent(), UNBOUNDED if bound is None else int(bound)],
            dtype=np.int64,
        )

    def _settings(self, ratio: float) -> Array:
        return np.array([self.noise_ratio, ratio, self.min_score_ratio], np.float64)

    def _validate(
        self, queries: Batch, targets: SequenceSet, options: list[Any]
    ) -> Array:
        order = np.argsort(options, kind="stable")  # the kernel wants increasing
        hits = np.zeros((len(queries), len(options), 2), dtype=np.int8)
        _plus_kernels.validate_plus_batch(
            queries.values,
            queries.offsets,
            targets.values,
            targets.offsets,
            self._structures(),
            self.item_support_,
            self._settings(max(options)),
            self._limits(),
            np.asarray(options, dtype=np.float64)[order],
            hits,
            self._n_chunks(len(queries)),
        )
        return hits[:, np.argsort(order)]

    def _top_k_one(self, query: Array, k: int) -> tuple[Array, Array]:
        """One query through the compiled one-query path (work arrays reused)."""
        one = self._one_query()
        thread = threading.get_ident()
        work = one.by_thread.get(thread)
        if work is None:
            work = one.by_thread[thread] = _plus_kernels.new_work(
                one.structures, len(self.item_support_), one.window
            )
        ids, scores = _plus_kernels.predict_plus_one(
            query, one.window, work, one.structures, self.item_support_,
            one.settings, one.limits, not self.predict_repeats_, k,
        )  # fmt: skip
        return ids, scores

    def _one_query(self) -> _OneQuery:
        """Return the structures, settings and work of the one-query path."""
        params = (
            self.window,
            self.noise_ratio,
            self.min_update_ratio_,
            self.min_score_ratio,
            self.max_consequent_length,
            self.max_candidates,
        )
        one = self.__dict__.get("_one_query_cache")
        if (
            one is None
            or one.values is not self.sequence_values_
            or one.support is not self.item_support_
            or one.params != params
        ):
            one = self._one_query_cache = _OneQuery(self, params)
        return one

    def _count_tables(
        self, queries: Batch, ids: Array, scores: Array, dense: Array, raw: bool
    ) -> None:
        _plus_kernels.predict_plus_batch(
            queries.values,
            queries.offsets,
            self._structures(),
            self.item_support_,
            self._settings(self.min_update_ratio_),
            self._limits(),
            raw,
            not self.predict_repeats_,
            ids,
            scores,
            dense,
            self._n_chunks(len(queries)),
        )


class _OneQuery:
    """A private cache of :meth:`CPTPlus._top_k_one` (not saved, not counted).

    Holds the model's structures, settings and limits as the kernel takes
    them, and one set of work arrays per calling thread (about 8 bytes per
    training sequence and 48 per symbol each). ``fit`` and ``partial_fit``
    replace the arrays it was built from, and a parameter change changes
    ``params``: either rebuilds it.
    """

    __slots__ = (
        "by_thread",
        "limits",
        "params",
        "settings",
        "structures",
        "support",
        "values",
        "window",
    )

    def __init__(self, model: CPTPlus, params: tuple[Any, ...]) -> None:
        self.values = model.sequence_values_
        self.support = model.item_support_
        self.params = params
        self.structures = model._structures()
        self.settings = model._settings(model.min_update_ratio_)
        self.limits = model._limits()
        self.window = min(model.window, MAX_WINDOW)
        self.by_thread: dict[int, Any] = {}
