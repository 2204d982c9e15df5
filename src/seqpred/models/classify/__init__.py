"""Sequence classifiers: compression (PPM per class), k-mers, MiniRocket, 1-NN DTW."""

from seqpred.models.classify._mixin import ClassifierMixin
from seqpred.models.classify.compression import CompressionClassifier
from seqpred.models.classify.dtw import DTWClassifier
from seqpred.models.classify.kmer import KmerClassifier
from seqpred.models.classify.minirocket import MiniRocketClassifier

__all__ = [
    "ClassifierMixin",
    "CompressionClassifier",
    "DTWClassifier",
    "KmerClassifier",
    "MiniRocketClassifier",
]
