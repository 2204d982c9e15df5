"""Classification benchmark: UCR/UEA, DNA splice, MR, TREC and anomaly detection.

Run ``python benchmarks/classify.py [--parts ucr,dna,text,anomaly] [--quick]
[--repeats N]``. Data come from ``../shared/data`` (see its README). aeon's
MiniRocket is the anchor when ``aeon`` is importable (a benchmark-only extra),
run in the same process: both MiniRockets are fitted once on tiny data first
(numba cache load or compile, reported apart), then each dataset's fit +
predict seconds are the best of ``--repeats`` runs (default 3), ours and
aeon's interleaved. ``NUMBA_NUM_THREADS`` sets our threads; aeon's default
``n_jobs=1`` uses one. ``--quick`` runs a subset fast (two UCR sets, three MR
folds, DNA and TREC without model selection). Model selection only ever looks at
training data (cross-validation inside the training set). The last line is
``RESULTS {json}`` with ``accuracy`` and ``seconds`` per dataset and model,
and ``anomaly`` with the synthetic event-log ROC AUC and the NAB
standard-profile score.
"""

from __future__ import annotations

import os

# one BLAS thread: the solvers do many small vector products, which thrash
# when several BLAS threads compete for a busy machine's cores
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from seqpred.data import SequenceSet, read_lines, read_ucr  # noqa: E402
from seqpred.data.readers import read_nab  # noqa: E402
from seqpred.data.synthetic_anomaly import event_logs  # noqa: E402
from seqpred.evaluate.metrics import roc_auc  # noqa: E402
from seqpred.evaluate.nab import nab_score, probation_length  # noqa: E402
from seqpred.exceptions import ConvergenceWarning  # noqa: E402
from seqpred.models.anomaly import SequenceAnomalyScorer  # noqa: E402
from seqpred.models.classify import (  # noqa: E402
    CompressionClassifier,
    DTWClassifier,
    KmerClassifier,
    MiniRocketClassifier,
)

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
UCR = ["GunPoint", "ItalyPowerDemand", "ArrowHead", "Coffee", "BasicMotions",
       "JapaneseVowels"]  # fmt: skip

RESULTS: dict[str, Any] = {"accuracy": {}, "seconds": {}, "anomaly": {}}
QUICK = False
REPEATS = 3  # MiniRocket timings: best of this many runs


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

    width = int(max(train.lengths.max(), test.lengths.max()))

    def collection(ss: SequenceSet) -> Any:
        # (N, channels, L); aeon's MiniRocket takes equal lengths only, so
        # shorter series (JapaneseVowels) are padded with zeros at the end
        out = np.zeros((len(ss), ss.n_features, width))
        for i in range(len(ss)):
            out[i, :, : ss.lengths[i]] = np.asarray(ss[i]).reshape(ss.lengths[i], -1).T
        return out

    start = time.perf_counter()
    model = Aeon(random_state=0).fit(collection(train), np.asarray(train.labels))
    accuracy = float(
        np.mean(model.predict(collection(test)) == np.asarray(test.labels))
    )
    return accuracy, time.perf_counter() - start


def _warm_up() -> None:
    """Fit each MiniRocket once on tiny data: numba loads (or compiles) its kernels.

    The per-dataset seconds then measure steady-state fit + predict; this
    one-off cost is printed separately.
    """
    t = np.linspace(0, 6, 40)
    X = SequenceSet.from_lists(
        [np.sin(t * f) for f in (1, 1.1, 3, 3.2)] * 3,
        kind="numeric",
        labels=["slow", "slow", "fast", "fast"] * 3,
    )
    start = time.perf_counter()
    MiniRocketClassifier(random_state=0).fit(X).predict(X)
    line = f"first call: seqpred-minirocket {time.perf_counter() - start:.2f}s"
    start = time.perf_counter()
    if _aeon_minirocket(X, X) is not None:
        line += f", aeon-minirocket {time.perf_counter() - start:.2f}s"
    print(line + " (numba cache load or compile; not in the times below)",
          file=sys.stderr)  # fmt: skip


