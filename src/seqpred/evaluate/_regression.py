"""Regression and forecasting metrics: MAE, MSE, RMSE, sMAPE, MASE.

sMAPE and MASE follow the M4 competition's definitions (Makridakis et al.,
"The M4 Competition: 100,000 time series and 61 forecasting methods",
International Journal of Forecasting 36(1), 2020, section 2.3).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._params import check_int
from seqpred._typing import Array
from seqpred.evaluate._checks import as_float, same_shape
from seqpred.exceptions import DataError

__all__ = ["mae", "mase", "mse", "rmse", "smape"]


def _pair(y_true: Any, y_pred: Any, who: str) -> tuple[Array, Array]:
    true = as_float(y_true, "y_true", who)
    pred = as_float(y_pred, "y_pred", who)
    same_shape(true, pred, ("y_true", "y_pred"), who)
    return true, pred


def mae(y_true: Any, y_pred: Any) -> float:
    """Return the mean absolute error.

    Parameters
    ----------
    y_true, y_pred : array-like of float
        True and predicted values, of one shape.

    Returns
    -------
    float
        ``mean(|y_true - y_pred|)``, ``>= 0``.

    Examples
    --------
    >>> mae([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    0.5
    """
    true, pred = _pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(true - pred)))


def mse(y_true: Any, y_pred: Any) -> float:
    """Return the mean squared error.

    Parameters
    ----------
    y_true, y_pred : array-like of float
        True and predicted values, of one shape.

    Returns
    -------
    float
        ``mean((y_true - y_pred) ** 2)``, ``>= 0``.

    Examples
    --------
    >>> mse([1.0, 2.0, 3.0], [1.5, 2.0, 2.0])
    0.416...
    """
    true, pred = _pair(y_true, y_pred, "mse")
    return float(np.mean((true - pred) ** 2))


def rmse(y_true: Any, y_pred: Any) -> float:
    """Return the root mean squared error.

    Parameters
    ----------
    y_true, y_pred : array-like of float
        True and predicted values, of one shape.

    Returns
    -------
    float
        ``sqrt(mse)``, ``>= 0``, in the units of the data.

    Examples
    --------
    >>> rmse([0.0, 0.0], [3.0, -3.0])
    3.0
    """
    true, pred = _pair(y_true, y_pred, "rmse")
    return float(np.sqrt(np.mean((true - pred) ** 2)))


def smape(y_true: Any, y_pred: Any) -> float:
    """Return the symmetric mean absolute percentage error (M4), in percent.

    Parameters
    ----------
    y_true, y_pred : array-like of float
        True and predicted values, of one shape.

    Returns
    -------
    float
        ``mean(200 * |y - f| / (|y| + |f|))`` in ``[0, 200]``. A step where
        both ``y`` and ``f`` are 0 is a perfect forecast and scores 0.

    References
    ----------
    Makridakis, Spiliotis and Assimakopoulos (2020), The M4 Competition,
    International Journal of Forecasting 36(1), equation (1).

    Examples
    --------
    >>> smape([100.0, 0.0], [110.0, 0.0])
    4.761...
    """
    true, pred = _pair(y_true, y_pred, "smape")
    denom = np.abs(true) + np.abs(pred)
    error = np.abs(true - pred)
    # the ratio is <= 1 even after rounding; scaling after it keeps <= 200
    ratio = np.divide(error, denom, out=np.zeros_like(error), where=denom > 0)
    return min(float(np.mean(200.0 * ratio)), 200.0)


def mase(y_true: Any, y_pred: Any, y_train: Any, season: int = 1) -> float:
    """Return the mean absolute scaled error of one series (M4).

    Parameters
    ----------
    y_true, y_pred : array-like of float
        True and forecast values over the horizon, of one shape.
    y_train : array-like of float, shape (T,)
        The in-sample (training) part of the same series.
    season : int, default=1
        Seasonal period ``m`` of the naive benchmark (1: the previous value).

    Returns
    -------
    float
        ``mean(|y - f|) / mean(|y_train[t] - y_train[t - m]|)``, ``>= 0``;
        below 1 beats the in-sample seasonal naive forecast.

    Raises
    ------
    DataError
        ``y_train`` no longer than ``season``, or constant at lag ``season``
        (the scale would be 0).

    Notes
    -----
    The scale is per series; to score many series, average their MASE.

    References
    ----------
    Makridakis, Spiliotis and Assimakopoulos (2020), The M4 Competition,
    International Journal of Forecasting 36(1), equation (2).

    Examples
    --------
    >>> mase([5.0, 6.0], [5.5, 5.5], [1.0, 2.0, 3.0, 4.0])
    0.5
    """
    who = "mase"
    true, pred = _pair(y_true, y_pred, who)
    check_int(who, "season", season, low=1, default=1, hint="for non-seasonal data")
    train = as_float(y_train, "y_train", who).ravel()
    if len(train) <= season:
        raise DataError(
            f"{who}: y_train needs more than season={season} values; got "
            f"{len(train)}. Pass a longer training series or a smaller season."
        )
    scale = float(np.mean(np.abs(train[season:] - train[:-season])))
    if scale == 0.0:
        raise DataError(
            f"{who}: y_train is constant at lag {season}, so the scale is 0 and "
            "MASE is undefined; got a scale of 0.0. Use mae or smape instead."
        )
    return float(np.mean(np.abs(true - pred))) / scale
