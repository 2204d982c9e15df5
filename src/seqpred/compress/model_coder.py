r"""Compress with any fitted probabilistic seqpred model, frozen.

At each position the model's next-symbol distribution given the prefix (the
last ``context`` symbols) is quantised to an integer frequency table of
total ``2**16`` and the range coder of :mod:`~seqpred.compress.arithmetic`
codes the symbol. The model does not learn while it reads, so the code
length is the model's own frozen cross-entropy on the file, plus the
rounding of the tables. The file's bytes are read as symbols in one of three
alphabets, chosen from the model's vocabulary:

``"chars"``
    every symbol is one character and ``"\n"`` is one of them (a model
    fitted on whole texts, ``fit([text])``): the bytes are decoded as UTF-8
    and the context runs across lines;
``"lines"``
    one-character symbols without ``"\n"`` (a model fitted one line per
    sequence, as ``seqpred fit --data-option tokens=chars`` does): the
    context restarts after each newline, as in training, and the newline is
    an extra symbol;
``"bytes"``
    every symbol is an int in ``[0, 255]``: one symbol per byte.

A symbol outside the vocabulary (or bytes that are not UTF-8) is coded as a
reserved **escape** symbol followed by its raw value (a code point in 24
bits, or a byte in 8), so every file round-trips. The escape (and the
newline of ``"lines"``) get adaptive frequencies, ``(2c + 1) / (2t + 2)`` of
the total after ``c`` occurrences in ``t`` symbols (the Krichevsky-Trofimov
estimate), so an unused escape costs about ``log2(t) / 2`` bits in all.

Examples
--------
>>> import hashlib
>>> from seqpred.models.next_item import PPM
>>> model = PPM(max_order=3, escape="C", exclusion=True).fit(["abracadabra\n"] * 3)
>>> digest = hashlib.sha256(b"my model file").digest()
>>> blob = compress_with_model(b"abracadabra! cadabra", model, fingerprint=digest)
>>> decompress_with_model(blob, model, fingerprint=digest)
b'abracadabra! cadabra'
"""

from __future__ import annotations

import hashlib
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from seqpred._numba import maybe_njit
from seqpred._typing import Array
from seqpred.compress.arithmetic import (
    MASK32,
    MAX_TOTAL,
    range_decode_init,
    range_decode_target,
    range_decode_update,
    range_encode,
    range_flush,
)
from seqpred.compress.container import (
    FILE_MODEL,
    CompressedFormatError,
    pack,
    payload_of,
    read_header,
)
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = [
    "TOTAL",
    "CodeLength",
    "compress_with_model",
    "decompress_with_model",
    "file_sha256",
    "load_model_file",
    "model_code_length",
    "quantise",
]

TOTAL = MAX_TOTAL
"""Total of every frequency table (``2**16``)."""
_FILE_MODEL_ID = 5
_BATCH = 2048  # prefixes per predict_proba call when encoding
_PROGRESS_MIN = 20_000  # symbols: shorter files get no progress bar
_CONTEXT_PARAMS = ("max_order", "order", "max_length")
_RAW_BITS = {"chars": 24, "lines": 24, "bytes": 8}


@dataclass(frozen=True)
class CodeLength:
    """The ideal code length of a file under a frozen model's quantised tables.

    Attributes
    ----------
    bits : float
        ``sum(-log2(freq / total))`` over every coded event (symbols,
        escapes and raw values): what an ideal coder would write.
    n_symbols : int
        Symbols read from the file.
    n_escaped : int
        Symbols outside the model's vocabulary.
    """

    bits: float
    n_symbols: int
    n_escaped: int

    @property
    def bits_per_symbol(self) -> float:
        """``bits / n_symbols``."""
        return self.bits / max(self.n_symbols, 1)


def file_sha256(path: str | Path) -> bytes:
    """Return the SHA-256 digest of a file (what a code's header records).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "m"
    ...     _ = path.write_bytes(b"")
    ...     file_sha256(path).hex()[:8]
    'e3b0c442'
    """
    return hashlib.sha256(Path(path).read_bytes()).digest()


def load_model_file(
    path: str | Path, *, key: bytes | str | None = None
) -> tuple[Any, bytes]:
    """Load a saved model (``seqpred fit -o MODEL.seqpred``) and its SHA-256.

    Parameters
    ----------
    path : str or Path
        The model file.
    key : bytes or str, default=None
        Accept only a file signed with this key (see :func:`seqpred.io.load`).

    Returns
    -------
    (estimator, bytes)
        The fitted model and the file's SHA-256 digest.
    """
    from seqpred import io  # a model file: numpy and the registry only

    model = io.load(path, key=key)  # first: it refuses FIFOs and devices
    return model, file_sha256(path)


