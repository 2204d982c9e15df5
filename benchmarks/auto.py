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
    Empty here: the forecasting auto model is not part of this script yet.

One thread everywhere (BLAS, numba). The last line is ``RESULTS {"m3": {},
"next_item": {DATASET: {"auto": acc, "best_single": acc, ...}}, "classify":
{DATASET: {"auto": acc, "best_known": acc, ...}}}``.
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

RESULTS: dict[str, Any] = {"m3": {}, "next_item": {}, "classify": {}}


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


# -- main ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the chosen parts and print ``RESULTS {json}``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="next_item,classify,m3")
    parser.add_argument("--quick", action="store_true",
                        help="SIGN and MSNBC, two UCR sets, one MR fold")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=2,
                        help="next item: timed runs of CPT+ and auto")  # fmt: skip
    parser.add_argument("--mr-folds", type=int, default=3)
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
    print("RESULTS " + json.dumps(RESULTS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
