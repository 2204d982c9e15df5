"""The search every ``auto`` model runs: candidates in order, a time budget, a choice.

An ``auto`` model of a task lists :class:`Candidate` models (registry name,
parameters, expected relative cost), **best expected first**, and scores
each on validation data it cuts from its own training data (the task
decides how: held-out sequences for next item, stratified folds for
classification, expanding-window backtests for forecasting). This module
holds what does not depend on the task:

:class:`Budget`
    wall-clock seconds left of ``max_time``;
:func:`run_candidates`
    evaluates candidates in order while the budget lasts (a candidate whose
    estimated cost does not fit is skipped, a failing one is reported, not
    fatal) and returns one :class:`Trial` per candidate;
:func:`choose`
    picks a trial: the first candidate stays chosen unless a later one
    wins on the same validation items by more than one standard error of
    the paired difference;
:func:`leaderboard`
    the rows of ``leaderboard_`` (plain values, saved with the model).

The scores are "higher is better"; per-item scores (``Trial.items``: 1/0
hits, or negative errors) make the paired comparison possible.

Examples
--------
>>> import numpy as np
>>> def evaluate(candidate):
...     hits = np.array([1, 1, 1, 0] if candidate.name == "a" else [1, 0, 0, 0])
...     return Trial(candidate, score=float(hits.mean()), items=hits)
>>> trials = run_candidates([Candidate("a"), Candidate("b")], evaluate, Budget(None))
>>> [t.score for t in trials], choose(trials)
([0.75, 0.25], 0)
>>> leaderboard(trials, 0)[0]["model"]
'a'
"""

from __future__ import annotations

import logging
import math
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqpred._registry import available, create, get_class
from seqpred._typing import Array
from seqpred.base import BaseEstimator
from seqpred.exceptions import InvalidParameterError, SeqpredWarning

__all__ = [
    "Budget",
    "Candidate",
    "OverBudget",
    "Trial",
    "choose",
    "leaderboard",
    "paired_gain",
    "run_candidates",
    "user_candidates",
]

logger = logging.getLogger(__name__)

OK, OVER_BUDGET, FAILED = "ok", "over budget", "failed"
"""The statuses of a trial."""


class OverBudget(Exception):  # noqa: N818 (a signal, not an error)
    """Raised by an ``evaluate`` function that stops a candidate for lack of time.

    :func:`run_candidates` records the candidate as ``"over budget"`` with
    the message as its note (say, after the first of five folds took too
    long).
    """


