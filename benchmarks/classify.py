"""Classification benchmark: UCR/UEA, DNA splice, MR and TREC, side by side.

Run ``python benchmarks/classify.py [--parts ucr,dna,text]``. Data come from
``../shared/data`` (see its README). aeon's MiniRocket is the anchor when
``aeon`` is importable (a benchmark-only extra), run in the same process.
The last line is ``RESULTS {json}`` with ``accuracy`` and ``seconds`` per
dataset and model (and ``anomaly``, empty until the anomaly scorer lands).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from seqpred.data import SequenceSet, read_lines, read_ucr
from seqpred.models.classify import (
    CompressionClassifier,
    DTWClassifier,
    KmerClassifier,
    MiniRocketClassifier,
)

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
UCR = ["GunPoint", "ItalyPowerDemand", "ArrowHead", "Coffee", "BasicMotions",
       "JapaneseVowels"]  # fmt: skip

RESULTS: dict[str, Any] = {"accuracy": {}, "seconds": {}, "anomaly": {}}


def _record(dataset: str, model: str, accuracy: float, seconds: float) -> None:
    RESULTS["accuracy"].setdefault(dataset, {})[model] = round(accuracy, 4)
    RESULTS["seconds"].setdefault(dataset, {})[model] = round(seconds, 2)
    print(
        f"{dataset:18s} {model:22s} acc={accuracy:.4f}  {seconds:7.2f}s",
        file=sys.stderr,
    )


def _timed(
    make: Any, train: Any, y_train: Any, test: Any, y_test: Any
) -> tuple[float, float]:
    start = time.perf_counter()
    model = make().fit(train, y_train)
    accuracy = float(np.mean(model.predict(test) == np.asarray(y_test)))
    return accuracy, time.perf_counter() - start


def _ucr(name: str) -> tuple[SequenceSet, SequenceSet]:
    ext = "txt" if name == "Coffee" else "ts"
    folder = DATA / "ucr" / name
    return read_ucr(folder / f"{name}_TRAIN.{ext}"), read_ucr(
        folder / f"{name}_TEST.{ext}"
    )


def _aeon_minirocket(
    train: SequenceSet, test: SequenceSet
) -> tuple[float, float] | None:
    try:
        from aeon.classification.convolution_based import MiniRocketClassifier as Aeon
    except ImportError:
        return None

    def collection(ss: SequenceSet) -> Any:
        series = [ss[i].T for i in range(len(ss))]  # (channels, L) each
        if len(set(ss.lengths.tolist())) == 1:
            return np.stack(series)
        return series

    start = time.perf_counter()
    model = Aeon(random_state=0).fit(collection(train), np.asarray(train.labels))
    accuracy = float(
        np.mean(model.predict(collection(test)) == np.asarray(test.labels))
    )
    return accuracy, time.perf_counter() - start


def run_ucr() -> None:
    for name in UCR:
        train, test = _ucr(name)
        y_train, y_test = train.labels, test.labels
        acc, sec = _timed(
            lambda: MiniRocketClassifier(random_state=0), train, y_train, test, y_test
        )
        _record(name, "seqpred-minirocket", acc, sec)
        anchor = _aeon_minirocket(train, test)
        if anchor is not None:
            _record(name, "aeon-minirocket", *anchor)
        acc, sec = _timed(DTWClassifier, train, y_train, test, y_test)
        _record(name, "seqpred-1nn-dtw-full", acc, sec)


def run_dna() -> None:
    lines = (
        (DATA / "dna" / "splice" / "splice_statlog.csv").read_text().splitlines()[1:]
    )
    rows = [line.split(",") for line in lines]
    train = [(r[1], r[2]) for r in rows if r[0] == "train"]
    test = [(r[1], r[2]) for r in rows if r[0] == "test"]
    X, y = [s for _, s in train], [c for c, _ in train]
    Xt, yt = [s for _, s in test], [c for c, _ in test]
    models = {
        "seqpred-kmer-positional": lambda: KmerClassifier(
            1, max_k=3, n_position_bins=60, tfidf=False, alpha=1e-3
        ),
        "seqpred-kmer-bag": lambda: KmerClassifier(1, max_k=6),
        "seqpred-compression": lambda: CompressionClassifier(max_order=3),
    }
    for label, make in models.items():
        _record("dna-splice", label, *_timed(make, X, y, Xt, yt))


def _folds(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def run_text() -> None:
    mr = read_lines(
        DATA / "text_classification" / "mr" / "rt-polarity.all", labels="first"
    )
    accs, start = [], time.perf_counter()
    for test_idx in _folds(len(mr), 10):
        train_idx = np.setdiff1d(np.arange(len(mr)), test_idx)
        model = KmerClassifier(1, max_k=2, alpha=3e-5).fit(mr.take(train_idx))
        accs.append(model.score(mr.take(test_idx)))
    _record(
        "mr-10fold", "seqpred-kmer", float(np.mean(accs)), time.perf_counter() - start
    )
    folder = DATA / "text_classification" / "trec"
    train = read_lines(folder / "TREC.train.all", labels="first")
    test = read_lines(folder / "TREC.test.all", labels="first")
    make = lambda: KmerClassifier(1, max_k=3, alpha=3e-5)  # noqa: E731
    _record("trec", "seqpred-kmer", *_timed(make, train, None, test, test.labels))


def main(argv: list[str] | None = None) -> None:
    """Run the chosen parts and print ``RESULTS {json}``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default="ucr,dna,text")
    parts = parser.parse_args(argv).parts.split(",")
    for part, run in (("ucr", run_ucr), ("dna", run_dna), ("text", run_text)):
        if part in parts:
            run()
    print("RESULTS " + json.dumps(RESULTS))


if __name__ == "__main__":
    main()
