"""Sequence-to-sequence metrics: exact match and token accuracy.

Both sides are batches of sequences (a :class:`~seqpred.data.SequenceSet`, or
lists of lists, strings or arrays). They are encoded with one shared
vocabulary and compared position by position on flat arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError

__all__ = ["exact_match", "token_accuracy"]


def _encode_pair(
    pred_seqs: Any, true_seqs: Any, who: str
) -> tuple[SequenceSet, SequenceSet]:
    """Return both batches as SequenceSets sharing one vocabulary."""
    true = as_sequence_set(true_seqs, unknown="add", kind="discrete", owner=who)
    vocabulary = None if true.vocabulary is None else true.vocabulary.copy()
    pred = as_sequence_set(
        pred_seqs,
        vocabulary=vocabulary,
        unknown="add",
        kind=true.kind,
        owner=who,
        allow_empty_input=True,
    )
    if len(pred) != len(true):
        raise DataError(
            f"{who}: pred_seqs and true_seqs have different lengths; expected one "
            f"predicted sequence per true sequence; got {len(pred)} and "
            f"{len(true)}. Align them before scoring."
        )
    mixed = (pred.vocabulary is None) != (true.vocabulary is None)
    if mixed or pred.kind != true.kind or pred.n_features != true.n_features:
        raise DataError(
            f"{who}: pred_seqs and true_seqs are encoded differently; expected "
            f"the same kind of symbols and a vocabulary on both or neither; got "
            f"{pred!r} and {true!r}. Pass both as lists of symbols."
        )
    return pred, true


def _position_matches(pred: SequenceSet, true: SequenceSet) -> Array:
    """Return, per true step, whether the prediction at that position equals it."""
    seq = true.sequence_index
    pos = true.positions
    present = pos < pred.lengths[seq]
    if pred.n_steps == 0:
        return np.zeros(true.n_steps, dtype=bool)
    at = np.where(present, pred.offsets[:-1][seq] + pos, 0)
    equal = pred.values[at] == true.values
    if equal.ndim == 2:  # numeric steps with several features
        equal = equal.all(axis=1)
    matches: Array = present & equal
    return matches


def exact_match(pred_seqs: Any, true_seqs: Any) -> float:
    """Return the fraction of predicted sequences identical to the true ones.

    Parameters
    ----------
    pred_seqs : SequenceSet or list of sequences
        One predicted output sequence per sample.
    true_seqs : SequenceSet or list of sequences
        The reference output sequences.

    Returns
    -------
    float
        In ``[0, 1]``; a prediction must match in length and at every position.

    Examples
    --------
    >>> exact_match(["abc", "ab", "x"], ["abc", "abd", "x"])
    0.666...
    """
    pred, true = _encode_pair(pred_seqs, true_seqs, "exact_match")
    matches = _position_matches(pred, true)
    correct = np.bincount(
        true.sequence_index, weights=matches.astype(np.float64), minlength=len(true)
    )
    same = (pred.lengths == true.lengths) & (correct == true.lengths)
    return float(np.mean(same))


def token_accuracy(pred_seqs: Any, true_seqs: Any) -> float:
    """Return the fraction of true tokens predicted at their position.

    Parameters
    ----------
    pred_seqs : SequenceSet or list of sequences
        One predicted output sequence per sample.
    true_seqs : SequenceSet or list of sequences
        The reference output sequences.

    Returns
    -------
    float
        Correct positions over all true tokens (a micro average), in
        ``[0, 1]``. A prediction shorter than the truth counts its missing
        positions as wrong; extra predicted tokens are not penalised here
        (see :func:`exact_match`).

    Raises
    ------
    DataError
        No true tokens at all, or batches of different sizes.

    Examples
    --------
    >>> token_accuracy(["abc", "a"], ["abd", "ab"])
    0.6
    """
    who = "token_accuracy"
    pred, true = _encode_pair(pred_seqs, true_seqs, who)
    if true.n_steps == 0:
        raise DataError(
            f"{who}: every true sequence is empty; expected at least one true "
            "token; got only empty sequences. Score non-empty references."
        )
    return float(np.mean(_position_matches(pred, true)))
