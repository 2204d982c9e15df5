"""Per-query prediction kernels of CPT and CPT+ (compiled by numba when present).

For one query the work is: intersect the inverted-index rows of its items to
find the *similar* training sequences, read each from the flat sequence
store, find where all query items have been seen, and add the items after
that point (the *consequent*) to a count table; retry with sub-queries while
the table gives too little evidence. None of this vectorises across queries, so
it is written as plain loops over NumPy arrays and compiled with
:func:`seqpred._numba.maybe_njit`; without numba the same code runs as
Python (slowly, with identical results). This module holds what both
models share; :mod:`._plus_kernels` and :mod:`._cpt_kernels` hold CPT+'s
noise reduction and CPT's recursive divider.

Sub-queries are bitmasks over the query positions (a query holds at most 62
items). Per-query scratch arrays are stamped rather than cleared, and the
batch entry points split the queries into chunks run on numba's threads.
"""

from __future__ import annotations

import math

import numpy as np

from seqpred._numba import maybe_njit, numba_enabled
from seqpred._typing import Array

__all__ = [
    "NEAR_BONUS",
    "N_BONUS",
    "Scratch",
    "State",
    "Structures",
    "best_pair",
    "clear",
    "emit",
    "forget_visits",
    "has_prediction",
    "is_target",
    "longest",
    "new_scratch",
    "new_set",
    "new_state",
    "push",
    "scan",
    "set_add",
    "set_bit",
    "similar_to",
    "start_query",
    "UNBOUNDED",
    "window_queries",
]

Structures = tuple[Array, Array, Array, Array, Array, Array, Array, Array]
"""Sequence values and offsets, index pointers and ids, dense rows and bits,
each sequence's last item when it occurs only there (else ``-1``), and the
first position of each index entry's item in its sequence."""
Scratch = tuple[
    Array, Array, Array, Array, Array, Array, Array, Array, Array, Array, Array
]
"""Per-thread work arrays: sub-query items, similar sequences, bitset words,
noisy items; item stamps for "in the sub-query", "still needed" and "in the
query"; the query items' own index rows, each item's row, rows to AND, and
the query items' first positions in every sequence."""
_MAX_QUERY_ROW_WORDS = 4096
"""Up to this many words per row (262,144 sequences), each query first
copies its items' index rows into bitsets, so that every sub-query is a few
word-wise ANDs instead of id-list searches, and their first positions in
every sequence, so that a consequent is found without reading the sequence
(when the positions fit in ``_MAX_QUERY_POSITIONS`` entries)."""
_MAX_QUERY_POSITIONS = 1 << 24
_SCAN_LENGTH = 16
"""Stored sequences at most this long on average are scanned for the point
where the sub-query is complete instead of having first positions copied."""
_PROBE_COST = 2
"""Testing one id of the rarest item's list against the other rows costs
about this many word-wise ANDs: sub-queries whose rarest item is in fewer
than ``words * items / _PROBE_COST`` sequences are intersected by probing."""
State = tuple[Array, Array, Array, Array, Array]
"""Per-thread count table, nearness scores, touched items, visited sequences
(bits) and stamps (item stamp, query stamp, and the first and last words of
``visited`` that may hold set bits, so that forgetting the visits of a query
clears only those words)."""
UNBOUNDED = np.iinfo(np.int64).max
"""``max_candidates`` that reads every sequence of an id list."""
N_BONUS = 128
NEAR_BONUS = 0.0001 / np.arange(1.0, N_BONUS + 1.0)
"""CPT+'s distance term ``0.0001 / d`` for the first consequent positions."""
_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)


# -- the queries ------------------------------------------------------------------


