"""The per-bit loop of the context-mixing byte model, as one numba kernel.

The loop predicts each bit of each byte, codes it (or decodes it) with the
binary arithmetic coder and updates every component, so it cannot be
vectorised: the prediction of a bit depends on all bits before it. It is
written once for encoding, decoding and measuring, and is longer than the
style guide's 60 lines because splitting the per-bit body into calls that
pass a dozen arrays would obscure it more than it would help.

All arithmetic is on integers (see :mod:`seqpred.compress._tables`), so the
encoder and the decoder, compiled or not, compute identical probabilities.
"""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array
from seqpred.compress.arithmetic import (
    bin_decode,
    bin_decode_init,
    bin_encode,
    bin_flush,
)

MASK32 = 0xFFFFFFFF
MATCH_MIN = 7  # bytes of context that start a match
MATCH_SCAN = 32  # bytes compared backwards to confirm a match


@maybe_njit
def hash2(h: int, x: int) -> int:
    """Mix ``x`` into the 32-bit hash ``h`` (no overflow in 64-bit ints)."""
    h = ((h + x + 1) * 0x2B7E1516) & MASK32
    return h ^ (h >> 15)


@maybe_njit
def _find_slot(chk: Array, st: Array, sn: Array, i: int, h: int, bits: int) -> int:
    """Return the node base of the slot of hash ``h`` in table ``i``.

    Three neighbouring slots are probed for the 16-bit check of ``h``; when
    none holds it, the least used of the three is cleared and taken.
    """
    idx = h >> (32 - bits)
    check = ((h * 0x2545F491) >> 13) & 0xFFFF
    best = idx
    best_n = 1 << 30
    for j in range(3):
        s = idx ^ j
        if int(chk[i, s]) == check:
            return s * 16
        n = sn[int(st[i, s * 16 + 1])]
        if n < best_n:
            best_n = n
            best = s
    chk[i, best] = check
    base = best * 16
    for k in range(16):
        st[i, base + k] = 0
    return base


@maybe_njit
def _apm(t: Array, cx: int, pr: int, stretch: Array) -> tuple[int, int]:
    """Refine ``pr`` in context ``cx``.

    Returns the new probability and the index of the table cell to train.
    """
    s = stretch[pr] + 2048
    lo = s >> 7
    w = s & 127
    b = cx * 33 + lo
    p = (t[b] * (128 - w) + t[b + 1] * w) >> 11
    return p, b + (w >> 6)


@maybe_njit
def _train_apm(t: Array, idx: int, y: int, rate: int) -> None:
    t[idx] += ((y << 16) + (y << rate) - y - y - t[idx]) >> rate


@maybe_njit
def _mix(w: Array, sel: int, x: Array, n: int) -> int:
    dot = 0
    for k in range(n):
        dot += w[sel, k] * x[k]
    dot >>= 16
    if dot > 2047:
        return 2047
    if dot < -2047:
        return -2047
    return dot


@maybe_njit
def _train_mix(w: Array, sel: int, x: Array, n: int, err: int) -> None:
    for k in range(n):
        w[sel, k] += (x[k] * err) >> 16


