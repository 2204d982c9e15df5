"""Sequence-to-sequence models beside the attentional GRU of ``models.neural``.

:class:`PPMSeq2Seq` (``"seq2seq-ppm"``) is a decoder-only baseline: one PPM
over ``input ⟂ output``. :class:`~seqpred.models.seq2seq.transformer.TransformerSeq2Seq`
(``"seq2seq-transformer"``, needs torch) lives in its own module so that this
package imports without torch.
"""

from seqpred.models.seq2seq.ppm import PPMSeq2Seq

__all__ = ["PPMSeq2Seq"]
