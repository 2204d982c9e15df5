"""The forecasting part of ``seqpred demo``: synthetic seasonal series, no files.

It fits one global DLinear model on many series, forecasts the next day of
each, compares it with the seasonal-naive forecast on held-out steps, and
writes a plot when matplotlib is installed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import seqpred
from seqpred.cli.output import OutputFormat, emit, say, step

__all__ = ["part_forecast"]

HORIZON = 24


def part_forecast(state: Any) -> None:
    """Forecast the next day of hourly series; compare with seasonal naive."""
    from seqpred.data.synthetic import seasonal_series
    from seqpred.evaluate.forecast import forecast_errors

    quick = bool(getattr(state, "quick", False))
    seed = int(getattr(state, "seed", 0))
    n, length = (20, 24 * 8) if quick else (60, 24 * 14)
    with step(f"generating {n} hourly series of {length} steps (seed {seed})"):
        series = seasonal_series(
            n, length, period=24, trend=0.01, noise=0.2, random_state=seed
        )
    train = [y[:-HORIZON] for y in series]
    truth = np.stack([y[-HORIZON:] for y in series])[:, :, None]
    insample = [y[:, None] for y in train]
    say(f"\n{n} series with a daily cycle, a trend and noise; the last day held out.")
    models: dict[str, Any] = {
        "seasonal-naive": seqpred.create("seasonal-naive", season_length=24),
        "dlinear": seqpred.create("dlinear", lookback=72, horizon=HORIZON),
    }
    forecasts = {}
    rows = []
    for name, model in models.items():
        with step(f"fitting {model!r}"):
            forecasts[name] = model.fit(train).predict(horizon=HORIZON)
        errors = forecast_errors(truth, forecasts[name], insample, season_length=24)
        rows.append([name, errors["mase"], errors["smape"], errors["mae"]])
    emit(OutputFormat.table, header=["model", "MASE", "sMAPE", "MAE"], rows=rows)
    dlinear = models["dlinear"]
    lower, upper = dlinear.predict_interval(train, horizon=HORIZON, coverage=0.8)
    shown = ", ".join(f"{v:.2f}" for v in forecasts["dlinear"][0, :4, 0])
    say(
        f"\nseries 0, next 4 hours: {shown} (truth "
        + ", ".join(f"{v:.2f}" for v in truth[0, :4, 0])
        + ")"
    )
    inside = float(np.mean((truth >= lower) & (truth <= upper)))
    say(f"share of held-out values inside the 80% interval: {inside:.0%}")
    _plot(train, forecasts["dlinear"], lower, upper)


def _plot(train: list[Any], mean: Any, lower: Any, upper: Any) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        say("(install matplotlib, pip install seqpred[plot], to get a plot)")
        return
    from seqpred.cli.forecast import plot_forecast
    from seqpred.data.sequence_set import SequenceSet

    path = Path(tempfile.mkdtemp(prefix="seqpred-demo-")) / "forecast.png"
    histories = SequenceSet.from_lists(train[:3], kind="numeric")
    with step(f"plotting to {path}"):
        plot_forecast(path, histories, mean[:3], lower[:3], upper[:3])
    say(f"plot of three forecasts: {path}")
