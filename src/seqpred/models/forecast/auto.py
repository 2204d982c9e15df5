"""AutoForecaster: forecasters and their combination chosen by backtests in fit."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._registry import get_class
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError
from seqpred.models.auto.search import (
    OK,
    Budget,
    Candidate,
    OverBudget,
    Trial,
    choose,
    leaderboard,
    run_candidates,
    user_candidates,
)
from seqpred.models.forecast._auto_backtest import (
    MIN_TRAIN_STEPS,
    Window,
    average_errors,
    combine,
    make_windows,
)
from seqpred.models.forecast._local import SEASON_LENGTH, LocalForecaster
from seqpred.models.forecast.base import ForecasterMixin
from seqpred.models.forecast.seasonality import (
    common_season_length,
    resolve_season_lengths,
)

__all__ = ["AutoForecaster", "default_candidates"]

WORKHORSES = (
    Candidate("theta", cost=1.0),
    Candidate("drift", cost=0.02),
    Candidate("ets", cost=10.0),
    Candidate("arima", cost=12.0),
)
"""The default combination: the median of these four (see ``AutoForecaster``)."""

ALTERNATIVES = (
    Candidate("theta", {"method": "standard"}, cost=0.5),
    Candidate("naive2", cost=0.1),
    Candidate("seasonal-naive", cost=0.02),
    Candidate("naive", cost=0.02),
    Candidate("ets", {"trend": "damped"}, cost=5.0),
)
"""Validated after the workhorses: members of the top-k combinations."""

GLOBAL_LINEAR = {
    "strategy": "multi-output",
    "alpha": 0.01,
    "scaling": "seasonal",
    "scale_floor": 0.005,
}
"""The settings of the global AR candidate (``benchmarks/forecast.py``, M4 Hourly)."""
GLOBAL_CYCLES = 14
"""The global AR's window spans this many seasons (order ``13 m``)."""


def default_candidates(
    ss: SequenceSet, horizon: int, season_length: Any, n_windows: int = 1
) -> tuple[list[Candidate], list[int]]:
    """Return the default candidates (in the order they run) and the default members.

    Theta, drift, ETS and ARIMA (the default combination), then the
    standard theta method, Naive2, seasonal naive, naive and damped ETS;
    for seasonal series long enough (every series keeps 1.5 windows of 14
    seasons plus the horizon before its backtests), a global AR over 14
    seasons (``ar``: multi-output, per-window seasonal scaling, log values
    for positive data; the settings of ``benchmarks/forecast.py``) runs
    third, before the costly ETS and ARIMA.

    Examples
    --------
    >>> ss = SequenceSet.from_lists([np.arange(20.0)], kind="numeric")
    >>> candidates, members = default_candidates(ss, 3, None)
    >>> [c.label for c in candidates][:5], members
    (['theta', 'drift', 'ets', 'arima', "theta(method='standard')"], [0, 1, 2, 3])
    """
    out = list(WORKHORSES)
    linear = _global_linear(ss, horizon, season_length, n_windows)
    if linear is not None:
        out.insert(2, linear)
    members = [out.index(c) for c in WORKHORSES]
    return out + list(ALTERNATIVES), members


def _global_linear(
    ss: SequenceSet, horizon: int, season_length: Any, n_windows: int
) -> Candidate | None:
    m = common_season_length(ss, season_length)
    if m is None or m < 2:
        return None
    order = (GLOBAL_CYCLES - 1) * m
    shortest = int(ss.lengths.min()) - n_windows * horizon
    if shortest < 1.5 * (order + m + horizon):
        return None
    transform = "log" if bool((ss.values > 0).all()) else "none"
    params = {"order": order, "season_length": m, **GLOBAL_LINEAR}
    return Candidate("ar", {**params, "transform": transform}, cost=2.0)


@dataclass(frozen=True)
class _Rule:
    """A way to forecast: ``how`` (mean or median) over some candidates."""

    how: str
    members: tuple[int, ...]


