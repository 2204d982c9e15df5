"""FASTA: ``>id description`` headers, each followed by lines of sequence letters."""

from __future__ import annotations

import re

import numpy as np

from seqpred.data.readers._common import (
    PathLike,
    Unknown,
    encode_first_seen,
    line_of_offset,
    read_bytes,
    to_sequence_set,
)
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import ParseError

__all__ = ["read_fasta"]

_WHO = "read_fasta"
_HEADER = re.compile(rb"^>[ \t]*(\S*)[^\n]*", re.MULTILINE)
_COMMENT = re.compile(rb"^;[^\n]*", re.MULTILINE)
_NOT_RESIDUE = re.compile(rb"[^A-Za-z*\-.\s]")
_SPACES = b" \t\r\n\v\f"
_CHARS = np.array([chr(c) for c in range(256)])


def read_fasta(
    path: PathLike,
    *,
    vocabulary: Vocabulary | None = None,
    unknown: Unknown | None = None,
) -> SequenceSet:
    r"""Read a FASTA file of DNA, RNA or protein sequences.

    Each record is a header line ``>id description`` followed by any number
    of sequence lines, which are concatenated. Letters are upper-cased and
    each character is one symbol. Lines starting with ``;`` are comments.

    Parameters
    ----------
    path : str or path-like
        The file to read (``.fa``, ``.fasta``, ``.fna``, ...).
    vocabulary : Vocabulary, default=None
        Encode with this vocabulary; ``None`` builds one in first-seen order.
    unknown : {"error", "unk", "add"}, default=None
        Policy for symbols missing from ``vocabulary``.

    Returns
    -------
    SequenceSet
        Discrete sequences of one-character ``str`` symbols, with ``ids``
        set to the first word of each header.

    Raises
    ------
    DataError
        If the file is missing; :class:`EmptySequenceError` if it is empty.
    ParseError
        For sequence data before the first header, a header without an id,
        or a character that is not a letter, ``*``, ``-`` or ``.``.

    Notes
    -----
    The work per character is NumPy (one ``bytes.translate`` to drop line
    breaks, then a table lookup); Python loops once per record.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "seqs.fa"
    >>> _ = path.write_text(">s1 first\nACgt\nAA\n>s2\nTTA\n")
    >>> ss = read_fasta(path)
    >>> ss.ids.tolist(), [''.join(s) for s in ss.to_lists()]
    (['s1', 's2'], ['ACGTAA', 'TTA'])
    """
    p, data = read_bytes(path, _WHO)
    if b"\n;" in data or data.startswith(b";"):
        data = _COMMENT.sub(b"", data)
    headers = list(_HEADER.finditer(data))
    _check_preamble(data, headers, str(p))
    ids: list[str] = []
    chunks: list[bytes] = []
    for k, header in enumerate(headers):
        ident = header.group(1)
        if not ident:
            raise ParseError(
                f"{_WHO}: header has no id; expected '>id description'; got "
                f"{header.group().decode(errors='replace')!r}. Add an id after '>'.",
                path=str(p),
                line=line_of_offset(data, header.start()),
            )
        body_start = header.end()
        body_end = headers[k + 1].start() if k + 1 < len(headers) else len(data)
        _check_residues(data, body_start, body_end, str(p))
        ids.append(ident.decode("utf-8", errors="replace"))
        chunks.append(data[body_start:body_end].translate(None, _SPACES).upper())
    lengths = np.fromiter((len(c) for c in chunks), dtype=np.int64, count=len(chunks))
    letters = np.frombuffer(b"".join(chunks), dtype=np.uint8)
    codes, vocabulary = encode_first_seen(letters, vocabulary, unknown, names=_CHARS)
    return to_sequence_set(codes, lengths, vocabulary=vocabulary, ids=ids)


def _check_preamble(data: bytes, headers: list[re.Match[bytes]], path: str) -> None:
    """Raise if anything but blank space comes before the first header."""
    first = headers[0].start() if headers else len(data)
    stray = re.search(rb"\S", data[:first])
    if stray is not None:
        raise ParseError(
            f"{_WHO}: sequence data before the first header; expected a line "
            f"'>id description' first; got {data[stray.start() : stray.start() + 20]!r}"
            ". Add a header line, or check that this is a FASTA file.",
            path=path,
            line=line_of_offset(data, stray.start()),
        )


def _check_residues(data: bytes, start: int, end: int, path: str) -> None:
    bad = _NOT_RESIDUE.search(data, start, end)
    if bad is not None:
        line_start = data.rfind(b"\n", 0, bad.start()) + 1
        raise ParseError(
            f"{_WHO}: character {bad.group().decode(errors='replace')!r} is not a "
            "residue; expected letters, '*', '-' or '.'. Remove numbers and "
            "other characters from sequence lines.",
            path=path,
            line=line_of_offset(data, bad.start()),
            column=bad.start() - line_start + 1,
        )
