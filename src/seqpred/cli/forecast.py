"""Forecasters on the command line: the handler of :mod:`seqpred.cli.tasks`.

A numeric series file is read as follows. A table (CSV, Parquet; also a
``.txt``, ``.tsv`` or standard input whose content is a table) is read with
its columns' roles found from their names
(:func:`~seqpred.data.readers.read_table`): long format with a series id
(``unique_id, ds, y`` as Nixtla tools write it, or ``sequence_id``,
``timestamp``, ``item``), sorted by time; without an id column, the whole
table is **one** series whose numeric columns are its features (with a
``y`` column: ``y`` is the series and the other numeric columns are
covariates, reported but not used here). ``--data-option`` values name
columns that are not found (``item_col=``, ``sequence_col=``,
``time_col=``). Other files go through
:func:`~seqpred.data.readers.read_sequences` as numeric data.

Series ids and time stamps travel to the output: ``predict`` prints
``unique_id``, ``ds``, the model's name and its 80% interval, the columns
statsforecast users read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from seqpred._registry import name_of
from seqpred._typing import Array
from seqpred.cli.output import emit, pyplot, step
from seqpred.cli.tasks import (
    DataSource,
    EvaluateOptions,
    PredictOptions,
)
from seqpred.data.readers import read_sequences, read_table
from seqpred.data.readers._common import spooled
from seqpred.data.readers.auto import guess_format
from seqpred.data.readers.roles import ColumnRoles
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = ["evaluate", "fit_arguments", "plot_forecast", "predict", "read_series"]

TASK = "forecast"
_COVERAGE = 0.8  # the central interval printed and plotted
_TABULAR = {"csv", "parquet"}


@dataclass(frozen=True)
class SeriesRead:
    """Series read from a file, and the roles of its columns (tables only)."""

    series: SequenceSet
    roles: ColumnRoles | None = None


def read_series(source: DataSource) -> SequenceSet:
    """Read numeric series from ``source`` (see the module docstring)."""
    return read_series_with_roles(source).series


def read_series_with_roles(source: DataSource) -> SeriesRead:
    """Read numeric series and, for a table, the roles its columns were given."""
    with step(f"reading {source.path}"), spooled(source.path, "read") as (p, shown):
        fmt, options = source.data_format, dict(source.options)
        if fmt == "auto":
            fmt, detected = guess_format(p, shown)
            options = {**detected, **options}
        if fmt in _TABULAR:
            options.setdefault("kind", "numeric")
            read = read_table(p, format=fmt, **options)
            series, roles = read.sequences, read.roles
        else:
            series, roles = read_sequences(p, format=fmt, **options), None
    if series.kind != "numeric":
        raise DataError(
            f"forecast: {shown!r} holds symbols, not numbers; a forecaster needs "
            "numeric series. Pass a table of numbers, or name the value column "
            "with --data-option item_col=NAME."
        )
    return SeriesRead(series, roles)


def describe(series: SequenceSet) -> str:
    """Summarise training series: ``"2 series (1,000 steps, 1 feature)"``."""
    f = series.n_features
    return (
        f"{len(series):,} series ({series.n_steps:,} steps, {f} "
        f"feature{'s' if f != 1 else ''})"
    )


def fit_arguments(source: DataSource) -> tuple[tuple[Any, ...], str]:
    """Read the training series: ``fit(series)``."""
    read = read_series_with_roles(source)
    description = describe(read.series)
    if read.roles is not None:
        description += f" from columns {read.roles.describe()}"
        if read.roles.covariates:
            description += " (covariates not used on the command line)"
    return (read.series,), description


def _histories(options: PredictOptions) -> SequenceSet | None:
    """Return the ``--input`` and ``--file`` histories (None when neither)."""
    parts: list[Array] = []
    for text in options.inputs:
        try:
            parts.append(np.array([float(t) for t in text.replace(",", " ").split()]))
        except ValueError:
            raise InvalidParameterError(
                f"predict: --input {text!r} is not a list of numbers; a forecast "
                "history reads like --input '1 2 3.5'."
            ) from None
    if options.source is not None:
        parts.extend(np.asarray(s) for s in read_series(options.source))
    if not parts:
        return None
    return SequenceSet.from_lists(parts, kind="numeric")


def predict(estimator: Any, options: PredictOptions) -> None:
    """Print the forecast (mean and 80% interval) after each history, as a table."""
    histories = _histories(options)
    if histories is None and not hasattr(estimator, "train_values_"):
        raise InvalidParameterError(
            f"predict: {type(estimator).__name__} cannot continue its training "
            "series; give histories with --file FILE or --input '1 2 3'."
        )
    horizon = options.horizon or int(getattr(estimator, "horizon", 1) or 1)
    with step("forecasting"):
        # the tidy frame holds the model's own 80% interval (Gaussian, or its
        # learned quantiles); rows run over (series, step, feature)
        frame = estimator.forecast(histories, horizon, _COVERAGE)
    shape = (-1, horizon, estimator.n_features_)
    mean, lower, upper = (
        frame[name].to_numpy().reshape(shape) for name in ("mean", "lower", "upper")
    )
    name = _model_name(estimator)
    level = round(100 * _COVERAGE)
    has_ds = "ds" in frame.columns
    f = mean.shape[2]
    header = [
        "unique_id",
        *(["ds"] if has_ds else []),
        "step",
        *(["feature"] if f > 1 else []),
        name,
        f"{name}-lo-{level}",
        f"{name}-hi-{level}",
    ]
    keep = ["series", *(["ds"] if has_ds else []), "step"]
    keep += ["feature"] if f > 1 else []
    keep += ["mean", "lower", "upper"]
    ordered = frame  # rows run over (series, step, feature)
    if f > 1:  # print each feature's steps together
        per_series = horizon * f
        ordered = frame.with_row_index("row").sort(
            pl.col("row") // per_series, "feature", "step", maintain_order=True
        )
    rows = [[_plain(v) for v in row] for row in ordered.select(keep).iter_rows()]
    emit(options.fmt, header=header, rows=rows)
    if options.plot is not None:
        if histories is None:
            histories = SequenceSet(estimator.train_values_, estimator.train_offsets_)
        plot_forecast(options.plot, histories, mean, lower, upper)


def _model_name(estimator: Any) -> str:
    """Return the registry name, which names the forecast columns (statsforecast)."""
    try:
        return name_of(type(estimator))
    except InvalidParameterError:
        return type(estimator).__name__


def _plain(value: Any) -> Any:
    """Return a JSON- and table-friendly value: dates as ISO text, NumPy as Python."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.item() if isinstance(value, np.generic) else value


