"""``seqpred compare``: one cross-validation of several models, as a leaderboard.

Every model sees the same folds, which respect order: for **next-item**,
``--folds`` contiguous blocks of whole sequences in file order (each test
sequence's last ``--consequent`` items after a query of ``--window``
items, the CPT+ papers' protocol without the shuffle); for **classify**,
stratified folds (the i-th sequence of a class in fold ``i % K``); for
**forecast**, ``--folds`` expanding-window origins ``--horizon`` steps
apart (:func:`~seqpred.evaluate.forecast.backtest`). The table on stdout
gives the task's metric (accuracy, or MASE for forecasts, lower is
better) and others, fit and predict seconds, and the memory of the last
fold's model (``memory_bytes``), best first.

Models run cheapest first while ``--max-time`` lasts: a model starts when
its estimated time (from the models run so far, scaled by its expected
cost) fits; the others are listed as "over budget". The default models are
the task's registered ones, without auto models and without those that
need PyTorch (name them in ``--models`` to include them); for
classification, those that take the data's kind (symbols or numbers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

import seqpred
from seqpred._registry import auto_name, get_class
from seqpred.cli.args import parse_key_values
from seqpred.cli.auto import is_auto, task_of_data
from seqpred.cli.output import OutputFormat, emit, pyplot, step
from seqpred.cli.tasks import DataSource
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.auto.search import OK, Budget, Candidate, Trial, run_candidates

__all__ = ["COST", "EPILOG", "compare", "leaderboard_rows"]

EPILOG = (
    "Example: seqpred compare sessions.txt --task next-item "
    "--models markov,ppm,cpt+ --folds 5 --format table"
)
"""The example for ``--help`` (pass as ``app.command(epilog=EPILOG)``)."""

COST: dict[str, float] = {
    "naive": 0.1, "seasonal-naive": 0.1, "drift": 0.1, "mean": 0.1, "naive2": 0.2,
    "markov": 1.0, "lz78": 1.0, "dg": 1.2, "cpt+": 1.5, "akom": 2.0, "cpt": 2.0,
    "ppm": 3.0, "tdag": 4.0, "mixture": 6.0, "blend": 12.0, "auto-next-item": 6.0,
    "kmer": 1.0, "minirocket": 1.0, "compression": 3.0, "dtw": 5.0,
    "auto-classify": 20.0, "theta": 1.0, "ar": 1.0, "setar": 2.0, "ets": 3.0,
    "arima": 5.0, "dlinear": 5.0,
}  # fmt: skip
"""Expected cost of a model relative to the cheapest of its task: the order
models run in and the scale of the budget's estimates (others: 10)."""

_METRICS = {
    "next-item": (("accuracy", "hr@10", "mrr@10", "no_match"), True),
    "classify": (("accuracy", "macro_f1"), True),
    "forecast": (("mase", "smape", "mae"), False),
}
"""Task -> (metrics, the first is ranked; whether higher is better)."""


@dataclass
class _Result:
    """What one model's cross-validation measured, beside its :class:`Trial`."""

    metrics: dict[str, float] = field(default_factory=dict)
    memory_bytes: int | None = None
    split_times: bool = True
    """Whether fit and predict seconds were measured apart (else all in fit)."""


@dataclass(frozen=True)
class _Settings:
    folds: int
    window: int | None
    consequent: int
    horizon: int | None
    season_length: int


def compare(
    data: Annotated[
        Path, typer.Argument(metavar="DATA", help="Sequences to cross-validate on.")
    ],
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            help="next-item, classify or forecast (default: from the data: "
            "labels -> classify, numbers -> forecast, else next-item).",
        ),
    ] = None,
    models: Annotated[
        str | None,
        typer.Option(
            "--models",
            "-m",
            metavar="A,B,C",
            help="Registry names, comma-separated ('auto' is the task's auto "
            "model); default: the task's models (no torch, no auto).",
        ),
    ] = None,
    folds: Annotated[
        int, typer.Option("--folds", "-k", min=2, help="Folds (forecast: origins).")
    ] = 5,
    max_time: Annotated[
        float | None,
        typer.Option(
            "--max-time", min=0, help="Seconds for all models (default: no limit)."
        ),
    ] = None,
    window: Annotated[
        int | None,
        typer.Option(
            "--window", "-w", min=1, help="Next-item query length (default: all)."
        ),
    ] = None,
    consequent: Annotated[
        int,
        typer.Option(
            "--consequent", "-c", min=1, help="Next-item items held out per sequence."
        ),
    ] = 1,
    horizon: Annotated[
        int | None,
        typer.Option("--horizon", min=1, help="Forecast steps (needed for forecast)."),
    ] = None,
    season_length: Annotated[
        int, typer.Option("--season-length", min=1, help="Forecast MASE's lag.")
    ] = 1,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format on stdout.")
    ] = OutputFormat.table,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", metavar="PNG", help="Save the metric against time."),
    ] = None,
    data_format: Annotated[
        str, typer.Option("--data-format", help="Input format (default: auto).")
    ] = "auto",
    data_option: Annotated[
        list[str] | None,
        typer.Option("--data-option", metavar="KEY=VALUE", help="A reader option."),
    ] = None,
) -> None:
    """Cross-validate several models on one file and print a leaderboard."""
    source = DataSource(
        data, data_format, parse_key_values(data_option, "--data-option")
    )
    if task is not None and task not in _METRICS:
        raise InvalidParameterError(
            f"--task must be one of {list(_METRICS)} for compare; got {task!r}."
        )
    names = None if models is None else [m.strip() for m in models.split(",")]
    if names is not None and task is not None:
        _check_names(names, task)  # a usage error before any reading
    if task == "forecast" and horizon is None:
        raise InvalidParameterError("compare --task forecast needs --horizon H.")
    sequences = _read(source, task)
    task = task or task_of_data(sequences)
    if task == "forecast" and horizon is None:
        raise InvalidParameterError(
            "the data are numeric series (task forecast): pass --horizon H, or "
            "--task for another task."
        )
    candidates = _candidates(names, task, sequences)
    settings = _Settings(folds, window, consequent, horizon, season_length)
    results: dict[str, _Result] = {}
    evaluate = _evaluator(task, sequences, settings, results)
    trials = run_candidates(candidates, evaluate, Budget(max_time))
    rows = leaderboard_rows(
        task, trials, [results.get(t.candidate.name) for t in trials]
    )
    _emit(task, settings, rows, fmt)
    if plot is not None:
        _plot(task, rows, plot)
    if not any(row["status"] == OK for row in rows):
        raise DataError(
            "compare: no model could be evaluated; see the status column above "
            "(a model for another kind of data, or too little data for the folds)."
        )


