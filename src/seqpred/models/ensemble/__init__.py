"""Ensembles of next-item models."""

from seqpred.models.ensemble.blend import Blend

__all__ = ["Blend"]
