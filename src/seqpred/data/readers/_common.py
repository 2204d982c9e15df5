"""Helpers shared by the readers: path and size checks, line lookup, symbol encoding."""

from __future__ import annotations

import codecs
import gzip
import io
import os
import shutil
import sys
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import numpy as np

from seqpred._params import Options, validate_parameter
from seqpred._typing import Array
from seqpred.data._ragged import offsets_from_lengths
from seqpred.data.budget import ENV_MAX_BYTES, default_max_bytes, format_bytes
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import (
    DataError,
    DataTooLargeError,
    EmptySequenceError,
    InvalidParameterError,
    ParseError,
)

__all__ = [
    "BOM",
    "READ_EXPANSION",
    "STDIN",
    "Array",
    "PathLike",
    "Unknown",
    "check_encoding",
    "check_option",
    "check_path",
    "check_size",
    "encode_first_seen",
    "first_seen_groups",
    "gunzip",
    "line_of_offset",
    "parse_floats",
    "read_bytes",
    "spooled",
    "to_sequence_set",
]

PathLike = str | os.PathLike[str]
Unknown = Literal["error", "unk", "add"]


def check_encoding(who: str, encoding: Any) -> None:
    """Raise :class:`InvalidParameterError` unless ``encoding`` is a known codec.

    Examples
    --------
    >>> check_encoding("read_lines", "latin-1")
    >>> check_encoding("read_lines", "bogus")
    Traceback (most recent call last):
    ...
    seqpred.exceptions.InvalidParameterError: read_lines: encoding must be a ...
    """
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise InvalidParameterError(
            f"{who}: encoding must be a text encoding Python knows; got "
            f"{encoding!r}. Use encoding='utf-8' (or 'latin-1', 'cp1252')."
        ) from None


def check_option(who: str, name: str, value: Any, options: Sequence[Any]) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is one of ``options``."""
    validate_parameter(who, name, value, [Options(options)], options[0])


STDIN = "-"
"""The file name that means standard input."""


@contextmanager
def spooled(path: PathLike, who: str) -> Iterator[tuple[Path, str]]:
    """Yield ``(a regular file with the data, the name to show)`` for ``path``.

    ``"-"`` (standard input) and pipes, FIFOs or devices such as
    ``/dev/stdin`` can be read only once, so their bytes are first copied,
    in chunks, to a temporary file (deleted afterwards) that format
    detection and the reader may then open as often as they need: nothing
    of the stream is lost. A regular file is yielded as it is.
    """
    if str(path) != STDIN:
        p = Path(path)
        try:
            special = p.exists() and not p.is_file() and not p.is_dir()
        except OSError:
            special = False
        if not special:
            yield p, str(p)
            return
    name = "<stdin>" if str(path) == STDIN else str(path)
    with tempfile.TemporaryDirectory(prefix="seqpred-") as tmp:
        copy = Path(tmp) / ("stdin" if str(path) == STDIN else Path(path).name)
        with copy.open("wb") as out:
            if str(path) == STDIN:
                shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
            else:
                with open(path, "rb") as stream:
                    shutil.copyfileobj(stream, out, 1 << 20)
        yield copy, name


def check_path(path: PathLike, who: str) -> Path:
    """Return ``path`` as a :class:`Path`; raise :class:`DataError` if unreadable."""
    p = Path(path)
    if not p.exists():
        raise DataError(
            f"{who}: file not found: {str(p)!r}; expected an existing file. "
            f"Check the path (relative paths start at {os.getcwd()!r})."
        )
    if p.is_dir():
        raise DataError(
            f"{who}: {str(p)!r} is a directory; expected a file. Pass the path of "
            "one file inside it."
        )
    return p


READ_EXPANSION = 8
"""Bytes of memory a text or table reader needs, at least, per byte of file.

