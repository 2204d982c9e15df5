"""One-query kernels of Markov and PPM: the small-batch path of a service.

The batch paths of :mod:`.markov` and :mod:`.ppm` are a few dozen NumPy
calls over all queries at once: about 1 µs per query in a batch of 1,000,
but 80-400 µs for a batch of one, where each call's fixed cost dominates.
Here one encoded query is answered by one compiled call over a *packed*
view of the context tables: every array the kernel reads is laid out in one
``int64`` array (a header of offsets, then the per-order keys, row pointers,
followers, counts and totals, then the order-0 counts), so a call passes two
arrays instead of twenty (numba unboxes each argument, about 0.25 µs each).

The packed view is built on first use and kept on the model in a private
attribute (not saved, not counted by ``memory_bytes``; about the size of the
tables); it is rebuilt when ``fit`` or ``partial_fit`` replace the tables.
Results equal the batch paths: the same arithmetic in the same order.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array
from seqpred.data.vocabulary import Vocabulary

__all__ = [
    "ESCAPES",
    "markov_top_k_one",
    "packed_tables",
    "ppm_top_k_one",
    "work_arrays",
]

ESCAPES = {"A": 0, "B": 1, "C": 2, "D": 3}
"""PPM escape methods as kernel codes."""
_HEADER = 12
# header slots: n_orders, width, the offsets of the eight packed fields, then
# the sum of the order-0 counts and the number of symbols with a positive one
_KEY_PTR, _KEYS, _ROW_PTR, _NEXT_IDS, _NEXT_COUNTS, _TOTALS, _COUNTS0, _BY_COUNT = (
    range(2, 10)
)
_SUM0, _POSITIVE0 = 10, 11
_N_RESERVED = Vocabulary.n_reserved
_ATTRIBUTES = ("context_keys_", "row_ptr_", "next_ids_", "next_counts_")


class _Packed:
    """The packed tables and the arrays they were built from (by identity)."""

    __slots__ = ("blob", "sources")

    def __init__(self, sources: tuple[Any, ...], blob: Array) -> None:
        self.sources = sources
        self.blob = blob


def packed_tables(model: Any) -> Array:
    """Return the packed view of ``model``'s context tables (built once, cached).

    Parameters
    ----------
    model : MarkovPredictor or PPM
        A fitted model holding ``context_keys_``, ``row_ptr_``,
        ``next_ids_``, ``next_counts_``, ``context_totals_`` and
        ``item_counts_``.

    Returns
    -------
    ndarray of int64
        The packed tables (see the module docstring).
    """
    sources = (
        *(getattr(model, name) for name in _ATTRIBUTES),
        model.context_totals_,
        model.item_counts_,
    )
    cache = model.__dict__.get("_packed_tables")
    if cache is not None and all(a is b for a, b in zip(cache.sources, sources)):
        return cache.blob  # type: ignore[no-any-return]
    blob = _pack(*sources, width=int(model.vocabulary_.size))
    model._packed_tables = _Packed(sources, blob)
    return blob


class _Work:
    """Per-thread work arrays of the PPM kernel (a private cache, not saved)."""

    __slots__ = ("by_thread",)

    def __init__(self) -> None:
        self.by_thread: dict[int, tuple[Array, Array]] = {}


def work_arrays(model: Any, width: int) -> tuple[Array, Array]:
    """Return this thread's ``(marks, acc)`` work arrays for :func:`ppm_top_k_one`."""
    cache = model.__dict__.get("_one_query_work")
    if cache is None:
        cache = model._one_query_work = _Work()
    key = threading.get_ident()
    arrays: tuple[Array, Array] | None = cache.by_thread.get(key)
    if arrays is None or arrays[1].shape[0] != width:
        arrays = (np.zeros(width + 1, dtype=np.int64), np.zeros(width))
        cache.by_thread[key] = arrays
    return arrays


