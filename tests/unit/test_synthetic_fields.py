"""FieldMarkovSource: the exact law and the Bayes accuracy of events with fields."""

from __future__ import annotations

import numpy as np
import pytest

from seqpred.data.synthetic import FieldMarkovSource
from seqpred.exceptions import DataError, InvalidParameterError


@pytest.fixture(scope="module")
def source():
    return FieldMarkovSource(
        n_items=5, n_categories=3, concentration=0.1, random_state=0
    )


def test_sample_is_seeded_and_has_fields(source):
    a = source.sample(20, 6, random_state=3)
    b = source.sample(20, 6, random_state=3)
    assert a.to_lists() == b.to_lists()
    assert a.fields.decode("category") == b.fields.decode("category")
    assert set(a.static.decode("segment")) <= {"s0", "s1"}


def test_next_proba_is_a_law(source):
    ss = source.sample(50, 4, random_state=1)
    proba = source.next_proba(ss)
    assert proba.shape == (50, 5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_bayes_accuracy_matches_the_samples(source):
    ss = source.sample(4000, 12, random_state=2)
    prefixes, last = ss.slice_steps(0, -1), ss.slice_steps(-1, None)
    best = source.next_proba(prefixes).argmax(axis=1)
    truth = np.array([int(seq[0][1:]) for seq in last.to_lists()])
    assert np.mean(best == truth) == pytest.approx(source.bayes_accuracy(), abs=0.03)
    assert source.bayes_accuracy() > source.bayes_accuracy(fields=False) + 0.1


def test_errors(source):
    with pytest.raises(InvalidParameterError):
        FieldMarkovSource(n_items=1)
    with pytest.raises(DataError, match="category"):
        source.next_proba(source.sample(2, 3).with_fields(None, None))
