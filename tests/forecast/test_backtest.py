"""Rolling-origin backtests: metrics per origin, and never a look at the future."""

from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.data.sequence_set import SequenceSet
from seqpred.evaluate.forecast import backtest, forecast_errors
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.forecast import AR, NaiveForecaster, SeasonalNaive


class Recorder(NaiveForecaster):
    """A naive forecaster that logs the last time stamp it was fitted on and asked from.

    Parameters
    ----------
    horizon : int, default=1
        Steps ahead.
    log : list or None, default=None
        Where to append ``(kind, max value seen)``.

    Examples
    --------
    >>> Recorder(log=[]).fit([[0.0, 1.0]]).log
    [('fit', 1.0)]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **NaiveForecaster._parameter_constraints,
        "log": [None, list],
    }

    def __init__(self, horizon=1, *, log=None):
        self.horizon = horizon
        self.log = log

    def _fit(self, ss: SequenceSet) -> None:
        self.log.append(("fit", float(ss.values.max())))

    def _forecast(self, ss, horizon):
        self.log.append(("predict", float(ss.values.max())))
        return super()._forecast(ss, horizon)


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(20, 40), min_size=1, max_size=3),
    horizon=st.integers(1, 5),
    n_origins=st.integers(1, 4),
    step=st.integers(1, 4),
    sliding=st.booleans(),
)
def test_backtests_never_see_the_future(lengths, horizon, n_origins, step, sliding):
    # values are time stamps counted back from each series' end, so the
    # largest value a model sees tells how close to the end it looked
    series = [np.arange(-n, 0, dtype=float) for n in lengths]
    log: list = []
    result = backtest(
        Recorder(log=log), series, horizon=horizon, n_origins=n_origins, step=step,
        window="sliding" if sliding else "expanding",
    )  # fmt: skip
    assert len(result.rows) == n_origins and len(log) == 2 * n_origins + n_origins
    seen = [value for kind, value in log if kind in ("fit", "predict")]
    for i, row in enumerate(result.rows):
        cut = row["steps_before_end"]
        assert cut == horizon + (n_origins - 1 - i) * step
        # fit, predict (the forecast), predict (the interval) at this origin
        assert max(seen[3 * i : 3 * i + 3]) == -cut - 1


def test_backtest_metrics_and_windows():
    y = np.tile([1.0, 3.0, 2.0, 5.0], 12)
    exact = backtest(SeasonalNaive(season_length=4), [y], horizon=4, n_origins=3)
    assert [row["mae"] for row in exact.rows] == [0.0, 0.0, 0.0]
    assert exact.mean()["coverage"] == 1.0
    sliding = backtest(
        AR(order=2), [y + np.linspace(0, 1, 48)], horizon=2, n_origins=2,
        window="sliding", window_length=20,
    )  # fmt: skip
    assert [row["train_steps"] for row in sliding.rows] == [20.0, 20.0]
    assert all(np.isfinite(row["mase"]) for row in sliding.rows)


def test_forecast_errors_match_the_m4_definitions():
    truth = np.array([[[10.0], [20.0]]])
    forecast = np.array([[[12.0], [18.0]]])
    errors = forecast_errors(truth, forecast, [np.array([[1.0], [2.0], [4.0]])])
    assert errors["mae"] == 2.0 and errors["mse"] == 4.0
    assert errors["mase"] == pytest.approx(2.0 / 1.5)
    assert errors["smape"] == pytest.approx(np.mean([200 * 2 / 22, 200 * 2 / 38]))


def test_backtest_errors():
    with pytest.raises(DataError, match="at least"):
        backtest(NaiveForecaster(), [np.arange(5.0)], horizon=3, n_origins=3)
    with pytest.raises(InvalidParameterError, match="window"):
        backtest(NaiveForecaster(), [np.arange(50.0)], horizon=3, window="rolling")
