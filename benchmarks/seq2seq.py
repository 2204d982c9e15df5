"""Sequence-to-sequence benchmark: addition, SCAN (simple and length splits), Multi30k.

Run:  .venv/bin/python benchmarks/seq2seq.py [--quick]
      [--parts addition,scan_simple,scan_length,multi30k_bleu]
      [--addition-seconds 300] [--scan-seconds 600] [--scan-length-seconds 600]
      [--multi30k-seconds 900] [--max-epochs N] [--device cpu]
      [--data ../shared/data/seq2seq]

Every neural model trains on one CPU thread (``--device cpu``, the default)
for its part's epochs (:data:`EPOCHS`, or ``--max-epochs``), or until its
time budget (wall-clock seconds of training) runs out if that comes first;
decoding the test set comes on top and is timed apart. The table also gives
the CPU seconds of each fit (process time): on a shared machine the
wall-clock time overstates the compute, so raise the budgets there.

* **addition**: 3-digit ``a+b`` -> sum, 45,000 training / 5,000 validation
  pairs from ../shared/data/seq2seq/addition (else drawn with
  ``addition_pairs``); the attentional GRU with reversed input, and the PPM
  baseline over ``input ⟂ output``. Greedy exact match.
* **scan_simple**: SCAN's simple split (16,728 / 4,182 commands); the
  attentional GRU and the PPM baseline. Greedy exact match.
* **scan_length**: SCAN's length split (training outputs <= 22 actions,
  test outputs 24-48); the Transformer with rotary positions and the
  attentional GRU. Greedy exact match.
* **multi30k_bleu**: Multi30k en -> de (29,000 training pairs, the 1,000
  sentences of test_2016_flickr), lowercased words (punctuation split off),
  words seen fewer than 3 times in training mapped to one unknown symbol;
  the attentional GRU (embeddings 64, 128 units), beam width 4. Corpus BLEU
  with sacrebleu (``tokenize="none"`` on the lowercased word tokens) and the
  training time.

``--quick`` runs every part on a few hundred pairs for a few seconds (a smoke
test, not a result). The last line is ``RESULTS {json}`` with
``{"addition": {MODEL: {"exact_match": x, "seconds": s}}, "scan_simple":
{...}, "scan_length": {...}, "multi30k_bleu": {MODEL: {"bleu": b,
"seconds": s}}}``. Timings depend on the machine's load: the header prints
the load average.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from seqpred.data.readers.pairs import read_pairs, read_parallel, read_scan
from seqpred.data.synthetic import addition_pairs
from seqpred.evaluate.seq2seq import corpus_bleu, evaluate_seq2seq, has_sacrebleu
from seqpred.models.seq2seq import PPMSeq2Seq, Seq2SeqNetwork, TransformerSeq2Seq

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "seq2seq"
DEVICE = "cpu"  # set from --device
EPOCHS = {"addition": 11, "scan_simple": 15, "scan_length": 10, "multi30k_bleu": 3}
"""Epochs of each part's neural models: 3 to 5 CPU minutes each on one core of
the development machine (addition: 11 epochs in 246 CPU seconds)."""
MAX_EPOCHS: int | None = None  # set from --max-epochs: overrides EPOCHS
Pairs = tuple[list[Any], list[Any]]
PARTS = ("addition", "scan_simple", "scan_length", "multi30k_bleu")
UNKNOWN_WORD = "<rare>"
MIN_COUNT = 3  # Multi30k: rarer words become UNKNOWN_WORD


def neural(cls: type[Any], part: str, budget: float, **params: Any) -> Any:
    """A neural model for ``part``: its epochs, or ``budget`` seconds if sooner."""
    settings: dict[str, Any] = {
        "max_epochs": MAX_EPOCHS or EPOCHS[part],
        "validation_fraction": 0.0,
        "max_time": budget,
        "device": DEVICE,
        "n_threads": 1,
        "random_state": 0,
        **params,
    }
    return cls(**settings)


def run_models(
    part: str,
    train: Pairs,
    test: Pairs,
    models: dict[str, Callable[[], Any]],
    beam_width: int = 1,
    max_length: int | None = None,
) -> dict[str, dict[str, float]]:
    """Fit each model, decode the test inputs, print one row each; return figures."""
    results: dict[str, dict[str, float]] = {}
    for name, build in models.items():
        model = build()
        tic, cpu = time.perf_counter(), time.process_time()
        model.fit(*train)
        seconds, cpu = time.perf_counter() - tic, time.process_time() - cpu
        tic = time.perf_counter()
        report = evaluate_seq2seq(
            model, *test, beam_width=beam_width, max_length=max_length, bleu=False
        )
        decode = time.perf_counter() - tic
        epochs = getattr(model, "n_epochs_", "-")
        print(
            f"{part:<13} {name:<20} {len(train[0]):>6} {len(test[0]):>6} "
            f"{epochs:>6} {report['exact_match']:>7.4f} "
            f"{report['token_accuracy']:>7.4f} {seconds:>8.1f} {cpu:>7.1f} "
            f"{decode:>7.1f}",
            flush=True,
        )
        results[name] = {
            "exact_match": round(report["exact_match"], 4),
            "token_accuracy": round(report["token_accuracy"], 4),
            "seconds": round(seconds, 1),
            "cpu_seconds": round(cpu, 1),
        }
    return results


def header() -> None:
    """Print the table's header."""
    print(
        f"{'part':<13} {'model':<20} {'train':>6} {'test':>6} {'epochs':>6} "
        f"{'exact':>7} {'token':>7} {'fit s':>8} {'cpu s':>7} {'pred s':>7}"
    )


