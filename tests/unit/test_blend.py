import numpy as np
import pytest

from seqpred.exceptions import InvalidParameterError
from seqpred.models.next_item import Blend
from seqpred.models.next_item.ensemble._combine import simplex_grid, top_k_from_scores


def test_simplex_grid_covers_every_weighting():
    grid = simplex_grid(3, 4)
    assert grid.shape == (15, 3)
    np.testing.assert_allclose(grid.sum(axis=1), 1.0)
    assert len({tuple(row) for row in grid}) == 15


def test_top_k_merges_duplicate_candidates():
    candidates = np.array([[5, 6, 5, -1]])
    combined = np.array([[0.4, 0.3, 0.4, 0.0]])
    ids, scores = top_k_from_scores(candidates, combined, 3)
    assert ids.tolist() == [[5, 6, -1]]
    assert scores.tolist() == [[0.4, 0.3, 0.0]]


def test_weights_favour_the_model_that_is_right():
    # the next item depends on the item two steps back: order-2 Markov knows,
    # a first-order model cannot
    rng = np.random.default_rng(0)
    data = []
    for _ in range(300):
        a, b = rng.integers(0, 5, size=2)
        data.append([int(a), int(b), int(a) + 10])
    model = Blend(models=("markov", "dg")).fit(data)
    assert model.validation_accuracy_ > 0.9
    assert model.predict([[2, 3]]) == [12]


def test_few_sequences_fall_back_to_equal_weights():
    model = Blend(models=("markov", "ppm")).fit([["a", "b"], ["a", "c"]])
    np.testing.assert_allclose(model.weights_, [0.5, 0.5])
    assert np.isnan(model.validation_accuracy_)


def test_invalid_model_names():
    with pytest.raises(InvalidParameterError, match="next-item model names"):
        Blend(models=("markov", "nope")).fit([["a", "b"]])
    with pytest.raises(InvalidParameterError, match="other than 'blend'"):
        Blend(models=("blend",)).fit([["a", "b"]])
