"""seqpred: making predictions with sequences.

Examples
--------
>>> import seqpred
>>> model = seqpred.create("markov", order=2).fit([[1, 2, 3, 4], [1, 2, 3, 5]])
>>> model.predict([[2, 3]])
[4]
"""

from seqpred._registry import available, create
from seqpred.base import clone
from seqpred.data import SequenceSet, Vocabulary
from seqpred.exceptions import (
    DataError,
    EmptySequenceError,
    InvalidParameterError,
    NotFittedError,
    ParseError,
    SeqpredError,
    UnknownSymbolError,
)

__version__ = "0.1.0"

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
]