def _pack(
    keys: list[Array],
    row_ptr: list[Array],
    next_ids: list[Array],
    next_counts: list[Array],
    totals: list[Array],
    counts0: Array,
    *,
    width: int,
) -> Array:
    n_orders = len(keys)
    key_ptr = np.zeros(n_orders + 1, dtype=np.int64)
    np.cumsum([len(k) for k in keys], out=key_ptr[1:])
    next_base = np.cumsum([0] + [len(n) for n in next_ids])
    rows = [ptr[:-1] + base for ptr, base in zip(row_ptr, next_base)]
    user = np.arange(Vocabulary.n_reserved, width, dtype=np.int64)
    by_count = user[np.lexsort((user, -counts0[user]))]  # as _Order0.candidates
    fields = [
        key_ptr,
        *keys,
        *rows,
        next_base[-1:],
        *next_ids,
        *next_counts,
        *totals,
        counts0,
        by_count,
    ]
    header = np.zeros(_HEADER, dtype=np.int64)
    header[0], header[1] = n_orders, width
    header[_SUM0], header[_POSITIVE0] = counts0.sum(), np.count_nonzero(counts0 > 0)
    sizes = [
        n_orders + 1,
        int(key_ptr[-1]),
        int(key_ptr[-1]) + 1,
        int(next_base[-1]),
        int(next_base[-1]),
        int(key_ptr[-1]),
        len(counts0),
        len(by_count),
    ]
    header[_KEY_PTR:_SUM0] = _HEADER + np.concatenate([[0], np.cumsum(sizes[:-1])])
    parts = [header] + [np.asarray(f, dtype=np.int64).ravel() for f in fields]
    return np.concatenate(parts)


