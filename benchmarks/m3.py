"""M3 benchmark: every registered forecaster with defaults, next to statsforecast.

Run:  .venv/bin/python benchmarks/m3.py [--subset yearly,quarterly,monthly,other]
      [--limit N] [--models naive,ets,...] [--no-anchors] [--neural-time 60]

The 3,003 M3 series (``../shared/data/forecast/m3``); the last ``horizon``
values of each series are the test (6 / 8 / 18 / 8 steps for yearly /
quarterly / monthly / other) and are never shown to a model. Each model is
fitted on the training part of every series of a subset at once (a local
model fits series by series; a global one pools them) with its defaults plus
``horizon``; rows marked ``(m=K)`` also get the subset's known season length
(1 / 4 / 12 / 1). sMAPE and MASE follow the M4 definitions (per series, then
averaged; MASE scaled by the in-sample seasonal-naive error at lag m).

``naive`` must reproduce the data README's sMAPE 17.88 / 11.32 / 18.18 / 6.30.
The anchors, run in the same process when statsforecast is installed (a
benchmark-only extra): ``statsforecast-autoets``, ``-autoarima``,
``-autotheta`` (season length m) and ``statsforecast-mean``, their mean;
``seqpred-mean`` is the same mean of seqpred's ``ets``, ``theta`` and
``arima`` with the known season length. Neural forecasters get
``--neural-time`` seconds of training per subset.

``ratio`` is the model's MASE over the naive MASE (the robustness target:
at most 1.5 everywhere, or ``fit`` refuses with a message). The last line is
``RESULTS {"m3": {SUBSET: {MODEL: {"smape": s, "mase": m, "seconds": t}}}}``;
a refused model has ``{"refused": message}``. Timings are wall-clock seconds
with one thread (numba and torch), on a shared machine, after one warm-up
fit of every compiled model (seqpred's and statsforecast's) on a small
series, so they leave out the one-time compilation.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

import seqpred  # noqa: E402
from seqpred.evaluate.forecast import forecast_errors  # noqa: E402
from seqpred.exceptions import SeqpredError  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "forecast" / "m3"
SUBSETS = {"yearly": (6, 1), "quarterly": (8, 4), "monthly": (18, 12), "other": (8, 1)}
README_NAIVE = {"yearly": 17.88, "quarterly": 11.32, "monthly": 18.18, "other": 6.30}
PUBLISHED_THETA = {"yearly": 16.90, "quarterly": 8.96, "monthly": 13.85, "other": 4.41}
NEURAL = {"mlp-forecaster", "neural-forecaster", "encoder-decoder"}
SEASONAL = ("ets", "theta", "arima", "seasonal-naive", "naive2")
COMBINED = ("ets", "theta", "arima")  # seqpred-mean: their mean, season known
RESULTS: dict[str, dict[str, dict[str, Any]]] = {}


def load(subset: str, limit: int | None) -> tuple[list[np.ndarray], np.ndarray]:
    """Return the training parts and the test values ``(N, h)`` of one subset."""
    frame = pl.read_csv(SHARED / f"M3-{subset}.csv")
    horizon = SUBSETS[subset][0]
    series = [np.array(v.split(), dtype=np.float64) for v in frame["values"]]
    if limit:
        series = series[:: max(1, len(series) // limit)][:limit]
    return [y[:-horizon] for y in series], np.stack([y[-horizon:] for y in series])


def registered_forecasters() -> list[str]:
    return sorted(seqpred.available("forecast"))


def model_params(name: str, horizon: int, neural_time: float) -> dict[str, Any]:
    from seqpred._registry import get_class

    takes = get_class(name)._param_names()
    params: dict[str, Any] = {"horizon": horizon} if "horizon" in takes else {}
    if name in NEURAL and name != "mlp-forecaster":
        params.update(max_time=neural_time, random_state=0, device="cpu")
    elif name == "mlp-forecaster":
        params["random_state"] = 0
    return params


def evaluate(
    subset: str, label: str, forecast: np.ndarray, train: list, test: np.ndarray
) -> dict[str, float]:
    m = SUBSETS[subset][1]
    errors = forecast_errors(
        test[:, :, None], forecast, [y[:, None] for y in train], season_length=m
    )
    return {"smape": errors["smape"], "mase": errors["mase"]}


def record(subset: str, label: str, row: dict[str, Any]) -> None:
    RESULTS.setdefault(subset, {})[label] = row
    naive = RESULTS[subset].get("naive", {}).get("mase")
    if "refused" in row:
        print(f"  {subset:9s} {label:28s} refused: {row['refused']}", flush=True)
        return
    ratio = row["mase"] / naive if naive else float("nan")
    print(
        f"  {subset:9s} {label:28s} sMAPE {row['smape']:7.3f}  MASE {row['mase']:7.3f}"
        f"  ratio {ratio:5.2f}  {row['seconds']:7.1f}s",
        flush=True,
    )


def run_ours(
    subset: str, label: str, name: str, params: dict[str, Any], train: list, test: Any
) -> np.ndarray | None:
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = seqpred.create(name, **params)
            forecast = np.asarray(model.fit(train).predict(horizon=test.shape[1]))
    except SeqpredError as exc:
        record(subset, label, {"refused": str(exc)})
        return None
    seconds = time.perf_counter() - start
    row = {**evaluate(subset, label, forecast, train, test), "seconds": seconds}
    record(subset, label, row)
    return forecast


def run_anchors(
    subset: str,
    train: list,
    test: np.ndarray,
    names: tuple[str, ...] = ("AutoETS", "AutoARIMA", "AutoTheta"),
) -> None:
    """Run statsforecast's models ``names`` (and their mean when all three run)."""
    try:
        import statsforecast.models
    except ImportError as exc:
        print(f"  statsforecast not installed ({exc}); anchors skipped")
        return
    horizon, m = SUBSETS[subset]
    forecasts = []
    for cls in [getattr(statsforecast.models, name) for name in names]:
        start = time.perf_counter()
        out = np.empty((len(train), horizon))
        for i, y in enumerate(train):
            out[i] = cls(season_length=m).forecast(y=y, h=horizon)["mean"]
        seconds = time.perf_counter() - start
        forecasts.append(out)
        label = "statsforecast-" + cls.__name__.lower()
        row = evaluate(subset, label, out[:, :, None], train, test)
        record(subset, label, {**row, "seconds": seconds})
    if len(forecasts) < 3:
        return
    mean = np.mean(forecasts, axis=0)[:, :, None]
    seconds = sum(RESULTS[subset][k]["seconds"] for k in list(RESULTS[subset])[-3:])
    row = evaluate(subset, "statsforecast-mean", mean, train, test)
    record(subset, "statsforecast-mean", {**row, "seconds": seconds})


