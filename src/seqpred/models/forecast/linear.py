"""Linear models on lookback windows: AR by least squares and DLinear.

Both are global (one set of weights for every series) and channel
independent (each feature of each series is a univariate channel), fitted
in closed form. The forecast strategy is a parameter:

``"recursive"``
    learn the next value; feed forecasts back for later steps;
``"direct"``
    one regression per step ``k``, each on every window that knows step ``k``;
``"multi-output"``
    one regression from the window to all ``horizon`` steps at once.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.models.forecast._linear_base import (
    COMMON_CONSTRAINTS,
    LinearWindowForecaster,
)

__all__ = ["AR", "DLinear", "moving_average_matrix"]


def moving_average_matrix(length: int, kernel: int) -> Array:
    """Return ``A`` ``(length, length)``: ``x @ A.T`` is the moving average of ``x``.

    The average is centred over ``kernel`` steps, with the first and last
    values repeated at the edges (DLinear's series decomposition).

    Examples
    --------
    >>> (np.array([[0.0, 3.0, 6.0]]) @ moving_average_matrix(3, 3).T).tolist()
    [[1.0, 3.0, 5.0]]
    """
    front = (kernel - 1) // 2
    index = np.arange(length)[:, None] + np.arange(kernel)[None, :] - front
    index = np.clip(index, 0, length - 1)  # repeat the edge values
    matrix = np.zeros((length, length))
    np.add.at(matrix, (np.repeat(np.arange(length), kernel), index.ravel()), 1.0)
    return matrix / kernel


class AR(LinearWindowForecaster):
    """Autoregression of order ``p`` fitted by (ridge) least squares.

    ``y_t = c + a_1 y_{t-1} + ... + a_p y_{t-p} + e_t``, one set of
    coefficients for every series and feature (a global, channel-independent
    model), fitted on every window of the training series.

    Parameters
    ----------
    order : int, default=2
        The number of lags ``p`` (of lag-``m`` differences when
        ``season_length=m`` is set; the window is then ``p + m`` steps).
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise, and the
        steps the direct and multi-output strategies learn.
    strategy : {"recursive", "direct", "multi-output"}, default="recursive"
        How to forecast more than one step (see the module docstring).
    season_length : int, "auto" or None, default=None
        None: regress the values themselves. An int ``m``: regress the change
        from the seasonal-naive forecast (the value ``m`` steps earlier, the
        last season repeated) on the window's lag-``m`` differences, so the
        model shrinks towards seasonal naive (``m=1``: a global ARIMA(p, 1, 0)).
        "auto": the period most channels show (from a datetime index or the
        autocorrelations; None when fewer than half have one), in
        ``season_length_``.
    alpha : float, default=0.0
        Ridge penalty per training window on the weights (0: ordinary least
        squares; the intercept is never penalised).
    scaling : {"auto", "none", "mean", "standard", "seasonal"}, default="auto"
        Per-window scaling before the regression, so one model serves series
        of any level: none, division by the window's mean absolute value, its
        own z-score, or division by its mean absolute change over
        ``season_length`` steps (1 if None), the scale of MASE. "auto" is
        mean for several positive training series without covariates (a
        shared intercept on raw values pulls every series towards one
        level), else none.
    scale_floor : float, default=0.0
        Added to each window's scale (not with ``scaling="none"``), in the
        units after ``transform``; it keeps nearly constant windows from
        dominating the fit.
    transform : {"none", "log", "sqrt"}, default="none"
        Applied to the values before everything else and inverted after the
        forecast (the point forecast is then the median; the std comes from
        the delta method). "log" needs positive data, "sqrt" non-negative.

    Attributes
    ----------
    coef_ : ndarray of shape (order + season_length, width)
        Weights of the window's values, oldest first, per learned step
        (``width`` is 1 for the recursive strategy, else ``horizon``).
    intercept_ : ndarray of shape (width,)
        The constant of each learned step.
    residual_std_ : ndarray of shape (width,)
        In-sample RMS error of each learned step (scaled units).
    covariate_coef_ : ndarray of shape (n_covariates_, width)
        Weights of the covariate row of each learned step's target step.
    static_coef_ : ndarray of shape (n_static_, width)
        Weights of the series' static features, per learned step.
    n_covariates_, n_static_ : int
        Covariate columns and static features the model was fitted with
        (0: none; see ``fit(series, covariates=..., static=...)``).
    train_static_ : ndarray of shape (n_sequences_, n_static_)
        The training series' static features, reused by ``predict()``.
    scaling_ : str
        The scaling used ("auto" resolved).
    season_length_ : int or None
        The season found by ``season_length="auto"`` (only then).
    n_windows_ : int
        Training windows used.
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    Cost ``O(windows p^2 + p^3)``: the normal equations are accumulated per
    channel. A history needs at least ``order`` steps. Recursive intervals
    use the psi weights of the fitted AR, ``sigma^2 sum_j psi_j^2``. A
    forecast that runs away from its history (an explosive fit) is replaced
    by the naive forecast, with a ``FallbackWarning`` (the guard of
    :mod:`seqpred.models.forecast.base`).

    Known-future covariates ``(steps, C)`` per series and static features
    ``(N, S)`` are optional extra regressors (an ARX model): learned step
    ``k`` reads the covariate row of its target step and the static row.
    They enter unscaled, so with ``scaling`` other than ``"none"`` (or a
    ``transform``) their effect is in the scaled (transformed) units of
    each window. Like the lag weights, their weights are shared by every
    series and feature (channel). They are treated as exactly known, so the
    recursive intervals do not widen for them.

    References
    ----------
    .. [1] G. E. P. Box, G. M. Jenkins, G. C. Reinsel, *Time Series
       Analysis*, 4th ed., chapter 3.

    Examples
    --------
    >>> import numpy as np
    >>> y = [1.0, 2.0]
    >>> for _ in range(20):
    ...     y.append(1.2 * y[-1] - 0.5 * y[-2] + 1.0)
    >>> model = AR(order=2).fit([np.array(y)])
    >>> model.coef_[:, 0].round(6).tolist(), round(float(model.intercept_[0]), 6)
    ([-0.5, 1.2], 1.0)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "order": [Interval(int, 1, None)],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        order: int = 2,
        *,
        horizon: int = 1,
        strategy: str = "recursive",
        season_length: int | str | None = None,
        alpha: float = 0.0,
        scaling: str = "auto",
        scale_floor: float = 0.0,
        transform: str = "none",
    ) -> None:
        self.order = order
        self.horizon = horizon
        self.strategy = strategy
        self.season_length = season_length
        self.alpha = alpha
        self.scaling = scaling
        self.scale_floor = scale_floor
        self.transform = transform

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"order": 3},
            {"order": 4, "horizon": 3, "strategy": "direct", "scaling": "standard"},
            {"order": 2, "horizon": 2, "strategy": "multi-output", "alpha": 0.1},
            {"order": 2, "season_length": 4, "scaling": "seasonal", "scale_floor": 0.1},
        ]

    def _lookback(self) -> int:
        return int(self.order) + (self._season() or 0)

    def _feature_map(self, length: int) -> Array:
        return np.eye(length)


