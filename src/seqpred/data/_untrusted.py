"""Read untrusted bytes safely: regular files, zip directories, JSON, ``.npy``.

The pieces shared by the model loader (:mod:`seqpred.io`) and the NumPy
file reader (:mod:`seqpred.data.readers.arrays`). Each takes an ``error``
factory, so a model file fails with a
:class:`~seqpred.exceptions.ModelFileError` and a data file with a
:class:`~seqpred.exceptions.DataError`; sizes are checked against a
:class:`~seqpred.data.budget.Budget` before anything is allocated.
"""

from __future__ import annotations

import json
import os
import re
import stat
import struct
import tokenize
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.budget import Budget

ErrorFactory = Callable[[str], Exception]

MAX_JSON_DEPTH = 100
"""Deepest nesting of ``[`` and ``{`` a JSON document may have."""

MAX_NPY_HEADER = 1 << 16
"""Largest ``.npy`` header accepted (NumPy writes a few hundred bytes)."""

ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,  # an unsupported compression method
    RuntimeError,  # an encrypted member
    ValueError,
    OverflowError,
    struct.error,
    UnicodeDecodeError,
    KeyError,
    OSError,
)
"""What :mod:`zipfile` raises for damaged archives."""

ZIP_ENTRY_OVERHEAD = 512
"""Bytes of Python objects :mod:`zipfile` keeps per directory entry (an estimate)."""

_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)


def describe(exc: BaseException) -> str:
    """Return why ``exc`` happened, never an empty string."""
    text = str(exc).strip()
    if text:
        return text
    if isinstance(exc, EOFError):
        return "the data ends early (EOFError)"
    return type(exc).__name__