def cut(pairs: Pairs, n: int | None) -> Pairs:
    """The first ``n`` pairs (all with None)."""
    return pairs[0][:n], pairs[1][:n]


# -- parts --------------------------------------------------------------------------


def addition(budget: float, quick: bool) -> dict[str, dict[str, float]]:
    """3-digit addition: attentional GRU with reversed input, PPM baseline."""
    folder = DATA / "addition"
    if (folder / "addition3_train.tsv").exists():
        train = read_pairs(folder / "addition3_train.tsv", tokens="chars")
        test = read_pairs(folder / "addition3_val.tsv", tokens="chars")
    else:
        pairs = addition_pairs(50_000, digits=3, random_state=0)
        train = [a for a, _ in pairs[:45_000]], [b for _, b in pairs[:45_000]]
        test = [a for a, _ in pairs[45_000:]], [b for _, b in pairs[45_000:]]
    n = 1000 if quick else None
    models = {
        "seq2seq-rnn": lambda: neural(
            Seq2SeqNetwork,
            "addition",
            budget,
            embedding_dim=32,
            hidden_size=128,
            reverse_input=True,
            batch_size=64,
            learning_rate=0.005,
        ),
        "seq2seq-ppm": lambda: PPMSeq2Seq(max_order=12),
    }
    return run_models(
        "addition", cut(train, n), cut(test, 200 if quick else None), models
    )


def scan(split: str, budget: float, quick: bool) -> dict[str, dict[str, float]]:
    """SCAN simple or length split."""
    folder = DATA / "scan" / f"{split}_split"
    train = read_scan(folder / f"tasks_train_{split}.txt")
    test = read_scan(folder / f"tasks_test_{split}.txt")
    gru = {
        "seq2seq-rnn": lambda: neural(
            Seq2SeqNetwork,
            f"scan_{split}",
            budget,
            embedding_dim=32,
            hidden_size=128,
            batch_size=32,
            learning_rate=0.003,
        )
    }
    transformer = {
        "seq2seq-transformer": lambda: neural(
            TransformerSeq2Seq,
            f"scan_{split}",
            budget,
            d_model=64,
            n_heads=4,
            n_layers=2,
            batch_size=64,
            learning_rate=0.002,
        )
    }
    ppm = {"seq2seq-ppm": lambda: PPMSeq2Seq(max_order=12)}
    models = {**gru, **ppm} if split == "simple" else {**transformer, **gru}
    n = 500 if quick else None
    # test outputs of the length split (up to 48 actions) are longer than twice
    # the longest training output plus 2, the models' default decoding limit
    return run_models(
        f"scan_{split}",
        cut(train, n),
        cut(test, 100 if quick else None),
        models,
        max_length=60,
    )


def rare_to_unknown(sentences: list[list[str]], known: set[str]) -> list[list[str]]:
    """Replace words outside ``known`` by :data:`UNKNOWN_WORD`."""
    return [[w if w in known else UNKNOWN_WORD for w in s] for s in sentences]


