"""On a known k-order Markov source the model reaches the Bayes-optimal accuracy.

The source's transition table is known, so the best achievable next-symbol
accuracy (always guessing the most likely symbol of the true context) is
computed exactly by ``MarkovSource.bayes_accuracy``. A k-order
``MarkovPredictor`` trained on enough data must come within 1 point of it.
"""

import numpy as np
import pytest

from seqpred.data.synthetic import MarkovSource
from seqpred.evaluate import evaluate_next_item
from seqpred.models.next_item import MarkovPredictor


@pytest.mark.parametrize("order, n_symbols", [(1, 6), (2, 5), (3, 4)])
def test_markov_reaches_bayes_optimal_accuracy(order, n_symbols):
    source = MarkovSource(n_symbols=n_symbols, order=order, random_state=order)
    train = source.sample(400, 250, random_state=10 + order)
    test = source.sample(20_000, order + 1 + 20, random_state=20 + order)
    model = MarkovPredictor(order=order).fit(train)
    report = evaluate_next_item(model, test, window=order)
    bayes = source.bayes_accuracy()
    assert report.no_match_rate == 0.0
    assert report.accuracy == pytest.approx(bayes, abs=0.01), (report, bayes)


def test_higher_order_model_does_not_lose_on_a_lower_order_source():
    source = MarkovSource(n_symbols=5, order=1, random_state=3)
    train = source.sample(400, 250, random_state=4)
    test = source.sample(20_000, 22, random_state=5)
    accuracy = evaluate_next_item(MarkovPredictor(order=3).fit(train), test).accuracy
    assert accuracy == pytest.approx(source.bayes_accuracy(), abs=0.015)
    assert np.isfinite(accuracy)
