"""Surprise per symbol, ``-log P(symbol | before)``, under a fitted sequence model.

Models with ``log_proba(X)`` (PPM, the neural language model) give it
directly. Any other next-item model with ``predict_proba`` is asked for the
next-symbol distribution after every prefix, and the probability of the
symbol that actually came is read off.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.framing import prefix_targets
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import InvalidParameterError

__all__ = ["MIN_PROBA", "check_model", "surprise"]

MIN_PROBA = 1e-9
"""Probabilities are floored here, so an impossible symbol scores ~20.7 nats."""

_CELLS_PER_CHUNK = 2_000_000


def check_model(model: Any, owner: str) -> None:
    """Raise unless ``model`` can give next-symbol probabilities."""
    tags = getattr(model, "get_tags", None)
    next_item = tags is not None and tags().task == "next-item"
    if not (
        hasattr(model, "log_proba") or (next_item and hasattr(model, "predict_proba"))
    ):
        raise InvalidParameterError(
            f"{owner}: model must have log_proba(X), or be a next-item model "
            "with predict_proba(X), to give next-symbol probabilities; got "
            f"{type(model).__name__}. Use model=PPM(), MarkovPredictor() or "
            "NeuralLanguageModel()."
        )


def surprise(model: Any, X: Any, owner: str) -> list[Array]:
    """Return, per sequence, ``-log p`` (nats) of each symbol under ``model``."""
    if hasattr(model, "log_proba"):
        cap = -np.log(MIN_PROBA)
        return [np.minimum(-s, cap) + 0.0 for s in model.log_proba(X)]  # no -0.0
    vocabulary: Vocabulary = model.vocabulary_
    ss = as_sequence_set(
        X, vocabulary=vocabulary, unknown="unk", kind="discrete", owner=owner,
        allow_empty_input=True,
    )  # fmt: skip
    if len(ss) == 0:
        return []
    prefixes, targets, _ = prefix_targets(ss, min_prefix=0)
    width = max(vocabulary.size, 1)
    step = max(1, _CELLS_PER_CHUNK // width)
    proba = np.full(len(targets), MIN_PROBA)
    column = targets - Vocabulary.n_reserved  # reserved ids (unknown) stay floored
    known = column >= 0
    for lo in range(0, len(targets), step):
        rows = np.arange(lo, min(lo + step, len(targets)))
        rows = rows[known[rows]]
        if rows.size:
            table = model.predict_proba(prefixes.take(rows))  # (n, V - reserved)
            proba[rows] = table[np.arange(len(rows)), column[rows]]
    out = -np.log(np.maximum(proba, MIN_PROBA)) + 0.0
    return np.split(out, ss.offsets[1:-1])
