"""The per-byte loop of the adaptive PPM byte model, as one numba kernel.

Contexts of order 0 to ``order`` live in one open-addressing hash table
keyed by two 31-bit hashes of (order, bytes); each context holds a linked
list of (symbol, count) nodes taken from one pool. A byte is coded from the
longest context down: a context codes the byte when it has seen it, else it
codes an escape and its symbols are excluded from the shorter contexts
(full exclusion); order -1 codes the byte uniformly among those left. Only
the contexts from the one that coded the byte upwards are updated (update
exclusion); a byte new to a context starts with an inherited count. With
SEE, "escape or not" is coded first with a learned probability, then the
byte among the context's symbols. The kernel is long because coding,
decoding and updating share their list walks; it is one loop over bytes with
no vectorisable part.
"""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array
from seqpred.compress._cm_kernel import hash2
from seqpred.compress.arithmetic import (
    range_decode_init,
    range_decode_target,
    range_decode_update,
    range_encode,
    range_flush,
)

RESCALE_AT = 1 << 13  # halve a context's counts past this total (adapts, and
# keeps every coded total under the range coder's 65536)


@maybe_njit
def _find(keys: Array, key: int) -> int:
    """Return the slot of ``key``, or ``-(empty slot) - 1`` if absent."""
    mask = keys.shape[0] - 1
    s = key & mask
    while True:
        k = keys[s]
        if k == key:
            return int(s)
        if k == 0:
            return int(-s - 1)
        s = (s + 1) & mask


@maybe_njit
def _rescale(
    cid: int, head: Array, total: Array, node_cnt: Array, node_next: Array
) -> None:
    t = 0
    nd = head[cid]
    while nd >= 0:
        c = (node_cnt[nd] + 1) >> 1
        node_cnt[nd] = c
        t += c
        nd = node_next[nd]
    total[cid] = t


@maybe_njit
def see_cell(k: int, q: int, tot: int, flags: int) -> int:
    """Return the SEE cell of a context: order, distinct symbols, count, flags.

    ``flags`` (0 to 3): bit 0 when this is the longest context, bit 1 when
    the previous byte was coded by its longest context.
    """
    kb = k if k < 4 else 4
    qb = q - 1 if q < 4 else 3
    tb = 0
    t = tot
    while t > 1 and tb < 5:
        t >>= 1
        tb += 1
    return ((kb * 4 + qb) * 6 + tb) * 4 + flags


N_SEE = 5 * 4 * 6 * 4
"""Number of SEE cells."""
_SEE_ONE = 1 << 16


