"""Conformance: every registered estimator (and two toys) through every check.

The toys exercise the suite itself; the broken toys below prove each check
catches the violation it is written for.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pytest

from seqpred._params import Interval
from seqpred.base import Tags, check_random_state
from seqpred.data.vocabulary import Vocabulary
from seqpred.models.anomaly import SequenceAnomalyScorer
from seqpred.models.next_item.base import NextItemMixin
from seqpred.testing import (
    CHECKS,
    SkipCheck,
    check_estimator,
    check_names,
    registry_checks,
    yield_checks,
)

# -- toy estimators -----------------------------------------------------------------


class LastItem(NextItemMixin):
    """Predict the item that most often followed the query's last item.

    Parameters
    ----------
    smoothing : float, default=0.0
        Added to the count of every (previous, next) pair of known symbols.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer when the last item never preceded anything.

    Attributes
    ----------
    transitions_ : ndarray of shape (V, V)
        Counts of (previous id, next id) pairs.

    Examples
    --------
    >>> LastItem().fit(["abab", "ac"]).predict(["a", "c"])
    ['b', None]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "smoothing": [Interval(float, 0, None)],
        "fallback": [None, str],
    }

    def __init__(self, smoothing=0.0, *, fallback=None):
        self.smoothing = smoothing
        self.fallback = fallback

    @classmethod
    def _test_params(cls):
        return [{}, {"smoothing": 0.5, "fallback": "most_frequent"}]

    def _counts(self, ss):
        size = self.vocabulary_.size
        counts = np.zeros((size, size))
        inside = np.ones(len(ss.values), dtype=bool)
        inside[ss.offsets[1:] - 1] = False  # a sequence's last item has no next
        at = np.flatnonzero(inside[:-1])
        np.add.at(counts, (ss.values[at], ss.values[at + 1]), 1.0)
        return counts

    def _fit(self, ss):
        counts = self._counts(ss)
        counts[Vocabulary.n_reserved :, Vocabulary.n_reserved :] += self.smoothing
        self.transitions_ = counts

    def _rows(self, queries):
        """Per query: the counts following its last item (zeros when empty)."""
        has = queries.lengths > 0
        last = np.zeros(len(queries), dtype=np.int64)
        last[has] = queries.values[queries.offsets[1:][has] - 1]
        rows = self.transitions_[last].copy()
        rows[~has] = 0.0
        return rows

    def _top_k_ids(self, queries, k):
        rows = self._rows(queries)
        order = np.argsort(-rows, axis=1, kind="stable")[:, :k]
        counts = np.take_along_axis(rows, order, axis=1)
        totals = rows.sum(axis=1, keepdims=True)
        scores = counts / np.where(totals > 0, totals, 1.0)
        ids = np.where(counts > 0, order, -1)
        scores = np.where(counts > 0, scores, 0.0)
        missing = k - ids.shape[1]  # k may exceed the number of ids
        ids = np.pad(ids, ((0, 0), (0, missing)), constant_values=-1)
        return ids, np.pad(scores, ((0, 0), (0, missing)))

    def _proba(self, queries):
        return self._rows(queries)


