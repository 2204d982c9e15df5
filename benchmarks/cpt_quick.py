"""Quick check of CPT / CPT+ under the CPT+ papers' protocol, beside the `cpt` package.

Usage::

    python benchmarks/cpt_quick.py SIGN [--models cpt,cpt+,cpt+like-pkg,pkg]
        [--param cpt+:k=v ...] [--single-thread] [--repeat 3] [--single]

Reads ``../shared/data/next_item/<NAME>.txt`` (SPMF format), keeps and
shuffles the sequences as the authors' evaluator does, runs 14 folds and
prints accuracy, no-match rate, wall seconds (fit, predict), CPU seconds
(fit + predict, all threads) and prediction µs per query per model; with
``pkg``, the last lines give how many times faster than the package's
default (with and without its threads) each seqpred model predicts.
``--repeat N`` times each fold's prediction N times and keeps the fastest
(the timings of a shared machine are noisy). ``--single-thread`` runs numba
with one thread. ``--single`` also times one-query calls (the latency of an
interactive ``predict``) on the first fold, for CPT+ and the package. A
scratch tool: the full benchmark is ``benchmarks/next_item.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

if "--single-thread" in sys.argv:  # before numba is imported
    os.environ["NUMBA_NUM_THREADS"] = "1"

import numpy as np

from seqpred.data.sequence_set import SequenceSet
from seqpred.models.next_item import CPT, CPTPlus

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "next_item"
# name: (min_length, consequent, window, max_count, drop_repeats)
PROFILES = {
    "BMS": (6, 1, 5, 5000, False),
    "SIGN": (10, 3, 7, 1000, True),
    "MSNBC": (7, 2, 5, 5000, True),
    "BIBLE_WORD": (4, 1, 3, 5000, False),
    "LEVIATHAN": (6, 1, 5, 5000, False),
}


# "cpt+like-pkg": the work the `cpt` package does with its defaults (one update
# of the count table from the whole query, query items never predicted)
PRESETS = {
    "cpt+like-pkg": {
        "max_sequence_length": None,
        "noise_ratio": 0.0,
        "min_update_ratio": 0.0,
        "predict_repeats": False,
    }
}


def load(name: str) -> tuple[list[list[int]], int, int]:
    """Return the kept, shuffled sequences and the protocol's (consequent, window)."""
    min_length, consequent, window, max_count, drop = PROFILES[name]
    kept: list[list[int]] = []
    with open(DATA / f"{name}.txt") as handle:
        for line in handle:
            items = [int(t) for t in line.split() if t not in ("-1", "-2")]
            if drop:
                items = [x for i, x in enumerate(items) if i == 0 or items[i - 1] != x]
            if min_length <= len(items) <= 999:
                kept.append(items)
                if len(kept) >= max_count:
                    break
    random.Random(42).shuffle(kept)
    return kept, consequent, window


def folds(n: int, k: int = 14) -> list[tuple[int, int]]:
    size = n // k
    return [(i * size, n if i == k - 1 else (i + 1) * size) for i in range(k)]


def best_time(predict, repeat: int):
    """Return the output of ``predict()`` and its fastest wall time of ``repeat``."""
    best = float("inf")
    for _ in range(repeat):
        tic = time.perf_counter()
        out = predict()
        best = min(best, time.perf_counter() - tic)
    return out, best


def run_seqpred(make, data, consequent, window, repeat=1):
    hits = misses = fit_s = pred_s = 0.0
    cpu = time.process_time()
    for lo, hi in folds(len(data)):
        train = data[:lo] + data[hi:]
        test = data[lo:hi]
        queries = [s[-(consequent + window) : -consequent] for s in test]
        model = make()
        t0 = time.perf_counter()
        model.fit(SequenceSet.from_lists(train))
        fit_s += time.perf_counter() - t0
        (ids, _), seconds = best_time(
            lambda m=model, q=queries: m.predict_top_k_ids(q, 1), repeat
        )
        pred_s += seconds
        best = ids[:, 0]
        symbols = model.vocabulary_.decode(np.maximum(best, 0))
        for b, sym, seq in zip(best, symbols, test):
            if b < 0:
                misses += 1
            elif sym in seq[-consequent:]:
                hits += 1
    cpu = time.process_time() - cpu
    return hits / len(data), misses / len(data), fit_s, pred_s, cpu


