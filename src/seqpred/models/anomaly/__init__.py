"""Anomaly detection in sequences: event logs (symbols) and numeric streams.

:class:`SequenceAnomalyScorer` scores each position (surprise under a
fitted sequence model, or a standardised one-step forecast residual) and
each sequence (their mean or maximum), and flags scores above thresholds
set from the training data by a contamination rate or a target false
positive rate. Every scorer shares :class:`AnomalyMixin` (:mod:`.base`).
:func:`seqpred.evaluate.nab.nab_score` scores a detector with
the Numenta Anomaly Benchmark's rules.
"""

from seqpred.models.anomaly.base import AnomalyMixin
from seqpred.models.anomaly.scorer import SequenceAnomalyScorer

__all__ = ["AnomalyMixin", "SequenceAnomalyScorer"]