# -- the alphabet: bytes <-> symbols ------------------------------------------


@dataclass(frozen=True)
class _Alphabet:
    kind: str  # "chars", "lines" or "bytes"
    symbols: list[Any]  # the model's vocabulary, in predict_proba column order
    index: dict[Any, int]

    @property
    def n_extra(self) -> int:  # escape, and the newline of "lines"
        return 2 if self.kind == "lines" else 1

    @property
    def escape(self) -> int:
        return len(self.symbols)

    def units(self, data: bytes) -> list[Any]:
        if self.kind == "bytes":
            return list(data)
        return list(data.decode("utf-8", "surrogateescape"))

    def to_bytes(self, units: list[Any]) -> bytes:
        if self.kind == "bytes":
            return bytes(units)
        return "".join(units).encode("utf-8", "surrogateescape")

    def unit_size(self, unit: Any) -> int:
        if self.kind == "bytes":
            return 1
        return len(unit.encode("utf-8", "surrogateescape"))

    def ids(self, units: list[Any]) -> Array:
        """Symbol ids: vocabulary columns, the escape, the newline of "lines"."""
        table = dict(self.index)
        if self.kind == "lines":
            table["\n"] = self.escape + 1
        escape = self.escape
        return np.fromiter(
            (table.get(u, escape) for u in units), dtype=np.int64, count=len(units)
        )

    def raw(self, unit: Any) -> int:
        return int(unit) if self.kind == "bytes" else ord(unit)

    def from_raw(self, value: int) -> Any:
        if self.kind == "bytes":
            return value
        if value > 0x10FFFF:
            raise CompressedFormatError(
                f"corrupt compressed file: escaped code point {value:#x} is beyond "
                "Unicode (or the model is not the one the file was made with)."
            )
        return chr(value)

    def prefix(self, units: list[Any], start: int, end: int) -> Any:
        """Return ``units[start:end]``, the context of position ``end``."""
        piece = units[start:end]
        return piece if self.kind == "bytes" else "".join(piece)


def _alphabet(model: Any, kind: str | None = None) -> _Alphabet:
    owner = type(model).__name__
    vocabulary = getattr(model, "vocabulary_", None)
    if vocabulary is None or not callable(getattr(model, "predict_proba", None)):
        raise InvalidParameterError(
            f"compress --with: {owner} is not a fitted probabilistic sequence "
            "model (it needs vocabulary_ and predict_proba); fit a model such as "
            "PPM or NeuralLanguageModel first."
        )
    symbols = list(vocabulary.symbols)
    index = {s: i for i, s in enumerate(symbols)}
    if all(isinstance(s, str) and len(s) == 1 for s in symbols):
        found = "chars" if "\n" in index else "lines"
    elif all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) and 0 <= s < 256
        for s in symbols
    ):
        found = "bytes"
    else:
        shown = ", ".join(repr(s) for s in symbols[:3])
        raise InvalidParameterError(
            f"compress --with: {owner}'s symbols must be single characters or "
            f"byte values 0-255; got symbols such as {shown}. Fit a character "
            "model (seqpred fit ... --data-option tokens=chars)."
        )
    if kind is not None and kind != found:
        raise CompressedFormatError(
            f"the file was coded reading {kind!r} symbols, but this model reads "
            f"{found!r}; pass the model file it was compressed with."
        )
    if len(symbols) + 2 > TOTAL // 2:
        raise InvalidParameterError(
            f"compress --with: {owner} has {len(symbols)} symbols; 16-bit "
            f"frequency tables hold at most {TOTAL // 2 - 2}."
        )
    return _Alphabet(found, symbols, index)


def _context(model: Any, context: int | None) -> int:
    if context is not None:
        if isinstance(context, bool) or not isinstance(context, int) or context < 0:
            raise InvalidParameterError(
                f"compress --with: context must be an int >= 0; got {context!r}."
            )
        return context
    params = model.get_params(deep=False) if hasattr(model, "get_params") else {}
    params["context_length_"] = getattr(model, "context_length_", None)
    for name in (*_CONTEXT_PARAMS, "context_length_"):
        # the value fit used (max_order_: clamped to the data) before the parameter
        for value in (getattr(model, f"{name}_", None), params.get(name)):
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
    raise InvalidParameterError(
        f"compress --with: cannot tell how many symbols of context "
        f"{type(model).__name__} reads (it has none of {_CONTEXT_PARAMS}); "
        "pass context=N."
    )