class NoisyLastItem(LastItem):
    """Predict like :class:`LastItem` with counts jittered by a seeded generator.

    Parameters
    ----------
    smoothing : float, default=0.0
        Added to the count of every (previous, next) pair of known symbols.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer when the last item never preceded anything.
    random_state : None, int or numpy Generator, default=None
        Seed of the jitter.

    Examples
    --------
    >>> NoisyLastItem(random_state=0).fit(["abab"]).predict(["a"])
    ['b']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **LastItem._parameter_constraints,
        "random_state": ["random_state"],
    }
    _tags = Tags(stochastic=True)

    def __init__(self, smoothing=0.0, *, fallback=None, random_state=None):
        super().__init__(smoothing, fallback=fallback)
        self.random_state = random_state

    @classmethod
    def _test_params(cls):
        return [{"random_state": 0}]

    def _fit(self, ss):
        super()._fit(ss)
        rng = check_random_state(self.random_state)
        present = self.transitions_ > 0
        self.transitions_ += present * rng.random(self.transitions_.shape) * 0.1


TOYS = {"toy-last-item": LastItem, "toy-noisy-last-item": NoisyLastItem}


def _params(triples):
    return [pytest.param(*t, id=t[0]) for t in triples]


# -- the suite ------------------------------------------------------------------------


@pytest.mark.parametrize("check_id, check, estimator", _params(registry_checks()))
def test_registered_estimator(check_id, check, estimator):
    check(estimator)


@pytest.mark.parametrize(
    "check_id, check, estimator",
    _params(yield_checks(SequenceAnomalyScorer, name="anomaly-scorer")),
)
def test_anomaly_scorer(check_id, check, estimator):
    check(estimator)


TOY_TRIPLES = [t for name, cls in TOYS.items() for t in yield_checks(cls, name=name)]


@pytest.mark.parametrize("check_id, check, estimator", _params(TOY_TRIPLES))
def test_toy_estimator(check_id, check, estimator):
    check(estimator)


def test_every_registered_name_is_covered():
    import seqpred

    ids = {t[0] for t in registry_checks()}
    for name in seqpred.available():
        assert f"{name}:constructor" in ids or f"{name}:import" in ids


def test_ids_and_names():
    ids = [t[0] for t in yield_checks(LastItem, name="toy")]
    assert len(check_names()) == len(set(check_names())) == len(CHECKS)
    names = check_names(task="next-item")
    assert ids[: len(names)] == [f"toy:{n}" for n in names]
    assert ids[len(names)] == "toy[1]:constructor"
    assert [t[0] for t in yield_checks(LastItem())][0] == "LastItem:constructor"


def test_check_estimator_accepts_instance_class_and_name():
    assert check_estimator(LastItem(smoothing=1.0)) == {
        "LastItem:random_state": "LastItem has no random_state parameter",
        "LastItem:partial_fit": "LastItem does not support partial_fit",
    }
    assert check_estimator(NoisyLastItem) == {
        "NoisyLastItem:partial_fit": "NoisyLastItem does not support partial_fit"
    }
    skipped = check_estimator("markov")
    assert all(key.startswith("markov") for key in skipped)


# -- declared skips ---------------------------------------------------------------


class SkipsSaveLoad(LastItem):
    """Predict like :class:`LastItem` but declare a skipped check.

    Parameters
    ----------
    smoothing : float, default=0.0
        Added to every count.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer when the last item never preceded anything.

    Examples
    --------
    >>> SkipsSaveLoad().fit(["ab"]).predict(["a"])
    ['b']
    """

    _tags = Tags(skip_checks={"save_load": "cannot be saved, for the test"})


def test_declared_skip_raises_skip_check_with_reason():
    triples = {t[0]: t for t in yield_checks(SkipsSaveLoad())}
    _, check, estimator = triples["SkipsSaveLoad:save_load"]
    assert check.__name__ == "check_save_load"
    with pytest.raises(SkipCheck, match="cannot be saved, for the test"):
        check(estimator)
    skipped = check_estimator(SkipsSaveLoad())
    assert skipped["SkipsSaveLoad:save_load"] == "cannot be saved, for the test"


# -- broken toys: each must fail its check ---------------------------------------------


class MutatesParam(LastItem):
    def _fit(self, ss):
        super()._fit(ss)
        self.smoothing = self.smoothing + 1.0


class Accumulates(LastItem):
    def _fit(self, ss):
        self._seen = getattr(self, "_seen", []) + ss.to_lists()
        seen = self.vocabulary_.encode(
            [s for seq in self._seen for s in seq], unknown="unk"
        )
        lengths = [len(seq) for seq in self._seen]
        from seqpred.data.sequence_set import SequenceSet

        offsets = np.concatenate([[0], np.cumsum(lengths)])
        self.transitions_ = self._counts(SequenceSet(seen, offsets))


class UnnormalisedProba(LastItem):
    def predict_proba(self, X):
        return self._proba(self._queries(X, "predict_proba"))[:, 3:]


class UnsortedTopK(LastItem):
    def _top_k_ids(self, queries, k):
        ids, scores = super()._top_k_ids(queries, k)
        return ids[:, ::-1], scores[:, ::-1]


class PublicAttribute(LastItem):
    def _fit(self, ss):
        super()._fit(ss)
        self.table = self.transitions_


class UndocumentedParam(LastItem):
    """Predict like LastItem.

    Parameters
    ----------
    smoothing : float, default=0.0
        Added to every count.

    Examples
    --------
    >>> UndocumentedParam().fit(["ab"]).predict(["a"])
    ['b']
    """


class NoExamples(LastItem):
    """Predict like LastItem.

    Parameters
    ----------
    smoothing : float, default=0.0
        Added to every count.
    fallback : None or str, default=None
        Answer on no match.
    """


class SetsCacheInInit(LastItem):
    def __init__(self, smoothing=0.0, *, fallback=None):
        super().__init__(smoothing, fallback=fallback)
        self._cache = {}


class MutableDefault(LastItem):
    def __init__(self, smoothing=0.0, *, fallback=None, weights=[]):  # noqa: B006
        super().__init__(smoothing, fallback=fallback)
        self.weights = weights


class Positional(LastItem):
    def __init__(self, smoothing=0.0, fallback=None):
        super().__init__(smoothing, fallback=fallback)


class SilentBeforeFit(LastItem):
    def predict(self, X):
        if not self.is_fitted:
            return [None] * len(X)
        return super().predict(X)


class BatchDependent(LastItem):
    def _top_k_ids(self, queries, k):
        ids, scores = super()._top_k_ids(queries, k)
        return ids, scores / len(queries)


class OrderDependent(LastItem):
    def _top_k_ids(self, queries, k):
        ids, scores = super()._top_k_ids(queries, k)
        return np.roll(ids, 1, axis=0), np.roll(scores, 1, axis=0)


class PrivateStateOnly(LastItem):
    def _fit(self, ss):
        super()._fit(ss)
        self._table = self.transitions_
        self.transitions_ = np.zeros(1)

    def _rows(self, queries):
        saved = self.transitions_
        self.transitions_ = self._table
        try:
            return super()._rows(queries)
        finally:
            self.transitions_ = saved


class CrashesOnEmptyQuery(LastItem):
    def _rows(self, queries):
        last = queries.values[queries.offsets[1:] - 1]
        return self.transitions_[last].copy()


class MutatesInput(LastItem):
    def _fit(self, ss):
        super()._fit(ss)
        ss.values.sort()


class ClaimsStrictUnknown(LastItem):
    _tags = Tags(handles_unknown=False)


class SkipsUnknownCheck(LastItem):
    _tags = Tags(skip_checks={"no_such_check": "typo"})


class NoValidation(LastItem):
    def _validate_params(self):
        pass


class IncompleteTable(LastItem):
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "smoothing": [Interval(float, 0, None)]
    }


class UnseededNoise(NoisyLastItem):
    def _fit(self, ss):
        LastItem._fit(self, ss)
        self.transitions_ += np.random.default_rng().random(self.transitions_.shape)


class AcceptsBareSequence(LastItem):
    def fit(self, X, y=None):
        if X and not isinstance(X[0], (list, str)):
            X = [X]
        return super().fit(X)


class WrongShapeProba(LastItem):
    def predict_proba(self, X):
        return super().predict_proba(X)[:, :-1]


class BadScore(LastItem):
    def score(self, X, y=None):
        return 2.0


class ProbaDisagreesWithTopK(LastItem):
    def _proba(self, queries):
        rows = super()._proba(queries)
        rows[:, 3:] = rows[:, :2:-1]  # user ids in reverse: another ranking
        return rows


class ForgetfulPartialFit(LastItem):
    _tags = Tags(task="next-item", supports_partial_fit=True)

    def partial_fit(self, X, y=None):
        return self.fit(X)  # forgets what it learnt before


BROKEN = [
    (MutatesParam, "fit_keeps_params"),
    (Accumulates, "fit_no_accumulation"),
    (UnnormalisedProba, "predict_proba"),
    (WrongShapeProba, "predict_proba"),
    (UnsortedTopK, "top_k"),
    (PublicAttribute, "fitted_attributes"),
    (UndocumentedParam, "parameters_documented"),
    (NoExamples, "docstring_examples"),
    (SetsCacheInInit, "constructor"),
    (MutableDefault, "constructor"),
    (Positional, "constructor"),
    (SilentBeforeFit, "not_fitted"),
    (BatchDependent, "batch_equals_single"),
    (OrderDependent, "order_invariant"),
    (PrivateStateOnly, "save_load"),
    (MutatesInput, "inputs_not_mutated"),
    (ClaimsStrictUnknown, "edge_queries"),
    (SkipsUnknownCheck, "tags"),
    (NoValidation, "invalid_params"),
    (IncompleteTable, "parameter_table"),
    (UnseededNoise, "random_state"),
    (AcceptsBareSequence, "bad_input"),
    (BadScore, "prediction_shapes"),
    (ForgetfulPartialFit, "partial_fit"),
    (ProbaDisagreesWithTopK, "multistep"),
]


@pytest.mark.parametrize(
    "cls, check_name", [pytest.param(c, n, id=f"{c.__name__}:{n}") for c, n in BROKEN]
)
def test_broken_estimator_fails_its_check(cls, check_name):
    triples = {t[0]: t for t in yield_checks(cls(), name="broken")}
    _, check, estimator = triples[f"broken:{check_name}"]
    with pytest.raises(AssertionError):
        check(estimator)
    with pytest.raises(AssertionError, match=r"^broken|^[A-Z]\w+:"):
        check_estimator(cls())


def test_check_estimator_names_the_failing_check():
    with pytest.raises(AssertionError, match=r"^MutatesParam:fit_keeps_params: "):
        check_estimator(MutatesParam())
    with pytest.raises(AssertionError, match=r"^SetsCacheInInit:constructor: "):
        check_estimator(SetsCacheInInit())


def test_check_estimator_wraps_unexpected_errors():
    with pytest.raises(AssertionError, match=r"PrivateStateOnly:save_load: .*cannot"):
        check_estimator(PrivateStateOnly())
    with pytest.raises(
        AssertionError, match=r"^CrashesOnEmptyQuery:edge_queries: raised IndexError"
    ):
        check_estimator(CrashesOnEmptyQuery())


def test_broken_toys_pass_the_checks_they_do_not_break():
    # A guard against checks that fail everything: MutatesInput only breaks
    # the input check, so every other check must pass.
    for check_id, check, estimator in yield_checks(MutatesInput(), name="m"):
        if check_id in ("m:inputs_not_mutated",):
            continue
        try:
            check(estimator)
        except SkipCheck:
            pass


def test_unimportable_model_is_skipped(monkeypatch):
    from seqpred import _registry

    monkeypatch.setitem(
        _registry.REGISTRY, "ghost", ("seqpred_no_such_module:Ghost", "next-item")
    )
    triples = [t for t in registry_checks() if t[0].startswith("ghost")]
    assert [t[0] for t in triples] == ["ghost:import"]
    with pytest.raises(SkipCheck, match="seqpred_no_such_module"):
        triples[0][1](triples[0][2])


# -- broken neural models: the seq2seq and forecast checks catch them ---------------


def _broken_neural():
    pytest.importorskip("torch")
    from seqpred.models.forecast.neural import NeuralForecaster
    from seqpred.models.seq2seq.rnn import Seq2SeqNetwork

    class LenientTargets(Seq2SeqNetwork):
        def fit(self, X, y=None):
            y = list(X if y is None else y)
            return super().fit(X, (y * 2)[: len(X)])

    class DropsLastForecast(NeuralForecaster):
        def predict(self, X):
            return super().predict(X)[:-1]

    return [(LenientTargets, "bad_targets"), (DropsLastForecast, "forecast_outputs")]


def test_broken_neural_models_fail_their_checks():
    for cls, check_name in _broken_neural():
        params = cls._test_params()[0]
        triples = {t[0]: t for t in yield_checks(cls(**params), name="broken")}
        _, check, estimator = triples[f"broken:{check_name}"]
        with pytest.raises(AssertionError):
            check(estimator)
