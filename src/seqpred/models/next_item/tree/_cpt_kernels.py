"""CPT kernels: the count table filled by the recursive divider."""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit, maybe_parallel, prange
from seqpred._typing import Array
from seqpred.models.next_item.tree._kernels import (
    UNBOUNDED,
    Scratch,
    State,
    Structures,
    best_pair,
    clear,
    emit,
    forget_visits,
    is_target,
    longest,
    new_scratch,
    new_set,
    new_state,
    push,
    scan,
    set_add,
    set_bit,
    similar_to,
    start_query,
)

__all__ = ["predict_cpt_batch", "validate_cpt_batch"]


# -- CPT: prediction with the recursive divider -----------------------------------


@maybe_njit
def _update_cpt(
    query: Array,
    mask: int,
    weight: float,
    scratch: Scratch,
    structures: Structures,
    support: Array,
    state: State,
    n_touched: int,
    max_consequent: int,
) -> int:
    """Add ``weight / |similar|`` per consequent item of each unused similar sequence.

    A sequence counts once per level; one whose consequent is empty stays
    available to shorter sub-queries, as in the reference implementation.
    """
    table, near, touched, visited, stamps = state
    n_sub, n_similar, n_new = similar_to(
        query, mask, scratch, structures, support, stamps, visited, UNBOUNDED
    )
    if n_similar == 0:
        return n_touched
    value = weight / n_similar
    values, offsets, tails = structures[0], structures[1], structures[6]
    items, similar, in_sub, need = scratch[0], scratch[1], scratch[4], scratch[5]
    slots, firsts = scratch[8], scratch[10]
    sub_stamp = stamps[0]
    for s in range(n_new):
        sequence = similar[s]
        tail = tails[sequence]
        if tail >= 0 and in_sub[tail] == sub_stamp:
            continue  # its only occurrence ends the sequence: no consequent
        # the consequent (inlined: a call per sequence costs more than the work)
        lo, hi = offsets[sequence], offsets[sequence + 1]
        if firsts.shape[0] > 0:  # one past the latest first occurrence
            point = -1
            for t in range(n_sub):
                point = max(point, firsts[slots[items[t]], sequence])
            start = lo + point + 1
            n = min(hi - start, max_consequent)
        else:
            stamps[0] += 1
            start, n = scan(
                values, lo, hi, items, n_sub, need, stamps[0], max_consequent
            )
        if n > 0:
            set_bit(visited, sequence)
        for c in range(n):
            item = values[start + c]
            if table[item] == 0.0:
                touched[n_touched] = item
                n_touched += 1
            table[item] += value
            near[item] += 1.0 / (c + 1)
    return n_touched


@maybe_njit
def _cpt_level(
    query: Array,
    removed: int,
    scratch: Scratch,
    structures: Structures,
    support: Array,
    state: State,
    max_consequent: int,
) -> int:
    """Fill a fresh count table from the sub-queries missing at most ``removed`` items.

    Sub-queries are visited depth first, as the recursive divider does; one
    met again is skipped with its subtree, which already counted.
    """
    m = query.shape[0]
    forget_visits(state)
    n_touched = 0
    seen = new_set()
    stack = np.empty(64, dtype=np.int64)
    stack[0] = (1 << m) - 1
    top = 1
    while top > 0:
        top -= 1
        mask = stack[top]
        seen, is_new = set_add(seen, mask)
        if not is_new:
            continue
        size = 0
        for p in range(m):
            size += (mask >> p) & 1
        n_touched = _update_cpt(
            query, mask, size / m, scratch, structures, support, state,
            n_touched, max_consequent,
        )  # fmt: skip
        if size - 1 < m - removed:
            continue
        for p in range(m - 1, -1, -1):  # hide position p; the first child on top
            if (mask >> p) & 1:
                stack = push(stack, top, mask & ~(1 << p))
                top += 1
    return n_touched


@maybe_njit
def _cpt_range(
    lo: int,
    hi: int,
    q_values: Array,
    q_offsets: Array,
    structures: Structures,
    support: Array,
    min_removed: int,
    max_removed: int,
    max_consequent: int,
    raw: bool,
    exclude: bool,
    ids: Array,
    scores: Array,
    dense: Array,
) -> None:
    width = support.shape[0]
    scratch = new_scratch(structures, width, longest(q_offsets, lo, hi))
    state = new_state(width, structures[5].shape[1])
    for q in range(lo, hi):
        query = q_values[q_offsets[q] : q_offsets[q + 1]]
        m = query.shape[0]
        if m == 0:
            continue
        start_query(query, scratch, state, structures, UNBOUNDED)
        n_touched = 0
        for removed in range(min(min_removed, m - 1), min(max_removed, m - 1) + 1):
            clear(state, n_touched)
            n_touched = _cpt_level(
                query, removed, scratch, structures, support, state, max_consequent
            )
            if n_touched > 0:
                break
        emit(
            state, n_touched, support, False, raw, exclude, scratch[6], ids[q],
            scores[q], dense[q],
        )  # fmt: skip
        clear(state, n_touched)


