"""Rolling-origin backtests of forecasters: refit at each origin, score what follows.

At origin ``i`` every series is cut ``origin_i`` steps from its end; the
model (a fresh clone) is fitted on the parts before the cut, all series at
once (so global models pool them), forecasts ``horizon`` steps from those
same parts, and is scored on the true values after the cut. Origins move
forward by ``step``; the training part is everything before the cut
(``"expanding"``) or only its last ``window_length`` steps (``"sliding"``).
Nothing at or after a cut is ever shown to the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred._params import Options as _Options
from seqpred._params import check_int, check_parameter, check_real
from seqpred._typing import Array
from seqpred.base import BaseEstimator, clone
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError

__all__ = ["BacktestResult", "backtest", "forecast_errors"]

METRICS = ("mase", "smape", "mae", "mse", "coverage")


@dataclass(frozen=True)
class BacktestResult:
    """Per-origin metrics of a rolling-origin backtest.

    Attributes
    ----------
    rows : list of dict
        One dict per origin, oldest first: ``origin`` (0, 1, ...),
        ``steps_before_end`` (where the cut falls, counted from each series'
        end), ``n_series``, ``train_steps`` (training steps of the longest
        series), then ``mase``, ``smape``, ``mae``, ``mse`` and ``coverage``
        (share of true values inside the central interval; NaN for a model
        without ``predict_interval``).
    """

    rows: list[dict[str, float]]

    def mean(self) -> dict[str, float]:
        """Return each metric averaged over the origins (NaNs ignored)."""
        out: dict[str, float] = {}
        for name in METRICS:
            values = np.array([row[name] for row in self.rows], dtype=np.float64)
            finite = values[~np.isnan(values)]
            out[name] = float(finite.mean()) if len(finite) else float("nan")
        return out


def forecast_errors(
    y_true: Array, y_pred: Array, y_train: list[Array], season_length: int = 1
) -> dict[str, float]:
    """Return MASE, sMAPE, MAE and MSE of forecasts ``(N, h, F)`` of ``N`` series.

    sMAPE and MASE follow the M4 competition: per series (and feature), then
    averaged. The MASE scale is the in-sample seasonal-naive MAE of each
    ``y_train[i]`` ``(T_i, F)`` at lag ``season_length``; a series whose
    scale is 0 or that is too short is left out of the MASE (NaN if none).

    Examples
    --------
    >>> true = np.array([[[5.0], [6.0]]])
    >>> pred = np.array([[[5.5], [5.5]]])
    >>> errors = forecast_errors(true, pred, [np.array([[1.0], [2.0], [3.0], [4.0]])])
    >>> errors["mase"], errors["mae"]
    (0.5, 0.5)
    """
    check_int("forecast_errors", "season_length", season_length, low=1, default=1)
    true = np.asarray(y_true, dtype=np.float64)
    pred = np.asarray(y_pred, dtype=np.float64)
    if true.shape != pred.shape or true.ndim != 3:
        raise DataError(
            f"forecast_errors: y_true and y_pred must both be (N, h, F); got "
            f"{true.shape} and {pred.shape}."
        )
    error = np.abs(true - pred)
    denom = np.abs(true) + np.abs(pred)
    ratio = np.divide(error, denom, out=np.zeros_like(error), where=denom > 0)
    scales = np.full((len(true), true.shape[2]), np.nan)
    m = int(season_length)
    for i, train in enumerate(y_train):
        train = np.asarray(train, dtype=np.float64).reshape(len(train), -1)
        if len(train) > m:
            scales[i] = np.mean(np.abs(train[m:] - train[:-m]), axis=0)
    scales[scales == 0] = np.nan
    per_series = error.mean(axis=1) / scales  # (N, F)
    finite = per_series[~np.isnan(per_series)]
    return {
        "mase": float(finite.mean()) if len(finite) else float("nan"),
        "smape": float(np.mean(200.0 * ratio)),
        "mae": float(error.mean()),
        "mse": float(np.mean((true - pred) ** 2)),
    }


def _check_backtest_args(
    horizon: int,
    n_origins: int,
    step: int | None,
    window: str,
    window_length: int | None,
    season_length: int,
    coverage: float,
) -> None:
    who = "backtest"
    check_int(who, "horizon", horizon, low=1, default=1)
    check_int(who, "n_origins", n_origins, low=1, default=3)
    check_int(who, "step", step, low=1, default=None, optional=True, hint="(= horizon)")
    check_parameter(
        who, "window", window, [_Options({"expanding", "sliding"})],
        fix="Use window='expanding'.",
    )  # fmt: skip
    check_int(who, "window_length", window_length, low=1, default=None, optional=True)
    check_int(who, "season_length", season_length, low=1, default=1)
    check_real(who, "coverage", coverage, low=0, strict=True, default=0.8)
    if coverage >= 1:
        check_real(who, "coverage", -1.0, low=0, strict=True, default=0.8)


def backtest(
    estimator: BaseEstimator,
    series: Any,
    *,
    horizon: int,
    n_origins: int = 3,
    step: int | None = None,
    window: str = "expanding",
    window_length: int | None = None,
    season_length: int = 1,
    coverage: float = 0.8,
) -> BacktestResult:
    """Run a rolling-origin backtest of ``estimator`` on ``series``.

    Parameters
    ----------
    estimator : forecaster
        A seqpred forecaster (it is cloned; the one passed is not fitted).
    series : list of arrays or SequenceSet
        One or more numeric series, each 1-D or ``(steps, features)``.
    horizon : int
        Steps forecast from each origin.
    n_origins : int, default=3
        Number of origins; the last one leaves exactly ``horizon`` steps.
    step : int or None, default=None
        Steps between origins (None: ``horizon``, so test windows tile).
    window : {"expanding", "sliding"}, default="expanding"
        Train on everything before the cut, or on its last ``window_length``.
    window_length : int or None, default=None
        Training steps of the sliding window (None: those of the first origin).
    season_length : int, default=1
        Lag of the naive forecast that scales MASE (24 for hourly data).
    coverage : float, default=0.8
        Nominal coverage of the interval whose empirical coverage is reported.

    Returns
    -------
    BacktestResult

    Raises
    ------
    DataError
        If a series is too short for the origins (the message gives the
        length needed).

    Examples
    --------
    >>> import numpy as np
    >>> from seqpred.models.forecast import SeasonalNaive
    >>> y = np.tile([1.0, 2.0, 3.0, 4.0], 10)
    >>> result = backtest(SeasonalNaive(season_length=4), [y], horizon=4)
    >>> [row["mae"] for row in result.rows]
    [0.0, 0.0, 0.0]
    """
    _check_backtest_args(
        horizon, n_origins, step, window, window_length, season_length, coverage
    )
    ss = as_sequence_set(series, kind="numeric", owner="backtest")
    stride = horizon if step is None else int(step)
    cuts = [horizon + (n_origins - 1 - i) * stride for i in range(n_origins)]
    need = cuts[0] + 1
    short = np.flatnonzero(ss.lengths < need)
    if len(short):
        raise DataError(
            f"backtest: series {int(short[0])} has {int(ss.lengths[short[0]])} "
            f"steps; {n_origins} origin(s) {stride} apart with horizon {horizon} "
            f"need at least {need}. Use fewer origins or a smaller step."
        )
    if window == "sliding" and window_length is None:
        window_length = int(ss.lengths.min()) - cuts[0]
    rows = []
    for i, cut in enumerate(cuts):
        train, future = _split(ss, cut, horizon, window_length)
        rows.append(
            {
                "origin": i,  # counts stay ints (JSON output keeps them so)
                "steps_before_end": int(cut),
                "n_series": len(ss),
                "train_steps": int(train.lengths.max()),
                **_score_origin(estimator, train, future, season_length, coverage),
            }
        )
    return BacktestResult(rows)


def _split(
    ss: SequenceSet, cut: int, horizon: int, window_length: int | None
) -> tuple[SequenceSet, Array]:
    """Training parts (before the cut) and the ``(N, h, F)`` values after it."""
    ends = ss.offsets[1:] - cut
    starts = ss.offsets[:-1].copy()
    if window_length is not None:
        starts = np.maximum(starts, ends - window_length)
    lengths = ends - starts
    parts = [ss.values[a:b] for a, b in zip(starts, ends)]
    train = SequenceSet.from_lists(parts, kind="numeric")
    future_index = ends[:, None] + np.arange(horizon)[None, :]
    assert (lengths > 0).all()
    return train, ss.values[future_index]


def _score_origin(
    estimator: BaseEstimator,
    train: SequenceSet,
    future: Array,
    season_length: int,
    coverage: float,
) -> dict[str, float]:
    model: Any = clone(estimator)
    model.fit(train)
    horizon = future.shape[1]
    prediction = np.asarray(model.predict(train, horizon=horizon))
    errors = forecast_errors(future, prediction, list(train), season_length)
    inside = float("nan")
    if hasattr(model, "predict_interval"):
        lower, upper = model.predict_interval(train, horizon, coverage)
        inside = float(np.mean((future >= lower) & (future <= upper)))
    return {**errors, "coverage": inside}
