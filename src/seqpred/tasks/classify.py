"""Deprecated: import from :mod:`seqpred.models.classify` (removed in 0.3)."""

from typing import Any

from seqpred._lazy import moved

__getattr__: Any = moved(
    __name__,
    "seqpred.models.classify",
    [
        "ClassifierMixin",
        "CompressionClassifier",
        "DTWClassifier",
        "KmerClassifier",
        "MiniRocketClassifier",
    ],
)
