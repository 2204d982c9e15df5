"""The arithmetic coders: exact round trips and sizes at the ideal code length."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.compress.arithmetic import (
    MAX_TOTAL,
    decode_bits,
    decode_symbols,
    encode_bits,
    encode_symbols,
    ideal_bits,
)
from seqpred.exceptions import DataError

PROBS = st.one_of(
    st.integers(1, 65535),
    st.sampled_from([1, 2, 3, 65533, 65534, 65535]),  # near 0 and near 1
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1), PROBS), max_size=200))
def test_bits_round_trip_with_any_probabilities(pairs: list[tuple[int, int]]) -> None:
    bits = np.array([b for b, _ in pairs], dtype=np.uint8)
    p1 = np.array([p for _, p in pairs], dtype=np.int64)
    assert decode_bits(encode_bits(bits, p1), p1).tolist() == bits.tolist()


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.integers(0, 2**32 - 1))
def test_bytes_round_trip_as_bits(data: bytes, seed: int) -> None:
    bits = np.unpackbits(np.frombuffer(data, dtype=np.uint8))
    p1 = np.random.default_rng(seed).integers(1, 65536, size=bits.shape[0])
    back = decode_bits(encode_bits(bits, p1), p1)
    assert np.packbits(back).tobytes() == data


@pytest.mark.parametrize("p_one", [0.5, 0.9, 0.999, 0.01, 1e-4])
def test_size_is_the_ideal_code_length(p_one: float) -> None:
    rng = np.random.default_rng(0)
    bits = (rng.random(20_000) < p_one).astype(np.uint8)
    p1 = np.full(bits.shape[0], max(1, min(65535, round(p_one * 65536))))
    q = p1 / 65536
    ideal = ideal_bits(np.where(bits == 1, q, 1 - q)) / 8
    size = len(encode_bits(bits, p1))
    assert ideal - 1 <= size <= ideal + 4


def test_a_wrong_extreme_prediction_costs_16_bits() -> None:
    bits = np.array([1], dtype=np.uint8)
    assert len(encode_bits(bits, np.array([1]))) <= 3  # 16 bits + flush byte


def test_probabilities_out_of_range_are_refused() -> None:
    with pytest.raises(DataError, match=r"p1 must lie in \[1, 65535\]"):
        encode_bits(np.array([0, 1]), np.array([0, 65536]))
    with pytest.raises(DataError, match="one probability per bit"):
        encode_bits(np.array([0, 1]), np.array([5]))


@st.composite
def symbols_and_tables(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    n_symbols = draw(st.integers(1, 300))
    size = draw(st.integers(0, 200))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    # Skewed tables: some counts tiny, some huge, totals up to MAX_TOTAL.
    cap = MAX_TOTAL // n_symbols
    freqs = rng.integers(1, max(2, cap), size=(size, n_symbols))
    freqs[:, 0] = np.maximum(1, MAX_TOTAL - freqs[:, 1:].sum(axis=1))
    freqs = np.minimum(freqs, MAX_TOTAL)
    over = freqs.sum(axis=1) > MAX_TOTAL
    freqs[over] = 1
    symbols = rng.integers(0, n_symbols, size=size)
    return symbols, freqs


@settings(max_examples=100, deadline=None)
@given(symbols_and_tables())
def test_symbols_round_trip(case: tuple[np.ndarray, np.ndarray]) -> None:
    symbols, freqs = case
    code = encode_symbols(symbols, freqs)
    assert decode_symbols(code, freqs, len(symbols)).tolist() == symbols.tolist()


def test_symbols_with_zero_counts_elsewhere_round_trip() -> None:
    freqs = np.array([0, 5, 0, 1, 0])
    symbols = np.array([1, 3, 1, 1, 3])
    assert decode_symbols(encode_symbols(symbols, freqs), freqs, 5).tolist() == [
        1,
        3,
        1,
        1,
        3,
    ]


def test_symbol_size_is_near_the_ideal() -> None:
    rng = np.random.default_rng(1)
    freqs = np.array([60000, 4000, 1000, 500, 36])
    symbols = rng.choice(5, size=20_000, p=freqs / freqs.sum())
    ideal = ideal_bits(freqs[symbols] / freqs.sum()) / 8
    assert ideal - 1 <= len(encode_symbols(symbols, freqs)) <= ideal * 1.001 + 6


def test_bad_tables_are_refused() -> None:
    with pytest.raises(DataError, match="total must lie in"):
        encode_symbols(np.array([0]), np.array([MAX_TOTAL, 1]))
    with pytest.raises(DataError, match="count 0"):
        encode_symbols(np.array([1]), np.array([3, 0]))
    with pytest.raises(DataError, match="must lie in"):
        encode_symbols(np.array([2]), np.array([3, 1]))