@maybe_njit
def _find(blob: Array, lo: int, hi: int, key: int) -> int:
    """Position of ``key`` in the sorted ``blob[lo:hi]``, or ``-1``."""
    end = hi
    while lo < hi:
        mid = (lo + hi) >> 1
        if blob[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    if lo < end and blob[lo] == key:
        return lo
    return -1


@maybe_njit
def _match(blob: Array, query: Array, rows: Array) -> int:
    """Write the packed row of each matched suffix order into ``rows``; return n.

    ``rows[j - 1]`` is the key position of the query's last ``j`` items at
    order ``j``; matching stops at the first unseen suffix (as
    ``match_contexts``).
    """
    n_orders, width = blob[0], blob[1]
    key_ptr, keys = blob[_KEY_PTR], blob[_KEYS]
    n = query.shape[0]
    context = 0
    for j in range(1, n_orders + 1):
        if n < j:
            return j - 1
        lo, hi = keys + blob[key_ptr + j - 1], keys + blob[key_ptr + j]
        at = _find(blob, lo, hi, context * width + query[n - j])
        if at < 0:
            return j - 1
        rows[j - 1] = at - keys
        context = at - lo
    return int(n_orders)


@maybe_njit
def markov_top_k_one(blob: Array, query: Array, k: int, min_count: int) -> tuple:  # type: ignore[type-arg]
    """Top-``k`` of :class:`MarkovPredictor` for one encoded query.

    Returns ``(ids, scores)`` of shape ``(k,)``: the followers of the
    longest matched context seen at least ``min_count`` times, by decreasing
    count (``-1`` and 0 past them, or everywhere for no match).
    """
    ids = np.full(k, -1, dtype=np.int64)
    scores = np.zeros(k, dtype=np.float64)
    rows = np.empty(blob[0], dtype=np.int64)
    best = -1
    totals = blob[_TOTALS]
    for j in range(_match(blob, query, rows)):
        if blob[totals + rows[j]] >= min_count:
            best = rows[j]
    if best < 0:
        return ids, scores
    row_ptr, next_ids, next_counts = blob[_ROW_PTR], blob[_NEXT_IDS], blob[_NEXT_COUNTS]
    lo, hi = blob[row_ptr + best], blob[row_ptr + best + 1]
    total = blob[totals + best]
    for r in range(min(k, hi - lo)):
        ids[r] = blob[next_ids + lo + r]
        scores[r] = blob[next_counts + lo + r] / total
    return ids, scores


@maybe_njit
def _share(escape: int, c: float, total: float, distinct: float) -> float:
    if escape == 0:
        return c / (total + 1.0)
    if escape == 1:
        return (c - 1.0) / total
    if escape == 2:
        return c / (total + distinct)
    return (c - 0.5) / total


@maybe_njit
def _escape(escape: int, total: float, distinct: float) -> float:
    if escape == 0:
        return 1.0 / (total + 1.0)
    if escape == 1:
        return distinct / total
    if escape == 2:
        return distinct / (total + distinct)
    return distinct / (2.0 * total)


@maybe_njit
def _ranks_before(p: float, s: int, q: float, t: int) -> bool:
    """Whether probability ``p`` of id ``s`` ranks before ``q`` of ``t``.

    As ``_select`` of the batch path: by ``1 - p`` (equal keys tie), then id.
    """
    a, b = 1.0 - p, 1.0 - q
    if a != b:
        return a < b
    return s < t


@maybe_njit
def _offer(p: float, s: int, ids: Array, scores: Array, n: int) -> int:
    """Insert ``(s, p)`` into the running top list of ``n`` entries; return n."""
    k = ids.shape[0]
    j = n
    while j > 0 and _ranks_before(p, s, scores[j - 1], ids[j - 1]):
        if j < k:
            ids[j] = ids[j - 1]
            scores[j] = scores[j - 1]
        j -= 1
    if j < k:
        ids[j] = s
        scores[j] = p
        n = min(n + 1, k)
    return n


@maybe_njit
def ppm_top_k_one(
    blob: Array,
    query: Array,
    k: int,
    exclusion: bool,
    escape: int,
    marks: Array,
    acc: Array,
) -> tuple:  # type: ignore[type-arg]
    """Top-``k`` of :class:`PPM` for one encoded query (as ``sparse_top_k``).

    ``marks`` (int64, width + 1; ``marks[-1]`` is a stamp counter) and
    ``acc`` (float64, width) are work arrays kept between calls.
    """
    ids = np.full(k, -1, dtype=np.int64)
    scores = np.zeros(k, dtype=np.float64)
    n_orders, width = blob[0], blob[1]
    rows = np.empty(n_orders, dtype=np.int64)
    n_matched = _match(blob, query, rows)
    if n_matched == 0:
        return ids, scores  # no context of length >= 1: no match
    row_ptr, next_ids, next_counts = blob[_ROW_PTR], blob[_NEXT_IDS], blob[_NEXT_COUNTS]
    marks[width] += 3
    kept, summed, offered = marks[width], marks[width] + 1, marks[width] + 2
    total = np.zeros(n_orders + 1)
    distinct = np.zeros(n_orders + 1)
    n_union = 0
    for j in range(n_matched, 0, -1):  # longest first: what exclusion keeps
        lo, hi = blob[row_ptr + rows[j - 1]], blob[row_ptr + rows[j - 1] + 1]
        for e in range(lo, hi):
            s = blob[next_ids + e]
            if marks[s] != kept:
                marks[s] = kept
                n_union += 1
                acc[s] = 0.0
            elif exclusion:
                continue
            total[j] += blob[next_counts + e]
            distinct[j] += 1.0
    esc = np.ones(n_orders + 1)
    for j in range(1, n_orders + 1):
        if total[j] > 0:
            esc[j] = _escape(escape, total[j], distinct[j])
    mass = np.ones(n_orders + 1)
    for j in range(n_orders - 1, -1, -1):
        mass[j] = mass[j + 1] * esc[j + 1]
    for step in range(n_matched):
        # without exclusion, shortest first: the batch path's order of addition;
        # with it, longest first: a symbol counts at its longest order only
        j = n_matched - step if exclusion else step + 1
        lo, hi = blob[row_ptr + rows[j - 1]], blob[row_ptr + rows[j - 1] + 1]
        for e in range(lo, hi):
            s = blob[next_ids + e]
            if exclusion:
                if marks[s] == summed:
                    continue
                marks[s] = summed
            share = _share(escape, float(blob[next_counts + e]), total[j], distinct[j])
            acc[s] += mass[j] * share
    stamps = np.array([kept, summed, offered])
    return _with_order0(
        blob, k, exclusion, escape, marks, stamps, acc, mass[0], n_union, rows,
        n_matched, ids, scores,
    )  # fmt: skip


@maybe_njit
def _with_order0(
    blob: Array,
    k: int,
    exclusion: bool,
    escape: int,
    marks: Array,
    stamps: Array,
    acc: Array,
    mass0: float,
    n_union: int,
    rows: Array,
    n_matched: int,
    ids: Array,
    scores: Array,
) -> tuple:  # type: ignore[type-arg]
    """Add the order-0 and order -1 shares; rank the union and the best others.

    ``stamps`` holds the marks of union symbols (``kept`` or ``summed``) and
    of symbols already ranked (``offered``).
    """
    width = blob[1]
    counts0, by_count = blob[_COUNTS0], blob[_BY_COUNT]
    kept, summed, offered = stamps[0], stamps[1], stamps[2]
    total0 = float(blob[_SUM0])
    distinct0 = float(blob[_POSITIVE0])
    if exclusion:  # union symbols leave order 0
        row_ptr, next_ids = blob[_ROW_PTR], blob[_NEXT_IDS]
        for j in range(1, n_matched + 1):
            lo, hi = blob[row_ptr + rows[j - 1]], blob[row_ptr + rows[j - 1] + 1]
            for e in range(lo, hi):
                s = blob[next_ids + e]
                if marks[s] == summed:
                    marks[s] = kept  # subtract each symbol once
                    total0 -= blob[counts0 + s]
                    distinct0 -= 1.0 if blob[counts0 + s] > 0 else 0.0
    n_user = width - _N_RESERVED
    free = n_user - n_union - distinct0 + 1.0 if exclusion else n_user + 1.0
    escape0 = _escape(escape, total0, distinct0) if total0 > 0 else 1.0
    uniform = mass0 * escape0 / free
    n_best = 0
    row_ptr, next_ids = blob[_ROW_PTR], blob[_NEXT_IDS]
    for j in range(1, n_matched + 1):  # the union, each symbol once
        lo, hi = blob[row_ptr + rows[j - 1]], blob[row_ptr + rows[j - 1] + 1]
        for e in range(lo, hi):
            s = blob[next_ids + e]
            if marks[s] == offered:
                continue
            marks[s] = offered
            p = acc[s]
            if not exclusion:
                c = blob[counts0 + s]
                p += _order0(c, mass0, total0, distinct0, escape, uniform, False)
            n_best = _offer(p, s, ids, scores, n_best)
    depth = k + n_union
    for positive in (True, False):  # the best symbols outside the union
        taken = 0
        for r in range(n_user):
            s = blob[by_count + r]
            c = blob[counts0 + s]
            if (c > 0) != positive:
                continue
            if taken >= depth:
                break
            taken += 1
            if marks[s] == offered:
                continue
            p = _order0(c, mass0, total0, distinct0, escape, uniform, exclusion)
            n_best = _offer(p, s, ids, scores, n_best)
    return ids, scores


@maybe_njit
def _order0(
    c: int,
    mass0: float,
    total0: float,
    distinct0: float,
    escape: int,
    uniform: float,
    exclusion: bool,
) -> float:
    """Order-0 plus order -1 probability of a symbol with order-0 count ``c``.

    As ``_Order0.prob``: with exclusion, only symbols never seen reach
    order -1.
    """
    out = mass0 * _share(escape, float(c), total0, distinct0) if c > 0 else 0.0
    if exclusion and c > 0:
        return out + 0.0
    return out + uniform
