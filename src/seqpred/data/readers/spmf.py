"""SPMF sequence format: ``1 2 -1 3 -1 -2``; ``-1`` ends an itemset, ``-2`` a line.

The reader tokenizes the whole file at once with NumPy: no Python work per item.
"""

from __future__ import annotations

import re
from typing import Any, Literal, NoReturn

import numpy as np

from seqpred._params import check_int
from seqpred.data.readers._common import (
    Array,
    PathLike,
    Unknown,
    check_option,
    encode_first_seen,
    line_of_offset,
    read_bytes,
    to_sequence_set,
)
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import (
    DataError,
    EmptySequenceError,
    ParseError,
)

__all__ = ["read_spmf", "write_spmf"]

_WHO = "read_spmf"
_COMMENT = re.compile(rb"(?m)^[#%@][^\n]*")
_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 11, 12, 13, 32]] = True  # C isspace(), as np.fromstring uses
_INT64 = np.iinfo(np.int64)
_FORMAT_HINT = "SPMF lines look like '12 -1 7 -1 3 -1 -2'"


def read_spmf(
    path: PathLike,
    *,
    vocabulary: Vocabulary | None = None,
    itemsets: Literal["flatten", "keep"] = "flatten",
    max_sequences: int | None = None,
    unknown: Unknown | None = None,
) -> SequenceSet:
    r"""Read a file in the SPMF sequence format.

    Each line is one sequence: integer items, ``-1`` after each itemset and
    ``-2`` at the end (``12 -1 7 -1 7 -1 3 -1 -2``). Several items before one
    ``-1`` form an itemset (``1 2 -1 3 -1 -2`` is ``{1, 2}`` then ``{3}``).
    Lines starting with ``#``, ``%`` or ``@`` and blank lines are skipped.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    vocabulary : Vocabulary, default=None
        Encode items with this vocabulary; ``None`` builds one with the items
        (as ``int`` symbols) in first-seen order.
    itemsets : {"flatten", "keep"}, default="flatten"
        ``"flatten"`` concatenates the items of each itemset in file order;
        ``"keep"`` also records where itemsets start in
        :attr:`SequenceSet.itemset_start`.
    max_sequences : int, default=None
        Read only the first ``max_sequences`` sequences.
    unknown : {"error", "unk", "add"}, default=None
        Policy for items missing from ``vocabulary``: ``"add"`` for a new
        vocabulary, ``"error"`` for a given one.

    Returns
    -------
    SequenceSet
        Discrete sequences, one per non-blank line.

    Raises
    ------
    DataError
        If the file does not exist; :class:`EmptySequenceError` if it holds
        no sequence.
    ParseError
        For a token that is not an integer, a negative item other than ``-1``
        or ``-2``, or a line that does not end with ``-2``; the error carries
        the path, line and column.

    Notes
    -----
    The file is parsed in one pass with ``numpy.fromstring`` and vectorised
    checks, so reading costs a few tens of nanoseconds per token. Line numbers
    are computed only when something is wrong. SPMF time stamps (``<3>``) are
    not supported.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "seqs.txt"
    >>> _ = path.write_text("# two sequences\n1 2 -1 3 -1 -2\n3 -1 -2\n")
    >>> ss = read_spmf(path, itemsets="keep")
    >>> ss.to_lists()
    [[1, 2, 3], [3]]
    >>> ss.itemset_start.tolist()
    [True, False, True, True]
    """
    check_option(_WHO, "itemsets", itemsets, ["flatten", "keep"])
    check_int(
        _WHO, "max_sequences", max_sequences,
        low=1, default=None, optional=True, hint="to read every sequence",
    )  # fmt: skip
    p, data = read_bytes(path, _WHO)
    if data[:1] in (b"#", b"%", b"@") or any(
        b"\n" + mark in data for mark in (b"#", b"%", b"@")
    ):
        data = _COMMENT.sub(b"", data)  # blank comment lines, keep line numbers
    if max_sequences is not None:
        data = _first_lines(data, max_sequences)
    tokens, starts = _tokenize(data, str(p))
    terminal = _check_structure(data, tokens, starts, str(p))
    items = tokens >= 0
    n_sequences = int(terminal.sum())
    sequence_of = np.cumsum(terminal) - terminal  # terminators strictly before
    lengths = np.bincount(sequence_of[items], minlength=n_sequences)
    codes, vocabulary = encode_first_seen(tokens[items], vocabulary, unknown)
    itemset_start = None
    if itemsets == "keep":
        previous = np.concatenate(([-2], tokens[:-1]))
        itemset_start = (previous < 0)[items]
    return to_sequence_set(
        codes, lengths, vocabulary=vocabulary, itemset_start=itemset_start
    )