def warm_up(anchors: bool) -> None:
    """Fit every compiled model once, so the timings leave out compilation."""
    t = np.arange(40.0)
    y = 10 + 0.1 * t + np.sin(2 * np.pi * t / 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in COMBINED:
            seqpred.create(name, season_length=4).fit([y]).predict(horizon=2)
        if anchors:
            try:
                from statsforecast.models import AutoARIMA, AutoETS, AutoTheta
            except ImportError:
                return
            for cls in (AutoETS, AutoARIMA, AutoTheta):
                cls(season_length=4).forecast(y=y, h=2)


def run_subset(subset: str, args: argparse.Namespace) -> None:
    train, test = load(subset, args.limit)
    horizon, m = SUBSETS[subset]
    print(f"{subset}: {len(train)} series, horizon {horizon}, season length {m}")
    names = args.models.split(",") if args.models else registered_forecasters()
    if "naive" in names:
        names.remove("naive")
    names.insert(0, "naive")
    known: dict[str, np.ndarray] = {}
    for name in names:
        params = model_params(name, horizon, args.neural_time)
        forecast = run_ours(subset, name, name, params, train, test)
        if name in SEASONAL and m > 1:
            label = f"{name} (m={m})"
            params = {**params, "season_length": m}
            forecast = run_ours(subset, label, name, params, train, test)
        if name in COMBINED and forecast is not None:
            known[name] = forecast
    if len(known) == len(COMBINED):
        mean = np.mean([known[k] for k in COMBINED], axis=0)
        seconds = sum(
            RESULTS[subset][k if m == 1 else f"{k} (m={m})"]["seconds"]
            for k in COMBINED
        )
        row = {
            **evaluate(subset, "seqpred-mean", mean, train, test),
            "seconds": seconds,
        }
        record(subset, "seqpred-mean", row)
    smape = RESULTS[subset]["naive"]["smape"]
    if not args.limit and abs(smape - README_NAIVE[subset]) > 0.005:
        print(f"  WARNING naive sMAPE {smape:.3f} != README {README_NAIVE[subset]}")
    if not args.no_anchors:
        run_anchors(subset, train, test)


def print_table() -> None:
    print("\n| subset | model | sMAPE | MASE | MASE / naive | seconds |")
    print("|---|---|---|---|---|---|")
    for subset, rows in RESULTS.items():
        naive = rows["naive"]["mase"]
        for label, row in rows.items():
            if "refused" in row:
                print(f"| {subset} | {label} | refused: {row['refused']} | | | |")
                continue
            print(
                f"| {subset} | {label} | {row['smape']:.2f} | {row['mase']:.3f} | "
                f"{row['mase'] / naive:.2f} | {row['seconds']:.1f} |"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", default=",".join(SUBSETS))
    parser.add_argument("--limit", type=int, default=None, help="series per subset")
    parser.add_argument("--models", default=None, help="registry names (all)")
    parser.add_argument("--no-anchors", action="store_true")
    parser.add_argument("--neural-time", type=float, default=60.0)
    args = parser.parse_args(argv)
    if not SHARED.is_dir():
        print(f"no benchmark data at {SHARED}", file=sys.stderr)
        return 1
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:
        pass
    load_avg = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"seqpred {seqpred.__version__}; load average {load_avg:.1f}")
    warm_up(not args.no_anchors)
    start = time.perf_counter()
    for subset in args.subset.split(","):
        run_subset(subset, args)
    print_table()
    print(f"total {time.perf_counter() - start:.0f}s")
    rounded = {
        s: {
            k: {n: round(v, 4) if isinstance(v, float) else v for n, v in row.items()}
            for k, row in rows.items()
        }
        for s, rows in RESULTS.items()
    }
    print("RESULTS " + json.dumps({"m3": rounded}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
