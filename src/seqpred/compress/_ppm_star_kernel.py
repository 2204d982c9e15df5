"""The per-byte loop of PPM* (contexts of unbounded length), as one numba kernel.

**Index.** Every substring of the bytes read so far is a context; they are
kept in an online *suffix automaton* (Blumer et al. 1985). A state of the
automaton stands for a set of contexts (the suffixes of its longest one
down to, excluded, the longest one of its suffix link) that occurred at
exactly the same end positions, so they were followed by the same bytes the
same number of times: one (symbol, count) list per state serves every
context in it, and PPM's escape chain over all orders 0, 1, 2, ... becomes
the walk down the suffix links from the state of the longest context that
occurred before (the "longest match") to the root (the empty context). The
automaton's transitions *are* the context's symbols: a context's list holds
(symbol, count, next state) nodes. With ``m`` bytes indexed it has at most
``2m`` states and ``3m`` nodes, built in amortised constant time per byte
(the construction's walk up the suffix links, which visits exactly the
contexts that lack the new byte, is PPM's update).

**Prediction (PPM*).** A context is *deterministic* when it has only ever
been followed by one byte. Determinism passes to every longer context that
occurred, so along the suffix-link chain the deterministic states are the
longest ones: coding starts at the *shortest deterministic* context when
there is one, else at the longest context, and escapes down the links with
full exclusion; order -1 codes the byte uniformly among those left. The
shortest deterministic context is found through a per-state memo, a
deterministic ancestor compressed like a union-find path (a state that
becomes non-deterministic only invalidates memos pointing at it or past
it, which the walk then repairs), so a long run like ``aaaa...`` whose
every context is deterministic costs constant time per byte.

**Update.** Update exclusion, as PPM's: the byte is counted in the longest
context that knew it and added (with an inherited count) to every longer
one, which is exactly the construction's walk; when a deterministic context
shorter than the longest match coded the byte, it is counted too (the
deterministic states between those two are not touched).

**SEE.** With secondary escape estimation, the first context tried and the
contexts escaped to learn their escape probabilities in two separate sets of
cells (each laid out as :func:`~seqpred.compress._ppm_kernel.see_cell`'s:
a length bucket, the distinct bytes left, their count, and two flags, one
of them whether the previous byte was coded by its first context). For an
escaped-to context the length bucket is that of the state's shortest
context, in place of PPM's order. For the first context it is how much
longer the longest match is than that context (0, 1-4, 5-8, 9-16, more),
and the other flag says whether the context is longer than 4 bytes: a
deterministic context that a much longer match extends has predicted
right every time over a long stretch, and is far safer than one that only
just became deterministic. (Tuned on book1, tinyshakespeare, progl and
trans.)

When ``max_bytes`` bytes have been indexed, the automaton starts again
empty (the learnt SEE statistics are kept).
"""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array
from seqpred.compress._ppm_kernel import (
    N_SEE,
    RESCALE_AT,
    _code_with_see,
    _rescale,
    code_order_minus_one,
)
from seqpred.compress.arithmetic import (
    range_decode_init,
    range_decode_target,
    range_decode_update,
    range_encode,
    range_flush,
)


@maybe_njit
def _find_sym(head: Array, node_sym: Array, node_next: Array, v: int, c: int) -> int:
    """Return the node of byte ``c`` in state ``v``'s list, or -1."""
    nd = head[v]
    while nd >= 0:
        if node_sym[nd] == c:
            return int(nd)
        nd = node_next[nd]
    return -1


@maybe_njit
def shortest_deterministic(v: int, link: Array, distinct: Array, memo: Array) -> int:
    """Return the shortest deterministic context on ``v``'s suffix chain.

    ``v`` is deterministic. ``memo[x]``, when it is still deterministic, is
    a deterministic ancestor of ``x`` (every state between them is then
    deterministic too, as a state has at least its descendants' symbols).
    """
    w = v
    while True:
        m = memo[w]
        if m >= 0 and m != w and distinct[m] == 1:
            w = m
            continue
        p = link[w]
        if p >= 0 and distinct[p] == 1:
            w = p
            continue
        break
    x = v  # path compression: the same route, pointing every step at w
    while x != w:
        m = memo[x]
        nxt = m if (m >= 0 and m != x and distinct[m] == 1) else link[x]
        memo[x] = w
        x = nxt
    return w


@maybe_njit
def _see_order(length: int) -> int:
    """Bucket a context length into SEE's five order cells (tuned on book1)."""
    if length == 0:
        return 0
    if length <= 2:
        return 1
    if length <= 4:
        return 2
    if length <= 8:
        return 3
    return 4


@maybe_njit
def _see_surplus(d: int) -> int:
    """Bucket how much longer the longest match is than the first context."""
    if d <= 0:
        return 0
    if d <= 4:
        return 1
    if d <= 8:
        return 2
    if d <= 16:
        return 3
    return 4