def _first_lines(data: bytes, n: int) -> bytes:
    """Cut ``data`` after its ``n``-th non-blank line (a loop per line, not item)."""
    pos, count, size = 0, 0, len(data)
    while count < n and pos < size:
        end = data.find(b"\n", pos)
        end = size if end < 0 else end + 1
        if data[pos:end].strip():
            count += 1
        pos = end
    return data[:pos]


def _tokenize(data: bytes, path: str) -> tuple[Array, Array]:
    """Return every token as int64 and the byte offset where each token starts."""
    space = _SPACE[np.frombuffer(data, dtype=np.uint8)]
    after_space = np.concatenate(([True], space[:-1]))
    starts = np.flatnonzero(~space & after_space)
    if len(starts) == 0:
        raise EmptySequenceError(
            f"{_WHO}: file {path!r} holds only comments or blank lines; expected "
            f"at least one sequence ({_FORMAT_HINT})."
        )
    try:
        tokens: Array = np.fromstring(data, dtype=np.int64, sep=" ")
    except ValueError:
        _raise_bad_token(data, path)
    if (
        len(tokens) != len(starts)
        or (tokens == _INT64.max).any()
        or (tokens == _INT64.min).any()
    ):
        _raise_bad_token(data, path)
    return tokens, starts


def _raise_bad_token(data: bytes, path: str) -> NoReturn:
    """Find the first token that is not an int64 and raise (the slow error path)."""
    for line_no, line in enumerate(data.split(b"\n"), 1):
        for match in re.finditer(rb"\S+", line):
            token = match.group()
            try:
                value = int(token)
            except ValueError:
                value = None
            if value is not None and _INT64.min < value < _INT64.max:
                continue
            text = token.decode("utf-8", errors="replace")
            hint = (
                " SPMF time stamps (<t>) are not supported; remove them."
                if text.startswith("<")
                else " Fix or remove the token."
            )
            raise ParseError(
                f"{_WHO}: token {text!r} is not an integer item; expected "
                f"integers >= 0, -1 (end of itemset) or -2 (end of sequence); "
                f"got {text!r}.{hint}",
                path=path,
                line=line_no,
                column=match.start() + 1,
            )
    raise AssertionError("np.fromstring failed but every token is an integer")


def _check_structure(data: bytes, tokens: Array, starts: Array, path: str) -> Array:
    """Check separators and terminators; return the mask of ``-2`` tokens."""
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    last_on_line = np.zeros(len(tokens), dtype=bool)
    last_on_line[np.searchsorted(starts, newlines) - 1] = True  # token before \n
    last_on_line[-1] = True
    terminal: Array = tokens == -2
    bad = (tokens < -2) | ((tokens < 0) & (tokens != -1) & ~terminal)
    checks = (
        (bad, "negative token {tok}; expected items >= 0, -1 or -2", "Fix the item."),
        (
            last_on_line & ~terminal,
            "line does not end with -2; expected each sequence to end with "
            "' -2'; got last token {tok}",
            f"Append ' -2' to the line ({_FORMAT_HINT}).",
        ),
        (
            terminal & ~last_on_line,
            "-2 in the middle of a line; expected one sequence per line, ended "
            "by -2; got more tokens after it",
            "Put each sequence on its own line.",
        ),
    )
    for mask, what, fix in checks:
        if mask.any():
            start = int(starts[np.flatnonzero(mask)[0]])
            line_start = data.rfind(b"\n", 0, start) + 1
            tok = repr(str(tokens[np.flatnonzero(mask)[0]]))
            raise ParseError(
                f"{_WHO}: {what.format(tok=tok)}. {fix}",
                path=path,
                line=line_of_offset(data, start),
                column=start - line_start + 1,
            )
    return terminal