class AutoForecaster(ForecasterMixin):
    """Choose forecasters and their combination by backtests inside ``fit``.

    ``fit`` cuts expanding-window backtests from the training series (the
    last ``horizon`` steps of each, and with ``n_windows > 1`` the
    ``horizon`` steps before those, ...), fits every candidate forecaster
    on the steps before each cut and scores its forecasts of the held-out
    steps per series (MASE, or sMAPE). Candidates run in order while
    ``max_time`` lasts. Then combinations are scored on the same held-out
    steps: the default one first (the ``ensemble`` of the default members;
    by default the median of theta, drift, ETS and ARIMA), then the best
    single candidate and the mean and median of the best ``k`` (``k`` up to
    ``n_members``). The default is kept unless another wins on the same
    series by more than one standard error of the paired difference
    (:func:`~seqpred.models.auto.search.choose`; the error is at least one
    unit of the metric summed over the series, so on a handful of series the
    default stays unless the other is better by a whole naive-sized MASE),
    and the members of the winner are refitted on all the training series.

    Parameters
    ----------
    models : None or tuple, default=None
        The candidates. ``None``: theta, drift, ETS and ARIMA, then the
        standard theta method, Naive2, seasonal naive, naive and damped ETS,
        and a global AR for long seasonal series (see
        :func:`default_candidates`); a tuple: forecaster registry names
        (default parameters) or ``(name, {parameters})`` pairs, in the order
        they run; their first ``n_members`` are the default members.
        ``horizon``, ``season_length`` and ``random_state`` reach every
        candidate that takes them (unless its parameters set them).
    horizon : int, default=1
        Steps held out by each backtest window, and the steps ``predict``
        forecasts when not told otherwise. Set it to the horizon you need.
    season_length : "auto", int or None, default="auto"
        Passed to the candidates (12 for monthly data); also the lag of the
        validation's MASE scale ("auto": each series' detected season).
    ensemble : {"auto", "median", "mean"} or None, default="auto"
        How forecasts combine. ``"auto"``: the median of the default members
        unless the best single candidate, or the mean or median of the best
        ``k``, wins clearly; ``"median"``, ``"mean"``: that combination of
        the default members or of the best ``k``; None: one candidate (the
        first, unless another wins clearly).
    n_members : int, default=4
        The most candidates a combination holds.
    per : {"group", "series"}, default="group"
        ``"group"``: one choice for every series of the fit (fit one model
        per group of alike series, such as one frequency, for per-group
        choices). ``"series"``: each validated series combines its own best
        candidates (by its own backtest errors; with ``ensemble=None`` its
        single best), as many as the group's choice holds and in the same
        way; series too short to validate, and new histories passed to
        ``predict``, get the group's choice.
    metric : {"mase", "smape"}, default="mase"
        The validation error to minimise (both are reported).
    n_windows : int, default=1
        Backtest windows per series (each costs a fit of every candidate).
    max_time : float or None, default=60.0
        Seconds for the search and the final fit; ``None`` means no limit.
        A candidate whose estimated time does not fit (time is kept for
        refitting the chosen members) is skipped. A limit that cuts the
        search makes the choice depend on the machine's speed.
    random_state : None or int, default=None
        Seed of the candidates that use randomness.

    Attributes
    ----------
    best_name_ : str
        The chosen forecaster's registry name, or ``"mean"`` / ``"median"``
        for a combination (with ``per="series"``: the group's choice).
    best_params_ : dict
        Its parameters; for a combination ``{"models": [[name, params],
        ...]}``.
    estimators_ : list of forecasters
        Every forecaster used, fitted on all the training series.
    estimator_labels_ : list of str
        Their labels (``"ets(trend='damped')"``).
    members_ : ndarray of shape (n_sequences_, k)
        Per training series, the indices into ``estimators_`` it combines.
    default_members_ : ndarray of shape (k,)
        Those of the group's choice, used for new histories.
    combine_ : {"mean", "median"}
        How members combine.
    choices_ : list of str
        Per training series, what forecasts it (``"median(theta, drift,
        ets, arima)"``).
    leaderboard_ : list of dict
        One row per candidate, then one per combination scored: ``model``
        (registry name, or ``"mean"``/``"median"``), ``params`` (for a
        combination ``{"members": [labels]}``), ``score`` (minus the mean
        validation ``metric``; higher is better; None when not run),
        ``mase``, ``smape`` (mean validation errors), ``fit_seconds``,
        ``predict_seconds`` (over the backtest windows), ``stage``
        ("candidate", or "combination" for the rows that score ways to
        combine the candidates' backtest forecasts), ``status`` ("ok",
        "over budget", "failed", "not validated"), ``chosen``, ``series``
        (how many training series use it) and ``note``.
    validation_score_ : float
        The choice's score (NaN when nothing was validated).
    n_validated_ : int
        Series long enough for at least one backtest window.
    n_windows_ : int
        Windows used (0 when nothing was validated).
    season_lengths_ : ndarray of shape (n_sequences_ * n_features_,)
        The season length of each channel's validation MASE scale.
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    **Why the median of four by default.** On the training parts of the
    3,003 M3 series (backtests of the last one to three horizons before the
    test, never the test values), choosing among combinations did not beat
    a good fixed one on average (the paired-difference rule keeps the
    default), while the median of theta, drift, ETS and ARIMA was 1.1 %
    below the mean of ETS, theta and ARIMA in sMAPE and in MASE over those
    windows; picking each series' own best candidate was 3-6 % worse than
    either (see ``docs/benchmarks.md``, "M3"). On other data a candidate
    that wins clearly (a global AR on long hourly series) is chosen.

    **Intervals.** Each member's forecast quantiles (Gaussian from its own
    mean and standard deviation, or its learned quantiles) are combined at
    every level the way the point forecasts are: averaged for the mean
    (quantile averaging, Vincentization) and their median for the median.
    ``predict_distribution`` gives the same combination of the members'
    means and standard deviations.

    Cost: ``n_windows`` fits of every candidate that runs, on the series
    minus the held-out steps, then one fit of each member; memory holds
    every candidate's backtest forecasts (candidates x series x horizon).
    ``predict(X)`` asks every member of the group's choice for ``X``
    (local members fit each history anew).

    Examples
    --------
    >>> import numpy as np
    >>> from seqpred.models.forecast import AutoForecaster
    >>> t = np.arange(40.0)
    >>> series = [10 + 0.5 * t + np.sin(t), 30 - 0.2 * t + np.cos(t / 2)]
    >>> model = AutoForecaster(horizon=4, season_length=1, max_time=None)
    >>> model = model.fit(series)
    >>> model.best_name_, model.predict().shape
    ('median', (2, 4, 1))
    >>> [row["model"] for row in model.leaderboard_][:4]
    ['theta', 'drift', 'ets', 'arima']
    >>> model.choices_[0]
    'median(theta, drift, ets, arima)'
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "models": [None, tuple, list],
        "horizon": [Interval(int, 1, None)],
        "season_length": SEASON_LENGTH,
        "ensemble": [None, Options({"auto", "median", "mean"})],
        "n_members": [Interval(int, 1, None)],
        "per": [Options({"group", "series"})],
        "metric": [Options({"mase", "smape"})],
        "n_windows": [Interval(int, 1, None)],
        "max_time": [None, Interval(float, 0, None)],
        "random_state": [None, Interval(int, 0, None)],
    }
    _tags: ClassVar[Tags] = Tags(input_kind="numeric", stochastic=True)

    def __init__(
        self,
        models: Any = None,
        *,
        horizon: int = 1,
        season_length: int | str | None = "auto",
        ensemble: str | None = "auto",
        n_members: int = 4,
        per: str = "group",
        metric: str = "mase",
        n_windows: int = 1,
        max_time: float | None = 60.0,
        random_state: int | None = None,
    ) -> None:
        self.models = models
        self.horizon = horizon
        self.season_length = season_length
        self.ensemble = ensemble
        self.n_members = n_members
        self.per = per
        self.metric = metric
        self.n_windows = n_windows
        self.max_time = max_time
        self.random_state = random_state

    best_name_: str
    best_params_: dict[str, Any]
    estimators_: list[Any]
    estimator_labels_: list[str]
    members_: Array
    default_members_: Array
    combine_: str
    choices_: list[str]
    leaderboard_: list[dict[str, Any]]
    validation_score_: float
    n_validated_: int
    n_windows_: int
    season_lengths_: Array

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"models": ("theta", "drift", "naive"), "horizon": 2, "max_time": None},
            {"models": (("theta", {"method": "standard"}), "naive", "drift"),
             "ensemble": None, "per": "series", "metric": "smape",
             "season_length": 1, "max_time": None, "random_state": 0},
        ]  # fmt: skip

    # -- the candidates
    def _candidates(self, ss: SequenceSet) -> tuple[list[Candidate], list[int]]:
        if self.models is None:
            return default_candidates(
                ss, self.horizon, self.season_length, self.n_windows
            )
        out = user_candidates(self.models, "forecast", "AutoForecaster")
        return out, list(range(min(self.n_members, len(out))))

    def _build(self, candidate: Candidate) -> Any:
        season = 1 if self.season_length is None else self.season_length
        return candidate.build(
            horizon=self.horizon, season_length=season, random_state=self.random_state
        )

    # -- learning
    def _fit(self, ss: SequenceSet) -> None:
        budget = Budget(self.max_time)
        candidates, defaults = self._candidates(ss)
        season = 1 if self.season_length is None else self.season_length
        self.season_lengths_ = resolve_season_lengths(ss, season)
        windows = make_windows(ss, self.horizon, self.n_windows, self.season_lengths_)
        self.n_windows_ = len(windows)
        forecasts: dict[int, list[Array]] = {}
        trials: list[Trial] = []
        if windows:
            evaluate = self._evaluator(candidates, windows, budget, forecasts, len(ss))

            def reserve(done: Sequence[Trial]) -> float:  # refitting the members
                fits = sorted(t.fit_seconds for t in done if t.status == OK)
                return 1.2 * sum(fits[-self.n_members :]) / len(windows)

            trials = run_candidates(candidates, evaluate, budget, reserve=reserve)
        ran = [i for i, t in enumerate(trials) if t.status == OK]
        if not ran:
            self._unvalidated(ss, candidates, defaults, trials)
            return
        rules, rule_trials = self._score_rules(
            trials, ran, defaults, windows, forecasts, len(ss)
        )
        chosen = choose(rule_trials)
        assert chosen is not None
        rule = rules[chosen]
        validated = np.flatnonzero(np.isfinite(_items_mask(trials[ran[0]])))
        members = np.tile(np.array(rule.members), (len(ss), 1))
        if self.per == "series":
            members[validated] = self._own_members(trials, ran, len(rule.members))
        self.n_validated_ = len(validated)
        self.validation_score_ = float(rule_trials[chosen].score or 0.0)
        self._finish(ss, candidates, members, np.array(rule.members), rule.how)
        rows = leaderboard(trials, None) + leaderboard(rule_trials, chosen)
        self.leaderboard_ = self._annotate(
            rows, trials + rule_trials, members, len(trials)
        )

    def _evaluator(
        self,
        candidates: list[Candidate],
        windows: list[Window],
        budget: Budget,
        forecasts: dict[int, list[Array]],
        n_series: int,
    ) -> Any:
        index = {id(c): i for i, c in enumerate(candidates)}

        def evaluate(candidate: Candidate) -> Trial:
            out: list[Array] = []
            fit_seconds = predict_seconds = 0.0
            local = issubclass(get_class(candidate.name), LocalForecaster)
            for w, window in enumerate(windows):
                chunks = _chunks(len(window.rows) if local else 0)
                parts = []
                for c, rows in enumerate(chunks):
                    start = time.perf_counter()
                    train = (
                        window.train if len(chunks) == 1 else window.train.take(rows)
                    )
                    model = self._build(candidate).fit(train)
                    middle = time.perf_counter()
                    parts.append(np.asarray(model.predict(horizon=self.horizon)))
                    fit_seconds += middle - start
                    predict_seconds += time.perf_counter() - middle
                    if c + 1 < len(chunks):
                        done = (w * len(chunks) + c + 1) / (len(windows) * len(chunks))
                        _check_time(budget, fit_seconds + predict_seconds, done)
                mean = parts[0] if len(parts) == 1 else np.concatenate(parts)
                bad = int((~np.isfinite(mean).all(axis=(1, 2))).sum())
                if bad:
                    raise DataError(f"non-finite forecasts for {bad} series")
                out.append(mean)
                spent = fit_seconds + predict_seconds
                needed = spent / (w + 1) * (len(windows) - w - 1)
                if w + 1 < len(windows) and not budget.allows(needed):
                    raise OverBudget(
                        f"stopped after {w + 1} of {len(windows)} windows: about "
                        f"{needed:.0f}s more needed, {budget.remaining:.0f}s left"
                    )
            forecasts[index[id(candidate)]] = out
            mase, smape = average_errors(windows, out, n_series)
            trial = Trial(candidate, None, None, fit_seconds, predict_seconds)
            return self._scored(trial, mase, smape)

        return evaluate

    def _scored(self, trial: Trial, mase: Array, smape: Array) -> Trial:
        """Set a trial's items (minus the metric per series; NaN: not validated).

        The mean errors travel in ``trial.note`` (``"mase 0.8 smape 12.1"``),
        which :meth:`_annotate` turns into the leaderboard's columns.
        """
        trial.items = -(mase if self.metric == "mase" else smape)
        ok = np.isfinite(trial.items)
        trial.score = float(trial.items[ok].mean())
        mean_mase, mean_smape = float(mase[ok].mean()), float(smape[ok].mean())
        trial.note = f"mase {mean_mase!r} smape {mean_smape!r}"
        return trial

    def _score_rules(
        self,
        trials: list[Trial],
        ran: list[int],
        defaults: list[int],
        windows: list[Window],
        forecasts: dict[int, list[Array]],
        n_series: int,
    ) -> tuple[list[_Rule], list[Trial]]:
        """Score the combinations on the backtests; the default one first."""
        ranked = sorted(ran, key=lambda i: -float(trials[i].score or 0.0))
        k_max = min(self.n_members, len(ran))
        mode = self.ensemble
        rules: list[_Rule] = []
        if mode is None:
            rules = [_Rule("mean", (i,)) for i in [ran[0], *ranked]]
        else:
            first = "mean" if mode == "mean" else "median"
            default = tuple(i for i in defaults if i in ran)
            if default:
                rules.append(_Rule(first, default))
            ways = ("mean", "median") if mode == "auto" else (mode,)
            for k in range(1 if mode == "auto" else 2, k_max + 1):
                for how in ways:
                    if k > 1 and how == "median" and k < 3:
                        continue
                    rules.append(_Rule("mean" if k == 1 else how, tuple(ranked[:k])))
            if not rules:  # one candidate ran: it is the answer
                rules = [_Rule("mean", (ranked[0],))]
        unique = list(dict.fromkeys(rules))
        out = []
        for rule in unique:
            combined = [
                combine(np.stack([forecasts[i][w] for i in rule.members]), rule.how)
                for w in range(len(windows))
            ]
            mase, smape = average_errors(windows, combined, n_series)
            name = trials[rule.members[0]].candidate.name
            label = self._rule_label(rule, trials)
            candidate = (
                Candidate(name, trials[rule.members[0]].candidate.params)
                if len(rule.members) == 1
                else Candidate(rule.how, {"members": label})
            )
            out.append(self._scored(Trial(candidate), mase, smape))
        return unique, out

    @staticmethod
    def _rule_label(rule: _Rule, trials: list[Trial]) -> list[str]:
        return [trials[i].candidate.label for i in rule.members]

    def _own_members(self, trials: list[Trial], ran: list[int], k: int) -> Array:
        """Return each validated series' own best ``k`` candidates ``(n, k)``."""
        items = np.stack([_items_mask(trials[i]) for i in ran])  # (C, N)
        validated = np.isfinite(items[0])
        order = np.argsort(-items[:, validated], axis=0, kind="stable")[:k]  # (k, n)
        return np.asarray(ran)[order].T

    def _unvalidated(
        self,
        ss: SequenceSet,
        candidates: list[Candidate],
        defaults: list[int],
        trials: list[Trial],
    ) -> None:
        """Fit without validation: the default members, or the first if time ran out."""
        if trials:  # the search ran out of time (or every candidate failed)
            members = [0]
            note = ""
        else:
            members = defaults
            note = f"no series has {self.horizon} + {MIN_TRAIN_STEPS} steps"
            trials = [Trial(c, status="not validated", note=note) for c in candidates]
        how = "median" if self.ensemble in ("auto", "median") else "mean"
        if self.ensemble is None:
            members = members[:1]
        self.n_validated_ = 0
        self.validation_score_ = float("nan")
        self.n_windows_ = 0
        member_array = np.tile(np.array(members), (len(ss), 1))
        self._finish(ss, candidates, member_array, np.array(members), how)
        self.leaderboard_ = self._annotate(
            leaderboard(trials, None), trials, member_array, len(trials)
        )

    def _finish(
        self,
        ss: SequenceSet,
        candidates: list[Candidate],
        members: Array,
        default: Array,
        how: str,
    ) -> None:
        """Fit every member on all of ``ss``; set the fitted attributes."""
        used = np.unique(np.concatenate([members.ravel(), default]))
        position = {int(c): p for p, c in enumerate(used)}
        self.estimators_ = [self._build(candidates[int(c)]).fit(ss) for c in used]
        self.estimator_labels_ = [candidates[int(c)].label for c in used]
        self.members_ = np.vectorize(position.__getitem__, otypes=[np.int64])(members)
        self.default_members_ = np.array([position[int(c)] for c in default])
        self.combine_ = how if len(default) > 1 else "mean"
        self.choices_ = [self._describe(row) for row in self.members_]
        chosen = [candidates[int(c)] for c in default]
        if len(chosen) == 1:
            self.best_name_, self.best_params_ = chosen[0].name, dict(chosen[0].params)
        else:
            self.best_name_ = how
            self.best_params_ = {"models": [[c.name, dict(c.params)] for c in chosen]}

    def _describe(self, row: Array) -> str:
        labels = [self.estimator_labels_[int(e)] for e in row]
        if len(labels) == 1:
            return labels[0]
        return f"{self.combine_}({', '.join(labels)})"

    def _annotate(
        self,
        rows: list[dict[str, Any]],
        trials: list[Trial],
        members: Array,
        n_candidates: int,
    ) -> list[dict[str, Any]]:
        """Add ``stage``, ``mase``, ``smape`` and ``series`` to the leaderboard rows.

        The first ``n_candidates`` rows are candidates, the others
        combinations (a one-member combination is a candidate chosen alone).
        """
        counts = {label: 0 for label in self.estimator_labels_}
        for row in self.members_:
            for e in set(row.tolist()):
                counts[self.estimator_labels_[e]] += 1
        group = {self.estimator_labels_[int(e)] for e in self.default_members_}
        out = []
        for i, (row, trial) in enumerate(zip(rows, trials)):
            errors = dict(_parse_note(trial.note)) if trial.status == OK else {}
            stage = "candidate" if i < n_candidates else "combination"
            row = {**row, "stage": stage}
            for key in ("mase", "smape"):
                row[key] = round(errors[key], 6) if key in errors else None
            row["note"] = "" if errors else row["note"]
            if i < n_candidates:
                label = trial.candidate.label
                row["series"] = counts.get(label, 0)
                row["chosen"] = label in group
            else:
                row["series"] = len(members) if row["chosen"] else 0
            out.append(row)
        return out

    # -- forecasting
    def _min_history(self) -> int:
        estimators = self.__dict__.get("estimators_") or []
        return max([1, *(int(e._min_history()) for e in estimators)])

    def _is_training(self, ss: SequenceSet) -> bool:
        return (
            ss.values.shape == self.train_values_.shape
            and np.array_equal(ss.offsets, self.train_offsets_)
            and np.array_equal(ss.values, self.train_values_)
        )

    def _combined(
        self, ss: SequenceSet, horizon: int, quantiles: Array | None
    ) -> tuple[Array, Array]:
        """Return the combined ``(mean, std)`` or ``(mean, quantiles)`` of ``ss``."""
        training = self._is_training(ss)
        members = (
            self.members_ if training else np.tile(self.default_members_, (len(ss), 1))
        )
        X = None if training else ss
        used = np.unique(members)
        means, spreads = [], []
        for e in used:
            model = self.estimators_[int(e)]
            if quantiles is None:
                mean, spread = model.predict_distribution(X, horizon)
            else:
                mean, spread = model._distribution_quantiles(
                    X, horizon, quantiles, None, None
                )
            means.append(np.asarray(mean))
            spreads.append(np.asarray(spread))
        where = np.searchsorted(used, members)  # (N, k) positions in ``used``
        rows = np.arange(len(ss))[:, None]
        mean = combine(np.moveaxis(np.stack(means)[where, rows], 1, 0), self.combine_)
        spread = combine(
            np.moveaxis(np.stack(spreads)[where, rows], 1, 0), self.combine_
        )
        return mean, spread

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        return self._combined(ss, horizon, None)

    def _distribution_quantiles(
        self, X: Any, horizon: int | None, q: Array, covariates: Any, static: Any
    ) -> tuple[Array, Array]:
        h, ss, _ = self._forecast_input(
            X, horizon, covariates, static, "predict_quantiles"
        )
        if len(ss) == 0:
            empty = np.empty((0, h, self.n_features_))
            return empty, np.empty((0, h, self.n_features_, len(q)))
        return self._combined(ss, h, q)

    def memory_bytes(self) -> int:
        """Bytes held by the fitted forecasters' arrays."""
        inner = sum(int(m.memory_bytes()) for m in self.estimators_)
        return inner + super().memory_bytes()


