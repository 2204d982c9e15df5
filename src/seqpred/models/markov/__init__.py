"""Markov-family models: k-order Markov, PPM, AKOM, DG, LZ78 and TDAG."""

from seqpred.models.markov.akom import AKOM
from seqpred.models.markov.dg import DG
from seqpred.models.markov.lz78 import LZ78
from seqpred.models.markov.markov import MarkovPredictor
from seqpred.models.markov.ppm import PPM
from seqpred.models.markov.tdag import TDAG

__all__ = ["AKOM", "DG", "LZ78", "PPM", "TDAG", "MarkovPredictor"]
