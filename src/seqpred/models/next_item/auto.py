"""AutoNextItem: the next-item model and its parameters chosen by validation in fit."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.auto.search import (
    OK,
    OVER_BUDGET,
    Budget,
    Candidate,
    Trial,
    choose,
    leaderboard,
    run_candidates,
    user_candidates,
)
from seqpred.models.next_item.base import NextItemMixin
from seqpred.models.next_item.ensemble._combine import (
    candidate_scores,
    simplex_grid,
    top_k_from_scores,
)

__all__ = ["AutoNextItem"]

DEFAULT_CANDIDATES = (
    Candidate("cpt+", cost=1.0),
    Candidate("markov", {"order": 3}, cost=1.5),
    Candidate("dg", cost=1.5),
)
"""The default search: similar sequences (CPT+), contexts (Markov), a look-ahead
graph (DG); best expected first. Under the CPT+ papers' protocol one of them,
or a blend of them, is within half a point of the best default model on
every dataset of docs/benchmarks.md."""

DG_MAX_SYMBOLS = 1000
"""The default search leaves DG out above this many symbols: its fit grows
with the vocabulary (twice CPT+'s on 8,000 words) and it pays on click logs
and other small alphabets, not on words."""

MORE_CANDIDATES = (
    Candidate("dg", cost=1.5),
    Candidate("ppm", cost=4.0),
    Candidate("akom", cost=2.5),
    Candidate("cpt", cost=1.5),
    Candidate("markov", {"order": 2}, cost=1.2),
    Candidate("markov", {"order": 5}, cost=2.0),
    Candidate("tdag", cost=4.0),
    Candidate("lz78", cost=1.5),
    Candidate("cpt+", {"window": 8}, cost=1.5),
)
"""Added by ``models="all"``, after the default ones."""

NEURAL_MIN_TIME = 120.0
"""``models="all"`` tries a GRU only with at least this ``max_time`` (seconds)."""

REFIT_BY_PARTIAL_FIT = frozenset({"cpt+", "cpt", "dg", "markov", "tdag"})
"""Models whose ``partial_fit`` with the held-out sequences (the last ones)
gives the model of a fit on all the data (the same stored sequences or
counts, in the same order: the conformance suite's ``check_partial_fit``)
for a fraction of a fit; the others are refitted. (PPM's ``partial_fit``
re-interns its tables and costs about a fit.)"""

N_BLEND_CANDIDATES = 20
"""Candidates taken from each model of a blend per query."""
WEIGHT_STEPS = 10
MAX_VALIDATION = 500
"""At most this many held-out sequences (validation queries)."""
MIN_VALIDATION = 2
MAX_VALIDATION_TRAIN: int | None = 20_000
"""Candidates are validated after a fit on at most this many sequences."""


class AutoNextItem(NextItemMixin):
    """Choose the next-item model and its parameters by validation inside ``fit``.

    ``fit`` holds out the last training sequences (``validation_fraction``
    of them, at most 500), fits each candidate model on the others, and asks
    it for each held-out sequence's next item after a query of ``window``
    items; a prediction is a hit when it is among the ``consequent`` items
    that follow (the CPT+ papers' protocol; ``consequent=1``: the next
    item). Candidates run best expected first, while ``max_time`` lasts; a
    weighted blend of the best ones is scored on the same queries. The
    candidate listed first is kept unless another wins by more than one
    standard error of the paired difference (so small validation sets do
    not chase noise), and the winner is then fitted on all the training
    sequences.

    Parameters
    ----------
    models : None, "all" or tuple, default=None
        The candidates. ``None``: CPT+, Markov (order 3) and DG, the three
        families that win somewhere, and their blends (DG only up to 1,000
        symbols: its cost grows with the vocabulary); ``"all"``: also PPM,
        AKOM, CPT, Markov orders 2 and 5, TDAG, LZ78, CPT+ with an 8-item
        window, and a GRU when PyTorch is installed and ``max_time`` is at
        least 120 s (or None); a tuple: registry names (default parameters)
        or ``(name, {parameters})`` pairs, best expected first.
    window : int or None, default=None
        Items of a validation query (before its consequent); ``None`` uses
        the whole prefix. Set it to the query length you will predict from.
    consequent : int, default=1
        A validation prediction is a hit when it is among this many items
        that follow the query. Set it to how you will score the model.
    max_time : float or None, default=60.0
        Seconds for the search (validation and the final fit); ``None``
        means no limit. Candidates whose estimated time does not fit are
        skipped; when not even the first one fits, it is fitted without
        validation. A limit that cuts the search makes the choice depend
        on the machine's speed.
    validation_fraction : float, default=0.15
        Share of the training sequences held out (the last ones, at most
        500).
    blend : bool, default=True
        Also score weighted blends of the two and three best candidates,
        chosen only when they beat the best single one.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when the chosen model proposes nothing.
    on_unknown : {"ignore", "error"}, default="ignore"
        Unseen symbols in queries: passed to the chosen model, or raise.
    random_state : None or int, default=None
        Seed of the candidates that use randomness (the GRU).

    Attributes
    ----------
    best_name_ : str
        Registry name of the chosen model, or ``"blend"``.
    best_params_ : dict
        Its parameters (for a blend: ``models``, a list of ``[name, params]``
        pairs, and ``weights``).
    best_estimator_ : estimator or None
        The chosen model, fitted on all the training data; ``None`` for a
        blend (its members are in ``estimators_``).
    estimators_ : list of estimators
        The fitted models that predict (one, or a blend's members).
    weights_ : ndarray of shape (len(estimators_),)
        Their weights (a single model: ``[1.0]``).
    leaderboard_ : list of dict
        One row per candidate: ``model``, ``params``, ``score`` (validation
        accuracy; None when not run), ``fit_seconds``, ``predict_seconds``,
        ``status`` ("ok", "over budget", "failed"), ``chosen``, ``note``.
    validation_score_ : float
        Validation accuracy of the choice (NaN when it was not validated).
    n_validation_ : int
        Number of validation queries.
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        How often each id occurs in the training data.
    n_sequences_ : int
        Number of training sequences.

    Notes
    -----
    Cost: the candidates' fits on the training sequences that are not held
    out, their predictions for the validation queries, and the final fit of
    the winner (CPT+, CPT and DG add the held-out sequences with
    ``partial_fit`` instead, which stores the same sequences in the same
    order as a fit on all of them). Blends cost no extra fit in the search;
    a chosen blend predicts with all its members.

    Validation respects order: the held-out sequences are the last ones, so
    with sequences in time order every model is judged on later sequences
    than it learned from. The choice is only as good as ``window`` and
    ``consequent`` describe how the model will be used: under the CPT+
    papers' protocol on MSNBC (two consequent items) CPT+ wins, predicting
    the very next item Markov wins.

    Examples
    --------
    >>> from seqpred.models.next_item import AutoNextItem
    >>> sessions = [["home", "search", "product", "cart"]] * 6 + [
    ...     ["home", "product", "search", "cart"]] * 4
    >>> model = AutoNextItem(models=("markov", "dg"), max_time=None).fit(sessions)
    >>> model.best_name_, model.predict([["home", "search", "product"]])
    ('markov', ['cart'])
    >>> [row["model"] for row in model.leaderboard_]
    ['markov', 'dg', 'blend']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "models": [None, Options({"all"}), tuple, list],
        "window": [None, Interval(int, 1, None)],
        "consequent": [Interval(int, 1, None)],
        "max_time": [None, Interval(float, 0, None)],
        "validation_fraction": [Interval(float, 0, 0.5, closed="neither")],
        "blend": [bool],
        "fallback": [None, str, int],
        "on_unknown": [Options({"ignore", "error"})],
        "random_state": [None, Interval(int, 0, None)],
    }
    _tags: ClassVar[Tags] = Tags()

    def __init__(
        self,
        models: Any = None,
        *,
        window: int | None = None,
        consequent: int = 1,
        max_time: float | None = 60.0,
        validation_fraction: float = 0.15,
        blend: bool = True,
        fallback: Any = None,
        on_unknown: str = "ignore",
        random_state: int | None = None,
    ) -> None:
        self.models = models
        self.window = window
        self.consequent = consequent
        self.max_time = max_time
        self.validation_fraction = validation_fraction
        self.blend = blend
        self.fallback = fallback
        self.on_unknown = on_unknown
        self.random_state = random_state

    best_name_: str
    best_params_: dict[str, Any]
    estimators_: list[Any]
    weights_: Array
    leaderboard_: list[dict[str, Any]]
    validation_score_: float
    n_validation_: int

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"models": ("markov", "dg"), "max_time": None},
            {"models": (("markov", {"order": 1}), "cpt+"), "max_time": None,
             "consequent": 2, "blend": False, "fallback": "most_frequent"},
        ]  # fmt: skip

    # -- the candidates
    def _candidates(self, budget: Budget) -> list[Candidate]:
        if self.models in (None, "all"):
            out = list(DEFAULT_CANDIDATES)
            if len(self.vocabulary_) > DG_MAX_SYMBOLS:
                out = [c for c in out if c.name != "dg"]
            if self.models is None:
                return out
            out += [c for c in MORE_CANDIDATES if c not in out]
            neural = _neural_candidate(budget)
            return out + ([neural] if neural is not None else [])
        return user_candidates(self.models, "next-item", "AutoNextItem")

    # -- learning
    def _fit(self, ss: SequenceSet) -> None:
        budget = Budget(self.max_time)
        candidates = self._candidates(budget)
        split = self._split(ss)
        trials: list[Trial] = []
        fitted: dict[int, Any] = {}
        if split is not None:
            trials = self._search(candidates, split, budget, fitted)
        chosen = choose(trials)
        if chosen is None:  # nothing validated: the first candidate, unvalidated
            trials = trials or [Trial(c, status=OVER_BUDGET) for c in candidates]
            self._finish(ss, [candidates[0]], np.ones(1), [None], split)
            self.leaderboard_ = leaderboard(trials, None)
            self.validation_score_ = float("nan")
            return
        winner = trials[chosen]
        members = [winner.candidate] if winner.candidate.name != "blend" else None
        if members is None:
            indices = list(winner.candidate.params["members"])
            members = [trials[i].candidate for i in indices]
            weights = np.asarray(winner.candidate.params["weights"], dtype=np.float64)
            models = [fitted.get(i) for i in indices]
        else:
            weights, models = np.ones(1), [fitted.get(chosen)]
        self._finish(ss, members, weights, models, split)
        self.leaderboard_ = leaderboard(trials, chosen)
        for row in self.leaderboard_:
            if row["model"] == "blend":  # indices -> labels, for the reader
                row["params"] = self._blend_params(trials, row["params"])
        self.validation_score_ = float(winner.score or 0.0)

    def _split(
        self, ss: SequenceSet
    ) -> tuple[SequenceSet, SequenceSet, Array, Array] | None:
        """Cut ``ss`` for validation; None when too few sequences are long enough.

        The held-out sequences are the last ones with at least
        ``consequent + 1`` items. Returns the training part (every sequence
        before the first held-out one), the queries, their consequent ids
        ``(Q, consequent)`` and the indices of the sequences not trained on.
        """
        n = len(ss)
        long_enough = np.flatnonzero(ss.lengths >= self.consequent + 1)
        n_held = min(int(round(self.validation_fraction * n)), MAX_VALIDATION)
        n_held = min(n_held, len(long_enough) - 1)
        self.n_validation_ = 0
        if n_held < MIN_VALIDATION:
            return None
        held = long_enough[-n_held:]
        start = int(held[0])  # everything from here on is held out or unused
        before = np.arange(start)
        if MAX_VALIDATION_TRAIN is not None and start > MAX_VALIDATION_TRAIN:
            step = start / MAX_VALIDATION_TRAIN  # evenly spaced: a bounded cost
            before = (np.arange(MAX_VALIDATION_TRAIN) * step).astype(np.int64)
        train = ss.take(before)
        if len(train) == 0 or train.n_steps == 0:
            return None
        tested = ss.take(held)
        c = self.consequent
        lo = None if self.window is None else -(c + self.window)
        queries = tested.slice_steps(lo, -c)
        ends = tested.offsets[1:]
        targets = tested.values[ends[:, None] - np.arange(c, 0, -1)[None, :]]
        self.n_validation_ = len(held)
        return train, queries, targets, np.arange(start, n)

    def _search(
        self,
        candidates: list[Candidate],
        split: tuple[SequenceSet, Any, Array, Array],
        budget: Budget,
        fitted: dict[int, Any],
    ) -> list[Trial]:
        """Validate the candidates (and blends); fill ``fitted`` by trial index."""
        train, queries, targets, _ = split
        width = N_BLEND_CANDIDATES if self.blend else 1
        results: list[tuple[Any, Array, Array]] = []  # one per trial that ran

        def evaluate(candidate: Candidate) -> Trial:
            start = time.perf_counter()
            model: Any = candidate.build(random_state=self.random_state)
            model.fit(train)
            middle = time.perf_counter()
            ids, scores = model.predict_top_k_ids(queries, width)
            seconds = (middle - start, time.perf_counter() - middle)
            hits = _hits(ids[:, 0], targets)
            results.append((model, ids, scores))
            return Trial(candidate, float(hits.mean()), hits, *seconds)

        def reserve(done: Sequence[Trial]) -> float:  # time to refit the best so far
            return 1.25 * max(
                (t.fit_seconds for t in done if t.status == OK), default=0
            )

        trials = run_candidates(candidates, evaluate, budget, reserve=reserve)
        ran = [i for i, trial in enumerate(trials) if trial.status == OK]
        ranked = {}
        for i, (model, ids, scores) in zip(ran, results):
            fitted[i] = model
            ranked[i] = (ids, scores)
        if self.blend:
            trials += _blends(trials, ranked, targets)
        return trials

    def _blend_params(
        self, trials: list[Trial], params: dict[str, Any]
    ) -> dict[str, Any]:
        members = [trials[i].candidate for i in params["members"]]
        return {
            "models": [[c.name, dict(c.params)] for c in members],
            "weights": [float(w) for w in params["weights"]],
        }

    def _finish(
        self,
        ss: SequenceSet,
        members: list[Candidate],
        weights: Array,
        models: list[Any],
        split: Any,
    ) -> None:
        """Fit the chosen models on all of ``ss``; set the fitted attributes."""
        held = None
        if split is not None and len(split[0]) + len(split[3]) == len(ss):
            held = ss.take(split[3])  # the training part was all that came before
        fitted = []
        for candidate, model in zip(members, models):
            if (
                model is not None
                and held is not None
                and candidate.name in REFIT_BY_PARTIAL_FIT
            ):
                fitted.append(model.partial_fit(held))
            else:
                fresh: Any = candidate.build(random_state=self.random_state)
                fitted.append(fresh.fit(ss))
        keep = weights > 0
        self.estimators_ = [m for m, k in zip(fitted, keep) if k]
        self.weights_ = weights[keep]
        if len(members) == 1:
            self.best_name_ = members[0].name
            self.best_params_ = dict(members[0].params)
        else:
            self.best_name_ = "blend"
            self.best_params_ = {
                "models": [[c.name, dict(c.params)] for c in members],
                "weights": [float(w) for w in weights],
            }

    # -- the mixin's hooks
    @property
    def best_estimator_(self) -> Any:
        """The chosen model fitted on all the data (None for a blend)."""
        estimators = self.__dict__.get("estimators_")
        if estimators is None:
            raise AttributeError("best_estimator_ (fit the model first)")
        return estimators[0] if len(estimators) == 1 else None

    @property
    def _top_k_one(self) -> Any:  # the chosen model's one-query path, if any
        estimators = self.__dict__.get("estimators_") or []
        return estimators[0]._top_k_one if len(estimators) == 1 else None

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        if len(self.estimators_) == 1:
            ids, scores = self.estimators_[0]._top_k_ids(queries, k)
            return ids, scores
        ids, scores = [], []
        for model in self.estimators_:
            top, top_scores = model.predict_top_k_ids(
                queries, max(k, N_BLEND_CANDIDATES)
            )
            ids.append(top)
            scores.append(top_scores)
        candidates, per_model = candidate_scores(ids, scores)
        return top_k_from_scores(candidates, per_model @ self.weights_, k)

    def _proba(self, queries: SequenceSet) -> Array:
        if len(self.estimators_) == 1:
            proba: Array = self.estimators_[0]._proba(queries)
            return proba
        out: Array = np.zeros((len(queries), self.vocabulary_.size))
        start = self.vocabulary_.n_reserved  # predict_proba has no reserved ids
        for model, weight in zip(self.estimators_, self.weights_):
            out[:, start:] += weight * model.predict_proba(queries)
        return out

    def memory_bytes(self) -> int:
        """Bytes held by the fitted models' arrays."""
        inner = sum(int(m.memory_bytes()) for m in self.estimators_)
        return inner + super().memory_bytes()


