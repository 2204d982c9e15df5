"""An adaptive PPM model of byte streams, for compression.

:class:`AdaptivePPM` is the classic symbol-level compressor model: it codes
each byte from its longest known context down, with escapes, full exclusion
and update exclusion, and learns as it reads. By default it adds PPMZ's
secondary escape estimation (SEE) and PPMII's information inheritance; plain
PPM-C and PPM-D are options. Unlike
:class:`seqpred.models.markov.ppm.PPM`, which is fitted once and then
frozen, it starts empty and updates after every byte, as a compressor must
(a decoder sees no training data). See :mod:`seqpred.compress._ppm_kernel`.

Examples
--------
>>> model = AdaptivePPM(order=3, memory=12)
>>> text = b"abracadabra abracadabra abracadabra"
>>> model.decode(model.encode(text), len(text)) == text
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred.compress._byte_model import AdaptiveByteModel
from seqpred.compress._ppm_kernel import N_SEE, ppm_kernel
from seqpred.exceptions import InvalidParameterError

__all__ = ["AdaptivePPM"]

Array = np.ndarray[Any, Any]
# Strength of information inheritance (a new symbol's first count is
# 1 + strength * its share where it was found), tuned on book1 at order 5:
# 2.291 -> 2.274 bits per byte with PPM-D, 2.287 -> 2.249 with SEE.
_INHERIT = {"SEE": 8, "D": 3, "C": 3}


@dataclass(frozen=True)
class AdaptivePPM(AdaptiveByteModel):
    """Adaptive PPM byte model with exclusion that encodes and decodes.

    Parameters
    ----------
    order : int, default=5
        Longest context, in bytes, from 1 to 16.
    memory : int, default=22
        ``2**memory`` context slots and as many (symbol, count) nodes (about
        ``30 * 2**memory`` bytes: 130 MB at 22); once full, the model stops
        adding contexts and symbols but keeps counting. From 8 to 24.
    escape : {"SEE", "D", "C"}, default="SEE"
        How a context shares its probability between its ``q`` distinct
        symbols (``n`` counts in all) and the escape to shorter contexts.
        PPM-D: a symbol seen ``c`` times gets ``(2c - 1) / 2n``, the escape
        ``q / 2n``; PPM-C: ``c / (n + q)`` and ``q / (n + q)``; SEE
        (secondary escape estimation, after PPMZ): the escape probability is
        learned online per cell of (order, ``q``, ``n``, longest context or
        not, previous byte coded by its longest context or not), and a symbol
        gets ``c / n`` of the rest.
    inheritance : bool, default=True
        Information inheritance (after PPMII): a byte new to a longer
        context starts with a count that grows with its probability in the
        context that coded it, instead of 1.

    Notes
    -----
    Counts are halved when a context's total passes 8192, which both adapts
    to change and keeps the range coder's totals small. Cost per byte is a
    walk of each context's symbol list, from the longest context down to
    the one that knows the byte.

    References
    ----------
    J. Cleary and I. Witten, "Data compression using adaptive coding and
    partial string matching", IEEE Trans. Commun. 32(4), 1984; A. Moffat,
    "Implementing the PPM data compression scheme", IEEE Trans. Commun.
    38(11), 1990 (PPM-C, exclusions); P. Howard, "The design and analysis of
    efficient lossless data compression systems", PhD thesis, 1993 (PPM-D);
    C. Bloom, "Solving the problems of context modeling", 1998 (PPMZ, SEE);
    D. Shkarin, "PPM: one step to practicality", DCC 2002 (PPMII).

    Examples
    --------
    >>> bits = AdaptivePPM(order=2, memory=10).code_lengths(b"abababababab")
    >>> bool(bits[-1] < bits[0])
    True
    """

    order: int = 5
    memory: int = 22
    escape: str = "SEE"
    inheritance: bool = True

    def __post_init__(self) -> None:
        """Check the parameters (they also come from compressed-file headers)."""
        if not isinstance(self.order, int) or not 1 <= self.order <= 16:
            raise InvalidParameterError(
                f"AdaptivePPM: order must be an int in [1, 16]; got {self.order!r}. "
                "Use order=5 for text."
            )
        if not isinstance(self.memory, int) or not 8 <= self.memory <= 24:
            raise InvalidParameterError(
                f"AdaptivePPM: memory must be an int in [8, 24]; got "
                f"{self.memory!r}. Use memory=22."
            )
        if self.escape not in ("C", "D", "SEE"):
            raise InvalidParameterError(
                f"AdaptivePPM: escape must be 'C', 'D' or 'SEE'; got {self.escape!r}."
            )
        if not isinstance(self.inheritance, bool):
            raise InvalidParameterError(
                f"AdaptivePPM: inheritance must be a bool; got {self.inheritance!r}."
            )

    def _run(
        self, buf: Array, start: int, encode: bool, code: Array, costs: Array
    ) -> int:
        slots = 1 << self.memory
        coder = np.zeros(5, dtype=np.int64)
        coder[1] = 0xFFFFFFFF
        coder[4] = 1
        return int(
            ppm_kernel(
                buf,
                start,
                encode,
                code,
                coder,
                costs,
                self.order,
                self.escape == "D",
                np.zeros(slots, dtype=np.int64),
                np.zeros(slots, dtype=np.int32),
                np.zeros(slots, dtype=np.int32),
                np.zeros(slots, dtype=np.int32),
                np.zeros(slots, dtype=np.uint8),
                np.zeros(slots, dtype=np.int32),
                np.zeros(slots, dtype=np.int32),
                np.full(N_SEE if self.escape == "SEE" else 0, 1 << 14, dtype=np.int64),
                np.zeros(N_SEE + 1, dtype=np.int64),
                _INHERIT[self.escape] if self.inheritance else 0,
            )
        )
