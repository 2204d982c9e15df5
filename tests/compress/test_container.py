"""The compressed-file format: header, checks and errors for bad files."""

from __future__ import annotations

import struct
import zlib

import pytest

from seqpred.compress import (
    CompressedFormatError,
    build_model,
    compress,
    decompress,
    read_header,
)
from seqpred.exceptions import DataError, InvalidParameterError

DATA = b"a rose is a rose is a rose is a rose; " * 20


@pytest.mark.parametrize("model", ["cm", "ppm", "ppm-c", "ppm-d"])
def test_round_trip_and_header(model: str) -> None:
    blob = compress(DATA, model=model, order=3, memory=10)
    header = read_header(blob)
    assert (header.model, header.order, header.memory) == (model, 3, 10)
    assert header.length == len(DATA)
    assert header.crc32 == zlib.crc32(DATA)
    assert header.payload_length == len(blob) - header.size
    assert header.prime_sha256 is None
    assert decompress(blob) == DATA


def test_empty_input() -> None:
    blob = compress(b"", memory=10)
    assert read_header(blob).payload_length == 0
    assert decompress(blob) == b""


def test_defaults_come_from_the_model() -> None:
    assert read_header(compress(b"xy", model="ppm")).order == build_model("ppm").order


def test_prime_is_checked() -> None:
    blob = compress(DATA[100:], memory=10, prime=DATA[:100])
    assert read_header(blob).prime_sha256 is not None
    assert decompress(blob, prime=DATA[:100]) == DATA[100:]
    with pytest.raises(CompressedFormatError, match="pass the same file with --prime"):
        decompress(blob)
    with pytest.raises(CompressedFormatError, match="SHA-256 differs"):
        decompress(blob, prime=b"another prime")
    plain = compress(DATA, memory=10)
    with pytest.raises(CompressedFormatError, match="without a prime"):
        decompress(plain, prime=b"x")


def test_foreign_file() -> None:
    with pytest.raises(CompressedFormatError, match="not a seqpred compressed file"):
        decompress(b"PK\x03\x04 a zip file")
    with pytest.raises(CompressedFormatError, match="not a seqpred compressed file"):
        decompress(b"")


def test_truncated_file() -> None:
    blob = compress(DATA, memory=10)
    with pytest.raises(CompressedFormatError, match="truncated"):
        decompress(blob[:10])
    with pytest.raises(CompressedFormatError, match="truncated"):
        decompress(blob[:-3])


def test_corrupt_header_and_payload() -> None:
    blob = bytearray(compress(DATA, memory=10))
    header = read_header(bytes(blob))
    bad_header = bytearray(blob)
    bad_header[12] ^= 1  # a bit of the length field
    with pytest.raises(CompressedFormatError, match="header checksum"):
        decompress(bytes(bad_header))
    bad_code = bytearray(blob)
    bad_code[header.size + 5] ^= 0x10
    with pytest.raises(CompressedFormatError, match="CRC-32"):
        decompress(bytes(bad_code))


def _with_fields(blob: bytes, **fields: int) -> bytes:
    """Rewrite header fields and re-sign the header, as a forger would."""
    header = read_header(blob)
    fixed = struct.Struct(">4sBBBBBQQI")
    values = list(fixed.unpack_from(blob))
    names = ["magic", "version", "model", "order", "memory", "flags", "length"]
    for name, value in fields.items():
        values[names.index(name)] = value
    head = fixed.pack(*values)
    head += struct.pack(">I", zlib.crc32(head))
    return head + blob[header.size :]


def test_headers_with_impossible_values() -> None:
    blob = compress(DATA, memory=10)
    with pytest.raises(CompressedFormatError, match="format version 9"):
        decompress(_with_fields(blob, version=9))
    with pytest.raises(CompressedFormatError, match="model id 77"):
        decompress(_with_fields(blob, model=77))
    with pytest.raises(CompressedFormatError, match="memory must be an int"):
        decompress(_with_fields(blob, memory=60))
    with pytest.raises(CompressedFormatError, match="more than any model expands"):
        decompress(_with_fields(blob, length=2**60))


def test_errors_are_data_errors() -> None:
    assert issubclass(CompressedFormatError, DataError)


def test_unknown_model() -> None:
    with pytest.raises(InvalidParameterError, match="unknown model 'zip'"):
        compress(DATA, model="zip")
