"""Sequence generation: sample from any probabilistic model, by class if asked.

:class:`SequenceGenerator` wraps a fitted model (PPM, MarkovPredictor,
NeuralLanguageModel, any next-item model with ``predict_proba``) to draw
sequences (prefix, temperature, top-k, top-p, stop symbols, seed) and to
score them (log-probabilities, bits per symbol). :class:`ConditionalModel`
conditions any such model on a class label. :class:`PianoRollModel` (torch,
imported on first use) models polyphonic music, one Bernoulli per key and
frame; its files are read by :func:`seqpred.data.readers.read_piano_rolls`.
Every generator shares :class:`GeneratorMixin` (:mod:`.base`).

Examples
--------
>>> from seqpred.models.next_item import PPM
>>> from seqpred.models.generate import SequenceGenerator
>>> generator = SequenceGenerator(PPM(max_order=3).fit(["to be or not to be"]))
>>> "".join(generator.sample(1, prefix="to ", max_length=5, top_k=1)[0])
'be or'
"""

from typing import Any

from seqpred._lazy import lazy
from seqpred.models.generate.base import GeneratorMixin
from seqpred.models.generate.conditional import ConditionalModel
from seqpred.models.generate.generator import SequenceGenerator

__all__ = [
    "ConditionalModel",
    "GeneratorMixin",
    "PianoRollModel",  # noqa: F822  (lazy: torch)
    "SequenceGenerator",
]

__getattr__: Any = lazy(
    {"PianoRollModel": "seqpred.models.generate.piano_roll:PianoRollModel"},
    owner=__name__,
)
