"""Next-item prediction: given a sequence, rank what comes next.

Every model shares :class:`NextItemMixin` (:mod:`.base`): ``fit(sequences)``,
``predict`` (the most probable next item, ``None`` for no match),
``predict_top_k``, ``predict_proba`` over ``vocabulary_`` and ``score``.

=================  ========================================================
family             models (registry name)
=================  ========================================================
Markov (counting)  :class:`MarkovPredictor` ("markov"), :class:`PPM`,
                   :class:`AKOM`, :class:`DG`, :class:`LZ78`, :class:`TDAG`
prediction trees   :class:`CPT` ("cpt"), :class:`CPTPlus` ("cpt+")
ensembles          :class:`Blend` ("blend"), :class:`OnlineMixture`
chosen by fit      :class:`AutoNextItem` ("auto-next-item",
                   ``seqpred.create("auto", task="next-item")``)
neural (torch)     :class:`RNNNextItem` ("gru"), :class:`TransformerNextItem`,
                   :class:`NeuralLanguageModel` ("neural-lm")
=================  ========================================================

The neural models import torch, so they are imported on first use.

Examples
--------
>>> from seqpred.models.next_item import PPM
>>> PPM(max_order=2).fit(["abcabc", "abd"]).predict(["ab"])
['c']
"""

from typing import Any

from seqpred._lazy import lazy
from seqpred.models.next_item.auto import AutoNextItem
from seqpred.models.next_item.base import NextItemMixin
from seqpred.models.next_item.ensemble.blend import Blend
from seqpred.models.next_item.ensemble.mixture import OnlineMixture
from seqpred.models.next_item.markov.akom import AKOM
from seqpred.models.next_item.markov.dg import DG
from seqpred.models.next_item.markov.lz78 import LZ78
from seqpred.models.next_item.markov.markov import MarkovPredictor
from seqpred.models.next_item.markov.ppm import PPM
from seqpred.models.next_item.markov.tdag import TDAG
from seqpred.models.next_item.tree._index import PredictionTree
from seqpred.models.next_item.tree.cpt import CPT
from seqpred.models.next_item.tree.cpt_plus import CPTPlus

__all__ = [
    "AKOM",
    "AutoNextItem",
    "CPT",
    "DG",
    "LZ78",
    "PPM",
    "TDAG",
    "Blend",
    "CPTPlus",
    "MarkovPredictor",
    "NeuralLanguageModel",  # noqa: F822  (lazy: torch)
    "NextItemMixin",
    "OnlineMixture",
    "PredictionTree",
    "RNNNextItem",  # noqa: F822
    "TransformerNextItem",  # noqa: F822
]

__getattr__: Any = lazy(
    {
        "RNNNextItem": "seqpred.models.next_item.neural.causal:RNNNextItem",
        "TransformerNextItem": (
            "seqpred.models.next_item.neural.causal:TransformerNextItem"
        ),
        "NeuralLanguageModel": (
            "seqpred.models.next_item.neural.language_model:NeuralLanguageModel"
        ),
    },
    owner=__name__,
)