@maybe_njit
def window_queries(
    values: Array, offsets: Array, support: Array, window: int
) -> tuple[Array, Array]:
    """Drop the items never seen in training; keep each query's last ``window``.

    One compiled pass: the dozen NumPy calls it replaces cost about as much
    as predicting one query. Returns the new flat ``values`` and ``offsets``.

    Examples
    --------
    >>> import numpy as np
    >>> v, o = window_queries(np.array([5, 0, 6, 7, 5]), np.array([0, 4, 5]),
    ...                       np.array([0, 0, 0, 0, 0, 1, 1, 1]), 2)
    >>> v.tolist(), o.tolist()
    ([6, 7, 5], [0, 2, 3])
    """
    n = offsets.shape[0] - 1
    out = np.empty(values.shape[0], dtype=values.dtype)
    out_offsets = np.zeros(n + 1, dtype=np.int64)
    k = 0
    for q in range(n):
        lo = offsets[q]
        start = offsets[q + 1]
        kept = 0
        while start > lo and kept < window:  # back to the window's first item
            start -= 1
            if support[values[start]] > 0:
                kept += 1
        for i in range(start, offsets[q + 1]):
            if support[values[i]] > 0:
                out[k] = values[i]
                k += 1
        out_offsets[q + 1] = k
    return out[:k], out_offsets


# -- the structures ---------------------------------------------------------------


@maybe_njit
def _contains(
    item: int,
    sequence: int,
    index_ptr: Array,
    index_sequences: Array,
    dense_row: Array,
    dense_bits: Array,
) -> bool:
    row = dense_row[item]
    if row >= 0:
        word = dense_bits[row, sequence >> 6]
        return bool(((word >> np.uint64(sequence & 63)) & np.uint64(1)) != 0)
    lo = index_ptr[item]
    hi = index_ptr[item + 1]
    while lo < hi:  # binary search in the sorted id list
        mid = (lo + hi) >> 1
        if index_sequences[mid] < sequence:
            lo = mid + 1
        else:
            hi = mid
    return bool(lo < index_ptr[item + 1] and index_sequences[lo] == sequence)


def _popcount_swar(x: np.uint64) -> int:
    """Set bits of a word (the SWAR sum, which LLVM compiles to ``popcnt``)."""
    x = x - ((x >> np.uint64(1)) & _M1)
    x = (x & _M2) + ((x >> np.uint64(2)) & _M2)
    x = (x + (x >> np.uint64(4))) & _M4
    return int((x * _H01) >> np.uint64(56))


def _popcount_python(x: np.uint64) -> int:
    """Set bits of a word (the SWAR multiply would warn of overflow in Python)."""
    return bin(int(x)).count("1")


_popcount = maybe_njit(_popcount_swar) if numba_enabled() else _popcount_python


@maybe_njit
def _is_set(words: Array, i: int) -> bool:
    return bool(((words[i >> 6] >> np.uint64(i & 63)) & np.uint64(1)) != 0)


@maybe_njit
def set_bit(words: Array, i: int) -> None:
    words[i >> 6] |= np.uint64(1) << np.uint64(i & 63)


@maybe_njit
def _list_bits(x: np.uint64, base: int, out: Array, n: int) -> int:
    """Append the positions of the set bits of ``x`` (plus ``base``) to ``out``."""
    zero, one = np.uint64(0), np.uint64(1)
    while x != zero:
        low = x & (~x + one)  # the lowest set bit
        out[n] = base + _popcount(low - one)
        n += 1
        x ^= low
    return n


@maybe_njit
def _and_rows(
    bits: Array,
    rows: Array,
    n_rows: int,
    visited: Array,
    words: Array,
    out: Array,
    start: int,
) -> tuple[int, int]:
    """AND the bitset rows ``bits[rows[:n_rows]]``; list the set, unvisited bits.

    Only sequences ``>= start`` are read (the candidate window). Returns
    ``(number of set bits, number written to out)``.
    """
    n_words = bits.shape[1]
    zero = np.uint64(0)
    one = np.uint64(1)
    first = rows[0]
    n_all = 0
    n = 0
    w0 = start >> 6
    for w in range(w0, n_words):
        x = bits[first, w]
        if w == w0:  # drop the sequences before the window
            x &= ~((one << np.uint64(start & 63)) - one)
        t = 1
        while x != zero and t < n_rows:
            x &= bits[rows[t], w]
            t += 1
        if x == zero:
            continue
        n_all += _popcount(x)
        n = _list_bits(x & ~visited[w], w * 64, out, n)
    return n_all, n


