"""Small synthetic data for the conformance checks, chosen from an estimator's tags."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from unittest import SkipTest

import numpy as np

from seqpred.base import Tags

__all__ = ["CheckData", "SkipCheck", "make_data"]


class SkipCheck(SkipTest):
    """A conformance check does not apply to this estimator; carries the reason.

    A subclass of :class:`unittest.SkipTest`, so pytest and unittest report
    the check as skipped with its reason.
    """


@dataclass(frozen=True)
class CheckData:
    """Training and query sequences for one estimator kind.

    Parameters
    ----------
    train : list of list
        Training sequences (set A), including a length-1 sequence.
    train_other : list of list
        A second, different training set (set B) for the no-accumulation check.
    queries : list of list
        Prefixes over A's symbols (no unknown symbols, none empty).
    queries_other : list of list
        Prefixes over B's symbols.
    unknown : str
        A symbol in neither A nor B.
    train_labels, train_other_labels : list or None
        Class labels of A and B (classification tasks), or the output
        sequences of A and B (sequence-to-sequence tasks).
    """

    train: list[list[Any]]
    train_other: list[list[Any]]
    queries: list[list[Any]]
    queries_other: list[list[Any]]
    unknown: str
    train_labels: list[Any] | None = None
    train_other_labels: list[Any] | None = None


def _chain(symbols: str, n: int, seed: int) -> list[list[str]]:
    """Sample ``n`` sequences from a sparse first-order chain over ``symbols``."""
    rng = np.random.default_rng(seed)
    k = len(symbols)
    # Each symbol mostly goes to the next one, sometimes skips one or repeats:
    # a model can learn it, and contexts still have several continuations.
    steps = rng.choice([1, 1, 1, 2, 0], size=(n, 12))
    lengths = rng.integers(3, 11, size=n)
    sequences = []
    for i in range(n):
        state = int(rng.integers(k))
        seq = [symbols[state]]
        for step in steps[i, : lengths[i] - 1]:
            state = (state + int(step)) % k
            seq.append(symbols[state])
        sequences.append(seq)
    return sequences


def make_data(tags: Tags) -> CheckData:
    """Return the :class:`CheckData` for an estimator with ``tags``.

    Raises
    ------
    SkipCheck
        If no conformance data exists yet for the tags' task or input kind.

    Examples
    --------
    >>> data = make_data(Tags(task="next-item"))
    >>> len(data.train), data.train[-1]
    (13, ['a'])
    >>> data.unknown
    'z'
    """
    if tags.task == "classify" or tags.task == "generate":  # labelled sequences
        return _classify_data(tags.input_kind)
    if tags.task == "seq2seq":
        return _seq2seq_data()
    if tags.task == "forecast" and tags.input_kind == "numeric":
        return _forecast_data()
    if tags.task not in ("next-item", "anomaly") or tags.input_kind != "discrete":
        raise SkipCheck(
            f"no conformance data yet for task={tags.task!r} with "
            f"input_kind={tags.input_kind!r}"
        )
    train = _chain("abcde", 12, seed=0) + [["a"]]
    train_other = _chain("cdefg", 10, seed=1)
    queries = [seq[: max(1, len(seq) // 2)] for seq in train[:8]] + [["e"]]
    queries_other = [seq[:3] for seq in train_other[:6]] + [["g"]]
    return CheckData(train, train_other, queries, queries_other, unknown="z")


def _waves(n: int, seed: int, freqs: tuple[float, float]) -> list[list[float]]:
    """Noisy sine waves of unequal lengths (16-28), alternating two frequencies."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        t = np.arange(int(rng.integers(16, 29))) / 4.0
        wave = np.sin(freqs[i % 2] * t + rng.uniform(0, 1)) + rng.normal(0, 0.1, len(t))
        out.append(wave.tolist())
    return out


def _classify_data(input_kind: str) -> CheckData:
    """Two-class data: symbol chains running up or down, or slow and fast waves."""
    train: list[list[Any]]
    other: list[list[Any]]
    if input_kind == "numeric":
        train = _waves(12, seed=0, freqs=(1.0, 3.0))
        other = _waves(10, seed=1, freqs=(0.5, 2.0))
        labels = ["slow", "fast"] * 6
        other_labels = ["low", "high"] * 5
        queries = [seq[: max(8, len(seq) // 2)] for seq in train[:8]]
        queries_other = [seq[:10] for seq in other[:6]]
        return CheckData(
            train, other, queries, queries_other, "z", labels, other_labels
        )
    up: list[list[Any]] = _chain("abcde", 6, seed=0)
    down = _chain("edcba", 6, seed=2)
    train = [s for pair in zip(up, down) for s in pair] + [["a"]]
    labels = ["up", "down"] * 6 + ["up"]
    up_b: list[list[Any]] = _chain("cdefg", 5, seed=1)
    down_b = _chain("gfedc", 5, seed=3)
    other = [s for pair in zip(up_b, down_b) for s in pair]
    other_labels = ["rise", "fall"] * 5
    queries = [seq[: max(1, len(seq) // 2)] for seq in train[:8]] + [["e"]]
    queries_other = [seq[:3] for seq in other[:6]] + [["g"]]
    return CheckData(train, other, queries, queries_other, "z", labels, other_labels)


def _digits(symbols: str, n: int, seed: int) -> list[list[str]]:
    """``n`` random sequences (lengths 2-5) over ``symbols``."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 6, size=n)
    return [
        [symbols[int(i)] for i in rng.integers(len(symbols), size=m)] for m in lengths
    ]


def _seq2seq_data() -> CheckData:
    """Pairs mapping short digit strings to their reversal."""
    train: list[list[Any]] = _digits("0123", 12, seed=0) + [["1"]]
    other: list[list[Any]] = _digits("2345", 10, seed=1)
    queries = [seq[: max(1, len(seq) - 1)] for seq in train[:8]] + [["3"]]
    queries_other = other[:6] + [["5"]]
    return CheckData(
        train,
        other,
        queries,
        queries_other,
        "z",
        [seq[::-1] for seq in train],
        [seq[::-1] for seq in other],
    )


def _forecast_data() -> CheckData:
    """Noisy sine series; queries are their prefixes (at least 8 steps)."""
    train: list[list[Any]] = _waves(12, seed=0, freqs=(1.0, 3.0))
    other: list[list[Any]] = _waves(10, seed=1, freqs=(0.5, 2.0))
    queries = [seq[: max(8, len(seq) // 2)] for seq in train[:8]]
    queries_other = [seq[:10] for seq in other[:6]]
    return CheckData(train, other, queries, queries_other, "z")
