"""Forecasters inside scikit-learn: honest scores on whole series and on time.

Issue 14: ``cross_val_score`` gave NaN for every forecaster (``score`` needed
a ``y``). Now a list of series is scored on each test series' last steps, and
a :class:`SeriesPanel` split by :class:`ExpandingWindowSplit` on the steps
after each cut; both are checked against the Gaussian log-likelihood
computed here by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.model_selection import (  # noqa: E402
    GridSearchCV,
    KFold,
    ShuffleSplit,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import FunctionTransformer  # noqa: E402

import seqpred  # noqa: E402
from seqpred.data import ExpandingWindowSplit, SequenceKFold, SeriesPanel  # noqa: E402
from seqpred.models.forecast import AR, NaiveForecaster, SeasonalNaive  # noqa: E402


def ar2_series(n, length, seed):
    """AR(2) series: x_t = 1.5 x_{t-1} - 0.8 x_{t-2} + noise."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        x = list(rng.normal(size=2))
        for _ in range(length - 2):
            x.append(1.5 * x[-1] - 0.8 * x[-2] + rng.normal(scale=0.1))
        out.append(np.array(x))
    return out


def seasonal_series(n, length, seed):
    """Period-4 series with a little noise, different levels and phases."""
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    return [
        10 * i
        + np.array([0.0, 3.0, 1.0, 5.0])[(t + i) % 4]
        + rng.normal(0, 0.1, length)
        for i in range(n)
    ]


def gaussian_loglik(model, histories, targets):
    """Mean log N(target | mean, std) of the model's forecast, by hand."""
    mean, std = model.predict_distribution(histories, targets.shape[1])
    z = (targets - mean) / std
    return float(np.mean(-0.5 * z**2 - np.log(std) - 0.5 * math.log(2 * math.pi)))


def test_forecasters_no_longer_score_nan_on_whole_series():
    series = ar2_series(9, 30, seed=0)
    cv = SequenceKFold(3)
    scores = cross_val_score(AR(order=2), series, cv=cv, error_score="raise")
    for score, (train, test) in zip(scores, cv.split(series)):
        model = AR(order=2).fit([series[i] for i in train])
        histories = [series[i][:-1] for i in test]
        targets = np.array([series[i][-1:] for i in test])[:, :, None]
        assert score == pytest.approx(gaussian_loglik(model, histories, targets))


def test_without_y_the_last_horizon_steps_are_the_targets():
    series = seasonal_series(3, 20, seed=1)
    model = SeasonalNaive(season_length=4, horizon=3).fit(series)
    targets = np.array([s[-3:] for s in series])[:, :, None]
    expected = gaussian_loglik(model, [s[:-3] for s in series], targets)
    assert model.score(series) == pytest.approx(expected)
    assert model.score([s[:-3] for s in series], targets) == pytest.approx(expected)
    with pytest.raises(seqpred.DataError, match="series 0 has only 3 step"):
        model.score([s[:3] for s in series])


def test_expanding_window_scores_equal_a_rolling_origin_loop():
    series = ar2_series(4, 40, seed=2)
    panel = SeriesPanel(series)
    cv = ExpandingWindowSplit(n_splits=3, horizon=2)
    scores = cross_val_score(AR(order=2), panel, cv=cv, error_score="raise")
    for score, cut in zip(scores, [34, 36, 38]):
        model = AR(order=2).fit([s[:cut] for s in series])
        targets = np.array([s[cut : cut + 2] for s in series])[:, :, None]
        histories = [s[:cut] for s in series]
        assert score == pytest.approx(gaussian_loglik(model, histories, targets))
    same = cross_val_score(AR(order=2), panel, cv=TimeSeriesSplit(3, test_size=2))
    np.testing.assert_allclose(same, scores)  # scikit-learn's splitter agrees


def test_series_of_different_lengths_are_aligned_at_their_ends():
    series = [np.arange(30.0), np.arange(100.0, 120.0)]  # 30 and 20 steps
    panel = SeriesPanel(series)
    cv = ExpandingWindowSplit(n_splits=2, horizon=3, max_train_size=12)
    scores = cross_val_score(NaiveForecaster(), panel, cv=cv)
    for score, cut in zip(scores, [24, 27]):  # time steps of the longer series
        short_cut = cut - 10
        model = NaiveForecaster().fit(
            [series[0][cut - 12 : cut], series[1][short_cut - 12 : short_cut]]
        )
        targets = np.array(
            [series[0][cut : cut + 3], series[1][short_cut : short_cut + 3]]
        )[:, :, None]
        histories = [series[0][:cut], series[1][:short_cut]]
        assert score == pytest.approx(gaussian_loglik(model, histories, targets))


