"""The data layer: vocabularies, ragged sequence sets, readers, framing, splits.

Nothing here imports from ``models``, ``tasks`` or ``evaluate``.
"""

from seqpred.data.cv import ExpandingWindowSplit, SequenceKFold
from seqpred.data.fields import Field, Fields
from seqpred.data.framing import (
    from_padded,
    pad_sequences,
    prefix_targets,
    sliding_windows,
)
from seqpred.data.panel import SeriesPanel
from seqpred.data.readers import (
    FORMATS,
    from_dataframe,
    from_pandas,
    from_polars,
    read_csv,
    read_fasta,
    read_lines,
    read_numpy,
    read_parquet,
    read_sequences,
    read_spmf,
    read_table,
    read_ucr,
    write_lines,
    write_spmf,
)
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.splits import (
    holdout_last,
    kfold_sequences,
    split_by_time,
    train_test_split_sequences,
)
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import PAD_ID, SEP_ID, UNK_ID, Vocabulary

__all__ = [
    "FORMATS",
    "PAD_ID",
    "SEP_ID",
    "UNK_ID",
    "ExpandingWindowSplit",
    "Field",
    "Fields",
    "SequenceKFold",
    "SequenceSet",
    "SeriesPanel",
    "Vocabulary",
    "as_sequence_set",
    "from_dataframe",
    "from_padded",
    "from_pandas",
    "from_polars",
    "holdout_last",
    "kfold_sequences",
    "pad_sequences",
    "prefix_targets",
    "read_csv",
    "read_fasta",
    "read_lines",
    "read_numpy",
    "read_parquet",
    "read_sequences",
    "read_spmf",
    "read_table",
    "read_ucr",
    "sliding_windows",
    "split_by_time",
    "train_test_split_sequences",
    "write_lines",
    "write_spmf",
]