# -- frequency tables ----------------------------------------------------------


def quantise(proba: Array, extra: Array) -> Array:
    """Turn probability rows into integer frequency tables of total ``2**16``.

    Every symbol gets a frequency of at least 1; the ``extra`` symbols
    (escape, newline) get the given frequencies; the rest of the total is
    shared in proportion to ``proba`` by ``floor``, and what the floors
    leave goes to each row's most probable symbol. The float64 products and
    floors are elementwise, so a row quantises the same in any batch.

    Parameters
    ----------
    proba : ndarray of shape (N, V)
        Rows summing to 1 (a model's ``predict_proba``).
    extra : ndarray of int of shape (N, E)
        Frequencies of the extra symbols, appended after the ``V`` columns.

    Returns
    -------
    ndarray of int64 of shape (N, V + E)
        Frequencies, each row summing to ``2**16``.

    Raises
    ------
    DataError
        If a row is not a probability distribution.

    Examples
    --------
    >>> import numpy as np
    >>> quantise(np.array([[0.75, 0.25, 0.0]]), np.array([[4]])).tolist()
    [[49148, 16383, 1, 4]]
    """
    p = np.asarray(proba, dtype=np.float64)
    bad = ~np.isfinite(p).all(axis=1) | (p.min(axis=1, initial=0.0) < 0)
    bad |= np.abs(p.sum(axis=1) - 1.0) > 1e-6
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            f"quantise: row {row} is not a probability distribution (sum "
            f"{p[row].sum()!r}); the model's predict_proba must return rows of "
            "non-negative numbers summing to 1."
        )
    budget = TOTAL - extra.sum(axis=1) - p.shape[1]  # (N,)
    freq = np.floor(p * budget[:, None].astype(np.float64)).astype(np.int64)
    freq[np.arange(len(p)), p.argmax(axis=1)] += budget - freq.sum(axis=1)
    return np.concatenate([freq + 1, extra.astype(np.int64)], axis=1)


