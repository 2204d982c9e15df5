"""The data layer: vocabularies, ragged sequence sets, readers, framing, splits.

Nothing here imports from ``models``, ``tasks`` or ``evaluate``.
"""

from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import PAD_ID, SEP_ID, UNK_ID, Vocabulary

__all__ = [
    "PAD_ID",
    "SEP_ID",
    "UNK_ID",
    "SequenceSet",
    "Vocabulary",
    "as_sequence_set",
]
