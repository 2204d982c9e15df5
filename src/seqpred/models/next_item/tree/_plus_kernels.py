"""CPT+ kernels: the count table filled by prediction with noise reduction."""

from __future__ import annotations

import math

import numpy as np

from seqpred._numba import maybe_njit, maybe_parallel, prange
from seqpred._typing import Array
from seqpred.models.next_item.tree._kernels import (
    N_BONUS,
    NEAR_BONUS,
    Scratch,
    State,
    Structures,
    best_pair,
    clear,
    emit,
    forget_visits,
    has_prediction,
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

__all__ = [
    "Work",
    "new_work",
    "predict_plus_batch",
    "predict_plus_one",
    "validate_plus_batch",
]

Work = tuple[Array, Array, Array, Array]
"""Work arrays of the one-query path, by dtype (see :func:`new_work`)."""


# -- CPT+: prediction with noise reduction ----------------------------------------


@maybe_njit
def _update_plus(
    query: Array,
    mask: int,
    scratch: Scratch,
    structures: Structures,
    support: Array,
    state: State,
    n_touched: int,
    max_consequent: int,
    max_candidates: int,
) -> tuple[int, int]:
    """Add the consequents of the unvisited sequences similar to a sub-query.

    Each consequent item at distance ``d`` multiplies its score by
    ``1 + 1/|similar| + 0.0001/d``. Every sequence counts once per query.
    Returns ``(branches, n_touched)``, ``branches`` counting the sequences
    that gave at least one item.
    """
    table, touched, visited, stamps = state[0], state[2], state[3], state[4]
    n_sub, n_similar, n_new = similar_to(
        query, mask, scratch, structures, support, stamps, visited, max_candidates
    )
    level = 1.0 / max(n_similar, 1)
    values, offsets, tails = structures[0], structures[1], structures[6]
    items, similar, in_sub, need = scratch[0], scratch[1], scratch[4], scratch[5]
    slots, firsts = scratch[8], scratch[10]
    sub_stamp = stamps[0]
    branches = 0
    for s in range(n_new):
        sequence = similar[s]
        set_bit(visited, sequence)
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
        base = 1.0 + level
        for c in range(n):
            item = values[start + c]
            value = base + (NEAR_BONUS[c] if c < N_BONUS else 0.0001 / (c + 1.0))
            if table[item] == 0.0:
                touched[n_touched] = item
                n_touched += 1
                table[item] = value
            else:
                table[item] *= value
        if n > 0:
            branches += 1
    return branches, n_touched


@maybe_njit
def _noise(
    query: Array, mask: int, noise_ratio: float, support: Array, out: Array
) -> int:
    """Write the sub-query's noisiest (least supported) items to ``out``.

    ``floor(size * noise_ratio)`` items (at least one), in the order of a
    stable sort by decreasing support, like the reference implementation.
    """
    size = 0
    for p in range(query.shape[0]):
        if (mask >> p) & 1:
            out[size] = query[p]
            size += 1
    count = int(math.floor(size * noise_ratio))
    if count <= 0:
        best = -1
        for t in range(size):  # the first item of strictly lowest support
            if best < 0 or support[out[t]] < support[best]:
                best = out[t]
        out[0] = best
        return 1
    for i in range(1, size):  # stable insertion sort by decreasing support
        item = out[i]
        j = i - 1
        while j >= 0 and support[out[j]] < support[item]:
            out[j + 1] = out[j]
            j -= 1
        out[j + 1] = item
    for t in range(count):
        out[t] = out[size - count + t]
    return count


@maybe_njit
def _predict_plus_one(
    query: Array,
    scratch: Scratch,
    structures: Structures,
    support: Array,
    state: State,
    settings: Array,
    max_consequent: int,
    max_candidates: int,
    levels: Array,
    snaps: Array,
) -> int:
    """Fill the count table of one query by prediction with noise reduction.

    Updates stop once ``levels[-1]`` of them have given a prediction; for
    each ``levels[j]``, ``snaps[j]`` receives the best item and the best
    item outside the query at the point where the reference algorithm with
    that many updates would have stopped.
    """
    m = query.shape[0]
    noise_ratio, min_score_ratio = settings[0], settings[2]
    table, touched = state[0], state[2]
    forget_visits(state)
    full = (1 << m) - 1
    _, n_touched = _update_plus(
        query, full, scratch, structures, support, state, 0, max_consequent,
        max_candidates,
    )  # fmt: skip
    updates = 1 if has_prediction(table, touched, n_touched, min_score_ratio) else 0
    n_levels = levels.shape[0]
    done = 0
    queue = np.empty(16, dtype=np.int64)
    queue[0] = full
    head, tail = 0, 1
    seen = new_set()
    updated = new_set()
    updated, _ = set_add(updated, full)
    while True:
        while done < n_levels and updates >= levels[done]:
            snaps[done, 0], snaps[done, 1] = best_pair(
                state, n_touched, support, scratch[6]
            )
            done += 1
        if head >= tail or done == n_levels:
            break
        mask = queue[head]
        head += 1
        seen, is_new = set_add(seen, mask)
        if not is_new:
            continue
        noises = scratch[3]
        for t in range(_noise(query, mask, noise_ratio, support, noises)):
            candidate = mask
            for p in range(m):  # drop the first occurrence of the noisy item
                if (mask >> p) & 1 and query[p] == noises[t]:
                    candidate = mask & ~(1 << p)
                    break
            size = 0
            for p in range(m):
                size += (candidate >> p) & 1
            if size > 1:
                queue = push(queue, tail, candidate)
                tail += 1
            updated, fresh = set_add(updated, candidate)
            if not fresh:  # its similar sequences are all visited already
                continue
            branches, n_touched = _update_plus(
                query, candidate, scratch, structures, support, state,
                n_touched, max_consequent, max_candidates,
            )  # fmt: skip
            if branches > 0 and has_prediction(
                table, touched, n_touched, min_score_ratio
            ):
                updates += 1
    for j in range(done, n_levels):  # the queue ran out first
        snaps[j, 0], snaps[j, 1] = best_pair(state, n_touched, support, scratch[6])
    return n_touched


@maybe_njit
def _plus_query(
    query: Array,
    scratch: Scratch,
    state: State,
    structures: Structures,
    support: Array,
    settings: Array,
    limits: Array,
    raw: bool,
    exclude: bool,
    ids: Array,
    scores: Array,
    dense: Array,
    levels: Array,
    snaps: Array,
) -> None:
    """Rank the next items of one windowed query into ``ids``/``scores``/``dense``.

    ``limits`` holds ``(max_consequent, max_candidates)``.
    """
    if query.shape[0] == 0:
        return
    max_consequent, max_candidates = limits[0], limits[1]
    start_query(query, scratch, state, structures, max_candidates)
    levels[0] = 1 + int(query.shape[0] * settings[1])
    n_touched = _predict_plus_one(
        query, scratch, structures, support, state, settings, max_consequent,
        max_candidates, levels, snaps,
    )  # fmt: skip
    emit(
        state, n_touched, support, True, raw, exclude, scratch[6], ids, scores,
        dense,
    )  # fmt: skip
    clear(state, n_touched)


@maybe_njit
def _plus_range(
    lo: int,
    hi: int,
    q_values: Array,
    q_offsets: Array,
    structures: Structures,
    support: Array,
    settings: Array,
    limits: Array,
    raw: bool,
    exclude: bool,
    ids: Array,
    scores: Array,
    dense: Array,
) -> None:
    width = support.shape[0]
    scratch = new_scratch(structures, width, longest(q_offsets, lo, hi))
    state = new_state(width, structures[5].shape[1])
    levels = np.zeros(1, dtype=np.int64)
    snaps = np.zeros((1, 2), dtype=np.int64)
    for q in range(lo, hi):
        _plus_query(
            q_values[q_offsets[q] : q_offsets[q + 1]], scratch, state, structures,
            support, settings, limits, raw, exclude, ids[q], scores[q], dense[q],
            levels, snaps,
        )  # fmt: skip


@maybe_njit
def new_work(structures: Structures, width: int, n_slots: int) -> Work:
    """Work arrays for :func:`predict_plus_one`, kept between calls.

    The arrays of :func:`new_scratch` and :func:`new_state` are laid out in
    four buffers (by dtype) so that a call passes 4 arrays instead of 18:
    numba unboxes every array argument, about 0.25 µs each.
    """
    scratch = new_scratch(structures, width, n_slots)
    n_sequences, n_words = scratch[1].shape[0], scratch[2].shape[0]
    ints = np.zeros(3 * 64 + n_sequences + 5 * width + 4 + 3, dtype=np.int64)
    words = np.zeros((2 + scratch[7].shape[0], n_words), dtype=np.uint64)
    _, _, _, _, stamps = new_state(width, n_words)
    at = 3 * 64 + n_sequences + 5 * width
    ints[at : at + 4] = stamps
    return ints, words, scratch[10], np.zeros(2 * width, dtype=np.float64)


@maybe_njit
def _unpack(work: Work, width: int) -> tuple[Scratch, State, Array, Array]:
    """Return views of the :func:`new_work` buffers: scratch, state, levels, snaps."""
    ints, words, firsts, floats = work
    n_sequences = ints.shape[0] - (3 * 64 + 5 * width + 4 + 3)
    a = 3 * 64 + n_sequences  # items, noisy and rows first, then similar
    scratch = (
        ints[0:64],
        ints[192:a],
        words[0],
        ints[64:128],
        ints[a : a + width],
        ints[a + width : a + 2 * width],
        ints[a + 2 * width : a + 3 * width],
        words[2:],
        ints[a + 3 * width : a + 4 * width],
        ints[128:192],
        firsts,
    )
    b = a + 5 * width
    state = (
        floats[:width],
        floats[width:],
        ints[a + 4 * width : b],
        words[1],
        ints[b : b + 4],
    )
    return scratch, state, ints[b + 4 : b + 5], ints[b + 5 : b + 7].reshape((1, 2))


@maybe_njit
def predict_plus_one(
    query: Array,
    window: int,
    work: Work,
    structures: Structures,
    support: Array,
    settings: Array,
    limits: Array,
    exclude: bool,
    k: int,
) -> tuple[Array, Array]:
    """Rank the next items of one encoded query, reusing ``work``.

    The one-query path of a service: the query is windowed here (items
    never seen dropped, the last ``window`` kept) and the work arrays of
    :func:`new_work` are stamped, not cleared, so a call costs the query's
    own work. Returns ``(ids, scores)`` of shape ``(k,)``, ``-1`` and 0
    past the candidates.
    """
    ids = np.full(k, -1, dtype=np.int64)
    scores = np.zeros(k, dtype=np.float64)
    kept = np.empty(min(window, query.shape[0]), dtype=query.dtype)
    n = 0
    for p in range(query.shape[0] - 1, -1, -1):  # back to the window's first item
        if n == kept.shape[0]:
            break
        if support[query[p]] > 0:
            n += 1
            kept[kept.shape[0] - n] = query[p]
    scratch, state, levels, snaps = _unpack(work, support.shape[0])
    _plus_query(
        kept[kept.shape[0] - n :], scratch, state, structures, support, settings,
        limits, False, exclude, ids, scores, np.zeros(0), levels, snaps,
    )  # fmt: skip
    return ids, scores


@maybe_parallel
def predict_plus_batch(
    q_values: Array,
    q_offsets: Array,
    structures: Structures,
    support: Array,
    settings: Array,
    limits: Array,
    raw: bool,
    exclude: bool,
    ids: Array,
    scores: Array,
    dense: Array,
    n_chunks: int,
) -> None:
    """Rank the next items of a batch of encoded queries with CPT+.

    ``settings`` holds ``(noise_ratio, min_update_ratio, min_score_ratio)``
    and ``limits`` ``(max_consequent, max_candidates)``.
    ``ids``/``scores`` are ``(N, k)``, pre-filled with ``-1`` and ``0``;
    ``dense`` is ``(N, V)`` to receive whole rows, or ``(N, 0)``. With
    ``exclude`` the query's items are not ranked (the table is unchanged).
    The queries are split into ``n_chunks`` pieces run in parallel.
    """
    n = q_offsets.shape[0] - 1
    if n_chunks == 1:  # no thread launch for small batches
        _plus_range(
            0, n, q_values, q_offsets,
            structures, support, settings, limits, raw, exclude, ids,
            scores, dense,
        )  # fmt: skip
        return
    for chunk in prange(n_chunks):
        _plus_range(
            chunk * n // n_chunks, (chunk + 1) * n // n_chunks, q_values, q_offsets,
            structures, support, settings, limits, raw, exclude, ids,
            scores, dense,
        )  # fmt: skip


@maybe_njit
def _validate_plus_range(
    lo: int,
    hi: int,
    q_values: Array,
    q_offsets: Array,
    t_values: Array,
    t_offsets: Array,
    structures: Structures,
    support: Array,
    settings: Array,
    limits: Array,
    ratios: Array,
    hits: Array,
) -> None:
    width = support.shape[0]
    max_consequent, max_candidates = limits[0], limits[1]
    scratch = new_scratch(structures, width, longest(q_offsets, lo, hi))
    state = new_state(width, structures[5].shape[1])
    levels = np.zeros(ratios.shape[0], dtype=np.int64)
    snaps = np.zeros((ratios.shape[0], 2), dtype=np.int64)
    for q in range(lo, hi):
        query = q_values[q_offsets[q] : q_offsets[q + 1]]
        if query.shape[0] == 0:
            continue
        start_query(query, scratch, state, structures, max_candidates)
        for j in range(ratios.shape[0]):
            levels[j] = 1 + int(query.shape[0] * ratios[j])
        n_touched = _predict_plus_one(
            query, scratch, structures, support, state, settings, max_consequent,
            max_candidates, levels, snaps,
        )  # fmt: skip
        for j in range(ratios.shape[0]):
            for mode in range(2):
                hits[q, j, mode] = is_target(snaps[j, mode], t_values, t_offsets, q)
        clear(state, n_touched)


@maybe_parallel
def validate_plus_batch(
    q_values: Array,
    q_offsets: Array,
    t_values: Array,
    t_offsets: Array,
    structures: Structures,
    support: Array,
    settings: Array,
    limits: Array,
    ratios: Array,
    hits: Array,
    n_chunks: int,
) -> None:
    """Score top-1 predictions for each ``min_update_ratio`` in ``ratios`` (increasing).

    ``hits[q, j, 0]`` is 1 when query ``q``'s best item under ratio ``j`` is
    one of its targets (``t_values[t_offsets[q]:t_offsets[q + 1]]``), and
    ``hits[q, j, 1]`` the same for its best item outside the query; one run
    of the largest ratio serves every ratio. ``limits`` holds
    ``(max_consequent, max_candidates)``.
    """
    n = q_offsets.shape[0] - 1
    if n_chunks == 1:  # no thread launch for small batches
        _validate_plus_range(
            0, n, q_values, q_offsets,
            t_values, t_offsets, structures, support, settings, limits,
            ratios, hits,
        )  # fmt: skip
        return
    for chunk in prange(n_chunks):
        _validate_plus_range(
            chunk * n // n_chunks, (chunk + 1) * n // n_chunks, q_values, q_offsets,
            t_values, t_offsets, structures, support, settings, limits,
            ratios, hits,
        )  # fmt: skip
