"""Mergeable statistics: count chunks anywhere, merge, get the model of all the data.

The models whose ``fit`` is counting (the Markov family but LZ78, DG, the
naive forecasters and the k-mer classifier) implement one small contract,
the map-reduce of their ``fit``:

``model.statistics(chunk, y=None, *, vocabulary=..., keys=...)``
    what one chunk of training sequences tells the model: a
    :class:`Statistics` (arrays of counts, small for most models);
``merge(a, b, ...)``
    the statistics of the chunks together; associative **and** commutative,
    so a tree reduction in any order (processes, Spark's ``treeReduce``)
    gives the same result;
``model.from_statistics(statistics)``
    the fitted model, **exactly** the one ``model.fit`` gives on all the
    chunks at once (the same stored arrays, the same predictions).

**Ids are assigned before counting.** A model's counts are keyed by symbol
ids, and ``fit`` numbers symbols by first appearance. Every chunk is
therefore encoded with one shared vocabulary, built first:
``first_seen(chunk, start=position of its first event)`` records where each
symbol of a chunk first appears, :func:`merge` keeps the earliest position
per symbol (associative and commutative as well) and
:meth:`FirstSeen.vocabulary` numbers the symbols by that position, which is
the vocabulary ``fit`` builds on the chunks in order. Statistics counted
with different vocabularies refuse to merge. (A final re-encoding pass
instead would have to re-key every table, and cannot re-key the hashed
k-mer features at all.) On Spark, :mod:`seqpred.spark` computes the same
vocabulary with one ``groupBy(item).min(sequence, time)``.

**Order.** The merged counts do not depend on how the data was cut. Parts
of a model that keep one row per training sequence (the k-mer classifier's
document rows, a forecaster's series) are ordered by ``keys``: one
sortable key per sequence giving its place in the whole data (by default
``0 .. N-1``, which suits a single chunk; chunks of one data set pass
disjoint ranges or the sequence ids). Two chunks with a common key refuse
to merge.

**Local processes.** The counting next-item models take ``n_jobs``: ``fit``
on large inputs then counts contiguous chunks in ``n_jobs`` processes
(forked where the platform allows, so the input is shared, not copied; the
statistics come back pickled through a pipe, which never touches a file)
and merges them (:func:`statistics_in_processes`).

Which models, and which not
---------------------------
=====================  ===============================================
model                  statistics
=====================  ===============================================
markov, akom, ppm      item counts and the context tables of every
                       order, merged by re-interning contexts order by
                       order (the merge ``partial_fit`` uses)
tdag                   the tree's tables; with ``min_count="auto"`` also
                       the held-out heads' tables and the distinct
                       (context, target) pairs of the held-out tails with
                       their counts, so the threshold's validation hits
                       are computed once, after the merge
dg                     item counts and the (item, later item) arc counts
kmer                   the document-by-k-mer counts (keys, not columns)
                       and labels; the tf-idf, naive-Bayes scales and the
                       logistic regression run after the merge
naive, seasonal-naive, the training series themselves (what these models
drift, mean            store and continue), concatenated by key
=====================  ===============================================

LZ78 is not mergeable: its phrase tree is built by parsing the sequences
one after the other, each parse starting from the tree all earlier
sequences built, so a chunk's phrases depend on every chunk before it.
CPT and CPT+ keep every training sequence (their prediction tree and
inverted index are the data, not counts); they scale by collecting the
encoded sequences (int ids, not text) to one process and fitting there
(see ``docs/scale.md``).

Examples
--------
>>> from seqpred.models.next_item import MarkovPredictor
>>> from seqpred.models.mergeable import first_seen, merge
>>> part1, part2 = [list("abcab"), list("abd")], [list("dcab"), list("eab")]
>>> vocabulary = merge(first_seen(part1), first_seen(part2, start=8)).vocabulary()
>>> vocabulary.symbols
['a', 'b', 'c', 'd', 'e']
>>> model = MarkovPredictor(order=2)
>>> a = model.statistics(part1, vocabulary=vocabulary)
>>> b = model.statistics(part2, vocabulary=vocabulary)
>>> merged = MarkovPredictor(order=2).from_statistics(merge(a, b))
>>> whole = MarkovPredictor(order=2).fit(part1 + part2)
>>> merged.predict_top_k(["ca", "b"]) == whole.predict_top_k(["ca", "b"])
True
"""

