"""Property test: CPT/CPT+ query windowing against a plain-Python reference."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.data._ragged import offsets_from_lengths
from seqpred.models.next_item.tree._kernels import window_queries

FAST = settings(max_examples=80, deadline=None)


@FAST
@given(
    queries=st.lists(st.lists(st.integers(0, 7), max_size=9), max_size=6),
    seen=st.lists(st.booleans(), min_size=8, max_size=8),
    window=st.integers(1, 6),
)
def test_window_queries_keeps_the_last_seen_items(queries, seen, window):
    support = np.array(seen, dtype=np.int64)
    values = np.array([x for q in queries for x in q], dtype=np.int64)
    offsets = offsets_from_lengths(np.array([len(q) for q in queries], dtype=np.int64))
    out, out_offsets = window_queries(values, offsets, support, window)
    expected = [[x for x in q if seen[x]][-window:] for q in queries]
    got = [out[a:b].tolist() for a, b in zip(out_offsets[:-1], out_offsets[1:])]
    assert got == expected
    assert out.dtype == values.dtype
