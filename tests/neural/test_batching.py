"""Batching: windows cover every target once, splits keep time order."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("torch")

from seqpred.nn.batching import (  # noqa: E402
    IGNORE_INDEX,
    SequenceBatches,
    WindowBatches,
    bucket_batches,
    causal_windows,
    split_stream,
)

lengths_st = st.lists(st.integers(0, 30), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(lengths=lengths_st, width=st.integers(1, 8), seed=st.integers(0, 9))
def test_windows_predict_each_step_once(lengths, width, seed):
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    for rng in (None, np.random.default_rng(seed)):
        starts, sizes = causal_windows(offsets, width, rng)
        assert (sizes >= 2).all() and (sizes <= width + 1).all()
        targets = np.concatenate(
            [np.arange(s + 1, s + n) for s, n in zip(starts, sizes)] or [[]]
        )
        firsts = set(offsets[:-1].tolist())
        expected = [i for i in range(offsets[-1]) if i not in firsts]
        assert sorted(targets.tolist()) == expected
        # a window never crosses into the next sequence
        seq = np.searchsorted(offsets, starts, side="right") - 1
        assert (starts + sizes <= offsets[seq + 1]).all()


@settings(max_examples=60, deadline=None)
@given(lengths=lengths_st, fraction=st.floats(0.0, 0.9))
def test_split_stream_keeps_time_order(lengths, fraction):
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    values = np.arange(offsets[-1])
    (tv, to), valid = split_stream(values, offsets, fraction)
    assert to[0] == 0 and to[-1] == len(tv)
    if valid is not None:
        vv, vo = valid
        assert np.array_equal(np.concatenate([tv, vv]), values)  # nothing shuffled
        assert vo[-1] == len(vv) and len(vv) >= 2
    else:
        assert np.array_equal(tv, values)


def test_bucket_batches_group_lengths_and_shuffle_with_a_seed():
    lengths = np.array([5, 1, 3, 5, 1, 3, 2])
    fixed = bucket_batches(lengths, 2)
    assert [lengths[b].tolist() for b in fixed] == [[1, 1], [2, 3], [3, 5], [5]]
    a = bucket_batches(lengths, 2, np.random.default_rng(0))
    b = bucket_batches(lengths, 2, np.random.default_rng(0))
    assert [x.tolist() for x in a] == [x.tolist() for x in b]
    assert sorted(np.concatenate(a).tolist()) == list(range(7))


def test_window_batches_shift_targets_and_mask_padding():
    values = np.arange(10, 20)
    batches = list(
        WindowBatches(values, np.array([0, 6, 10]), 8, 4, False).batches(None)
    )
    assert len(batches) == 1
    batch = batches[0]
    inputs, targets, mask = batch["inputs"], batch["targets"], batch["mask"]
    assert inputs[0].tolist()[:3] == [16, 17, 18]  # the shorter window first
    assert targets[0].tolist() == [17, 18, 19, IGNORE_INDEX, IGNORE_INDEX]
    assert batch["n_targets"] == 8  # 3 + 5 next steps
    assert mask.sum().item() == 9  # real input steps (a last step has no target)


def test_sequence_batches_carry_targets_and_indices():
    values = np.arange(9.0).reshape(9, 1)  # numeric, one feature
    source = SequenceBatches(
        values, np.array([0, 2, 9]), 8, False, targets=np.array([1, 0]), max_length=4
    )
    (batch,) = list(source.batches())
    assert batch["inputs"].shape == (2, 4, 1)
    assert batch["index"].tolist() == [0, 1]
    assert batch["targets"].tolist() == [1, 0]
    assert batch["inputs"][1, :, 0].tolist() == [5.0, 6.0, 7.0, 8.0]  # last steps