@maybe_njit
def _probe_rows(
    candidates: Array,
    bits: Array,
    rows: Array,
    n_rows: int,
    visited: Array,
    out: Array,
) -> tuple[int, int]:
    """Like :func:`_and_rows`, testing only the ids of the first row's id list."""
    one = np.uint64(1)
    n_all = 0
    n = 0
    for j in range(candidates.shape[0]):
        sequence = candidates[j]
        word, bit = sequence >> 6, np.uint64(sequence & 63)
        keep = True
        for t in range(1, n_rows):
            if (bits[rows[t], word] >> bit) & one == 0:
                keep = False
                break
        if keep:
            n_all += 1
            if (visited[word] >> bit) & one == 0:
                out[n] = sequence
                n += 1
    return n_all, n


@maybe_njit
def _similar(
    items: Array,
    n_items: int,
    index_ptr: Array,
    index_sequences: Array,
    dense_row: Array,
    dense_bits: Array,
    visited: Array,
    words: Array,
    rows: Array,
    out: Array,
    max_candidates: int,
) -> tuple[int, int]:
    """Find the sequences containing every item; list the unvisited ones.

    ``items[:n_items]`` are distinct and sorted by increasing support, so
    candidates come from the rarest item: the last ``max_candidates`` of
    its id list. Returns ``(n_similar, n_out)``: the number of similar
    sequences, and of those written to ``out`` (increasing ids) because
    their bit in ``visited`` is clear.
    """
    if n_items == 0:
        return 0, 0
    n_all = 0
    n = 0
    first = items[0]
    lo = max(index_ptr[first], index_ptr[first + 1] - max_candidates)
    if lo >= index_ptr[first + 1]:
        return 0, 0
    if dense_row[first] < 0:
        for j in range(lo, index_ptr[first + 1]):
            sequence = index_sequences[j]
            keep = True
            for t in range(1, n_items):
                if not _contains(
                    items[t],
                    sequence,
                    index_ptr,
                    index_sequences,
                    dense_row,
                    dense_bits,
                ):
                    keep = False
                    break
            if keep:
                n_all += 1
                if not _is_set(visited, sequence):
                    out[n] = sequence
                    n += 1
        return n_all, n
    # every item is frequent: AND their bitset rows
    for t in range(n_items):
        rows[t] = dense_row[items[t]]
    return _and_rows(
        dense_bits, rows, n_items, visited, words, out, index_sequences[lo]
    )


# -- small containers -------------------------------------------------------------


@maybe_njit
def _set_slot(table: Array, key: int) -> int:
    """Return the slot of ``key`` in an open-addressing set, or of the free slot."""
    size = table.shape[0] - 1
    slot = (key ^ (key >> 7) ^ (key >> 19) ^ (key >> 37)) % size
    while table[slot + 1] >= 0 and table[slot + 1] != key:
        slot = (slot + 1) % size
    return int(slot + 1)


@maybe_njit
def set_add(table: Array, key: int) -> tuple[Array, bool]:
    """Insert ``key >= 0`` into an open-addressing set; grow it when half full.

    ``table[0]`` holds the number of keys; slots hold ``-1`` when empty.
    Returns the (possibly new) table and whether ``key`` was new.
    """
    size = table.shape[0] - 1
    if 2 * (table[0] + 1) > size:
        bigger = np.full(2 * size + 1, -1, dtype=np.int64)
        bigger[0] = table[0]
        for j in range(1, size + 1):
            if table[j] >= 0:
                bigger[_set_slot(bigger, table[j])] = table[j]
        table = bigger
    slot = _set_slot(table, key)
    if table[slot] == key:
        return table, False
    table[slot] = key
    table[0] += 1
    return table, True


@maybe_njit
def new_set() -> Array:
    table = np.full(65, -1, dtype=np.int64)
    table[0] = 0
    return table


@maybe_njit
def push(queue: Array, n: int, value: int) -> Array:
    if n == queue.shape[0]:
        bigger = np.empty(2 * n, dtype=np.int64)
        bigger[:n] = queue
        queue = bigger
    queue[n] = value
    return queue


# -- choosing sub-query items -----------------------------------------------------