LOCAL_CHUNKS = (4, 64)
"""Series a local candidate fits at a time in a backtest, between budget checks:
blocks double from the first size to the second."""


def _chunks(n_series: int) -> list[Array]:
    """Row blocks of a local candidate's backtest (one block: fit all at once).

    A local model fits series by series, so blocks give the same forecasts;
    between blocks the budget is checked, so an expensive candidate (ETS
    with a long season on long series) stops after a few series instead of
    overrunning ``max_time`` by its whole cost.

    Examples
    --------
    >>> [len(block) for block in _chunks(100)]
    [4, 8, 16, 32, 40]
    """
    first, most = LOCAL_CHUNKS
    if n_series <= first:
        return [np.arange(n_series)]
    blocks, start, size = [], 0, first
    while start < n_series:
        blocks.append(np.arange(start, min(start + size, n_series)))
        start += size
        size = min(2 * size, most)
    return blocks


def _check_time(budget: Budget, spent: float, done: float) -> None:
    """Raise OverBudget when the rest of a backtest and a refit will not fit.

    ``done`` is the share of the candidate's backtest finished after
    ``spent`` seconds; its refit on all the series costs about one whole
    backtest more.
    """
    total = spent / done
    needed = (total - spent) + 1.2 * total
    if not budget.allows(needed):
        raise OverBudget(
            f"stopped after {done:.0%} of its backtest: about {needed:.0f}s more "
            f"needed with its refit, {budget.remaining:.0f}s left"
        )


def _items_mask(trial: Trial) -> Array:
    assert trial.items is not None
    return trial.items


def _parse_note(note: str) -> list[tuple[str, float]]:
    """``"mase 0.8 smape 12"`` -> ``[("mase", 0.8), ("smape", 12.0)]``."""
    words = note.split()
    return [(k, float(v)) for k, v in zip(words[::2], words[1::2])]
