"""Generation: sample sequences from any probabilistic model, condition it on labels.

:class:`SequenceGenerator` draws and scores sequences with any fitted model
that gives next-symbol probabilities; :class:`ConditionalModel` makes any
such model class-conditional. Piano rolls (multi-hot frames) have their own
reader and model in :mod:`seqpred.models.generate.piano_roll`.
"""

from seqpred.models.generate.conditional import ConditionalModel
from seqpred.models.generate.generator import SequenceGenerator

__all__ = ["ConditionalModel", "SequenceGenerator"]
