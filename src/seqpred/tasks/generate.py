"""Sequence generation: sample from any probabilistic model, by class if asked.

:class:`SequenceGenerator` wraps a fitted model (PPM, MarkovPredictor,
NeuralLanguageModel, any next-item model with ``predict_proba``) to draw
sequences (prefix, temperature, top-k, top-p, stop symbols, seed) and to
score them (log-probabilities, bits per symbol). :class:`ConditionalModel`
conditions any such model on a class label.

Examples
--------
>>> from seqpred.models.markov import PPM
>>> from seqpred.tasks.generate import SequenceGenerator
>>> generator = SequenceGenerator(PPM(max_order=3).fit(["to be or not to be"]))
>>> "".join(generator.sample(1, prefix="to ", max_length=5, top_k=1)[0])
'be or'
"""

from seqpred.models.generate import ConditionalModel, SequenceGenerator

__all__ = ["ConditionalModel", "SequenceGenerator"]
