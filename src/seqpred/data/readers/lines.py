"""One sequence per text line: whitespace tokens or characters, optional labels."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from seqpred.data.readers._common import (
    PathLike,
    Unknown,
    check_encoding,
    check_option,
    line_of_offset,
    read_bytes,
    to_sequence_set,
)
from seqpred.data.readers._frames import encode_series
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, EmptySequenceError, ParseError

__all__ = ["read_lines", "write_lines"]

Tokens = Literal["whitespace", "chars"]
Labels = Literal["none", "first", "last"]
_LABEL_RE = {
    "first": (r"^\s*(\S+)", r"^\s*\S+\s*"),
    "last": (r"(\S+)\s*$", r"\s*\S+\s*$"),
}


def read_lines(
    path: PathLike,
    *,
    tokens: Tokens = "whitespace",
    vocabulary: Vocabulary | None = None,
    labels: Labels = "none",
    unknown: Unknown | None = None,
    skip_empty: bool = True,
    encoding: str = "utf-8",
) -> SequenceSet:
    r"""Read one sequence per line of a text file.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    tokens : {"whitespace", "chars"}, default="whitespace"
        Split each line on runs of whitespace (words), or take every character
        (spaces included) as a symbol.
    vocabulary : Vocabulary, default=None
        Encode with this vocabulary; ``None`` builds one in first-seen order.
    labels : {"none", "first", "last"}, default="none"
        Take the first (or last) whitespace-separated token of each line as
        the sequence's label, as in the ``label sentence`` format of
        text-classification data.
    unknown : {"error", "unk", "add"}, default=None
        Policy for symbols missing from ``vocabulary``: ``"add"`` for a new
        vocabulary, ``"error"`` for a given one.
    skip_empty : bool, default=True
        Skip blank lines; with ``False`` they become empty sequences.
    encoding : str, default="utf-8"
        Text encoding of the file.

    Returns
    -------
    SequenceSet
        Discrete sequences of ``str`` symbols, with ``labels`` when asked.

    Raises
    ------
    DataError
        If the file is missing; :class:`EmptySequenceError` if it is empty.
    ParseError
        For bytes that are not valid ``encoding``, or a line without a label.

    Notes
    -----
    Tokenizing and encoding run in polars: only the distinct symbols become
    Python objects.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "reviews.txt"
    >>> _ = path.write_text("pos a fine film\nneg dull\n")
    >>> ss = read_lines(path, labels="first")
    >>> ss.to_lists(), ss.labels.tolist()
    ([['a', 'fine', 'film'], ['dull']], ['pos', 'neg'])
    >>> read_lines(path, tokens="chars").to_lists()[1]
    ['n', 'e', 'g', ' ', 'd', 'u', 'l', 'l']
    """
    import polars as pl

    check_option("read_lines", "tokens", tokens, ["whitespace", "chars"])
    check_option("read_lines", "labels", labels, ["none", "first", "last"])
    check_encoding("read_lines", encoding)
    p, data = read_bytes(path, "read_lines")
    text = _decode(data, str(p), encoding)
    rows = text.split("\n")
    if text.endswith("\n"):
        rows.pop()
    lines = pl.Series("line", rows).str.strip_chars_end("\r")
    line_numbers = np.arange(1, len(rows) + 1)
    if skip_empty:
        keep = lines.str.strip_chars().str.len_chars() > 0
        lines, line_numbers = lines.filter(keep), line_numbers[keep.to_numpy()]
    if len(lines) == 0:
        raise EmptySequenceError(
            f"read_lines: file {str(p)!r} has only blank lines; expected at least "
            "one sequence. Pass skip_empty=False to read blank lines as empty "
            "sequences."
        )
    label_values = None
    if labels != "none":
        label_values, lines = _split_labels(lines, labels, line_numbers, str(p))
    if tokens == "whitespace":
        pieces = lines.str.extract_all(r"\S+")
    else:
        pieces = lines.str.split("")
    lengths = pieces.list.len().fill_null(0).to_numpy().astype(np.int64)
    flat = pieces.explode().drop_nulls()
    codes, vocabulary = encode_series(flat, vocabulary, unknown)
    return to_sequence_set(codes, lengths, vocabulary=vocabulary, labels=label_values)


def _decode(data: bytes, path: str, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        start = data.rfind(b"\n", 0, exc.start) + 1
        raise ParseError(
            f"read_lines: byte {data[exc.start : exc.start + 1]!r} is not valid "
            f"{encoding}; expected {encoding} text. Pass the file's encoding, for "
            "example encoding='latin-1'.",
            path=path,
            line=line_of_offset(data, exc.start),
            column=exc.start - start + 1,
        ) from None


def _split_labels(
    lines: Any, where: str, line_numbers: Any, path: str
) -> tuple[Any, Any]:
    """Cut the first or last token off each line; return (labels, rest)."""
    label_re, strip_re = _LABEL_RE[where]
    labels = lines.str.extract(label_re, 1)
    missing = labels.is_null()
    if missing.any():
        line = int(line_numbers[missing.to_numpy()][0])
        raise ParseError(
            f"read_lines: blank line has no label; expected '<label> <sequence>' "
            f"with labels={where!r}; got an empty line. Remove it or keep "
            "skip_empty=True.",
            path=path,
            line=line,
        )
    return labels.to_numpy(), lines.str.replace(strip_re, "")


def write_lines(
    sequences: SequenceSet | Any,
    path: PathLike,
    *,
    tokens: Tokens = "whitespace",
    labels: Labels = "none",
) -> None:
    """Write one sequence per line, the inverse of :func:`read_lines`.

    Parameters
    ----------
    sequences : SequenceSet, list of lists or list of strings
        Discrete sequences.
    path : str or path-like
        The file to (over)write (UTF-8).
    tokens : {"whitespace", "chars"}, default="whitespace"
        Join symbols with one space, or with nothing (every symbol must then
        be one character).
    labels : {"none", "first", "last"}, default="none"
        Also write each sequence's label first or last on its line.

    Raises
    ------
    DataError
        For numeric sequences, symbols that would not read back the same
        (whitespace inside a token, multi-character symbols with
        ``tokens="chars"``), or ``labels`` asked for but absent.

    Notes
    -----
    An empty sequence is written as a blank line; read it back with
    ``read_lines(..., skip_empty=False)``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> write_lines(["abc", "ba"], path, tokens="chars")
    >>> print(path.read_text(), end="")
    abc
    ba
    """
    check_option("write_lines", "tokens", tokens, ["whitespace", "chars"])
    check_option("write_lines", "labels", labels, ["none", "first", "last"])
    ss = as_sequence_set(sequences, owner="write_lines", allow_empty_input=True)
    if ss.kind != "discrete" or ss.vocabulary is None:
        raise DataError(
            "write_lines: expected discrete sequences; got numeric ones. Save "
            "numeric data with numpy.save and read it with read_numpy."
        )
    words = _word_table(ss.vocabulary, tokens)[ss.values].tolist()
    sep = " " if tokens == "whitespace" else ""
    bounds = ss.offsets.tolist()
    lines = [sep.join(words[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
    if labels != "none":
        lines = _attach_labels(lines, ss.labels, labels)
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("".join(line + "\n" for line in lines))


def _word_table(vocabulary: Vocabulary, tokens: str) -> Any:
    """Return the text of each id, checking that it reads back as one symbol."""
    words = [str(s) for s in vocabulary.decode(np.arange(vocabulary.size))]
    for word in words[vocabulary.n_reserved :]:
        if tokens == "chars" and (len(word) != 1 or word in "\r\n"):
            raise DataError(
                f"write_lines: with tokens='chars' every symbol must be one "
                f"character (not a newline); got {word!r}. Use "
                "tokens='whitespace'."
            )
        if tokens == "whitespace" and (not word or len(word.split()) != 1):
            raise DataError(
                f"write_lines: symbol {word!r} is empty or contains whitespace, "
                "so it would not read back as one token. Replace the whitespace "
                "(for example with '_') first."
            )
    return np.array(words, dtype=object)


def _attach_labels(lines: list[str], labels: Any, where: str) -> list[str]:
    if labels is None:
        raise DataError(
            f"write_lines: labels={where!r} but the sequences have no labels. "
            "Attach them with SequenceSet.with_labels(...) or use labels='none'."
        )
    texts = [str(label) for label in np.asarray(labels).tolist()]
    for text in texts:
        if not text or len(text.split()) != 1:
            raise DataError(
                f"write_lines: label {text!r} is empty or contains whitespace; "
                "expected one token. Replace the whitespace first."
            )
    if where == "first":
        return [f"{t} {line}" if line else t for t, line in zip(texts, lines)]
    return [f"{line} {t}" if line else t for t, line in zip(texts, lines)]
