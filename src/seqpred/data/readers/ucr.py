"""UCR/UEA time-series classification files: ``.ts`` (sktime/aeon) and UCR text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from seqpred.data._ragged import offsets_from_lengths, ragged_ranges
from seqpred.data.readers._common import (
    Array,
    PathLike,
    check_option,
    parse_floats,
    read_bytes,
    to_sequence_set,
)
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import ParseError

__all__ = ["read_ucr"]

_WHO = "read_ucr"
Missing = Literal["error", "nan"]


def read_ucr(path: PathLike, *, missing: Missing = "error") -> SequenceSet:
    r"""Read a UCR/UEA time-series file into numeric sequences with labels.

    Two layouts are understood:

    - ``.ts`` (the sktime/aeon text format): ``@`` header lines
      (``@problemName``, ``@univariate``, ``@dimensions``, ``@equalLength``,
      ``@seriesLength``, ``@classLabel true a b``), then after ``@data`` one
      series per line: dimensions separated by ``:``, values by ``,``, the
      label last. Lines starting with ``#`` are comments.
    - UCR text (``.txt``, ``.tsv``, ``.csv``): ``label,v1,v2,...`` or the same
      separated by whitespace, one series per line. Trailing ``NaN`` values
      (padding of unequal-length series) are dropped.

    Parameters
    ----------
    path : str or path-like
        The file; a ``.ts`` suffix, or a first line starting with ``@`` or
        ``#``, selects the ``.ts`` layout.
    missing : {"error", "nan"}, default="error"
        What to do with missing values (``?`` in ``.ts``, ``NaN`` inside a
        UCR text series): raise a :class:`ParseError`, or keep them as NaN.

    Returns
    -------
    SequenceSet
        Numeric sequences of shape ``(steps, n_dimensions)``, with the class
        labels as strings. UCR text labels written as floats with an integer
        value (``1.0000000e+00``) become ``"1"``.

    Raises
    ------
    DataError
        If the file is missing; :class:`EmptySequenceError` if it is empty.
    ParseError
        For a non-numeric value, a missing value with ``missing="error"``,
        series of different lengths under ``@equalLength true``, dimensions of
        different lengths within a series, the wrong number of dimensions, or
        a label not declared in ``@classLabel``; with the line number.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny.ts"
    >>> _ = path.write_text(
    ...     "@problemName tiny\n@univariate false\n@dimensions 2\n"
    ...     "@equalLength false\n@classLabel true a b\n@data\n"
    ...     "1,2,3:4,5,6:a\n7,8:9,10:b\n"
    ... )
    >>> ss = read_ucr(path)
    >>> ss.lengths.tolist(), ss.n_features, ss.labels.tolist()
    ([3, 2], 2, ['a', 'b'])
    >>> ss[1].tolist()
    [[7.0, 9.0], [8.0, 10.0]]
    """
    check_option(_WHO, "missing", missing, ["error", "nan"])
    p, data = read_bytes(path, _WHO)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    head = text.lstrip()[:1]
    if p.suffix.lower() == ".ts" or head in ("@", "#"):
        return _read_ts(text, str(p), missing)
    return _read_ucr_text(text, str(p), missing)


# -- the .ts format ---------------------------------------------------------------


@dataclass
class _Header:
    """What the ``@`` lines of a ``.ts`` file declare."""

    dimensions: int | None = None
    equal_length: bool = False
    series_length: int | None = None
    has_labels: bool = False
    classes: list[str] | None = None
    data_line: int = 0  # 1-based line of ``@data``
    raw: dict[str, tuple[str, int]] = field(default_factory=dict)


def _read_ts(text: str, path: str, missing: Missing) -> SequenceSet:
    lines = text.split("\n")
    header = _parse_header(lines, path)
    rows: list[tuple[int, list[str]]] = []
    labels: list[str] = []
    for number in range(header.data_line + 1, len(lines) + 1):
        line = lines[number - 1].strip()
        if not line or line.startswith("#"):
            continue
        dims, label = _split_row(line, header, number, path)
        rows.append((number, dims))
        if label is not None:
            labels.append(label)
    if not rows:
        raise ParseError(
            f"{_WHO}: no series after @data; expected one series per line. "
            "Check that the file is complete.",
            path=path,
            line=header.data_line,
        )
    lengths, n_dims = _check_shapes(rows, header, path)
    flat = _parse_values(rows, path, missing)
    values = _dimension_major_to_steps(flat, lengths, n_dims)
    return to_sequence_set(
        values, lengths, labels=np.array(labels) if header.has_labels else None
    )


def _parse_header(lines: list[str], path: str) -> _Header:
    header = _Header()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("@"):
            raise ParseError(
                f"{_WHO}: data before @data; expected '@' header lines, then "
                f"'@data'; got {line[:30]!r}. Add the '@data' line before the "
                "series.",
                path=path,
                line=number,
            )
        key, _, rest = line[1:].partition(" ")
        if key.lower() == "data":
            header.data_line = number
            _interpret(header, path)
            return header
        header.raw[key.lower()] = (rest.strip(), number)
    raise ParseError(
        f"{_WHO}: no '@data' line; expected header lines then '@data' and one "
        "series per line. Check that this is a .ts file.",
        path=path,
        line=len(lines),
    )


def _interpret(header: _Header, path: str) -> None:
    """Fill the typed fields of ``header`` from its raw ``@key value`` lines."""
    raw = header.raw

    def flag(key: str) -> bool:
        value, number = raw.get(key, ("false", 0))
        word = value.split()[0].lower() if value.split() else ""
        if word not in ("true", "false"):
            raise ParseError(
                f"{_WHO}: @{key} must be true or false; got {value!r}. Fix the "
                "header line.",
                path=path,
                line=number,
            )
        return word == "true"

    if flag("timestamps"):
        raise ParseError(
            f"{_WHO}: @timeStamps true is not supported; expected plain "
            "comma-separated values. Convert the file without time stamps.",
            path=path,
            line=raw["timestamps"][1],
        )
    if "univariate" in raw and flag("univariate"):
        header.dimensions = 1
    if "dimensions" in raw:
        header.dimensions = _int(raw["dimensions"], "dimensions", path)
    header.equal_length = flag("equallength")
    if "serieslength" in raw:
        header.series_length = _int(raw["serieslength"], "seriesLength", path)
    if "classlabel" in raw and flag("classlabel"):
        header.has_labels = True
        header.classes = raw["classlabel"][0].split()[1:] or None
    elif "targetlabel" in raw and flag("targetlabel"):
        header.has_labels = True


def _int(entry: tuple[str, int], key: str, path: str) -> int:
    value, number = entry
    try:
        return int(value)
    except ValueError:
        raise ParseError(
            f"{_WHO}: @{key} must be an integer; got {value!r}. Fix the header.",
            path=path,
            line=number,
        ) from None


def _split_row(
    line: str, header: _Header, number: int, path: str
) -> tuple[list[str], str | None]:
    """Split a data line into its dimension strings and its label."""
    label = None
    if header.has_labels:
        line, colon, label = line.rpartition(":")
        label = label.strip()
        if not colon or not label:
            raise ParseError(
                f"{_WHO}: series has no label; expected 'values:label' since "
                "@classLabel is true; got no ':' before the end of the line. "
                "Append ':<label>'.",
                path=path,
                line=number,
            )
        if header.classes is not None and label not in header.classes:
            raise ParseError(
                f"{_WHO}: label {label!r} is not declared; expected one of "
                f"{header.classes!r} (@classLabel). Add it to the header or fix "
                "the label.",
                path=path,
                line=number,
            )
    return line.split(":"), label


def _check_shapes(
    rows: list[tuple[int, list[str]]], header: _Header, path: str
) -> tuple[Array, int]:
    """Return each series' length and the dimension count, checking consistency."""
    n_dims = header.dimensions or len(rows[0][1])
    lengths = np.empty(len(rows), dtype=np.int64)
    for r, (number, dims) in enumerate(rows):
        if len(dims) != n_dims:
            raise ParseError(
                f"{_WHO}: series has {len(dims)} dimension(s); expected {n_dims}; "
                "separate dimensions with ':' and give each series all of them.",
                path=path,
                line=number,
            )
        counts = [d.count(",") + 1 for d in dims]
        if len(set(counts)) > 1:
            raise ParseError(
                f"{_WHO}: dimensions of one series differ in length; expected "
                f"equal lengths; got {counts}. Pad or cut the dimensions.",
                path=path,
                line=number,
            )
        lengths[r] = counts[0]
    expected = header.series_length or int(lengths[0])
    if header.equal_length and (lengths != expected).any():
        r = int(np.flatnonzero(lengths != expected)[0])
        raise ParseError(
            f"{_WHO}: series has {lengths[r]} values; expected {expected} since "
            "@equalLength is true. Fix the row, or set '@equalLength false'.",
            path=path,
            line=rows[r][0],
        )
    return lengths, n_dims