def multi30k(
    budget: float, quick: bool, beam_width: int
) -> dict[str, dict[str, float]]:
    """Multi30k en -> de: word-level attentional GRU, corpus BLEU."""
    folder = DATA / "multi30k"
    train = read_parallel(
        folder / "train.en.gz", folder / "train.de.gz", lowercase=True
    )
    test = read_parallel(
        folder / "test_2016_flickr.en.gz",
        folder / "test_2016_flickr.de.gz",
        lowercase=True,
    )
    if quick:
        train, test = cut(train, 1000), cut(test, 50)
    results: dict[str, dict[str, float]] = {}
    for side in (0, 1):
        counts = collections.Counter(w for s in train[side] for w in s)
        known = {w for w, c in counts.items() if c >= MIN_COUNT}
        train = (
            (rare_to_unknown(train[0], known), train[1])
            if side == 0
            else (train[0], rare_to_unknown(train[1], known))
        )
    model = neural(
        Seq2SeqNetwork,
        "multi30k_bleu",
        budget,
        embedding_dim=64,
        hidden_size=128,
        dropout=0.1,
        batch_size=64,
        learning_rate=0.003,
    )
    tic, cpu = time.perf_counter(), time.process_time()
    model.fit(*train)
    seconds, cpu = time.perf_counter() - tic, time.process_time() - cpu
    tic = time.perf_counter()
    predictions = model.predict(test[0], beam_width=beam_width)
    decode = time.perf_counter() - tic
    bleu = corpus_bleu(predictions, test[1]) if has_sacrebleu() else float("nan")
    vocab = (len(model.input_vocabulary_), len(model.output_vocabulary_))
    print(
        f"{'multi30k':<13} {'seq2seq-rnn':<20} {len(train[0]):>6} {len(test[0]):>6} "
        f"{model.n_epochs_:>6} {'BLEU':>7} {bleu:>7.2f} {seconds:>8.1f} {cpu:>7.1f} "
        f"{decode:>7.1f}"
        f"   (vocabularies en {vocab[0]}, de {vocab[1]}; beam {beam_width})",
        flush=True,
    )
    for i in range(2):
        print(
            f"  {' '.join(test[0][i])}\n  -> {' '.join(predictions[i])}",
            file=sys.stderr,
        )
    results["seq2seq-rnn"] = {
        "bleu": round(bleu, 2),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "epochs": model.n_epochs_,
        "beam_width": beam_width,
    }
    return results


def main() -> None:
    """Run the chosen parts; print a table, then the RESULTS line."""
    global DATA, DEVICE, MAX_EPOCHS
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke run (seconds)")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--addition-seconds", type=float, default=300.0)
    parser.add_argument("--scan-seconds", type=float, default=600.0)
    parser.add_argument("--scan-length-seconds", type=float, default=600.0)
    parser.add_argument("--multi30k-seconds", type=float, default=900.0)
    parser.add_argument("--beam-width", type=int, default=4, help="Multi30k decoding")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, auto, ...")
    parser.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        help="epochs of every neural model (default: each part's, see EPOCHS)",
    )
    parser.add_argument("--data", type=Path, default=DATA, help="seq2seq data folder")
    args = parser.parse_args()
    DATA, DEVICE, MAX_EPOCHS = args.data, args.device, args.max_epochs
    parts = args.parts.split(",")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown parts {unknown}; choose from {','.join(PARTS)}")
    torch.set_num_threads(1)
    quick = args.quick
    print(
        f"load average {os.getloadavg()[0]:.2f}; device {DEVICE}; data {DATA}",
        file=sys.stderr,
    )
    header()
    results: dict[str, Any] = {}
    if "addition" in parts:
        results["addition"] = addition(2.0 if quick else args.addition_seconds, quick)
    for split in ("simple", "length"):
        if f"scan_{split}" in parts:
            seconds = (
                args.scan_seconds if split == "simple" else args.scan_length_seconds
            )
            results[f"scan_{split}"] = scan(split, 2.0 if quick else seconds, quick)
    if "multi30k_bleu" in parts:
        budget = 2.0 if quick else args.multi30k_seconds
        results["multi30k_bleu"] = multi30k(budget, quick, args.beam_width)
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
