"""The next-item contract: the public prediction methods, written once.

A next-item model implements three private methods on encoded data and
inherits ``predict``, ``predict_top_k``, ``predict_proba`` and ``score``:

``_fit(ss)``
    learn from a :class:`~seqpred.data.SequenceSet` of training sequences;
``_top_k_ids(queries, k)``
    return ``(ids, scores)``, two ``(N, k)`` arrays sorted by decreasing
    score, with id ``-1`` (score 0) where the model has fewer than ``k``
    candidates (a row of ``-1`` is a *no match*);
``_proba(queries)``
    return ``(N, vocabulary_.size)`` probabilities over all ids.

It may also implement ``_top_k_one(query, k)``, the one-query path: the
``(ids, scores)`` of shape ``(k,)`` for one encoded query (an ``int64`` id
array), equal to row 0 of ``_top_k_ids``, never a reserved id, and cheap
enough that a single query costs about what it costs inside a batch.
:meth:`NextItemMixin.predict_top_k_encoded` (ids in, ids out, no
re-validation) and one-query calls of the public methods use it.

Several steps ahead (``predict_next``, ``predict_within`` and their ``_ids``
forms) come from :class:`~seqpred.models.next_item._multistep.MultiStepMixin`,
built on ``_proba``; a model whose ``_proba`` is not its next-step
distribution (a neural model with ``horizon > 1``) also implements
``_next_step_proba(queries)``.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import numpy as np

from seqpred._typing import Array
from seqpred.base import BaseEstimator, check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.next_item._multistep import MultiStepMixin

__all__ = ["NextItemMixin"]


class NextItemMixin(MultiStepMixin, BaseEstimator):
    """Public API of next-item predictors (see the module docstring)."""

    _task = "next-item"

    vocabulary_: Vocabulary
    item_counts_: Array

    # -- to implement
    def _fit(self, ss: SequenceSet) -> None:
        raise NotImplementedError

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        raise NotImplementedError

    def _proba(self, queries: SequenceSet) -> Array:
        raise NotImplementedError

    _top_k_one: Any = None  # optional: see the module docstring

    # -- fitting
    def fit(self, X: Any, y: None = None) -> NextItemMixin:
        """Learn from training sequences; return ``self``.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            Training sequences of symbols. The counting models (Markov
            family, CPT, CPT+, ensembles) read the item of each step only:
            the fields of events (``SequenceSet.fields`` and ``static``) are
            ignored. To predict another field, or a **joint key** of several,
            fit on ``ss.with_key("action")`` or ``ss.with_key("item",
            "action")``; the neural models read the fields themselves
            (``use_fields``, ``target``).
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self
        """
        self._validate_params()
        owner = type(self).__name__
        ss = as_sequence_set(X, kind="discrete", unknown="add", owner=owner)
        if ss.n_steps == 0:
            raise DataError(
                f"{owner}: all training sequences are empty; pass sequences with "
                "at least one item."
            )
        self._reset()
        self.vocabulary_ = (ss.vocabulary or Vocabulary()).copy().freeze()
        ss = as_sequence_set(ss, vocabulary=self.vocabulary_, owner=owner)
        self.item_counts_ = np.bincount(ss.values, minlength=self.vocabulary_.size)
        self.n_sequences_ = len(ss)
        self._check_fallback()
        self._fit(ss)
        self._mark_fitted()
        return self

    def _check_fallback(self) -> None:
        fallback = getattr(self, "fallback", None)
        if fallback is None or fallback == "most_frequent":
            return
        if fallback not in self.vocabulary_:
            raise InvalidParameterError(
                f"{type(self).__name__}: fallback={fallback!r} is not a symbol of "
                "the training data; use fallback='most_frequent', None, or a "
                "symbol that occurs in the data."
            )

    def _fallback_id(self) -> int:
        fallback = getattr(self, "fallback", None)
        if fallback is None:
            return -1
        if fallback == "most_frequent":
            return int(np.argmax(self.item_counts_))
        return self.vocabulary_.index(fallback)

    # -- prediction
    def _queries(self, X: Any, method: str) -> SequenceSet:
        check_is_fitted(self, method)
        strict = getattr(self, "on_unknown", "ignore") == "error"
        unknown: Literal["error", "unk"] = "error" if strict else "unk"
        return as_sequence_set(
            X,
            vocabulary=self.vocabulary_,
            unknown=unknown,
            kind="discrete",
            owner=type(self).__name__,
            allow_empty_input=True,
        )

    def predict_top_k_ids(self, X: Any, k: int = 5) -> tuple[Array, Array]:
        """Return ``(ids, scores)`` arrays of shape ``(N, k)``; ``-1`` marks no item.

        The fast path for evaluation: no decoding. Ids index
        ``vocabulary_`` (decode with ``vocabulary_.decode``). ``k`` is capped
        at the number of symbols (no model ranks more), so memory grows as
        ``N · min(k, V)`` whatever ``k`` is asked: with ``k`` above the
        vocabulary size the arrays have ``len(vocabulary_)`` columns.
        """
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise InvalidParameterError(
                f"{type(self).__name__}: k must be an int >= 1; got {k!r}. Use k=5."
            )
        k = min(int(k), max(len(self.vocabulary_), 1)) if self.is_fitted else k
        queries = self._queries(X, "predict_top_k")
        if len(queries) == 0:
            return np.empty((0, k), dtype=np.int64), np.empty((0, k))
        if len(queries) == 1 and self._top_k_one is not None:
            return self.predict_top_k_encoded(queries.values, None, int(k))
        ids, scores = self._top_k_ids(queries, int(k))
        if ids.shape != (len(queries), k) or scores.shape != ids.shape:
            raise AssertionError(  # a model bug, not a user error
                f"{type(self).__name__}._top_k_ids returned shapes {ids.shape} and "
                f"{scores.shape}; expected ({len(queries)}, {k})."
            )
        reserved = (ids >= 0) & (ids < Vocabulary.n_reserved)
        if reserved.any():  # never offer <pad>/<unk>/<sep> as a prediction
            ids = np.where(reserved, -1, ids)
            scores = np.where(reserved, 0.0, scores)
        return ids, scores

    def predict_top_k_encoded(
        self, values: Array, offsets: Array | None = None, k: int = 5
    ) -> tuple[Array, Array]:
        """Rank the next ids of encoded queries: ids in, ids out, nothing re-checked.

        The small-batch path of a service, which encodes each event once
        (``vocabulary_.encode(symbols, unknown="unk")``) and asks for the
        next items many times: one query costs about what it costs inside a
        batch (a compiled one-query path where the model has one).

        Parameters
        ----------
        values : ndarray of int64
            Ids of ``vocabulary_``, ``UNK_ID`` for unknown symbols. They are
            trusted: an id outside ``0..vocabulary_.size - 1`` is undefined
            behaviour (use :meth:`predict_top_k_ids` for untrusted input).
        offsets : ndarray of int64 or None, default=None
            Query boundaries (``N + 1`` entries); ``None`` means that
            ``values`` is one query.
        k : int, default=5
            Candidates per query (an int >= 1, not checked; capped at the
            number of symbols).

        Returns
        -------
        ids, scores : ndarray of shape (N, k)
            As :meth:`predict_top_k_ids`.

        Examples
        --------
        >>> import numpy as np
        >>> from seqpred.models.next_item import MarkovPredictor
        >>> model = MarkovPredictor(order=1).fit(["abab", "abc"])
        >>> query = model.vocabulary_.encode(["a"], unknown="unk")
        >>> ids, scores = model.predict_top_k_encoded(query, k=2)
        >>> ids.tolist(), scores.tolist()
        ([[4, -1]], [[1.0, 0.0]])
        >>> model.vocabulary_.decode(ids[0, :1])
        ['b']
        """
        check_is_fitted(self, "predict_top_k_encoded")
        k = min(k, max(len(self.vocabulary_), 1))  # memory N · min(k, V)
        if offsets is None and self._top_k_one is not None:
            ids, scores = self._top_k_one(values, k)
            return ids[None, :], scores[None, :]
        if offsets is None:
            offsets = np.array([0, len(values)], dtype=np.int64)
        queries = SequenceSet(values, offsets, vocabulary=self.vocabulary_)
        ids, scores = self._top_k_ids(queries, k)
        reserved = (ids >= 0) & (ids < Vocabulary.n_reserved)
        if reserved.any():  # never offer <pad>/<unk>/<sep> as a prediction
            ids = np.where(reserved, -1, ids)
            scores = np.where(reserved, 0.0, scores)
        return ids, scores

    def predict(self, X: Any) -> list[Hashable | None]:
        """Predict the next symbol after each sequence (``None`` for no match).

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The prefixes (contexts) to continue.

        Returns
        -------
        list
            One symbol per input sequence, or ``None`` where the model has no
            evidence and no ``fallback`` is set.
        """
        ids, _ = self.predict_top_k_ids(X, 1)
        best = ids[:, 0]
        fallback = self._fallback_id()
        if fallback >= 0:
            best = np.where(best < 0, fallback, best)
        decoded = self.vocabulary_.decode(np.maximum(best, 0))
        return [None if i < 0 else s for i, s in zip(best.tolist(), decoded)]

    def predict_top_k(self, X: Any, k: int = 5) -> list[list[tuple[Hashable, float]]]:
        """Return the ``k`` most likely next symbols with scores, best first.

        Rows may be shorter than ``k`` (empty for no match).
        """
        ids, scores = self.predict_top_k_ids(X, k)
        decoded = self.vocabulary_.decode(np.maximum(ids, 0).ravel())
        flat_ok = (ids >= 0).ravel().tolist()
        flat_scores = scores.ravel().tolist()
        rows: list[list[tuple[Hashable, float]]] = []
        k = ids.shape[1]  # at most the number of symbols
        for r in range(ids.shape[0]):
            lo = r * k
            rows.append(
                [(decoded[j], flat_scores[j]) for j in range(lo, lo + k) if flat_ok[j]]
            )
        return rows

    def predict_proba(self, X: Any) -> Array:
        """Return ``(N, n_symbols)`` next-symbol probabilities, rows summing to 1.

        Columns follow ``vocabulary_.symbols``. A row with no evidence holds
        the training frequencies of the symbols.
        """
        queries = self._queries(X, "predict_proba")
        n_reserved = Vocabulary.n_reserved
        if len(queries) == 0:
            return np.empty((0, len(self.vocabulary_)))
        proba = self._proba(queries)[:, n_reserved:]
        total = proba.sum(axis=1, keepdims=True)
        prior = self.item_counts_[n_reserved:] / max(self.item_counts_.sum(), 1)
        empty = total[:, 0] <= 0
        proba = np.where(
            empty[:, None], prior[None, :], proba / np.where(total > 0, total, 1.0)
        )
        return np.asarray(proba, dtype=np.float64)

    def score(self, X: Any, y: None = None) -> float:
        """Accuracy of predicting each sequence's last item from the items before it.

        No-match counts as a miss. Sequences shorter than 2 are skipped.
        """
        check_is_fitted(self, "score")
        ss = self._queries(X, "score")
        ss = ss.filter_length(2)
        if len(ss) == 0:
            raise DataError(
                f"{type(self).__name__}.score: needs sequences of length >= 2."
            )
        prefixes = ss.slice_steps(0, -1)
        targets = ss.values[ss.offsets[1:] - 1]
        ids, _ = self._top_k_ids(prefixes, 1)
        best = ids[:, 0]
        fallback = self._fallback_id()
        if fallback >= 0:
            best = np.where(best < 0, fallback, best)
        return float(np.mean(best == targets))
