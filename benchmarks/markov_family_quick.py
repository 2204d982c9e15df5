"""Quick check of the Markov family on one dataset with the CPT+ papers' protocol.

Run:  .venv/bin/python benchmarks/markov_family_quick.py SIGN [--models akom,dg]

The dataset is a profile of ``_ipredict.py`` (BMS, SIGN, SIGN_RAW, MSNBC,
BIBLE_WORD, LEVIATHAN): its file in ../shared/data/next_item is read as the
authors' evaluator reads it, shuffled with ``random.Random(42)`` and cut into
14 folds; each test sequence's last ``consequent`` items are the answer and
the ``window`` items before them the query (see
../shared/anchors/next_item.md). Prints accuracy, no-match rate and the
seconds of all 14 folds (train + predict) per model, beside SPMF's accuracy.
"""

from __future__ import annotations

import argparse
import time

from _ipredict import PROFILES, load

import seqpred
from seqpred.evaluate import cross_validate_next_item

MODELS = ["markov", "ppm", "akom", "dg", "lz78", "tdag"]

# SPMF 2.12.1 with the authors' parameters (anchors/next_item.md); markov is Mark1
_NAMES = ("markov", "akom", "dg", "lz78", "tdag")
SPMF = {
    dataset: dict(zip(_NAMES, accuracies))
    for dataset, accuracies in {
        "SIGN": (0.225, 0.163, 0.238, 0.190, 0.0),
        "SIGN_RAW": (0.038, 0.081, 0.023, 0.056, 0.0),
        "BMS": (0.310, 0.316, 0.363, 0.332, 0.070),
        "MSNBC": (0.363, 0.489, 0.560, 0.420, 0.338),
        "BIBLE_WORD": (0.120, 0.337, 0.061, 0.200, 0.259),
        "LEVIATHAN": (0.059, 0.150, 0.026, 0.086, 0.026),
    }.items()
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", choices=sorted(PROFILES))
    parser.add_argument("--models", default=",".join(MODELS))
    args = parser.parse_args()
    profile = PROFILES[args.dataset]
    sequences = load(profile)
    print(
        f"{profile.name}: {len(sequences)} sequences, window {profile.window}, "
        f"consequent {profile.consequent}, 14 folds"
    )
    print(f"{'model':<8} {'accuracy':>8} {'no match':>8} {'seconds':>8} {'SPMF':>6}")
    for name in args.models.split(","):
        tic = time.perf_counter()
        total, _ = cross_validate_next_item(
            lambda name=name: seqpred.create(name),
            sequences,
            n_folds=14,
            window=profile.window,
            consequent=profile.consequent,
            k=1,
        )
        seconds = time.perf_counter() - tic
        spmf = SPMF.get(profile.name, {}).get(name)
        reference = "" if spmf is None else f"{spmf:.3f}"
        print(
            f"{name:<8} {total.accuracy:8.3f} {total.no_match_rate:8.3f} "
            f"{seconds:8.2f} {reference:>6}",
            flush=True,
        )
    print("SPMF's markov is Mark1 (order 1); seqpred's markov default is order 3.")


if __name__ == "__main__":
    main()
