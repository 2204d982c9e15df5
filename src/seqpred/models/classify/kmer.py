"""KmerClassifier: k-mer (n-gram) counts, optional tf-idf, multinomial logistic."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import ConvergenceWarning, InvalidParameterError
from seqpred.models.classify._linear import CSR, fit_logistic
from seqpred.models.classify._mixin import ClassifierMixin

__all__ = ["KmerClassifier", "kmer_keys"]

Array = np.ndarray[Any, Any]

_PRIME = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio multiplier (Fibonacci hashing)


def _mix(key: Array, value: Array) -> Array:
    """Fold ``value`` into the 64-bit ``key`` (wrapping multiply, xor-shift)."""
    with np.errstate(over="ignore"):
        key = (key ^ value.astype(np.uint64)) * _PRIME
        out: Array = key ^ (key >> np.uint64(29))
        return out


def kmer_keys(
    ss: SequenceSet, min_k: int, max_k: int, n_position_bins: int
) -> tuple[Array, Array]:
    """Return ``(rows, keys)``: the sequence and 64-bit key of every k-mer occurrence.

    A key hashes ``k``, the symbols and (with ``n_position_bins > 1``) the
    bin of the k-mer's start, ``floor(start · bins / length)``.
    """
    values, lengths = ss.values, ss.lengths
    seq_of, pos = ss.sequence_index, ss.positions
    rows, keys = [], []
    for k in range(min_k, max_k + 1):
        starts = np.flatnonzero(pos + k <= lengths[seq_of])  # windows inside a sequence
        key = np.full(len(starts), np.uint64(k))
        for j in range(k):
            key = _mix(key, values[starts + j])
        if n_position_bins > 1:
            bins = pos[starts] * n_position_bins // lengths[seq_of[starts]]
            key = _mix(key, bins + np.int64(1 << 40))
        rows.append(seq_of[starts])
        keys.append(key)
    return np.concatenate(rows), np.concatenate(keys)


class KmerClassifier(ClassifierMixin):
    """Classify symbol sequences from their k-mer counts with a linear model.

    Every run of ``k`` consecutive symbols, for ``min_k <= k <= max_k``, is a
    feature (an n-gram for words, a k-mer for DNA). Counts are optionally
    reweighted by tf-idf, each row is scaled to unit L2 norm, and a
    multinomial logistic regression (L2 penalty, L-BFGS) is fitted.

    Parameters
    ----------
    min_k : int, default=1
        Shortest k-mer.
    max_k : int, default=3
        Longest k-mer.
    n_features : int or None, default=None
        ``None`` keeps one feature per k-mer seen in training (others are
        ignored at prediction); an int hashes k-mers into that many buckets
        (the hashing trick: fixed memory for huge vocabularies).
    tfidf : bool, default=True
        Weight counts by smoothed inverse document frequency,
        ``log((1 + N) / (1 + df)) + 1``.
    n_position_bins : int, default=1
        Split each sequence into this many equal segments and count k-mers
        per segment (``1``: a bag of k-mers; ``length``: positional k-mers,
        for aligned windows such as splice junctions).
    alpha : float, default=1e-4
        L2 penalty per training example (``1 / (C · N)`` in scikit-learn's
        ``C``).
    max_iter : int, default=300
        L-BFGS iterations.

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        Sorted class labels.
    vocabulary_ : Vocabulary
        The training symbols.
    feature_keys_ : ndarray of uint64
        Sorted k-mer keys (exact mode; empty when hashing).
    idf_ : ndarray of shape (D,)
        Inverse document frequencies (ones without tf-idf).
    coef_ : ndarray of shape (D, C)
        Weights.
    intercept_ : ndarray of shape (C,)
        Biases.

    Notes
    -----
    Features are stored sparse (a small CSR in NumPy), so cost is linear in
    the number of k-mer occurrences per L-BFGS step. Because rows are
    normalised, a prefix's features are an average of what it has seen so
    far, and its prediction is meaningful at any length; the empty sequence
    gets the intercept alone.

    References
    ----------
    .. [1] K. Weinberger et al., "Feature hashing for large scale multitask
       learning", ICML 2009.
    .. [2] S. Wang, C. Manning, "Baselines and bigrams: simple, good
       sentiment and topic classification", ACL 2012.

    Examples
    --------
    >>> X = ["aacgtt", "cgtacg", "ttaacc", "ggtaca"] * 3
    >>> y = ["cg", "cg", "ta", "ta"] * 3
    >>> model = KmerClassifier(max_k=2).fit(X, y)
    >>> model.predict(["acgt", "ttaa"]).tolist()
    ['cg', 'ta']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "min_k": [Interval(int, 1, None)],
        "max_k": [Interval(int, 1, None)],
        "n_features": [None, Interval(int, 1, None)],
        "tfidf": [bool],
        "n_position_bins": [Interval(int, 1, None)],
        "alpha": [Interval(float, 0, None, closed="right")],
        "max_iter": [Interval(int, 1, None)],
    }
    _tags: ClassVar[Tags] = Tags(task="classify")

    def __init__(
        self,
        min_k: int = 1,
        *,
        max_k: int = 3,
        n_features: int | None = None,
        tfidf: bool = True,
        n_position_bins: int = 1,
        alpha: float = 1e-4,
        max_iter: int = 300,
    ) -> None:
        self.min_k = min_k
        self.max_k = max_k
        self.n_features = n_features
        self.tfidf = tfidf
        self.n_position_bins = n_position_bins
        self.alpha = alpha
        self.max_iter = max_iter

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"max_k": 2}, {"max_k": 2, "n_features": 64, "tfidf": False}]

    def _columns(self, keys: Array) -> tuple[Array, Array]:
        """Map keys to feature columns; return ``(columns, known mask)``."""
        if self.n_features is not None:
            cols = (keys % np.uint64(self.n_features)).astype(np.int64)
            return cols, np.ones(len(keys), dtype=bool)
        table = self.feature_keys_
        cols = np.searchsorted(table, keys)
        cols = np.minimum(cols, max(len(table) - 1, 0))
        known = table[cols] == keys if len(table) else np.zeros(len(keys), bool)
        return cols.astype(np.int64), known

    def _counts(self, ss: SequenceSet) -> CSR:
        rows, keys = kmer_keys(ss, self.min_k, self.max_k, self.n_position_bins)
        cols, known = self._columns(keys)
        rows, cols = rows[known], cols[known]
        n_cols = len(self.idf_) if hasattr(self, "idf_") else self._n_columns()
        cell, counts = np.unique(rows * n_cols + cols, return_counts=True)
        row_of = cell // n_cols
        indptr = np.searchsorted(row_of, np.arange(len(ss) + 1))
        return CSR(indptr, cell % n_cols, counts.astype(np.float64), n_cols)

    def _n_columns(self) -> int:
        return self.n_features or len(self.feature_keys_)

    def _weigh(self, X: CSR) -> CSR:
        data = X.data * self.idf_[X.indices]
        rows = X.rows()
        norms = np.sqrt(np.bincount(rows, weights=data**2, minlength=X.shape[0]))
        return CSR(X.indptr, X.indices, data / norms[rows], X.n_cols)

    def _fit(self, ss: SequenceSet, y: Array) -> None:
        if self.max_k < self.min_k:
            raise InvalidParameterError(
                f"KmerClassifier: max_k must be >= min_k ({self.min_k}); got "
                f"{self.max_k}. Use max_k={self.min_k}."
            )
        if self.n_features is None:
            _, keys = kmer_keys(ss, self.min_k, self.max_k, self.n_position_bins)
            self.feature_keys_ = np.unique(keys)
        else:
            self.feature_keys_ = np.zeros(0, dtype=np.uint64)
        X = self._counts(ss)
        self.idf_ = np.ones(X.n_cols)
        if self.tfidf:
            df = np.bincount(X.indices, minlength=X.n_cols)
            self.idf_ = np.log((1 + len(ss)) / (1 + df)) + 1.0
        W, b, converged = fit_logistic(
            self._weigh(X), y, len(self.classes_), c=self.alpha, max_iter=self.max_iter
        )
        if not converged:
            warnings.warn(
                f"KmerClassifier: L-BFGS did not converge in {self.max_iter} "
                "iterations; raise max_iter or alpha.",
                ConvergenceWarning,
                stacklevel=3,
            )
        self.coef_, self.intercept_ = W, b

    def _decision(self, ss: SequenceSet) -> Array:
        out: Array = self._weigh(self._counts(ss)).dot(self.coef_) + self.intercept_
        return out
