"""Arithmetic coding: a binary coder and a frequency-table range coder, exact.

Two integer coders turn a model's predictions into bytes and back:

- the **binary coder** codes one bit at a time with ``P(bit = 1)`` given as a
  16-bit integer ``p1`` in ``[1, 65535]`` (out of 65536). It keeps a 32-bit
  interval ``[x1, x2]``, splits it in proportion to ``p1`` and shifts out the
  leading byte while both ends agree on it (the carry-less coder of lpaq);
- the **range coder** codes one symbol at a time from an integer frequency
  table: cumulative count ``cum``, count ``freq`` and total ``total``
  (``total <= 65536``), the range coder of LZMA (carry propagated through
  a cached byte).

Both are written as small kernels over a state array so that a model kernel
can interleave prediction and coding (a decoder needs the decoded prefix to
predict the next bit); :func:`encode_bits`, :func:`decode_bits`,
:func:`encode_symbols` and :func:`decode_symbols` wrap them for whole
arrays. All arithmetic is on integers, so a stream decodes identically on
every platform, with or without numba.

Examples
--------
>>> import numpy as np
>>> bits = np.array([1, 0, 1, 1, 0, 0, 0, 1], dtype=np.uint8)
>>> p1 = np.full(8, 32768, dtype=np.int64)  # P(1) = 1/2 for every bit
>>> data = encode_bits(bits, p1)
>>> len(data)
2
>>> decode_bits(data, p1).tolist() == bits.tolist()
True
"""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array
from seqpred.exceptions import DataError

__all__ = [
    "MAX_TOTAL",
    "decode_bits",
    "decode_symbols",
    "encode_bits",
    "encode_symbols",
    "ideal_bits",
]

MASK32 = 0xFFFFFFFF
MAX_TOTAL = 1 << 16
"""Largest total of a frequency table the range coder accepts."""
_TOP = 1 << 24

# Binary coder state: [x1, x2, out_pos] when encoding, [x1, x2, in_pos, x] when
# decoding. Range coder state: [low, range, out_pos, cache, cache_size] when
# encoding, [_, range, in_pos, code] when decoding.


@maybe_njit
def bin_encode(state: Array, out: Array, bit: int, p1: int) -> None:
    """Code ``bit`` with ``P(1) = p1 / 65536`` (``1 <= p1 <= 65535``)."""
    x1 = state[0]
    x2 = state[1]
    r = x2 - x1
    xmid = x1 + (r >> 16) * p1 + (((r & 0xFFFF) * p1) >> 16)
    if bit:
        x2 = xmid
    else:
        x1 = xmid + 1
    pos = state[2]
    # Shift out every leading byte on which both ends of the interval agree.
    while ((x1 ^ x2) & 0xFF000000) == 0:
        out[pos] = x2 >> 24
        pos += 1
        x1 = (x1 << 8) & MASK32
        x2 = ((x2 << 8) & MASK32) | 255
    state[0] = x1
    state[1] = x2
    state[2] = pos


@maybe_njit
def bin_flush(state: Array, out: Array) -> None:
    """Write the one byte that identifies a point of the final interval."""
    # x1 and x2 differ in their top byte, so x2's top byte followed by zeros
    # (what the decoder reads past the end) lies in [x1, x2].
    out[state[2]] = state[1] >> 24
    state[2] += 1


@maybe_njit
def _next_byte(data: Array, state: Array) -> int:
    pos = state[2]
    state[2] = pos + 1
    if pos < data.shape[0]:
        return int(data[pos])
    return 0


@maybe_njit
def bin_decode_init(state: Array, data: Array) -> None:
    """Start decoding ``data``: the interval is full, ``x`` its first 4 bytes."""
    state[0] = 0
    state[1] = MASK32
    state[2] = 0
    x = 0
    for _ in range(4):
        x = (x << 8) | _next_byte(data, state)
    state[3] = x


