"""Byte buffers shared by the model kernels: input copies and a growing output.

A kernel writes its code into a preallocated array and returns -1 when the
array is too small (an input the model predicts badly can code to more
bytes than it has); :func:`encode_growing` then retries with a larger one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from seqpred._typing import Array

__all__ = ["as_buffer", "encode_growing", "initial_capacity"]


def as_buffer(data: bytes) -> Array:
    """Return a writable ``uint8`` copy of ``data``."""
    return np.frombuffer(bytes(data), dtype=np.uint8).copy()


def initial_capacity(n_bytes: int) -> int:
    """Return the first output size tried: twice the input (16 bits a byte)."""
    return 2 * n_bytes + 1024


def encode_growing(run: Callable[[Array], int], n_bytes: int) -> bytes:
    """Call ``run(out)`` with ever larger ``out`` until it returns a length.

    Parameters
    ----------
    run : callable
        Codes the whole input into its argument; returns the number of bytes
        written, or -1 when the argument is too small.
    n_bytes : int
        Input length, to size the first buffer.

    Returns
    -------
    bytes
        The code.
    """
    capacity = initial_capacity(n_bytes)
    while True:
        out = np.zeros(capacity, dtype=np.uint8)
        written = run(out)
        if written >= 0:
            return out[:written].tobytes()
        capacity = max(2 * capacity, 8 * n_bytes + 1024)
