"""The classification contract, written once for every sequence classifier.

A classifier implements two private methods on encoded data and inherits
``fit``, ``predict``, ``predict_proba``, ``decision_function`` and ``score``:

``_fit(ss, y)``
    learn from a :class:`~seqpred.data.SequenceSet` and class indices
    ``y`` (``0 .. C-1``, indexing ``classes_``);
``_decision(ss)``
    return ``(N, C)`` scores; ``predict_proba`` is their row softmax (so a
    probabilistic model returns log-probabilities up to a per-row constant).

A model whose probabilities are not a softmax of its scores (1-NN) overrides
``_proba``. Labels come from ``y`` or, when ``y`` is None, from the
``labels`` of a :class:`~seqpred.data.SequenceSet`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import numpy as np

from seqpred._typing import Array
from seqpred.base import BaseEstimator, check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError
from seqpred.models.classify._linear import softmax

__all__ = ["ClassifierMixin", "check_labels"]


def check_labels(ss: SequenceSet, y: Any, owner: str) -> Array:
    """Return one label per sequence, from ``y`` or else ``ss.labels``.

    Raises
    ------
    DataError
        If there are no labels, their count differs from the number of
        sequences, or they cannot be sorted (mixed types, ``None``).
    """
    labels = ss.labels if y is None else y
    if labels is None:
        raise DataError(
            f"{owner}: no class labels; pass y (one label per sequence) or a "
            "SequenceSet with labels, e.g. read_lines(path, labels='first')."
        )
    arr = np.asarray(labels)
    if arr.ndim != 1 or len(arr) != len(ss):
        raise DataError(
            f"{owner}: expected {len(ss)} labels, one per sequence; got shape "
            f"{arr.shape}. Pass a flat list of labels as long as X."
        )
    if arr.dtype == object:
        try:
            arr = np.asarray(arr.tolist())
        except (TypeError, ValueError):
            pass
    if arr.dtype == object or arr.dtype.kind not in "iufUSb":
        raise DataError(
            f"{owner}: labels must all be strings or all be numbers; got "
            f"{sorted({type(v).__name__ for v in arr.tolist()})}. Convert them "
            "with [str(label) for label in y]."
        )
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise DataError(f"{owner}: labels contain NaN or infinity.")
    return arr


class ClassifierMixin(BaseEstimator):
    """Public API of sequence classifiers (see the module docstring)."""

    _task = "classify"
    _one_kind: ClassVar[bool] = True
    """Whether the model reads only its tags' input kind (symbols or numbers)."""

    classes_: Array
    class_counts_: Array
    vocabulary_: Vocabulary
    n_features_: int

    # -- to implement
    def _fit(self, ss: SequenceSet, y: Array) -> None:
        raise NotImplementedError

    def _decision(self, ss: SequenceSet) -> Array:
        raise NotImplementedError

    def _proba(self, ss: SequenceSet) -> Array:
        out: Array = softmax(self._decision(ss))
        return out

    # -- fitting
    def fit(self, X: Any, y: Any = None) -> ClassifierMixin:
        """Learn from labelled training sequences; return ``self``.

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or list of arrays
            Training sequences (symbols or numbers, per the model's tags).
        y : array-like of shape (N,), default=None
            One class label per sequence; ``None`` takes ``X.labels``.

        Returns
        -------
        self
        """
        self._validate_params()
        owner = type(self).__name__
        kind: Literal["discrete", "numeric"] = (
            "numeric" if self.get_tags().input_kind == "numeric" else "discrete"
        )
        ss = as_sequence_set(
            X, kind=kind, unknown="add", owner=owner, strict_kind=self._one_kind
        )
        labels = check_labels(ss, y, owner)
        classes, y_idx = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise DataError(
                f"{owner}: needs at least 2 classes; got only {classes.tolist()!r}. "
                "Check the labels (a one-class problem is anomaly detection)."
            )
        if ss.n_steps == 0:
            raise DataError(
                f"{owner}: all training sequences are empty; pass sequences with "
                "at least one step."
            )
        self._reset()
        if kind == "discrete":
            self.vocabulary_ = (ss.vocabulary or Vocabulary()).copy().freeze()
            ss = as_sequence_set(ss, vocabulary=self.vocabulary_, owner=owner)
        else:
            self.n_features_ = ss.n_features
        self.classes_ = classes
        self.class_counts_ = np.bincount(y_idx, minlength=len(classes))
        self.n_sequences_ = len(ss)
        self._fit(ss, y_idx.astype(np.int64))
        self._mark_fitted()
        return self

    # -- prediction
    def _queries(self, X: Any, method: str) -> SequenceSet:
        check_is_fitted(self, method)
        owner = type(self).__name__
        if self.get_tags().input_kind == "discrete":
            return as_sequence_set(
                X,
                vocabulary=self.vocabulary_,
                unknown="unk",
                kind="discrete",
                owner=owner,
                allow_empty_input=True,
                strict_kind=self._one_kind,
            )
        ss = as_sequence_set(X, kind="numeric", owner=owner, allow_empty_input=True)
        if len(ss) and ss.n_features != self.n_features_:
            raise DataError(
                f"{owner}: the model was fitted on {self.n_features_} channel(s); "
                f"got {ss.n_features}. Pass series with the training channels."
            )
        return ss

    def decision_function(self, X: Any) -> Array:
        """Return ``(N, C)`` class scores, columns in ``classes_`` order."""
        ss = self._queries(X, "decision_function")
        if len(ss) == 0:
            return np.empty((0, len(self.classes_)))
        scores: Array = np.asarray(self._decision(ss), dtype=np.float64)
        return scores

    def predict_proba(self, X: Any) -> Array:
        """Return ``(N, C)`` class probabilities in ``classes_`` order; rows sum to 1.

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or list of arrays
            Whole sequences or prefixes.

        Returns
        -------
        ndarray of shape (N, C)
        """
        ss = self._queries(X, "predict_proba")
        if len(ss) == 0:
            return np.empty((0, len(self.classes_)))
        proba: Array = np.asarray(self._proba(ss), dtype=np.float64)
        out: Array = proba / proba.sum(axis=1, keepdims=True)
        return out

    def predict(self, X: Any) -> Array:
        """Return the most probable class of each sequence (an array of labels)."""
        ss = self._queries(X, "predict")
        if len(ss) == 0:
            empty: Array = self.classes_[:0].copy()
            return empty
        out: Array = self.classes_[np.argmax(self._proba(ss), axis=1)]
        return out

    def score(self, X: Any, y: Any = None) -> float:
        """Return the accuracy on ``X`` (labels from ``y`` or ``X.labels``)."""
        ss = self._queries(X, "score")
        labels = check_labels(ss, y, type(self).__name__)
        if len(ss) == 0:
            raise DataError(f"{type(self).__name__}.score: got no sequences.")
        return float(np.mean(self.predict(ss) == labels))
