"""The generation part of ``seqpred demo``: learn a synthetic "language", write in it.

A hidden second-order Markov chain over eight letters stands in for a
corpus, so the best achievable bits per symbol (its entropy rate) is known
exactly. The part fits a PPM model, draws a sample and compares the model's
bits per symbol on held-out text with that bound.
"""

from __future__ import annotations

import time
from typing import Any

from seqpred.cli.output import format_seconds, say, step

__all__ = ["part_generate"]

_LETTERS = "etaoins "  # symbol i of the chain prints as _LETTERS[i]


def _text(sequences: list[list[int]]) -> list[str]:
    return ["".join(_LETTERS[i] for i in seq) for seq in sequences]


def part_generate(state: Any) -> None:
    """Fit PPM on text from a known source; sample from it; compare bits per symbol.

    ``state`` needs ``quick`` (smaller corpus) and ``seed``.
    """
    from seqpred.data.synthetic import MarkovSource
    from seqpred.models.generate import SequenceGenerator
    from seqpred.models.next_item import PPM

    source = MarkovSource(
        n_symbols=len(_LETTERS), order=2, concentration=0.2, random_state=state.seed
    )
    n = 40 if state.quick else 200
    train = _text(source.sample(n, 200, random_state=state.seed + 1))
    test = _text(source.sample(20, 200, random_state=state.seed + 2))
    with step(f"fitting PPM(max_order=3) on {n * 200:,} characters"):
        start = time.perf_counter()
        model = PPM(max_order=3, escape="C").fit(train)
        seconds = time.perf_counter() - start
    generator = SequenceGenerator(model)
    sample = generator.sample(
        1, prefix="tea", max_length=70, temperature=0.9, random_state=state.seed
    )[0]
    bits = generator.bits_per_symbol(test)
    entropy = source.entropy_rate()
    say(
        f"A hidden 2nd-order Markov chain over {len(_LETTERS)} letters writes "
        f"the corpus; PPM learned it in {format_seconds(seconds)}."
    )
    say("SequenceGenerator(model).sample(1, prefix='tea', temperature=0.9):")
    say(f"  tea{''.join(str(s) for s in sample)}")
    say(
        f"Held-out bits per symbol: PPM {bits:.3f}; the source's entropy rate "
        f"(the best possible) {entropy:.3f}; uniform guessing "
        f"{_uniform_bits():.3f}."
    )
    say(
        "On your own text: seqpred fit corpus.txt -m ppm --data-option tokens=chars "
        "-o text.seqpred, then "
        "seqpred generate text.seqpred --n 3 --length 300 --temperature 0.8."
    )


def _uniform_bits() -> float:
    import math

    return math.log2(len(_LETTERS))
