"""Pick a reader from the file name (or an explicit format) and list the formats."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from seqpred.data.readers._common import PathLike, check_path
from seqpred.data.readers.arrays import read_numpy
from seqpred.data.readers.fasta import read_fasta
from seqpred.data.readers.lines import read_lines
from seqpred.data.readers.spmf import read_spmf
from seqpred.data.readers.tabular import read_csv, read_parquet
from seqpred.data.readers.ucr import read_ucr
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = ["FORMATS", "read_sequences"]

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
    ".tsv": "ucr",
    ".npy": "numpy",
}
_SPMF_LINE = re.compile(r"(^|\s)-1\s.*-2\s*$")
_FLOAT_TOKEN = re.compile(r"^[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?$")


def _load_numpy(path: PathLike, **options: Any) -> SequenceSet:
    """Read a ``.npy`` file (never with pickle) through :func:`read_numpy`."""
    p = check_path(path, "read_sequences")
    try:
        array = np.load(p, allow_pickle=False)
    except ValueError as exc:
        raise DataError(
            f"read_sequences: {str(p)!r} is not a plain .npy array ({exc}); "
            "expected an array saved with numpy.save. Object arrays are refused."
        ) from None
    return read_numpy(array, **options)


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
    r"""Read sequences from a file, choosing the reader from its extension.

    Parameters
    ----------
    path : str or path-like
        The file. Extensions: ``.txt`` (SPMF if its first lines contain
        `` -1 `` and end with ``-2``; UCR text if they hold only decimal
        numbers; otherwise one sequence per line), ``.csv``, ``.parquet``,
        ``.fa``/``.fasta``/``.fna``, ``.ts``/``.tsv`` (UCR) and ``.npy``.
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
        For an unknown extension (the message lists the formats), and
        whatever the chosen reader raises.
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
    if format == "auto":
        format = _guess(path)
    reader = _READERS.get(format)
    if reader is None:
        raise InvalidParameterError(
            f"read_sequences: format must be 'auto' or one of {sorted(FORMATS)}; "
            f"got {format!r}. Use format='auto' to choose from the extension."
        )
    _check_options(format, reader, options)
    return reader(path, **options)


def _guess(path: PathLike) -> str:
    p = check_path(path, "read_sequences")
    suffix = p.suffix.lower()
    if suffix in _SUFFIXES:
        return _SUFFIXES[suffix]
    if suffix in (".txt", ".dat", ""):
        return _sniff_text(p)
    known = ", ".join(sorted({".txt", *_SUFFIXES}))
    names = ", ".join(f"{k!r}" for k in FORMATS)
    raise DataError(
        f"read_sequences: unknown file extension {suffix!r} for {str(p)!r}; "
        f"expected one of {known}. Pass format= with one of {names}."
    )


def _sniff_text(path: Path) -> str:
    """Tell SPMF, UCR text and plain lines apart from the first lines."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", errors="replace")
    lines = [
        line.strip()
        for line in head.split("\n")[:-1] or head.split("\n")
        if line.strip() and line.strip()[0] not in "#%@"
    ][:5]
    if any(_SPMF_LINE.search(line) for line in lines):
        return "spmf"
    tokens = [t for line in lines for t in line.replace(",", " ").split()]
    if (
        tokens
        and all(_FLOAT_TOKEN.match(t) for t in tokens)
        and any(not re.fullmatch(r"[-+]?\d+", t) for t in tokens)
    ):
        return "ucr"
    return "lines"


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