@maybe_njit
def _distinct_by_support(
    query: Array, mask: int, support: Array, seen: Array, stamp: int, out: Array
) -> int:
    """Write the distinct items of ``query`` under ``mask`` to ``out``, rarest first."""
    n = 0
    for p in range(query.shape[0]):
        if (mask >> p) & 1:
            item = query[p]
            if seen[item] != stamp:
                seen[item] = stamp
                out[n] = item
                n += 1
    for i in range(1, n):  # insertion sort: sub-queries are short
        item = out[i]
        j = i - 1
        while j >= 0 and (
            support[out[j]] > support[item]
            or (support[out[j]] == support[item] and out[j] > item)
        ):
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = item
    return n


# -- the count table --------------------------------------------------------------


@maybe_njit
def scan(
    values: Array,
    lo: int,
    hi: int,
    needed: Array,
    n_needed: int,
    need: Array,
    stamp: int,
    max_consequent: int,
) -> tuple[int, int]:
    """Return where the consequent of ``values[lo:hi]`` starts and how long it is.

    The consequent holds the items after the point where every needed item
    has been seen, at most ``max_consequent`` of them (none when some item
    is missing).
    """
    for t in range(n_needed):
        need[needed[t]] = stamp
    remaining = n_needed
    for i in range(lo, hi):
        if remaining == 0:
            return i, min(hi - i, max_consequent)
        if need[values[i]] == stamp:
            need[values[i]] = 0
            remaining -= 1
    return hi, 0


@maybe_njit
def _better(a: int, b: int, table: Array, near: Array, support: Array) -> bool:
    """Whether item ``a`` ranks before ``b``: score, nearness, support, then id."""
    if table[a] != table[b]:
        return bool(table[a] > table[b])
    if near[a] != near[b]:
        return bool(near[a] > near[b])
    if support[a] != support[b]:
        return bool(support[a] > support[b])
    return a < b


@maybe_njit
def best_pair(
    state: State,
    n_touched: int,
    support: Array,
    marks: Array,
) -> tuple[int, int]:
    """Return the best item and the best item not in the query (``-1`` if none)."""
    table, near, touched = state[0], state[1], state[2]
    query_stamp = state[4][1]
    best = -1
    fresh = -1
    for t in range(n_touched):
        item = touched[t]
        if best < 0 or _better(item, best, table, near, support):
            best = item
        if marks[item] != query_stamp and (
            fresh < 0 or _better(item, fresh, table, near, support)
        ):
            fresh = item
    return best, fresh


@maybe_njit
def is_target(item: int, t_values: Array, t_offsets: Array, q: int) -> int:
    if item < 0:
        return 0
    for j in range(t_offsets[q], t_offsets[q + 1]):
        if t_values[j] == item:
            return 1
    return 0


@maybe_njit
def has_prediction(
    table: Array, touched: Array, n_touched: int, min_score_ratio: float
) -> bool:
    """Whether the best score beats the next distinct score by ``min_score_ratio``."""
    if n_touched == 0:
        return False
    best = -math.inf
    second = -math.inf
    for t in range(n_touched):  # one pass: the best and the next distinct value
        value = table[touched[t]]
        if value > best:
            second = best
            best = value
        elif value < best and value > second:
            second = value
    if second == -math.inf:
        return True
    return best >= min_score_ratio * second


@maybe_njit
def emit(
    state: State,
    n_touched: int,
    support: Array,
    use_log: bool,
    raw: bool,
    exclude: bool,
    marks: Array,
    ids: Array,
    scores: Array,
    dense: Array,
) -> None:
    """Write the ``k`` best items (see :func:`_better`) and, if wanted, the row.

    Scores are the count table normalised to sum to 1 (after a log for the
    multiplicative CPT+ table), or the raw table when ``raw``. With
    ``exclude``, the query's own items are left out.
    """
    table, near, touched = state[0], state[1], state[2]
    query_stamp = state[4][1]
    total = 0.0
    for t in range(n_touched):
        item = touched[t]
        if exclude and marks[item] == query_stamp:
            continue
        total += math.log(table[item]) if use_log else table[item]
    k = ids.shape[0]
    n_best = 0
    for t in range(n_touched):
        item = touched[t]
        if exclude and marks[item] == query_stamp:
            continue
        if dense.shape[0] > 0:
            dense[item] = _shown(table[item], total, use_log, raw)
        j = n_best  # insert into the running top k
        while j > 0 and _better(item, ids[j - 1], table, near, support):
            if j < k:
                ids[j] = ids[j - 1]
                scores[j] = scores[j - 1]
            j -= 1
        if j < k:
            ids[j] = item
            scores[j] = -1.0  # filled below: most items never reach the top k
            n_best = min(n_best + 1, k)
    for j in range(n_best):
        scores[j] = _shown(table[ids[j]], total, use_log, raw)