Measured peaks: 8.4 for a CSV event log, 11 for SPMF, 14 for lines of words,
42 for lines read character by character and 50 for a compressed Parquet
file, so a file of more than ``budget / 8`` bytes cannot be read within it.
"""


def check_size(p: Path, who: str, *, inflated: int | None = None) -> None:
    """Refuse a file that cannot be read within the memory budget, before reading it.

    The budget is ``SEQPRED_MAX_BYTES``, else half of the machine's memory
    (see :mod:`seqpred.data.budget`); reading takes at least
    :data:`READ_EXPANSION` times the file's size, or ``inflated`` (the
    bytes a compressed file decompressed to, as far as it was read).

    Raises
    ------
    DataTooLargeError
        If ``READ_EXPANSION`` times the size passes the budget.
    """
    size = p.stat().st_size if inflated is None else inflated
    budget = default_max_bytes()
    if size * READ_EXPANSION > budget:
        need = size * READ_EXPANSION
        holds = (
            f"holds {format_bytes(size)}"
            if inflated is None
            else f"decompresses to more than {format_bytes(size)}"
        )
        raise DataTooLargeError(
            f"{who}: {str(p)!r} {holds}; reading it needs at least "
            f"{format_bytes(need)} ({READ_EXPANSION}x its size), more than the "
            f"memory budget of {format_bytes(budget)}. Raise the budget with "
            f"{ENV_MAX_BYTES} (e.g. {ENV_MAX_BYTES}={_size_hint(need)}) if the "
            "machine has the memory, or split the file."
        )


def gunzip(data: bytes, p: Path, who: str) -> bytes:
    """Decompress gzip ``data`` read from ``p``, at most what the budget can parse.

    Raises
    ------
    ParseError
        If the stream is corrupt.
    DataTooLargeError
        If it inflates past the budget divided by :data:`READ_EXPANSION`
        (a small file may hide gigabytes).
    """
    limit = default_max_bytes() // READ_EXPANSION
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ParseError(
            f"{who}: the gzip stream is corrupt ({exc}); expected a complete "
            ".gz file. Download or write the file again.",
            path=str(p),
        ) from None
    if len(out) > limit:
        check_size(p, who, inflated=len(out))
    return out


def _size_hint(n: int) -> str:
    return f"{-(-n // (1 << 30))}G" if n >= 1 << 30 else f"{-(-n // (1 << 20))}M"


BOM = b"\xef\xbb\xbf"
"""The UTF-8 byte-order mark, dropped from the start of every file read."""


def read_bytes(path: PathLike, who: str) -> tuple[Path, bytes]:
    """Read a whole file, without a leading UTF-8 byte-order mark.

    Raises a :class:`DataError` if the file is missing or empty, and a
    :class:`DataTooLargeError` (before reading) if it cannot be read within
    the memory budget (see :func:`check_size`).
    """
    p = check_path(path, who)
    check_size(p, who)
    data = p.read_bytes()
    if data.startswith(BOM):
        data = data[len(BOM) :]
    if not data.strip():
        raise EmptySequenceError(
            f"{who}: file {str(p)!r} is empty; expected at least one sequence. "
            "Check that the file was written completely."
        )
    return p, data


def line_of_offset(data: bytes | str, offset: int) -> int:
    """Return the 1-based line number of byte (or character) ``offset``."""
    newline = b"\n" if isinstance(data, bytes) else "\n"
    return data.count(newline, 0, offset) + 1  # type: ignore[arg-type]


_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 11, 12, 13, 32]] = True  # C isspace(), as np.fromstring uses


def count_tokens(data: bytes) -> int:
    """Return the number of whitespace-separated tokens in ``data``."""
    space = _SPACE[np.frombuffer(data, dtype=np.uint8)]
    return int(np.count_nonzero(~space & np.concatenate(([True], space[:-1]))))


def parse_floats(text: str, sep: str) -> Array | None:
    """Parse ``sep``-separated floats (``sep=" "``: any whitespace) in C.

    Returns ``None`` when some token is not a number or a field is empty, so
    that the caller can look for the culprit and report its line.
    """
    data = text.encode()
    expected = text.count(sep) + 1 if sep != " " else count_tokens(data)
    if expected == 0 or not text.strip():
        return None
    try:
        values: Array = np.fromstring(data, dtype=np.float64, sep=sep)
    except ValueError:
        return None
    return values if len(values) == expected else None


def encode_first_seen(
    values: Array,
    vocabulary: Vocabulary | None,
    unknown: Unknown | None,
    *,
    names: Array | None = None,
) -> tuple[Array, Vocabulary]:
    """Encode ``values`` with ``vocabulary``, adding new symbols in first-seen order.

    One dictionary lookup per distinct value; the per-item work is NumPy.

    Parameters
    ----------
    values : ndarray
        Symbols (ints or strings), any shape.
    vocabulary : Vocabulary or None
        ``None`` builds a new vocabulary (and ``unknown`` defaults to ``"add"``).
    unknown : {"error", "unk", "add"} or None
        Policy for symbols missing from a given vocabulary (default ``"error"``).
    names : ndarray, default=None
        Symbol of each integer value (``names[v]``), for values that are codes,
        such as bytes standing for characters.

    Returns
    -------
    codes : ndarray of int64
        Ids, same shape as ``values``.
    vocabulary : Vocabulary
    """
    if vocabulary is None:
        vocabulary = Vocabulary()
        unknown = unknown or "add"
    flat = values.ravel()
    group, first = first_seen_groups(flat)
    distinct = flat[first] if names is None else names[flat[first]]
    ids = vocabulary.encode(distinct.tolist(), unknown=unknown or "error")
    return ids[group].reshape(values.shape), vocabulary


def first_seen_groups(keys: Array) -> tuple[Array, Array]:
    """Give each distinct value of ``keys`` a group id, by first appearance.

    Parameters
    ----------
    keys : ndarray, shape (n,)
        Any sortable values; equal values form one group.

    Returns
    -------
    group : ndarray of int64, shape (n,)
        For each element, the rank of its value by first appearance.
    first : ndarray of int64, shape (n_groups,)
        Where each group first appears, in group order (so increasing).

    Examples
    --------
    >>> group, first = first_seen_groups(np.array([7, 3, 7, 9]))
    >>> group.tolist(), first.tolist()
    ([0, 1, 0, 2], [0, 1, 3])
    """
    n = len(keys)
    if keys.dtype.kind == "b":
        keys = keys.astype(np.int64)  # a bool array would index as a mask
    if keys.dtype.kind in "iu" and n:
        low, high = int(keys.min()), int(keys.max())
        if low >= 0 and high < max(1 << 20, 2 * n):
            return _dense_first_seen(keys, high + 1)
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(first), dtype=np.int64)
    rank[order] = np.arange(len(first), dtype=np.int64)
    return rank[inverse.ravel()], first[order].astype(np.int64)


def _dense_first_seen(keys: Array, size: int) -> tuple[Array, Array]:
    """Linear-time :func:`first_seen_groups` for small non-negative integer keys."""
    n = len(keys)
    first = np.full(size, n, dtype=np.int64)
    np.minimum.at(first, keys, np.arange(n, dtype=np.int64))
    present = np.flatnonzero(first < n)
    starts = first[present]
    order = np.argsort(starts)  # distinct values, so no ties
    slot = np.empty(size, dtype=np.int64)
    slot[present[order]] = np.arange(len(present), dtype=np.int64)
    return slot[keys], starts[order]


def to_sequence_set(
    values: Array,
    lengths: Array,
    *,
    vocabulary: Vocabulary | None = None,
    **extra: Any,
) -> SequenceSet:
    """Build a :class:`SequenceSet` from flat values and per-sequence lengths."""
    offsets = offsets_from_lengths(lengths)
    return SequenceSet(values, offsets, vocabulary=vocabulary, **extra)