@maybe_njit
def _code_plain(
    q: int,
    tot: int,
    escape_d: bool,
    coding: bool,
    encode: bool,
    c: int,
    stamp: int,
    v: int,
    coder: Array,
    code: Array,
    costs: Array,
    pos: int,
    head: Array,
    node_sym: Array,
    node_cnt: Array,
    node_next: Array,
    excl: Array,
) -> int:
    """Code the byte (or an escape) in state ``v`` with PPM-C or PPM-D.

    Returns the byte when ``v`` coded it, else -1 (an escape was coded).
    """
    total_f = 2 * tot if escape_d else tot + q
    target = range_decode_target(coder, total_f) if coding and not encode else -1
    cum = 0
    nd = head[v]
    while nd >= 0:
        sy = int(node_sym[nd])
        if excl[sy] != stamp:
            f = 2 * int(node_cnt[nd]) - 1 if escape_d else int(node_cnt[nd])
            if (target < 0 and sy == c) or (0 <= target < cum + f):
                if coding:
                    if encode:
                        range_encode(coder, code, cum, f, total_f)
                    else:
                        range_decode_update(coder, code, cum, f, total_f)
                if costs.shape[0] > 0:
                    costs[pos] += np.log2(total_f / f)
                return sy
            cum += f
        nd = node_next[nd]
    if coding:
        if encode:
            range_encode(coder, code, total_f - q, q, total_f)
        else:
            range_decode_update(coder, code, total_f - q, q, total_f)
    if costs.shape[0] > 0:
        costs[pos] += np.log2(total_f / q)
    return -1


@maybe_njit
def _count(
    v: int, nd: int, head: Array, total: Array, node_cnt: Array, node_next: Array
) -> None:
    node_cnt[nd] += 1
    total[v] += 1
    if total[v] > RESCALE_AT:
        _rescale(v, head, total, node_cnt, node_next)


@maybe_njit
def _new_state(
    s: int,
    length: int,
    st_len: Array,
    link: Array,
    head: Array,
    total: Array,
    distinct: Array,
    memo: Array,
) -> None:
    st_len[s] = length
    link[s] = -1
    head[s] = -1
    total[s] = 0
    distinct[s] = 0
    memo[s] = -1


@maybe_njit
def _extend(  # noqa: C901 - the suffix automaton's online step, in one piece
    c: int,
    first_count: int,
    sizes: Array,
    st_len: Array,
    link: Array,
    head: Array,
    total: Array,
    distinct: Array,
    memo: Array,
    node_sym: Array,
    node_cnt: Array,
    node_next: Array,
    node_to: Array,
) -> None:
    """Append byte ``c``: the suffix automaton's online step, counting as PPM.

    ``sizes`` is ``[states, nodes, last state, counted state]``. The states
    from the last one up the suffix links that lack ``c`` (the longer
    contexts that never saw it) get it with count ``first_count``; the first
    that has it (the longest context that knew it) counts it once more and
    is left in ``sizes[3]`` (-1 if none).
    """
    last = int(sizes[2])
    cur = int(sizes[0])
    n_nodes = int(sizes[1])
    _new_state(cur, st_len[last] + 1, st_len, link, head, total, distinct, memo)
    n_states = cur + 1
    p = last
    nd = -1
    while p >= 0:
        nd = _find_sym(head, node_sym, node_next, p, c)
        if nd >= 0:
            break
        node_sym[n_nodes] = c
        node_cnt[n_nodes] = first_count
        node_to[n_nodes] = cur
        node_next[n_nodes] = head[p]
        head[p] = n_nodes
        n_nodes += 1
        distinct[p] += 1
        total[p] += first_count
        if total[p] > RESCALE_AT:
            _rescale(p, head, total, node_cnt, node_next)
        p = link[p]
    counted = p
    if p < 0:
        link[cur] = 0
    else:
        _count(p, nd, head, total, node_cnt, node_next)
        q = int(node_to[nd])
        if st_len[p] + 1 == st_len[q]:
            link[cur] = q
        else:  # split q: its shorter contexts now also end here
            cl = n_states
            n_states += 1
            _new_state(cl, st_len[p] + 1, st_len, link, head, total, distinct, memo)
            link[cl] = link[q]
            tail = -1
            src = head[q]
            while src >= 0:  # copy q's list, in order
                node_sym[n_nodes] = node_sym[src]
                node_cnt[n_nodes] = node_cnt[src]
                node_to[n_nodes] = node_to[src]
                node_next[n_nodes] = -1
                if tail < 0:
                    head[cl] = n_nodes
                else:
                    node_next[tail] = n_nodes
                tail = n_nodes
                n_nodes += 1
                src = node_next[src]
            total[cl] = total[q]
            distinct[cl] = distinct[q]
            while p >= 0:
                nd = _find_sym(head, node_sym, node_next, p, c)
                if nd < 0 or node_to[nd] != q:
                    break
                node_to[nd] = cl
                p = link[p]
            link[q] = cl
            link[cur] = cl
    sizes[0] = n_states
    sizes[1] = n_nodes
    sizes[2] = cur
    sizes[3] = counted