from __future__ import annotations

import multiprocessing
import os
import warnings
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from typing_extensions import Self

__all__ = [
    "MAX_STEPS_PER_CHUNK",
    "MIN_STEPS_PER_PROCESS",
    "FirstSeen",
    "MergeableMixin",
    "Statistics",
    "chunk_bounds",
    "first_seen",
    "is_mergeable",
    "merge",
    "resolve_n_jobs",
    "statistics_in_processes",
]

MIN_STEPS_PER_PROCESS = 200_000
"""Fewer training steps per process than this and ``fit`` counts in one process.

Forking, pickling the statistics back and merging them cost a few tens of
milliseconds, what counting about 10^5 steps costs.
"""

MAX_STEPS_PER_CHUNK = 4_000_000
"""Steps a process counts at a time in :func:`statistics_in_processes`.

Counting holds about 15 arrays as long as the chunk; chunks of 4 x 10^6 steps
keep that near 500 MB per process, whatever the size of the data.
"""


# -- the statistics --------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Statistics:
    """What chunks of training data tell a counting model (merge with :func:`merge`).

    Attributes
    ----------
    model : type
        The estimator class that counted them (``from_statistics`` of that
        class only).
    params : dict
        The parameters the counts depend on (``order``, ``lookahead``, ...);
        statistics counted with other values refuse to merge.
    vocabulary : Vocabulary or None
        The shared vocabulary the chunks were encoded with (``None`` for
        numeric series).
    counts : dict
        The model's mergeable parts (arrays of counts, per-order tables,
        per-sequence rows with their ``keys``).
    """

    model: type
    params: dict[str, Any]
    vocabulary: Vocabulary | None
    counts: dict[str, Any] = field(repr=False)

    def __repr__(self) -> str:
        size = "" if self.vocabulary is None else f", symbols={len(self.vocabulary)}"
        return (
            f"Statistics({self.model.__name__}, n_sequences="
            f"{self.counts.get('n_sequences')}{size})"
        )


@dataclass(frozen=True, eq=False)
class FirstSeen:
    """Where each symbol first appears in a part of the data (merge with :func:`merge`).

    Attributes
    ----------
    symbols : list
        The symbols, by increasing first position.
    positions : ndarray of int64
        The position (index among all events) of each symbol's first
        occurrence.
    """

    symbols: list[Hashable]
    positions: Array

    def vocabulary(self) -> Vocabulary:
        """Return the frozen vocabulary numbering symbols by first appearance.

        Examples
        --------
        >>> first_seen([["b", "a"]]).vocabulary().symbols
        ['b', 'a']
        """
        return Vocabulary(self.symbols).freeze()


def first_seen(X: Any, *, start: int = 0) -> FirstSeen:
    """Record where each symbol of a chunk first appears, for a shared vocabulary.

    Parameters
    ----------
    X : SequenceSet, list of lists or list of strings
        A chunk of sequences of symbols.
    start : int, default=0
        Position of the chunk's first event among all the events (the
        events before it in the data's order).

    Returns
    -------
    FirstSeen

    Examples
    --------
    >>> part = first_seen(["ba", "c"], start=10)
    >>> part.symbols, part.positions.tolist()
    (['b', 'a', 'c'], [10, 11, 12])
    """
    ss = as_sequence_set(
        X, kind="discrete", unknown="add", owner="first_seen", allow_empty_input=True
    )
    vocabulary = ss.vocabulary or Vocabulary()
    ids, first = np.unique(ss.values, return_index=True)
    order = np.argsort(first, kind="stable")
    return FirstSeen(
        vocabulary.decode(ids[order]), first[order].astype(np.int64) + int(start)
    )


