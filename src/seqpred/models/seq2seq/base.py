"""The sequence-to-sequence contract: map each input sequence to an output sequence.

A seq2seq model implements

``fit(X, y)``
    learn from pairs: inputs ``X`` and outputs ``y``, one per input;
``predict(X, beam_width=1, max_length=None)``
    return one output sequence per input (``beam_width=1``: greedy);
``log_proba(X, y)``
    return ``(N,)`` log-probabilities of the outputs given the inputs;

and inherits ``score`` (exact match, higher is better) from
:class:`Seq2SeqMixin`, which also sets ``Tags.task`` to ``"seq2seq"``.
"""

from __future__ import annotations

from typing import Any

from seqpred._typing import Array
from seqpred.base import BaseEstimator
from seqpred.evaluate._seq2seq import exact_match

__all__ = ["Seq2SeqMixin"]


class Seq2SeqMixin(BaseEstimator):
    """Public API of sequence-to-sequence models (see the module docstring)."""

    _task = "seq2seq"

    def fit(self, X: Any, y: Any) -> Seq2SeqMixin:
        """Learn to map each input of ``X`` to its output in ``y``; return ``self``."""
        raise NotImplementedError

    def predict(
        self, X: Any, beam_width: int = 1, max_length: int | None = None
    ) -> list[Any]:
        """Return one output sequence per input."""
        raise NotImplementedError

    def log_proba(self, X: Any, y: Any) -> Array:
        """Return ``(N,)`` log-probabilities of each output given its input."""
        raise NotImplementedError

    def score(self, X: Any, y: Any) -> float:
        """Return the share of inputs whose greedy output equals ``y`` exactly."""
        return exact_match(self.predict(X), y)
