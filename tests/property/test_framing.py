"""Property tests for seqpred.data.framing against plain-Python references."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.data.framing import (
    from_padded,
    pad_sequences,
    prefix_targets,
    sliding_windows,
)
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError

FAST = settings(max_examples=50, deadline=None)

int_lists = st.lists(st.lists(st.integers(3, 9), max_size=8), max_size=6)


@st.composite
def numeric_lists(draw: st.DrawFn) -> tuple[list[np.ndarray], int]:
    n_features = draw(st.integers(1, 3))
    lengths = draw(st.lists(st.integers(0, 7), max_size=5))
    seqs = [
        np.arange(length * n_features, dtype=float).reshape(length, n_features)
        + 100.0 * i
        for i, length in enumerate(lengths)
    ]
    return seqs, n_features


def discrete(seqs: list[list[int]]) -> SequenceSet:
    values = np.array([x for s in seqs for x in s], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs])]).astype(int)
    return SequenceSet(values, offsets)


def numeric(seqs: list[np.ndarray], n_features: int) -> SequenceSet:
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs])]).astype(int)
    values = np.concatenate(seqs) if seqs else np.empty((0, n_features))
    return SequenceSet(values.reshape(-1, n_features), offsets)


# -- pad_sequences / from_padded --------------------------------------------------


@FAST
@given(int_lists, st.sampled_from(["right", "left"]))
def test_pad_then_from_padded_round_trips(seqs, side):
    array, mask = pad_sequences(discrete(seqs), side=side)
    assert array.shape == mask.shape == (len(seqs), max(map(len, seqs), default=0))
    assert mask.sum(axis=1).tolist() == [len(s) for s in seqs]
    assert from_padded(array, mask).to_lists(decode=False) == seqs


@FAST
@given(int_lists, st.integers(0, 6), st.sampled_from(["right", "left"]))
def test_pad_keeps_the_last_steps(seqs, max_length, side):
    array, mask = pad_sequences(discrete(seqs), max_length=max_length, side=side)
    assert array.shape == (len(seqs), max_length)
    for row, row_mask, seq in zip(array, mask, seqs):
        kept = seq[len(seq) - min(len(seq), max_length) :]
        assert row[row_mask].tolist() == kept
        assert (row[~row_mask] == 0).all()
        real = np.flatnonzero(row_mask)
        if kept:  # real steps are contiguous, at the chosen side
            expected_start = 0 if side == "right" else max_length - len(kept)
            assert real.tolist() == list(
                range(expected_start, expected_start + len(kept))
            )


@FAST
@given(numeric_lists(), st.sampled_from(["right", "left"]))
def test_numeric_pad_round_trip(data, side):
    seqs, n_features = data
    ss = numeric(seqs, n_features)
    array, mask = pad_sequences(ss, side=side, pad=-1.5)
    assert array.shape[::2] == (len(seqs), n_features)
    assert (array[~mask] == -1.5).all()
    back = from_padded(array, mask)
    assert back.kind == "numeric"
    np.testing.assert_array_equal(back.values, ss.values)
    np.testing.assert_array_equal(back.offsets, ss.offsets)


def test_padded_method_uses_pad_sequences():
    ss = SequenceSet.from_lists(["abc", "d"])
    array, mask = ss.padded(side="left")
    assert array.tolist() == [[3, 4, 5], [0, 0, 6]]
    assert mask.tolist() == [[True, True, True], [False, False, True]]


def test_from_padded_keeps_vocabulary_and_checks_shapes():
    ss = SequenceSet.from_lists(["ab", "b"])
    array, mask = pad_sequences(ss)
    assert from_padded(array, mask, vocabulary=ss.vocabulary).to_lists() == [
        ["a", "b"],
        ["b"],
    ]
    assert from_padded(array, None).lengths.tolist() == [2, 2]
    with pytest.raises(DataError, match="mask must be a bool array"):
        from_padded(array, mask[:, :1])
    with pytest.raises(DataError, match="shape"):
        from_padded(np.zeros(3, dtype=int), None)
    with pytest.raises(DataError, match="vocabulary only applies"):
        from_padded(array.astype(float), mask, vocabulary=ss.vocabulary)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_length": -1}, "max_length must be None or an int >= 0"),
        ({"side": "middle"}, "side must be 'right' or 'left'"),
        ({"pad": 0.5}, "pad must be a number"),
        ({"pad": "x"}, "pad must be a number"),
    ],
)
def test_pad_sequences_rejects_bad_arguments(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        pad_sequences(discrete([[3, 4]]), **kwargs)


def test_pad_empty_set():
    array, mask = pad_sequences(discrete([]))
    assert array.shape == mask.shape == (0, 0)


# -- prefix_targets ---------------------------------------------------------------


def reference_prefixes(seqs, min_prefix, max_context):
    out = []
    for i, seq in enumerate(seqs):
        for t in range(min_prefix, len(seq)):
            start = 0 if max_context is None else max(0, t - max_context)
            out.append((seq[start:t], seq[t], i))
    return out


@FAST
@given(int_lists, st.integers(0, 3), st.one_of(st.none(), st.integers(1, 4)))
def test_prefix_targets_frames_each_position_once(seqs, min_prefix, max_context):
    ss = discrete(seqs)
    prefixes, targets, index = prefix_targets(
        ss, min_prefix=min_prefix, max_context=max_context
    )
    expected = reference_prefixes(seqs, min_prefix, max_context)
    assert len(prefixes) == len(targets) == len(index) == len(expected)
    got = list(zip(prefixes.to_lists(decode=False), targets.tolist(), index.tolist()))
    assert got == expected
    # Each (sequence, position) pair appears once: positions = prefix lengths
    # without max_context, so pairs are unique and cover every position.
    if max_context is None:
        pairs = set(zip(index.tolist(), prefixes.lengths.tolist()))
        assert len(pairs) == len(expected)


@FAST
@given(int_lists)
def test_prefixes_never_contain_the_future(seqs):
    # Use distinct values so "future item" is checkable by position.
    unique = [[10 * i + j for j in range(len(s))] for i, s in enumerate(seqs)]
    prefixes, targets, _ = prefix_targets(discrete(unique))
    for prefix, target in zip(prefixes.to_lists(decode=False), targets.tolist()):
        assert all(x < target for x in prefix)


def test_prefix_targets_carries_metadata_and_numeric_targets():
    ss = SequenceSet(
        np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]),
        np.array([0, 3]),
        labels=["x"],
        ids=["s1"],
        timestamps=[10, 20, 30],
    )
    prefixes, targets, index = prefix_targets(ss)
    assert targets.tolist() == [[3.0, 4.0], [5.0, 6.0]]
    assert prefixes.labels.tolist() == ["x", "x"]
    assert prefixes.ids.tolist() == ["s1", "s1"]
    assert prefixes.timestamps.tolist() == [10, 10, 20]
    assert index.tolist() == [0, 0]


def test_prefix_targets_marks_itemset_starts():
    ss = SequenceSet(
        np.array([3, 4, 5, 6]),
        np.array([0, 4]),
        itemset_start=np.array([True, False, True, False]),
    )
    prefixes, _, _ = prefix_targets(ss, max_context=1)
    assert prefixes.itemset_start.tolist() == [True, True, True]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"min_prefix": -1}, "min_prefix must be an int >= 0"),
        ({"min_prefix": 1.5}, "min_prefix must be an int"),
        ({"max_context": 0}, "max_context must be None or an int >= 1"),
        ({"max_context": True}, "max_context"),
    ],
)
def test_prefix_targets_rejects_bad_arguments(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        prefix_targets(discrete([[3, 4]]), **kwargs)


# -- sliding_windows ----------------------------------------------------------------


def reference_windows(seqs, size, horizon, stride):
    out = []
    for i, seq in enumerate(seqs):
        for start in range(0, len(seq) - size - horizon + 1, stride):
            out.append(
                (
                    seq[start : start + size],
                    seq[start + size : start + size + horizon],
                    i,
                )
            )
    return out


@FAST
@given(int_lists, st.integers(1, 4), st.integers(0, 3), st.integers(1, 3))
def test_windows_match_reference_and_stay_inside_sequences(seqs, size, horizon, stride):
    windows, targets, index = sliding_windows(
        discrete(seqs), size=size, horizon=horizon, stride=stride
    )
    expected = reference_windows(seqs, size, horizon, stride)
    assert windows.shape == (len(expected), size)
    assert targets.shape == (len(expected), horizon)
    got = list(zip(windows.tolist(), targets.tolist(), index.tolist()))
    assert got == expected


@FAST
@given(numeric_lists(), st.integers(1, 3), st.integers(1, 2))
def test_numeric_windows_never_cross_boundaries(data, size, horizon):
    seqs, n_features = data
    windows, targets, index = sliding_windows(
        numeric(seqs, n_features), size=size, horizon=horizon
    )
    assert windows.shape[1:] == (size, n_features)
    assert targets.shape[1:] == (horizon, n_features)
    # Values of sequence i lie in [100 i, 100 i + 100): one block per example.
    block = np.concatenate([windows, targets], axis=1) // 100
    assert (block == index[:, None, None]).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"size": 0}, "size must be an int >= 1"),
        ({"size": 2, "horizon": -1}, "horizon must be an int >= 0"),
        ({"size": 2, "stride": 0}, "stride must be an int >= 1"),
    ],
)
def test_sliding_windows_rejects_bad_arguments(kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        sliding_windows(discrete([[3, 4, 5]]), **kwargs)
