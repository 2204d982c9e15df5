"""Sequence to sequence: map an input sequence to an output sequence of any length.

The task layer gathers what a seq2seq problem needs, from the layers below:

=========================  ==================================================
reading pairs              :func:`read_pairs` (``input<TAB>output``),
                           :func:`read_scan` (SCAN's ``IN: ... OUT: ...``),
                           :func:`read_parallel` (parallel corpora, gzipped
                           or not), :func:`tokenize`
models (registry name)     :class:`Seq2SeqNetwork` (``"seq2seq-rnn"``: GRU
                           encoder-decoder with attention),
                           :class:`TransformerSeq2Seq`
                           (``"seq2seq-transformer"``: rotary positions),
                           :class:`PPMSeq2Seq` (``"seq2seq-ppm"``: PPM over
                           ``input ⟂ output``, no torch)
=========================  ==================================================

Every model has ``fit(X, y)``, ``predict(X, beam_width=1, max_length=None)``
(``beam_width=1``: greedy decoding), ``log_proba(X, y)`` and ``score(X, y)``
(exact match). Input reversal is the ``reverse_input`` parameter of the
neural models. Metrics live one layer up, in :mod:`seqpred.evaluate.seq2seq`
(:func:`~seqpred.evaluate.seq2seq.evaluate_seq2seq`: exact match, token
accuracy and corpus BLEU). The two neural classes need torch; they are
imported on first use, so this module imports without it.

Examples
--------
>>> from seqpred.tasks.seq2seq import PPMSeq2Seq
>>> X = ["12", "21", "112", "211", "121"]
>>> model = PPMSeq2Seq(max_order=8).fit(X, [x[::-1] for x in X])
>>> model.predict(["211"])
['112']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from seqpred.data.readers.pairs import read_pairs, read_parallel, read_scan, tokenize
from seqpred.models.seq2seq.ppm import PPMSeq2Seq

if TYPE_CHECKING:
    from seqpred.models.neural.seq2seq import Seq2SeqNetwork
    from seqpred.models.seq2seq.transformer import TransformerSeq2Seq

__all__ = [
    "PPMSeq2Seq",
    "Seq2SeqNetwork",
    "TransformerSeq2Seq",
    "read_pairs",
    "read_parallel",
    "read_scan",
    "tokenize",
]

_LAZY = {
    "Seq2SeqNetwork": "seqpred.models.neural.seq2seq",
    "TransformerSeq2Seq": "seqpred.models.seq2seq.transformer",
}


def __getattr__(name: str) -> Any:
    """Import the torch models on first use."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