@maybe_njit
def _shown(value: float, total: float, use_log: bool, raw: bool) -> float:
    """Return a count-table value as reported: raw, or normalised by ``total``."""
    if raw:
        return value
    return (math.log(value) if use_log else value) / total


@maybe_njit
def clear(state: State, n_touched: int) -> None:
    table, near, touched = state[0], state[1], state[2]
    for t in range(n_touched):
        table[touched[t]] = 0.0
        near[touched[t]] = 0.0


@maybe_njit
def new_state(width: int, n_words: int) -> State:
    """Count table, nearness, touched items, visited sequences (bits), stamps."""
    stamps = np.zeros(4, dtype=np.int64)  # item, query, visited words lo..hi
    stamps[2] = n_words
    stamps[3] = -1
    return (
        np.zeros(width, dtype=np.float64),
        np.zeros(width, dtype=np.float64),
        np.empty(width, dtype=np.int64),
        np.zeros(n_words, dtype=np.uint64),
        stamps,
    )


@maybe_njit
def forget_visits(state: State) -> None:
    """Clear the visited bits: only the words that may hold some (bounded cost)."""
    visited, stamps = state[3], state[4]
    for w in range(stamps[2], stamps[3] + 1):
        visited[w] = np.uint64(0)
    stamps[2] = visited.shape[0]
    stamps[3] = -1


@maybe_njit
def _window_start(item: int, index_ptr: Array, max_candidates: int) -> int:
    """Position in the id list of ``item`` where its candidate window starts."""
    return int(max(index_ptr[item], index_ptr[item + 1] - max_candidates))


@maybe_njit
def new_scratch(structures: Structures, width: int, n_slots: int) -> Scratch:
    """Work arrays for queries of at most ``n_slots`` items (see :data:`Scratch`).

    First positions are copied per query (``scratch[10]``) only when the
    stored sequences are long on average: short ones are cheaper to scan.
    """
    values, offsets, n_words = structures[0], structures[1], structures[5].shape[1]
    n_sequences = offsets.shape[0] - 1
    own_rows = n_slots if n_words <= _MAX_QUERY_ROW_WORDS else 0  # one per item
    own_positions = n_slots if n_slots * n_sequences <= _MAX_QUERY_POSITIONS else 0
    if values.shape[0] <= _SCAN_LENGTH * n_sequences or own_rows == 0:
        own_positions = 0
    return (
        np.empty(64, dtype=np.int64),  # sub-query items
        np.empty(n_sequences, dtype=np.int64),  # similar sequences
        np.empty(n_words, dtype=np.uint64),  # bitset AND
        np.empty(64, dtype=np.int64),  # noisy items
        np.zeros(width, dtype=np.int64),  # item stamps
        np.zeros(width, dtype=np.int64),  # items still needed
        np.zeros(width, dtype=np.int64),  # items of the query
        np.zeros((own_rows, n_words), dtype=np.uint64),  # query items' rows
        np.zeros(width, dtype=np.int64),  # item -> its row
        np.empty(64, dtype=np.int64),  # rows to AND
        np.empty((own_positions, n_sequences), dtype=np.int32),
    )


@maybe_njit
def longest(q_offsets: Array, lo: int, hi: int) -> int:
    """Longest query in ``lo..hi`` (it bounds the distinct items per query)."""
    longest = 0
    for q in range(lo, hi):
        longest = max(longest, q_offsets[q + 1] - q_offsets[q])
    return longest


