"""Class-conditional sequence models: P(x_t | x_<t, label) from any base model.

Shape legend: N contexts, V vocabulary ids, C classes.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import BaseEstimator, Tags, check_is_fitted, clone
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.generate._source import context_window, next_proba
from seqpred.models.generate.base import GeneratorMixin
from seqpred.models.generate.generator import SequenceGenerator, bits, step_log_proba

__all__ = ["ConditionalModel"]


class ConditionalModel(GeneratorMixin):
    """Condition any sequence model on a class label, to generate and score by class.

    Two ways to condition, chosen by ``strategy``:

    ``"per-label"``
        One copy of ``estimator`` per label, fitted on that label's
        sequences, interpolated with a shared copy fitted on all of them:
        ``P(x | context, c) = (1 - w) P_c(x | context) + w P_all(x | context)``
        with ``w = shared_weight``. The shared model fills in contexts a
        small class never saw (back-off). For counting models such as PPM.
    ``"prefix"``
        One model fitted on every sequence behind a token naming its label
        (``"<label=c>"``); conditioning is reading that token first. For
        the neural language model, whose state carries the label along.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The unfitted base model, copied with :func:`~seqpred.clone`; None
        uses ``PPM(max_order=5)``.
    strategy : {"per-label", "prefix"}, default="per-label"
        How the label enters (see above).
    shared_weight : float, default=0.2
        Weight ``w`` of the shared model (``"per-label"`` only), in [0, 1).

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The symbols of all training sequences.
    classes_ : ndarray of shape (C,)
        The sorted labels.
    class_counts_ : ndarray of shape (C,)
        Training sequences per label.
    models_ : list of estimator
        ``"per-label"``: the fitted model of each class, in ``classes_``
        order. ``"prefix"``: one model, fitted on the prefixed sequences.
    shared_model_ : estimator or None
        ``"per-label"``: the model fitted on all sequences (None for
        ``"prefix"``).

    Notes
    -----
    With ``label=None``, ``"per-label"`` answers from the shared model
    alone; ``"prefix"`` needs a label. Limits: with ``"prefix"`` the label
    token is only seen while it is inside the base model's context (the
    neural model's ``max_length``), so it suits sequences about that long.

    Examples
    --------
    >>> from seqpred.models.generate import ConditionalModel
    >>> X = ["abababab", "abababba", "cdcdcdcd", "cdcdcddc"]
    >>> model = ConditionalModel().fit(X, ["ab", "ab", "cd", "cd"])
    >>> model.classes_.tolist()
    ['ab', 'cd']
    >>> model.sample(2, label="cd", max_length=6, top_k=1)
    [['c', 'd', 'c', 'd', 'c', 'd'], ['c', 'd', 'c', 'd', 'c', 'd']]
    >>> own = model.bits_per_symbol(["cdcd"], "cd")
    >>> bool(own < model.bits_per_symbol(["cdcd"], "ab"))
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "estimator": [None, BaseEstimator],
        "strategy": [Options({"per-label", "prefix"})],
        "shared_weight": [Interval(float, 0, 1, closed="left")],
    }
    _tags: ClassVar[Tags] = Tags()

    def __init__(
        self,
        estimator: BaseEstimator | None = None,
        *,
        strategy: str = "per-label",
        shared_weight: float = 0.2,
    ) -> None:
        self.estimator = estimator
        self.strategy = strategy
        self.shared_weight = shared_weight

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        from seqpred.models.next_item import PPM, MarkovPredictor

        return [
            {"estimator": PPM(max_order=2)},
            {"estimator": MarkovPredictor(order=1), "shared_weight": 0.5},
            {"estimator": PPM(max_order=3), "strategy": "prefix"},
        ]

    # -- fitting
    def fit(self, X: Any, y: Any = None) -> ConditionalModel:
        """Learn one distribution per label; return ``self``.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            Training sequences.
        y : array-like of shape (N,), default=None
            One label per sequence; None takes ``X.labels``.

        Returns
        -------
        self
        """
        from seqpred.models.classify.base import check_labels

        self._validate_params()
        owner = type(self).__name__
        ss = as_sequence_set(X, kind="discrete", unknown="add", owner=owner)
        labels = check_labels(ss, y, owner)
        if ss.n_steps == 0:
            raise DataError(
                f"{owner}: all training sequences are empty; pass sequences with "
                "at least one item."
            )
        self._reset()
        base = self._base()
        vocabulary = (ss.vocabulary or Vocabulary()).copy().freeze()
        ss = as_sequence_set(ss, vocabulary=vocabulary, owner=owner)
        classes, index = np.unique(labels, return_inverse=True)
        self.vocabulary_ = vocabulary
        self.classes_ = classes
        self.class_counts_ = np.bincount(index, minlength=len(classes))
        if self.strategy == "per-label":
            self.shared_model_ = _fitted_copy(base, ss)
            self.models_ = [
                _fitted_copy(base, ss.take(np.flatnonzero(index == c)))
                for c in range(len(classes))
            ]
        else:
            self.shared_model_ = None
            self.models_ = [_fitted_copy(base, _prefixed(ss, index, classes, owner))]
        self._mark_fitted()
        return self

    def _base(self) -> BaseEstimator:
        if self.estimator is None:
            from seqpred.models.next_item import PPM

            return PPM(max_order=5)
        if self.estimator.get_tags().input_kind != "discrete":
            raise InvalidParameterError(
                f"ConditionalModel: estimator must model discrete symbols; got "
                f"{type(self.estimator).__name__}. Use PPM or NeuralLanguageModel."
            )
        return self.estimator

    # -- probabilities
    def _class_index(self, labels: Array) -> Array:
        try:
            index = np.searchsorted(self.classes_, labels)
            index = np.minimum(index, len(self.classes_) - 1)
            bad = np.asarray(self.classes_[index] != labels, dtype=bool)
        except TypeError:  # labels of another type than the classes
            index, bad = (
                np.zeros(len(labels), dtype=np.int64),
                np.ones(len(labels), bool),
            )
        if np.any(bad):
            unknown = sorted({repr(v) for v in np.asarray(labels)[bad].tolist()})
            raise InvalidParameterError(
                f"ConditionalModel: unknown label {', '.join(unknown[:3])}; the "
                f"model knows {self.classes_.tolist()!r}. Pass one of those."
            )
        return index

    def _context_window(self) -> int | None:
        if self.strategy == "prefix":
            return None  # the label token must stay in the context
        windows = [context_window(m) for m in [self.shared_model_, *self.models_]]
        return None if None in windows else max(w for w in windows if w is not None)

    def _conditional_proba(self, contexts: SequenceSet, labels: Array | None) -> Array:
        """Next-id probabilities ``(N, V)`` given each context's label."""
        check_is_fitted(self, "predict_proba")
        if labels is None:
            if self.shared_model_ is None:
                raise InvalidParameterError(
                    "ConditionalModel(strategy='prefix') needs a label; pass "
                    f"label=... (one of {self.classes_.tolist()!r})."
                )
            return _proba_of(self.shared_model_, contexts)
        index = self._class_index(np.asarray(labels))
        out = np.zeros((len(contexts), self.vocabulary_.size))
        for c in np.unique(index).tolist():
            rows = np.flatnonzero(index == c)
            part = contexts.take(rows)
            if self.shared_model_ is None:
                out[rows] = self._prefix_proba(part, c)
            else:
                w = float(self.shared_weight)
                own = _proba_of(self.models_[c], part)
                shared = _proba_of(self.shared_model_, part) if w > 0 else 0.0
                out[rows] = (1.0 - w) * own + w * shared
        return out

    def _prefix_proba(self, contexts: SequenceSet, c: int) -> Array:
        model = self.models_[0]
        token = model.vocabulary_.index(_label_token(self.classes_[c]))
        lengths = contexts.lengths + 1
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        values = np.full(int(offsets[-1]), token, dtype=np.int64)
        inner = np.ones(len(values), dtype=bool)
        inner[offsets[:-1]] = False
        values[inner] = contexts.values
        prefixed = SequenceSet(values, offsets, vocabulary=model.vocabulary_)
        proba = next_proba(model, prefixed, None)[:, : self.vocabulary_.size]
        return proba / proba.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]

    def predict_proba(self, X: Any, labels: Any = None) -> Array:
        """Return ``(N, n_symbols)`` next-symbol probabilities given each label.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The contexts.
        labels : label, array-like of shape (N,) or None, default=None
            The class of each context (one label for all, or one each);
            None uses the shared model (``"per-label"`` only).

        Returns
        -------
        ndarray of shape (N, len(vocabulary_))
            Columns follow ``vocabulary_.symbols``; rows sum to 1 (the
            probability of ending, if the base model has one, is left out).
        """
        ss = self._queries(X, "predict_proba")
        proba = self._conditional_proba(ss, self._per_row(labels, len(ss)))
        proba = proba[:, Vocabulary.n_reserved :]
        total = proba.sum(axis=1, keepdims=True)
        out: Array = proba / np.where(total > 0, total, 1.0)
        return out

    def log_proba(self, X: Any, labels: Any = None) -> list[Array]:
        """Return, per sequence, the natural log-probability of each symbol.

        Each symbol is scored from the symbols before it in its own sequence,
        given the sequence's label (see :meth:`predict_proba` for ``labels``).
        Symbols never seen in training score ``-inf``.
        """
        ss = self._queries(X, "log_proba")
        per_row = self._per_row(labels, len(ss))
        return (
            step_log_proba(self._conditional_proba, ss, self._context_window(), per_row)
            if per_row is not None
            else step_log_proba(
                lambda c: self._conditional_proba(c, None), ss, self._context_window()
            )
        )

    def bits_per_symbol(self, X: Any, labels: Any = None) -> float:
        """Return the mean ``-log2 P(symbol | before, label)`` over ``X``."""
        return bits(self.log_proba(X, labels), "ConditionalModel.bits_per_symbol")

    def sample(
        self,
        n: int = 1,
        prefix: Any = None,
        *,
        label: Any = None,
        max_length: int = 100,
        stop: Any = None,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        random_state: Any = None,
    ) -> list[list[Hashable]]:
        """Draw ``n`` sequences given ``label`` (see ``SequenceGenerator.sample``)."""
        return SequenceGenerator(self).sample(
            n,
            prefix,
            max_length=max_length,
            stop=stop,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            label=label,
            random_state=random_state,
        )

    # -- helpers
    def _queries(self, X: Any, method: str) -> SequenceSet:
        check_is_fitted(self, method)
        return as_sequence_set(
            X,
            vocabulary=self.vocabulary_,
            unknown="unk",
            kind="discrete",
            owner=type(self).__name__,
            allow_empty_input=True,
        )

    def _per_row(self, labels: Any, n: int) -> Array | None:
        if labels is None:
            return None
        if isinstance(labels, (list, tuple, np.ndarray)):
            arr = np.asarray(labels)
            if arr.shape != (n,):
                raise InvalidParameterError(
                    f"ConditionalModel: labels must be one label or {n} labels, "
                    f"one per sequence; got shape {arr.shape}."
                )
            return arr
        return np.asarray([labels] * n)


