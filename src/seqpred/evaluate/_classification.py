"""Classification metrics: accuracy, balanced accuracy, macro F1, confusion, ROC AUC.

Labels may be any values NumPy can sort and compare (ints, strings).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.evaluate._checks import as_float, as_labels, same_length, short_repr
from seqpred.exceptions import DataError

__all__ = [
    "accuracy",
    "balanced_accuracy",
    "classification_report",
    "confusion_matrix",
    "macro_f1",
    "roc_auc",
]


def _pair(y_true: Any, y_pred: Any, who: str) -> tuple[Array, Array]:
    true = as_labels(y_true, "y_true", who)
    pred = as_labels(y_pred, "y_pred", who)
    same_length(true, pred, ("y_true", "y_pred"), who)
    if _family(true) != _family(pred):
        raise DataError(
            f"{who}: y_true and y_pred hold different kinds of labels; expected "
            f"both numbers or both strings; got dtypes {true.dtype} and "
            f"{pred.dtype}. Convert one of them (for example with .astype(str))."
        )
    return true, pred


def _family(arr: Array) -> str:
    """Return ``"number"``, ``"string"`` or ``"object"`` for a label array."""
    kind = arr.dtype.kind
    return "number" if kind in "biuf" else "string" if kind in "US" else "object"


def _codes(values: Array, labels: Array, name: str, who: str) -> Array:
    """Return the position of each value in ``labels``; raise on strangers."""
    sorter = np.argsort(labels, kind="stable")
    pos = np.searchsorted(labels, values, sorter=sorter)
    pos = np.minimum(pos, len(labels) - 1)
    found = labels[sorter[pos]] == values
    if not found.all():
        stranger = values[np.flatnonzero(~found)].tolist()[0]
        raise DataError(
            f"{who}: {name} holds a label missing from labels; expected one of "
            f"{short_repr(labels.tolist())}; got {stranger!r}. Add it to labels "
            "or leave labels=None."
        )
    codes: Array = sorter[pos]
    return codes


def _label_set(true: Array, pred: Array, labels: Any, who: str) -> Array:
    """Return the class labels: ``labels`` checked, or the sorted union."""
    if labels is None:
        return np.unique(np.concatenate([true, pred]))
    arr = as_labels(labels, "labels", who)
    if len(np.unique(arr)) != len(arr):
        raise DataError(
            f"{who}: labels must be unique; got {short_repr(arr.tolist())}. "
            "Drop the repeated labels."
        )
    return arr


def accuracy(y_true: Any, y_pred: Any) -> float:
    """Return the fraction of predictions equal to the true labels.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (N,)
        True and predicted labels.

    Returns
    -------
    float
        In ``[0, 1]``.

    Examples
    --------
    >>> accuracy(["a", "b", "b", "c"], ["a", "b", "c", "c"])
    0.75
    """
    true, pred = _pair(y_true, y_pred, "accuracy")
    return float(np.mean(true == pred))


def confusion_matrix(y_true: Any, y_pred: Any, labels: Any = None) -> Array:
    """Return counts ``C[i, j]`` of samples of class ``i`` predicted as class ``j``.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (N,)
        True and predicted labels.
    labels : array-like, default=None
        The classes, in row/column order; ``None`` uses the sorted union of
        both label arrays. A label outside ``labels`` raises.

    Returns
    -------
    ndarray of int64, shape (C, C)
        Rows are true classes, columns predicted classes.

    Examples
    --------
    >>> confusion_matrix(["a", "b", "b"], ["a", "a", "b"]).tolist()
    [[1, 0], [1, 1]]
    >>> confusion_matrix([1, 0], [1, 1], labels=[1, 0]).tolist()
    [[1, 0], [1, 0]]
    """
    who = "confusion_matrix"
    true, pred = _pair(y_true, y_pred, who)
    classes = _label_set(true, pred, labels, who)
    n = len(classes)
    t = _codes(true, classes, "y_true", who)
    p = _codes(pred, classes, "y_pred", who)
    counts = np.bincount(t * n + p, minlength=n * n)
    matrix: Array = counts.reshape(n, n).astype(np.int64)
    return matrix


def balanced_accuracy(y_true: Any, y_pred: Any) -> float:
    """Return the mean recall over the classes present in ``y_true``.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (N,)
        True and predicted labels.

    Returns
    -------
    float
        In ``[0, 1]``; equals :func:`accuracy` when classes are balanced.

    Examples
    --------
    >>> balanced_accuracy([0, 0, 0, 1], [0, 0, 0, 0])
    0.5
    """
    matrix = confusion_matrix(y_true, y_pred)
    support = matrix.sum(axis=1)
    present = support > 0
    recall = np.diag(matrix)[present] / support[present]
    return float(np.mean(recall))


def macro_f1(y_true: Any, y_pred: Any, labels: Any = None) -> float:
    """Return the unweighted mean of the per-class F1 scores.

    Parameters
    ----------
    y_true, y_pred : array-like, shape (N,)
        True and predicted labels.
    labels : array-like, default=None
        Classes to average over; ``None`` uses every label seen in either
        array. A listed class that never occurs scores 0.

    Returns
    -------
    float
        In ``[0, 1]``.

    Notes
    -----
    Per class, ``F1 = 2 TP / (2 TP + FP + FN)``, which is 0 rather than
    undefined when precision or recall is 0/0.

    Examples
    --------
    >>> macro_f1(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    0.733...
    """
    matrix = confusion_matrix(y_true, y_pred, labels)
    tp = np.diag(matrix).astype(np.float64)
    fp = matrix.sum(axis=0) - tp
    fn = matrix.sum(axis=1) - tp
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return float(np.mean(f1))


def _average_ranks(scores: Array) -> Array:
    """Return 1-based ranks of ``scores`` with ties given their mean rank."""
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ends = np.cumsum(counts)
    mean_rank = ends - (counts - 1) / 2.0
    ranks: Array = mean_rank[inverse.ravel()]
    return ranks


def _binary_auc(positive: Array, scores: Array, who: str, what: str) -> float:
    """Return the Mann-Whitney AUC of ``scores`` for the ``positive`` mask."""
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        raise DataError(
            f"{who}: {what} has only one class; expected both positive and "
            f"negative samples; got {n_pos} positive and {n_neg} negative. "
            "ROC AUC is undefined there: score on data holding both."
        )
    ranks = _average_ranks(scores)
    u = ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0
    return float(u / (n_pos * n_neg))


def _binary_targets(true: Array, who: str) -> Array:
    if true.dtype == bool:
        return true
    ok = np.isin(true, [0, 1]) if true.dtype.kind in "iuf" else np.zeros(1, bool)
    if not ok.all():
        raise DataError(
            f"{who}: binary y_true must hold 0/1 or bools; got "
            f"{short_repr(np.unique(true).tolist())}. Pass y_true == positive_label,"
            " or a (N, C) score matrix for several classes."
        )
    mask: Array = true == 1
    return mask


def roc_auc(y_true: Any, scores: Any, *, labels: Any = None) -> float:
    """Return the area under the ROC curve (rank-based, ties averaged).

    Parameters
    ----------
    y_true : array-like, shape (N,)
        Binary targets (0/1 or bools) when ``scores`` is 1-D; class labels
        when ``scores`` is a ``(N, C)`` matrix.
    scores : array-like of float, shape (N,) or (N, C)
        Scores of the positive class, or one column of scores per class.
    labels : array-like, shape (C,), default=None
        The class of each score column; ``None`` means ``0 .. C-1``.

    Returns
    -------
    float
        AUC in ``[0, 1]``: the probability that a random positive outranks a
        random negative (a tie counts one half). With a score matrix, the
        unweighted mean of the one-vs-rest AUCs.

    Raises
    ------
    DataError
        A class with no positive or no negative sample, NaN scores.

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> roc_auc([0, 1, 2], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.3, 0.3, 0.4]])
    1.0
    """
    who = "roc_auc"
    true = as_labels(y_true, "y_true", who)
    values = as_float(scores, "scores", who, finite=False)  # +-inf still rank
    same_length(true, values, ("y_true", "scores"), who)
    if values.ndim == 1:
        return _binary_auc(_binary_targets(true, who), values, who, "y_true")
    if values.ndim != 2 or values.shape[1] < 2:
        raise DataError(
            f"{who}: scores must have shape (N,) or (N, C) with C >= 2; got "
            f"{values.shape}. Pass 1-D positive-class scores for two classes."
        )
    classes = np.arange(values.shape[1]) if labels is None else np.asarray(labels)
    if classes.shape != (values.shape[1],):
        raise DataError(
            f"{who}: labels must name each of the {values.shape[1]} score columns; "
            f"got {short_repr(classes.tolist())}. Pass one label per column."
        )
    codes = _codes(true, classes, "y_true", who)
    # one vectorised pass per class (C is small), none per sample
    aucs = [
        _binary_auc(codes == c, values[:, c], who, f"y_true == {label!r}")
        for c, label in enumerate(classes.tolist())
    ]
    return float(np.mean(aucs))


def classification_report(truth: Array, predicted: Array) -> dict[str, Any]:
    """Accuracy, balanced accuracy, macro-F1, confusion matrix and per-class scores.

    Examples
    --------
    >>> import numpy as np
    >>> r = classification_report(np.array(["a", "a", "b"]), np.array(["a", "b", "b"]))
    >>> r["accuracy"], r["confusion_matrix"], r["per_class"]["b"]["precision"]
    (0.6667, [[1, 1], [0, 1]], 0.5)
    """
    labels = np.unique(np.concatenate([truth, predicted]))
    matrix = confusion_matrix(truth, predicted, labels=labels)  # rows: truth
    hits = np.diag(matrix).astype(np.float64)
    predicted_count, true_count = matrix.sum(axis=0), matrix.sum(axis=1)
    precision = np.divide(hits, predicted_count, out=np.zeros_like(hits),
                          where=predicted_count > 0)  # fmt: skip
    recall = np.divide(hits, true_count, out=np.zeros_like(hits),
                       where=true_count > 0)  # fmt: skip
    denominator = precision + recall
    f1 = np.divide(2 * precision * recall, denominator, out=np.zeros_like(hits),
                   where=denominator > 0)  # fmt: skip
    classes = [str(c.item() if isinstance(c, np.generic) else c) for c in labels]
    return {
        "accuracy": round(accuracy(truth, predicted), 4),
        "balanced_accuracy": round(balanced_accuracy(truth, predicted), 4),
        "macro_f1": round(macro_f1(truth, predicted), 4),
        "n_sequences": len(truth),
        "classes": classes,
        "confusion_matrix": matrix.astype(int).tolist(),
        "per_class": {
            c: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for c, p, r, f, s in zip(classes, precision, recall, f1, true_count)
        },
    }