@maybe_njit
def bin_decode(state: Array, data: Array, p1: int) -> int:
    """Decode one bit coded with ``P(1) = p1 / 65536``."""
    x1 = state[0]
    x2 = state[1]
    x = state[3]
    r = x2 - x1
    xmid = x1 + (r >> 16) * p1 + (((r & 0xFFFF) * p1) >> 16)
    bit = 1 if x <= xmid else 0
    if bit:
        x2 = xmid
    else:
        x1 = xmid + 1
    while ((x1 ^ x2) & 0xFF000000) == 0:
        x1 = (x1 << 8) & MASK32
        x2 = ((x2 << 8) & MASK32) | 255
        x = ((x << 8) & MASK32) | _next_byte(data, state)
    state[0] = x1
    state[1] = x2
    state[3] = x
    return bit


@maybe_njit
def _shift_low(state: Array, out: Array) -> None:
    """Move the top byte of ``low`` out, propagating a pending carry."""
    low = state[0]
    pos = state[2]
    if low < 0xFF000000 or low > MASK32:
        carry = low >> 32
        temp = state[3]
        while True:
            out[pos] = (temp + carry) & 255
            pos += 1
            temp = 255
            state[4] -= 1
            if state[4] == 0:
                break
        state[3] = (low >> 24) & 255
    state[4] += 1
    state[0] = (low & 0x00FFFFFF) << 8
    state[2] = pos


@maybe_njit
def range_encode(state: Array, out: Array, cum: int, freq: int, total: int) -> None:
    """Code a symbol with cumulative count ``cum``, count ``freq`` of ``total``.

    ``state`` is ``[low, range, out_pos, cache, cache_size]``, starting at
    ``[0, 2**32 - 1, 0, 0, 1]``: the range coder of LZMA, whose ``low`` has
    a 33rd bit for the carry and whose range stays at least ``2**24``.
    """
    r = state[1] // total
    state[0] += r * cum
    rng = r * freq
    while rng < _TOP:
        rng <<= 8
        _shift_low(state, out)
    state[1] = rng


@maybe_njit
def range_flush(state: Array, out: Array) -> None:
    """Write the last bytes of ``low``, which the decoder needs to finish."""
    for _ in range(5):
        _shift_low(state, out)


@maybe_njit
def range_decode_init(state: Array, data: Array) -> None:
    """Start decoding ``data``: ``state`` is ``[_, range, in_pos, code]``."""
    state[0] = 0
    state[1] = MASK32
    state[2] = 0
    code = 0
    for _ in range(5):
        code = ((code << 8) | _next_byte(data, state)) & MASK32
    state[3] = code


@maybe_njit
def range_decode_target(state: Array, total: int) -> int:
    """Return the cumulative count that the next symbol's interval contains."""
    value = state[3] // (state[1] // total)
    return value if value < total else total - 1


@maybe_njit
def range_decode_update(
    state: Array, data: Array, cum: int, freq: int, total: int
) -> None:
    """Consume the symbol found from :func:`range_decode_target`."""
    r = state[1] // total
    code = state[3] - r * cum
    rng = r * freq
    while rng < _TOP:
        rng <<= 8
        code = ((code << 8) | _next_byte(data, state)) & MASK32
    state[1] = rng
    state[3] = code


@maybe_njit
def _encode_bits_kernel(bits: Array, p1: Array, out: Array) -> int:
    state = np.zeros(3, dtype=np.int64)
    state[1] = MASK32
    for i in range(bits.shape[0]):
        bin_encode(state, out, bits[i], p1[i])
    bin_flush(state, out)
    return int(state[2])


@maybe_njit
def _decode_bits_kernel(data: Array, p1: Array, bits: Array) -> None:
    state = np.zeros(4, dtype=np.int64)
    bin_decode_init(state, data)
    for i in range(bits.shape[0]):
        bits[i] = bin_decode(state, data, p1[i])


@maybe_njit
def _encode_symbols_kernel(
    symbols: Array, cum: Array, freq: Array, total: Array, out: Array
) -> int:
    state = np.zeros(5, dtype=np.int64)
    state[1] = MASK32
    state[4] = 1
    for i in range(symbols.shape[0]):
        s = symbols[i]
        range_encode(state, out, cum[i, s], freq[i, s], total[i])
    range_flush(state, out)
    return int(state[2])


