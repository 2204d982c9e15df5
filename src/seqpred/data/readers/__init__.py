"""Readers and writers: files and arrays in, :class:`~seqpred.data.SequenceSet` out.

Every reader reports malformed input with a :class:`~seqpred.exceptions.ParseError`
carrying the path, the 1-based line and, when known, the column.

====================  ==================================================
``read_spmf``         SPMF sequence format (``1 -1 2 -1 -2``), itemsets
``read_lines``        one sequence per text line (words or characters)
``read_csv``          long-format tables (also ``read_parquet``,
                      ``from_pandas``, ``from_polars``, ``from_dataframe``;
                      ``read_table`` reports the columns' roles)
``read_fasta``        FASTA records
``read_ucr``          UCR/UEA time series (``.ts`` and UCR text)
``read_numpy``        dense ``(N, L)`` or ``(N, L, F)`` arrays
``read_pairs``        seq2seq pairs (``input<TAB>output``; also
                      ``read_scan``, ``read_parallel`` for parallel corpora)
``read_sequences``    any of the above, chosen by file extension
``read_nab``          the Numenta Anomaly Benchmark corpus and its windows
``read_piano_rolls``  polyphonic music benchmark files (``.mat``)
====================  ==================================================
"""

from seqpred.data.readers.arrays import read_numpy
from seqpred.data.readers.auto import FORMATS, read_sequences, sniff_format
from seqpred.data.readers.fasta import read_fasta
from seqpred.data.readers.lines import read_lines, write_lines
from seqpred.data.readers.nab import read_nab
from seqpred.data.readers.pairs import read_pairs, read_parallel, read_scan
from seqpred.data.readers.piano_rolls import read_piano_rolls
from seqpred.data.readers.roles import ColumnRoles, find_roles
from seqpred.data.readers.spmf import read_spmf, write_spmf
from seqpred.data.readers.tabular import (
    TableRead,
    from_dataframe,
    from_pandas,
    from_polars,
    read_csv,
    read_parquet,
    read_table,
)
from seqpred.data.readers.ucr import read_ucr

__all__ = [
    "FORMATS",
    "ColumnRoles",
    "TableRead",
    "find_roles",
    "from_dataframe",
    "from_pandas",
    "from_polars",
    "read_csv",
    "read_fasta",
    "read_lines",
    "read_nab",
    "read_numpy",
    "read_pairs",
    "read_parallel",
    "read_parquet",
    "read_piano_rolls",
    "read_scan",
    "read_sequences",
    "read_spmf",
    "read_table",
    "read_ucr",
    "sniff_format",
    "write_lines",
    "write_spmf",
]
