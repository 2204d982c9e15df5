r"""Input-output pairs for sequence to sequence: tab-separated, SCAN, parallel files.

Each reader returns ``(inputs, outputs)``, two lists of the same length,
ready for ``fit(inputs, outputs)`` of a seq2seq model. With
``tokens="chars"`` every item is a string (a character sequence, so models
answer with strings); otherwise it is a list of string tokens:

``"whitespace"``
    split on runs of whitespace;
``"chars"``
    every character, spaces included (after stripping both ends of a side);
``"words"``
    runs of letters and digits, and every other non-space character on its
    own (``"a dog."`` -> ``["a", "dog", "."]``), for raw text such as
    Multi30k.

Malformed lines raise :class:`~seqpred.exceptions.ParseError` with the file
and 1-based line.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from seqpred.data.readers._common import (
    PathLike,
    check_encoding,
    check_option,
    gunzip,
    read_bytes,
)
from seqpred.exceptions import EmptySequenceError, ParseError

__all__ = ["read_pairs", "read_parallel", "read_scan", "tokenize"]

Tokens = Literal["whitespace", "chars", "words"]
TOKENS: tuple[str, ...] = ("whitespace", "chars", "words")
_WORDS = re.compile(r"\w+|[^\w\s]")
_SCAN = re.compile(r"^IN:(.*?)\bOUT:(.*)$")


def tokenize(text: str, tokens: Tokens = "whitespace", lowercase: bool = False) -> Any:
    """Split one side of a pair into its symbols.

    Parameters
    ----------
    text : str
        The text, already stripped of its line end.
    tokens : {"whitespace", "chars", "words"}, default="whitespace"
        How to split (see the module docstring).
    lowercase : bool, default=False
        Lowercase the text first.

    Returns
    -------
    str or list of str
        The stripped string for ``"chars"``, else the list of tokens.

    Examples
    --------
    >>> tokenize("Two dogs, running.", "words", lowercase=True)
    ['two', 'dogs', ',', 'running', '.']
    >>> tokenize(" 12+7 ", "chars")
    '12+7'
    """
    text = text.lower() if lowercase else text
    if tokens == "chars":
        return text.strip()
    if tokens == "words":
        return _WORDS.findall(text)
    return text.split()


def _text_lines(path: PathLike, who: str, encoding: str) -> tuple[str, list[str]]:
    """Return ``(path as str, lines)``, gunzipping and decoding with line errors."""
    check_encoding(who, encoding)
    p, data = read_bytes(path, who)
    name = str(p)
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, p, who)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ParseError(
            f"{who}: bytes {data[exc.start : exc.end]!r} are not valid {encoding}; "
            "expected text. Pass the file's encoding with encoding=...",
            path=name,
            line=line,
        ) from None
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return name, [line.rstrip("\r") for line in lines]


def _check_nonempty(pairs: list[Any], name: str, who: str) -> None:
    if not pairs:
        raise EmptySequenceError(
            f"{who}: file {name!r} holds no pairs (only blank lines); expected at "
            "least one. Check that the file was written completely."
        )


def read_pairs(
    path: PathLike,
    *,
    tokens: Tokens = "whitespace",
    lowercase: bool = False,
    encoding: str = "utf-8",
) -> tuple[list[Any], list[Any]]:
    r"""Read ``input<TAB>output`` lines (one pair a line; blank lines skipped).

    Parameters
    ----------
    path : str or path-like
        A text file, optionally gzipped.
    tokens : {"whitespace", "chars", "words"}, default="whitespace"
        How to split each side (see the module docstring).
    lowercase : bool, default=False
        Lowercase both sides.
    encoding : str, default="utf-8"
        Text encoding of the file.

    Returns
    -------
    inputs, outputs : list
        One entry per pair: strings for ``tokens="chars"``, else token lists.
        An output may be empty; an input may not.

    Raises
    ------
    ParseError
        A line without exactly one tab, or with nothing before the tab.
    DataError
        A missing file; :class:`EmptySequenceError` for a file without pairs.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "add.tsv"
    >>> _ = path.write_text("12+5\t17\n3+4  \t7\n")
    >>> read_pairs(path, tokens="chars")
    (['12+5', '3+4'], ['17', '7'])
    """
    who = "read_pairs"
    check_option(who, "tokens", tokens, list(TOKENS))
    name, lines = _text_lines(path, who, encoding)
    inputs: list[Any] = []
    outputs: list[Any] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 2:
            raise ParseError(
                f"{who}: expected one tab between input and output; got "
                f"{len(fields) - 1} in {line[:60]!r}. Write each pair as "
                "'input<TAB>output'.",
                path=name,
                line=number,
            )
        if not fields[0].strip():
            raise ParseError(
                f"{who}: the input (before the tab) is empty in {line[:60]!r}; "
                "expected at least one symbol. Remove the line or fill it in.",
                path=name,
                line=number,
            )
        inputs.append(tokenize(fields[0], tokens, lowercase))
        outputs.append(tokenize(fields[1], tokens, lowercase))
    _check_nonempty(inputs, name, who)
    return inputs, outputs


def read_scan(
    path: PathLike, *, encoding: str = "utf-8"
) -> tuple[list[list[str]], list[list[str]]]:
    r"""Read SCAN's ``IN: command words OUT: ACTION ACTION`` lines.

    Parameters
    ----------
    path : str or path-like
        A SCAN task file such as ``tasks_train_simple.txt``.
    encoding : str, default="utf-8"
        Text encoding of the file.

    Returns
    -------
    commands, actions : list of list of str
        Whitespace tokens of each side.

    Raises
    ------
    ParseError
        A non-blank line not of the form ``IN: ... OUT: ...``, or with an
        empty command.

    References
    ----------
    .. [1] B. Lake, M. Baroni, "Generalization without Systematicity: On the
       Compositional Skills of Sequence-to-Sequence Recurrent Networks",
       ICML 2018.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scan.txt"
    >>> _ = path.write_text("IN: jump twice OUT: I_JUMP I_JUMP\n")
    >>> read_scan(path)
    ([['jump', 'twice']], [['I_JUMP', 'I_JUMP']])
    """
    who = "read_scan"
    name, lines = _text_lines(path, who, encoding)
    inputs: list[list[str]] = []
    outputs: list[list[str]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _SCAN.match(line.strip())
        if match is None or not match.group(1).split():
            raise ParseError(
                f"{who}: expected 'IN: <command> OUT: <actions>'; got "
                f"{line[:60]!r}. Check that this is a SCAN task file.",
                path=name,
                line=number,
            )
        inputs.append(match.group(1).split())
        outputs.append(match.group(2).split())
    _check_nonempty(inputs, name, who)
    return inputs, outputs


def read_parallel(
    source_path: PathLike,
    target_path: PathLike,
    *,
    tokens: Tokens = "words",
    lowercase: bool = False,
    encoding: str = "utf-8",
) -> tuple[list[Any], list[Any]]:
    r"""Read a parallel corpus: line ``i`` of one file translates line ``i`` of another.

    Parameters
    ----------
    source_path, target_path : str or path-like
        Text files with one sentence a line, each optionally gzipped (as
        Multi30k's ``train.en.gz`` and ``train.de.gz``).
    tokens : {"whitespace", "chars", "words"}, default="words"
        How to split each sentence (see the module docstring).
    lowercase : bool, default=False
        Lowercase both sides.
    encoding : str, default="utf-8"
        Text encoding of both files.

    Returns
    -------
    inputs, outputs : list
        One entry per line pair.

    Raises
    ------
    ParseError
        Files of different line counts (at the first line one of them
        lacks), or a blank source line.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "a.en").write_text("A dog runs.\n")
    >>> _ = (tmp / "a.de").write_text("Ein Hund rennt.\n")
    >>> read_parallel(tmp / "a.en", tmp / "a.de", lowercase=True)
    ([['a', 'dog', 'runs', '.']], [['ein', 'hund', 'rennt', '.']])
    """
    who = "read_parallel"
    check_option(who, "tokens", tokens, list(TOKENS))
    source_name, sources = _text_lines(source_path, who, encoding)
    target_name, targets = _text_lines(target_path, who, encoding)
    if len(sources) != len(targets):
        short, long_ = (
            (source_name, target_name)
            if len(sources) < len(targets)
            else (target_name, source_name)
        )
        raise ParseError(
            f"{who}: {source_name!r} has {len(sources)} lines but {target_name!r} "
            f"has {len(targets)}; expected one translation per line. {short!r} "
            f"ends before this line of {long_!r}; align the files.",
            path=long_,
            line=min(len(sources), len(targets)) + 1,
        )
    for number, line in enumerate(sources, start=1):
        if not line.strip():
            raise ParseError(
                f"{who}: the source sentence is blank; expected text on every "
                "line. Remove the line from both files.",
                path=source_name,
                line=number,
            )
    _check_nonempty(sources, source_name, who)
    return (
        [tokenize(s, tokens, lowercase) for s in sources],
        [tokenize(t, tokens, lowercase) for t in targets],
    )
