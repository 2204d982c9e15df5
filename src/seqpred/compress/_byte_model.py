"""What every adaptive byte model shares: encode, decode and code lengths.

A model implements one method, ``_run(buf, start, encode, code, costs)``,
which reads ``buf`` from the start, learning from ``buf[:start]`` (the
prime) and coding from ``start`` on: it writes the code into ``code`` (and
returns its length, or -1 when ``code`` is too small) when ``encode`` is
true, or decodes ``code`` into ``buf[start:]`` otherwise; with a non-empty
``costs`` it also stores each byte's ideal code length in bits.
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array
from seqpred.compress._buffers import as_buffer, encode_growing

__all__ = ["AdaptiveByteModel"]


class AdaptiveByteModel:
    """Base of the adaptive byte models: encode, decode and measure with ``_run``."""

    def _run(
        self, buf: Array, start: int, encode: bool, code: Array, costs: Array
    ) -> int:
        raise NotImplementedError

    def encode(self, data: bytes, *, prime: bytes = b"") -> bytes:
        """Compress ``data``, the model having first learnt from ``prime``.

        Parameters
        ----------
        data : bytes
            The bytes to code.
        prime : bytes, default=b""
            Bytes the model learns from first; :meth:`decode` must get the
            same ones.

        Returns
        -------
        bytes
            The code (``len(data)`` is not stored in it).
        """
        buf = as_buffer(prime + data)
        return encode_growing(
            lambda out: self._run(buf, len(prime), True, out, np.zeros(0)), len(data)
        )

    def decode(self, code: bytes, n_bytes: int, *, prime: bytes = b"") -> bytes:
        """Decompress ``n_bytes`` bytes from ``code`` made by :meth:`encode`.

        Parameters
        ----------
        code : bytes
            The output of :meth:`encode`.
        n_bytes : int
            Length of the original data.
        prime : bytes, default=b""
            The ``prime`` given to :meth:`encode`.

        Returns
        -------
        bytes
            The original data. A wrong ``code`` gives wrong bytes, not an
            error: check a checksum of the result.
        """
        buf = np.zeros(len(prime) + n_bytes, dtype=np.uint8)
        buf[: len(prime)] = as_buffer(prime)
        stream = as_buffer(code)
        self._run(buf, len(prime), False, stream, np.zeros(0, dtype=np.float64))
        return buf[len(prime) :].tobytes()

    def code_lengths(self, data: bytes, *, prime: bytes = b"") -> Array:
        """Return the ideal code length in bits of each byte, learning as it reads.

        Parameters
        ----------
        data : bytes
            The bytes to measure.
        prime : bytes, default=b""
            Bytes the model learns from first (not measured).

        Returns
        -------
        ndarray of float64 of shape (len(data),)
            ``-log2 P(byte | everything before it)`` (escapes included); their
            sum is the size :meth:`encode` reaches, to within a few bytes.
        """
        buf = as_buffer(prime + data)
        costs = np.zeros(len(buf), dtype=np.float64)
        self._run(buf, len(buf), True, np.zeros(64, dtype=np.uint8), costs)
        return costs[len(prime) :]
