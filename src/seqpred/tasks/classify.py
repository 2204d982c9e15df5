"""Sequence classification: the public classifiers and the prefix-accuracy curve.

Discrete sequences: :class:`CompressionClassifier` (one PPM per class,
Bayes' rule) and :class:`KmerClassifier` (k-mer counts + logistic
regression). Numeric series: :class:`MiniRocketClassifier` and
:class:`DTWClassifier` (1-NN DTW). All share :class:`ClassifierMixin`:
``fit(X, y=None)`` (labels from ``y`` or ``X.labels``), ``classes_``,
``predict``, ``predict_proba``, ``decision_function``, ``score``.
"""

from seqpred.models.classify import (
    ClassifierMixin,
    CompressionClassifier,
    DTWClassifier,
    KmerClassifier,
    MiniRocketClassifier,
)

__all__ = [
    "ClassifierMixin",
    "CompressionClassifier",
    "DTWClassifier",
    "KmerClassifier",
    "MiniRocketClassifier",
]
