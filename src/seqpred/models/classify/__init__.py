"""Sequence classification: the class of a sequence, from all of it or a prefix.

Discrete sequences: :class:`CompressionClassifier` (one PPM per class,
Bayes' rule) and :class:`KmerClassifier` (k-mer / word n-gram counts,
tf-idf, NB log-count ratios, character n-grams + logistic regression).
Numeric series: :class:`MiniRocketClassifier` and :class:`DTWClassifier`
(1-NN DTW). Either kind: :class:`NeuralSequenceClassifier` (torch, imported
on first use) and :class:`AutoClassifier` (``seqpred.create("auto",
task="classify")``: the model and its settings chosen by cross-validation in
``fit``). All share :class:`ClassifierMixin` (:mod:`.base`):
``fit(X, y=None)`` (labels from ``y`` or ``X.labels``), ``classes_``,
``predict``, ``predict_proba``, ``decision_function``, ``score``, and all
predict from prefixes. Accuracy versus prefix length:
:func:`seqpred.evaluate.classify.prefix_accuracy_curve`. Anomaly scoring:
:mod:`seqpred.models.anomaly`.

Examples
--------
>>> from seqpred.models.classify import KmerClassifier
>>> X = ["aaab", "aaba", "abaa", "bbba", "bbab", "babb"]
>>> y = ["a", "a", "a", "b", "b", "b"]
>>> KmerClassifier(max_k=2).fit(X, y).predict(["aaaa", "bbbb"]).tolist()
['a', 'b']
"""

from typing import Any

from seqpred._lazy import lazy
from seqpred.models.classify.auto import AutoClassifier
from seqpred.models.classify.base import ClassifierMixin
from seqpred.models.classify.compression import CompressionClassifier
from seqpred.models.classify.dtw import DTWClassifier
from seqpred.models.classify.kmer import KmerClassifier
from seqpred.models.classify.minirocket import MiniRocketClassifier

__all__ = [
    "AutoClassifier",
    "ClassifierMixin",
    "CompressionClassifier",
    "DTWClassifier",
    "KmerClassifier",
    "MiniRocketClassifier",
    "NeuralSequenceClassifier",  # noqa: F822  (lazy: torch)
]

__getattr__: Any = lazy(
    {
        "NeuralSequenceClassifier": (
            "seqpred.models.classify.neural:NeuralSequenceClassifier"
        )
    },
    owner=__name__,
)