@maybe_njit
def cm_kernel(  # noqa: C901 - the per-bit loop, see the module docstring
    buf: Array,
    start: int,
    encode: bool,
    code: Array,
    coder: Array,
    costs: Array,
    orders: Array,
    extras: Array,
    bits: int,
    chk: Array,
    st: Array,
    dp: Array,
    sm: Array,
    smn: Array,
    w1: Array,
    w2: Array,
    w3: Array,
    wf: Array,
    a1: Array,
    a2: Array,
    a3: Array,
    mtab: Array,
    msm: Array,
    msmn: Array,
    nex: Array,
    sn: Array,
    stretch: Array,
    squash: Array,
    rates: Array,
    cost_table: Array,
    params: Array,
) -> int:
    """Model (and code) ``buf``: bytes before ``start`` are read, not coded.

    Returns the number of code bytes written (encoding), or -1 when ``code``
    ran out of room (the caller retries with a larger buffer).
    """
    n = buf.shape[0]
    n_ctx = chk.shape[0]
    n_ord = orders.shape[0]
    n_in = 2 * n_ctx + 3
    lr1 = params[0]
    lr2 = params[1]
    dp_limit = params[2]
    sm_limit = params[3]
    mbits = params[4]
    wt_mix = params[5]
    wt_a1 = params[6]
    wt_a2 = params[7]
    wt_a3 = params[8]
    apm_rate = params[9]
    x = np.zeros(n_in, dtype=np.int64)
    xf = np.zeros(4, dtype=np.int64)
    ctxh = np.zeros(n_ctx, dtype=np.int64)
    base = np.zeros(n_ctx, dtype=np.int64)
    node = np.zeros(n_ctx, dtype=np.int64)
    c4 = 0
    c8 = 0
    word0 = 0
    word1 = 0
    word2 = 0
    line = 0  # start of the current line
    above = 0  # start of the line before it
    mlen = 0
    mptr = 0
    cap = code.shape[0] - 64
    if not encode and start < n:
        bin_decode_init(coder, code)
    for pos in range(n):
        # Context hashes of this byte, from the bytes before it.
        for i in range(n_ord):
            k = orders[i]
            salt = (k + 1) * 0x9E3779B
            if k == 0:
                h = salt
            elif k <= 4:
                h = hash2(salt, c4 & ((1 << (8 * k)) - 1))
            else:
                h = hash2(hash2(salt, c4), c8 & ((1 << (8 * (k - 4))) - 1))
            ctxh[i] = h
        for j in range(extras.shape[0]):
            kind = extras[j]
            salt = (kind + 11) * 0x3C6EF37
            if kind == 1:  # the letters of the current word
                h = hash2(salt, word0)
            elif kind == 2:  # ... and the previous word
                h = hash2(hash2(salt, word0), word1)
            elif kind == 3:  # ... and the two previous words
                h = hash2(hash2(hash2(salt, word0), word1), word2)
            elif kind == 4:  # the two bytes before the last one
                h = hash2(salt, c4 & 0xFFFF00)
            elif kind == 5:  # bytes 1 and 3 back
                h = hash2(salt, c4 & 0xFF00FF)
            else:  # the column and the byte above it in the previous line
                col = pos - line
                up = int(buf[above + col]) if above + col < line else 0
                h = hash2(hash2(salt, min(col, 255)), up | ((c4 & 255) << 8))
            ctxh[n_ord + j] = h
        c1 = c4 & 255
        c2 = (c4 >> 8) & 255
        h12 = hash2(c1, c2 + 0x10000)
        c0 = 1
        for bitpos in range(8):
            if bitpos == 0 or bitpos == 4:
                for i in range(n_ctx):
                    base[i] = _find_slot(chk, st, sn, i, hash2(ctxh[i], c0), bits)
                nib = 1
            # -- predict: two inputs per context, two for the match model, bias.
            hits = 0
            for i in range(n_ctx):
                nd = base[i] + nib
                node[i] = nd
                s = int(st[i, nd])
                if s != 0 and i < n_ord:
                    hits += 1
                x[2 * i] = stretch[sm[i, s] >> 10]
                x[2 * i + 1] = stretch[int(dp[i, nd]) >> 4]
            expbit = 0
            mctx = 0
            if mlen > 0:
                pb = int(buf[mptr])
                if ((pb + 256) >> (8 - bitpos)) != c0:
                    mlen = 0
                else:
                    expbit = (pb >> (7 - bitpos)) & 1
                    ml = mlen if mlen < 16 else min(16 + ((mlen - 16) >> 3), 31)
                    mctx = ml * 2 + expbit
            if mlen > 0:
                x[2 * n_ctx] = stretch[msm[mctx] >> 10]
                x[2 * n_ctx + 1] = (2 * expbit - 1) * min(mlen, 32) * 32
            else:
                x[2 * n_ctx] = 0
                x[2 * n_ctx + 1] = 0
            x[2 * n_ctx + 2] = 256
            mb = 0 if mlen == 0 else (1 if mlen < 16 else (2 if mlen < 32 else 3))
            sel2 = (mb * (n_ord + 1) + hits) * 8 + bitpos
            xf[0] = _mix(w1, c0, x, n_in)
            xf[1] = _mix(w2, sel2, x, n_in)
            xf[2] = _mix(w3, c1, x, n_in)
            xf[3] = 256
            lf = _mix(wf, c0, xf, 4)
            pr = squash[lf + 2047]
            p1, i1 = _apm(a1, c0, pr, stretch)
            p2, i2 = _apm(a2, c0 | (c1 << 8), pr, stretch)
            p3, i3 = _apm(a3, (h12 ^ (c0 * 0x1F3)) & 0xFFFF, pr, stretch)
            pf = (wt_mix * pr + wt_a1 * p1 + wt_a2 * p2 + wt_a3 * p3 + 8) >> 4
            if pf < 1:
                pf = 1
            elif pf > 4095:
                pf = 4095
            # -- code the bit.
            if pos < start:
                y = (int(buf[pos]) >> (7 - bitpos)) & 1
            elif encode:
                y = (int(buf[pos]) >> (7 - bitpos)) & 1
                bin_encode(coder, code, y, pf << 4)
                if coder[2] > cap:
                    return -1
            else:
                y = bin_decode(coder, code, pf << 4)
            if costs.shape[0] > 0:
                costs[pos] += cost_table[pf] if y else cost_table[4096 - pf]
            # -- update every component with the bit.
            for i in range(n_ctx):
                nd = node[i]
                s = int(st[i, nd])
                cnt = smn[i, s]
                sm[i, s] += (((y << 22) - sm[i, s]) * rates[cnt]) >> 16
                if cnt < sm_limit:
                    smn[i, s] = cnt + 1
                dn = sn[s] if sn[s] < dp_limit else dp_limit
                d = int(dp[i, nd])
                dp[i, nd] = d + ((((y << 16) - d) * rates[dn]) >> 16)
                st[i, nd] = nex[s, y]
            if mlen > 0:
                cnt = msmn[mctx]
                msm[mctx] += (((y << 22) - msm[mctx]) * rates[cnt]) >> 16
                if cnt < sm_limit:
                    msmn[mctx] = cnt + 1
            p_1 = squash[xf[0] + 2047]
            p_2 = squash[xf[1] + 2047]
            p_3 = squash[xf[2] + 2047]
            _train_mix(w1, c0, x, n_in, ((y << 12) - p_1) * lr1)
            _train_mix(w2, sel2, x, n_in, ((y << 12) - p_2) * lr1)
            _train_mix(w3, c1, x, n_in, ((y << 12) - p_3) * lr1)
            _train_mix(wf, c0, xf, 4, ((y << 12) - pr) * lr2)
            _train_apm(a1, i1, y, apm_rate)
            _train_apm(a2, i2, y, apm_rate)
            _train_apm(a3, i3, y, apm_rate)
            c0 = c0 * 2 + y
            nib = nib * 2 + y
        c = c0 & 255
        if not encode and pos >= start:
            buf[pos] = c
        # -- byte done: shift the history, the words and the match.
        c8 = ((c8 << 8) | (c4 >> 24)) & MASK32
        c4 = ((c4 << 8) | c) & MASK32
        if (65 <= c <= 90) or (97 <= c <= 122) or c >= 128:
            word0 = hash2(word0, c | 32 if c < 128 else c)
        elif word0 != 0:
            word2 = word1
            word1 = word0
            word0 = 0
        if c == 10:
            above = line
            line = pos + 1
        if mlen > 0:
            if int(buf[mptr]) == c:
                mlen = min(mlen + 1, 65535)
                mptr += 1
            else:
                mlen = 0
        if pos + 1 >= MATCH_MIN:
            h = 0
            for k in range(pos + 1 - MATCH_MIN, pos + 1):
                h = hash2(h, int(buf[k]))
            h >>= 32 - mbits
            if mlen == 0:
                cand = mtab[h]
                if cand > 0:
                    length = 0
                    while (
                        length < MATCH_SCAN
                        and cand - 1 - length >= 0
                        and buf[cand - 1 - length] == buf[pos - length]
                    ):
                        length += 1
                    if length >= MATCH_MIN:
                        mlen = length
                        mptr = cand
            mtab[h] = pos + 1
    if encode and start < n:
        bin_flush(coder, code)
    return int(coder[2])
