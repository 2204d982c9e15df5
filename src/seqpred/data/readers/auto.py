"""Pick a reader from the file name (or an explicit format) and list the formats."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seqpred.data.readers._common import BOM, PathLike, check_path, spooled
from seqpred.data.readers.arrays import load_array, read_numpy
from seqpred.data.readers.fasta import read_fasta
from seqpred.data.readers.lines import read_lines
from seqpred.data.readers.spmf import read_spmf
from seqpred.data.readers.tabular import read_csv, read_parquet
from seqpred.data.readers.ucr import read_ucr
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError, SeqpredError

__all__ = ["FORMATS", "guess_format", "read_sequences", "sniff_format"]

FORMATS: dict[str, tuple[str, str]] = {
    "spmf": (
        "SPMF sequences: integer items, -1 ends an itemset, -2 ends the line",
        "12 -1 7 -1 7 -1 3 -1 -2",
    ),
    "lines": (
        "one sequence per text line: words or characters, optional label",
        "pos a fine film",
    ),
    "csv": (
        "long-format CSV, one row per event, grouped by sequence id",
        "sequence_id,timestamp,item\nu1,1,home\nu1,2,cart",
    ),
    "parquet": (
        "long-format Parquet, one row per event (as csv)",
        "columns sequence_id, timestamp, item",
    ),
    "fasta": (
        "FASTA records: '>id description' then sequence lines",
        ">seq1 a gene\nACGTTGCA",
    ),
    "ucr": (
        "UCR/UEA time series: .ts (sktime/aeon) or 'label,v1,v2,...' text",
        "@classLabel true a b\n@data\n1.0,2.0,3.0:a",
    ),
    "numpy": (
        ".npy array (N, L) or (N, L, F); NaN tail = padding",
        "np.save('x.npy', np.array([[1, 2, 3], [4, 5, 6]]))",
    ),
}
"""Supported formats: name -> (one-line description, tiny example)."""

_SUFFIXES = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".fa": "fasta",
    ".fasta": "fasta",
    ".fna": "fasta",
    ".faa": "fasta",
    ".ffn": "fasta",
    ".ts": "ucr",
    ".npy": "numpy",
    ".npz": "numpy",
}
_SNIFFED = {".txt", ".dat", ".tsv", ".text", ""}  # told apart by content
_LOOK_AHEAD = 1 << 16  # bytes read to tell a format from content
_BINARY_PROBE = 4096
_SNIFF_LINES = 20
_TS_HEADERS = {"@problemname", "@classlabel", "@data", "@serieslength", "@dimensions"}
_INT_TOKEN = re.compile(r"^[-+]?\d+$")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_FLOAT_TOKEN = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")


def _load_numpy(path: PathLike, **options: Any) -> SequenceSet:
    """Read a ``.npy`` or ``.npz`` file with :func:`load_array` (budget, no pickle)."""
    p = check_path(path, "read_sequences")
    return read_numpy(load_array(p), **options)


_READERS: dict[str, Callable[..., SequenceSet]] = {
    "spmf": read_spmf,
    "lines": read_lines,
    "csv": read_csv,
    "parquet": read_parquet,
    "fasta": read_fasta,
    "ucr": read_ucr,
    "numpy": _load_numpy,
}


def read_sequences(
    path: PathLike, *, format: str = "auto", **options: Any
) -> SequenceSet:
    r"""Read sequences from a file, choosing the reader from its extension or content.

    Parameters
    ----------
    path : str or path-like
        The file, or ``"-"`` for standard input. Pipes and FIFOs (such as
        ``/dev/stdin``) are read once, in full, before anything else, so
        format detection never loses data. Known extensions choose the
        reader: ``.csv``, ``.parquet``, ``.fa``/``.fasta``/``.fna``, ``.ts``,
        ``.npy``. Other files (``.txt``, ``.tsv``, no extension, standard
        input) are recognised from their content, see :func:`sniff_format`.
    format : str, default="auto"
        ``"auto"``, or one of :data:`FORMATS` to skip the guessing.
    **options
        Passed to the reader (``read_spmf``, ``read_lines``, ``read_csv``,
        ``read_parquet``, ``read_fasta``, ``read_ucr`` or ``read_numpy``).

    Returns
    -------
    SequenceSet

    Raises
    ------
    DataError
        For a file whose format cannot be told (the message lists the
        formats), and whatever the chosen reader raises.
    InvalidParameterError
        For an unknown ``format`` or an option the reader does not take.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "clicks.txt"
    >>> _ = path.write_text("1 -1 2 -1 -2\n2 -1 3 -1 -2\n")
    >>> read_sequences(path).to_lists()
    [[1, 2], [2, 3]]
    """
    if format != "auto" and format not in _READERS:
        raise InvalidParameterError(
            f"read_sequences: format must be 'auto' or one of {sorted(FORMATS)}; "
            f"got {format!r}. Use format='auto' to choose from the extension."
        )
    with spooled(path, "read_sequences") as (p, shown):
        if format == "auto":
            format, detected = guess_format(p, shown)
            options = {**detected, **options}
        reader = _READERS[format]
        _check_options(format, reader, options)
        try:
            return reader(p, **options)
        except SeqpredError as exc:
            if shown != str(p):  # name the stream, not its temporary copy
                rename_path(exc, str(p), shown)
            raise


def rename_path(exc: SeqpredError, old: str, new: str) -> None:
    """Name the file ``new`` instead of ``old`` in an error (a stream's copy)."""
    if old == new:
        return
    exc.args = tuple(a.replace(old, new) if isinstance(a, str) else a for a in exc.args)
    if getattr(exc, "path", None) == old:
        exc.path = new  # type: ignore[attr-defined]


def guess_format(path: Path, shown: str | None = None) -> tuple[str, dict[str, Any]]:
    """Return ``(format, reader options)`` for a file, from its extension or content.

    Known extensions decide (``.csv``, ``.parquet``/``.pq``, FASTA's, ``.ts``,
    ``.npy``); for ``.txt``, ``.dat``, ``.tsv``, files without an
    extension and streams (standard input, pipes, FIFOs: ``shown`` differs
    from the copy's path) the first 64 KiB are read and :func:`sniff_format`
    decides. Other extensions are refused.
    """
    p = check_path(path, "read_sequences")
    suffix = p.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix], {}
    stream = shown is not None and shown != str(p)  # a pipe's copy: sniff it
    if suffix not in _SNIFFED and not stream:
        known = ", ".join(sorted({*_SNIFFED - {""}, *_SUFFIXES}))
        names = ", ".join(f"{k!r}" for k in FORMATS)
        raise DataError(
            f"read_sequences: unknown file extension {suffix!r} for "
            f"{shown or str(p)!r}; expected one of {known} (or none). Pass "
            f"format= with one of {names}."
        )
    with open(p, "rb") as handle:
        head = handle.read(_LOOK_AHEAD)
    format, options = sniff_format(head, tsv=suffix == ".tsv")
    if format is None:
        names = ", ".join(f"{k!r}" for k in FORMATS)
        raise DataError(
            f"read_sequences: cannot tell the format of {shown or str(p)!r} from "
            "its content (binary data); pass format= (on the command line "
            f"--data-format) with one of {names}."
        )
    return format, options


