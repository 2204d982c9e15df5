"""Named type aliases used in public signatures.

``SequenceLike``
    One sequence: a list of symbols, a string (one symbol per character) or a
    1-D NumPy array (a 2-D array ``(steps, n_features)`` for numeric data).
``SequenceBatch``
    Several sequences: a :class:`~seqpred.data.SequenceSet`, a list of
    ``SequenceLike`` or a list of strings.
``Array``
    A NumPy array of any shape and dtype (what the code passes around;
    shapes are given in comments, with the legend N sequences, L length,
    V vocabulary, H hidden, C classes).
``RandomStateLike``
    ``None``, an ``int`` seed or a :class:`numpy.random.Generator`.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, Union

import numpy as np

if TYPE_CHECKING:
    from seqpred.data.sequence_set import SequenceSet

Symbol: TypeAlias = Hashable
SequenceLike: TypeAlias = Union[Sequence[Any], str, "np.ndarray[Any, Any]"]
SequenceBatch: TypeAlias = Union["SequenceSet", Sequence[SequenceLike]]
RandomStateLike: TypeAlias = None | int | np.random.Generator
Array: TypeAlias = np.ndarray[Any, Any]

__all__ = ["Array", "RandomStateLike", "SequenceBatch", "SequenceLike", "Symbol"]