def _parse_values(
    rows: list[tuple[int, list[str]]], path: str, missing: Missing
) -> Array:
    """Parse every value at once; on failure, find the line to blame."""
    bodies = [",".join(dims) for _, dims in rows]
    joined = ",".join(bodies)
    if "?" in joined:
        if missing == "error":
            r = next(i for i, body in enumerate(bodies) if "?" in body)
            raise ParseError(
                f"{_WHO}: series has missing values ('?'); expected numbers. "
                "Pass missing='nan' to read them as NaN.",
                path=path,
                line=rows[r][0],
            )
        joined = joined.replace("?", "nan")
    values = parse_floats(joined, ",")
    if values is None:
        for (number, _), body in zip(rows, bodies):
            if parse_floats(body.replace("?", "nan"), ",") is None:
                bad = _first_bad(body.split(","))
                raise ParseError(
                    f"{_WHO}: value {bad!r} is not a number; expected "
                    "comma-separated floats. Fix or remove the value.",
                    path=path,
                    line=number,
                )
        raise AssertionError("the whole body failed to parse but no row did")
    return values


def _first_bad(tokens: list[str]) -> str:
    for token in tokens:
        try:
            float(token.replace("?", "nan"))
        except ValueError:
            return token
    return ""


def _dimension_major_to_steps(flat: Array, lengths: Array, n_dims: int) -> Array:
    """Reorder per-series ``[dim 0 values, dim 1 values, ...]`` to (steps, D)."""
    # each series r holds D * L_r values, dimension-major, from bases[r]
    bases = offsets_from_lengths(lengths * n_dims)[:-1]
    first, _ = ragged_ranges(bases, lengths)  # (steps,) index of dimension 0
    stride = np.repeat(lengths, lengths)  # (steps,) distance between dimensions
    index = first[:, None] + stride[:, None] * np.arange(n_dims)  # (steps, D)
    out: Array = flat[index]
    return out


