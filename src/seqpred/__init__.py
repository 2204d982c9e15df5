"""seqpred: making predictions with sequences.

Examples
--------
>>> import seqpred
>>> model = seqpred.create("markov", order=2).fit([[1, 2, 3, 4], [1, 2, 3, 5]])
>>> model.predict([[2, 3]])
[4]
>>> seqpred.available()["markov"]
'next-item'

"""

from seqpred._registry import available, create
from seqpred._version import __version__
from seqpred.base import clone
from seqpred.data import SequenceSet, Vocabulary, read_sequences
from seqpred.exceptions import (
    DataError,
    EmptySequenceError,
    InvalidParameterError,
    NotFittedError,
    ParseError,
    SeqpredError,
    UnknownSymbolError,
)
from seqpred.io import load, save

__all__ = [
    "DataError",
    "EmptySequenceError",
    "InvalidParameterError",
    "NotFittedError",
    "ParseError",
    "SeqpredError",
    "SequenceSet",
    "UnknownSymbolError",
    "Vocabulary",
    "__version__",
    "available",
    "clone",
    "create",
    "load",
    "read_sequences",
    "save",
]