@dataclass(frozen=True)
class Candidate:
    """One model an ``auto`` model may choose: a registry name and parameters.

    Parameters
    ----------
    name : str
        A registry name (``seqpred.available()``).
    params : mapping, default={}
        Constructor parameters.
    cost : float, default=1.0
        Expected cost relative to the task's first candidate; used to
        estimate, before running it, whether a candidate fits the budget.

    Examples
    --------
    >>> Candidate("ppm", {"max_order": 3}).label
    'ppm(max_order=3)'
    >>> Candidate("ppm", {"max_order": 3}).build()
    PPM(max_order=3)
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=dict)
    cost: float = 1.0

    @property
    def label(self) -> str:
        """The name with its parameters, as a leaderboard shows it."""
        shown = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.name}({shown})" if shown else self.name

    def build(self, **extra: Any) -> BaseEstimator:
        """Return a new, unfitted estimator (``extra`` only where it is a parameter)."""
        accepted = get_class(self.name)._param_names()
        given = {k: v for k, v in extra.items() if k in accepted}
        return create(self.name, **{**given, **self.params})


@dataclass
class Trial:
    """The validation of one candidate.

    Parameters
    ----------
    candidate : Candidate
        What was validated.
    score : float or None, default=None
        Mean validation score (higher is better); None when not run.
    items : ndarray or None, default=None
        Per validation item scores, the same items for every candidate of a
        search (paired comparisons); not saved.
    fit_seconds, predict_seconds : float, default=0.0
        Time spent fitting and predicting during validation.
    status : {"ok", "over budget", "failed"}, default="ok"
        Whether it ran.
    note : str, default=""
        Why it did not run, or what it holds (a blend's weights).
    """

    candidate: Candidate
    score: float | None = None
    items: Array | None = None
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0
    status: str = OK
    note: str = ""

    @property
    def seconds(self) -> float:
        """Fit plus predict seconds."""
        return self.fit_seconds + self.predict_seconds


class Budget:
    """Seconds left of ``max_time``, counted from when the budget is made.

    Parameters
    ----------
    max_time : float or None
        Seconds; ``None`` means no limit.

    Examples
    --------
    >>> Budget(None).remaining
    inf
    >>> Budget(60.0).allows(1.0), Budget(0.0).allows(1.0)
    (True, False)
    """

    def __init__(self, max_time: float | None) -> None:
        self.max_time = max_time
        self.start = time.perf_counter()

    @property
    def elapsed(self) -> float:
        """Seconds since the budget was made."""
        return time.perf_counter() - self.start

    @property
    def remaining(self) -> float:
        """Seconds left (``inf`` without a limit; never negative)."""
        if self.max_time is None:
            return math.inf
        return max(0.0, self.max_time - self.elapsed)

    def allows(self, seconds: float) -> bool:
        """Whether ``seconds`` more fit in what is left."""
        return seconds <= self.remaining


def user_candidates(models: Any, task: str, owner: str) -> list[Candidate]:
    """Return the candidates a user listed: registry names or ``(name, params)`` pairs.

    Each name must be a registered model of ``task`` (auto models excluded).

    Raises
    ------
    InvalidParameterError
        For an unknown name, a name of another task, a malformed entry or
        an empty list; the message lists the names to choose from.

    Examples
    --------
    >>> [c.label for c in user_candidates(["markov", ("ppm", {"max_order": 2})],
    ...                                   "next-item", "AutoNextItem")]
    ['markov', 'ppm(max_order=2)']
    """
    known = {n for n in available(task) if not n.startswith("auto")}
    out = []
    for entry in models:
        name, params = (entry, {}) if isinstance(entry, str) else _pair(entry)
        if name not in known or not isinstance(params, dict):
            raise InvalidParameterError(
                f"{owner}: models entries must be {task} registry names or (name, "
                f"{{parameters}}) pairs; got {entry!r}. Choose names from "
                f"{sorted(known)}, or use models=None."
            )
        out.append(Candidate(name, params))
    if not out:
        raise InvalidParameterError(
            f"{owner}: models must list at least one candidate; got {models!r}. Use "
            "models=None for the default search."
        )
    return out


def _pair(entry: Any) -> tuple[Any, Any]:
    if isinstance(entry, (tuple, list)) and len(entry) == 2:
        return entry[0], entry[1]
    return None, None


def _estimate(candidate: Candidate, done: Sequence[Trial]) -> float:
    """Seconds a candidate should take, from the measured seconds per unit of cost."""
    measured = [t.seconds / max(t.candidate.cost, 1e-9) for t in done if t.status == OK]
    if not measured:
        return 0.0
    return float(np.median(measured)) * candidate.cost


def run_candidates(
    candidates: Sequence[Candidate],
    evaluate: Callable[[Candidate], Trial],
    budget: Budget,
    *,
    reserve: Callable[[Sequence[Trial]], float] | None = None,
    previous: Sequence[Trial] = (),
) -> list[Trial]:
    """Validate candidates in order while the budget lasts; one trial each.

    Parameters
    ----------
    candidates : sequence of Candidate
        Best expected first: with a small budget the first ones run.
    evaluate : callable
        ``evaluate(candidate) -> Trial`` (score, per-item scores, seconds).
    budget : Budget
        A candidate runs when its estimated seconds (the median measured
        seconds per unit of :attr:`Candidate.cost` so far, times its cost)
        fit in the budget left after ``reserve``.
    reserve : callable, default=None
        ``reserve(trials_so_far) -> seconds`` kept for what follows the
        search (refitting the winner on all the data).
    previous : sequence of Trial, default=()
        Trials of an earlier stage of the same search: their measured
        seconds inform the estimates (they are not returned again).

    Returns
    -------
    list of Trial
        In the order of ``candidates``: ``status="over budget"`` for those
        skipped, ``"failed"`` (with the error in ``note``) for those that
        raised. A failure never stops the search.

    Notes
    -----
    seqpred's warnings raised while a candidate is validated (convergence,
    fallbacks) are silenced: they concern a model the user did not ask for.
    The final fit of the chosen model, outside this function, warns as usual.
    """
    trials: list[Trial] = []
    for candidate in candidates:
        done = [*previous, *trials]
        kept = reserve(done) if reserve is not None else 0.0
        needed = _estimate(candidate, done)
        if not budget.allows(needed + kept) or budget.remaining <= 0.0:
            note = f"estimated {needed:.2g}s, {budget.remaining:.2g}s left"
            trials.append(Trial(candidate, status=OVER_BUDGET, note=note))
            continue
        try:
            with warnings.catch_warnings():  # a candidate's notices: not the user's
                warnings.simplefilter("ignore", SeqpredWarning)
                trial = evaluate(candidate)
        except OverBudget as exc:
            trial = Trial(candidate, status=OVER_BUDGET, note=str(exc))
        except Exception as exc:  # a candidate that breaks is reported, not fatal
            logger.debug("auto: %s failed", candidate.label, exc_info=True)
            message = " ".join(str(exc).split())[:200]
            trial = Trial(
                candidate, status=FAILED, note=f"{type(exc).__name__}: {message}"
            )
        trials.append(trial)
    return trials


def paired_gain(a: Array, b: Array) -> tuple[float, float]:
    """Return the summed gain of ``a`` over ``b`` and its standard error.

    For 0/1 hits the error is the square root of the number of discordant
    items (a sign test); in general the root of the summed squared
    differences.

    Examples
    --------
    >>> paired_gain(np.array([1, 1, 1, 0]), np.array([1, 0, 0, 0]))
    (2.0, 1.414...)
    """
    difference = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return float(difference.sum()), float(np.sqrt(max((difference**2).sum(), 1.0)))


def choose(trials: Sequence[Trial], min_gain: float = 1.0) -> int | None:
    """Return the index of the chosen trial (``None`` when none ran).

    The first trial that ran is chosen unless a later one beats the current
    choice on the same items by more than ``min_gain`` standard errors
    (:func:`paired_gain`); so on small validation sets the candidate
    expected to be best (listed first) is kept instead of a lucky one.
    Trials without per-item scores compare by ``score`` alone.
    """
    best: int | None = None
    for i, trial in enumerate(trials):
        if trial.status != OK or trial.score is None:
            continue
        if best is None:
            best = i
            continue
        incumbent = trials[best]
        assert incumbent.score is not None
        if trial.items is None or incumbent.items is None:
            if trial.score > incumbent.score:
                best = i
            continue
        gain, error = paired_gain(trial.items, incumbent.items)
        if gain > min_gain * error:
            best = i
    return best


def _plain(value: Any) -> Any:
    """Parameters as saveable plain values (tuples stay tuples)."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def leaderboard(trials: Sequence[Trial], chosen: int | None) -> list[dict[str, Any]]:
    """Rows of ``leaderboard_``: one per trial, in the order they were listed.

    Each row holds ``model`` (registry name), ``params``, ``score`` (None
    when not run), ``fit_seconds``, ``predict_seconds``, ``status``,
    ``chosen`` and ``note``.
    """
    rows = []
    for i, trial in enumerate(trials):
        rows.append(
            {
                "model": trial.candidate.name,
                "params": {k: _plain(v) for k, v in trial.candidate.params.items()},
                "score": None if trial.score is None else round(float(trial.score), 6),
                "fit_seconds": round(trial.fit_seconds, 4),
                "predict_seconds": round(trial.predict_seconds, 4),
                "status": trial.status,
                "chosen": i == chosen,
                "note": trial.note,
            }
        )
    return rows
