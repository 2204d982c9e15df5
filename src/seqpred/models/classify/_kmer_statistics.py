"""Mergeable statistics of the k-mer classifier (see :mod:`seqpred.models.mergeable`).

A chunk's statistics are its document-by-k-mer counts, kept by 64-bit k-mer
*key* (not by column, which depends on every chunk's k-mers), with each
document's label and sort key. The merge concatenates them; after it, the
documents are put in key order, the feature table is the set of keys, and
the tf-idf weights, naive-Bayes scales and the logistic regression are
computed once on the assembled matrix: the rows, columns and counts are
those ``fit`` builds, so the fitted weights are identical. The logistic fit
needs every document's row, so the merged statistics grow with the data
(as sparse counts, not text).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError
from seqpred.models.classify._linear import CSR
from seqpred.models.classify.base import check_labels
from seqpred.models.mergeable import MergeableMixin, merge_keyed, ordered_blocks

__all__ = ["KmerStatistics"]


class KmerStatistics(MergeableMixin):
    """``statistics`` / ``from_statistics`` of :class:`KmerClassifier`."""

    _counting_params: ClassVar[tuple[str, ...]] = (
        "min_k",
        "max_k",
        "n_features",
        "n_position_bins",
        "boundaries",
        "char_ngrams",
    )

    def _count(self, ss: SequenceSet, y: Any, keys: Array) -> dict[str, Any]:
        model: Any = self
        model._check_ranges()
        labels = check_labels(ss, y, type(self).__name__)
        rows, kmers = model._keys(ss)
        order = np.lexsort((kmers, rows))
        rows, kmers = rows[order], kmers[order]
        new = np.ones(len(rows), dtype=bool)
        new[1:] = (rows[1:] != rows[:-1]) | (kmers[1:] != kmers[:-1])
        starts = np.flatnonzero(new)
        counts = np.diff(np.append(starts, len(rows)))
        cells = (rows[starts].astype(np.int64), kmers[starts], counts.astype(np.int64))
        return {
            "n_sequences": len(ss),
            "n_steps": ss.n_steps,
            "keys": [keys],
            "blocks": [(labels, *cells)],
        }

    @classmethod
    def _merge_counts(cls, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        return {
            "n_sequences": a["n_sequences"] + b["n_sequences"],
            "n_steps": a["n_steps"] + b["n_steps"],
            **merge_keyed(a, b),
        }

    def _restore(
        self, counts: dict[str, Any], vocabulary: Vocabulary | None, stacklevel: int
    ) -> None:
        model: Any = self
        owner = type(self).__name__
        order, blocks = ordered_blocks(counts, owner)
        n = len(order)
        rank = np.empty(n, dtype=np.int64)
        rank[order] = np.arange(n, dtype=np.int64)
        starts = np.cumsum([0] + [len(block[0]) for block in blocks])
        labels = np.concatenate([block[0] for block in blocks])[order]
        rows = np.concatenate(
            [rank[start + block[1]] for start, block in zip(starts, blocks)]
        )
        kmers = np.concatenate([block[2] for block in blocks])
        cell_counts = np.concatenate([block[3] for block in blocks])
        classes, y = np.unique(labels, return_inverse=True)
        if len(classes) < 2:
            raise DataError(
                f"{owner}: needs at least 2 classes; got only {classes.tolist()!r}. "
                "Check the labels (a one-class problem is anomaly detection)."
            )
        if counts["n_steps"] == 0:
            raise DataError(
                f"{owner}: all training sequences are empty; pass sequences with "
                "at least one step."
            )
        model.vocabulary_ = (vocabulary or Vocabulary()).copy().freeze()
        model.classes_ = classes
        model.class_counts_ = np.bincount(y, minlength=len(classes))
        model.n_sequences_ = n
        model._check_ranges()
        model.feature_keys_ = (
            np.unique(kmers) if model.n_features is None else np.zeros(0, np.uint64)
        )
        X = _matrix(model, rows, kmers, cell_counts, n)
        model._fit_counts(X, y.astype(np.int64), n, stacklevel + 1)


def _matrix(model: Any, rows: Array, kmers: Array, counts: Array, n: int) -> CSR:
    """Return fit's ``(n, D)`` count matrix from ``(document, key, count)`` cells."""
    cols, _ = model._columns(kmers)  # every key is in the table built from them
    n_cols = model._n_columns()
    cell, inverse = np.unique(rows * n_cols + cols, return_inverse=True)
    summed = np.bincount(inverse.reshape(-1), weights=counts, minlength=len(cell))
    data = 1.0 + np.log(summed) if model.sublinear_tf else summed
    indptr = np.searchsorted(cell // n_cols, np.arange(n + 1))
    return CSR(indptr, cell % n_cols, data, n_cols)