# -- UCR text ---------------------------------------------------------------------


def _read_ucr_text(text: str, path: str, missing: Missing) -> SequenceSet:
    labels: list[str] = []
    parts: list[Array] = []
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        sep = "," if "," in line else " "
        label, _, rest = line.partition(sep) if sep == "," else _split_space(line)
        values = parse_floats(rest, sep)
        if values is None:
            bad = _first_bad(rest.split(sep) if sep == "," else rest.split())
            raise ParseError(
                f"{_WHO}: value {bad!r} is not a number; expected a label, then "
                "numbers separated by commas or whitespace. Fix the value.",
                path=path,
                line=number,
            )
        parts.append(_trim_padding(values, number, path, missing))
        labels.append(label.strip())
    lengths = np.array([len(v) for v in parts], dtype=np.int64)
    flat = np.concatenate(parts) if parts else np.empty(0)
    return to_sequence_set(flat, lengths, labels=_clean_labels(labels))


def _split_space(line: str) -> tuple[str, str, str]:
    pieces = line.split(None, 1)
    return pieces[0], " ", pieces[1] if len(pieces) > 1 else ""


def _trim_padding(values: Array, number: int, path: str, missing: Missing) -> Array:
    nan = np.isnan(values)
    if not nan.any():
        return values
    keep = len(values) - int(np.argmin(nan[::-1])) if not nan.all() else 0
    if missing == "error" and nan[:keep].any():
        raise ParseError(
            f"{_WHO}: series has a missing value (NaN) at step "
            f"{int(np.argmax(nan)) + 1}; expected numbers (trailing NaN padding is "
            "dropped). Pass missing='nan' to keep it.",
            path=path,
            line=number,
        )
    return values[:keep]


def _clean_labels(labels: list[str]) -> Array:
    """Write float labels with integer values as integers: '1.0e+00' -> '1'."""
    try:
        numbers = np.array(labels, dtype=np.float64)
    except ValueError:
        return np.array(labels)
    if np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)):
        return np.array([str(int(v)) for v in numbers])
    return np.array(labels)
