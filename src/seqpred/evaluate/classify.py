"""Evaluation of sequence classifiers: accuracy versus how much was seen.

Early classification asks how soon a label can be told: every test sequence
is cut to its first part (a fraction of its length, or a fixed number of
steps), the fitted classifier predicts from that prefix alone, and the
accuracy is reported per cut.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = ["PrefixCurve", "prefix_accuracy_curve"]

DEFAULT_FRACTIONS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


@dataclass(frozen=True)
class PrefixCurve:
    """Accuracy of predictions from prefixes.

    Attributes
    ----------
    cuts : ndarray of shape (P,)
        The fractions of each sequence's length, or the prefix lengths in
        steps (see ``unit``).
    unit : {"fraction", "steps"}
        What ``cuts`` measure.
    accuracy : ndarray of shape (P,)
        Accuracy over all sequences at each cut.
    mean_length : ndarray of shape (P,)
        Mean number of steps the classifier saw at each cut.
    n_sequences : int
        Number of test sequences.
    """

    cuts: Array
    unit: str
    accuracy: Array
    mean_length: Array
    n_sequences: int

    def as_rows(self) -> list[tuple[float, float, float]]:
        """Return ``(cut, mean steps seen, accuracy)`` per cut, for printing."""
        return [
            (float(c), float(m), float(a))
            for c, m, a in zip(self.cuts, self.mean_length, self.accuracy)
        ]


def prefix_accuracy_curve(
    model: Any,
    X: Any,
    y: Any = None,
    *,
    fractions: Sequence[float] | None = None,
    lengths: Sequence[int] | None = None,
) -> PrefixCurve:
    """Return the accuracy of a fitted classifier on prefixes of ``X``.

    Parameters
    ----------
    model : fitted classifier
        Anything with ``predict(X)`` taking a batch of sequences.
    X : SequenceSet, list of lists, list of strings or list of arrays
        Test sequences (whole).
    y : array-like of shape (N,), default=None
        Their labels; ``None`` takes ``X.labels``.
    fractions : sequence of float in (0, 1], default=None
        Cut each sequence to ``ceil(fraction · length)`` steps. The default
        (when ``lengths`` is also None) is 0.1, 0.2, ..., 1.0.
    lengths : sequence of int >= 0, default=None
        Cut every sequence to this many steps instead (shorter sequences
        stay whole). Give ``fractions`` or ``lengths``, not both.

    Returns
    -------
    PrefixCurve

    Raises
    ------
    InvalidParameterError
        If both or invalid cuts are given.
    DataError
        If labels are missing or their count differs from ``X``.

    Examples
    --------
    >>> from seqpred.models.classify import KmerClassifier
    >>> X = ["aaaaabbbbb", "aaaaaccccc"] * 10
    >>> y = ["b", "c"] * 10
    >>> model = KmerClassifier(max_k=1).fit(X, y)
    >>> curve = prefix_accuracy_curve(model, X, y, fractions=[0.5, 1.0])
    >>> curve.accuracy.tolist()
    [0.5, 1.0]
    """
    cuts, unit = _check_cuts(fractions, lengths)
    ss = as_sequence_set(X, kind="auto", unknown="add", owner="prefix_accuracy_curve")
    labels = np.asarray(ss.labels if y is None else y)
    if labels.ndim != 1 or len(labels) != len(ss):
        raise DataError(
            f"prefix_accuracy_curve: expected {len(ss)} labels, one per sequence; "
            f"got {'none' if labels.ndim == 0 else labels.shape}. Pass y or a "
            "SequenceSet with labels."
        )
    accuracy, seen = [], []
    for cut in cuts:
        if unit == "fraction":
            stop = np.ceil(cut * ss.lengths - 1e-9).astype(np.int64)
        else:
            stop = np.minimum(int(cut), ss.lengths)
        prefixes: Any = ss.slice_steps(0, stop)
        if ss.kind == "discrete":  # symbols: the model encodes them itself
            prefixes = prefixes.to_lists()
        predicted = np.asarray(model.predict(prefixes))
        accuracy.append(float(np.mean(predicted == labels)))
        seen.append(float(np.mean(stop)))
    return PrefixCurve(
        cuts=np.asarray(cuts, dtype=np.float64),
        unit=unit,
        accuracy=np.asarray(accuracy),
        mean_length=np.asarray(seen),
        n_sequences=len(ss),
    )


def _check_cuts(
    fractions: Sequence[float] | None, lengths: Sequence[int] | None
) -> tuple[list[float], str]:
    if fractions is not None and lengths is not None:
        raise InvalidParameterError(
            "prefix_accuracy_curve: give fractions or lengths, not both; got "
            f"fractions={list(fractions)!r} and lengths={list(lengths)!r}."
        )
    if lengths is not None:
        steps: list[Any] = list(lengths)
        if not steps or any(
            isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0
            for v in steps
        ):
            raise InvalidParameterError(
                "prefix_accuracy_curve: lengths must be a non-empty list of ints "
                f">= 0; got {steps!r}. Use lengths=[5, 10, 20]."
            )
        return [float(v) for v in steps], "steps"
    values: list[Any] = list(DEFAULT_FRACTIONS if fractions is None else fractions)
    if not values or any(
        isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 1
        for v in values
    ):
        raise InvalidParameterError(
            "prefix_accuracy_curve: fractions must be a non-empty list of numbers "
            f"in (0, 1]; got {values!r}. Use fractions=[0.25, 0.5, 1.0]."
        )
    return [float(v) for v in values], "fraction"