def _merge_first_seen(a: FirstSeen, b: FirstSeen) -> FirstSeen:
    index = Vocabulary(a.symbols)  # typed keys: 1, True and "1" stay apart
    ids = index.encode(b.symbols, unknown="add") - Vocabulary.n_reserved
    positions = np.full(len(index), np.iinfo(np.int64).max, dtype=np.int64)
    positions[: len(a.symbols)] = a.positions
    np.minimum.at(positions, ids, b.positions)
    order = np.argsort(positions, kind="stable")
    symbols = index.symbols
    return FirstSeen([symbols[i] for i in order], positions[order])


def merge(*parts: Any) -> Any:
    """Merge :class:`Statistics` (or :class:`FirstSeen`) of chunks of one data set.

    The merge is associative and commutative: any grouping and order gives
    the same result. Several parts are merged pairwise in a balanced tree.

    Parameters
    ----------
    *parts : Statistics or FirstSeen
        At least one; all of the same kind, counted by the same model class
        with the same counting parameters and the same vocabulary.

    Returns
    -------
    Statistics or FirstSeen

    Raises
    ------
    InvalidParameterError
        If the parts come from different models or parameters.
    DataError
        If they were encoded with different vocabularies, or share sequence
        keys.
    """
    if not parts:
        raise InvalidParameterError(
            "merge: got nothing to merge; pass at least one Statistics "
            "(model.statistics(chunk, vocabulary=...))."
        )
    level = list(parts)
    while len(level) > 1:
        level = [
            _merge_two(level[i], level[i + 1]) if i + 1 < len(level) else level[i]
            for i in range(0, len(level), 2)
        ]
    only = level[0]
    if not isinstance(only, (Statistics, FirstSeen)):
        raise InvalidParameterError(
            f"merge: expected Statistics or FirstSeen; got {type(only).__name__}. "
            "Pass the results of model.statistics(...) or first_seen(...)."
        )
    return only


def _merge_two(a: Any, b: Any) -> Any:
    if isinstance(a, FirstSeen) and isinstance(b, FirstSeen):
        return _merge_first_seen(a, b)
    if not (isinstance(a, Statistics) and isinstance(b, Statistics)):
        raise InvalidParameterError(
            f"merge: cannot merge {type(a).__name__} with {type(b).__name__}; "
            "expected parts of one kind (all Statistics of one model, or all "
            "FirstSeen)."
        )
    if a.model is not b.model or a.params != b.params:
        raise InvalidParameterError(
            f"merge: statistics of {a.model.__name__}({a.params}) and "
            f"{b.model.__name__}({b.params}) do not add up; expected one model "
            "class with the same counting parameters. Count every chunk with "
            "the same model."
        )
    if not _same_vocabulary(a.vocabulary, b.vocabulary):
        raise DataError(
            f"merge: the {a.model.__name__} statistics were encoded with different "
            "vocabularies; expected one shared vocabulary. Build it first: "
            "vocabulary = merge(*(first_seen(c, start=...) for c in chunks))"
            ".vocabulary(), then model.statistics(chunk, vocabulary=vocabulary)."
        )
    model: Any = a.model
    counts = model._merge_counts(a.counts, b.counts)
    return Statistics(a.model, a.params, a.vocabulary, counts)


def _same_vocabulary(a: Vocabulary | None, b: Vocabulary | None) -> bool:
    return a is b or (a is not None and b is not None and a == b)


def is_mergeable(estimator: Any) -> bool:
    """Return whether ``estimator`` (a class or an instance) has mergeable statistics.

    Examples
    --------
    >>> import seqpred
    >>> is_mergeable(seqpred.create("markov")), is_mergeable(seqpred.create("cpt+"))
    (True, False)
    """
    cls = estimator if isinstance(estimator, type) else type(estimator)
    return issubclass(cls, MergeableMixin)


# -- helpers for the models' merges ------------------------------------------------


def add_padded(a: Array, b: Array) -> Array:
    """Add two 1-D count arrays, the shorter one padded with zeros.

    Examples
    --------
    >>> add_padded(np.array([1, 2]), np.array([1, 1, 5])).tolist()
    [2, 3, 5]
    """
    out = np.zeros(max(len(a), len(b)), dtype=np.result_type(a, b))
    out[: len(a)] += a
    out[: len(b)] += b
    return out


