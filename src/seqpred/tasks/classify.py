"""Sequence classification: the public classifiers.

Discrete sequences: :class:`CompressionClassifier` (one PPM per class,
Bayes' rule) and :class:`KmerClassifier` (k-mer / word n-gram counts,
tf-idf, NB log-count ratios, character n-grams + logistic regression).
Numeric series: :class:`MiniRocketClassifier` and :class:`DTWClassifier`
(1-NN DTW). All share :class:`ClassifierMixin`: ``fit(X, y=None)`` (labels
from ``y`` or ``X.labels``), ``classes_``, ``predict``, ``predict_proba``,
``decision_function``, ``score``, and all predict from prefixes.
Accuracy versus prefix length: :func:`seqpred.evaluate.classify.prefix_accuracy_curve`.
Anomaly scoring: :mod:`seqpred.tasks.anomaly`.
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