def _fitted_copy(base: BaseEstimator, data: SequenceSet) -> Any:
    """Fit an unfitted copy of ``base`` on ``data``."""
    model: Any = clone(base)
    return model.fit(data)


def _proba_of(model: Any, contexts: SequenceSet) -> Array:
    """Next-id probabilities of a base model, on contexts in its own vocabulary."""
    own = SequenceSet(contexts.values, contexts.offsets, vocabulary=model.vocabulary_)
    return next_proba(model, own, None)


def _label_token(label: Any) -> str:
    return f"<label={label}>"


def _prefixed(ss: SequenceSet, index: Array, classes: Array, owner: str) -> SequenceSet:
    """Every sequence behind its label token, in a vocabulary extended by the tokens."""
    assert ss.vocabulary is not None
    tokens = [_label_token(c) for c in classes.tolist()]
    clash = [t for t in tokens if t in ss.vocabulary]
    if clash:
        raise DataError(
            f"{owner}: the data already holds the symbol {clash[0]!r}, which "
            "strategy='prefix' uses to mark a label; rename it or use "
            "strategy='per-label'."
        )
    vocabulary = ss.vocabulary.copy()
    token_ids = vocabulary.encode(tokens, unknown="add")
    lengths = ss.lengths + 1
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    values = np.empty(int(offsets[-1]), dtype=np.int64)
    values[offsets[:-1]] = token_ids[index]
    inner = np.ones(len(values), dtype=bool)
    inner[offsets[:-1]] = False
    values[inner] = ss.values
    return SequenceSet(values, offsets, vocabulary=vocabulary)
