"""auto benchmark: seqpred.create("auto", task=...) against the best known models.

Run:  .venv/bin/python benchmarks/auto.py [--parts next_item,classify,m3]
      [--quick] [--repeats N] [--mr-folds N]

next_item
    The CPT+ papers' protocol on the five shared datasets (14 folds,
    accuracy@1; ``benchmarks/_ipredict.py``). ``auto`` is told the query it
    will get (``window`` and ``consequent`` of each dataset's profile) and
    otherwise runs with its defaults; every single registered model runs with
    its defaults (blend and mixture are ensembles, not single models; the
    neural ones are in ``benchmarks/neural.py``). CPT+ and auto are timed
    ``--repeats`` times, interleaved, and the fastest run of each is kept
    (the machine is shared).
classify
    The UCR sets, DNA splice (StatLog split), TREC (its test set) and MR
    (the first ``--mr-folds`` of the 10 folds of ``benchmarks/classify.py``)
    with ``auto``'s defaults (``random_state=0``), beside the best
    configuration of docs/benchmarks.md (``best_known``) and the same
    configuration run here on the same split (``anchor``).
m3
    The 3,003 M3 series (``benchmarks/m3.py``: the last 6 / 8 / 18 / 8 values
    are the test, never shown to a model): ``auto`` (``seqpred.create("auto",
    task="forecast", horizon=h)``, its defaults: ``max_time=60``, the season
    length detected), ``auto`` without a time limit, and ``auto`` without a
    limit and with the subset's season length (1 / 4 / 12 / 1), beside
    ``naive``, statsforecast's AutoETS and AutoTheta (their best single
    models on M3; ``--anchors all`` adds AutoARIMA, 25 min, and their mean)
    and the published Theta method's sMAPE.
forecast
    M4 Hourly (414 series, horizon 48) and the airline passengers (the last
    24 months held out), as ``benchmarks/forecast.py`` runs them: ``auto``
    with its defaults (and on airline also without a time limit), beside the
    best figures of that script (the global ``ar``; on airline the
    statsforecast models, run here in the same process).

One thread everywhere (BLAS, numba). The last line is ``RESULTS {"m3": {SUBSET:
{MODEL: {"smape": s, "mase": m, "seconds": t}}},
"next_item": {DATASET: {"auto": acc, "best_single": acc, ...}}, "classify":
{DATASET: {"auto": acc, "best_known": acc, ...}}, "forecast": {"m4_hourly":
{MODEL: {"smape": s, "mase": m}}, "airline_24": {MODEL: {"mase": m}}}}``.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
              "NUMBA_NUM_THREADS"):  # fmt: skip
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import collections  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from _ipredict import PROFILES, load  # noqa: E402

import seqpred  # noqa: E402
from seqpred.data import SequenceSet, read_lines, read_ucr  # noqa: E402
from seqpred.evaluate import cross_validate_next_item  # noqa: E402
from seqpred.exceptions import ConvergenceWarning  # noqa: E402
from seqpred.models.classify import KmerClassifier, MiniRocketClassifier  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
NEXT_ITEM = ["SIGN", "MSNBC", "BMS", "BIBLE_WORD", "LEVIATHAN"]
SINGLES = ["markov", "ppm", "akom", "dg", "lz78", "tdag", "cpt", "cpt+"]
UCR = ["GunPoint", "ItalyPowerDemand", "ArrowHead", "Coffee", "BasicMotions",
       "JapaneseVowels"]  # fmt: skip
BEST_KNOWN = {  # docs/benchmarks.md, classification: the best seqpred figure
    "GunPoint": 0.9933, "ItalyPowerDemand": 0.9679, "ArrowHead": 0.8514,
    "Coffee": 1.0, "BasicMotions": 1.0, "JapaneseVowels": 0.9784,
    "dna-splice": 0.968, "trec": 0.906, "mr": 0.7971,
}  # fmt: skip

RESULTS: dict[str, Any] = {"m3": {}, "next_item": {}, "classify": {}, "forecast": {}}


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# -- next item -----------------------------------------------------------------


def _cv(make: Any, sequences: list[list[int]], profile: Any) -> tuple[float, float]:
    start = time.perf_counter()
    total, _ = cross_validate_next_item(
        make, sequences, n_folds=14, window=profile.window,
        consequent=profile.consequent, k=1, shuffle_seed=42,
    )  # fmt: skip
    return total.accuracy, time.perf_counter() - start


def run_next_item(datasets: list[str], repeats: int) -> None:
    say("dataset      model      accuracy  seconds")
    for name in datasets:
        profile = PROFILES[name]
        sequences = load(profile)
        singles = {}
        for model in SINGLES:
            acc, sec = _cv(lambda m=model: seqpred.create(m), sequences, profile)
            singles[model] = (acc, sec)
            say(f"{name:12s} {model:9s} {acc:9.4f} {sec:8.2f}")
        chosen: collections.Counter[str] = collections.Counter()
        times: dict[str, list[float]] = {"cpt+": [], "auto": []}
        auto_acc = float("nan")
        for _ in range(repeats):  # interleaved; the fastest run of each is kept
            times["cpt+"].append(_cv(lambda: seqpred.create("cpt+"), sequences,
                                     profile)[1])  # fmt: skip
            made: list[Any] = []
            auto_acc, seconds = _cv(_auto_factory(profile, made), sequences, profile)
            times["auto"].append(seconds)
            chosen = collections.Counter(_choice(m) for m in made)
        best_model = max(singles, key=lambda m: singles[m][0])
        cpt_s, auto_s = min(times["cpt+"]), min(times["auto"])
        say(f"{name:12s} {'auto':9s} {auto_acc:9.4f} {auto_s:8.2f}  "
            f"({auto_s / cpt_s:.2f}x CPT+ {cpt_s:.2f}s) "
            f"chose {dict(chosen)}")  # fmt: skip
        RESULTS["next_item"][name] = {
            "auto": round(auto_acc, 4),
            "best_single": round(singles[best_model][0], 4),
            "best_single_model": best_model,
            "auto_seconds": round(auto_s, 2),
            "cpt+_seconds": round(cpt_s, 2),
            "time_ratio": round(auto_s / cpt_s, 2),
            "chosen": dict(chosen),
            "singles": {m: round(a, 4) for m, (a, _) in singles.items()},
        }


def _auto_factory(profile: Any, made: list[Any]) -> Any:
    """A factory of auto models told the profile's query; it keeps what it made."""

    def make() -> Any:
        model = seqpred.create(
            "auto", task="next-item", window=profile.window,
            consequent=profile.consequent,
        )  # fmt: skip
        made.append(model)
        return model

    return make


