"""Sequence to sequence: map an input sequence to an output sequence of any length.

=========================  ==================================================
models (registry name)     :class:`Seq2SeqNetwork` (``"seq2seq-rnn"``: GRU
                           encoder-decoder with attention),
                           :class:`TransformerSeq2Seq`
                           (``"seq2seq-transformer"``: rotary positions),
                           :class:`PPMSeq2Seq` (``"seq2seq-ppm"``: PPM over
                           ``input ⟂ output``, no torch)
=========================  ==================================================

Pairs are read by :mod:`seqpred.data.readers.pairs` (``read_pairs``,
``read_scan``, ``read_parallel``, ``tokenize``). Every model shares
:class:`Seq2SeqMixin` (:mod:`.base`): ``fit(X, y)``,
``predict(X, beam_width=1, max_length=None)``
(``beam_width=1``: greedy decoding), ``log_proba(X, y)`` and ``score(X, y)``
(exact match). Input reversal is the ``reverse_input`` parameter of the
neural models. Metrics live one layer up, in :mod:`seqpred.evaluate.seq2seq`
(:func:`~seqpred.evaluate.seq2seq.evaluate_seq2seq`: exact match, token
accuracy and corpus BLEU). The two neural classes need torch; they are
imported on first use, so this module imports without it.

Examples
--------
>>> from seqpred.models.seq2seq import PPMSeq2Seq
>>> X = ["12", "21", "112", "211", "121"]
>>> model = PPMSeq2Seq(max_order=8).fit(X, [x[::-1] for x in X])
>>> model.predict(["211"])
['112']
"""

from typing import Any

from seqpred._lazy import lazy
from seqpred.models.seq2seq.base import Seq2SeqMixin
from seqpred.models.seq2seq.ppm import PPMSeq2Seq

__all__ = [
    "PPMSeq2Seq",
    "Seq2SeqMixin",
    "Seq2SeqNetwork",  # noqa: F822  (lazy: torch)
    "TransformerSeq2Seq",  # noqa: F822
]

__getattr__: Any = lazy(
    {
        "Seq2SeqNetwork": "seqpred.models.seq2seq.rnn:Seq2SeqNetwork",
        "TransformerSeq2Seq": "seqpred.models.seq2seq.transformer:TransformerSeq2Seq",
    },
    owner=__name__,
)