def test_grid_search_on_time_finds_the_season_length():
    panel = SeriesPanel(seasonal_series(5, 48, seed=3))
    cv = ExpandingWindowSplit(n_splits=3, horizon=4)
    grid = {"season_length": [3, 4, 5]}
    search = GridSearchCV(SeasonalNaive(), grid, cv=cv).fit(panel)
    assert search.best_params_ == {"season_length": 4}
    scores = search.cv_results_["mean_test_score"]
    assert scores[1] > 0 > max(scores[0], scores[2])  # sharp vs. badly wrong
    best = search.best_estimator_
    assert best.n_sequences_ == 5 and best.train_values_.shape[0] == 5 * 48
    np.testing.assert_allclose(
        search.predict(panel), best.predict(panel.series)
    )  # a whole panel is just its series


def test_grid_search_on_time_finds_the_ar_order():
    panel = SeriesPanel(ar2_series(6, 60, seed=4))
    cv = ExpandingWindowSplit(n_splits=4, horizon=3, step=2)
    search = GridSearchCV(AR(), {"order": [1, 2]}, cv=cv).fit(panel)
    assert search.best_params_ == {"order": 2}


def test_nested_cross_validation_on_time():
    panel = SeriesPanel(seasonal_series(3, 60, seed=5))
    inner = GridSearchCV(
        SeasonalNaive(),
        {"season_length": [2, 4]},
        cv=ExpandingWindowSplit(2, horizon=4),
    )
    outer = cross_val_score(
        inner, panel, cv=ExpandingWindowSplit(2, horizon=4), error_score="raise"
    )
    assert np.isfinite(outer).all() and (outer > 0).all()


@pytest.mark.parametrize(
    "cv, match",
    [
        (KFold(3), "reach the end of the data"),
        (3, "reach the end of the data"),
        (ShuffleSplit(2, test_size=0.2, random_state=0), "contiguous block"),
    ],
    ids=["kfold", "cv-int", "shuffle"],
)
def test_splits_that_would_train_on_the_future_are_refused(cv, match):
    panel = SeriesPanel(ar2_series(2, 30, seed=6))
    with pytest.raises(seqpred.DataError, match=match):
        cross_val_score(AR(order=1), panel, cv=cv, error_score="raise")


def test_panels_and_splitters_refuse_each_others_mistakes():
    series = ar2_series(3, 20, seed=7)
    panel = SeriesPanel(series)
    with pytest.raises(seqpred.DataError, match="Wrap them: SeriesPanel"):
        list(ExpandingWindowSplit(2).split(series))
    with pytest.raises(seqpred.DataError, match="rows are time steps"):
        list(SequenceKFold(2).split(panel))
    model = AR(order=1).fit(panel[:15])
    with pytest.raises(seqpred.DataError, match="only fit, and score without y"):
        model.predict(panel[15:])
    with pytest.raises(seqpred.DataError, match="only fit, and score without y"):
        model.score(panel[15:], np.zeros((3, 5)))
    with pytest.raises(seqpred.InvalidParameterError, match="covariates"):
        AR(order=1).fit(panel[:15], covariates=[np.zeros(15)] * 3)


def test_a_pipeline_can_end_with_a_forecaster():
    series = ar2_series(6, 30, seed=8)

    def double(X):
        return [2.0 * np.asarray(s) for s in X]

    pipe = Pipeline([("double", FunctionTransformer(double)), ("model", None)])
    pipe.set_params(model=NaiveForecaster())
    cv = SequenceKFold(3)
    scaled = cross_val_score(pipe, series, cv=cv)
    plain = cross_val_score(NaiveForecaster(), series, cv=cv)
    # doubling the data doubles the mean error and the spread: log 2 lower
    np.testing.assert_allclose(scaled, plain - math.log(2.0))
    fitted = pipe.fit(series)
    last = fitted.predict(series[:2])[:, 0, 0]
    np.testing.assert_allclose(last, [2 * series[0][-1], 2 * series[1][-1]])
