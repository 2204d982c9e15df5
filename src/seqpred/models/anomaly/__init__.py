"""Anomaly scoring of sequences: surprise under a sequence model, forecast residuals."""

from seqpred.models.anomaly.scorer import SequenceAnomalyScorer

__all__ = ["SequenceAnomalyScorer"]