def run_ucr() -> None:
    from seqpred._numba import n_threads

    print(f"MiniRocket: best of {REPEATS} runs, ours and aeon's interleaved; "
          f"seqpred on {n_threads()} numba thread(s)", file=sys.stderr)  # fmt: skip
    _warm_up()
    for name in UCR[:2] if QUICK else UCR:
        train, test = _ucr(name)
        y_train, y_test = train.labels, test.labels
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        for _ in range(REPEATS):  # the machine may be shared: keep the fastest
            acc, sec = _timed(
                lambda: MiniRocketClassifier(random_state=0),
                train, y_train, test, y_test,
            )  # fmt: skip
            ours.append((sec, acc))
            anchor = _aeon_minirocket(train, test)
            if anchor is not None:
                theirs.append((anchor[1], anchor[0]))
        sec, acc = min(ours)
        _record(name, "seqpred-minirocket", acc, sec)
        if theirs:
            sec, acc = min(theirs)
            _record(name, "aeon-minirocket", acc, sec)
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
    start = time.perf_counter()
    chosen = {"alpha": 3e-4, "max_k": 3} if QUICK else _select_dna(X, y)
    model = _positional(**chosen).fit(X, y)
    acc = float(np.mean(model.predict(Xt) == np.asarray(yt)))
    _record(
        "dna-splice", "seqpred-kmer-positional-cv", acc, time.perf_counter() - start
    )


def _positional(alpha: float, max_k: int) -> KmerClassifier:
    """k-mers at each of the 60 positions (one bin per nucleotide)."""
    return KmerClassifier(1, max_k=max_k, n_position_bins=60, tfidf=False, alpha=alpha)


def _select_dna(X: list[str], y: list[str]) -> dict[str, Any]:
    """The ``alpha`` and ``max_k`` with the best 5-fold CV accuracy on train only."""
    train = SequenceSet.from_lists(X).with_labels(y)
    grid = [{"alpha": a, "max_k": k} for a in (1e-4, 3e-4, 1e-3) for k in (2, 3)]
    scores = [_cv_accuracy(lambda p=p: _positional(**p), train, 5, None) for p in grid]
    best = grid[int(np.argmax(scores))]
    print(f"dna: 5-fold CV on train {[round(s, 4) for s in scores]} -> {best}",
          file=sys.stderr)  # fmt: skip
    return best


def _folds(n: int, k: int, seed: int = 0) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def _tfidf_lr() -> KmerClassifier:
    """The reference: word 1-2-grams, tf-idf, logistic regression."""
    return KmerClassifier(1, max_k=2, alpha=3e-5)


def _nb_lr(alpha: float = 3e-5) -> KmerClassifier:
    """Word 1-2-grams, 1 + log tf, tf-idf and NB log-count-ratio scaling."""
    return KmerClassifier(1, max_k=2, nb_scaling=True, sublinear_tf=True, alpha=alpha)


def _nb_char_lr() -> KmerClassifier:
    """As :func:`_nb_lr`, plus character 2-5-grams inside words."""
    return KmerClassifier(
        1, max_k=2, nb_scaling=True, sublinear_tf=True, char_ngrams=(2, 5),
        alpha=3e-5,
    )  # fmt: skip


def _cv_accuracy(make: Any, ss: SequenceSet, k: int, n_folds: int | None) -> float:
    accs = []
    for test_idx in _folds(len(ss), k)[:n_folds]:
        train_idx = np.setdiff1d(np.arange(len(ss)), test_idx)
        accs.append(make().fit(ss.take(train_idx)).score(ss.take(test_idx)))
    return float(np.mean(accs))


def run_text() -> None:
    folder = DATA / "text_classification"
    mr = read_lines(folder / "mr" / "rt-polarity.all", labels="first",
                    encoding="latin-1")  # fmt: skip
    n_folds = 3 if QUICK else None  # --quick: the first 3 of the 10 folds
    models = (("seqpred-kmer-tfidf", _tfidf_lr), ("seqpred-kmer-nb-char", _nb_char_lr))
    for label, make in models:
        start = time.perf_counter()
        acc = _cv_accuracy(make, mr, 10, n_folds)
        _record("mr-10fold", label, acc, time.perf_counter() - start)
    train = read_lines(folder / "trec" / "TREC.train.all", labels="first",
                       encoding="latin-1")  # fmt: skip
    test = read_lines(folder / "trec" / "TREC.test.all", labels="first",
                      encoding="latin-1")  # fmt: skip
    _record("trec", "seqpred-kmer-tfidf",
            *_timed(_tfidf_lr, train, None, test, test.labels))  # fmt: skip
    start = time.perf_counter()
    alpha = 1e-6 if QUICK else _select_alpha(train)
    acc = _nb_lr(alpha).fit(train).score(test)
    _record("trec", "seqpred-kmer-nb", acc, time.perf_counter() - start)


