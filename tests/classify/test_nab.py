"""NAB scoring rules on hand-computed examples, and on the shared corpus."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from seqpred.data.readers import read_nab
from seqpred.evaluate.nab import nab_score, probation_length, scaled_sigmoid
from seqpred.exceptions import DataError, InvalidParameterError

WINDOW = [(40, 49)]  # 10 steps; with 100 steps the probation is steps 0-14


def sigma(y):
    """NAB's scaled sigmoid, written out independently of the module."""
    return -1.0 if y >= 3 else 2 * (1 / (1 + math.exp(5 * y))) - 1


def detect(*steps, n=100):
    scores = np.zeros(n)
    scores[list(steps)] = 1.0
    return scores


def test_scaled_sigmoid_matches_the_whitepaper_values():
    values = scaled_sigmoid(np.array([-1.0, -0.5, 0.0, 1.0, 3.0, 10.0]))
    np.testing.assert_allclose(
        values, [0.98661, 0.84828, 0.0, -0.98661, -1.0, -1.0], atol=1e-5
    )


def test_probation_is_15_percent_capped_at_750():
    assert probation_length(100) == 15
    assert probation_length(4000) == 600
    assert probation_length(22000) == 750


def test_late_detection_earns_less():
    result = nab_score([detect(49)], [WINDOW], threshold=0.5)
    reward = sigma(-(49 - 49 + 1) / 10) / sigma(-1.0)  # 0.2482
    assert result.raw == pytest.approx(reward)
    assert result.null == -1.0 and result.perfect == 1.0
    assert result.score == pytest.approx(100 * (reward + 1) / 2)


def test_only_the_earliest_detection_in_a_window_counts():
    result = nab_score([detect(42, 45)], [WINDOW], threshold=0.5)
    assert result.raw == pytest.approx(sigma(-(49 - 42 + 1) / 10) / sigma(-1.0))
    assert result.detected_windows == 1 and result.false_positives == 0


def test_false_positives_before_and_after_a_window():
    # step 20: before any window, full cost 0.11; step 59: 10 steps past the
    # window's end, relative position 10 / (10 - 1).
    result = nab_score([detect(20, 59)], [WINDOW], threshold=0.5)
    expected = -1.0 - 0.11 + 0.11 * sigma(10 / 9)
    assert result.raw == pytest.approx(expected)
    assert result.false_positives == 2 and result.missed_windows == 1


def test_detections_in_the_probation_are_ignored():
    result = nab_score([detect(10)], [WINDOW], threshold=0.5)
    assert result.raw == -1.0 and result.false_positives == 0


def test_profiles_weigh_misses_and_false_alarms():
    low_fn = nab_score([detect(20)], [WINDOW], profile="reward_low_fn_rate",
                       threshold=0.5)  # fmt: skip
    assert low_fn.raw == pytest.approx(-2.0 - 0.11) and low_fn.null == -2.0
    low_fp = nab_score([detect(20)], [WINDOW], profile="reward_low_fp_rate",
                       threshold=0.5)  # fmt: skip
    assert low_fp.raw == pytest.approx(-1.0 - 0.22)
    with pytest.raises(InvalidParameterError, match="profile"):
        nab_score([detect(20)], [WINDOW], profile="lenient")


def test_threshold_is_optimised_over_the_corpus():
    # series A: a 0.9 at the window start and a 0.8 false alarm; series B: a
    # 0.7 late in its window. Best: threshold 0.7 (+1 + 0.2482 - 0.11) beats
    # 0.9 (+1 - 1) and 0.8.
    a = np.zeros(100)
    a[40], a[20] = 0.9, 0.8
    b = np.zeros(100)
    b[49] = 0.7
    result = nab_score([a, b], [WINDOW, WINDOW])
    late = sigma(-0.1) / sigma(-1.0)
    assert result.threshold == 0.7
    assert result.raw == pytest.approx(1.0 - 0.11 + late)
    assert result.null == -2.0 and result.perfect == 2.0
    fixed = nab_score([a, b], [WINDOW, WINDOW], threshold=0.85)
    assert fixed.raw == pytest.approx(1.0 - 1.0)


def test_bad_inputs_are_reported():
    with pytest.raises(DataError, match="window"):
        nab_score([np.zeros(10)], [[(5, 20)]])
    with pytest.raises(DataError, match="one list of windows"):
        nab_score([np.zeros(10)], [])
    with pytest.raises(DataError, match="finite"):
        nab_score([np.full(10, np.nan)], [[]])


def test_corpus_reads_and_a_seeded_random_detector_scores_as_published(shared_data):
    corpus = read_nab(shared_data / "anomaly" / "nab")
    assert len(corpus) == 58
    assert sum(len(s.windows) for s in corpus) == 116
    scores = []
    for series in corpus:  # NAB's random detector: random.seed(42) per file
        random.seed(42)
        scores.append(np.array([random.uniform(0, 1) for _ in series.values]))
    result = nab_score(scores, [s.windows for s in corpus])
    assert result.null == -116.0
    assert result.score == pytest.approx(16.8, abs=1.5)  # results/final_results.json
