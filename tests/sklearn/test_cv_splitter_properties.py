"""Property tests of the order-respecting splitters (no scikit-learn needed).

SequenceKFold: every sequence in exactly one test fold. ExpandingWindowSplit
on a SeriesPanel: no step at or after a cut is ever in training, and every
series is in every fold. Panel values are their own time steps here, so a
leak shows up as a value >= the cut.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.data import ExpandingWindowSplit, SequenceKFold, SeriesPanel
from seqpred.exceptions import DataError, InvalidParameterError

FAST = settings(max_examples=60, deadline=None)


@st.composite
def kfold_cases(draw):
    n = draw(st.integers(2, 40))
    n_splits = draw(st.integers(2, n))
    shuffle = draw(st.booleans())
    seed = draw(st.integers(0, 2**16))
    return n, n_splits, shuffle, seed


@FAST
@given(kfold_cases())
def test_every_sequence_is_in_exactly_one_test_fold(case):
    n, n_splits, shuffle, seed = case
    cv = SequenceKFold(n_splits, shuffle=shuffle, random_state=seed)
    folds = list(cv.split([[0]] * n))
    assert len(folds) == cv.get_n_splits() == n_splits
    tests = np.concatenate([test for _, test in folds])
    assert sorted(tests.tolist()) == list(range(n))
    sizes = [len(test) for _, test in folds]
    assert max(sizes) - min(sizes) <= 1
    for train, test in folds:
        assert set(train.tolist()).isdisjoint(test.tolist())
        assert len(train) + len(test) == n
        assert train.dtype == test.dtype == np.int64
    again = list(cv.split([[0]] * n))  # an int seed: the same folds every call
    for (a, b), (c, d) in zip(folds, again):
        assert a.tolist() == c.tolist() and b.tolist() == d.tolist()
    if not shuffle:
        assert tests.tolist() == list(range(n))  # contiguous blocks in order


@st.composite
def panel_cases(draw):
    lengths = draw(st.lists(st.integers(1, 30), min_size=1, max_size=5))
    n_splits = draw(st.integers(1, 5))
    horizon = draw(st.integers(1, 4))
    step = draw(st.one_of(st.none(), st.integers(1, 4)))
    max_train = draw(st.one_of(st.none(), st.integers(1, 10)))
    return lengths, n_splits, horizon, step, max_train


def time_panel(lengths):
    """Series whose values are their time steps (aligned at their ends)."""
    total = max(lengths)
    return SeriesPanel([np.arange(total - n, total, dtype=float) for n in lengths])


@FAST
@given(panel_cases())
def test_no_future_step_is_ever_in_training(case):
    lengths, n_splits, horizon, step, max_train = case
    panel = time_panel(lengths)
    cv = ExpandingWindowSplit(
        n_splits, horizon=horizon, step=step, max_train_size=max_train
    )
    stride = horizon if step is None else step
    need = horizon + (n_splits - 1) * stride + 1
    if min(lengths) < need:
        with pytest.raises(DataError, match=f"need at least {need}"):
            cv.split(panel)
        return
    folds = list(cv.split(panel))
    assert len(folds) == n_splits
    cuts = [int(test[0]) for _, test in folds]
    assert np.diff(cuts).tolist() == [stride] * (n_splits - 1)
    assert int(folds[-1][1][-1]) == panel.n_steps - 1  # the last fold ends the data
    for train, test in folds:
        cut = int(test[0])
        assert test.tolist() == list(range(cut, cut + horizon))
        assert train.tolist() == list(range(cut - len(train), cut))
        if max_train is None:
            assert len(train) == cut
        else:
            assert len(train) == min(cut, max_train)
        seen = panel[train].training_series()
        assert len(seen) == len(lengths)  # every series, each non-empty
        assert (seen.lengths > 0).all()
        assert seen.values.max() < cut  # nothing at or after the cut
        histories, targets = panel[test].histories_and_targets()
        assert histories.values.max() < cut
        assert histories.lengths.tolist() == [
            cut - (panel.n_steps - n) for n in lengths
        ]
        assert targets.shape == (len(lengths), horizon, 1)
        assert (targets[:, :, 0] == np.arange(cut, cut + horizon)).all()


@FAST
@given(
    st.integers(2, 30),
    st.lists(st.integers(0, 29), min_size=1, max_size=10),
    st.lists(st.integers(0, 9), min_size=1, max_size=5),
)
def test_a_selection_of_a_selection_is_one_selection(length, outer, inner):
    panel = time_panel([length])
    outer = [i % length for i in outer]
    first = panel[np.array(outer)]
    inner = [i % len(first) for i in inner]
    both = first[np.array(inner)]
    assert both.steps.tolist() == sorted(np.sort(outer)[inner].tolist())
    assert len(both) == len(inner) and both.shape == (len(inner),)


def test_panel_indexing_follows_numpy():
    panel = time_panel([6, 4])
    assert panel[2].steps.tolist() == [2]
    assert panel[-2:].steps.tolist() == [4, 5]
    mask = np.array([True, False, True, True, False, False])
    assert panel[mask].steps.tolist() == [0, 2, 3]
    assert panel[np.array([3, 1]), ...].steps.tolist() == [1, 3]
    assert repr(panel[1:3]) == "SeriesPanel(2 series, steps 1..2 of 6)"
    assert repr(panel[mask]) == "SeriesPanel(2 series, 3 scattered steps of 6)"
    with pytest.raises(IndexError):
        panel[np.ones(3, dtype=bool)]
    with pytest.raises(IndexError, match="along time only"):
        panel[1, 2]


def test_a_test_block_before_a_series_starts_is_refused():
    panel = time_panel([10, 4])  # the second series starts at step 6
    with pytest.raises(DataError, match="series 1 starts at time step 6"):
        panel[5:7].histories_and_targets()
    with pytest.raises(DataError, match="series 1 has no step in the training"):
        panel[:5].training_series()
    assert panel[:7].training_series().lengths.tolist() == [7, 1]


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: SequenceKFold(1), "n_splits must be an int >= 2"),
        (lambda: SequenceKFold(3, shuffle="yes"), "shuffle must be True or False"),
        (lambda: SequenceKFold(3, shuffle=True, random_state=-1), "random_state"),
        (lambda: ExpandingWindowSplit(0), "n_splits must be an int >= 1"),
        (lambda: ExpandingWindowSplit(2, horizon=0), "horizon must be an int >= 1"),
        (lambda: ExpandingWindowSplit(2, step=1.5), "step must be None or an int"),
        (lambda: ExpandingWindowSplit(2, max_train_size=0), "max_train_size"),
    ],
)
def test_splitter_parameters_are_checked_when_made(make, match):
    with pytest.raises(InvalidParameterError, match=match):
        make()


def test_more_folds_than_sequences_is_refused():
    with pytest.raises(DataError, match="n_splits=5 needs at least 5 sequences"):
        list(SequenceKFold(5).split(["ab", "cd"]))