def sniff_format(
    head: bytes, *, tsv: bool = False
) -> tuple[str | None, dict[str, Any]]:
    r"""Tell the format of a file from its first bytes (a bounded look-ahead).

    In order: NumPy and Parquet magic numbers; FASTA (``>`` first);
    ``.ts`` (``@problemName``, ``@classLabel`` or ``@data`` headers); SPMF
    (integer tokens with ``-1``/``-2`` separators, whatever the length of
    the first line); a CSV with a header row (the separator found from the
    first lines: comma, tab, semicolon or bar; a ``.tsv`` tries the tab
    first); UCR text (only numbers, some not integers; in a ``.tsv`` also a
    text label before numbers); else one sequence per text line. A UTF-8
    byte-order mark is ignored. The chosen reader then checks the whole file
    (the confirmation pass): an SPMF file with a malformed line fails with
    its line number; it is never read as text.

    Returns
    -------
    format : str or None
        A key of :data:`FORMATS`, or None for binary data no reader takes.
    options : dict
        Reader options the content implies (a CSV's ``separator``).

    Examples
    --------
    >>> sniff_format(b"1 -1 2 -1 -2\n")
    ('spmf', {})
    >>> sniff_format(b"session_id\ttimestamp\titem\nu1\t1\ta\n")
    ('csv', {'separator': '\t'})
    >>> sniff_format(b"the cat sat\n")
    ('lines', {})
    """
    if head.startswith(b"\x93NUMPY"):
        return "numpy", {}
    if head.startswith(b"PAR1"):
        return "parquet", {}
    if head.startswith(BOM):
        head = head[len(BOM) :]
    if b"\x00" in head[:_BINARY_PROBE]:
        return None, {}
    text = head.decode("utf-8", errors="replace")
    rows = text.split("\n")
    if len(head) >= _LOOK_AHEAD and len(rows) > 1:
        rows = rows[:-1]  # the last line may be cut by the look-ahead
    lines = [r.strip() for r in rows if r.strip()]
    if not lines:
        return "lines", {}
    if lines[0].startswith(">"):
        return "fasta", {}
    headers = {line.split()[0].lower() for line in lines if line.startswith("@")}
    if headers & _TS_HEADERS:
        return "ucr", {}
    body = [line for line in lines if line[0] not in "#%@"][:_SNIFF_LINES]
    tokens = [tok for line in body for tok in line.split()]
    if (
        tokens
        and all(_INT_TOKEN.match(tok) for tok in tokens)
        and ("-1" in tokens or "-2" in tokens)
    ):
        return "spmf", {}
    separator = _csv_separator(body, tab_first=tsv)
    if separator is not None:
        return "csv", {"separator": separator}
    rows_cells = [line.replace(",", " ").split() for line in body]
    cells = [c for row in rows_cells for c in row]
    if (
        cells
        and all(_FLOAT_TOKEN.match(c) for c in cells)
        and any(not _INT_TOKEN.match(c) for c in cells)
    ):
        return "ucr", {}
    if (
        tsv
        and all(  # UCR text with text labels: 'label<TAB>v1<TAB>v2 ...'
            len(row) > 1 and all(_FLOAT_TOKEN.match(c) for c in row[1:])
            for row in rows_cells
        )
    ):
        return "ucr", {}
    return "lines", {}


def _csv_separator(lines: list[str], *, tab_first: bool) -> str | None:
    """Return the separator of a table whose first line is a header, else None."""
    if len(lines) < 2:
        return None
    candidates = ("\t", ",", ";", "|") if tab_first else (",", "\t", ";", "|")
    for sep in candidates:
        header = [field.strip().strip('"') for field in lines[0].split(sep)]
        if len(header) < 2 or not all(_NAME.match(f) for f in header):
            continue
        if len(set(header)) != len(header):
            continue
        if all(line.count(sep) == len(header) - 1 for line in lines[1:]):
            return sep
    return None


def _check_options(
    format: str, reader: Callable[..., Any], options: dict[str, Any]
) -> None:
    accepted = [
        name
        for name, param in inspect.signature(reader).parameters.items()
        if param.kind is inspect.Parameter.KEYWORD_ONLY
    ]
    if format == "numpy":
        accepted = ["lengths", "vocabulary", "unknown"]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InvalidParameterError(
            f"read_sequences: option(s) {unknown} do not apply to format "
            f"{format!r}; expected some of {accepted}. Remove them or pass the "
            "right format=."
        )
