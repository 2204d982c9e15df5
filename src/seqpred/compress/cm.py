"""A context-mixing model of byte streams, adaptive, for compression.

:class:`ContextMixing` predicts a byte stream one bit at a time, learning as
it reads, and codes it with the binary arithmetic coder of
:mod:`seqpred.compress.arithmetic`. Its parts, after lpaq1 and PAQ8:

- **contexts**: the last 0 to ``order`` bytes, the letters of the current
  word, the current word with the previous one, and the column with the
  byte above it in the previous line (and the last byte). Each context is
  hashed to a slot of 16 nodes (one per bit of a nibble) in its own table,
  checked by a 16-bit tag; a node holds a *bit history* (a byte-sized state of small
  counts, see :mod:`seqpred.compress._tables`) and a directly adapted
  probability. Each context gives the mixer two inputs: the probability that
  an adaptive map learns for its bit-history state, and the node's own
  probability, both *stretched* (``ln(p / (1 - p))``);
- a **match model**: the byte that followed the last occurrence of the
  last 7 or more bytes predicts the next, with a strength learned per match
  length;
- three **mixers** (logistic regression trained online) whose weight sets
  are selected by the partial byte, by the match length, number of known
  contexts and bit position, and by the previous byte; a final mixer,
  weighted per partial byte, blends them;
- three **APM/SSE** stages that refine the probability given the partial
  byte with the previous one or two bytes.

Everything is integer arithmetic, so a stream decodes the same on every
platform, with numba or without (``SEQPRED_DISABLE_NUMBA=1``, slow).

Examples
--------
>>> model = ContextMixing(order=3, memory=12)
>>> text = b"abracadabra abracadabra abracadabra"
>>> code = model.encode(text)
>>> len(code) < len(text)
True
>>> model.decode(code, len(text)) == text
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqpred._typing import Array
from seqpred.compress._byte_model import AdaptiveByteModel
from seqpred.compress._cm_kernel import cm_kernel
from seqpred.compress._tables import (
    bit_history_tables,
    rate_table,
    squash_table,
    stretch_table,
)
from seqpred.exceptions import InvalidParameterError

__all__ = ["ContextMixing"]

# Contexts beside the byte orders (kinds of _cm_kernel.cm_kernel): the current
# word, the current and previous words, the column and the byte above (text
# in lines). Measured on book1: the column context gains 0.02 bits per byte,
# two-word-back and sparse contexts nothing.
_EXTRAS = (1, 2, 6)
_SM_LIMIT = 1023  # state maps average over up to ~1000 visits
_DP_LIMIT = 30  # direct node probabilities adapt at a rate of at least 1/31
_LR_MIXERS = 10  # learning rates of the mixers, in 1/4096 units
_LR_FINAL = 6
_MATCH_BITS = 22
_FINAL_WEIGHTS = (4, 2, 4, 6)  # sixteenths: mixer, APM order 0, 1, 2
_APM_RATE = 6  # APM cells move 1/64 of the way to each bit
_TABLES: dict[str, Array] = {}


def _tables() -> dict[str, Array]:
    if not _TABLES:
        nex, n0, n1 = bit_history_tables()
        _TABLES.update(
            nex=nex,
            sn=n0 + n1,
            sm_init=((2 * n1 + 1) << 22) // (2 * (n0 + n1) + 2),
            stretch=stretch_table(),
            squash=squash_table(),
            rates=rate_table(1024, 65536),
            costs=-np.log2(np.maximum(np.arange(4097), 1) / 4096.0),
        )
    return _TABLES


@dataclass(frozen=True)
class ContextMixing(AdaptiveByteModel):
    """Adaptive context-mixing model of bytes that encodes and decodes.

    Parameters
    ----------
    order : int, default=6
        Longest byte context, from 1 to 8; contexts of every order from 0 to
        ``order`` are used, plus two word contexts and a column context.
    memory : int, default=18
        Each context's hash table holds ``2**memory`` slots of 16 nodes of 3
        bytes: about ``(order + 4) * 48 * 2**memory`` bytes in all, plus 70 MB
        of fixed tables (190 MB at order 6 and memory 18; 570 MB at memory
        20; 2 GB at memory 22). From 8 to 22.

    Notes
    -----
    Cost per byte: about ``8 * (order + 4)`` table look-ups and
    ``8 * 3 * (2 * order + 11)`` multiply-adds: about 110 kB/s compiled by
    numba on one core (book1, 768 kB, in 7 s of CPU), the same to decode.
    Statistics live in fixed-size hash tables: on inputs much larger than
    the tables, contexts overwrite each other and compression suffers; raise
    ``memory``. A model instance holds no
    state between calls: each call starts from an empty model.

    References
    ----------
    M. Mahoney, "Adaptive weighing of context models for lossless data
    compression", Florida Tech. TR CS-2005-16 (2005); lpaq1 (2007).

    Examples
    --------
    >>> model = ContextMixing(order=2, memory=10)
    >>> bits = model.code_lengths(b"aaaaaaaaaaaaaaaa")
    >>> bool(bits[-1] < bits[0])
    True
    """

    order: int = 6
    memory: int = 18

    def __post_init__(self) -> None:
        """Check the parameters (they also come from compressed-file headers)."""
        if not isinstance(self.order, int) or not 1 <= self.order <= 8:
            raise InvalidParameterError(
                f"ContextMixing: order must be an int in [1, 8]; got {self.order!r}. "
                "Use order=6 for text."
            )
        if not isinstance(self.memory, int) or not 8 <= self.memory <= 22:
            raise InvalidParameterError(
                f"ContextMixing: memory must be an int in [8, 22] (log2 of the "
                f"slots per context); got {self.memory!r}. Use memory=18."
            )

    # -- public -----------------------------------------------------------------

    # -- internals --------------------------------------------------------------

    def _run(
        self, buf: Array, start: int, encode: bool, code: Array, costs: Array
    ) -> int:
        t = _tables()
        n_ctx = self.order + 1 + len(_EXTRAS)
        slots = 1 << self.memory
        n_in = 2 * n_ctx + 3
        sm = np.tile(t["sm_init"], (n_ctx, 1)).astype(np.int64)
        sm = np.pad(sm, ((0, 0), (0, 256 - sm.shape[1])))
        w_init = np.full(n_in, (65536 * 3) // (2 * n_ctx), dtype=np.int64)
        # APM cells start at the identity: squash of the cell's stretch value.
        points = np.clip(np.arange(33) * 128 - 2048, -2047, 2047)
        apm_row = (t["squash"][points + 2047] * 16).astype(np.int64)
        coder = np.zeros(4, dtype=np.int64)
        coder[1] = 0xFFFFFFFF
        params = np.array(
            [_LR_MIXERS, _LR_FINAL, _DP_LIMIT, _SM_LIMIT, _MATCH_BITS]
            + list(_FINAL_WEIGHTS)
            + [_APM_RATE],
            dtype=np.int64,
        )
        return int(
            cm_kernel(
                buf,
                start,
                encode,
                code,
                coder,
                costs,
                np.arange(self.order + 1, dtype=np.int64),
                np.array(_EXTRAS, dtype=np.int64),
                self.memory,
                np.zeros((n_ctx, slots), dtype=np.uint16),
                np.zeros((n_ctx, slots * 16), dtype=np.uint8),
                np.full((n_ctx, slots * 16), 32768, dtype=np.uint16),
                sm,
                np.zeros((n_ctx, 256), dtype=np.int64),
                np.tile(w_init, (256, 1)),
                np.tile(w_init, (32 * (self.order + 2), 1)),
                np.tile(w_init, (256, 1)),
                np.tile(np.array([21845, 21845, 21845, 0], dtype=np.int64), (256, 1)),
                np.tile(apm_row, 256),
                np.tile(apm_row, 65536),
                np.tile(apm_row, 65536),
                np.zeros(1 << _MATCH_BITS, dtype=np.int64),
                np.full(64, 1 << 21, dtype=np.int64),
                np.zeros(64, dtype=np.int64),
                t["nex"],
                t["sn"],
                t["stretch"],
                t["squash"],
                t["rates"],
                t["costs"],
                params,
            )
        )