@maybe_njit
def _code_with_see(
    k: int,
    q: int,
    tot: int,
    flags: int,
    coding: bool,
    encode: bool,
    c: int,
    stamp: int,
    cid: int,
    coder: Array,
    code: Array,
    costs: Array,
    pos: int,
    head: Array,
    node_sym: Array,
    node_cnt: Array,
    node_next: Array,
    excl: Array,
    see_p: Array,
    see_n: Array,
) -> bool:
    """Code "escape or not" with a learned P(escape), then the symbol.

    Secondary escape estimation: instead of a fixed formula, P(escape) is
    an adaptive probability per SEE cell (:func:`see_cell`). Returns whether
    the context coded the symbol, which it leaves in ``see_n[-1]``.
    """
    cell = see_cell(k, q, tot, flags)
    pe = see_p[cell] >> 4
    pe = 16 if pe < 16 else (4080 if pe > 4080 else pe)
    if coding and not encode:
        here = range_decode_target(coder, 4096) < 4096 - pe
    else:
        here = False
        nd = head[cid]
        while nd >= 0:
            if node_sym[nd] == c and excl[c] != stamp:
                here = True
                break
            nd = node_next[nd]
    if coding:
        lo, f = (0, 4096 - pe) if here else (4096 - pe, pe)
        if encode:
            range_encode(coder, code, lo, f, 4096)
        else:
            range_decode_update(coder, code, lo, f, 4096)
    if costs.shape[0] > 0:
        costs[pos] += np.log2(4096 / (4096 - pe)) if here else np.log2(4096 / pe)
    n = see_n[cell]
    target = 0 if here else _SEE_ONE
    see_p[cell] += ((target - see_p[cell]) * ((2 * _SEE_ONE) // (2 * n + 3))) >> 16
    if n < 255:
        see_n[cell] = n + 1
    if not here:
        return False
    t = range_decode_target(coder, tot) if coding and not encode else -1
    cum = 0
    nd = head[cid]
    while nd >= 0:
        sy = int(node_sym[nd])
        if excl[sy] != stamp:
            f = int(node_cnt[nd])
            if (t < 0 and sy == c) or (0 <= t < cum + f):
                if coding:
                    if encode:
                        range_encode(coder, code, cum, f, tot)
                    else:
                        range_decode_update(coder, code, cum, f, tot)
                if costs.shape[0] > 0:
                    costs[pos] += np.log2(tot / f)
                see_n[see_n.shape[0] - 1] = sy
                return True
            cum += f
        nd = node_next[nd]
    return False  # unreachable: the symbol is in the list


@maybe_njit
def code_order_minus_one(
    coding: bool,
    encode: bool,
    c: int,
    stamp: int,
    coder: Array,
    code: Array,
    costs: Array,
    pos: int,
    excl: Array,
) -> int:
    """Code the byte uniformly among those not excluded; return it."""
    left = 0
    for s in range(256):
        if excl[s] != stamp:
            left += 1
    if coding and not encode:
        target = range_decode_target(coder, left)
        rank = 0
        for s in range(256):
            if excl[s] != stamp:
                if rank == target:
                    c = s
                    break
                rank += 1
    rank = 0
    for s in range(c):
        if excl[s] != stamp:
            rank += 1
    if coding:
        if encode:
            range_encode(coder, code, rank, 1, left)
        else:
            range_decode_update(coder, code, rank, 1, left)
    if costs.shape[0] > 0:
        costs[pos] += np.log2(left)
    return c


@maybe_njit
def ppm_kernel(  # noqa: C901 - the per-byte loop, see the module docstring
    buf: Array,
    start: int,
    encode: bool,
    code: Array,
    coder: Array,
    costs: Array,
    order: int,
    escape_d: bool,
    keys: Array,
    head: Array,
    total: Array,
    distinct: Array,
    node_sym: Array,
    node_cnt: Array,
    node_next: Array,
    see_p: Array,
    see_n: Array,
    inherit: int,
) -> int:
    """Model (and code) ``buf``: bytes before ``start`` are read, not coded.

    Returns the number of code bytes written (encoding), or -1 when ``code``
    ran out of room.
    """
    n = buf.shape[0]
    n_slots = keys.shape[0]
    max_nodes = node_sym.shape[0]
    n_ctx = 0
    n_nodes = 0
    slots = np.zeros(order + 1, dtype=np.int64)
    excl = np.zeros(256, dtype=np.int64)
    cap = code.shape[0] - 64
    prev_top = 0
    if not encode and start < n:
        range_decode_init(coder, code)
    for pos in range(n):
        stamp = pos + 1
        top = min(order, pos)
        h = 0
        for k in range(top + 1):
            if k > 0:
                h = hash2(h, int(buf[pos - k]))
            key = (((hash2(h, k) >> 1) << 31) | (hash2(h, k + 977) >> 1)) + 1
            slots[k] = _find(keys, key)
            if slots[k] < 0 and n_ctx * 4 < n_slots * 3:  # create it, if room
                s = -slots[k] - 1
                keys[s] = key
                head[s] = -1
                total[s] = 0
                distinct[s] = 0
                slots[k] = s
                n_ctx += 1
        coding = pos >= start
        c = int(buf[pos]) if (encode or not coding) else -1
        found = -1
        for k in range(top, -1, -1):
            cid = slots[k]
            if cid < 0 or distinct[cid] == 0:
                continue
            tot = 0
            q = 0
            nd = head[cid]
            while nd >= 0:
                if excl[node_sym[nd]] != stamp:
                    tot += node_cnt[nd]
                    q += 1
                nd = node_next[nd]
            if q == 0:
                continue
            if see_p.shape[0] > 0:
                if _code_with_see(
                    k,
                    q,
                    tot,
                    (1 if k == top else 0) + 2 * prev_top,
                    coding,
                    encode,
                    c,
                    stamp,
                    cid,
                    coder,
                    code,
                    costs,
                    pos,
                    head,
                    node_sym,
                    node_cnt,
                    node_next,
                    excl,
                    see_p,
                    see_n,
                ):
                    c = int(see_n[see_n.shape[0] - 1])  # the symbol, passed back
                    found = k
                    break
                nd = head[cid]
                while nd >= 0:
                    excl[node_sym[nd]] = stamp
                    nd = node_next[nd]
                continue
            total_f = 2 * tot if escape_d else tot + q
            esc_cum = total_f - q
            sym_cum = -1
            sym_f = 0
            if coding and not encode:
                target = range_decode_target(coder, total_f)
            else:
                target = -1
            cum = 0
            nd = head[cid]
            while nd >= 0:
                sy = int(node_sym[nd])
                if excl[sy] != stamp:
                    f = 2 * node_cnt[nd] - 1 if escape_d else node_cnt[nd]
                    if (target < 0 and sy == c) or (0 <= target < cum + f):
                        sym_cum = cum
                        sym_f = f
                        c = sy
                        break
                    cum += f
                nd = node_next[nd]
            if sym_cum >= 0:
                if coding:
                    if encode:
                        range_encode(coder, code, sym_cum, sym_f, total_f)
                    else:
                        range_decode_update(coder, code, sym_cum, sym_f, total_f)
                if costs.shape[0] > 0:
                    costs[pos] += np.log2(total_f / sym_f)
                found = k
                break
            if coding:  # escape, then exclude this context's symbols
                if encode:
                    range_encode(coder, code, esc_cum, q, total_f)
                else:
                    range_decode_update(coder, code, esc_cum, q, total_f)
            if costs.shape[0] > 0:
                costs[pos] += np.log2(total_f / q)
            nd = head[cid]
            while nd >= 0:
                excl[node_sym[nd]] = stamp
                nd = node_next[nd]
        if found < 0:  # order -1: uniform over the bytes not excluded
            c = code_order_minus_one(
                coding, encode, c, stamp, coder, code, costs, pos, excl
            )
        prev_top = 1 if found == top else 0
        if coding and encode and coder[2] > cap:
            return -1
        if not encode and coding:
            buf[pos] = c
        # Update exclusion: count the byte in the contexts that coded it or
        # escaped above it.
        # Information inheritance: a byte new to a longer context starts with
        # a count that grows with its share in the context that coded it.
        first_count = 1
        for k in range(max(found, 0), top + 1):
            cid = slots[k]
            if cid < 0:
                continue
            nd = head[cid]
            while nd >= 0 and node_sym[nd] != c:
                nd = node_next[nd]
            if nd >= 0:
                if k == found and total[cid] > 0:
                    first_count = 1 + (inherit * int(node_cnt[nd])) // int(total[cid])
                node_cnt[nd] += 1
                total[cid] += 1
            elif n_nodes < max_nodes:
                node_sym[n_nodes] = c
                node_cnt[n_nodes] = first_count
                node_next[n_nodes] = head[cid]
                head[cid] = n_nodes
                n_nodes += 1
                distinct[cid] += 1
                total[cid] += first_count
            if total[cid] > RESCALE_AT:
                _rescale(cid, head, total, node_cnt, node_next)
    if encode and start < n:
        range_flush(coder, code)
    return int(coder[2])
