"""Errors and warnings raised by seqpred.

The tree::

    SeqpredError
    ├── InvalidParameterError   (also ValueError, TypeError)
    ├── NotFittedError          (also ValueError, AttributeError)
    ├── ModelFileError          (also ValueError)  a corrupt or foreign model file
    │   ├── ModelSignatureError a signature is missing or does not match the key
    │   └── ModelTooLargeError  (also MemoryBudgetError) loading would pass the budget
    ├── DataError               (also ValueError)
    │   ├── ParseError          a malformed file: carries path, line, column
    │   ├── UnknownSymbolError  a symbol the vocabulary has never seen
    │   ├── EmptySequenceError  an empty sequence or an empty input
    │   └── DataTooLargeError   (also MemoryBudgetError) reading would pass the budget
    ├── MemoryBudgetError       an input would need more memory than the budget
    └── ComputeBudgetError      a computation would pass its cost limit
    SeqpredWarning (UserWarning)
    ├── ConvergenceWarning
    └── FallbackWarning

Every message says who complains, what is wrong, what was expected, what was
received and one concrete fix.
"""

from __future__ import annotations

__all__ = [
    "ComputeBudgetError",
    "ConvergenceWarning",
    "DataError",
    "DataTooLargeError",
    "EmptySequenceError",
    "FallbackWarning",
    "InvalidParameterError",
    "MemoryBudgetError",
    "ModelFileError",
    "ModelSignatureError",
    "ModelTooLargeError",
    "NotFittedError",
    "ParseError",
    "SeqpredError",
    "SeqpredWarning",
    "UnknownSymbolError",
]


class SeqpredError(Exception):
    """Base class of every error seqpred raises on purpose."""


class InvalidParameterError(SeqpredError, ValueError, TypeError):
    """An estimator parameter has a wrong type or value."""


class NotFittedError(SeqpredError, ValueError, AttributeError):
    """A method that needs a fitted estimator was called before ``fit``."""


class ModelFileError(SeqpredError, ValueError):
    """A saved model file is corrupt, foreign or of an unsupported version."""


class DataError(SeqpredError, ValueError):
    """Input data is malformed, empty or inconsistent."""


class MemoryBudgetError(SeqpredError):
    """Reading an input would need more memory than the budget allows.

    Raised before the memory is allocated, from sizes the input declares
    (a ``.npy`` header's shape, a zip member's size, a network's
    configuration). The budget is ``max_bytes=`` where a function takes it,
    else the ``SEQPRED_MAX_BYTES`` environment variable, else half of the
    memory of the machine (see :mod:`seqpred.data.budget`).
    """


class ComputeBudgetError(SeqpredError):
    """A computation would need more work than its limit allows.

    Raised before the work starts, from a worst-case estimate (for example
    the dynamic-programming cells of DTW), so a call that would run for
    hours fails at once with the estimate and how to lower it.
    """


class ModelSignatureError(ModelFileError):
    """A model file's HMAC signature is missing or does not match the key."""


class ModelTooLargeError(ModelFileError, MemoryBudgetError):
    """Loading a model file would need more memory than the budget allows."""


class DataTooLargeError(DataError, MemoryBudgetError):
    """Reading a data file would need more memory than the budget allows."""


class ParseError(DataError):
    """A file could not be parsed.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it.
    path : str or None, default=None
        The file being read.
    line : int or None, default=None
        1-based line number of the offending input.
    column : int or None, default=None
        1-based column (or token) number, when known.

    Examples
    --------
    >>> err = ParseError("bad token 'x'", path="a.txt", line=3)
    >>> str(err)
    "a.txt:3: bad token 'x'"
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.reason = message
        where = ""
        if path is not None:
            where = str(path)
            if line is not None:
                where += f":{line}"
                if column is not None:
                    where += f":{column}"
            where += ": "
        elif line is not None:
            where = f"line {line}: "
        super().__init__(where + message)


class UnknownSymbolError(DataError, KeyError):
    """A symbol is not in the vocabulary."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class EmptySequenceError(DataError):
    """A sequence (or a whole input) is empty where that is not allowed."""


class SeqpredWarning(UserWarning):
    """Base class of seqpred's warnings."""


class ConvergenceWarning(SeqpredWarning):
    """An iterative fit stopped before converging."""


class FallbackWarning(SeqpredWarning):
    """A model fell back to a default answer."""