def kind_of(mode: int) -> str:
    """Return what kind of file ``st_mode`` describes, in words."""
    for test, name in (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: Path, error: ErrorFactory, noun: str = "file") -> IO[bytes]:
    """Open ``path`` for reading if it is a regular file; never block on a FIFO.

    The file is opened with ``O_NONBLOCK`` (a FIFO without a writer opens at
    once) and checked with ``fstat`` on the open descriptor, so what is read
    is what was checked.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise error(f"{path}: no such {noun}. Check the path.") from None
    except OSError as exc:
        raise error(
            f"{path}: cannot be opened ({exc.strerror or exc}). Check the path "
            "and its permissions."
        ) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(
                f"{path}: is {kind_of(mode)}, not a {noun}. Give the path of a "
                f"regular file."
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


# -- zip archives ------------------------------------------------------------------


def zip_entries(handle: IO[bytes]) -> tuple[int, int] | None:
    """Return ``(members, directory bytes)`` from a zip's end record, or None.

    Read from the last 64 KiB before :class:`zipfile.ZipFile` builds one
    object per member, so a directory of millions of members is refused
    first. ``None`` when no end record is found (``zipfile`` then says why).
    """
    try:
        size = handle.seek(0, os.SEEK_END)
        start = max(0, size - (22 + 0xFFFF))
        handle.seek(start)
        tail = handle.read(size - start)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            return None
        fields = struct.unpack("<4s4H2LH", tail[at : at + 22])
        entries, directory = int(fields[4]), int(fields[5])
        if entries == 0xFFFF or directory == 0xFFFFFFFF:
            return _zip64_entries(handle, tail, at, start)
        return entries, directory
    except (OSError, struct.error, ValueError, OverflowError):
        return None


def _zip64_entries(
    handle: IO[bytes], tail: bytes, at: int, start: int
) -> tuple[int, int] | None:
    locator = tail[at - 20 : at]
    if len(locator) != 20 or not locator.startswith(_EOCD64_LOCATOR):
        return None
    offset = struct.unpack("<4sLQL", locator)[2]
    handle.seek(offset)
    record = handle.read(56)
    if len(record) != 56 or not record.startswith(_EOCD64):
        return None
    fields = struct.unpack("<4sQ2H2L4Q", record)
    return int(fields[7]), int(fields[8])


def check_zip_directory(
    handle: IO[bytes], budget: Budget, max_members: int, error: ErrorFactory
) -> None:
    """Refuse a zip whose directory lists too many members for the budget."""
    found = zip_entries(handle)
    handle.seek(0)
    if found is None:
        return
    entries, directory = found
    if entries > max_members:
        raise error(
            f"holds {entries} archive members, more than the {max_members} a "
            "seqpred file can have"
        )
    budget.charge(
        max(directory, 0) + entries * ZIP_ENTRY_OVERHEAD,
        f"the archive directory of {entries} members",
    )


def read_member(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, error: ErrorFactory
) -> bytes:
    """Read one member, at most ``limit`` bytes, streamed; its CRC is checked.

    ``zipfile`` stops at the size the directory declares and checks the
    CRC there, so a member that inflates past its declared size fails its
    check instead of filling memory.
    """
    if info.file_size > limit:
        raise error(
            f"member {info.filename!r} declares {info.file_size} bytes, more "
            f"than the {limit} allowed"
        )
    chunks = []
    total = 0
    with archive.open(info) as stream:
        while True:
            chunk = stream.read(min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                raise error(
                    f"member {info.filename!r} inflates past the {limit} bytes allowed"
                )
            chunks.append(chunk)
    if total != info.file_size:
        raise error(
            f"member {info.filename!r} holds {total} bytes but the archive "
            f"directory declares {info.file_size}"
        )
    return b"".join(chunks)


# -- JSON ------------------------------------------------------------------------


def json_depth(data: bytes) -> int:
    """Return the deepest nesting of ``[``/``{`` in JSON ``data`` (strings skipped)."""
    bare = _STRING.sub(b"", data)
    if not bare:
        return 0
    codes = np.frombuffer(bare, dtype=np.uint8)
    steps = np.isin(codes, (91, 123)).astype(np.int64) - np.isin(codes, (93, 125))
    return int(np.cumsum(steps).max(initial=0))


def loads_json(data: bytes, what: str, error: ErrorFactory) -> Any:
    """Parse JSON ``data`` nested at most :data:`MAX_JSON_DEPTH` deep."""
    depth = json_depth(data)
    if depth > MAX_JSON_DEPTH:
        raise error(
            f"{what} is nested {depth} levels deep; seqpred writes at most "
            f"{MAX_JSON_DEPTH}, so it was not written by seqpred"
        )
    try:
        return json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError
        raise error(f"{what} is not valid JSON ({exc or type(exc).__name__})") from None


# -- .npy arrays -------------------------------------------------------------------


@dataclass(frozen=True)
class NpyHeader:
    """What a ``.npy`` header declares: shape, order, dtype and data size."""

    shape: tuple[int, ...]
    fortran_order: bool
    dtype: np.dtype[Any]
    offset: int  # bytes before the data

    @property
    def count(self) -> int:
        """Number of elements (a Python int: no overflow)."""
        n = 1
        for side in self.shape:
            n *= side
        return n

    @property
    def nbytes(self) -> int:
        """Bytes of data the header declares."""
        return self.count * self.dtype.itemsize

    def describe(self) -> str:
        """Shape and dtype in words, for messages."""
        return f"shape {self.shape} of dtype {self.dtype}"


def read_npy_header(stream: IO[bytes], what: str, error: ErrorFactory) -> NpyHeader:
    """Read and check a ``.npy`` header without allocating its data."""
    fmt = np.lib.format
    try:
        version = fmt.read_magic(stream)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(
                stream, max_header_size=MAX_NPY_HEADER
            )
        elif version == (2, 0):
            shape, fortran, dtype = fmt.read_array_header_2_0(
                stream, max_header_size=MAX_NPY_HEADER
            )
        else:
            raise ValueError(f"unsupported .npy format version {version}")
    except (
        ValueError,
        TypeError,
        SyntaxError,
        RecursionError,
        MemoryError,
        OverflowError,
        EOFError,
        struct.error,
        UnicodeDecodeError,
        tokenize.TokenError,  # NumPy tokenizes old headers
    ) as exc:
        raise error(f"{what} has an unreadable .npy header ({describe(exc)})") from None
    header = NpyHeader(tuple(shape), bool(fortran), np.dtype(dtype), stream.tell())
    _check_header(header, what, error)
    return header


def _check_header(header: NpyHeader, what: str, error: ErrorFactory) -> None:
    if header.dtype.hasobject:
        raise error(
            f"{what} is not a plain .npy array: it holds Python objects (dtype "
            f"{header.dtype}), which only pickle can read and seqpred never "
            "unpickles"
        )
    if not all(isinstance(side, int) and side >= 0 for side in header.shape):
        raise error(f"{what} declares an invalid shape {header.shape}")


def read_npy_data(
    stream: IO[bytes],
    header: NpyHeader,
    available: int | None,
    budget: Budget,
    what: str,
    error: ErrorFactory,
) -> Array:
    """Read the data ``header`` declares, after checking its size and the budget.

    ``available`` is the number of data bytes the file holds after the
    header, when known: it must equal the declared size, so a header that
    claims a huge shape over a small file fails before any allocation.
    """
    nbytes = header.nbytes
    if available is not None and available != nbytes:
        state = "is truncated" if available < nbytes else "has trailing bytes"
        raise error(
            f"{what} {state}: its header declares {header.describe()} "
            f"({nbytes} bytes) but {available} bytes of data follow"
        )
    budget.charge(max(nbytes, header.count), f"{what} ({header.describe()})")
    buffer = bytearray(nbytes)
    view = memoryview(buffer)
    filled = 0
    while filled < nbytes:
        got = stream.readinto(view[filled : filled + (1 << 24)])  # type: ignore[attr-defined]
        if not got:
            raise error(
                f"{what} is truncated: {header.describe()} needs {nbytes} bytes, "
                f"the file holds {filled}"
            )
        filled += got
    if stream.read(1):
        raise error(f"{what} has bytes after its {header.describe()} data")
    if header.count == 0 or header.dtype.itemsize == 0:
        return np.zeros(header.shape, dtype=header.dtype)
    array: Array = np.frombuffer(buffer, dtype=header.dtype)
    if header.dtype.kind == "U":
        _check_code_points(buffer, header.dtype, what, error)
    if header.fortran_order:
        return array.reshape(header.shape, order="F")
    return array.reshape(header.shape)


def _check_code_points(
    buffer: bytearray, dtype: np.dtype[Any], what: str, error: ErrorFactory
) -> None:
    """Refuse UTF-32 text holding values that are not Unicode code points."""
    order = dtype.byteorder if dtype.byteorder in "<>" else "="
    codes = np.frombuffer(buffer, dtype=np.dtype(f"{order}u4"))
    if codes.size and int(codes.max()) > 0x10FFFF:
        raise error(
            f"{what} holds text ({dtype}) with values that are not Unicode code "
            "points (above U+10FFFF)"
        )


def read_npz(
    archive: zipfile.ZipFile, what: str, budget: Budget, error: ErrorFactory
) -> dict[str, Array]:
    """Return the arrays of an open ``.npz`` archive by key, each checked first.

    Members must be ``KEY.npy`` files; each header is read and checked, and
    its data size charged to ``budget``, before its data is allocated.
    """
    arrays: dict[str, Array] = {}
    for info in archive.infolist():
        name = info.filename
        key = name[:-4]
        if not name.endswith(".npy") or not key or key in arrays:
            raise error(
                f"{what} holds the member {name!r}; expected distinct KEY.npy "
                "arrays as numpy.savez writes"
            )
        member = f"{what} member {name!r}"
        with archive.open(info) as stream:
            header = read_npy_header(stream, member, error)
            available = info.file_size - header.offset
            arrays[key] = read_npy_data(
                stream, header, available, budget, member, error
            )
    return arrays