# -- helpers ---------------------------------------------------------------------


def _hits(best: Array, targets: Array) -> Array:
    """1.0 where the top id is among the query's consequent ids, else 0.0."""
    hit: Array = ((best[:, None] == targets) & (best[:, None] >= 0)).any(axis=1)
    return hit.astype(np.float64)


def _neural_candidate(budget: Budget) -> Candidate | None:
    """Return a GRU with a share of the budget, if torch is there and time allows."""
    import importlib.util

    if importlib.util.find_spec("torch") is None:
        return None
    if budget.max_time is not None and budget.max_time < NEURAL_MIN_TIME:
        return None
    seconds = 300.0 if budget.max_time is None else 0.25 * budget.max_time
    return Candidate("gru", {"max_time": seconds, "n_threads": 1}, cost=50.0)


def _blends(
    trials: list[Trial], ranked: dict[int, tuple[Array, Array]], targets: Array
) -> list[Trial]:
    """Trials of the weighted blends of the 2 and 3 best candidates that ran."""
    ok = [i for i in ranked if trials[i].status == OK]
    ok.sort(key=lambda i: -(trials[i].score or 0.0))
    out = []
    for size in (2, 3):
        if len(ok) < size:
            break
        members = sorted(ok[:size])
        candidates, per_model = candidate_scores(
            [ranked[i][0] for i in members], [ranked[i][1] for i in members]
        )
        grid = simplex_grid(size, WEIGHT_STEPS)  # (G, M)
        grid = grid[(grid > 0).all(axis=1)]  # blends only: singles are scored
        combined = per_model @ grid.T  # (Q, C, G)
        combined = np.where((candidates >= 0)[:, :, None], combined, -1.0)
        best = np.take_along_axis(
            candidates[:, :, None], combined.argmax(axis=1)[:, None, :], axis=1
        )[:, 0, :]  # (Q, G)
        hits = np.stack([_hits(best[:, g], targets) for g in range(len(grid))])
        spread = grid.max(axis=1)  # prefer the most even weights among the best
        g = int(np.lexsort((spread, -hits.mean(axis=1)))[0])
        weights = tuple(float(w) for w in grid[g])
        candidate = Candidate("blend", {"members": tuple(members), "weights": weights})
        out.append(
            Trial(
                candidate,
                float(hits[g].mean()),
                hits[g],
                sum(trials[i].fit_seconds for i in members),
                sum(trials[i].predict_seconds for i in members),
                note="weights " + ", ".join(f"{w:.1f}" for w in weights),
            )
        )
    return out