@maybe_njit
def start_query(
    query: Array,
    scratch: Scratch,
    state: State,
    structures: Structures,
    max_candidates: int,
) -> None:
    """Stamp the query's own items; copy their index rows when bitsets are used.

    Rows (and first positions) are copied from the oldest sequence any
    sub-query can read: the start of the candidate window of the query's
    item whose window reaches back furthest; nothing before it is read.
    """
    stamps = state[4]
    stamps[0] += 1
    stamps[1] = stamps[0]
    marks, query_rows, slots, firsts = scratch[6], scratch[7], scratch[8], scratch[10]
    index_ptr, index_sequences = structures[2], structures[3]
    dense_row, dense_bits, index_positions = structures[4], structures[5], structures[7]
    base = structures[1].shape[0] - 1  # past the last sequence
    for p in range(query.shape[0]):
        item = query[p]
        lo = _window_start(item, index_ptr, max_candidates)
        if lo < index_ptr[item + 1]:
            base = min(base, index_sequences[lo])
    w0 = base >> 6
    n_rows = 0
    for p in range(query.shape[0]):
        item = query[p]
        if marks[item] == stamps[1]:
            continue
        marks[item] = stamps[1]
        if query_rows.shape[0] == 0:
            continue
        slots[item] = n_rows
        lo = _first_at_least(
            index_sequences, index_ptr[item], index_ptr[item + 1], base
        )
        if dense_row[item] >= 0:
            query_rows[n_rows, w0:] = dense_bits[dense_row[item], w0:]
        else:
            query_rows[n_rows, w0:] = 0
            for j in range(lo, index_ptr[item + 1]):
                set_bit(query_rows[n_rows], index_sequences[j])
        if firsts.shape[0] > 0:  # entries of other sequences are never read
            for j in range(lo, index_ptr[item + 1]):
                firsts[n_rows, index_sequences[j]] = index_positions[j]
        n_rows += 1


@maybe_njit
def _first_at_least(sorted_ids: Array, lo: int, hi: int, value: int) -> int:
    """First position in ``sorted_ids[lo:hi]`` holding ``value`` or more."""
    while lo < hi:
        mid = (lo + hi) >> 1
        if sorted_ids[mid] < value:
            lo = mid + 1
        else:
            hi = mid
    return lo


@maybe_njit
def similar_to(
    query: Array,
    mask: int,
    scratch: Scratch,
    structures: Structures,
    support: Array,
    stamps: Array,
    visited: Array,
    max_candidates: int,
) -> tuple[int, int, int]:
    """Find the sequences similar to a sub-query.

    Candidates are the last ``max_candidates`` sequences holding the
    sub-query's rarest item. Returns ``(n items, n similar, n unvisited)``;
    the unvisited similar sequences are listed in ``scratch[1]``
    (increasing ids), and the visited word range in ``stamps`` grows to
    cover them.
    """
    stamps[0] += 1
    items = scratch[0]
    n_sub = _distinct_by_support(query, mask, support, scratch[4], stamps[0], items)
    if n_sub == 0:
        return 0, 0, 0
    query_rows, slots, rows = scratch[7], scratch[8], scratch[9]
    if query_rows.shape[0] > 0:  # this query's own bitset rows
        for t in range(n_sub):
            rows[t] = slots[items[t]]
        index_ptr, rarest = structures[2], items[0]
        hi = index_ptr[rarest + 1]
        lo = _window_start(rarest, index_ptr, max_candidates)
        if lo >= hi:
            return n_sub, 0, 0
        start = structures[3][lo]
        n_words = query_rows.shape[1] - (start >> 6)
        if (hi - lo) * _PROBE_COST < n_words * n_sub:
            n_similar, n_new = _probe_rows(
                structures[3][lo:hi], query_rows, rows, n_sub, visited, scratch[1]
            )
        else:
            n_similar, n_new = _and_rows(
                query_rows, rows, n_sub, visited, scratch[2], scratch[1], start
            )
    else:
        n_similar, n_new = _similar(
            items, n_sub, structures[2], structures[3], structures[4],
            structures[5], visited, scratch[2], rows, scratch[1], max_candidates,
        )  # fmt: skip
    if n_new > 0:  # the words whose visited bits the caller may set
        out = scratch[1]
        stamps[2] = min(stamps[2], out[0] >> 6)
        stamps[3] = max(stamps[3], out[n_new - 1] >> 6)
    return n_sub, n_similar, n_new
