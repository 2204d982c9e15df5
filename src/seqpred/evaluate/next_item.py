"""Next-item evaluation: the query/consequent protocol of CPT+ and k-fold by sequence.

Each test sequence is cut into a *query* (the ``window`` items before the
end) and a *consequent* (its last ``consequent`` items). The model predicts
from the query; the top prediction is a **success** when it is one of the
consequent items, a **no match** when the model predicts nothing, and a
**failure** otherwise. Ranking metrics (HR@k, MRR@k, NDCG@k) are scored
against the first consequent item.

References
----------
Gueniche, Fournier-Viger, Raman and Tseng (2015), "CPT+: Decreasing the time/
space complexity of the Compact Prediction Tree", PAKDD, section 4 (the
protocol, with 14-fold cross-validation).
"""

from __future__ import annotations

import dataclasses
import random
import sys
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np
from tqdm import tqdm

from seqpred._params import check_int
from seqpred._typing import Array
from seqpred.base import BaseEstimator, clone
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import UNK_ID, Vocabulary
from seqpred.evaluate._checks import as_ids
from seqpred.evaluate._ranking import (
    discounted_gain,
    first_hit_rank,
    has_prediction,
    in_set,
    reciprocal_rank,
)
from seqpred.evaluate._report import NextItemReport
from seqpred.exceptions import DataError, InvalidParameterError, NotFittedError

__all__ = [
    "NextItemModel",
    "NextItemReport",
    "cross_validate_next_item",
    "evaluate_next_item",
]


class NextItemModel(Protocol):
    """What the evaluator needs from a next-item model."""

    vocabulary_: Vocabulary

    def fit(self, X: Any) -> Any:
        """Learn from training sequences."""

    def predict_top_k_ids(self, X: Any, k: int) -> tuple[Array, Array]:
        """Return ``(ids, scores)`` of shape ``(N, k)``; id ``-1`` is no item."""


# -- checks ---------------------------------------------------------------------------


def _check_settings(window: Any, consequent: Any, k: Any, who: str) -> None:
    check_int(
        who, "window", window,
        low=1, default=None, optional=True, hint="for the whole prefix",
    )  # fmt: skip
    check_int(who, "consequent", consequent, low=1, default=1)
    check_int(who, "k", k, low=1, default=10)


def _check_model(model: Any, who: str) -> None:
    if not callable(getattr(model, "predict_top_k_ids", None)):
        raise InvalidParameterError(
            f"{who}: model must be a next-item model with predict_top_k_ids; got "
            f"{type(model).__name__}. Use a registered next-item model, e.g. "
            "seqpred.create('markov')."
        )
    if getattr(model, "vocabulary_", None) is None:
        raise NotFittedError(
            f"{who}: the model {type(model).__name__} is not fitted (it has no "
            "vocabulary_). Call model.fit(train_sequences) first, or use "
            "cross_validate_next_item."
        )


# -- the protocol ---------------------------------------------------------------------


def _empty_report(n_skipped: int, k: int) -> NextItemReport:
    nan = float("nan")
    return NextItemReport(0, n_skipped, nan, nan, nan, nan, nan, nan, k=k)


def _predict(model: NextItemModel, queries: SequenceSet, k: int, who: str) -> Array:
    """Return the model's ``(N, k')`` top-k ids after checking their shape.

    ``k' = min(k, number of symbols)``: models cap ``k`` at their symbols.
    """
    ids, _ = model.predict_top_k_ids(queries, k)
    ids = as_ids(ids, "predict_top_k_ids(...) ids", who, ndim=2, low=-1)
    width = min(k, max(len(model.vocabulary_), 1))
    if ids.shape != (len(queries), width) and ids.shape != (len(queries), k):
        raise DataError(
            f"{who}: the model returned ids of shape {ids.shape}; expected "
            f"{(len(queries), width)} (one row of k ids per query, k capped at "
            "the number of symbols). Fix the model's predict_top_k_ids to pad "
            "rows with -1."
        )
    return ids


def _score(
    model: NextItemModel,
    ss: SequenceSet,
    window: int | None,
    consequent: int,
    k: int,
    who: str,
) -> NextItemReport:
    """Cut queries and consequents, predict once, and score (fit time left at 0)."""
    kept = ss.filter_length(consequent + 1)
    n = len(kept)
    if n == 0:
        return _empty_report(len(ss), k)
    start = None if window is None else -(consequent + window)
    queries = kept.slice_steps(start, -consequent)
    answers = kept.slice_steps(-consequent, None).values.reshape(n, consequent)
    tic = time.perf_counter()
    ids = _predict(model, queries, k, who)  # (N, k)
    predict_seconds = time.perf_counter() - tic
    n_success = int(in_set(ids[:, 0], answers, who).sum())
    n_no_match = int((~has_prediction(ids, who)).sum())
    rank = first_hit_rank(ids, answers[:, 0], ids.shape[1], who)
    return NextItemReport(
        n_queries=n,
        n_skipped=len(ss) - n,
        accuracy=n_success / n,
        no_match_rate=n_no_match / n,
        failure_rate=(n - n_success - n_no_match) / n,
        hit_rate=float(np.mean(rank > 0)),
        mrr=float(np.mean(reciprocal_rank(rank))),
        ndcg=float(np.mean(discounted_gain(rank))),
        k=k,
        predict_seconds=predict_seconds,
    )