def run_package(params, data, consequent, window, multithreading, repeat=1):
    from cpt.cpt import Cpt

    hits = misses = fit_s = pred_s = 0.0
    cpu = time.process_time()
    for lo, hi in folds(len(data)):
        train = data[:lo] + data[hi:]
        test = data[lo:hi]
        queries = [s[-(consequent + window) : -consequent] for s in test]
        model = Cpt(**params)
        t0 = time.perf_counter()
        model.fit(train)
        fit_s += time.perf_counter() - t0
        predicted, seconds = best_time(
            lambda m=model, q=queries: m.predict(q, multithreading=multithreading),
            repeat,
        )
        pred_s += seconds
        for p, seq in zip(predicted, test):
            if p is None:
                misses += 1
            elif p in seq[-consequent:]:
                hits += 1
    cpu = time.process_time() - cpu
    return hits / len(data), misses / len(data), fit_s, pred_s, cpu


def single_query_latency(data, consequent, window, n_calls=2000):
    """Median µs of a one-query ``predict``: CPT+ and the package (one thread)."""
    from cpt.cpt import Cpt

    lo, hi = folds(len(data))[0]
    train = data[:lo] + data[hi:]
    queries = [[s[-(consequent + window) : -consequent]] for s in data[lo:hi]]
    ours = CPTPlus().fit(SequenceSet.from_lists(train))
    package = Cpt()
    package.fit(train)
    calls = {
        "cpt+": lambda q: ours.predict(q),
        "cpt pkg default 1t": lambda q: package.predict(q, multithreading=False),
    }
    out = {}
    for name, call in calls.items():
        times = []
        for i in range(n_calls):
            query = queries[i % len(queries)]
            tic = time.perf_counter()
            call(query)
            times.append(time.perf_counter() - tic)
        out[name] = 1e6 * float(np.median(times))
    return out


def parse_params(pairs: list[str]) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for pair in pairs:
        model, _, kv = pair.partition(":")
        key, _, value = kv.partition("=")
        parsed: object
        if value in ("None", "True", "False"):
            parsed = {"None": None, "True": True, "False": False}[value]
        else:
            try:
                parsed = int(value)
            except ValueError:
                parsed = float(value)
        out.setdefault(model, {})[key] = parsed
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=sorted(PROFILES))
    parser.add_argument("--models", default="cpt,cpt+,cpt+like-pkg,pkg")
    parser.add_argument("--param", action="append", default=[])
    parser.add_argument("--single-thread", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="best of N timings")
    parser.add_argument(
        "--single", action="store_true", help="also time one-query calls"
    )
    args = parser.parse_args()
    data, consequent, window = load(args.dataset)
    params = parse_params(args.param)
    # compile (or load) the kernels first, tuning and threaded ones included
    warm = [[i % 7, (i * 3) % 7, (i * 5) % 7, i % 4] for i in range(600)]
    CPT().fit(warm).predict(warm[:200])
    CPTPlus().fit(warm).predict(warm[:200])
    print(
        f"{args.dataset}: {len(data)} sequences, consequent {consequent}, "
        f"window {window}"
    )
    print(
        f"{'model':<24} {'accuracy':>8} {'no match':>8} {'fit s':>7} {'pred s':>7}"
        f" {'cpu s':>7} {'µs/query':>9}"
    )
    per_query: dict[str, float] = {}

    def show(tag: str, row: tuple[float, ...]) -> None:
        per_query[tag] = 1e6 * row[3] / len(data)
        print(
            f"{tag:<24} {row[0]:8.3f} {row[1]:8.3f} {row[2]:7.2f} {row[3]:7.2f}"
            f" {row[4]:7.2f} {per_query[tag]:9.1f}"
        )

    for name in args.models.split(","):
        if name == "pkg":
            for label, p in (
                ("cpt pkg default", {}),
                ("cpt pkg bench", {"MBR": 10, "noise_ratio": 0.2}),
            ):
                for mt in (False, True):
                    row = run_package(p, data, consequent, window, mt, args.repeat)
                    show(f"{label} {'mt' if mt else '1t'}", row)
            continue
        cls = CPT if name == "cpt" else CPTPlus
        kw = {**PRESETS.get(name, {}), **params.get(name, {})}
        make = lambda c=cls, k=kw: c(**k)  # noqa: E731
        show(name, run_seqpred(make, data, consequent, window, args.repeat))
    for name in [n for n in per_query if not n.startswith("cpt pkg")]:
        for base in ("cpt pkg default mt", "cpt pkg default 1t"):
            if base in per_query:
                ratio = per_query[base] / per_query[name]
                print(f"{name} predicts {ratio:.2f}x as fast as {base}")
    if args.single:
        latency = single_query_latency(data, consequent, window)
        for name, micros in latency.items():
            print(f"one-query call, {name}: {micros:.1f} µs (median)")


if __name__ == "__main__":
    main()
