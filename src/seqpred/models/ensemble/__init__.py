"""Ensembles of sequence models: a weighted vote and an online mixture."""

from seqpred.models.ensemble.blend import Blend
from seqpred.models.ensemble.mixture import OnlineMixture

__all__ = ["Blend", "OnlineMixture"]