@maybe_njit
def ppm_star_kernel(  # noqa: C901 - the per-byte loop, see the module docstring
    buf: Array,
    start: int,
    encode: bool,
    code: Array,
    coder: Array,
    costs: Array,
    escape_d: bool,
    max_bytes: int,
    st_len: Array,
    link: Array,
    head: Array,
    total: Array,
    distinct: Array,
    memo: Array,
    node_sym: Array,
    node_cnt: Array,
    node_next: Array,
    node_to: Array,
    see_p: Array,
    see_n: Array,
    inherit: int,
) -> int:
    """Model (and code) ``buf``: bytes before ``start`` are read, not coded.

    The state arrays need ``2 * min(len(buf), max_bytes) + 2`` entries, the
    node arrays ``3 * min(len(buf), max_bytes) + 2``. Returns the number of
    code bytes written (encoding), or -1 when ``code`` ran out of room.
    """
    n = buf.shape[0]
    sizes = np.zeros(4, dtype=np.int64)  # states, nodes, last, counted state
    excl = np.zeros(256, dtype=np.int64)
    cap = code.shape[0] - 64
    prev_top = 0
    indexed = max_bytes  # start with a reset
    if not encode and start < n:
        range_decode_init(coder, code)
    for pos in range(n):
        if indexed == max_bytes:  # (re)start empty: the root alone
            _new_state(0, 0, st_len, link, head, total, distinct, memo)
            sizes[0] = 1
            sizes[1] = 0
            sizes[2] = 0
            indexed = 0
        stamp = pos + 1
        top = int(sizes[2])
        while top >= 0 and distinct[top] == 0:  # the longest context seen before
            top = link[top]
        match = int(st_len[top]) if top >= 0 else 0  # longest match length
        if top >= 0 and distinct[top] == 1:
            top = shortest_deterministic(top, link, distinct, memo)
        coding = pos >= start
        c = int(buf[pos]) if (encode or not coding) else -1
        found = -1
        v = top
        while v >= 0:
            tot = 0
            q = 0
            nd = head[v]
            while nd >= 0:
                if excl[node_sym[nd]] != stamp:
                    tot += node_cnt[nd]
                    q += 1
                nd = node_next[nd]
            if q > 0:
                if see_p.shape[0] > 0:
                    shortest = int(st_len[link[v]]) + 1 if v > 0 else 0
                    k = _see_order(shortest)
                    tb, tn, f0 = 0, 0, 0  # SEE table (p, n) and flag bit 0
                    if v == top:  # own cells: by the match's surplus length
                        tb, tn = N_SEE, N_SEE + 1
                        f0 = 1 if shortest > 4 else 0
                        k = _see_surplus(match - shortest)
                    if _code_with_see(
                        k,
                        q,
                        tot,
                        f0 + 2 * prev_top,
                        coding,
                        encode,
                        c,
                        stamp,
                        v,
                        coder,
                        code,
                        costs,
                        pos,
                        head,
                        node_sym,
                        node_cnt,
                        node_next,
                        excl,
                        see_p[tb : tb + N_SEE],
                        see_n[tn : tn + N_SEE + 1],
                    ):
                        c = int(see_n[tn + N_SEE])
                        found = v
                        break
                else:
                    sy = _code_plain(
                        q,
                        tot,
                        escape_d,
                        coding,
                        encode,
                        c,
                        stamp,
                        v,
                        coder,
                        code,
                        costs,
                        pos,
                        head,
                        node_sym,
                        node_cnt,
                        node_next,
                        excl,
                    )
                    if sy >= 0:
                        c = sy
                        found = v
                        break
                nd = head[v]  # escaped: exclude this context's bytes below
                while nd >= 0:
                    excl[node_sym[nd]] = stamp
                    nd = node_next[nd]
            v = link[v]
        if found < 0:
            c = code_order_minus_one(
                coding, encode, c, stamp, coder, code, costs, pos, excl
            )
        prev_top = 1 if (found >= 0 and found == top) else 0
        if coding and encode and coder[2] > cap:
            return -1
        if not encode and coding:
            buf[pos] = c
        first_count = 1
        found_nd = -1
        if found >= 0:
            found_nd = _find_sym(head, node_sym, node_next, found, c)
            if inherit > 0:
                share = (inherit * int(node_cnt[found_nd])) // int(total[found])
                first_count = 1 + share
        _extend(
            c,
            first_count,
            sizes,
            st_len,
            link,
            head,
            total,
            distinct,
            memo,
            node_sym,
            node_cnt,
            node_next,
            node_to,
        )
        if found >= 0 and found != sizes[3]:
            # A deterministic context shorter than the longest match coded
            # the byte; the construction counted it in the longest only.
            _count(found, found_nd, head, total, node_cnt, node_next)
        indexed += 1
    if encode and start < n:
        range_flush(coder, code)
    return int(coder[2])
