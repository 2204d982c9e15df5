"""Adaptive and frozen bits per symbol, side by side."""

from __future__ import annotations

import pytest

from seqpred.compress import adaptive_bits_per_symbol, compare_adaptive_frozen, compress
from seqpred.exceptions import DataError
from seqpred.models.next_item.markov.ppm import PPM

TRAIN = "the quick brown fox jumps over the lazy dog. " * 30
TEST = "the lazy dog jumps over the quick brown fox. " * 3


def test_adaptive_bits_match_the_compressed_size() -> None:
    bits = adaptive_bits_per_symbol(TEST, model="cm", memory=12, prime=TRAIN)
    blob = compress(TEST.encode(), memory=12, prime=TRAIN.encode())
    header_bytes = 33 + 32  # fixed header and the prime's SHA-256
    assert bits * len(TEST) / 8 <= len(blob) - header_bytes + 2


def test_priming_helps() -> None:
    cold = adaptive_bits_per_symbol(TEST, model="ppm", memory=12)
    warm = adaptive_bits_per_symbol(TEST, model="ppm", memory=12, prime=TRAIN)
    assert warm < cold


def test_rows_are_labelled_by_protocol() -> None:
    frozen = PPM(max_order=3, escape="C", exclusion=True).fit([TRAIN])
    rows = compare_adaptive_frozen(
        TRAIN, TEST, frozen={"ppm-c": frozen}, adaptive=["cm", "ppm"]
    )
    assert [(r["model"], r["protocol"].split()[0]) for r in rows] == [
        ("cm", "adaptive"),
        ("ppm", "adaptive"),
        ("ppm-c", "frozen"),
    ]
    assert all(0 < r["bits_per_symbol"] < 8 for r in rows)


def test_errors() -> None:
    with pytest.raises(DataError, match="data is empty"):
        adaptive_bits_per_symbol(b"")
    with pytest.raises(DataError, match="expected bytes or str"):
        adaptive_bits_per_symbol([1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(DataError, match="test is empty"):
        compare_adaptive_frozen(TRAIN, "")
