"""Small synthetic data for the conformance checks, chosen from an estimator's tags."""

from __future__ import annotations

from dataclasses import dataclass
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
    """

    train: list[list[str]]
    train_other: list[list[str]]
    queries: list[list[str]]
    queries_other: list[list[str]]
    unknown: str


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
    >>> data = make_data(Tags())
    >>> len(data.train), data.train[-1]
    (13, ['a'])
    >>> data.unknown
    'z'
    """
    if tags.task != "next-item" or tags.input_kind != "discrete":
        raise SkipCheck(
            f"no conformance data yet for task={tags.task!r} with "
            f"input_kind={tags.input_kind!r}"
        )
    train = _chain("abcde", 12, seed=0) + [["a"]]
    train_other = _chain("cdefg", 10, seed=1)
    queries = [seq[: max(1, len(seq) // 2)] for seq in train[:8]] + [["e"]]
    queries_other = [seq[:3] for seq in train_other[:6]] + [["g"]]
    return CheckData(train, train_other, queries, queries_other, unknown="z")
