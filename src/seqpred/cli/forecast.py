"""Forecasters on the command line: the handler of :mod:`seqpred.cli.tasks`.

A numeric series file is read as follows. A CSV with ``sequence_id`` and
``item`` columns is long format (one row per step, several series); any
other CSV without ``--data-option`` values is **one** series whose numeric
columns are its features (a date or other text column is skipped). Other
files, and CSVs with ``--data-option`` values, go through
:func:`~seqpred.data.readers.read_sequences` as numeric data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.cli.output import emit, step
from seqpred.cli.tasks import (
    DataSource,
    EvaluateOptions,
    PredictOptions,
    reject_options,
)
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = ["evaluate", "fit_arguments", "plot_forecast", "predict", "read_series"]

TASK = "forecast"
_COVERAGE = 0.8  # the central interval printed and plotted
_TABULAR = {"csv", "parquet"}


def read_series(source: DataSource) -> SequenceSet:
    """Read numeric series from ``source`` (see the module docstring)."""
    suffix = source.path.suffix.lower()
    fmt = source.data_format
    is_csv = fmt == "csv" or (fmt == "auto" and suffix == ".csv")
    if is_csv and not source.options:
        import polars as pl

        with step(f"reading {source.path}"):
            frame = pl.read_csv(source.path, infer_schema_length=10_000)
        if {"sequence_id", "item"} <= set(frame.columns):
            options = {"kind": "numeric"}
            if "timestamp" in frame.columns:
                options["time_col"] = "timestamp"
            return DataSource(source.path, "csv", options).read()
        return _one_series(frame, source.path)
    if (fmt in _TABULAR or suffix in (".csv", ".parquet", ".pq")) and (
        "kind" not in source.options
    ):
        source = DataSource(
            source.path, source.data_format, {**source.options, "kind": "numeric"}
        )
    series = source.read()
    if series.kind != "numeric":
        raise DataError(
            f"forecast: {str(source.path)!r} holds symbols, not numbers; a "
            "forecaster needs numeric series. Pass a CSV of numbers or "
            "--data-option kind=numeric."
        )
    return series


def _one_series(frame: Any, path: Path) -> SequenceSet:
    """Read a wide CSV frame: its numeric columns are the features of one series."""
    numeric = [name for name, dtype in frame.schema.items() if dtype.is_numeric()]
    if not numeric:
        raise DataError(
            f"forecast: {str(path)!r} has no numeric column (columns: "
            f"{frame.columns}). Give a column of numbers, or long format with "
            "sequence_id and item columns."
        )
    values = frame.select(numeric).to_numpy().astype(np.float64)
    if not np.isfinite(values).all():
        row = int(np.flatnonzero(~np.isfinite(values).all(axis=1))[0])
        raise DataError(
            f"forecast: {str(path)!r} line {row + 2} has an empty or non-finite "
            "value; fill or drop it first."
        )
    return SequenceSet.from_lists([values], kind="numeric")


def describe(series: SequenceSet) -> str:
    """Summarise training series: ``"2 series (1,000 steps, 1 feature)"``."""
    f = series.n_features
    return (
        f"{len(series):,} series ({series.n_steps:,} steps, {f} "
        f"feature{'s' if f != 1 else ''})"
    )


def fit_arguments(source: DataSource) -> tuple[tuple[Any, ...], str]:
    """Read the training series: ``fit(series)``."""
    series = read_series(source)
    return (series,), describe(series)


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
    n, h, f = mean.shape
    header = [
        "series",
        "step",
        *(["feature"] if f > 1 else []),
        "mean",
        "lower",
        "upper",
    ]
    rows = [
        [
            i,
            k + 1,
            *([j] if f > 1 else []),
            mean[i, k, j],
            lower[i, k, j],
            upper[i, k, j],
        ]
        for i in range(n)
        for j in range(f)
        for k in range(h)
    ]
    emit(options.fmt, header=header, rows=rows)
    if options.plot is not None:
        if histories is None:
            histories = SequenceSet(estimator.train_values_, estimator.train_offsets_)
        plot_forecast(options.plot, histories, mean, lower, upper)


def plot_forecast(
    path: Path, histories: SequenceSet, mean: Array, lower: Array, upper: Array
) -> None:
    """Save a plot of each history's recent past, its forecast and 80% band.

    Up to 6 series (first feature), one panel each. Needs matplotlib (the
    ``plot`` extra); a missing install raises ImportError naming it.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "--plot needs matplotlib, which is not installed; install it with "
            "pip install seqpred[plot] (or pip install matplotlib)."
        ) from None
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
    ``season_length`` when it has one.
    """
    from seqpred.evaluate.forecast import METRICS, backtest

    reject_options(TASK, plot=options.plot)
    horizon = options.horizon or int(getattr(estimator, "horizon", 1) or 1)
    series = read_series(options.source)
    season = getattr(estimator, "season_length", None) or 1
    with step("backtesting"):
        result = backtest(
            estimator,
            series,
            horizon=horizon,
            n_origins=3,
            window="expanding" if options.window is None else "sliding",
            window_length=options.window,
            season_length=int(season),
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
