"""Markov-family models: k-order Markov (and later PPM, AKOM, LZ78, DG, TDAG)."""

from seqpred.models.markov.markov import MarkovPredictor
from seqpred.models.markov.ppm import PPM

__all__ = ["PPM", "MarkovPredictor"]
