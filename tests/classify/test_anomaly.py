"""SequenceAnomalyScorer and the planted-anomaly event-log generator."""

from __future__ import annotations

import numpy as np
import pytest

from seqpred.data.synthetic_anomaly import event_logs
from seqpred.evaluate.metrics import roc_auc
from seqpred.exceptions import DataError, InvalidParameterError, NotFittedError
from seqpred.models.anomaly import SequenceAnomalyScorer
from seqpred.models.next_item import PPM, MarkovPredictor


@pytest.fixture(scope="module")
def logs():
    """Normal training logs and a labelled test set from one workflow."""
    sequences, is_anomaly, altered = event_logs(500, anomaly_rate=0.2, random_state=0)
    train = [s for s, a in zip(sequences[:250], is_anomaly[:250]) if a == 0]
    return train, sequences[250:], is_anomaly[250:], altered[250:]


def test_event_logs_plants_anomalies_where_it_says():
    sequences, is_anomaly, altered = event_logs(
        200, length=(20, 30), anomaly_rate=0.5, anomaly_length=4, random_state=3
    )
    assert all(20 <= len(s) <= 30 for s in sequences)
    assert [int(m.sum()) for m in altered] == (4 * is_anomaly).tolist()
    assert 0.35 < is_anomaly.mean() < 0.65
    again = event_logs(
        200, length=(20, 30), anomaly_rate=0.5, anomaly_length=4, random_state=3
    )
    assert again[0] == sequences


def test_event_logs_rejects_bad_rate():
    with pytest.raises(InvalidParameterError, match="anomaly_rate"):
        event_logs(5, anomaly_rate=1.5)


@pytest.mark.parametrize("aggregate", ["mean", "max"])
def test_surprise_under_ppm_reaches_auc(logs, aggregate):
    train, test, is_anomaly, _ = logs
    scorer = SequenceAnomalyScorer(aggregate=aggregate).fit(train)
    assert roc_auc(is_anomaly, scorer.score_samples(test)) >= 0.95


def test_predict_proba_models_serve_too(logs):
    train, test, is_anomaly, altered = logs
    scorer = SequenceAnomalyScorer(MarkovPredictor(order=1), aggregate="max")
    scorer.fit(train)
    assert roc_auc(is_anomaly, scorer.score_samples(test)) >= 0.95
    positions = np.concatenate(scorer.score_positions(test))
    assert roc_auc(np.concatenate(altered).astype(int), positions) >= 0.9


def test_position_scores_are_surprise_in_nats():
    model = PPM(2, escape="C", exclusion=True).fit(["abcabcabc"] * 4)
    scorer = SequenceAnomalyScorer(model, prefit=True).fit(["abcabc"])
    expected = -model.log_proba(["abcx"])[0]
    np.testing.assert_allclose(scorer.score_positions(["abcx"])[0], expected)
    assert scorer.model_ is model


def test_prefit_needs_a_fitted_model():
    with pytest.raises(NotFittedError):
        SequenceAnomalyScorer(PPM(), prefit=True).fit(["abc"])


def test_model_without_probabilities_is_refused():
    from seqpred.models.classify import KmerClassifier

    with pytest.raises(InvalidParameterError, match="log_proba"):
        SequenceAnomalyScorer(KmerClassifier()).fit(["abc"])


def test_contamination_sets_the_flagged_share(logs):
    train, test, is_anomaly, _ = logs
    scorer = SequenceAnomalyScorer(contamination=0.1).fit(train + test)
    flagged = scorer.predict(train + test)
    assert 0.05 <= flagged.mean() <= 0.1
    assert flagged[len(train) :].sum() > 0.5 * is_anomaly.sum()  # mostly anomalies
    strict = SequenceAnomalyScorer(false_positive_rate=0.01).fit(train)
    assert strict.predict(train).mean() <= 0.01


def _series(seed, n=400):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return np.sin(2 * np.pi * t / 50) + 0.1 * rng.normal(size=n)


@pytest.mark.parametrize("forecaster", ["ar", "last", "rolling_mean"])
def test_numeric_residuals_find_a_spike(forecaster):
    scorer = SequenceAnomalyScorer(forecaster=forecaster, window=50)
    scorer.fit([_series(0), _series(1)])
    spiked = _series(2)
    spiked[300] += 3.0
    scores = scorer.score_positions([spiked, _series(3)])
    assert int(np.argmax(scores[0])) == 300
    assert scorer.predict_positions([spiked])[0][300] == 1
    assert scorer.score_samples([spiked])[0] > scorer.score_samples([_series(3)])[0]
    assert scores[0][:2].tolist() == [0.0, 0.0]  # no history yet: no score


def test_numeric_scores_only_look_backwards():
    scorer = SequenceAnomalyScorer(window=30).fit([_series(0)])
    full = scorer.score_positions([_series(4)])[0]
    head = scorer.score_positions([_series(4)[:200]])[0]
    np.testing.assert_allclose(full[:200], head)


def test_multichannel_series_and_channel_check():
    two = [np.column_stack([_series(0), _series(1)])]
    scorer = SequenceAnomalyScorer(window=30).fit(two)
    assert scorer.score_positions(two)[0].shape == (400,)
    with pytest.raises(DataError, match="channel"):
        scorer.score_samples([_series(2)])


def test_unfitted_and_empty_inputs():
    scorer = SequenceAnomalyScorer()
    with pytest.raises(NotFittedError):
        scorer.score_samples(["abc"])
    scorer.fit(["abcabc", "abcab"])
    assert scorer.score_samples([]).shape == (0,)
    assert scorer.score_samples(["", "abc"])[0] == 0.0
    with pytest.raises(InvalidParameterError, match="window"):
        SequenceAnomalyScorer(window=1).fit([_series(0)])


def test_a_symbol_model_on_numeric_data_is_refused():
    with pytest.raises(InvalidParameterError, match="forecaster"):
        SequenceAnomalyScorer(PPM()).fit([_series(0)])
