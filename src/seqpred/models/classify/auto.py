"""AutoClassifier: the classifier and its settings chosen by cross-validation in fit."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._registry import available
from seqpred._typing import Array
from seqpred.base import BaseEstimator, Tags, check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError
from seqpred.models.auto.search import (
    Budget,
    Candidate,
    OverBudget,
    Trial,
    choose,
    leaderboard,
    run_candidates,
    user_candidates,
)
from seqpred.models.classify.base import ClassifierMixin

__all__ = ["AutoClassifier", "stratified_folds"]

TEXT_MIN_SYMBOLS = 64
"""Discrete data with more symbols than this is treated as words (text)."""
MAX_POSITIONS = 500
"""Positional k-mers are tried for equal lengths up to this many steps."""
MAX_DTW_CELLS = 5e8
"""DTW is tried when the cross-validation's dynamic-programming cells stay
below this (about ten seconds)."""

Stages = tuple[list[Candidate], list[Candidate]]
"""Candidates tried first, and those tried after the best one's ``alpha`` is
tuned (less value for their time: costly, or rarely better)."""

_NB = {"min_k": 1, "max_k": 2, "nb_scaling": True, "sublinear_tf": True}


def _kmer(cost: float = 1.0, **params: Any) -> Candidate:
    return Candidate("kmer", params, cost=cost)


def text_candidates() -> Stages:
    """Words: NB-weighted and tf-idf logistic models; later, marks and char n-grams.

    The settings of ``benchmarks/classify.py`` (MR, TREC), best expected
    first; character n-grams cost about six times more.
    """
    first = [_kmer(**_NB, alpha=3e-5), _kmer(min_k=1, max_k=2, alpha=3e-5)]
    later = [
        _kmer(**_NB, alpha=3e-5, boundaries=True),
        _kmer(cost=6.0, **_NB, alpha=3e-5, char_ngrams=(2, 5)),
    ]
    return first, later


def alphabet_candidates(length: int | None) -> Stages:
    """Small alphabets (DNA, proteins): positional k-mers for aligned windows, bags.

    ``length`` is the common length of all sequences (None when they
    differ): k-mers counted per position suit aligned windows such as
    splice junctions (``benchmarks/classify.py``, DNA).
    """
    out = []
    if length is not None and length <= MAX_POSITIONS:
        out.append(_kmer(max_k=3, n_position_bins=length, tfidf=False, alpha=3e-4))
    out += [
        _kmer(),
        _kmer(cost=1.5, max_k=5),
        _kmer(max_k=3, nb_scaling=True, sublinear_tf=True, alpha=3e-5),
    ]
    return out, [Candidate("compression", cost=2.0)]


def numeric_candidates(ss: SequenceSet, n_folds: int) -> Stages:
    """Numeric series: MiniRocket; later, 1-NN DTW (when its cost is small)."""
    out = []
    n = len(ss)
    length = float(np.mean(ss.lengths))
    pairs = n * n * (n_folds - 1) / max(n_folds, 1)
    for window, cells in ((0.1, pairs * length * (0.2 * length + 1)),
                          (None, pairs * length * length)):  # fmt: skip
        if cells <= MAX_DTW_CELLS:
            out.append(Candidate("dtw", {"window": window}, cost=5.0))
    return [Candidate("minirocket")], out


def stratified_folds(y: Array, n_folds: int) -> Array:
    """Fold of each sequence: the i-th of its class goes to fold ``i % n_folds``.

    Deterministic, and every fold holds each class in proportion.

    Examples
    --------
    >>> stratified_folds(np.array([0, 0, 1, 1, 0, 1]), 2).tolist()
    [0, 1, 0, 1, 0, 0]
    """
    fold = np.empty(len(y), dtype=np.int64)
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        fold[members] = np.arange(len(members)) % n_folds
    return fold


def _tags(target: Any) -> Tags:
    """Return the class's tags, with the fitted data's kind on a fitted instance."""
    tags: Tags = AutoClassifier._tags
    kind = getattr(target, "__dict__", {}).get("input_kind_")
    return tags if kind is None else replace(tags, input_kind=kind)


class _ClassOrInstance:
    """A method that receives the class or, called on an instance, the instance."""

    def __init__(self, function: Any) -> None:
        self.function = function

    def __get__(self, obj: Any, owner: type) -> Any:
        target = owner if obj is None else obj
        return lambda: self.function(target)


class AutoClassifier(ClassifierMixin):
    """Choose the classifier and its settings by cross-validation inside ``fit``.

    ``fit`` scores candidate classifiers by stratified k-fold
    cross-validation on the training data only, best expected first, while
    ``max_time`` lasts: the first candidates, then the best one's ``alpha``
    ten times smaller and larger (a k-mer model), then the later ones
    (costly or rarely better: boundary marks and character n-grams for
    words, the compression classifier, DTW). The candidate listed first is kept
    unless another wins on the same sequences by more than one standard
    error of the paired difference; the winner is refitted on all the data.

    The candidates follow the data: for words (more than 64 symbols),
    logistic models of word 1-2-grams with naive-Bayes scaling (NB-LR) or
    tf-idf, then character n-grams; for small alphabets, k-mers per
    position (when all sequences have one length), bags of k-mers and the
    compression classifier; for numeric series, MiniRocket, then 1-NN DTW
    with a 10% window and without (when the series are short enough).

    Parameters
    ----------
    models : None, "all" or tuple, default=None
        The candidates. ``None``: those above for the kind of data; ``"all"``:
        every candidate list for the data's kind plus the other registered
        classifiers for it with default parameters; a tuple: registry names
        (default parameters) or ``(name, {parameters})`` pairs, best
        expected first.
    n_folds : int or None, default=None
        Folds of the cross-validation; ``None``: 5 up to 1,000 sequences, 3
        above (fewer when a class has fewer sequences; without two per class
        the first candidate is fitted unvalidated).
    max_time : float or None, default=60.0
        Seconds for the search and the final fit; ``None`` means no limit.
        A candidate whose first fold shows it cannot finish in time is
        stopped; when not even the first one fits, it is fitted without
        validation. A limit that cuts the search makes the choice depend on
        the machine's speed.
    tune_alpha : bool, default=True
        Try the chosen k-mer model with ``alpha`` divided and multiplied by
        ten.
    random_state : None or int, default=None
        Seed of the candidates that use randomness (MiniRocket).

    Attributes
    ----------
    best_name_ : str
        Registry name of the chosen classifier.
    best_params_ : dict
        Its parameters.
    best_estimator_ : estimator
        The chosen classifier, fitted on all the training data.
    leaderboard_ : list of dict
        One row per candidate: ``model``, ``params``, ``score`` (mean
        cross-validated accuracy; None when not run), ``fit_seconds``,
        ``predict_seconds`` (summed over the folds), ``status`` ("ok",
        "over budget", "failed"), ``chosen``, ``note``.
    validation_score_ : float
        Cross-validated accuracy of the choice (NaN when not validated).
    n_folds_ : int
        Folds used (0 when not validated).
    input_kind_ : {"discrete", "numeric"}
        The kind of the training sequences; :meth:`get_tags` reports it.
    classes_ : ndarray of shape (C,)
        Sorted class labels.
    class_counts_ : ndarray of shape (C,)
        Training sequences per class.
    n_sequences_ : int
        Number of training sequences.

    Notes
    -----
    Cost: ``n_folds`` fits of each candidate that runs on ``(k-1)/k`` of the
    data, one prediction of each held-out fold, and the final fit. Folds are
    deterministic (the i-th sequence of a class goes to fold ``i % k``), so
    with ``max_time=None`` and an int ``random_state`` a refit chooses the
    same model.

    Examples
    --------
    >>> from seqpred.models.classify import AutoClassifier
    >>> X = ["aacgtt", "cgtacg", "ttaacc", "ggtaca"] * 5
    >>> y = ["cg", "cg", "ta", "ta"] * 5
    >>> model = AutoClassifier(models=("kmer", "compression"), max_time=None)
    >>> model = model.fit(X, y)
    >>> model.best_name_, model.predict(["acgt", "ttaa"]).tolist()
    ('kmer', ['cg', 'ta'])
    >>> model.leaderboard_[0]["score"]
    1.0
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "models": [None, Options({"all"}), tuple, list],
        "n_folds": [None, Interval(int, 2, None)],
        "max_time": [None, Interval(float, 0, None)],
        "tune_alpha": [bool],
        "random_state": [None, Interval(int, 0, None)],
    }
    _tags: ClassVar[Tags] = Tags(stochastic=True)

    def __init__(
        self,
        models: Any = None,
        *,
        n_folds: int | None = None,
        max_time: float | None = 60.0,
        tune_alpha: bool = True,
        random_state: int | None = None,
    ) -> None:
        self.models = models
        self.n_folds = n_folds
        self.max_time = max_time
        self.tune_alpha = tune_alpha
        self.random_state = random_state

    best_name_: str
    best_params_: dict[str, Any]
    best_estimator_: BaseEstimator
    leaderboard_: list[dict[str, Any]]
    validation_score_: float
    n_folds_: int
    input_kind_: str

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"models": ("kmer", "compression"), "max_time": None, "random_state": 0},
            {"models": (("kmer", {"max_k": 2}),), "n_folds": 2, "max_time": None,
             "tune_alpha": False, "random_state": 0},
        ]  # fmt: skip

    get_tags = _ClassOrInstance(lambda target: _tags(target))
    """Return the tags; on a fitted instance ``input_kind`` is its data's kind."""

    # -- fitting: the data's kind decides the candidates
    def fit(self, X: Any, y: Any = None) -> AutoClassifier:
        """Choose, validate and fit a classifier; return ``self``.

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or list of arrays
            Training sequences; numbers make numeric series, anything else
            symbols.
        y : array-like of shape (N,), default=None
            One class label per sequence; ``None`` takes ``X.labels``.

        Returns
        -------
        self
        """
        self._validate_params()
        probe = as_sequence_set(X, unknown="add", owner=type(self).__name__)
        self.__dict__["input_kind_"] = probe.kind  # read by fit's get_tags()
        super().fit(probe, y)
        return self

    def _queries(self, X: Any, method: str) -> SequenceSet:
        check_is_fitted(self, method)
        owner = type(self).__name__
        if self.input_kind_ == "discrete":  # keep unseen symbols: the model decides
            return as_sequence_set(
                X, vocabulary=self.vocabulary_.copy(), unknown="add",
                kind="discrete", owner=owner, allow_empty_input=True,
            )  # fmt: skip
        ss = as_sequence_set(X, kind="numeric", owner=owner, allow_empty_input=True)
        if len(ss) and ss.n_features != self.n_features_:
            raise DataError(
                f"{owner}: the model was fitted on {self.n_features_} channel(s); "
                f"got {ss.n_features}. Pass series with the training channels."
            )
        return ss

    def _candidates(self, ss: SequenceSet, n_folds: int) -> Stages:
        if self.models in (None, "all"):
            first, later = self._default_candidates(ss, max(n_folds, 2))
            if self.models == "all":
                for name in sorted(available("classify")):
                    cls_tags = _tags_of(name)
                    if cls_tags is None or name.startswith("auto"):
                        continue
                    if cls_tags.input_kind == ss.kind and not cls_tags.requires_torch:
                        if all(c.name != name or c.params for c in first + later):
                            later.append(Candidate(name))
            return first, later
        return user_candidates(self.models, "classify", "AutoClassifier"), []

    def _default_candidates(self, ss: SequenceSet, n_folds: int) -> Stages:
        if ss.kind == "numeric":
            return numeric_candidates(ss, n_folds)
        if len(self.vocabulary_) > TEXT_MIN_SYMBOLS:
            return text_candidates()
        lengths = np.unique(ss.lengths)
        return alphabet_candidates(int(lengths[0]) if len(lengths) == 1 else None)

    def _folds(self, y: Array) -> int:
        if self.n_folds is not None:
            wanted = int(self.n_folds)
        else:
            wanted = 5 if len(y) <= 1000 else 3
        smallest = int(np.bincount(y).min())
        return min(wanted, smallest) if smallest >= 2 else 0

    def _fit(self, ss: SequenceSet, y: Array) -> None:
        self.input_kind_ = ss.kind
        budget = Budget(self.max_time)
        k = self._folds(y)
        first, later = self._candidates(ss, k)
        trials: list[Trial] = []
        if k >= 2:
            fold = stratified_folds(y, k)
            evaluate = self._evaluator(ss, y, fold, k, budget)

            def reserve(done: Sequence[Trial]) -> float:  # refit the best so far
                ok = [t.fit_seconds / k for t in done if t.score is not None]
                return 1.5 * max(ok, default=0.0)

            # the first candidates, the chosen one's alpha, then the later ones
            trials = run_candidates(first, evaluate, budget, reserve=reserve)
            stages = [_alpha_neighbours(trials)] if self.tune_alpha else []
            for stage in [*stages, later]:
                trials += run_candidates(
                    stage, evaluate, budget, reserve=reserve, previous=trials
                )
        chosen = choose(trials)
        self.n_folds_ = k if chosen is not None else 0
        if chosen is None:
            trials = trials or [Trial(c, status="over budget") for c in first + later]
            winner = first[0]
            self.validation_score_ = float("nan")
        else:
            winner = trials[chosen].candidate
            self.validation_score_ = float(trials[chosen].score or 0.0)
        self.leaderboard_ = leaderboard(trials, chosen)
        model: Any = winner.build(random_state=self.random_state)
        self.best_estimator_ = model.fit(ss, self.classes_[y])
        self.best_name_ = winner.name
        self.best_params_ = dict(winner.params)

    def _evaluator(
        self, ss: SequenceSet, y: Array, fold: Array, k: int, budget: Budget
    ) -> Any:
        labels = self.classes_[y]

        def evaluate(candidate: Candidate) -> Trial:
            hits = np.zeros(len(y))
            fit_seconds = predict_seconds = 0.0
            for f in range(k):
                train, test = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
                start = time.perf_counter()
                model: Any = candidate.build(random_state=self.random_state)
                model.fit(ss.take(train), labels[train])
                middle = time.perf_counter()
                hits[test] = model.predict(ss.take(test)) == labels[test]
                fit_seconds += middle - start
                predict_seconds += time.perf_counter() - middle
                spent = fit_seconds + predict_seconds
                needed = spent / (f + 1) * (k - f - 1) + fit_seconds / (f + 1) * 1.5
                if f + 1 < k and not budget.allows(needed):
                    raise OverBudget(
                        f"stopped after {f + 1} of {k} folds: about {needed:.0f}s "
                        f"more needed, {budget.remaining:.0f}s left"
                    )
            return Trial(candidate, float(hits.mean()), hits, fit_seconds,
                         predict_seconds)  # fmt: skip

        return evaluate

    # -- the mixin's hooks
    def _decision(self, ss: SequenceSet) -> Array:
        out: Array = self.best_estimator_.decision_function(ss)  # type: ignore[attr-defined]
        return out

    def _proba(self, ss: SequenceSet) -> Array:
        out: Array = self.best_estimator_.predict_proba(ss)  # type: ignore[attr-defined]
        return out

    def memory_bytes(self) -> int:
        """Bytes held by the chosen model's arrays."""
        return self.best_estimator_.memory_bytes() + super().memory_bytes()


def _tags_of(name: str) -> Tags | None:
    from seqpred._registry import get_class

    try:
        return get_class(name).get_tags()
    except ImportError:
        return None


def _alpha_neighbours(trials: list[Trial]) -> list[Candidate]:
    """Return the chosen k-mer candidate with ``alpha`` ten times smaller and larger."""
    chosen = choose(trials)
    if chosen is None or trials[chosen].candidate.name != "kmer":
        return []
    best = trials[chosen].candidate
    alpha = float(best.params.get("alpha", 1e-4))
    return [
        Candidate(
            "kmer",
            {**best.params, "alpha": float(f"{alpha * factor:.3g}")},
            cost=best.cost,
        )
        for factor in (0.1, 10.0)
    ]
