"""The generation contract: draw new sequences like the training ones, and score them.

A generator implements

``fit(X, y=None)``
    learn from training sequences (``y``: labels, for conditional models);
``sample(n, ...)``
    draw ``n`` sequences (from a prefix, conditioned on a label, ...);
``log_proba(X, ...)``
    return, per sequence, the log-probability of each step given the steps
    before it (the score that compares generators: lower surprise is better).

:class:`GeneratorMixin` sets ``Tags.task`` to ``"generate"``. To sample
from any fitted next-item model, wrap it in
:class:`~seqpred.models.generate.SequenceGenerator` instead.
"""

from __future__ import annotations

from seqpred.base import BaseEstimator

__all__ = ["GeneratorMixin"]


class GeneratorMixin(BaseEstimator):
    """Public API of generative sequence models (see the module docstring).

    ``sample`` and ``log_proba`` take options that depend on the data (a
    prefix and a temperature for symbols, a label for conditional models),
    so their signatures are each model's own.
    """

    _task = "generate"