def _choice(model: Any) -> str:
    if model.best_name_ != "blend":
        return str(model.best_name_)
    return "blend:" + "+".join(name for name, _ in model.best_params_["models"])


# -- classification ------------------------------------------------------------


def _record(dataset: str, auto: Any, acc: float, seconds: float, **extra: Any) -> None:
    row = {"auto": round(acc, 4), "best_known": BEST_KNOWN[dataset],
           "auto_seconds": round(seconds, 1), **extra}  # fmt: skip
    if auto is not None:
        row["chosen"] = f"{auto.best_name_} {json.dumps(auto.best_params_)}"
    RESULTS["classify"][dataset] = row
    shown = {k: v for k, v in row.items() if k not in ("auto", "best_known")}
    say(f"{dataset:18s} auto {acc:.4f}  best known {BEST_KNOWN[dataset]:.4f}  "
        f"{json.dumps(shown)}")  # fmt: skip


def _auto_classifier() -> Any:
    return seqpred.create("auto", task="classify", random_state=0)


def run_ucr(quick: bool) -> None:
    warm = SequenceSet.from_lists(
        [np.sin(np.arange(30) * f) for f in (1, 2, 1, 2)], kind="numeric",
        labels=["a", "b", "a", "b"],
    )  # fmt: skip
    MiniRocketClassifier(random_state=0).fit(warm)  # numba: load the kernels once
    for name in UCR[:2] if quick else UCR:
        ext = "txt" if name == "Coffee" else "ts"
        folder = DATA / "ucr" / name
        train = read_ucr(folder / f"{name}_TRAIN.{ext}")
        test = read_ucr(folder / f"{name}_TEST.{ext}")
        start = time.perf_counter()
        auto = _auto_classifier().fit(train)
        acc, seconds = auto.score(test), time.perf_counter() - start
        anchor = MiniRocketClassifier(random_state=0).fit(train).score(test)
        _record(name, auto, acc, seconds, anchor=round(anchor, 4))