def plot_forecast(
    path: Path,
    histories: SequenceSet,
    mean: Array,
    lower: Array,
    upper: Array,
    actual: Array | None = None,
) -> None:
    """Save a plot of each history's recent past, its forecast and 80% band.

    Up to 6 series (first feature), one panel each; ``actual`` ``(N, h, F)``
    adds what really followed (``evaluate --plot``). Needs matplotlib (the
    ``plot`` extra); a missing install raises ImportError naming it.
    """
    plt = pyplot()
    shown = min(len(histories), 6)
    h = mean.shape[1]
    fig, axes = plt.subplots(shown, 1, figsize=(8, 2.2 * shown), squeeze=False)
    for i in range(shown):
        ax = axes[i, 0]
        past = np.asarray(histories[i])[:, 0][-max(4 * h, 48) :]
        t_past = np.arange(-len(past), 0)
        t_future = np.arange(h)
        ax.plot(t_past, past, color="0.3", lw=1, label="history")
        ax.plot(t_future, mean[i, :, 0], color="C0", lw=1.5, label="forecast")
        ax.fill_between(
            t_future, lower[i, :, 0], upper[i, :, 0], color="C0", alpha=0.25,
            label="80% interval",
        )  # fmt: skip
        if actual is not None:
            ax.plot(t_future, actual[i, :, 0], "k.", ms=4, label="actual")
        ax.set_ylabel(f"series {i}")
    axes[0, 0].legend(loc="upper left", fontsize="small")
    axes[-1, 0].set_xlabel("steps from the forecast origin")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def evaluate(estimator: Any, options: EvaluateOptions) -> None:
    """Print a rolling-origin backtest: metrics per origin and their mean.

    The model's settings are refitted at each of 3 origins on the series of
    the data file; ``--window N`` trains on a sliding window of ``N`` steps
    instead of everything before the origin. MASE uses the model's
    ``season_length`` when it has one (with ``"auto"``, the season it found).
    ``--plot`` saves the last origin's forecasts beside what really followed.
    """
    from seqpred.evaluate.forecast import METRICS, backtest

    horizon = options.horizon or int(getattr(estimator, "horizon", 1) or 1)
    series = read_series(options.source)
    season = _mase_season(estimator)
    with step("backtesting"):
        result = backtest(
            estimator,
            series,
            horizon=horizon,
            n_origins=3,
            window="expanding" if options.window is None else "sliding",
            window_length=options.window,
            season_length=season,
        )
    header = ["origin", "steps_before_end", *METRICS]
    rows: list[list[Any]] = [
        [int(r["origin"]), int(r["steps_before_end"]), *(r[m] for m in METRICS)]
        for r in result.rows
    ]
    summary = result.mean()
    rows.append(["mean", "", *(summary[m] for m in METRICS)])
    emit(
        options.fmt,
        header=header,
        rows=rows,
        data={"horizon": horizon, "origins": result.rows, "mean": summary},
    )
    if options.plot is not None:
        _plot_last_origin(estimator, series, horizon, options.plot)


def _mase_season(estimator: Any) -> int:
    """Return the season of the MASE scale: the model's, or the one it detected.

    ``season_length="auto"`` models keep what they found per series or
    channel in ``season_lengths_``; the most common one scales MASE.
    """
    season = getattr(estimator, "season_length", None)
    if isinstance(season, (int, np.integer)) and not isinstance(season, bool):
        return max(int(season), 1)
    found = np.asarray(getattr(estimator, "season_lengths_", []), dtype=np.int64)
    if found.size == 0:
        return 1
    values, counts = np.unique(found, return_counts=True)
    return max(int(values[np.argmax(counts)]), 1)


def _plot_last_origin(
    estimator: Any, series: SequenceSet, horizon: int, path: Path
) -> None:
    """Refit on all but the last ``horizon`` steps; plot forecast and truth."""
    from seqpred.base import clone

    short = series.lengths < horizon + 1
    if short.any():
        raise DataError(
            f"evaluate --plot: series {int(np.argmax(short))} is shorter than "
            f"horizon + 1 = {horizon + 1} steps; pass a smaller --horizon."
        )
    ends = series.offsets[1:] - horizon
    parts = [series.values[a:b] for a, b in zip(series.offsets[:-1], ends)]
    train = SequenceSet.from_lists(parts, kind="numeric")
    future = series.values[ends[:, None] + np.arange(horizon)[None, :]]
    model: Any = clone(estimator)
    model.fit(train)
    lower, upper = model.predict_interval(train, horizon, _COVERAGE)
    plot_forecast(
        path, train, model.predict(train, horizon=horizon), lower, upper, future
    )