@maybe_parallel
def predict_cpt_batch(
    q_values: Array,
    q_offsets: Array,
    structures: Structures,
    support: Array,
    min_removed: int,
    max_removed: int,
    max_consequent: int,
    raw: bool,
    exclude: bool,
    ids: Array,
    scores: Array,
    dense: Array,
    n_chunks: int,
) -> None:
    """Rank the next items of a batch of encoded queries with CPT.

    Levels ``min_removed..max_removed`` (capped at one item left) are tried
    in turn until one gives a non-empty count table. Outputs as in
    :func:`predict_plus_batch`.
    """
    n = q_offsets.shape[0] - 1
    if n_chunks == 1:  # no thread launch for small batches
        _cpt_range(
            0, n, q_values, q_offsets,
            structures, support, min_removed, max_removed, max_consequent, raw,
            exclude, ids, scores, dense,
        )  # fmt: skip
        return
    for chunk in prange(n_chunks):
        _cpt_range(
            chunk * n // n_chunks, (chunk + 1) * n // n_chunks, q_values, q_offsets,
            structures, support, min_removed, max_removed, max_consequent, raw,
            exclude, ids, scores, dense,
        )  # fmt: skip


@maybe_njit
def _validate_cpt_range(
    lo: int,
    hi: int,
    q_values: Array,
    q_offsets: Array,
    t_values: Array,
    t_offsets: Array,
    structures: Structures,
    support: Array,
    max_removed: int,
    max_consequent: int,
    hits: Array,
) -> None:
    width = support.shape[0]
    scratch = new_scratch(structures, width, longest(q_offsets, lo, hi))
    state = new_state(width, structures[5].shape[1])
    n_start = hits.shape[1]
    best = np.full((max(n_start, max_removed + 1), 2), -1, dtype=np.int64)
    for q in range(lo, hi):
        query = q_values[q_offsets[q] : q_offsets[q + 1]]
        m = query.shape[0]
        if m == 0:
            continue
        start_query(query, scratch, state, structures, UNBOUNDED)
        last = min(max_removed, m - 1)
        best[:] = -1
        for removed in range(last + 1):
            n_touched = _cpt_level(
                query, removed, scratch, structures, support, state, max_consequent
            )
            best[removed, 0], best[removed, 1] = best_pair(
                state, n_touched, support, scratch[6]
            )
            clear(state, n_touched)
            if n_touched > 0 and removed >= min(n_start - 1, last):
                break
        for start in range(n_start):
            for removed in range(min(start, m - 1), last + 1):
                if best[removed, 0] >= 0:
                    for mode in range(2):
                        hits[q, start, mode] = is_target(
                            best[removed, mode], t_values, t_offsets, q
                        )
                    break


@maybe_parallel
def validate_cpt_batch(
    q_values: Array,
    q_offsets: Array,
    t_values: Array,
    t_offsets: Array,
    structures: Structures,
    support: Array,
    max_removed: int,
    max_consequent: int,
    hits: Array,
    n_chunks: int,
) -> None:
    """Score top-1 predictions for every ``min_removed_items`` in ``0..R``.

    ``hits[q, r, 0]`` is 1 when query ``q``'s best item, prediction starting
    at level ``r``, is one of its targets; ``hits[q, r, 1]`` the same for its
    best item outside the query. Each level's table is computed once.
    """
    n = q_offsets.shape[0] - 1
    if n_chunks == 1:  # no thread launch for small batches
        _validate_cpt_range(
            0, n, q_values, q_offsets,
            t_values, t_offsets, structures, support, max_removed, max_consequent,
            hits,
        )  # fmt: skip
        return
    for chunk in prange(n_chunks):
        _validate_cpt_range(
            chunk * n // n_chunks, (chunk + 1) * n // n_chunks, q_values, q_offsets,
            t_values, t_offsets, structures, support, max_removed, max_consequent,
            hits,
        )  # fmt: skip