def sequence_keys(keys: Any, n: int, owner: str) -> Array:
    """Return one sortable key per sequence (``0 .. n-1`` by default), checked."""
    if keys is None:
        return np.arange(n, dtype=np.int64)
    array = np.asarray(keys)
    if array.ndim != 1 or len(array) != n:
        raise DataError(
            f"{owner}.statistics: keys must hold one key per sequence ({n}); got "
            f"shape {array.shape}. Pass the sequences' ids or their positions in "
            "the whole data."
        )
    return array


def merge_keyed(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Merge per-sequence rows kept as blocks: ``{"keys": [...], "blocks": [...]}``.

    Blocks are kept as lists (merging concatenates them); the rows are put
    in key order once, by :func:`ordered_blocks`, so the order of merging
    does not matter.
    """
    return {"keys": a["keys"] + b["keys"], "blocks": a["blocks"] + b["blocks"]}


def ordered_blocks(part: dict[str, Any], owner: str) -> tuple[Array, list[Any]]:
    """Return ``(order, blocks)``: the rows' order by key over the blocks, checked.

    ``order`` indexes the concatenation of the blocks' rows.
    """
    keys = np.concatenate(part["keys"]) if part["keys"] else np.zeros(0, np.int64)
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    if len(ranked) > 1 and bool(np.any(ranked[1:] == ranked[:-1])):
        raise DataError(
            f"{owner}.from_statistics: two chunks hold sequences with the same "
            f"key ({ranked[1:][ranked[1:] == ranked[:-1]][0]!r}); expected one key "
            "per sequence of the whole data. Pass keys= to statistics (the "
            "sequences' ids, or their positions in the data)."
        )
    return order, part["blocks"]


# -- the contract ------------------------------------------------------------------


class MergeableMixin:
    """``statistics`` and ``from_statistics`` for a counting model (module docstring).

    A class implements three hooks on encoded data:

    ``_count(ss, y, keys) -> dict``
        the counts of one chunk (``ss`` encoded with the shared vocabulary);
    ``_merge_counts(a, b) -> dict`` (a classmethod)
        the counts of both, associative and commutative;
    ``_restore(counts, vocabulary, stacklevel) -> None``
        set every fitted attribute as ``fit`` would on all the data.

    and names the parameters the counts depend on in ``_counting_params``.
    """

    _counting_params: ClassVar[tuple[str, ...]] = ()
    _statistics_kind: ClassVar[str] = "discrete"
    """``"discrete"`` (symbols, shared vocabulary) or ``"numeric"`` (series)."""

    # -- hooks
    def _count(self, ss: SequenceSet, y: Any, keys: Array) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def _merge_counts(cls, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _restore(
        self, counts: dict[str, Any], vocabulary: Vocabulary | None, stacklevel: int
    ) -> None:
        raise NotImplementedError

    def _counting_values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._counting_params}

    # -- the public contract
    def statistics(
        self,
        X: Any,
        y: Any = None,
        *,
        vocabulary: Vocabulary | None = None,
        keys: Any = None,
    ) -> Statistics:
        """Count one chunk of training data; merge the results with :func:`merge`.

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or list of arrays
            A chunk of training sequences (it may be empty).
        y : array-like of shape (N,), default=None
            Labels, for a classifier (else ignored).
        vocabulary : Vocabulary, default=None
            The vocabulary shared by all chunks (see :func:`first_seen`);
            every symbol of ``X`` must be in it. ``None`` numbers the
            chunk's own symbols (enough for a single chunk).
        keys : array-like of shape (N,), default=None
            Each sequence's place in the whole data, for the models that
            keep per-sequence rows (see the module docstring); ``None``
            means ``0 .. N-1``.

        Returns
        -------
        Statistics
        """
        base: Any = self
        base._validate_params()
        owner = type(self).__name__
        ss = self._statistics_input(X, vocabulary, owner)
        keys = sequence_keys(keys, len(ss), owner)
        counts = self._count(ss, y, keys)
        shared = ss.vocabulary if self._statistics_kind == "discrete" else None
        return Statistics(type(self), self._counting_values(), shared, counts)

    def from_statistics(self, statistics: Statistics) -> Self:
        """Set the fitted state from merged statistics; return ``self``.

        The result equals ``fit`` on all the chunks the statistics were
        counted from: the same fitted arrays, the same predictions.

        Parameters
        ----------
        statistics : Statistics
            From :meth:`statistics` (and :func:`merge`), counted by this
            class with this model's counting parameters.

        Returns
        -------
        self
        """
        return self._from_statistics(statistics, stacklevel=3)

    def _from_statistics(self, statistics: Statistics, stacklevel: int) -> Self:
        owner = type(self).__name__
        if not isinstance(statistics, Statistics):
            raise InvalidParameterError(
                f"{owner}.from_statistics: expected Statistics; got "
                f"{type(statistics).__name__}. Pass merge(*parts) of "
                "model.statistics(chunk) results."
            )
        if statistics.model is not type(self):
            raise InvalidParameterError(
                f"{owner}.from_statistics: the statistics were counted by "
                f"{statistics.model.__name__}; expected {owner}'s. Count them with "
                f"{owner}.statistics."
            )
        base: Any = self
        base._validate_params()
        mine = self._counting_values()
        if statistics.params != mine:
            raise InvalidParameterError(
                f"{owner}.from_statistics: the statistics were counted with "
                f"{statistics.params} but the model has {mine}; expected the "
                "same values. Set them with set_params, or count again."
            )
        base._reset()
        self._restore(statistics.counts, statistics.vocabulary, stacklevel + 1)
        base._mark_fitted()
        return self

    # -- input
    def _statistics_input(
        self, X: Any, vocabulary: Vocabulary | None, owner: str
    ) -> SequenceSet:
        if self._statistics_kind == "numeric":
            return as_sequence_set(
                X, kind="numeric", owner=owner, allow_empty_input=True
            )
        if vocabulary is not None and not isinstance(vocabulary, Vocabulary):
            raise InvalidParameterError(
                f"{owner}.statistics: vocabulary must be a Vocabulary or None; got "
                f"{type(vocabulary).__name__}. Use first_seen(...).vocabulary()."
            )
        ss = as_sequence_set(
            X,
            vocabulary=vocabulary,
            unknown="add" if vocabulary is None else "error",
            kind="discrete",
            owner=owner,
            allow_empty_input=True,
        )
        shared = vocabulary if vocabulary is not None else ss.vocabulary or Vocabulary()
        if shared is not ss.vocabulary:
            ss = SequenceSet(
                ss.values, ss.offsets, vocabulary=shared, labels=ss.labels,
                ids=ss.ids, timestamps=ss.timestamps,
            )  # fmt: skip
        return ss


# -- local processes ---------------------------------------------------------------


def resolve_n_jobs(n_jobs: int | None) -> int:
    """Return the number of processes ``n_jobs`` asks for (``-1``: every usable core).

    Examples
    --------
    >>> resolve_n_jobs(None), resolve_n_jobs(3)
    (1, 3)
    """
    if n_jobs is None:
        return 1
    if n_jobs == -1:
        usable = getattr(os, "sched_getaffinity", None)
        return len(usable(0)) if usable else os.cpu_count() or 1
    return int(n_jobs)


def chunk_bounds(offsets: Array, n_chunks: int) -> list[tuple[int, int]]:
    """Cut sequences into ``n_chunks`` contiguous ranges of about equal steps.

    Examples
    --------
    >>> chunk_bounds(np.array([0, 5, 6, 7, 12]), 2)
    [(0, 2), (2, 4)]
    """
    n = len(offsets) - 1
    targets = np.linspace(0, offsets[-1], n_chunks + 1)[1:-1]
    cuts = np.searchsorted(offsets, targets)
    edges = np.unique(np.concatenate([[0], np.clip(cuts, 0, n), [n]]))
    return [(int(lo), int(hi)) for lo, hi in zip(edges[:-1], edges[1:]) if hi > lo]


def _chunk(ss: SequenceSet, lo: int, hi: int) -> SequenceSet:
    """Sequences ``lo .. hi-1`` of ``ss`` as views (no copy)."""
    start, stop = int(ss.offsets[lo]), int(ss.offsets[hi])

    def part(arr: Any, a: int, b: int) -> Any:
        return None if arr is None else arr[a:b]

    return SequenceSet(
        ss.values[start:stop],
        ss.offsets[lo : hi + 1] - start,
        vocabulary=ss.vocabulary,
        labels=part(ss.labels, lo, hi),
        ids=part(ss.ids, lo, hi),
        timestamps=part(ss.timestamps, start, stop),
    )


def _count_chunks(
    estimator: MergeableMixin, ss: SequenceSet, y: Any, bounds: list[tuple[int, int]]
) -> Statistics:
    """Count the chunks ``bounds`` of ``ss`` one after the other and merge them."""
    parts = []
    for lo, hi in bounds:
        part_y = None if y is None else y[lo:hi]
        parts.append(
            estimator.statistics(
                _chunk(ss, lo, hi),
                part_y,
                vocabulary=ss.vocabulary,
                keys=np.arange(lo, hi, dtype=np.int64),
            )
        )
    return merge(*parts)  # type: ignore[no-any-return]


def _worker(
    conn: Connection, estimator: MergeableMixin, ss: SequenceSet, y: Any,
    bounds: list[tuple[int, int]],
) -> None:  # fmt: skip
    """Count some chunks in a child process and send the statistics back."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the parent warns once, after the merge
            conn.send(("ok", _count_chunks(estimator, ss, y, bounds)))
    except BaseException as exc:  # report every failure to the parent
        try:
            conn.send(("error", exc))
        except Exception:  # an exception that does not pickle
            conn.send(("error", RuntimeError(repr(exc))))
    finally:
        conn.close()


def statistics_in_processes(
    estimator: MergeableMixin, ss: SequenceSet, y: Any, n_jobs: int
) -> Statistics:
    """Count ``ss`` in contiguous chunks in ``n_jobs`` processes and merge them.

    ``ss`` is cut into chunks of at most :data:`MAX_STEPS_PER_CHUNK` steps
    (at least one per process), which bounds the memory of counting; each
    process counts a contiguous run of chunks. The parent counts the last
    run itself while ``n_jobs - 1`` child processes count the others.
    Children are forked where the platform allows (they read the parent's
    arrays without a copy), else spawned. With ``n_jobs=1`` the chunks are
    counted one after the other in this process.

    Parameters
    ----------
    estimator : MergeableMixin
        The (unfitted) model whose statistics to count.
    ss : SequenceSet
        All the training sequences, encoded with the vocabulary to share.
    y : ndarray or None
        Labels (classifiers).
    n_jobs : int
        Processes, the parent included.

    Returns
    -------
    Statistics
        The merged statistics of all of ``ss``.
    """
    n_jobs = max(1, n_jobs)
    n_chunks = max(n_jobs, -(-ss.n_steps // MAX_STEPS_PER_CHUNK))
    bounds = chunk_bounds(ss.offsets, n_chunks)
    runs = [
        [bounds[i] for i in run]
        for run in np.array_split(np.arange(len(bounds)), min(n_jobs, len(bounds)))
    ]
    if len(runs) <= 1:
        return _count_chunks(estimator, ss, y, bounds or [(0, len(ss))])
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    children = []
    for run in runs[:-1]:
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(
            target=_worker, args=(sender, estimator, ss, y, run), daemon=True
        )
        process.start()
        sender.close()
        children.append((process, receiver))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # warnings come from from_statistics
            parts = [_count_chunks(estimator, ss, y, runs[-1])]
        for process, receiver in children:
            try:
                status, payload = receiver.recv()
            except EOFError:
                process.join(timeout=5)
                raise RuntimeError(
                    f"{type(estimator).__name__}.fit: a counting process died "
                    f"(exit code {process.exitcode}); expected its statistics. "
                    "Fit with n_jobs=1, or free memory."
                ) from None
            if status == "error":
                raise payload
            parts.append(payload)
    finally:
        for process, receiver in children:
            receiver.close()
            process.join(timeout=60)
            if process.is_alive():
                process.terminate()
    return merge(*parts)  # type: ignore[no-any-return]
