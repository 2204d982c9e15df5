"""The compressed-file format: a small checked header, then the coded bytes.

Layout (integers big-endian)::

    offset  size  field
    0       4     magic b"SQPZ"
    4       1     format version (1)
    5       1     model id (1 cm, 2 ppm, 3 ppm-c, 4 ppm-d, 5 a model file,
                  6 ppm-star, 7 ppm-star-c)
    6       1     model order (0: unbounded, the PPM* models)
    7       1     model memory (log2 of table slots)
    8       1     flags (bit 0: the model was primed with a file; bit 1: the
                  model is a saved seqpred model file)
    9       8     original length in bytes
    17      8     payload length in bytes
    25      4     CRC-32 of the original bytes
    29      32    SHA-256 of the prime (only when flag bit 0 is set)
    ..      32    SHA-256 of the model file (only when flag bit 1 is set)
    ..      4     context length in symbols (only when flag bit 1 is set)
    ..      1     alphabet (1 chars, 2 lines, 3 bytes; only with flag bit 1)
    ..      4     CRC-32 of the header bytes before it
    ..      ...   payload: the arithmetic code

The header names the model and its parameters, so :func:`decompress`
rebuilds the model that :func:`compress` used; the checksums catch a foreign,
corrupt or truncated file and a wrong prime, each with its own message. A
file coded with a saved model (model id 5, written by
:func:`seqpred.compress.model_coder.compress_with_model`) names the model
file by its SHA-256 instead, and only
:func:`~seqpred.compress.model_coder.decompress_with_model`, given the same
model, decodes it. Files without flag bit 1 are laid out exactly as before.

Examples
--------
>>> blob = compress(b"to be or not to be, that is the question", memory=10)
>>> blob[:4]
b'SQPZ'
>>> decompress(blob)
b'to be or not to be, that is the question'
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from seqpred.compress.cm import ContextMixing
from seqpred.compress.ppm import AdaptivePPM
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = [
    "ALPHABETS",
    "FILE_MODEL",
    "MAGIC",
    "MODELS",
    "CompressedFormatError",
    "Header",
    "build_model",
    "compress",
    "decompress",
    "pack",
    "payload_of",
    "read_header",
]

MAGIC = b"SQPZ"
FORMAT_VERSION = 1
_FIXED = struct.Struct(">4sBBBBBQQI")
_CRC = struct.Struct(">I")
_PRIMED = 1
_MODEL_FILE = 2
_MODEL_EXTENSION = struct.Struct(">32sIB")
FILE_MODEL = "file"
"""Name in :class:`Header` of a model given as a saved seqpred model file."""
_FILE_MODEL_ID = 5
ALPHABETS = {"chars": 1, "lines": 2, "bytes": 3}
"""How a model-file code reads the bytes -> its id in the header."""
# No model writes less than one byte of code per 2**17 bytes of input (the
# most confident prediction, PPM-D's in a context seen 8192 times, costs
# 1e-4 bits), so a header announcing more was not written by compress.
_MAX_RATIO = 1 << 17
# A model-file code spends at least -log2(65534 / 65536) bits on a symbol of
# at most 4 bytes.
_MAX_RATIO_FILE = 1 << 20


class ByteModel(Protocol):
    """What a compressor model offers: encode and decode bytes."""

    @property
    def order(self) -> int | None:
        """Longest context (``None``: unbounded)."""

    @property
    def memory(self) -> int:
        """log2 of the table slots."""

    def encode(self, data: bytes, *, prime: bytes = b"") -> bytes:
        """Return the code of ``data``."""

    def decode(self, code: bytes, n_bytes: int, *, prime: bytes = b"") -> bytes:
        """Return the ``n_bytes`` bytes coded in ``code``."""


def _unbounded(name: str, **fixed: Any) -> Callable[..., ByteModel]:
    """Return a factory of PPM* (``AdaptivePPM(order=None)``) named ``name``.

    It takes ``order`` like the other factories, but only ``None`` or 0
    (what the header stores for "unbounded").
    """

    def factory(order: int | None = None, memory: int | None = None) -> ByteModel:
        if order not in (None, 0):
            raise InvalidParameterError(
                f"{name}: PPM* has no order bound (it uses contexts of every "
                f"length); got order={order!r}. Drop --order, or use --model ppm "
                f"--order {order} for a bounded PPM."
            )
        extra: dict[str, Any] = {} if memory is None else {"memory": memory}
        return AdaptivePPM(order=None, **fixed, **extra)

    return factory


MODELS: dict[str, tuple[int, Callable[..., ByteModel]]] = {
    "cm": (1, ContextMixing),
    "ppm": (2, AdaptivePPM),
    "ppm-c": (3, partial(AdaptivePPM, escape="C", inheritance=False)),
    "ppm-d": (4, partial(AdaptivePPM, escape="D", inheritance=False)),
    "ppm-star": (6, _unbounded("ppm-star")),
    "ppm-star-c": (7, _unbounded("ppm-star-c", escape="C", inheritance=False)),
}
"""Model name -> (id in the header, factory taking ``order`` and ``memory``)."""


class CompressedFormatError(DataError):
    """A compressed file is foreign, corrupt, truncated or needs another prime."""


@dataclass(frozen=True)
class Header:
    """The header of a compressed file.

    Attributes
    ----------
    model : str
        Model name (a key of :data:`MODELS`).
    order, memory : int
        The model's parameters (order 0: unbounded, PPM*).
    length : int
        Length of the original bytes.
    payload_length : int
        Length of the code after the header.
    crc32 : int
        CRC-32 of the original bytes.
    prime_sha256 : bytes or None
        SHA-256 of the prime, when the model was primed.
    size : int
        Length of the header itself.
    model_sha256 : bytes or None, default=None
        SHA-256 of the model file, when ``model`` is ``"file"``.
    context : int, default=0
        Symbols of context the model file's model reads (``"file"`` only).
    alphabet : str, default=""
        How the bytes were read as symbols, a key of :data:`ALPHABETS`
        (``"file"`` only).
    """

    model: str
    order: int
    memory: int
    length: int
    payload_length: int
    crc32: int
    prime_sha256: bytes | None
    size: int
    model_sha256: bytes | None = None
    context: int = 0
    alphabet: str = ""


def build_model(
    model: str = "cm", *, order: int | None = None, memory: int | None = None
) -> ByteModel:
    """Create a compressor model by name, with its defaults for omitted values.

    Parameters
    ----------
    model : {"cm", "ppm", "ppm-c", "ppm-d", "ppm-star", "ppm-star-c"}, default="cm"
        ``"cm"`` is :class:`~seqpred.compress.cm.ContextMixing`, ``"ppm"``
        :class:`~seqpred.compress.ppm.AdaptivePPM` (SEE and information
        inheritance), ``"ppm-c"`` and ``"ppm-d"`` the plain PPM-C and PPM-D;
        ``"ppm-star"`` is PPM*, ``AdaptivePPM(order=None)`` (unbounded
        contexts, SEE and inheritance), ``"ppm-star-c"`` the plain PPM*C of
        Cleary, Teahan and Witten.
    order, memory : int or None, default=None
        The model's parameters (``None``: the model's default). The PPM*
        models take no order (``None``, or 0 as stored in a header).

    Returns
    -------
    ByteModel

    Raises
    ------
    InvalidParameterError
        On an unknown model name or a bad parameter value.

    Examples
    --------
    >>> build_model("cm", order=4)
    ContextMixing(order=4, memory=18)
    >>> build_model("ppm-star")
    AdaptivePPM(order=None, memory=22, escape='SEE', inheritance=True)
    """
    if model not in MODELS:
        raise InvalidParameterError(
            f"compress: unknown model {model!r}; choose one of {sorted(MODELS)}."
        )
    kwargs = {k: v for k, v in (("order", order), ("memory", memory)) if v is not None}
    instance: ByteModel = MODELS[model][1](**kwargs)
    return instance


def compress(
    data: bytes,
    *,
    model: str = "cm",
    order: int | None = None,
    memory: int | None = None,
    prime: bytes = b"",
) -> bytes:
    """Compress ``data`` into a self-describing file image (header + code).

    Parameters
    ----------
    data : bytes
        The bytes to compress.
    model : {"cm", "ppm", "ppm-c", "ppm-d", "ppm-star", "ppm-star-c"}, default="cm"
        The model that predicts the bytes; see :func:`build_model`.
    order, memory : int or None, default=None
        Model parameters, stored in the header.
    prime : bytes, default=b""
        Bytes the model reads before ``data`` (its SHA-256 is stored;
        :func:`decompress` needs the same bytes).

    Returns
    -------
    bytes
        Header and code.
    """
    coder = build_model(model, order=order, memory=memory)
    payload = coder.encode(bytes(data), prime=bytes(prime))
    return pack(
        bytes(data),
        payload,
        model_id=MODELS[model][0],
        order=coder.order or 0,  # 0: unbounded (PPM*)
        memory=coder.memory,
        prime_sha256=hashlib.sha256(prime).digest() if prime else None,
    )


def pack(
    data: bytes,
    payload: bytes,
    *,
    model_id: int,
    order: int = 0,
    memory: int = 0,
    prime_sha256: bytes | None = None,
    model_file: tuple[bytes, int, str] | None = None,
) -> bytes:
    """Put the header in front of ``payload``, the code of ``data``.

    Parameters
    ----------
    data : bytes
        The original bytes (for their length and CRC-32).
    payload : bytes
        Their code.
    model_id : int
        The model's id in the header (the first of a :data:`MODELS` entry,
        or 5 for a model file).
    order, memory : int, default=0
        The model's parameters (one byte each).
    prime_sha256 : bytes or None, default=None
        SHA-256 of the prime, if the model read one.
    model_file : tuple or None, default=None
        ``(sha256, context, alphabet)`` of a model file (model id 5).

    Returns
    -------
    bytes
        Header and payload.

    Examples
    --------
    >>> blob = pack(b"ab", b"code", model_id=1, order=6, memory=18)
    >>> read_header(blob).payload_length, payload_of(blob, read_header(blob))
    (4, b'code')
    """
    flags = (_PRIMED if prime_sha256 is not None else 0) | (
        _MODEL_FILE if model_file is not None else 0
    )
    head = _FIXED.pack(
        MAGIC,
        FORMAT_VERSION,
        model_id,
        order,
        memory,
        flags,
        len(data),
        len(payload),
        zlib.crc32(data),
    )
    if prime_sha256 is not None:
        head += prime_sha256
    if model_file is not None:
        sha, context, alphabet = model_file
        head += _MODEL_EXTENSION.pack(sha, context, ALPHABETS[alphabet])
    head += _CRC.pack(zlib.crc32(head))
    return head + payload


def read_header(blob: bytes) -> Header:
    """Parse and check the header of a compressed file image.

    Parameters
    ----------
    blob : bytes
        The file's bytes (at least its header).

    Returns
    -------
    Header

    Raises
    ------
    CompressedFormatError
        If the bytes are not a seqpred compressed file, come from a newer
        format version, or the header is corrupt.

    Examples
    --------
    >>> read_header(compress(b"abc", memory=10)).length
    3
    """
    if len(blob) < 4 or blob[:4] != MAGIC:
        raise CompressedFormatError(
            f"not a seqpred compressed file: it starts with {bytes(blob[:4])!r}, "
            f"not {MAGIC!r}. Decompress only files made by 'seqpred compress'."
        )
    if len(blob) < _FIXED.size + _CRC.size:
        raise CompressedFormatError(
            f"truncated compressed file: {len(blob)} bytes, shorter than a header."
        )
    magic, version, model_id, order, memory, flags, length, n_payload, crc = (
        _FIXED.unpack_from(blob)
    )
    primed_end = _FIXED.size + (32 if flags & _PRIMED else 0)
    end = primed_end + (_MODEL_EXTENSION.size if flags & _MODEL_FILE else 0)
    if len(blob) < end + _CRC.size:
        raise CompressedFormatError(
            f"truncated compressed file: {len(blob)} bytes, shorter than its header."
        )
    (stored,) = _CRC.unpack_from(blob, end)
    if zlib.crc32(blob[:end]) != stored:
        raise CompressedFormatError(
            "corrupt compressed file: the header checksum does not match; the "
            "file was damaged after it was written."
        )
    if version != FORMAT_VERSION:
        raise CompressedFormatError(
            f"compressed file format version {version} is not supported (this "
            f"seqpred reads version {FORMAT_VERSION}); use the seqpred version "
            "that wrote it."
        )
    names = {mid: name for name, (mid, _) in MODELS.items()}
    names[_FILE_MODEL_ID] = FILE_MODEL
    if model_id not in names or (model_id == _FILE_MODEL_ID) != bool(
        flags & _MODEL_FILE
    ):
        raise CompressedFormatError(
            f"compressed file names model id {model_id}, unknown to this seqpred "
            f"(known: {sorted(names)})."
        )
    sha, context, alphabet = None, 0, ""
    if flags & _MODEL_FILE:
        sha, context, alphabet_id = _MODEL_EXTENSION.unpack_from(blob, primed_end)
        alphabets = {v: k for k, v in ALPHABETS.items()}
        if alphabet_id not in alphabets:
            raise CompressedFormatError(
                f"compressed file names alphabet id {alphabet_id}, unknown to "
                f"this seqpred (known: {sorted(alphabets)})."
            )
        alphabet = alphabets[alphabet_id]
    return Header(
        model=names[model_id],
        order=order,
        memory=memory,
        length=length,
        payload_length=n_payload,
        crc32=crc,
        prime_sha256=(
            bytes(blob[_FIXED.size : primed_end]) if flags & _PRIMED else None
        ),
        size=end + _CRC.size,
        model_sha256=sha,
        context=context,
        alphabet=alphabet,
    )


def payload_of(blob: bytes, header: Header) -> bytes:
    """Return the code after the header, checked against the announced length.

    Parameters
    ----------
    blob : bytes
        The file's bytes.
    header : Header
        Its header, from :func:`read_header`.

    Returns
    -------
    bytes
        The payload.

    Raises
    ------
    CompressedFormatError
        If the file is truncated or announces more bytes than any model
        could have coded in the payload.

    Examples
    --------
    >>> blob = compress(b"abc", memory=10)
    >>> len(payload_of(blob, read_header(blob))) == read_header(blob).payload_length
    True
    """
    payload = bytes(blob[header.size :])
    if len(payload) != header.payload_length:
        raise CompressedFormatError(
            f"truncated compressed file: the header announces "
            f"{header.payload_length} bytes of code, the file holds {len(payload)}."
        )
    ratio = _MAX_RATIO_FILE if header.model == FILE_MODEL else _MAX_RATIO
    if header.length > ratio * (header.payload_length + 16):
        raise CompressedFormatError(
            f"corrupt compressed file: the header announces {header.length} bytes "
            f"from {header.payload_length} bytes of code, more than any model "
            "expands."
        )
    return payload


def decompress(blob: bytes, *, prime: bytes = b"") -> bytes:
    """Restore the original bytes of a :func:`compress` file image and check them.

    Parameters
    ----------
    blob : bytes
        Header and code.
    prime : bytes, default=b""
        The prime given to :func:`compress`, if any.

    Returns
    -------
    bytes
        The original bytes, verified against the stored length and CRC-32.

    Raises
    ------
    CompressedFormatError
        On a foreign, corrupt or truncated file, a missing or wrong prime,
        or a file coded with a saved model (decode it with
        :func:`~seqpred.compress.model_coder.decompress_with_model`).
    """
    header = read_header(blob)
    if header.model == FILE_MODEL:
        raise CompressedFormatError(
            "the file was compressed with a saved seqpred model (SHA-256 "
            f"{(header.model_sha256 or b'').hex()[:16]}...); pass the same model "
            "file: seqpred decompress FILE --with MODEL.seqpred (in Python: "
            "seqpred.compress.model_coder.decompress_with_model)."
        )
    _check_prime(header, prime)
    payload = payload_of(blob, header)
    try:
        coder = build_model(header.model, order=header.order, memory=header.memory)
    except InvalidParameterError as exc:
        raise CompressedFormatError(f"corrupt compressed file: {exc}") from exc
    data = coder.decode(payload, header.length, prime=bytes(prime))
    if zlib.crc32(data) != header.crc32:
        raise CompressedFormatError(
            "corrupt compressed file: the decompressed bytes fail the CRC-32 check "
            "(the code was damaged after it was written)."
        )
    return data


def _check_prime(header: Header, prime: bytes) -> None:
    if header.prime_sha256 is None and prime:
        raise CompressedFormatError(
            "the file was compressed without a prime; decompress it without --prime."
        )
    if header.prime_sha256 is not None:
        if not prime:
            raise CompressedFormatError(
                "the file was compressed with a prime file; pass the same file "
                "with --prime to decompress it."
            )
        if hashlib.sha256(prime).digest() != header.prime_sha256:
            raise CompressedFormatError(
                "the prime given is not the one the file was compressed with "
                "(SHA-256 differs); pass the same --prime file."
            )