def _select_alpha(train: SequenceSet) -> float:
    """The L2 penalty with the best 5-fold CV accuracy on the training set only."""
    grid = [1e-6, 1e-5, 1e-4]
    scores = [_cv_accuracy(lambda a=a: _nb_lr(a), train, 5, None) for a in grid]
    best = grid[int(np.argmax(scores))]
    print(f"trec: alpha by 5-fold CV on train: {dict(zip(grid, scores))} -> {best}",
          file=sys.stderr)  # fmt: skip
    return best


def run_anomaly() -> None:
    logs, is_anomaly, _ = event_logs(1000, anomaly_rate=0.2, random_state=0)
    half = len(logs) // 2
    normal = [s for s, a in zip(logs[:half], is_anomaly[:half]) if a == 0]
    start = time.perf_counter()
    scorer = SequenceAnomalyScorer().fit(normal)
    auc = roc_auc(is_anomaly[half:], scorer.score_samples(logs[half:]))
    print(f"anomaly synthetic event logs: ROC AUC {auc:.4f} "
          f"({time.perf_counter() - start:.2f}s)", file=sys.stderr)  # fmt: skip
    RESULTS["anomaly"]["synthetic_auc"] = round(auc, 4)
    logs, is_anomaly, _ = event_logs(
        1000, anomaly_rate=0.2, branching=4, anomaly_length=2, random_state=0
    )  # harder: 4 successors per event, 2 events replaced
    normal = [s for s, a in zip(logs[:half], is_anomaly[:half]) if a == 0]
    for aggregate in ("mean", "max"):
        scorer = SequenceAnomalyScorer(aggregate=aggregate).fit(normal)
        auc = roc_auc(is_anomaly[half:], scorer.score_samples(logs[half:]))
        print(f"  harder logs (branching=4, anomaly_length=2), aggregate="
              f"{aggregate}: ROC AUC {auc:.4f}", file=sys.stderr)  # fmt: skip
    corpus = read_nab(DATA / "anomaly" / "nab")
    start = time.perf_counter()
    scores = []
    for series in corpus:  # learn on the probationary period, score the stream
        n_train = probation_length(len(series.values))
        model = SequenceAnomalyScorer().fit([series.values[:n_train]])
        scores.append(model.score_positions([series.values])[0])
    seconds = time.perf_counter() - start
    windows = [s.windows for s in corpus]
    for profile in ("standard", "reward_low_fp_rate", "reward_low_fn_rate"):
        result = nab_score(scores, windows, profile=profile)
        print(f"NAB {profile:20s} {result.score:6.2f}  (threshold "
              f"{result.threshold:.3f}, windows {result.detected_windows}/"
              f"{result.detected_windows + result.missed_windows}, false "
              f"positives {result.false_positives}; {seconds:.1f}s)",
              file=sys.stderr)  # fmt: skip
        if profile == "standard":
            RESULTS["anomaly"]["nab_standard"] = round(result.score, 2)


def main(argv: list[str] | None = None) -> None:
    """Run the chosen parts and print ``RESULTS {json}``."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--parts", default="ucr,dna,text,anomaly")
    parser.add_argument("--quick", action="store_true", help="a fast subset")
    parser.add_argument(
        "--repeats", type=int, default=3, help="MiniRocket timings: best of N runs"
    )
    args = parser.parse_args(argv)
    global QUICK, REPEATS
    QUICK, REPEATS = args.quick, max(1, args.repeats)
    parts = args.parts.split(",")
    runs = (("ucr", run_ucr), ("dna", run_dna), ("text", run_text),
            ("anomaly", run_anomaly))  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for part, run in runs:
            if part in parts:
                run()
    print("RESULTS " + json.dumps(RESULTS))


if __name__ == "__main__":
    main()