# -- the models ----------------------------------------------------------------------


def _check_names(names: list[str], task: str) -> list[str]:
    """Return the registry names; a usage error for unknown or other-task names."""
    resolved = []
    served = seqpred.available(task)
    for name in names:
        if not name:
            raise InvalidParameterError(
                "--models: an empty name; give comma-separated registry names, "
                "e.g. --models markov,ppm."
            )
        full = auto_name(task) if is_auto(name) else name.lower()
        if full not in seqpred.available():
            raise InvalidParameterError(
                f"--models: unknown model {name!r}; models for {task}: "
                f"{sorted(served)}."
            )
        if full not in served:
            raise InvalidParameterError(
                f"--models: {name!r} serves task {seqpred.available()[full]!r}, not "
                f"{task!r}; models for {task}: {sorted(served)}."
            )
        resolved.append(full)
    return resolved


def _candidates(
    names: list[str] | None, task: str, sequences: SequenceSet
) -> list[Candidate]:
    if names is not None:
        chosen = _check_names(names, task)
    else:
        chosen = []
        for name in seqpred.available(task):
            if name.startswith("auto-"):
                continue
            try:
                tags = get_class(name).get_tags()
            except ImportError:
                continue
            if tags.requires_torch:
                continue
            if task == "classify" and tags.input_kind != sequences.kind:
                continue
            chosen.append(name)
    if names is None:  # cheapest first: a budget cuts the expensive ones
        chosen.sort(key=lambda n: (COST.get(n, 10.0), n))
    unique = list(dict.fromkeys(chosen))
    return [Candidate(n, cost=COST.get(n, 10.0)) for n in unique]


def _read(source: DataSource, task: str | None) -> SequenceSet:
    if task == "forecast":
        from seqpred.cli.forecast import read_series

        return read_series(source)
    sequences = source.read()
    if task == "classify" and sequences.labels is None:
        raise DataError(
            f"{source.path}: the sequences have no class labels; for 'label "
            "tokens...' lines add --data-option labels=first, for a table name "
            "the label column with --data-option label_col=NAME."
        )
    return sequences


# -- one cross-validation per task ----------------------------------------------------


def _evaluator(
    task: str, ss: SequenceSet, settings: _Settings, results: dict[str, _Result]
) -> Any:
    """Return ``evaluate(candidate) -> Trial``; extra measures go to ``results``."""
    run = {"next-item": _next_item, "classify": _classify, "forecast": _forecast}[task]

    def evaluate(candidate: Candidate) -> Trial:
        with step(f"cross-validating {candidate.label}"):
            trial, result = run(candidate, ss, settings)
        results[candidate.name] = result
        return trial

    return evaluate


def _next_item(
    candidate: Candidate, ss: SequenceSet, settings: _Settings
) -> tuple[Trial, _Result]:
    from seqpred.evaluate import cross_validate_next_item

    last: list[Any] = []

    def make() -> Any:
        last[:] = [candidate.build(random_state=0)]
        return last[0]

    total, reports = cross_validate_next_item(
        make, ss, n_folds=settings.folds, window=settings.window,
        consequent=settings.consequent, k=10, shuffle_seed=None,
    )  # fmt: skip
    metrics = {
        "accuracy": total.accuracy,
        "hr@10": total.hit_rate,
        "mrr@10": total.mrr,
        "no_match": total.no_match_rate,
    }
    fit = sum(r.fit_seconds for r in reports)
    predict = sum(r.predict_seconds for r in reports)
    trial = Trial(candidate, total.accuracy, None, fit, predict)
    return trial, _Result(metrics, last[0].memory_bytes())