@maybe_njit
def _decode_symbols_kernel(
    data: Array, cum: Array, freq: Array, total: Array, symbols: Array
) -> None:
    state = np.zeros(4, dtype=np.int64)
    range_decode_init(state, data)
    n_symbols = cum.shape[1]
    for i in range(symbols.shape[0]):
        target = range_decode_target(state, total[i])
        s = 0
        while s + 1 < n_symbols and cum[i, s + 1] <= target:
            s += 1
        symbols[i] = s
        range_decode_update(state, data, cum[i, s], freq[i, s], total[i])


def _check_p1(p1: Array, n: int, who: str) -> Array:
    p = np.asarray(p1)
    if p.shape != (n,):
        raise DataError(
            f"{who}: p1 must have one probability per bit, shape ({n},); got "
            f"shape {p.shape}. Pass one P(bit = 1) * 65536 per bit."
        )
    if p.size and (int(p.min()) < 1 or int(p.max()) > 65535):
        raise DataError(
            f"{who}: p1 must lie in [1, 65535] (P(bit = 1) * 65536); got values in "
            f"[{int(p.min())}, {int(p.max())}]. Clip with np.clip(p1, 1, 65535)."
        )
    return p.astype(np.int64)


def encode_bits(bits: Array, p1: Array) -> bytes:
    """Code a bit array, each bit with its own probability of being 1.

    Parameters
    ----------
    bits : array of shape (n,) of 0/1
        The bits to code.
    p1 : array of int of shape (n,)
        ``P(bits[i] = 1) * 65536``, each in ``[1, 65535]``.

    Returns
    -------
    bytes
        The code; its length is the ideal ``sum(-log2 P(bit))`` / 8 plus at
        most a byte or two.

    Raises
    ------
    DataError
        If ``p1`` has the wrong shape or a value outside ``[1, 65535]``.

    Examples
    --------
    >>> import numpy as np
    >>> bits = np.zeros(1000, dtype=np.uint8)
    >>> len(encode_bits(bits, np.full(1000, 655, dtype=np.int64)))  # P(0) = 0.99
    2
    """
    b = np.asarray(bits).astype(np.uint8)
    p = _check_p1(p1, b.shape[0], "encode_bits")
    out = np.zeros(4 * b.shape[0] + 8, dtype=np.uint8)  # at most 4 bytes a bit
    n = _encode_bits_kernel(b, p, out)
    return out[:n].tobytes()


def decode_bits(data: bytes, p1: Array) -> Array:
    """Decode the bits of :func:`encode_bits` given the same probabilities.

    Parameters
    ----------
    data : bytes
        The code.
    p1 : array of int of shape (n,)
        The probabilities used to encode; ``n`` is the number of bits.

    Returns
    -------
    ndarray of uint8 of shape (n,)
        The bits.

    Examples
    --------
    >>> import numpy as np
    >>> p1 = np.array([60000, 100, 30000], dtype=np.int64)
    >>> bits = np.array([1, 1, 0], dtype=np.uint8)
    >>> decode_bits(encode_bits(bits, p1), p1).tolist()
    [1, 1, 0]
    """
    p = np.asarray(p1)
    p = _check_p1(p, p.shape[0] if p.ndim == 1 else -1, "decode_bits")
    buffer = np.frombuffer(bytes(data), dtype=np.uint8)
    bits = np.zeros(p.shape[0], dtype=np.uint8)
    _decode_bits_kernel(buffer, p, bits)
    return bits


