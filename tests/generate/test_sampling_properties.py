"""Properties of temperature / top-k / top-p reshaping and of the CDF draw."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.models.generate.sampling import draw, reshape_distribution

rows = st.lists(  # no subnormal probabilities: they underflow to 0
    st.one_of(st.just(0.0), st.floats(1e-6, 1.0)), min_size=2, max_size=12
).filter(lambda r: sum(r) > 0)


@settings(max_examples=200, deadline=None)
@given(
    row=rows,
    temperature=st.floats(0.2, 5.0),
    top_k=st.one_of(st.none(), st.integers(1, 12)),
    top_p=st.one_of(st.none(), st.floats(0.01, 1.0)),
)
def test_reshaped_rows_are_distributions_inside_the_cuts(
    row, temperature, top_k, top_p
):
    p = np.asarray([row]) / np.sum(row)
    q = reshape_distribution(p, temperature, top_k, top_p)[0]
    assert np.isclose(q.sum(), 1.0) and (q >= 0).all()
    assert set(np.flatnonzero(q)) <= set(np.flatnonzero(p[0]))  # no new symbols
    if top_k is not None:
        assert (q > 0).sum() <= top_k
    kept = q > 0
    if top_p is None and top_k is None:
        assert kept.sum() == (p[0] > 0).sum()
    # every kept symbol is at least as likely as every dropped one
    if kept.any() and (~kept & (p[0] > 0)).any():
        assert p[0][kept].min() >= p[0][~kept & (p[0] > 0)].max() - 1e-12


@settings(max_examples=100, deadline=None)
@given(row=rows, seed=st.integers(0, 2**32 - 1))
def test_draw_never_picks_a_zero_probability_column(row, seed):
    p = np.tile(np.asarray(row) / np.sum(row), (50, 1))
    picked = draw(p, np.random.default_rng(seed))
    assert (p[0][picked] > 0).all()
    again = draw(p, np.random.default_rng(seed))
    assert np.array_equal(picked, again)