def run_dna() -> None:
    lines = (DATA / "dna" / "splice" / "splice_statlog.csv").read_text().splitlines()
    rows = [line.split(",") for line in lines[1:]]
    X = [r[2] for r in rows if r[0] == "train"]
    y = [r[1] for r in rows if r[0] == "train"]
    Xt = [r[2] for r in rows if r[0] == "test"]
    yt = [r[1] for r in rows if r[0] == "test"]
    start = time.perf_counter()
    auto = _auto_classifier().fit(X, y)
    acc, seconds = auto.score(Xt, yt), time.perf_counter() - start
    fixed = KmerClassifier(1, max_k=3, n_position_bins=60, tfidf=False, alpha=1e-3)
    _record("dna-splice", auto, acc, seconds,
            anchor=round(fixed.fit(X, y).score(Xt, yt), 4))  # fmt: skip


def _text(name: str) -> SequenceSet:
    return read_lines(DATA / "text_classification" / name, labels="first",
                      encoding="latin-1")  # fmt: skip


def run_trec() -> None:
    train, test = _text("trec/TREC.train.all"), _text("trec/TREC.test.all")
    start = time.perf_counter()
    auto = _auto_classifier().fit(train)
    acc, seconds = auto.score(test), time.perf_counter() - start
    best = KmerClassifier(1, max_k=2, nb_scaling=True, sublinear_tf=True, alpha=1e-6)
    _record("trec", auto, acc, seconds, anchor=round(best.fit(train).score(test), 4))


def run_mr(n_folds: int) -> None:
    """The first folds of benchmarks/classify.py's 10-fold split (seed 0)."""
    mr = _text("mr/rt-polarity.all")
    order = np.random.default_rng(0).permutation(len(mr))
    folds = [order[i::10] for i in range(10)][:n_folds]
    autos, anchors, seconds, chosen = [], [], 0.0, []
    for test in folds:
        train = np.setdiff1d(np.arange(len(mr)), test)
        start = time.perf_counter()
        auto = _auto_classifier().fit(mr.take(train))
        autos.append(auto.score(mr.take(test)))
        seconds += time.perf_counter() - start
        chosen.append(f"{auto.best_name_} {json.dumps(auto.best_params_)}")
        best = KmerClassifier(1, max_k=2, nb_scaling=True, sublinear_tf=True,
                              char_ngrams=(2, 5), alpha=3e-5)  # fmt: skip
        anchors.append(best.fit(mr.take(train)).score(mr.take(test)))
    _record("mr", None, float(np.mean(autos)), seconds, folds=n_folds,
            anchor=round(float(np.mean(anchors)), 4), chosen=chosen)  # fmt: skip


# -- M3 ------------------------------------------------------------------------


def run_m3(quick: bool, all_anchors: bool) -> None:
    import m3

    m3.warm_up(anchors=True)
    for subset, (horizon, m) in m3.SUBSETS.items():
        train, test = m3.load(subset, 100 if quick else None)
        say(f"M3 {subset}: {len(train)} series, horizon {horizon}")
        m3.run_ours(subset, "naive", "naive", {}, train, test)
        runs = {
            "auto": {"horizon": horizon},
            "auto (max_time=None)": {"horizon": horizon, "max_time": None},
            f"auto (max_time=None, m={m})": {
                "horizon": horizon,
                "max_time": None,
                "season_length": m,
            },
        }
        for label, params in runs.items():
            m3.run_ours(subset, label, "auto-forecast", params, train, test)
        best = ("AutoETS", "AutoTheta")  # the best single ones on every subset
        m3.run_anchors(
            subset, train, test, (*best, "AutoARIMA") if all_anchors else best
        )
        RESULTS["m3"][subset] = m3.RESULTS[subset]
        RESULTS["m3"][subset]["published-theta"] = {"smape": m3.PUBLISHED_THETA[subset]}


