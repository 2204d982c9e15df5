"""Benchmark: 3-digit addition ("a+b" -> "sum") with the attentional GRU seq2seq.

Trains :class:`~seqpred.models.seq2seq.rnn.Seq2SeqNetwork` on 45,000 pairs
(``../shared/data/seq2seq/addition/`` when present, else drawn with
:func:`seqpred.data.synthetic.addition_pairs`) within a time budget, and
reports greedy exact match on 5,000 validation pairs. Prints a table, then
one ``RESULTS {...}`` JSON line.

Run: ``python benchmarks/seq2seq_addition.py [--budget SECONDS]``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from seqpred.data.synthetic import addition_pairs
from seqpred.models.seq2seq.rnn import Seq2SeqNetwork

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "seq2seq" / "addition"


def load() -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """Return (train pairs, validation pairs, source); padding spaces stripped."""
    files = DATA / "addition3_train.tsv", DATA / "addition3_val.tsv"
    if all(f.exists() for f in files):
        parts = []
        for f in files:
            lines = f.read_text().splitlines()
            rows = (ln.split("\t") for ln in lines)
            parts.append([(a.strip(), b.strip()) for a, b in rows])
        return parts[0], parts[1], str(DATA)
    pairs = addition_pairs(50_000, digits=3, random_state=0)
    return pairs[:45_000], pairs[45_000:], "addition_pairs(random_state=0)"


def run_addition(budget: float) -> dict[str, float]:
    """Train for ``budget`` seconds on one CPU thread; print a table; return figures."""
    train, valid, source = load()
    model = Seq2SeqNetwork(
        embedding_dim=32,
        hidden_size=128,
        reverse_input=True,
        max_epochs=100,
        batch_size=64,
        learning_rate=0.005,
        validation_fraction=0.0,
        max_time=budget,
        device="cpu",
        n_threads=1,
        random_state=0,
    )
    tic = time.perf_counter()
    model.fit([x for x, _ in train], [y for _, y in train])
    seconds = time.perf_counter() - tic
    exact = model.score([x for x, _ in valid], [y for _, y in valid])
    print(f"data: {source}", file=sys.stderr)
    print(f"{'task':<10} {'train':>6} {'valid':>6} {'epochs':>6} "
          f"{'exact':>7} {'seconds':>8}")  # fmt: skip
    print(f"{'addition':<10} {len(train):>6} {len(valid):>6} {model.n_epochs_:>6} "
          f"{exact:>7.4f} {seconds:>8.1f}")  # fmt: skip
    return {"exact_match": exact, "seconds": round(seconds, 1)}


def main() -> None:
    """Train, evaluate, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=270.0, help="training seconds")
    args = parser.parse_args()
    result = {"addition": run_addition(args.budget)}
    print("RESULTS " + json.dumps(result))


if __name__ == "__main__":
    main()