def _encode_for(model: NextItemModel, sequences: Any, who: str) -> SequenceSet:
    return as_sequence_set(
        sequences,
        vocabulary=model.vocabulary_,
        unknown="unk",
        kind="discrete",
        owner=who,
    )


def evaluate_next_item(
    model: NextItemModel,
    sequences: Any,
    *,
    window: int | None = None,
    consequent: int = 1,
    k: int = 10,
) -> NextItemReport:
    """Score a fitted next-item model on held-out sequences.

    Parameters
    ----------
    model : fitted next-item model
        Anything with ``vocabulary_`` and ``predict_top_k_ids(X, k)``.
    sequences : SequenceSet, list of lists or list of strings
        Test sequences; symbols the model has never seen become ``<unk>``.
    window : int, default=None
        Items of the query just before the consequent; ``None`` uses all.
    consequent : int, default=1
        Items held out at the end of each sequence; a top prediction equal
        to any of them is a success.
    k : int, default=10
        Cut-off of HR@k, MRR@k and NDCG@k.

    Returns
    -------
    NextItemReport
        With ``fit_seconds = 0.0``.

    Raises
    ------
    NotFittedError
        The model has not been fitted.
    DataError
        No test sequence has ``consequent + 1`` items.

    Notes
    -----
    One ``predict_top_k_ids`` call covers all queries; queries and
    consequents are cut with :meth:`SequenceSet.slice_steps`, so the cost
    beyond the model is linear in the number of test items.

    Examples
    --------
    >>> import seqpred
    >>> train = [[1, 2, 3], [1, 2, 3], [2, 4]]
    >>> model = seqpred.create("markov", order=1).fit(train)
    >>> report = evaluate_next_item(model, [[1, 2], [2, 4], [5]], k=2)
    >>> report.n_queries, report.n_skipped, report.accuracy, report.hit_rate
    (2, 1, 0.5, 1.0)
    >>> report.mrr
    0.75
    """
    who = "evaluate_next_item"
    _check_settings(window, consequent, k, who)
    _check_model(model, who)
    ss = _encode_for(model, sequences, who)
    report = _score(model, ss, window, consequent, int(k), who)
    if report.n_queries == 0:
        raise DataError(
            f"{who}: no test sequence has at least consequent + 1 = "
            f"{consequent + 1} items; got lengths up to {int(ss.lengths.max())}. "
            "Pass longer sequences or lower consequent."
        )
    return report


# -- cross-validation -----------------------------------------------------------------


def _model_factory(make_model: Any, who: str) -> Callable[[], NextItemModel]:
    """Return a zero-argument callable building a fresh, unfitted model."""
    if isinstance(make_model, BaseEstimator):
        template = make_model
        return lambda: clone(template)  # type: ignore[return-value]
    if callable(make_model):
        factory: Callable[[], NextItemModel] = make_model
        return factory
    raise InvalidParameterError(
        f"{who}: make_model must be a zero-argument callable returning an unfitted "
        f"model (or an estimator to clone); got {make_model!r}. Use "
        "make_model=lambda: seqpred.create('markov')."
    )


def _shuffled_order(n: int, seed: int | None, who: str) -> Array:
    """Return the permutation ``random.Random(seed).shuffle`` applies to ``n`` items.

    Shuffling indices gives the same permutation as shuffling the list itself,
    which is how the CPT+ papers' protocol orders sequences.
    """
    order = list(range(n))
    if seed is not None:
        check_int(who, "shuffle_seed", seed, low=0, default=42, hint="or None")
        random.Random(int(seed)).shuffle(order)
    return np.asarray(order, dtype=np.int64)


def _fold_bounds(n: int, n_folds: int, who: str) -> list[tuple[int, int]]:
    """Return each fold's ``[lo, hi)``: blocks of ``n // n_folds``, the last longer."""
    size = int(n / n_folds)
    if size == 0:
        raise DataError(
            f"{who}: {n} sequences cannot fill n_folds={n_folds} folds; expected "
            f"at least {n_folds} sequences; got {n}. Lower n_folds."
        )
    starts = [i * size for i in range(n_folds)]
    stops = starts[1:] + [n]
    return list(zip(starts, stops))


