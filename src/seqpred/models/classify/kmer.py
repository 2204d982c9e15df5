"""KmerClassifier: k-mer (n-gram) counts, optional tf-idf, multinomial logistic."""

from __future__ import annotations

import warnings
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.base import Tags, check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import ConvergenceWarning, InvalidParameterError
from seqpred.models.classify._kmer_features import char_keys, kmer_keys
from seqpred.models.classify._kmer_statistics import KmerStatistics
from seqpred.models.classify._linear import CSR, fit_logistic
from seqpred.models.classify.base import ClassifierMixin

__all__ = ["KmerClassifier", "kmer_keys"]


class KmerClassifier(KmerStatistics, ClassifierMixin):
    """Classify symbol sequences from their k-mer counts with a linear model.

    Every run of ``k`` consecutive symbols, for ``min_k <= k <= max_k``, is a
    feature (an n-gram for words, a k-mer for DNA); optionally so is every
    character n-gram inside a token. Counts are optionally damped
    (``1 + log tf``) and reweighted by tf-idf and by naive-Bayes log-count
    ratios, each row is scaled to unit L2 norm, and a multinomial logistic
    regression (L2 penalty, L-BFGS) is fitted.

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
    boundaries : bool, default=False
        Add a start and an end mark to every sequence, so k-mers at the
        edges are features of their own (``<s> how many`` for questions).
    sublinear_tf : bool, default=False
        Replace a count ``tf`` by ``1 + log(tf)``.
    nb_scaling : bool, default=False
        Scale each feature by its naive-Bayes log-count ratio ``|r|``, with
        ``r = log(p / |p|₁) - log(q / |q|₁)`` over smoothed (+1) document
        counts in one class (``p``) and the others (``q``); with more than two
        classes, the largest ``|r|`` over the one-versus-rest splits. This is
        NBSVM's feature scaling with a logistic model (NB-LR).
    char_ngrams : (int, int) or None, default=None
        Also count the character n-grams of ``low .. high`` characters
        inside each token (wrapped in word-boundary marks), as in fastText;
        for word sequences, unseen words then still share features.

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
    nb_scale_ : ndarray of shape (D,)
        Naive-Bayes feature scales (ones without ``nb_scaling``).
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
    gets the intercept alone. The k-mer counts are mergeable statistics
    (:mod:`seqpred.models.mergeable`): chunks counted apart (processes,
    Spark) are assembled into the matrix ``fit`` builds, and the weighting
    and logistic fit then run once, in one process.

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
        "boundaries": [bool],
        "sublinear_tf": [bool],
        "nb_scaling": [bool],
        "char_ngrams": [None, tuple, list],
    }
    _tags: ClassVar[Tags] = Tags()

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
        boundaries: bool = False,
        sublinear_tf: bool = False,
        nb_scaling: bool = False,
        char_ngrams: tuple[int, int] | None = None,
    ) -> None:
        self.min_k = min_k
        self.max_k = max_k
        self.n_features = n_features
        self.tfidf = tfidf
        self.n_position_bins = n_position_bins
        self.alpha = alpha
        self.max_iter = max_iter
        self.boundaries = boundaries
        self.sublinear_tf = sublinear_tf
        self.nb_scaling = nb_scaling
        self.char_ngrams = char_ngrams

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"max_k": 2},
            {"max_k": 2, "n_features": 64, "tfidf": False},
            {"max_k": 2, "boundaries": True, "sublinear_tf": True,
             "nb_scaling": True, "char_ngrams": (1, 2)},
        ]  # fmt: skip

    def _queries(self, X: Any, method: str) -> SequenceSet:
        if self.char_ngrams is None:
            return super()._queries(X, method)
        check_is_fitted(self, method)  # keep unseen tokens: their characters count
        return as_sequence_set(
            X, vocabulary=self.vocabulary_.copy(), unknown="add", kind="discrete",
            owner=type(self).__name__, allow_empty_input=True,
        )  # fmt: skip

    def _keys(self, ss: SequenceSet) -> tuple[Array, Array]:
        rows, keys = kmer_keys(
            ss, self.min_k, self.max_k, self.n_position_bins,
            boundaries=self.boundaries,
        )  # fmt: skip
        if self.char_ngrams is None:
            return rows, keys
        char_rows, char_key = char_keys(ss, *self.char_ngrams)
        return np.concatenate([rows, char_rows]), np.concatenate([keys, char_key])

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
        rows, keys = self._keys(ss)
        cols, known = self._columns(keys)
        rows, cols = rows[known], cols[known]
        n_cols = len(self.idf_) if hasattr(self, "idf_") else self._n_columns()
        cell, counts = np.unique(rows * n_cols + cols, return_counts=True)
        row_of = cell // n_cols
        indptr = np.searchsorted(row_of, np.arange(len(ss) + 1))
        data = counts.astype(np.float64)
        if self.sublinear_tf:
            data = 1.0 + np.log(data)
        return CSR(indptr, cell % n_cols, data, n_cols)

    def _n_columns(self) -> int:
        return self.n_features or len(self.feature_keys_)

    def _weigh(self, X: CSR) -> CSR:
        data = X.data * (self.idf_ * self.nb_scale_)[X.indices]
        rows = X.rows()
        norms = np.sqrt(np.bincount(rows, weights=data**2, minlength=X.shape[0]))
        norms[norms == 0] = 1.0  # a row whose k-mers all weigh 0 stays all zeros
        return CSR(X.indptr, X.indices, data / norms[rows], X.n_cols)

    def _fit(self, ss: SequenceSet, y: Array) -> None:
        self._check_ranges()
        if self.n_features is None:
            _, keys = self._keys(ss)
            self.feature_keys_ = np.unique(keys)
        else:
            self.feature_keys_ = np.zeros(0, dtype=np.uint64)
        self._fit_counts(self._counts(ss), y, len(ss), stacklevel=4)

    def _fit_counts(self, X: CSR, y: Array, n_sequences: int, stacklevel: int) -> None:
        """Weigh the ``(N, D)`` k-mer counts ``X`` and fit the logistic model.

        The part of ``fit`` after counting, shared with ``from_statistics``.
        """
        self.idf_ = np.ones(X.n_cols)
        if self.tfidf:
            df = np.bincount(X.indices, minlength=X.n_cols)
            self.idf_ = np.log((1 + n_sequences) / (1 + df)) + 1.0
        self.nb_scale_ = np.ones(X.n_cols)
        if self.nb_scaling:
            self.nb_scale_ = _log_count_ratios(X, y, len(self.classes_))
        W, b, converged = fit_logistic(
            self._weigh(X), y, len(self.classes_), c=self.alpha, max_iter=self.max_iter
        )
        if not converged:
            warnings.warn(
                f"KmerClassifier: L-BFGS did not converge in {self.max_iter} "
                "iterations; raise max_iter or alpha.",
                ConvergenceWarning,
                stacklevel=stacklevel,
            )
        self.coef_, self.intercept_ = W, b

    def _check_ranges(self) -> None:
        if self.max_k < self.min_k:
            raise InvalidParameterError(
                f"KmerClassifier: max_k must be >= min_k ({self.min_k}); got "
                f"{self.max_k}. Use max_k={self.min_k}."
            )
        pair = self.char_ngrams
        if pair is not None and not (
            len(pair) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
            and 1 <= pair[0] <= pair[1]
        ):
            raise InvalidParameterError(
                "KmerClassifier: char_ngrams must be None or a pair (low, high) of "
                f"ints with 1 <= low <= high; got {pair!r}. Use char_ngrams=(2, 5)."
            )

    def _decision(self, ss: SequenceSet) -> Array:
        out: Array = self._weigh(self._counts(ss)).dot(self.coef_) + self.intercept_
        return out


def _log_count_ratios(X: CSR, y: Array, n_classes: int) -> Array:
    """Per feature, the largest one-versus-rest ``|log-count ratio|`` (NBSVM)."""
    present = np.zeros((n_classes, X.n_cols))  # documents of each class with it
    np.add.at(present, (y[X.rows()], X.indices), 1.0)
    totals = present.sum(axis=0)
    scale = np.zeros(X.n_cols)
    for c in range(n_classes if n_classes > 2 else 1):
        p = present[c] + 1.0
        q = totals - present[c] + 1.0
        ratio = np.log(p / p.sum()) - np.log(q / q.sum())
        scale = np.maximum(scale, np.abs(ratio))
    return scale
