"""Compact prediction trees: CPT and CPT+ (and the prediction tree they can build)."""

from seqpred.models.tree._index import PredictionTree
from seqpred.models.tree.cpt import CPT
from seqpred.models.tree.cpt_plus import CPTPlus

__all__ = ["CPT", "CPTPlus", "PredictionTree"]