def write_spmf(
    sequences: SequenceSet | Any, path: PathLike, *, decode: bool = True
) -> None:
    """Write discrete sequences to ``path`` in the SPMF sequence format.

    Parameters
    ----------
    sequences : SequenceSet or list of lists
        Sequences of non-negative integer symbols. Itemsets recorded in
        :attr:`SequenceSet.itemset_start` are kept.
    path : str or path-like
        The file to (over)write.
    decode : bool, default=True
        Write the symbols; with ``False`` write the integer ids instead (for
        sequences of non-integer symbols).

    Raises
    ------
    DataError
        For numeric sequences, or symbols that are not integers >= 0.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> write_spmf([[12, 7, 3], [5]], path)
    >>> print(path.read_text(), end="")
    12 -1 7 -1 3 -1 -2
    5 -1 -2
    """
    ss = as_sequence_set(sequences, owner="write_spmf", allow_empty_input=True)
    if ss.kind != "discrete" or ss.vocabulary is None:
        raise DataError(
            "write_spmf: SPMF holds integer items; got numeric sequences. Use "
            "write_lines, or np.save for numeric data."
        )
    if decode and ss.n_steps and int(ss.values.min()) < ss.vocabulary.n_reserved:
        raise DataError(
            "write_spmf: the sequences hold reserved ids (<pad>, <unk> or <sep>), "
            "which SPMF cannot express; expected item ids only. Drop them first, "
            "or pass decode=False to write raw ids."
        )
    table = _symbol_table(ss.vocabulary, decode)
    text = _spmf_text(table[ss.values], ss.offsets, ss.itemset_start)
    with open(path, "w", encoding="ascii", newline="\n") as handle:
        handle.write(text)


def _symbol_table(vocabulary: Vocabulary, decode: bool) -> Array:
    """Return, for each id, the text written for it."""
    if not decode:
        return np.arange(vocabulary.size).astype(str)
    symbols = vocabulary.decode(np.arange(vocabulary.size))
    for symbol in symbols[vocabulary.n_reserved :]:
        if (
            not isinstance(symbol, (int, np.integer))
            or isinstance(symbol, bool)
            or (symbol < 0)
        ):
            raise DataError(
                f"write_spmf: SPMF items must be integers >= 0; got symbol "
                f"{symbol!r}. Pass decode=False to write integer ids instead."
            )
    table: Array = np.array([str(s) for s in symbols])
    return table


def _spmf_text(words: Array, offsets: Array, itemset_start: Array | None) -> str:
    """Join item strings with ``-1``/``-2`` markers, vectorised over items."""
    n_steps = len(words)
    closes = np.ones(n_steps, dtype=bool)  # does the item end an itemset?
    if itemset_start is not None and n_steps:
        closes[:-1] = itemset_start[1:]
    ends = offsets[1:][offsets[1:] > offsets[:-1]] - 1  # last item of each sequence
    closes[ends] = True
    pieces = np.char.add(words, np.where(closes, " -1 ", " "))
    pieces = pieces.astype(f"<U{pieces.dtype.itemsize // 4 + 3}")
    pieces[ends] = np.char.add(pieces[ends], "-2\n")
    empty = offsets[:-1][offsets[1:] == offsets[:-1]]
    pieces = np.insert(pieces, empty, "-2\n")
    return "".join(str(piece) for piece in pieces.tolist())