def _classify(
    candidate: Candidate, ss: SequenceSet, settings: _Settings
) -> tuple[Trial, _Result]:
    from seqpred.evaluate.metrics import macro_f1
    from seqpred.models.classify.auto import stratified_folds

    labels = np.asarray(ss.labels)
    _, y = np.unique(labels, return_inverse=True)
    smallest = int(np.bincount(y).min())
    if smallest < settings.folds:
        raise DataError(
            f"a class has {smallest} sequence(s), fewer than --folds "
            f"{settings.folds}; lower --folds."
        )
    fold = stratified_folds(y, settings.folds)
    predicted = np.empty(len(labels), dtype=labels.dtype)
    fit = predict = 0.0
    model: Any = None
    for f in range(settings.folds):
        train, test = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        start = time.perf_counter()
        model = candidate.build(random_state=0)
        model.fit(ss.take(train), labels[train])
        middle = time.perf_counter()
        predicted[test] = model.predict(ss.take(test))
        fit += middle - start
        predict += time.perf_counter() - middle
    accuracy = float(np.mean(predicted == labels))
    metrics = {"accuracy": accuracy, "macro_f1": macro_f1(labels, predicted)}
    trial = Trial(candidate, accuracy, None, fit, predict)
    return trial, _Result(metrics, model.memory_bytes())


def _forecast(
    candidate: Candidate, ss: SequenceSet, settings: _Settings
) -> tuple[Trial, _Result]:
    from seqpred.evaluate.forecast import backtest

    assert settings.horizon is not None
    start = time.perf_counter()
    model = candidate.build(random_state=0, horizon=settings.horizon)
    result = backtest(
        model, ss, horizon=settings.horizon, n_origins=settings.folds,
        season_length=settings.season_length,
    )  # fmt: skip
    seconds = time.perf_counter() - start  # fit and predict together
    mean = result.mean()
    metrics = {name: mean[name] for name in ("mase", "smape", "mae")}
    trial = Trial(candidate, -mean["mase"], None, seconds, 0.0)
    return trial, _Result(metrics, split_times=False)


# -- output ---------------------------------------------------------------------------


def leaderboard_rows(
    task: str, trials: list[Trial], results: list[_Result | None]
) -> list[dict[str, Any]]:
    """One dict per model, ranked by the task's metric (best first).

    Models that did not run (over budget, failed) come last with their
    reason in ``status``.
    """
    names, higher = _METRICS[task]
    rows = []
    for trial, result in zip(trials, results):
        ran = trial.status == OK and result is not None
        status = trial.status if not trial.note else f"{trial.status}: {trial.note}"
        memory = None if result is None else result.memory_bytes
        rows.append(
            {
                "model": trial.candidate.name,
                **{
                    n: (result.metrics.get(n) if ran and result else None)
                    for n in names
                },
                "fit_seconds": round(trial.fit_seconds, 4) if ran else None,
                "predict_seconds": (
                    round(trial.predict_seconds, 4)
                    if ran and result is not None and result.split_times
                    else None
                ),
                "memory_mb": None if memory is None else round(memory / 1e6, 3),
                "status": status,
            }
        )
    first = names[0]

    def key(row: dict[str, Any]) -> tuple[int, float]:
        value = row[first]
        if value is None or value != value:
            return (1, 0.0)
        return (0, -value if higher else value)

    rows.sort(key=key)
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank if row[first] is not None else None
    return rows


def _emit(
    task: str, settings: _Settings, rows: list[dict[str, Any]], fmt: OutputFormat
) -> None:
    names, _ = _METRICS[task]
    header = ["rank", "model", *names, "fit_s", "predict_s", "memory_mb", "status"]
    keys = ["rank", "model", *names, "fit_seconds", "predict_seconds", "memory_mb",
            "status"]  # fmt: skip
    table = [[row[k] for k in keys] for row in rows]
    data = {
        "task": task,
        "metric": names[0],
        "folds": settings.folds,
        "models": [{k: row[k] for k in keys} for row in rows],
    }
    emit(fmt, header=header, rows=table, data=data)


def _plot(task: str, rows: list[dict[str, Any]], path: Path) -> None:
    """Save a PNG: the task's metric against fit + predict seconds, one dot a model."""
    plt = pyplot()
    metric = _METRICS[task][0][0]
    shown = [r for r in rows if r[metric] is not None and r["fit_seconds"] is not None]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for row in shown:
        seconds = max(row["fit_seconds"] + (row["predict_seconds"] or 0.0), 1e-3)
        ax.scatter(seconds, row[metric], color="C0")
        ax.annotate(row["model"], (seconds, row[metric]), textcoords="offset points",
                    xytext=(4, 4), fontsize=8)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("fit + predict seconds, all folds (log)")
    better = "higher" if _METRICS[task][1] else "lower"
    ax.set_ylabel(f"{metric} ({better} is better)")
    ax.set_title(f"seqpred compare: {task}")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    with step(f"writing {path}"):
        fig.savefig(path, dpi=120)
    plt.close(fig)