def _training_set(ss: SequenceSet, lo: int, hi: int) -> SequenceSet:
    """Return all sequences outside ``[lo, hi)``, with a vocabulary of their own.

    The vocabulary holds only the training symbols, in first-seen order, as
    if the model had been fitted on the training lists: test-only symbols
    must not leak into the model (its vocabulary size, smoothing, outputs).
    """
    index = np.concatenate([np.arange(lo), np.arange(hi, len(ss))])
    train = ss.take(index)
    assert train.vocabulary is not None  # discrete data always has one
    n_reserved = Vocabulary.n_reserved
    values = train.values
    # first position of each id (ids are bounded by the vocabulary size)
    first = np.full(train.vocabulary.size, len(values), dtype=np.int64)
    np.minimum.at(first, values, np.arange(len(values), dtype=np.int64))
    present = np.flatnonzero(first[n_reserved:] < len(values)) + n_reserved
    seen = present[np.argsort(first[present], kind="stable")]  # first-seen order
    table = np.full(train.vocabulary.size, UNK_ID, dtype=np.int64)
    table[:n_reserved] = np.arange(n_reserved)
    table[seen] = np.arange(n_reserved, n_reserved + len(seen))
    return SequenceSet(
        table[values],
        train.offsets,
        vocabulary=Vocabulary(train.vocabulary.decode(seen)),
        labels=train.labels,
        ids=train.ids,
        timestamps=train.timestamps,
        itemset_start=train.itemset_start,
        fields=train.fields,
        static=train.static,
    )


def _run_fold(
    factory: Callable[[], NextItemModel],
    ss: SequenceSet,
    bounds: tuple[int, int],
    settings: tuple[int | None, int, int],
    who: str,
) -> NextItemReport:
    """Fit a fresh model on the other folds and score it on ``ss[lo:hi]``."""
    lo, hi = bounds
    window, consequent, k = settings
    model = factory()
    tic = time.perf_counter()
    model.fit(_training_set(ss, lo, hi))
    fit_seconds = time.perf_counter() - tic
    _check_model(model, who)
    test = _encode_for(model, ss.take(np.arange(lo, hi)), who)
    report = _score(model, test, window, consequent, k, who)
    return dataclasses.replace(report, fit_seconds=fit_seconds)


def cross_validate_next_item(
    make_model: Callable[[], NextItemModel] | BaseEstimator,
    sequences: Any,
    *,
    n_folds: int = 14,
    window: int | None = None,
    consequent: int = 1,
    k: int = 10,
    shuffle_seed: int | None = 42,
    progress: bool = False,
) -> tuple[NextItemReport, list[NextItemReport]]:
    """Run k-fold cross-validation by sequence with the CPT+ query protocol.

    Parameters
    ----------
    make_model : callable or estimator
        A zero-argument callable returning an unfitted model (an estimator
        instance is cloned for each fold instead).
    sequences : SequenceSet, list of lists or list of strings
        All sequences; each fold is the test set once.
    n_folds : int, default=14
        Number of folds (the CPT+ papers use 14).
    window : int, default=None
        Query length before the consequent; ``None`` uses the whole prefix.
    consequent : int, default=1
        Items held out at the end of each test sequence.
    k : int, default=10
        Cut-off of the ranking metrics.
    shuffle_seed : int, default=42
        Seed of ``random.Random(seed).shuffle`` applied to the sequences
        before cutting folds; ``None`` keeps the given order.
    progress : bool, default=False
        Show a progress bar over folds on stderr.

    Returns
    -------
    total : NextItemReport
        All folds combined (:meth:`NextItemReport.combine`).
    folds : list of NextItemReport
        One report per fold, with its fit and predict times.

    Raises
    ------
    DataError
        Fewer sequences than folds, or no sequence long enough to query.

    Notes
    -----
    Folds are contiguous blocks of ``int(n / n_folds)`` shuffled sequences;
    the last fold also takes the remainder. Each fold's model is trained on
    the other folds' whole sequences, with a vocabulary of their symbols only.

    Examples
    --------
    >>> import seqpred
    >>> data = [[1, 2, 3], [1, 2, 3], [2, 3], [1, 2], [1, 2, 3], [2, 3]]
    >>> total, folds = cross_validate_next_item(
    ...     lambda: seqpred.create("markov", order=1), data, n_folds=3, k=2
    ... )
    >>> len(folds), total.n_queries, total.accuracy
    (3, 6, 1.0)
    """
    who = "cross_validate_next_item"
    _check_settings(window, consequent, k, who)
    check_int(who, "n_folds", n_folds, low=2, default=14, hint="as in the CPT+ papers")
    factory = _model_factory(make_model, who)
    ss = as_sequence_set(sequences, unknown="add", kind="discrete", owner=who)
    if ss.vocabulary is None:
        raise DataError(
            f"{who}: sequences must be discrete symbols; got {ss!r}. Pass lists "
            "of symbols or a discrete SequenceSet."
        )
    ss = ss.take(_shuffled_order(len(ss), shuffle_seed, who))
    settings = (window, consequent, int(k))
    bounds = _fold_bounds(len(ss), int(n_folds), who)
    bar = tqdm(bounds, desc=who, file=sys.stderr, disable=not progress, leave=False)
    folds = [_run_fold(factory, ss, b, settings, who) for b in bar]
    total = NextItemReport.combine(folds)
    if total.n_queries == 0:
        raise DataError(
            f"{who}: no sequence has at least consequent + 1 = {consequent + 1} "
            "items; got none long enough to query. Lower consequent."
        )
    return total, folds