def _check_table(freqs: Array, n: int, who: str) -> tuple[Array, Array, Array]:
    f = np.asarray(freqs)
    if f.ndim == 1:
        f = np.broadcast_to(f, (n, f.shape[0]))
    if f.ndim != 2 or f.shape[0] != n:
        raise DataError(
            f"{who}: freqs must be one table (V,) or one table per symbol (n, V) "
            f"with n = {n}; got shape {f.shape}."
        )
    if f.size and int(f.min()) < 0:
        raise DataError(f"{who}: freqs must be >= 0; got {int(f.min())}.")
    f = f.astype(np.int64)
    total = f.sum(axis=1)
    if n and (int(total.min()) < 1 or int(total.max()) > MAX_TOTAL):
        raise DataError(
            f"{who}: each table's total must lie in [1, {MAX_TOTAL}]; got totals "
            f"in [{int(total.min())}, {int(total.max())}]. Rescale the counts "
            "(halve them) until the total fits."
        )
    cum = np.zeros_like(f)
    np.cumsum(f[:, :-1], axis=1, out=cum[:, 1:])
    return cum, f, total


def encode_symbols(symbols: Array, freqs: Array) -> bytes:
    """Code integer symbols with the range coder from frequency tables.

    Parameters
    ----------
    symbols : array of int of shape (n,)
        Symbols in ``[0, V)``.
    freqs : array of int of shape (V,) or (n, V)
        One table for all symbols or one per symbol; counts ``>= 0``, each
        total in ``[1, 65536]``, and a coded symbol's count ``> 0``.

    Returns
    -------
    bytes
        The code (its length is the ideal code length plus about 4 bytes).

    Raises
    ------
    DataError
        On a bad table, or a symbol outside ``[0, V)`` or with count 0.

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.array([5, 2, 1])
    >>> code = encode_symbols(np.array([0, 0, 2, 1, 0]), freqs)
    >>> decode_symbols(code, freqs, 5).tolist()
    [0, 0, 2, 1, 0]
    """
    s = np.asarray(symbols).astype(np.int64)
    cum, f, total = _check_table(freqs, s.shape[0], "encode_symbols")
    if s.size:
        if int(s.min()) < 0 or int(s.max()) >= f.shape[1]:
            raise DataError(
                f"encode_symbols: symbols must lie in [0, {f.shape[1]}); got "
                f"values in [{int(s.min())}, {int(s.max())}]."
            )
        if int(f[np.arange(s.shape[0]), s].min()) == 0:
            raise DataError(
                "encode_symbols: a symbol to code has count 0 in its table, so it "
                "cannot be coded; give every possible symbol a count >= 1."
            )
    out = np.zeros(4 * s.shape[0] + 8, dtype=np.uint8)
    n = _encode_symbols_kernel(
        s, np.ascontiguousarray(cum), np.ascontiguousarray(f), total, out
    )
    return out[:n].tobytes()


def decode_symbols(data: bytes, freqs: Array, n: int) -> Array:
    """Decode ``n`` symbols of :func:`encode_symbols` given the same tables.

    Parameters
    ----------
    data : bytes
        The code.
    freqs : array of int of shape (V,) or (n, V)
        The tables used to encode.
    n : int
        Number of symbols.

    Returns
    -------
    ndarray of int64 of shape (n,)
        The symbols.

    Examples
    --------
    >>> import numpy as np
    >>> decode_symbols(encode_symbols(np.array([1, 1]), np.array([1, 3])), [1, 3], 2)
    array([1, 1])
    """
    cum, f, total = _check_table(freqs, n, "decode_symbols")
    buffer = np.frombuffer(bytes(data), dtype=np.uint8)
    symbols = np.zeros(n, dtype=np.int64)
    _decode_symbols_kernel(
        buffer, np.ascontiguousarray(cum), np.ascontiguousarray(f), total, symbols
    )
    return symbols


def ideal_bits(p_coded: Array) -> float:
    """Return ``sum(-log2 p)``: the ideal code length in bits of coded events.

    Parameters
    ----------
    p_coded : array of float
        The probability the model gave to each event that happened.

    Returns
    -------
    float
        The code length in bits.

    Examples
    --------
    >>> ideal_bits([0.5, 0.25])
    3.0
    """
    p = np.asarray(p_coded, dtype=np.float64)
    return float(-np.log2(p).sum())
