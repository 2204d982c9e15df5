"""Property tests for seqpred.data.splits: partitions and no leakage of time."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.data.sequence_set import SequenceSet
from seqpred.data.splits import (
    holdout_last,
    kfold_sequences,
    split_by_time,
    train_test_split_sequences,
)
from seqpred.exceptions import DataError, InvalidParameterError

FAST = settings(max_examples=50, deadline=None)

int_lists = st.lists(st.lists(st.integers(3, 9), max_size=8), max_size=8)


def discrete(seqs, **kwargs):
    values = np.array([x for s in seqs for x in s], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in seqs])]).astype(int)
    return SequenceSet(values, offsets, **kwargs)


# -- holdout_last -----------------------------------------------------------------


@FAST
@given(int_lists, st.integers(1, 3), st.integers(0, 3))
def test_holdout_last_never_leaks_held_out_items(seqs, k, extra):
    min_length = k + 1 + extra
    ss = discrete(seqs, ids=np.arange(len(seqs)))
    train, queries, targets = holdout_last(ss, k, min_length=min_length)
    queried = [i for i, s in enumerate(seqs) if len(s) >= min_length]
    assert len(train) == len(seqs)
    assert queries.ids.tolist() == targets.ids.tolist() == queried
    train_lists = train.to_lists(decode=False)
    for i, seq in enumerate(seqs):
        expected = seq[:-k] if i in queried else seq
        assert train_lists[i] == expected  # held-out tail is absent from train
    for q, t, i in zip(
        queries.to_lists(decode=False), targets.to_lists(decode=False), queried
    ):
        assert q == seqs[i][:-k]
        assert t == seqs[i][-k:]
        assert len(q) >= 1 + extra


def test_holdout_last_example_and_errors():
    ss = SequenceSet.from_lists(["abcd", "ab", "a"])
    train, queries, targets = holdout_last(ss, 2)
    assert train.to_lists() == [["a", "b"], ["a", "b"], ["a"]]
    assert queries.to_lists() == [["a", "b"]]
    assert targets.to_lists() == [["c", "d"]]
    with pytest.raises(InvalidParameterError, match="k must be an int >= 1"):
        holdout_last(ss, 0)
    with pytest.raises(InvalidParameterError, match="min_length must be an int >= 3"):
        holdout_last(ss, 2, min_length=2)


# -- kfold_sequences ------------------------------------------------------------------


@FAST
@given(st.integers(2, 40), st.integers(2, 10), st.booleans(), st.integers(0, 99))
def test_kfold_partitions_sequences(n, n_splits, shuffle, seed):
    n_splits = min(n_splits, n)
    folds = list(kfold_sequences(n, n_splits, shuffle=shuffle, random_state=seed))
    assert len(folds) == n_splits
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(n))  # each in exactly one test fold
    sizes = [len(test) for _, test in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, test in folds:
        assert np.intersect1d(train, test).size == 0
        assert len(train) + len(test) == n
        assert (np.diff(train) > 0).all() and (np.diff(test) > 0).all()


def test_kfold_is_reproducible_and_accepts_sets_and_generators():
    ss = SequenceSet.from_lists([[1]] * 7)
    a = [t.tolist() for _, t in kfold_sequences(ss, 3, random_state=4)]
    b = [t.tolist() for _, t in kfold_sequences(7, 3, random_state=4)]
    c = [
        t.tolist()
        for _, t in kfold_sequences(7, 3, random_state=np.random.default_rng(4))
    ]
    assert a == b == c
    unshuffled = [t.tolist() for _, t in kfold_sequences(7, 3, shuffle=False)]
    assert unshuffled == [[0, 1, 2], [3, 4], [5, 6]]


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((5, 1), {}, "n_splits must be an int >= 2"),
        ((3, 4), {}, "n_splits must be <= the number of sequences"),
        (("x", 2), {}, "expected a SequenceSet or a number"),
        ((5, 2), {"shuffle": "yes"}, "shuffle must be True or False"),
        ((5, 2), {"random_state": "seed"}, "random_state"),
    ],
)
def test_kfold_rejects_bad_arguments_eagerly(args, kwargs, match):
    with pytest.raises(InvalidParameterError, match=match):
        kfold_sequences(*args, **kwargs)  # raised before iterating


# -- train_test_split_sequences ----------------------------------------------------


@FAST
@given(
    st.lists(
        st.lists(st.integers(3, 9), min_size=1, max_size=4), min_size=2, max_size=12
    ),
    st.floats(0.01, 0.99),
    st.booleans(),
)
def test_train_test_split_partitions_whole_sequences(seqs, test_size, shuffle):
    ss = discrete(seqs, ids=np.arange(len(seqs)))
    train, test = train_test_split_sequences(
        ss, test_size, shuffle=shuffle, random_state=0
    )
    ids = sorted(train.ids.tolist() + test.ids.tolist())
    assert ids == list(range(len(seqs)))
    assert len(test) >= 1 and len(train) >= 1
    for part in (train, test):
        lists = part.to_lists(decode=False)
        assert all(lists[j] == seqs[i] for j, i in enumerate(part.ids.tolist()))
    if not shuffle:  # the most recent sequences are held out
        assert test.ids.tolist() == list(range(len(seqs) - len(test), len(seqs)))


def test_train_test_split_sizes_and_errors():
    ss = SequenceSet.from_lists([[i] for i in range(10)])
    train, test = train_test_split_sequences(ss, 3, random_state=0)
    assert (len(train), len(test)) == (7, 3)
    again = train_test_split_sequences(ss, 3, random_state=0)[1]
    assert again.to_lists() == test.to_lists()
    assert len(train_test_split_sequences(ss, 0.25, random_state=0)[1]) == 3
    for bad in (0, 10, 0.0, 1.0, "half", True):
        with pytest.raises(InvalidParameterError, match="test_size must be"):
            train_test_split_sequences(ss, bad)


# -- split_by_time -----------------------------------------------------------------


@st.composite
def timed_sets(draw):
    seqs = draw(int_lists)
    stamps = [
        sorted(draw(st.lists(st.integers(0, 20), min_size=len(s), max_size=len(s))))
        for s in seqs
    ]
    flat = [t for s in stamps for t in s]
    return seqs, stamps, discrete(seqs, timestamps=np.array(flat, dtype=np.int64))


@FAST
@given(timed_sets(), st.integers(-1, 21))
def test_split_by_time_puts_no_future_step_before_cutoff(data, cutoff):
    seqs, stamps, ss = data
    before, after = split_by_time(ss, cutoff)
    assert len(before) == len(after) == len(seqs)
    assert (before.timestamps < cutoff).all()
    assert (after.timestamps >= cutoff).all()
    for seq, b, a in zip(
        seqs, before.to_lists(decode=False), after.to_lists(decode=False)
    ):
        assert b + a == seq  # each step exactly once, in order
    dropped_b, dropped_a = split_by_time(ss, cutoff, drop_empty=True)
    assert (dropped_b.lengths > 0).all() and (dropped_a.lengths > 0).all()
    assert dropped_b.n_steps == before.n_steps


def test_split_by_time_datetimes_and_errors():
    stamps = np.array(["2024-01-01", "2024-02-01", "2024-03-01"], dtype="datetime64[D]")
    ss = SequenceSet(np.array([3, 4, 5]), np.array([0, 3]), timestamps=stamps)
    before, after = split_by_time(ss, "2024-02-01")
    assert before.values.tolist() == [3]
    assert after.values.tolist() == [4, 5]
    with pytest.raises(DataError, match="no per-step timestamps"):
        split_by_time(SequenceSet.from_lists([[1, 2]]), 0)
    unsorted = SequenceSet(np.array([3, 4]), np.array([0, 2]), timestamps=[5, 1])
    with pytest.raises(DataError, match="must not decrease within a sequence"):
        split_by_time(unsorted, 3)
    with pytest.raises(DataError, match="cannot compare"):
        split_by_time(SequenceSet(np.array([3]), np.array([0, 1]), timestamps=[1]), "x")
