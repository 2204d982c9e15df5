"""An adaptive PPM model of byte streams, for compression.

:class:`AdaptivePPM` is the classic symbol-level compressor model: it codes
each byte from its longest known context down, with escapes, full exclusion
and update exclusion, and learns as it reads. By default it adds PPMZ's
secondary escape estimation (SEE) and PPMII's information inheritance; plain
PPM-C and PPM-D are options. Unlike
:class:`seqpred.models.next_item.markov.ppm.PPM`, which is fitted once and then
frozen, it starts empty and updates after every byte, as a compressor must
(a decoder sees no training data). See :mod:`seqpred.compress._ppm_kernel`.
With ``order=None`` it is PPM*: contexts of unbounded length, indexed by
an online suffix automaton, coding from the shortest deterministic context
(see :mod:`seqpred.compress._ppm_star_kernel`).

Examples
--------
>>> model = AdaptivePPM(order=3, memory=12)
>>> text = b"abracadabra abracadabra abracadabra"
>>> model.decode(model.encode(text), len(text)) == text
True
>>> star = AdaptivePPM(order=None)  # PPM*: unbounded contexts
>>> star.decode(star.encode(text), len(text)) == text
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqpred._typing import Array
from seqpred.compress._byte_model import AdaptiveByteModel
from seqpred.compress._ppm_kernel import N_SEE, ppm_kernel
from seqpred.compress._ppm_star_kernel import ppm_star_kernel
from seqpred.exceptions import InvalidParameterError

__all__ = ["AdaptivePPM"]

# Strength of information inheritance (a new symbol's first count is
# 1 + strength * its share where it was found), tuned on book1 at order 5:
# 2.291 -> 2.274 bits per byte with PPM-D, 2.287 -> 2.249 with SEE.
_INHERIT = {"SEE": 8, "D": 3, "C": 3}


def _range_coder_state() -> Array:
    """Return a fresh range-coder state ``[low, range, out_pos, cache, cache_size]``."""
    return np.array([0, 0xFFFFFFFF, 0, 0, 1], dtype=np.int64)


@dataclass(frozen=True)
class AdaptivePPM(AdaptiveByteModel):
    """Adaptive PPM byte model with exclusion that encodes and decodes.

    Parameters
    ----------
    order : int or None, default=5
        Longest context, in bytes, from 1 to 16; ``None``: unbounded (PPM*),
        coding each byte from its shortest *deterministic* context (one that
        has only ever been followed by one byte) when there is one, else from
        its longest context, and escaping down from there.
    memory : int, default=22
        From 8 to 24. Bounded order: ``2**memory`` context slots and as many
        (symbol, count) nodes (about ``30 * 2**memory`` bytes: 130 MB at
        22); once full, the model stops adding contexts and symbols but
        keeps counting. ``order=None``: the suffix automaton indexes up to
        ``2**memory`` bytes (then starts again empty), taking at most 87
        bytes of memory per byte indexed (about 65 on text: 50 MB for book1).
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

    PPM* (``order=None``) keeps every context of every length in a suffix
    automaton built online (amortised constant time per byte): its states
    group the contexts that occurred at the same positions, and so share
    one symbol list, and its suffix links are the escape chain from the
    longest context that occurred before down to the empty one. Update
    exclusion and inheritance work as for bounded orders; SEE cells use the
    length of the state's shortest context (0, 1-2, 3-4, 5-8, 9 and more)
    in place of the order, and the first context tried has its own cells,
    chosen by how much longer the longest match is than that context.
    On repetitive data it clearly beats order 5 (Calgary progl, Lisp
    source: 1.52 against 1.64 bits per byte; trans 1.25 against 1.39;
    paper1 twice in a row 1.14 against 1.52): a repeat costs a small
    fraction of a bit per byte whatever its length and distance. On plain
    text it is a little worse (book1 2.28 against 2.25) and about 1.3 to 2
    times slower. Starting at the shortest deterministic context rather
    than the longest one gains 0.03 bits per byte on book1 (0.08 with
    PPM-C escapes).

    References
    ----------
    J. Cleary and I. Witten, "Data compression using adaptive coding and
    partial string matching", IEEE Trans. Commun. 32(4), 1984; A. Moffat,
    "Implementing the PPM data compression scheme", IEEE Trans. Commun.
    38(11), 1990 (PPM-C, exclusions); P. Howard, "The design and analysis of
    efficient lossless data compression systems", PhD thesis, 1993 (PPM-D);
    C. Bloom, "Solving the problems of context modeling", 1998 (PPMZ, SEE);
    D. Shkarin, "PPM: one step to practicality", DCC 2002 (PPMII);
    J. Cleary, W. Teahan and I. Witten, "Unbounded length contexts for
    PPM", DCC 1995 (PPM*); A. Blumer et al., "The smallest automaton
    recognizing the subwords of a text", Theor. Comput. Sci. 40, 1985
    (the suffix automaton).

    Examples
    --------
    >>> bits = AdaptivePPM(order=2, memory=10).code_lengths(b"abababababab")
    >>> bool(bits[-1] < bits[0])
    True

    PPM* codes a long repeat almost for free:

    >>> song = b"never gonna give you up, never gonna let you down. " * 8
    >>> bits = AdaptivePPM(order=None).code_lengths(song)
    >>> bool(bits[-52:].sum() < 1.0)
    True
    """

    order: int | None = 5
    memory: int = 22
    escape: str = "SEE"
    inheritance: bool = True

    def __post_init__(self) -> None:
        """Check the parameters (they also come from compressed-file headers)."""
        if self.order is not None and (
            not isinstance(self.order, int)
            or isinstance(self.order, bool)
            or not 1 <= self.order <= 16
        ):
            raise InvalidParameterError(
                f"AdaptivePPM: order must be an int in [1, 16] or None (unbounded, "
                f"PPM*); got {self.order!r}. Use order=5 for text."
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
        if self.order is None:
            return self._run_star(buf, start, encode, code, costs)
        slots = 1 << self.memory
        coder = _range_coder_state()
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

    def _run_star(
        self, buf: Array, start: int, encode: bool, code: Array, costs: Array
    ) -> int:
        indexed = min(buf.shape[0], 1 << self.memory)
        states, nodes = 2 * indexed + 2, 3 * indexed + 2  # the automaton's bounds
        coder = _range_coder_state()
        return int(
            ppm_star_kernel(
                buf,
                start,
                encode,
                code,
                coder,
                costs,
                self.escape == "D",
                1 << self.memory,
                np.zeros(states, dtype=np.int32),
                np.zeros(states, dtype=np.int32),
                np.zeros(states, dtype=np.int32),
                np.zeros(states, dtype=np.int32),
                np.zeros(states, dtype=np.int32),
                np.zeros(states, dtype=np.int32),
                np.zeros(nodes, dtype=np.uint8),
                np.zeros(nodes, dtype=np.int32),
                np.zeros(nodes, dtype=np.int32),
                np.zeros(nodes, dtype=np.int32),
                np.full(2 * N_SEE if self.escape == "SEE" else 0, 1 << 14, np.int64),
                np.zeros(2 * N_SEE + 2, dtype=np.int64),
                _INHERIT[self.escape] if self.inheritance else 0,
            )
        )
