"""Forecasting benchmark: M4 Hourly, ETTh1 (horizon 96), airline passengers, sunspots.

Run:  .venv/bin/python benchmarks/forecast.py [--quick]
      [--parts m4,ett,airline,sunspots] [--device cpu|cuda]

* **m4_hourly**: the 414 M4 Hourly series, horizon 48, sMAPE and MASE exactly
  as the M4 evaluation computes them (per series, then averaged; MASE scaled
  by the in-sample seasonal-naive error at lag 24). Official: seasonal naive
  13.912 / 1.193, Naive2 18.383 / 2.395, naive 43.003 / 11.608.
  ``ar`` and ``dlinear`` are one global linear model over every window of
  every series: log values, the change from the seasonal-naive forecast
  regressed on the window's lag-24 differences, each window scaled by its
  mean absolute lag-24 change (+ 0.005), ridge, multi-output.
* **etth1_96**: ETTh1, all 7 channels ('M' setting), z-scored with the
  training statistics, standard split (rows [0, 8640) train, test origins
  11520 .. 14304, every origin); repeat-last must give MSE 1.294 / MAE 0.713.
  ``dlinear``: lookback 336, closed-form ridge, channel independent.
* ``encoder-decoder`` (M4 and ETTh1): a GRU encoder over the window, a GRU
  decoder unrolled over the horizon, quantiles 0.1/0.5/0.9 by the pinball
  loss, windows standardised one by one, the median starting from the
  seasonal-naive forecast (lag 24); trained on the CPU (one thread, or
  ``--device cuda``) within a time budget (``max_time``), early stopping on
  the latest 10% of each channel's windows. Besides the errors it reports
  ``coverage_80`` (share of test values inside the 0.1-0.9 interval) and
  ``epochs`` (epochs run).
* **airline_24**: monthly passengers 1949-60, the last 24 months held out,
  MASE scaled by the in-sample seasonal naive (m = 12). ``ar``: log values,
  lag-12 differences, order chosen on the last 24 training months. The
  statsforecast models (``pip install statsforecast``; benchmark only) run in
  the same process when installed.
* **sunspots**: yearly 1700-1920 to fit, one-step forecasts of 1921-55,
  ARV = MSE / 1495.6. ``ar`` is AR(9) (reference 0.126); ``ar:validated``
  picks the order and a sqrt transform on 1891-1920 after fitting 1700-1890;
  ``mlp-forecaster`` is an ensemble of 5 12-8-1 tanh networks (L2 0.01);
  ``setar`` is a two-regime threshold AR whose delay, threshold and orders
  are chosen by AIC on the training years only.

The last line is ``RESULTS {json}``. Timings are wall-clock seconds with one
torch/BLAS-bound process; they depend on the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

import seqpred
from seqpred.evaluate.forecast import forecast_errors

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "forecast"
RESULTS: dict[str, dict[str, dict[str, float]]] = {}
ROWS: list[tuple[str, str, str, float]] = []

M4_GLOBAL = {
    "horizon": 48,
    "season_length": 24,
    "strategy": "multi-output",
    "alpha": 0.01,
    "scaling": "seasonal",
    "scale_floor": 0.005,  # chosen on the last 48 training hours (see docs)
    "transform": "log",
}

# encoder-decoder settings: chosen once, before looking at any test value
ENCODER_DECODER = {
    "hidden_size": 32,
    "batch_size": 256,
    "learning_rate": 0.003,
    "windows_per_epoch": 20_000,
    "max_epochs": 200,
    "max_time": 540.0,  # 9 minutes of training, then predicting
    "patience": 5,
    "random_state": 0,
}
M4_ENCODER_DECODER = {
    "lookback": 96,
    "horizon": 48,
    "season_length": 24,  # the median starts as the seasonal-naive forecast
    "transform": "log",
    "scaling": "standard",
    **ENCODER_DECODER,
}
ETT_ENCODER_DECODER = {
    "lookback": 96,
    "horizon": 96,
    "season_length": 24,
    "scaling": "standard",
    **ENCODER_DECODER,
}
DEVICE = {"device": "cpu"}  # --device


def record(dataset: str, model: str, metrics: dict[str, float], seconds: float) -> None:
    rounded = {k: round(float(v), 4) for k, v in metrics.items()}
    RESULTS.setdefault(dataset, {})[model] = rounded
    shown = ", ".join(f"{k} {float(v):.3f}" for k, v in metrics.items())
    ROWS.append((dataset, model, shown, seconds))
    print(f"  {dataset:10s} {model:24s} {shown:34s} {seconds:7.1f}s", flush=True)


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


# -- M4 Hourly ----------------------------------------------------------------------


def read_m4(name: str) -> list[np.ndarray]:
    frame = pl.read_csv(SHARED / "m4_hourly" / name, infer_schema_length=0)
    return [
        np.array([float(v) for v in row[1:] if v not in (None, "")])
        for row in frame.iter_rows()
    ]


def run_m4(quick: bool) -> None:
    train, test = read_m4("Hourly-train.csv"), read_m4("Hourly-test.csv")
    if quick:
        train, test = train[::8], test[::8]
    truth = np.stack(test)[:, :, None]
    insample = [x[:, None] for x in train]
    models: list[tuple[str, dict[str, Any]]] = [
        ("naive", {"horizon": 48}),
        ("seasonal-naive", {"season_length": 24, "horizon": 48}),
        ("naive2", {"season_length": 24, "horizon": 48}),
        ("ar", {"order": 312, **M4_GLOBAL}),
        ("dlinear", {"lookback": 336, **M4_GLOBAL}),
    ]
    for name, params in models:
        model = seqpred.create(name, **params)
        forecast, seconds = timed(lambda m=model: m.fit(train).predict(horizon=48))
        errors = forecast_errors(truth, forecast, insample, season_length=24)
        record("m4_hourly", name, {k: errors[k] for k in ("smape", "mase")}, seconds)
    params = {**M4_ENCODER_DECODER, **DEVICE}
    if quick:
        params["max_time"] = 60.0
    model = seqpred.create("encoder-decoder", **params)
    (forecast, (lower, upper)), seconds = timed(
        lambda: (
            model.fit(train).predict(horizon=48),
            model.predict_interval(horizon=48, coverage=0.8),
        )
    )
    errors = forecast_errors(truth, forecast, insample, season_length=24)
    metrics = {k: errors[k] for k in ("smape", "mase")}
    metrics["coverage_80"] = float(np.mean((truth >= lower) & (truth <= upper)))
    metrics["epochs"] = model.n_epochs_
    record("m4_hourly", "encoder-decoder", metrics, seconds)


# -- ETTh1 --------------------------------------------------------------------------


def run_ett(quick: bool) -> None:
    frame = pl.read_csv(SHARED / "ett" / "ETTh1.csv")
    values = frame.drop("date").to_numpy().astype(np.float64)
    train = values[:8640]
    z = (values - train.mean(axis=0)) / train.std(axis=0)
    horizon, lookback = 96, 336
    origins = np.arange(11520, 14400 - horizon + 1)
    if quick:
        origins = origins[::10]
    histories = [z[t - lookback : t] for t in origins]
    truth = np.stack([z[t : t + horizon] for t in origins])
    models: list[tuple[str, dict[str, Any]]] = [
        ("naive", {"horizon": horizon}),
        ("dlinear", {"lookback": lookback, "horizon": horizon}),
    ]
    for name, params in models:
        model = seqpred.create(name, **params)
        forecast, seconds = timed(
            lambda m=model: m.fit([z[:8640]]).predict(histories, horizon=horizon)
        )
        metrics = {
            "mse": float(np.mean((forecast - truth) ** 2)),
            "mae": float(np.mean(np.abs(forecast - truth))),
        }
        record("etth1_96", name, metrics, seconds)
    params = {**ETT_ENCODER_DECODER, **DEVICE}
    if quick:
        params["max_time"] = 60.0
    model = seqpred.create("encoder-decoder", **params)
    (forecast, (lower, upper)), seconds = timed(
        lambda: (
            model.fit([z[:8640]]).predict(histories, horizon=horizon),
            model.predict_interval(histories, horizon=horizon, coverage=0.8),
        )
    )
    metrics = {
        "mse": float(np.mean((forecast - truth) ** 2)),
        "mae": float(np.mean(np.abs(forecast - truth))),
        "coverage_80": float(np.mean((truth >= lower) & (truth <= upper))),
        "epochs": model.n_epochs_,
    }
    record("etth1_96", "encoder-decoder", metrics, seconds)


# -- airline passengers ------------------------------------------------------------


def _mase(truth: np.ndarray, forecast: np.ndarray, train: np.ndarray, m: int) -> float:
    scale = np.mean(np.abs(train[m:] - train[:-m]))
    return float(np.mean(np.abs(truth - forecast)) / scale)


def _airline_ar(train: np.ndarray, horizon: int) -> dict[str, Any]:
    """Pick the AR order on the last ``horizon`` training months (no test data)."""
    fit_part, check = train[:-horizon], train[-horizon:]
    best: tuple[float, int] = (np.inf, 1)
    for order in range(1, 13):
        params = {"order": order, "season_length": 12, "transform": "log"}
        model = seqpred.create("ar", horizon=horizon, **params)
        forecast = model.fit([fit_part]).predict(horizon=horizon)[0, :, 0]
        best = min(best, (_mase(check, forecast, fit_part, 12), order))
    return {"order": best[1], "season_length": 12, "transform": "log"}


def run_airline(quick: bool) -> None:
    frame = pl.read_csv(SHARED / "classic" / "Airline.csv")
    y = frame["Passengers"].to_numpy().astype(np.float64)
    horizon = 24
    train, truth = y[:-horizon], y[-horizon:]
    params, seconds = timed(lambda: _airline_ar(train, horizon))
    print(f"  airline: ar order chosen on validation: {params['order']}")
    models: list[tuple[str, dict[str, Any]]] = [
        ("seasonal-naive", {"season_length": 12}),
        ("naive2", {"season_length": 12}),
        ("drift", {}),
        ("ar", params),
    ]
    for name, model_params in models:
        model = seqpred.create(name, horizon=horizon, **model_params)
        forecast, took = timed(lambda m=model: m.fit([train]).predict()[0, :, 0])
        mase = _mase(truth, forecast, train, 12)
        record(
            "airline_24", name, {"mase": mase}, took + (seconds if name == "ar" else 0)
        )
    try:
        from statsforecast.models import AutoARIMA, AutoETS, AutoTheta
    except ImportError as exc:
        print(f"  airline: statsforecast not installed ({exc}); skipped")
        return
    for cls in (AutoETS, AutoARIMA, AutoTheta):
        model = cls(season_length=12)
        forecast, took = timed(lambda m=model: m.fit(train).predict(horizon)["mean"])
        name = "statsforecast-" + cls.__name__.lower()
        record("airline_24", name, {"mase": _mase(truth, forecast, train, 12)}, took)


# -- sunspots -----------------------------------------------------------------------


def _one_step(model: Any, y: np.ndarray, years: np.ndarray, lo: int, hi: int) -> float:
    """Mean squared one-step error over the years ``lo .. hi`` (all before known)."""
    index = np.flatnonzero((years >= lo) & (years <= hi))
    forecast = model.predict([y[:i] for i in index], horizon=1)[:, 0, 0]
    return float(np.mean((forecast - y[index]) ** 2))


def run_sunspots(quick: bool) -> None:
    frame = pl.read_csv(SHARED / "classic" / "sunspots.csv")
    years = frame["YEAR"].to_numpy()
    y = frame["SUNACTIVITY"].to_numpy().astype(np.float64)
    variance = 1495.6
    fit_years = y[years <= 1920]

    def arv(name: str, params: dict[str, Any]) -> tuple[float, float]:
        model = seqpred.create(name, **params).fit([fit_years])
        return _one_step(model, y, years, 1921, 1955) / variance, 0.0

    weigend = {
        "lookback": 12,
        "hidden_size": 8,
        "weight_decay": 0.01,
        "random_state": 0,
    }
    fixed: list[tuple[str, dict[str, Any]]] = [
        ("naive", {}),
        ("ar", {"order": 9}),
        ("mlp-forecaster", weigend),  # Weigend's 12-8-1 shape; set before any test
        ("setar", {}),  # delay, threshold and orders by AIC on 1700-1920
    ]
    for name, params in fixed:
        (value, _), took = timed(lambda n=name, p=params: arv(n, p))
        record("sunspots", name, {"arv_1921_55": value}, took)

    def choose() -> dict[str, Any]:
        best: tuple[float, int, str] = (np.inf, 0, "")
        early = y[years <= 1890]
        for transform in ("none", "sqrt"):
            for order in range(2, 16):
                model = seqpred.create("ar", order=order, transform=transform)
                error = _one_step(model.fit([early]), y, years, 1891, 1920)
                best = min(best, (error, order, transform))
        return {"order": best[1], "transform": best[2]}

    params, took = timed(choose)
    print(f"  sunspots: ar:validated picked {params}")
    (value, _), fit_took = timed(lambda: arv("ar", params))
    record("sunspots", "ar:validated", {"arv_1921_55": value}, took + fit_took)


PARTS = {
    "m4": run_m4,
    "ett": run_ett,
    "airline": run_airline,
    "sunspots": run_sunspots,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a fast subset")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--device", default="cpu", help="encoder-decoder device")
    args = parser.parse_args(argv)
    DEVICE["device"] = args.device
    if not SHARED.is_dir():
        print(f"no benchmark data at {SHARED}", file=sys.stderr)
        return 1
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"seqpred {seqpred.__version__}; load average {load:.1f}; quick={args.quick}")
    start = time.perf_counter()
    for part in args.parts.split(","):
        PARTS[part](args.quick)
    print("\n| dataset | model | metrics | seconds |\n|---|---|---|---|")
    for dataset, model, shown, seconds in ROWS:
        print(f"| {dataset} | {model} | {shown} | {seconds:.1f} |")
    print(f"total {time.perf_counter() - start:.0f}s")
    print("RESULTS " + json.dumps(RESULTS))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
