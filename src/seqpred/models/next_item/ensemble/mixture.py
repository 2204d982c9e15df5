"""OnlineMixture: blend sequence models symbol by symbol, weights learned online."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, cast

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.base import BaseEstimator, Tags, check_is_fitted, clone
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.next_item.base import NextItemMixin

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["OnlineMixture"]

_FLOOR = 1e-6  # share of a uniform distribution mixed into every model
_CONTEXT_PARAMS = ("max_order", "order", "max_length")


@maybe_njit
def _mix(log_p: Array, log_w: Array, rate: float, share: float, out: Array) -> None:
    """Score ``log_p`` (L, M) with weights ``log_w`` (M,), updated in place.

    Per step: the mixture's log-probability is ``log sum_m w_m p_m``; then
    ``w_m <- w_m p_m ** rate`` (normalised) and ``w <- (1 - share) w +
    share / M``. Log domain throughout, so no probability underflows.
    """
    n_models = log_w.shape[0]
    for t in range(log_p.shape[0]):
        top = -np.inf
        for m in range(n_models):
            top = max(top, log_w[m] + log_p[t, m])
        total = 0.0
        for m in range(n_models):
            total += np.exp(log_w[m] + log_p[t, m] - top)
        out[t] = top + np.log(total)
        top = -np.inf
        for m in range(n_models):
            log_w[m] += rate * log_p[t, m]
            top = max(top, log_w[m])
        total = 0.0
        for m in range(n_models):
            total += np.exp(log_w[m] - top)
        for m in range(n_models):
            w = np.exp(log_w[m] - top) / total
            log_w[m] = np.log((1.0 - share) * w + share / n_models)


class OnlineMixture(NextItemMixin):
    """Mix the next-symbol distributions of several fitted models, symbol by symbol.

    The mixture predicts ``P(x) = sum_m w_m P_m(x)``. While it reads a
    sequence, its weights follow the models' log loss: after each symbol
    ``w_m <- w_m P_m(x) ** learning_rate`` (normalised; with
    ``learning_rate=1`` this is the Bayesian mixture, otherwise
    exponentiated gradient on log loss), then a ``share`` of the weight is
    spread evenly over the models (fixed share), so the mixture can follow a
    change of the best model within a text. **The weights adapt while
    reading**: :meth:`log_proba` and :meth:`bits_per_symbol` are adaptive
    scores, whereas the next-item predictions (``predict``,
    ``predict_top_k``, ``predict_proba``) use the current weights
    ``weights_``, which only :meth:`partial_fit` changes.

    Parameters
    ----------
    models : list of estimators or None, default=None
        Probabilistic sequence models (with ``log_proba``, ``predict_proba``
        and ``vocabulary_``), such as ``PPM`` and ``NeuralLanguageModel``.
        Their vocabularies are matched by symbol. ``None`` mixes a short
        and a long context, ``PPM(max_order=2)`` and ``PPM(max_order=5)``,
        fitted on the data given to ``fit``.
    learning_rate : float, default=1.0
        Exponent of the models' probabilities in the weight update (1:
        Bayes; smaller: slower, steadier weights).
    share : float, default=0.001
        Weight spread evenly over the models after each symbol (0: a plain
        Bayesian mixture, whose weights settle on one model for good).

    Attributes
    ----------
    models_ : list of estimators
        The mixed models (the given ones, or fitted clones of them).
    vocabulary_ : Vocabulary
        The union of the models' vocabularies, in order of first appearance.
    weights_ : ndarray of shape (n_models,)
        The current weights (uniform after ``fit``).
    context_length_ : int
        The longest context any model reads (its ``max_order``, ``order`` or
        ``max_length``; 0 if none has one), used when compressing with the
        mixture.

    Notes
    -----
    Scoring costs one :meth:`log_proba` of every model plus an ``O(L M)``
    loop. With ``learning_rate=1`` and ``share=0`` the mixture's code
    length on a sequence exceeds the best model's by at most ``log2(M)``
    bits; with ``share = a`` it exceeds the best model's by at most
    ``log2(M) + (L - 1) log2(1 / (1 - a))`` bits, and it may beat every
    model when different models are best on different parts of the text.
    Each model's distribution is mixed with ``1e-6`` of a uniform one, so a
    symbol missing from one model's vocabulary keeps a non-zero probability.

    References
    ----------
    .. [1] M. Herbster, M. Warmuth, "Tracking the Best Expert", Machine
       Learning 32(2), 1998 (fixed share).
    .. [2] J. Kivinen, M. Warmuth, "Exponentiated Gradient versus Gradient
       Descent for Linear Predictors", Information and Computation 132(1),
       1997.

    Examples
    --------
    >>> from seqpred.models.next_item import PPM
    >>> abc = PPM(max_order=2).fit(["abcabcabcabc"])
    >>> aab = PPM(max_order=2).fit(["aabbccaabbcc"])
    >>> mixture = OnlineMixture([abc, aab]).fit()
    >>> text = ["abcabcabcabc" + "aabbccaabbcc"]
    >>> best = max(abc.log_proba(text)[0].sum(), aab.log_proba(text)[0].sum())
    >>> bool(-mixture.log_proba(text)[0].sum() < -best)  # beats both models
    True
    >>> mixture.predict_proba(["ab"]).round(2).tolist()
    [[0.01, 0.44, 0.55]]
    >>> [(s, round(p, 2)) for s, p in mixture.predict_top_k(["ab"], k=2)[0]]
    [('c', 0.55), ('b', 0.44)]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "models": [None, list, tuple],
        "learning_rate": [Interval(float, 0, None, closed="neither")],
        "share": [Interval(float, 0, 1, closed="left")],
    }
    # partial_fit adapts the weights to what it reads, it does not learn the
    # sequences (partial_fit(A).partial_fit(B) is not fit(A + B)): not tagged
    _tags: ClassVar[Tags] = Tags(supports_partial_fit=False)

    def __init__(
        self, models: Any = None, *, learning_rate: float = 1.0, share: float = 0.001
    ) -> None:
        self.models = models
        self.learning_rate = learning_rate
        self.share = share

    # -- setting up
    def fit(self, X: Any = None, y: None = None) -> Self:
        """Match the models' vocabularies and start from uniform weights.

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or None, default=None
            None: mix the given models, which must be fitted. Otherwise fit
            clones of the models on ``X`` (the given models are untouched).
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self
        """
        self._validate_params()
        self._reset()
        if self.models is None and X is None:
            raise InvalidParameterError(
                "OnlineMixture: with models=None, fit needs training sequences to "
                "fit the default models on; pass fit(sequences), or fitted models."
            )
        models: list[Any] = (
            _default_models() if self.models is None else list(self.models)
        )
        if not models:
            raise InvalidParameterError(
                "OnlineMixture: models must hold at least one estimator; got []. "
                "Pass fitted models, e.g. [PPM().fit(data), ...]."
            )
        if X is not None:
            models = [cast(Any, clone(m)).fit(X) for m in models]
        for m in models:
            _check_model(m)
        vocabulary = Vocabulary()
        for m in models:
            vocabulary.update(m.vocabulary_.symbols)
        self.models_ = models
        self.vocabulary_ = vocabulary.freeze()
        # no training counts of its own: predict_proba never needs the prior
        self.item_counts_ = np.zeros(self.vocabulary_.size, dtype=np.int64)
        self.weights_ = np.full(len(models), 1.0 / len(models))
        self.context_length_ = max(_context_of(m) for m in models)
        self._mark_fitted()
        return self

    # -- adaptive scores
    def _per_model_log_p(self, X: Any) -> list[Array]:
        """Per sequence, ``(L, M)`` floored log-probabilities of the models."""
        scores = [m.log_proba(X) for m in self.models_]
        floor = _FLOOR / (len(self.vocabulary_) + 1)
        return [
            np.log((1.0 - _FLOOR) * np.exp(np.stack(cols, axis=1)) + floor)
            for cols in zip(*scores)
        ]

    def _score(self, X: Any, method: str, keep: bool) -> list[Array]:
        check_is_fitted(self, method)
        log_w = np.log(self.weights_)
        out = []
        for log_p in self._per_model_log_p(X):
            start = log_w.copy()
            scores = np.empty(log_p.shape[0])
            _mix(np.ascontiguousarray(log_p), start, float(self.learning_rate),
                 float(self.share), scores)  # fmt: skip
            if keep:
                log_w = start
            out.append(scores)
        if keep:
            self.weights_ = np.exp(log_w) / np.exp(log_w).sum()
        return out

    def log_proba(self, X: Any) -> list[Array]:
        """Return, per sequence, the natural log-probability of each symbol.

        **Adaptive:** every sequence starts from ``weights_`` and the weights
        adapt while it is read (``weights_`` itself does not change).

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The sequences to score.

        Returns
        -------
        list of ndarray
            One float array per sequence, as long as the sequence.
        """
        return self._score(X, "log_proba", keep=False)

    def bits_per_symbol(self, X: Any) -> float:
        """Return the adaptive mixture's mean ``-log2 P(symbol | before)`` on ``X``.

        The weights adapt while reading (see :meth:`log_proba`).
        """
        scores = self.log_proba(X)
        n = sum(len(s) for s in scores)
        if n == 0:
            raise DataError(
                "OnlineMixture.bits_per_symbol: the sequences are empty; pass at "
                "least one symbol."
            )
        return float(-sum(s.sum() for s in scores) / n / np.log(2.0))

    def partial_fit(self, X: Any, y: None = None) -> Self:
        """Read ``X`` in order, adapting ``weights_`` as :meth:`log_proba` does.

        The weights carry over from one sequence to the next and stay
        changed; the models are not refitted. An unfitted mixture is first
        set up by ``fit()`` (with fitted models).

        Returns
        -------
        self
        """
        if not self.is_fitted:
            self.fit()
        self._score(X, "partial_fit", keep=True)
        return self

    # -- prediction with the current weights
    def _proba(self, queries: SequenceSet) -> Array:
        """Mix the models' next-symbol rows with ``weights_``; ``(N, size)``.

        The models read the decoded contexts (a symbol unknown to the mixture
        is unknown to every model), and their columns are matched by symbol.
        Reserved ids get probability 0.
        """
        contexts = queries.to_lists()
        n_reserved = Vocabulary.n_reserved
        mixed = np.zeros((len(contexts), self.vocabulary_.size))
        width = len(self.vocabulary_)
        for model, weight in zip(self.models_, self.weights_):
            proba = np.asarray(model.predict_proba(contexts), dtype=np.float64)
            columns = [self.vocabulary_.index(s) for s in model.vocabulary_.symbols]
            full = np.zeros((proba.shape[0], width))
            full[:, np.asarray(columns, dtype=np.int64) - n_reserved] = proba
            mixed[:, n_reserved:] += weight * ((1.0 - _FLOOR) * full + _FLOOR / width)
        mixed[:, n_reserved:] /= mixed[:, n_reserved:].sum(axis=1, keepdims=True)
        return mixed

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        proba = self._proba(queries)  # every symbol has mass: never a no-match
        order = np.argsort(-proba, axis=1, kind="stable")[:, :k]
        scores = np.take_along_axis(proba, order, axis=1)
        ids = np.where(scores > 0, order, -1)
        pad = k - ids.shape[1]
        if pad > 0:  # k above the vocabulary size
            ids = np.pad(ids, ((0, 0), (0, pad)), constant_values=-1)
            scores = np.pad(scores, ((0, 0), (0, pad)))
        return ids, np.where(ids >= 0, scores, 0.0)


def _default_models() -> list[BaseEstimator]:
    from seqpred.models.next_item.markov.ppm import PPM

    return [PPM(max_order=2), PPM(max_order=5)]


def _check_model(model: Any) -> None:
    name = type(model).__name__
    missing = [
        a
        for a in ("log_proba", "predict_proba")
        if not callable(getattr(model, a, None))
    ]
    if missing or not isinstance(model, BaseEstimator):
        raise InvalidParameterError(
            f"OnlineMixture: {name} lacks {missing or 'the estimator API'}; mix "
            "probabilistic sequence models such as PPM or NeuralLanguageModel."
        )
    check_is_fitted(model, "OnlineMixture.fit")


def _context_of(model: BaseEstimator) -> int:
    params = model.get_params(deep=False)
    for name in _CONTEXT_PARAMS:
        # the value fit used (max_order_: clamped to the data) before the parameter
        for value in (getattr(model, f"{name}_", None), params.get(name)):
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                return value
    return 0
