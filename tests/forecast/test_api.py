"""The shared forecaster API: shapes, continuation, quantiles, tidy frame, score."""

import numpy as np
import polars as pl
import pytest

import seqpred
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError, NotFittedError
from seqpred.io import load, save
from seqpred.models.forecast import NaiveForecaster
from seqpred.testing import yield_checks

SERIES = [np.sin(np.arange(40) / 3) + 2, np.cos(np.arange(30) / 3) + 2]
FORECASTERS = {
    "naive": {}, "seasonal-naive": {"season_length": 5}, "drift": {}, "mean": {},
    "naive2": {"season_length": 5}, "ar": {"order": 4},
    "dlinear": {"lookback": 12, "moving_average": 5, "strategy": "recursive"},
    "setar": {"max_order": 3, "max_delay": 2},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(FORECASTERS))
def test_shapes_continuation_and_intervals(name, tmp_path):
    model = seqpred.create(name, horizon=4, **FORECASTERS[name]).fit(SERIES)
    mean = model.predict()
    assert mean.shape == (2, 4, 1) and np.isfinite(mean).all()
    assert model.predict(SERIES, horizon=6).shape == (2, 6, 1)
    np.testing.assert_array_equal(model.predict(SERIES), mean)
    q = model.predict_quantiles(horizon=4, quantiles=(0.05, 0.5, 0.95))
    assert q.shape == (2, 4, 1, 3) and (np.diff(q, axis=-1) > 0).all()
    lower, upper = model.predict_interval(coverage=0.9)
    np.testing.assert_allclose(lower, q[..., 0])
    np.testing.assert_allclose(upper, q[..., 2])
    frame = model.forecast(horizon=4)
    assert isinstance(frame, pl.DataFrame) and frame.height == 8
    assert frame.columns == ["series", "step", "feature", "mean", "lower", "upper"]
    assert frame["step"].to_list()[:4] == [1, 2, 3, 4]
    score = model.score([s[:-1] for s in SERIES], [s[-1] for s in SERIES])
    assert np.isfinite(score)
    twin = load(save(model, tmp_path / "model.seqpred"))
    np.testing.assert_array_equal(twin.predict(), mean)


def test_tidy_frame_uses_sequence_ids():
    ss = SequenceSet.from_lists(SERIES, kind="numeric", ids=["a", "b"])
    model = seqpred.create("naive").fit(ss)
    frame = model.forecast(ss, horizon=2, coverage=0.5)
    assert frame["series"].to_list() == ["a", "a", "b", "b"]


def test_errors_are_specific():
    model = seqpred.create("naive")
    with pytest.raises(NotFittedError):
        model.predict()
    model.fit(SERIES)
    with pytest.raises(InvalidParameterError, match="horizon"):
        model.predict(horizon=2.5)
    with pytest.raises(InvalidParameterError, match="quantiles"):
        model.predict_quantiles(quantiles=(0.0, 1.0))
    with pytest.raises(InvalidParameterError, match="coverage"):
        model.predict_interval(coverage=1.5)
    with pytest.raises(DataError, match="Wrap it in a list"):
        model.fit(SERIES[0])
    with pytest.raises(DataError, match="future values"):
        model.score(SERIES, np.zeros((3, 1)))
    assert model.predict([], horizon=3).shape == (0, 3, 1)


def test_registry_lists_the_forecasters():
    names = seqpred.available("forecast")
    assert set(FORECASTERS) <= set(names)


class HorizonDependent(NaiveForecaster):
    """A broken naive forecaster: its first step depends on the horizon asked for.

    Parameters
    ----------
    horizon : int, default=1
        Steps ahead.

    Examples
    --------
    >>> HorizonDependent().fit([[1.0, 2.0]]).predict(horizon=2)[0, 0, 0]
    np.float64(4.0)
    """

    def _forecast(self, ss, horizon):
        mean, std = super()._forecast(ss, horizon)
        return mean + horizon, std


class NoContinuation(NaiveForecaster):
    """A broken naive forecaster that forgets its training series.

    Parameters
    ----------
    horizon : int, default=1
        Steps ahead.

    Examples
    --------
    >>> NoContinuation().fit([[1.0, 2.0]]).n_sequences_
    1
    """

    def predict_distribution(self, X=None, horizon=None):
        if X is None:
            X = [[0.0]]
        return super().predict_distribution(X, horizon)


@pytest.mark.parametrize(
    "cls, check",
    [(HorizonDependent, "forecast_horizon"), (NoContinuation, "forecast_intervals")],
)
def test_new_forecast_checks_catch_broken_models(cls, check):
    checks = {cid: c for cid, c, _ in yield_checks(cls(), name="broken")}
    with pytest.raises(AssertionError):
        checks[f"broken:{check}"](cls())
    fine = {cid: c for cid, c, _ in yield_checks(NaiveForecaster(), name="ok")}
    fine[f"ok:{check}"](NaiveForecaster())  # the unbroken model passes
