"""The generation contract: draw new sequences like the training ones, and score them.

A generator implements

``fit(X, y=None)``
    learn from training sequences (``y``: labels, for conditional models);
``sample(n, ...)``
    draw ``n`` sequences (from a prefix, conditioned on a label, ...);
``log_proba(X, ...)``
    return, per sequence, the log-probability of each step given the steps
    before it (the score that compares generators: lower surprise is better).

:class:`GeneratorMixin` sets ``Tags.task`` to ``"generate"`` and derives
``score`` (minus the bits per symbol, higher is better) from ``log_proba``.
To sample from any fitted next-item model, wrap it in
:class:`~seqpred.models.generate.SequenceGenerator` instead.
"""

from __future__ import annotations

from typing import Any, cast

from seqpred.base import BaseEstimator
from seqpred.models.generate.generator import bits

__all__ = ["GeneratorMixin"]


class GeneratorMixin(BaseEstimator):
    """Public API of generative sequence models (see the module docstring).

    ``sample`` and ``log_proba`` take options that depend on the data (a
    prefix and a temperature for symbols, a label for conditional models),
    so their signatures are each model's own.
    """

    _task = "generate"

    def score(self, X: Any, y: Any = None) -> float:
        """Return minus the bits per symbol of ``X``: higher is better.

        Each symbol is scored from the symbols before it in its sequence
        (and, for a conditional model, the sequence's label in ``y``), so
        ``cross_val_score`` compares generators by how little they are
        surprised by unseen sequences. A symbol never seen in training
        scores ``-inf``.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The sequences to score.
        y : array-like of shape (N,) or None, default=None
            Labels, for models that condition on them (``log_proba(X, y)``).

        Returns
        -------
        float
        """
        model = cast(Any, self)
        scores = model.log_proba(X) if y is None else model.log_proba(X, y)
        return -bits(scores, f"{type(self).__name__}.score")
