"""Integer tables of the context-mixing model: squash, stretch, bit histories.

Everything here is built from integers only, so that the tables (and the
compressed streams that depend on them) are identical on every platform.

- ``squash(d) = 4096 / (1 + exp(-d / 256))`` for ``d`` in ``[-2047, 2047]``,
  interpolated between 33 fixed points, and ``stretch`` its inverse on the
  12-bit probabilities ``[0, 4095]`` (the logistic domain of PAQ).
- A **bit history** is a state that remembers ``(n0, n1, last bit)`` of the
  bits seen in a context, with small counts bounded so that all states fit
  in a byte. Seeing a bit adds one to its count and, when the other count is
  above 2, halves the other count (a surprise means the context changed), as
  in the state machines of PAQ.
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array

__all__ = [
    "N_STATES",
    "SQUASH_POINTS",
    "bit_history_tables",
    "rate_table",
    "squash_table",
    "stretch_table",
]

# round(4096 / (1 + exp(-(i - 16) / 2))) for i = 0..32, clipped to [1, 4095].
SQUASH_POINTS = (
    1, 2, 4, 6, 10, 17, 27, 45, 74, 120, 194, 311, 488, 747, 1102, 1546, 2048,
    2550, 2994, 3349, 3608, 3785, 3902, 3976, 4022, 4051, 4069, 4079, 4086, 4090,
    4092, 4094, 4095,
)  # fmt: skip


def squash_table() -> Array:
    """Return ``squash(d)`` for ``d = -2047 .. 2047`` (index ``d + 2047``)."""
    t = SQUASH_POINTS
    out = np.zeros(4095, dtype=np.int64)
    for d in range(-2047, 2048):
        w = d & 127
        i = (d >> 7) + 16
        out[d + 2047] = (t[i] * (128 - w) + t[i + 1] * w + 64) >> 7
    return out


def stretch_table() -> Array:
    """Return ``stretch(p)`` for ``p = 0 .. 4095``: the inverse of squash."""
    squash = squash_table()
    out = np.zeros(4096, dtype=np.int64)
    pi = 0
    for x in range(-2047, 2048):
        v = int(squash[x + 2047])
        for i in range(pi, v + 1):
            out[i] = x
        pi = max(pi, v + 1)
    out[pi:] = 2047
    return out


def rate_table(n: int, scale: int) -> Array:
    """Return ``scale / (k + 1.5)`` for ``k = 0 .. n - 1``, in integers."""
    return np.array([(2 * scale) // (2 * k + 3) for k in range(n)], dtype=np.int64)


# Largest count of one bit given the other bit's count: long runs are
# remembered precisely, mixed histories coarsely.
_CAPS = (40, 20, 12, 8, 6, 5)


def _allowed(n0: int, n1: int) -> bool:
    lo, hi = min(n0, n1), max(n0, n1)
    return lo < len(_CAPS) and hi <= _CAPS[lo]


def _bounded(n0: int, n1: int, bit: int) -> tuple[int, int]:
    while not _allowed(n0, n1):
        # Give up precision on the count of the bit just seen last, except
        # when the other count is the one out of bounds.
        if (n1 if bit else n0) > (n0 if bit else n1):
            n0, n1 = (n0, n1 - 1) if bit else (n0 - 1, n1)
        else:
            n0, n1 = (n0 - 1, n1) if bit else (n0, n1 - 1)
    return n0, n1


def _step(n0: int, n1: int, bit: int) -> tuple[int, int, int]:
    if bit:
        n1 += 1
        if n0 > 2:
            n0 = n0 // 2 + 1
    else:
        n0 += 1
        if n1 > 2:
            n1 = n1 // 2 + 1
    n0, n1 = _bounded(n0, n1, bit)
    last = bit if n0 > 0 and n1 > 0 else 0
    return n0, n1, last


def bit_history_tables() -> tuple[Array, Array, Array]:
    """Enumerate the bit-history states reachable from the empty history.

    Returns
    -------
    next_state : ndarray of shape (N_STATES, 2)
        The state after seeing bit 0 or 1.
    n0, n1 : ndarray of shape (N_STATES,)
        The counts each state stands for (state 0 is the empty history).
    """
    index: dict[tuple[int, int, int], int] = {(0, 0, 0): 0}
    order = [(0, 0, 0)]
    edges: list[tuple[int, int]] = []
    k = 0
    while k < len(order):
        n0, n1, _ = order[k]
        row = []
        for bit in (0, 1):
            nxt = _step(n0, n1, bit)
            if nxt not in index:
                index[nxt] = len(order)
                order.append(nxt)
            row.append(index[nxt])
        edges.append((row[0], row[1]))
        k += 1
    if len(order) > 256:  # pragma: no cover - a property of _CAPS
        raise AssertionError(f"{len(order)} bit-history states do not fit a byte")
    next_state = np.array(edges, dtype=np.int64)
    zeros = np.array([s[0] for s in order], dtype=np.int64)
    ones = np.array([s[1] for s in order], dtype=np.int64)
    return next_state, zeros, ones


N_STATES = len(bit_history_tables()[0])
"""Number of bit-history states (fits a byte)."""
