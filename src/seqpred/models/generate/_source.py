"""Next-symbol distributions of any fitted model, over vocabulary ids.

The generator talks to models through one function, :func:`next_proba`:
given contexts (a :class:`~seqpred.data.SequenceSet` in the model's
vocabulary) it returns ``(N, vocabulary_.size)`` probabilities over *ids*:
reserved columns are 0, except ``SEP_ID``, which holds the probability
that the sequence ends (only language models that learned an end mark give
it mass). Three kinds of model are served:

* models with ``_conditional_proba(contexts, labels)`` (conditional models);
* models with ``next_log_proba(contexts)`` (the neural language model, which
  reads a start mark and predicts the end);
* any next-item model with ``predict_proba`` (PPM, Markov, ...).

Shape legend: N contexts, V vocabulary ids.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.base import check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import PAD_ID, UNK_ID, Vocabulary
from seqpred.exceptions import InvalidParameterError

__all__ = ["check_model", "context_window", "next_proba"]


def check_model(model: Any, owner: str) -> None:
    """Raise a clear error unless ``model`` is a fitted probabilistic sequence model."""
    probabilistic = (
        hasattr(model, "_conditional_proba")
        or hasattr(model, "next_log_proba")
        or callable(getattr(model, "predict_proba", None))
    )
    if not probabilistic or not hasattr(model, "get_tags"):
        raise InvalidParameterError(
            f"{owner}: model must be a seqpred sequence model with next-symbol "
            f"probabilities (predict_proba), such as PPM or NeuralLanguageModel; "
            f"got {type(model).__name__}."
        )
    if model.get_tags().input_kind != "discrete" or not model.get_tags().probabilistic:
        raise InvalidParameterError(
            f"{owner}: {type(model).__name__} does not give probabilities over "
            "discrete symbols; use PPM, MarkovPredictor or NeuralLanguageModel."
        )
    check_is_fitted(model, owner)


def context_window(model: Any) -> int | None:
    """Return how many trailing symbols the model reads (None: all of them)."""
    for name in ("max_order", "order", "max_length"):
        value = getattr(model, name, None)
        if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
            return int(value)
    hook = getattr(model, "_context_window", None)
    window = None if hook is None else hook()
    return None if window is None else int(window)


def next_proba(model: Any, contexts: SequenceSet, labels: Array | None) -> Array:
    """Return next-id probabilities ``(N, V)``; column ``SEP_ID`` is the end."""
    conditional = getattr(model, "_conditional_proba", None)
    if conditional is not None:
        proba: Array = conditional(contexts, labels)
        return proba
    if labels is not None:
        raise InvalidParameterError(
            f"{type(model).__name__} is not a conditional model, so label cannot "
            "be used; fit a ConditionalModel on labelled sequences, or drop label."
        )
    if hasattr(model, "next_log_proba"):
        proba = np.exp(model.next_log_proba(contexts))
        proba[:, [PAD_ID, UNK_ID]] = 0.0
        return proba / proba.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]
    symbols = model.predict_proba(contexts)  # (N, V - n_reserved)
    proba = np.zeros((len(contexts), Vocabulary.n_reserved + symbols.shape[1]))
    proba[:, Vocabulary.n_reserved :] = symbols
    return proba