def run_forecast(quick: bool) -> None:
    import forecast

    auto_runs = {"auto": {}, "auto (max_time=None)": {"max_time": None}}
    train = forecast.read_m4("Hourly-train.csv")
    test = forecast.read_m4("Hourly-test.csv")
    if quick:
        train, test = train[::8], test[::8]
    truth = np.stack(test)[:, :, None]
    insample = [x[:, None] for x in train]
    runs = {  # without a limit, ETS and ARIMA (24-hour season) ran past 17 minutes
        "ar": ("ar", {"order": 312, **forecast.M4_GLOBAL}),
        "auto": ("auto-forecast", {"horizon": 48}),
    }
    for label, (name, params) in runs.items():
        model = seqpred.create(name, **params)
        out, seconds = forecast.timed(lambda m=model: m.fit(train).predict())
        errors = forecast.forecast_errors(truth, out, insample, season_length=24)
        forecast.record("m4_hourly", label, {k: errors[k] for k in ("smape", "mase")},
                        seconds)  # fmt: skip
        if name == "auto-forecast":
            say(f"  m4_hourly {label}: {model.choices_[0]}")
    y = forecast.pl.read_csv(forecast.SHARED / "classic" / "Airline.csv")
    y = y["Passengers"].to_numpy().astype(np.float64)
    series, truth_air = y[:-24], y[-24:]
    for label, params in auto_runs.items():
        model = seqpred.create("auto-forecast", horizon=24, **params)
        out, seconds = forecast.timed(lambda m=model: m.fit([series]).predict())
        mase = forecast._mase(truth_air, out[0, :, 0], series, 12)
        forecast.record("airline_24", label, {"mase": mase}, seconds)
        say(f"  airline {label}: {model.choices_[0]}")
    RESULTS["forecast"] = forecast.RESULTS
    try:
        from statsforecast.models import AutoARIMA, AutoETS, AutoTheta
    except ImportError as exc:
        say(f"  airline: statsforecast not installed ({exc}); anchors skipped")
        return
    for cls in (AutoETS, AutoARIMA, AutoTheta):
        sf = cls(season_length=12)
        out, took = forecast.timed(lambda m=sf: m.fit(series).predict(24)["mean"])
        mase = forecast._mase(truth_air, out, series, 12)
        forecast.record("airline_24", "statsforecast-" + cls.__name__.lower(),
                        {"mase": mase}, took)  # fmt: skip


# -- main ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts and print ``RESULTS {json}``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="next_item,classify,m3,forecast")
    parser.add_argument("--quick", action="store_true",
                        help="SIGN and MSNBC, two UCR sets, one MR fold")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=2,
                        help="next item: timed runs of CPT+ and auto")  # fmt: skip
    parser.add_argument("--mr-folds", type=int, default=3)
    parser.add_argument("--anchors", choices=["best", "all"], default="best",
                        help="m3: statsforecast AutoETS and AutoTheta, or all "
                        "three and their mean")  # fmt: skip
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if "next_item" in parts:
            datasets = NEXT_ITEM[:2] if args.quick else NEXT_ITEM
            run_next_item(datasets, max(1, args.repeats))
        if "classify" in parts:
            run_ucr(args.quick)
            run_dna()
            run_trec()
            run_mr(1 if args.quick else args.mr_folds)
        if "m3" in parts:
            run_m3(args.quick, args.anchors == "all")
        if "forecast" in parts:
            run_forecast(args.quick)
    print("RESULTS " + json.dumps(RESULTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