class DLinear(LinearWindowForecaster):
    """DLinear: linear maps of a window's trend and remainder to the horizon.

    Each lookback window is split into a trend (its centred moving average,
    edges repeated) and a remainder; one linear map of each, summed, gives
    the forecast. Fitted here in closed form by ridge least squares on the
    mean squared error (the paper trains the same model with Adam), one set
    of weights for every series and channel.

    Parameters
    ----------
    lookback : int, default=96
        Steps of history each forecast reads (the paper uses 336); with
        ``season_length=m`` the trend and remainder are those of the window's
        ``lookback - m`` lag-``m`` differences.
    moving_average : int, default=25
        Width of the moving average that gives the trend.
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise, and the
        steps the direct and multi-output strategies learn.
    strategy : {"recursive", "direct", "multi-output"}, default="multi-output"
        How to forecast more than one step (see the module docstring).
    season_length : int, "auto" or None, default=None
        None: regress the values themselves. An int ``m``: regress the change
        from the seasonal-naive forecast (the value ``m`` steps earlier, the
        last season repeated) on the window's lag-``m`` differences, so the
        model shrinks towards seasonal naive (``m=1``: a global ARIMA(p, 1, 0)).
        "auto": the period most channels show (from a datetime index or the
        autocorrelations; None when fewer than half have one), in
        ``season_length_``.
    alpha : float, default=0.0001
        Ridge penalty per training window on the weights (the trend and
        remainder maps are collinear, so the penalty chooses between them).
    scaling : {"none", "auto", "mean", "standard", "seasonal"}, default="none"
        Per-window scaling before the regression, so one model serves series
        of any level: none, division by the window's mean absolute value, its
        own z-score, or division by its mean absolute change over
        ``season_length`` steps (1 if None), the scale of MASE. "auto" is
        mean for several positive training series without covariates, else
        none.
    scale_floor : float, default=0.0
        Added to each window's scale (not with ``scaling="none"``), in the
        units after ``transform``; it keeps nearly constant windows from
        dominating the fit.
    transform : {"none", "log", "sqrt"}, default="none"
        Applied to the values before everything else and inverted after the
        forecast (the point forecast is then the median; the std comes from
        the delta method). "log" needs positive data, "sqrt" non-negative.

    Attributes
    ----------
    coef_ : ndarray of shape (lookback, width)
        The combined map from a window's values, oldest first, to each
        learned step (``width`` is 1 for the recursive strategy, else
        ``horizon``).
    intercept_ : ndarray of shape (width,)
        The constant of each learned step.
    residual_std_ : ndarray of shape (width,)
        In-sample RMS error of each learned step (scaled units).
    covariate_coef_ : ndarray of shape (n_covariates_, width)
        Weights of the covariate row of each learned step's target step.
    static_coef_ : ndarray of shape (n_static_, width)
        Weights of the series' static features, per learned step.
    n_covariates_, n_static_ : int
        Covariate columns and static features the model was fitted with
        (0: none; see ``fit(series, covariates=..., static=...)``).
    train_static_ : ndarray of shape (n_sequences_, n_static_)
        The training series' static features, reused by ``predict()``.
    scaling_ : str
        The scaling used ("auto" resolved).
    season_length_ : int or None
        The season found by ``season_length="auto"`` (only then).
    n_windows_ : int
        Training windows used.
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    The model is linear in the window, so after fitting the two maps fold
    into one (``coef_``). Cost ``O(windows L^2 + L^3)`` with ``L`` the
    lookback; a history needs at least ``lookback`` steps.

    Known-future covariates and static features are optional extra
    regressors, as for :class:`AR` (see ``fit``).

    References
    ----------
    .. [1] A. Zeng, M. Chen, L. Zhang, Q. Xu, "Are Transformers Effective
       for Time Series Forecasting?", AAAI 2023.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(200)
    >>> y = np.sin(2 * np.pi * t / 12) + 0.01 * t
    >>> model = DLinear(lookback=24, horizon=6).fit([y])
    >>> ahead = np.arange(200, 206)
    >>> future = np.sin(2 * np.pi * ahead / 12) + 0.01 * ahead
    >>> bool(np.abs(model.predict()[0, :, 0] - future).max() < 1e-3)
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "lookback": [Interval(int, 1, None)],
        "moving_average": [Interval(int, 1, None)],
        **COMMON_CONSTRAINTS,
    }

    def __init__(
        self,
        lookback: int = 96,
        *,
        moving_average: int = 25,
        horizon: int = 1,
        strategy: str = "multi-output",
        season_length: int | str | None = None,
        alpha: float = 0.0001,
        scaling: str = "none",
        scale_floor: float = 0.0,
        transform: str = "none",
    ) -> None:
        self.lookback = lookback
        self.moving_average = moving_average
        self.horizon = horizon
        self.strategy = strategy
        self.season_length = season_length
        self.alpha = alpha
        self.scaling = scaling
        self.scale_floor = scale_floor
        self.transform = transform

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"lookback": 8, "moving_average": 3, "horizon": 3},
            {"lookback": 6, "moving_average": 5, "strategy": "recursive"},
            {"lookback": 8, "season_length": 3, "horizon": 2, "strategy": "direct"},
        ]

    def _lookback(self) -> int:
        return int(self.lookback)

    def _fits_season(self, m: int) -> bool:
        return m < int(self.lookback)

    def _feature_map(self, length: int) -> Array:
        trend = moving_average_matrix(length, int(self.moving_average)).T
        return np.hstack([np.eye(length) - trend, trend])  # (L, 2L)
