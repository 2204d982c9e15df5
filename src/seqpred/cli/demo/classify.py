"""The classification part of ``seqpred demo``: tell DNA-like strings apart by motif.

Each synthetic string carries its class's planted motif at a random place
in random background, so the label is recoverable from the whole string
but only by luck from its start. The part fits a k-mer classifier, compares
its accuracy with always answering the majority class, and shows how
accuracy grows with the share of each string seen (early classification).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from seqpred.cli.output import format_seconds, say, step

__all__ = ["part_classify"]


def part_classify(state: Any) -> None:
    """Fit KmerClassifier on planted-motif strings; accuracy and prefix curve.

    ``state`` needs ``quick`` (less data) and ``seed``.
    """
    from seqpred.data.synthetic import motif_sequences
    from seqpred.evaluate.classify import prefix_accuracy_curve
    from seqpred.models.classify import KmerClassifier

    n = 150 if state.quick else 300
    X, y = motif_sequences(
        n + 200, n_classes=3, length=60, motif_length=6, random_state=state.seed
    )
    train, y_train, test, y_test = X[:n], y[:n], X[n:], y[n:]
    with step(f"fitting KmerClassifier(max_k=6) on {n} strings"):
        start = time.perf_counter()
        model = KmerClassifier(max_k=6).fit(train, y_train)
        seconds = time.perf_counter() - start
    accuracy = float(np.mean(model.predict(test) == y_test))
    majority = float(np.mean(y_test == np.bincount(y_train).argmax()))
    say(
        f"{n} random A/C/G/T strings of 60 letters, 3 classes, each class's "
        "6-letter motif planted at a random place."
    )
    say(f"KmerClassifier(max_k=6) learned them in {format_seconds(seconds)}.")
    say(f"  accuracy on 200 new strings: {accuracy:.1%}")
    say(f"  majority-class baseline:     {majority:.1%}")
    curve = prefix_accuracy_curve(model, test, y_test, fractions=[0.25, 0.5, 0.75, 1])
    shown = ", ".join(f"{cut:.0%}: {acc:.0%}" for cut, _, acc in curve.as_rows())
    say(f"  accuracy from a prefix (share of each string seen): {shown}")
    say("The motif is more often inside a longer prefix, so accuracy grows.")
