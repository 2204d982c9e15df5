"""Deprecated: import from :mod:`seqpred.models.seq2seq` (removed in 0.3)."""

from typing import Any

from seqpred._lazy import moved

__getattr__: Any = moved(
    __name__,
    "seqpred.models.seq2seq",
    [
        "PPMSeq2Seq",
        "Seq2SeqNetwork",
        "TransformerSeq2Seq",
        "read_pairs=seqpred.data.readers.pairs",
        "read_parallel=seqpred.data.readers.pairs",
        "read_scan=seqpred.data.readers.pairs",
        "tokenize=seqpred.data.readers.pairs",
    ],
)