def _extra_freq(counts: Array, t: Array) -> Array:
    """KT frequencies ``(2c + 1) / (2t + 2)`` of the total, in ``[1, TOTAL / 4]``."""
    raw = ((2 * counts + 1) * TOTAL) // (2 * t[:, None] + 2)
    clipped: Array = np.clip(raw, 1, TOTAL // 4)
    return clipped


# -- encoding --------------------------------------------------------------------


@maybe_njit
def _encode_events(cum: Array, freq: Array, total: Array, out: Array) -> int:
    state = np.zeros(5, dtype=np.int64)
    state[1] = MASK32
    state[4] = 1
    for i in range(cum.shape[0]):
        range_encode(state, out, cum[i], freq[i], total[i])
    range_flush(state, out)
    return int(state[2])


def _starts(alpha: _Alphabet, units: list[Any], context: int) -> Array:
    """First unit of each position's context (after the last newline for "lines")."""
    n = len(units)
    start = np.maximum(np.arange(n) - context, 0)
    if alpha.kind == "lines":
        newline = np.fromiter((u == "\n" for u in units), dtype=bool, count=n)
        after = np.where(newline, np.arange(n) + 1, 0)
        line_start = np.zeros(n, dtype=np.int64)
        line_start[1:] = np.maximum.accumulate(after)[:-1]
        start = np.maximum(start, line_start)
    return start


def _events(
    model: Any, alpha: _Alphabet, units: list[Any], context: int, progress: bool
) -> tuple[Array, Array, Array, int]:
    """Return ``(cum, freq, total)`` of every coded event, and the escapes."""
    ids = alpha.ids(units)
    n, n_extra = len(units), alpha.n_extra
    starts = _starts(alpha, units, context)
    extra_ids = alpha.escape + np.arange(n_extra)
    seen = np.zeros((n, n_extra), dtype=np.int64)  # occurrences before t
    seen[1:] = np.cumsum(ids[:-1, None] == extra_ids[None, :], axis=0)
    cum = np.empty(n, dtype=np.int64)
    freq = np.empty(n, dtype=np.int64)
    bar = tqdm(total=n, desc="compress", unit="sym", file=sys.stderr,
               disable=not progress or n < _PROGRESS_MIN, leave=False)  # fmt: skip
    with bar:
        for lo in range(0, n, _BATCH):
            hi = min(n, lo + _BATCH)
            prefixes = [alpha.prefix(units, int(starts[t]), t) for t in range(lo, hi)]
            table = quantise(
                model.predict_proba(prefixes),
                _extra_freq(seen[lo:hi], np.arange(lo, hi)),
            )
            rows = np.arange(hi - lo)
            freq[lo:hi] = table[rows, ids[lo:hi]]
            cum[lo:hi] = np.cumsum(table, axis=1)[rows, ids[lo:hi]] - freq[lo:hi]
            bar.update(hi - lo)
    escaped = np.flatnonzero(ids == alpha.escape)
    width = _RAW_BITS[alpha.kind] // 8
    # each escape is followed by its raw value, one byte per event
    n_events = 1 + np.zeros(n, dtype=np.int64)
    n_events[escaped] += width
    at = np.cumsum(n_events) - n_events  # index of each position's symbol event
    ev_cum = np.zeros(int(n_events.sum()), dtype=np.int64)
    ev_freq = np.ones_like(ev_cum)
    ev_total = np.full_like(ev_cum, 256)
    ev_cum[at], ev_freq[at], ev_total[at] = cum, freq, TOTAL
    raw = np.array([alpha.raw(units[t]) for t in escaped], dtype=np.int64)
    for k in range(width):
        ev_cum[at[escaped] + 1 + k] = (raw >> (8 * (width - 1 - k))) & 255
    return ev_cum, ev_freq, ev_total, len(escaped)


def model_code_length(
    data: bytes, model: Any, *, context: int | None = None
) -> CodeLength:
    """Return the ideal code length of ``data`` under ``model``'s quantised tables.

    The compressed payload of :func:`compress_with_model` is this many bits
    divided by 8, plus the coder's last 5 bytes.

    Parameters
    ----------
    data : bytes
        The file's bytes.
    model : fitted estimator
        A probabilistic model with ``vocabulary_`` and ``predict_proba``.
    context : int or None, default=None
        Symbols of context (None: the model's ``max_order``, ``order`` or
        ``max_length``).

    Returns
    -------
    CodeLength

    Examples
    --------
    >>> from seqpred.models.next_item import PPM
    >>> model = PPM(max_order=2).fit(["abab"])
    >>> model_code_length(b"abab", model).n_symbols
    4
    """
    alpha = _alphabet(model)
    units = alpha.units(bytes(data))
    cum, freq, total, n_escaped = _events(
        model, alpha, units, _context(model, context), False
    )
    bits = float(np.log2(total / freq).sum())
    return CodeLength(bits=bits, n_symbols=len(units), n_escaped=n_escaped)


def compress_with_model(
    data: bytes,
    model: Any,
    *,
    fingerprint: bytes,
    context: int | None = None,
    progress: bool = False,
) -> bytes:
    """Compress ``data`` with a frozen model into a checked file image.

    Parameters
    ----------
    data : bytes
        The bytes to compress.
    model : fitted estimator
        A probabilistic model with ``vocabulary_`` and ``predict_proba``
        over single characters or byte values (see the module docstring).
    fingerprint : bytes
        The SHA-256 of the model's file (:func:`file_sha256`), stored in the
        header; :func:`decompress_with_model` refuses another.
    context : int or None, default=None
        Symbols of context given to the model (None: its ``max_order``,
        ``order`` or ``max_length`` parameter, or its ``context_length_``
        attribute, as an :class:`~seqpred.models.next_item.OnlineMixture`
        has); stored in the header.
    progress : bool, default=False
        Show a progress bar on stderr for files of 20,000 symbols or more.

    Returns
    -------
    bytes
        Header and code.

    Raises
    ------
    InvalidParameterError
        If the model's symbols are neither characters nor bytes, or the
        fingerprint is not 32 bytes.

    Notes
    -----
    The distributions are computed ``2048`` prefixes per ``predict_proba``
    call. Encoding and decoding must run with the same model file and the
    same numerical libraries: the tables are integer, but computed from the
    model's float64 probabilities; a mismatch is caught by the CRC-32.
    """
    digest = _check_fingerprint(fingerprint)
    alpha = _alphabet(model)
    span = _context(model, context)
    units = alpha.units(bytes(data))
    cum, freq, total, _ = _events(model, alpha, units, span, progress)
    out = np.zeros(4 * len(cum) + 16, dtype=np.uint8)
    n = _encode_events(cum, freq, total, out)
    return pack(
        bytes(data),
        out[:n].tobytes(),
        model_id=_FILE_MODEL_ID,
        model_file=(digest, span, alpha.kind),
    )


def _check_fingerprint(fingerprint: bytes) -> bytes:
    if not isinstance(fingerprint, bytes) or len(fingerprint) != 32:
        raise InvalidParameterError(
            f"compress --with: fingerprint must be a 32-byte SHA-256 digest; got "
            f"{fingerprint!r}. Use file_sha256(MODEL_FILE)."
        )
    return fingerprint


# -- decoding --------------------------------------------------------------------


def decompress_with_model(
    blob: bytes, model: Any, *, fingerprint: bytes, progress: bool = False
) -> bytes:
    """Restore the bytes of a :func:`compress_with_model` file image.

    Decoding is sequential: one ``predict_proba`` call per symbol, since
    each context holds the symbols decoded before it. A PPM of order 5
    decodes about 500-1,000 characters a second on one CPU core (the
    tinyshakespeare validation text, 111,540 characters, took 224 s), a
    neural model fewer; encoding, batched, takes seconds.

    Parameters
    ----------
    blob : bytes
        Header and code.
    model : fitted estimator
        The model the file was compressed with.
    fingerprint : bytes
        The SHA-256 of that model's file.
    progress : bool, default=False
        Show a progress bar on stderr for files of 20,000 bytes or more.

    Returns
    -------
    bytes
        The original bytes, verified against the stored length and CRC-32.

    Raises
    ------
    CompressedFormatError
        On a foreign, corrupt or truncated file, a file not made with a
        model, or a different model file.
    """
    header = read_header(blob)
    if header.model != FILE_MODEL:
        raise CompressedFormatError(
            f"the file was compressed with the built-in model {header.model!r}, "
            "not a model file; decompress it without --with."
        )
    if header.model_sha256 != _check_fingerprint(fingerprint):
        raise CompressedFormatError(
            "the model given is not the one the file was compressed with (its "
            f"SHA-256 is {fingerprint.hex()[:16]}..., the file names "
            f"{(header.model_sha256 or b'').hex()[:16]}...); pass the same "
            "--with MODEL file."
        )
    payload = payload_of(blob, header)
    alpha = _alphabet(model, header.alphabet)
    bar = tqdm(total=header.length, desc="decompress", unit="B", unit_scale=True,
               file=sys.stderr, disable=not progress or header.length < _PROGRESS_MIN,
               leave=False)  # fmt: skip
    with bar:
        data = alpha.to_bytes(
            _decode_units(model, alpha, payload, header.length, header.context, bar)
        )
    if len(data) != header.length or zlib.crc32(data) != header.crc32:
        raise CompressedFormatError(
            "corrupt compressed file: the decompressed bytes fail the length or "
            "CRC-32 check (the code was damaged, or the model computes other "
            "probabilities here than where the file was made)."
        )
    return data


def _decode_units(
    model: Any, alpha: _Alphabet, payload: bytes, length: int, context: int, bar: Any
) -> list[Any]:
    """Decode symbols until they make ``length`` bytes."""
    buffer = np.frombuffer(payload, dtype=np.uint8)
    state = np.zeros(4, dtype=np.int64)
    range_decode_init(state, buffer)
    units: list[Any] = []
    counts = np.zeros((1, alpha.n_extra), dtype=np.int64)
    line_start, n_bytes = 0, 0
    width = _RAW_BITS[alpha.kind] // 8
    while n_bytes < length:
        t = len(units)
        prefix = alpha.prefix(units, max(t - context, line_start), t)
        table = quantise(
            model.predict_proba([prefix]), _extra_freq(counts, np.array([t]))
        )[0]
        ends = np.cumsum(table)
        s = int(np.searchsorted(ends, range_decode_target(state, TOTAL), "right"))
        range_decode_update(
            state, buffer, int(ends[s] - table[s]), int(table[s]), TOTAL
        )
        if s < len(alpha.symbols):
            unit = alpha.symbols[s]
        elif s == alpha.escape:
            value = 0
            for _ in range(width):
                byte = range_decode_target(state, 256)
                range_decode_update(state, buffer, byte, 1, 256)
                value = (value << 8) | byte
            unit = alpha.from_raw(value)
        else:  # the newline of "lines"
            unit = "\n"
        if s >= len(alpha.symbols):
            counts[0, s - alpha.escape] += 1
        if unit == "\n" and alpha.kind == "lines":
            line_start = t + 1
        units.append(unit)
        size = alpha.unit_size(unit)
        n_bytes += size
        bar.update(size)
    return units
