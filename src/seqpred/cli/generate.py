"""``seqpred generate``: draw sequences from a saved model.

The command loads a model file, wraps it in
:class:`~seqpred.models.generate.SequenceGenerator` and prints each sample
with its length and its bits per symbol under the model. A model over single
characters prints its samples as text; other symbols are joined by spaces.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Hashable, Sequence
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from seqpred.cli.args import query_symbols
from seqpred.cli.output import OutputFormat, emit, step
from seqpred.exceptions import InvalidParameterError

__all__ = ["EPILOG", "generate", "is_char_level", "join_symbols"]

EPILOG = (
    "Example: seqpred generate model.seqpred --n 3 --length 200 --temperature 0.8 "
    "--seed 1 --prefix 'ROMEO:'"
)
"""The example for ``--help`` (pass as ``app.command(epilog=EPILOG)``)."""


def is_char_level(symbols: Sequence[Hashable]) -> bool:
    """Whether every symbol is a one-character string (text).

    Examples
    --------
    >>> is_char_level(["a", "b", " "]), is_char_level(["the", "cat"])
    (True, False)
    """
    return bool(symbols) and all(isinstance(s, str) and len(s) == 1 for s in symbols)


def join_symbols(sample: Sequence[Hashable], char_level: bool) -> str:
    """Join a sample for printing: text as is, other symbols separated by spaces.

    Examples
    --------
    >>> join_symbols(["h", "i", "!"], True), join_symbols([3, 1, 4], False)
    ('hi!', '3 1 4')
    """
    if char_level:
        return "".join(str(s) for s in sample)
    return " ".join(str(s) for s in sample)


def _split(text: str | None, char_level: bool, symbols: Sequence[Hashable]) -> Any:
    """Turn a --prefix string into symbols: characters for text, else tokens."""
    if text is None:
        return None
    text = codecs.decode(text, "unicode_escape") if "\\" in text else text
    return list(text) if char_level else query_symbols(text.split(), symbols)


def _label(value: str | None, model: Any) -> Any:
    """Match a --label string to one of the model's classes (which may be ints)."""
    if value is None:
        return None
    classes = getattr(model, "classes_", None)
    if classes is None:
        raise InvalidParameterError(
            f"--label needs a conditional model; {type(model).__name__} has no "
            "labels. Fit a 'conditional' model on labelled sequences, or drop --label."
        )
    for c in classes.tolist():
        if str(c) == value:
            return c
    raise InvalidParameterError(
        f"--label {value!r} is not a label of the model; its labels are "
        f"{[str(c) for c in classes.tolist()]}."
    )


def _sample_bits(generator: Any, prefix: Any, sample: list[Any], label: Any) -> Any:
    """Bits per symbol of ``sample`` under the model, after ``prefix``."""
    if not sample:
        return None
    whole = list(prefix or []) + list(sample)
    if label is None:
        scores = generator.log_proba([whole])[0]
    else:
        scores = generator.log_proba([whole], label)[0]
    return float(-np.mean(scores[-len(sample) :]) / np.log(2.0))


def generate(
    model_file: Annotated[
        Path, typer.Argument(metavar="MODEL", help="A .seqpred file from 'fit'.")
    ],
    n: Annotated[int, typer.Option("--n", "-n", min=1, help="Samples to draw.")] = 5,
    length: Annotated[
        int, typer.Option("--length", "-l", min=1, help="Most symbols per sample.")
    ] = 100,
    temperature: Annotated[
        float,
        typer.Option(
            "--temperature", "-t", help="Below 1: safer samples; above 1: wilder."
        ),
    ] = 1.0,
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="Random seed; the same seed gives the same text."),
    ] = None,
    prefix: Annotated[
        str | None,
        typer.Option(
            "--prefix",
            help="Start every sample with this (characters for a text model, "
            "whitespace-separated items otherwise; \\n is a newline).",
        ),
    ] = None,
    top_k: Annotated[
        int | None,
        typer.Option("--top-k", "-k", help="Draw from the K likeliest symbols only."),
    ] = None,
    top_p: Annotated[
        float | None,
        typer.Option(
            "--top-p", help="Nucleus: draw from the likeliest symbols holding mass P."
        ),
    ] = None,
    label: Annotated[
        str | None,
        typer.Option("--label", help="The class to condition on (conditional models)."),
    ] = None,
    stop: Annotated[
        str | None,
        typer.Option(
            "--stop",
            help="End a sample at this symbol (for text: at any of these "
            "characters; \\n is a newline).",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format on stdout.")
    ] = OutputFormat.table,
) -> None:
    """Draw new sequences from a saved model (text, items, or music)."""
    from seqpred.cli.model_files import load_model
    from seqpred.models.generate import SequenceGenerator

    model = load_model(model_file)
    generator = SequenceGenerator(model)
    symbols = generator.vocabulary.symbols
    char_level = is_char_level(symbols)
    start = _split(prefix, char_level, symbols)
    stops = _split(stop, char_level, symbols)
    condition = _label(label, model)
    with step(f"drawing {n} sample{'s' if n > 1 else ''} of up to {length} symbols"):
        samples = generator.sample(
            n,
            start,
            max_length=length,
            stop=None if not stops else stops,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            label=condition,
            random_state=seed,
        )
    head = join_symbols(start or [], char_level)
    rows = [
        [
            i + 1,
            len(s),
            _sample_bits(generator, start, s, condition),
            head
            + ("" if char_level or not head else " ")
            + join_symbols(s, char_level),
        ]
        for i, s in enumerate(samples)
    ]
    header = ["sample", "length", "bits_per_symbol", "text"]
    if fmt is OutputFormat.table:
        _print_blocks(rows)
        return
    emit(fmt, header=header, rows=rows)


def _print_blocks(rows: list[list[Any]]) -> None:
    """Print each sample under a one-line header (text keeps its own line breaks)."""
    for number, size, bits, text in rows:
        shown = "-" if bits is None else f"{bits:.3f}"
        sys.stdout.write(
            f"--- sample {number} ({size} symbols, {shown} bits/symbol) ---\n{text}\n"
        )
