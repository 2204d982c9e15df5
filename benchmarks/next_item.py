"""Next-item benchmark: the CPT+ papers' protocol on ../shared/data/next_item.

Run:  .venv/bin/python benchmarks/next_item.py [--quick] [--models markov,ppm]
      [--datasets SIGN,MSNBC] [--protocols ipredict,last1]

For every dataset and model it runs the 14-fold protocol (see
../shared/anchors/next_item.md) and prints accuracy, no-match rate, total
train + predict seconds over the folds, prediction µs per query and model MB,
then the same for the `cpt` PyPI package (a benchmark-only extra) in the same
process. Protocol "last1" predicts each sequence's last item from the <= 10
before it and adds HR@10 / MRR@10 / NDCG@10. The last line is
``RESULTS {"protocol": {"ipredict": {DATASET: {MODEL: {"accuracy": a,
"no_match": r, "seconds": s}}}, "last1": {...}}}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

import numpy as np
from _ipredict import PROFILES, Profile, load

import seqpred
from seqpred._registry import get_class
from seqpred.data import Vocabulary
from seqpred.evaluate import cross_validate_next_item

QUICK = ["SIGN", "MSNBC"]
PROTOCOLS = {
    # name: (window, consequent) given a profile
    "ipredict": lambda p: (p.window, p.consequent),
    "last1": lambda p: (10, 1),
}


class CptPypi:
    """Adapter running the `cpt` PyPI package (Cython) behind our evaluator."""

    def __init__(self, **params: Any) -> None:
        self.params = params

    def fit(self, X: Any) -> CptPypi:
        from cpt.cpt import Cpt

        self.vocabulary_ = X.vocabulary
        self.model_ = Cpt(**self.params)
        self.model_.fit([[str(x) for x in s] for s in X.to_lists()])
        return self

    def predict_top_k_ids(self, X: Any, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        queries = [[str(x) for x in s] for s in X.to_lists()]
        predicted = self.model_.predict(queries)
        ids = np.full((len(queries), k), -1, dtype=np.int64)
        symbols = self.vocabulary_.symbols
        lookup = {str(s): i + Vocabulary.n_reserved for i, s in enumerate(symbols)}
        for row, item in enumerate(predicted):
            if item is not None:
                ids[row, 0] = lookup.get(str(item), -1)
        return ids, (ids >= 0).astype(float)

    def memory_bytes(self) -> int:
        return 0


def make_factory(name: str):
    if name == "cpt-pypi":
        return lambda: CptPypi(split_length=0, noise_ratio=0.0, MBR=0)
    return lambda: seqpred.create(name)


def run_one(name: str, profile: Profile, sequences, protocol: str) -> dict[str, Any]:
    window, consequent = PROTOCOLS[protocol](profile)
    tic = time.perf_counter()
    total, folds = cross_validate_next_item(
        make_factory(name),
        sequences,
        n_folds=14,
        window=window,
        consequent=consequent,
        k=10,
        shuffle_seed=42,
    )
    seconds = time.perf_counter() - tic
    predict_seconds = sum(f.predict_seconds for f in folds)
    return {
        "accuracy": round(total.accuracy, 4),
        "no_match": round(total.no_match_rate, 4),
        "seconds": round(seconds, 3),
        "fit_seconds": round(sum(f.fit_seconds for f in folds), 3),
        "predict_us": round(1e6 * predict_seconds / max(total.n_queries, 1), 2),
        "hr10": round(total.hit_rate, 4),
        "mrr10": round(total.mrr, 4),
        "ndcg10": round(total.ndcg, 4),
    }


def model_megabytes(name: str, sequences) -> float:
    if name == "cpt-pypi":
        return float("nan")
    model = seqpred.create(name).fit(sequences)
    return model.memory_bytes() / 1e6


def print_table(protocol: str, results: dict[str, dict[str, dict[str, Any]]]) -> None:
    print(f"\n## protocol: {protocol}")
    header = f"{'dataset':<11} {'model':<9} {'acc':>6} {'nomatch':>8} {'total s':>8}"
    header += f" {'fit s':>7} {'µs/query':>9} {'MB':>7}"
    if protocol == "last1":
        header += f" {'HR@10':>6} {'MRR@10':>7} {'NDCG@10':>8}"
    print(header)
    for dataset, by_model in results.items():
        for model, r in by_model.items():
            line = (
                f"{dataset:<11} {model:<9} {r['accuracy']:>6.3f} {r['no_match']:>8.3f}"
                f" {r['seconds']:>8.2f} {r['fit_seconds']:>7.2f}"
                f" {r['predict_us']:>9.1f} {r.get('mb', float('nan')):>7.1f}"
            )
            if protocol == "last1":
                line += f" {r['hr10']:>6.3f} {r['mrr10']:>7.3f} {r['ndcg10']:>8.3f}"
            print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SIGN and MSNBC only")
    parser.add_argument("--datasets", default=None, help="comma-separated names")
    parser.add_argument("--models", default=None, help="comma-separated registry names")
    parser.add_argument("--protocols", default="ipredict,last1")
    parser.add_argument("--no-baseline", action="store_true", help="skip cpt-pypi")
    args = parser.parse_args(argv)

    datasets = QUICK if args.quick else [d for d in PROFILES if d != "SIGN_RAW"]
    if args.datasets:
        datasets = args.datasets.split(",")
    models = [  # neural models are benchmarked by benchmarks/neural.py
        name
        for name in seqpred.available("next-item")
        if not get_class(name).get_tags().requires_torch
    ]
    if args.models:
        models = args.models.split(",")
    if not args.no_baseline:
        models.append("cpt-pypi")
    results: dict[str, Any] = {}
    for protocol in args.protocols.split(","):
        table: dict[str, dict[str, Any]] = {}
        for dataset in datasets:
            profile = PROFILES[dataset]
            sequences = load(profile)
            table[dataset] = {}
            for name in models:
                print(f"{protocol} {dataset} {name} ...", file=sys.stderr, flush=True)
                row = run_one(name, profile, sequences, protocol)
                row["mb"] = model_megabytes(name, sequences)
                table[dataset][name] = row
        print_table(protocol, table)
        results[protocol] = table
    by_protocol = {
        protocol: {
            dataset: {
                model: {k: r[k] for k in ("accuracy", "no_match", "seconds")}
                for model, r in by_model.items()
            }
            for dataset, by_model in table.items()
        }
        for protocol, table in results.items()
    }
    print("RESULTS " + json.dumps({"protocol": by_protocol}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
