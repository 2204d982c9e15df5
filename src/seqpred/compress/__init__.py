"""Compression with sequence models: arithmetic coding and adaptive byte models.

A model's bits per symbol is the size a compressor driven by it reaches, so
this package makes the number verifiable: it codes bytes with an exact
integer arithmetic coder (:mod:`~seqpred.compress.arithmetic`) driven by an
adaptive model, a context-mixing model (:class:`ContextMixing`, the
default) or PPM with exclusion (:class:`AdaptivePPM`), and wraps the code in
a checked file format (:mod:`~seqpred.compress.container`), the one
``seqpred compress`` and ``seqpred decompress`` write and read.
:func:`adaptive_bits_per_symbol` and :func:`compare_adaptive_frozen` report
adaptive models (which learn as they read, like a compressor) next to
frozen ones (fitted, then fixed).

Examples
--------
>>> from seqpred.compress import compress, decompress
>>> blob = compress(b"abcabcabcabcabcabc", memory=10)
>>> decompress(blob)
b'abcabcabcabcabcabc'
"""

from seqpred.compress.cm import ContextMixing
from seqpred.compress.container import (
    MODELS,
    CompressedFormatError,
    Header,
    build_model,
    compress,
    decompress,
    read_header,
)
from seqpred.compress.evaluate import adaptive_bits_per_symbol, compare_adaptive_frozen
from seqpred.compress.model_coder import (
    compress_with_model,
    decompress_with_model,
    model_code_length,
)
from seqpred.compress.ppm import AdaptivePPM

__all__ = [
    "MODELS",
    "AdaptivePPM",
    "CompressedFormatError",
    "ContextMixing",
    "Header",
    "adaptive_bits_per_symbol",
    "build_model",
    "compare_adaptive_frozen",
    "compress",
    "compress_with_model",
    "decompress",
    "decompress_with_model",
    "model_code_length",
    "read_header",
]
