"""The models, one package per task; each package owns its contract in ``base.py``.

=======================  ==================================================
package                  contract (mixin) and what it predicts
=======================  ==================================================
:mod:`.next_item`        :class:`~.next_item.NextItemMixin`: the next item
:mod:`.classify`         :class:`~.classify.ClassifierMixin`: a label
:mod:`.forecast`         :class:`~.forecast.ForecasterMixin`: future values
:mod:`.seq2seq`          :class:`~.seq2seq.Seq2SeqMixin`: an output sequence
:mod:`.generate`         :class:`~.generate.GeneratorMixin`: new sequences
:mod:`.anomaly`          :class:`~.anomaly.AnomalyMixin`: anomaly scores
=======================  ==================================================

A family of models inside a task is a sub-package (``next_item/markov/``);
PyTorch pieces that several tasks share live in :mod:`seqpred.nn`. Each
class is imported from its task package, for example
``from seqpred.models.next_item import PPM``.
"""
