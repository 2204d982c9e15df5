"""Theta: the theta method and its optimised and dynamic state-space forms."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.models.forecast._estimation import THETA as KIND
from seqpred.models.forecast._estimation import (
    THETA_ALPHA,
    nelder_mead,
    theta_decode,
    theta_run,
)
from seqpred.models.forecast._local import SEASON_LENGTH, LocalForecaster
from seqpred.models.forecast.naive2 import seasonal_indices

__all__ = ["Theta"]

METHODS = ("standard", "optimised", "dynamic-standard", "dynamic-optimised")
_TOL = 1e-10
_HEAD = 9  # packed fit: the fixed fields before the seasonal indices


class Theta(LocalForecaster):
    """The theta method: SES plus a share of the linear trend, per series.

    Each series is tested for seasonality (the 90% autocorrelation test of
    the M competitions) and, if seasonal, divided by multiplicative indices
    from a classical decomposition; the adjusted series is forecast by
    ``l_n + (1 - 1/theta) [(1 - alpha)^n A + ((h - 1) + (1 - (1 -
    alpha)^(n + 1)) / alpha) B]`` (``l_n`` simple exponential smoothing,
    ``A + B t`` the series' least-squares line) and multiplied back. With
    ``theta = 2`` this is the classic theta method (half the line, half SES
    of the doubled curvature; the M3 winner); the optimised and dynamic
    forms are Fiorucci et al.'s (2016) state-space models.

    Parameters
    ----------
    method : {"auto", "standard", "optimised", "dynamic-standard", \
"dynamic-optimised"}, default="dynamic-optimised"
        "standard": ``theta = 2`` with ``alpha`` and the initial level fitted
        (STM); "optimised": ``theta >= 1`` fitted too (OTM); the "dynamic"
        forms score each in-sample step with the line of the values before
        it, the way forecasts are made (DSTM, DOTM); "auto": the form of
        least in-sample mean squared error.
    season_length : "auto", int or None, default="auto"
        Steps per cycle (12 for monthly data); "auto" reads it from a
        datetime index, else detects it per series from the
        autocorrelations; None or 1: no seasonal adjustment.
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    methods_ : list of str
        The form fitted to each channel (series x feature).
    params_ : ndarray of shape (n_channels, 3)
        ``alpha``, ``theta`` and the in-sample RMS error per channel.
    seasonal_ : ndarray of shape (n_channels,), dtype bool
        Whether each channel was seasonally adjusted.
    season_lengths_ : ndarray of shape (n_channels,)
        The season length each channel was tested with.
    fits_, fit_offsets_ : ndarray
        Packed per-channel fits (internal layout).
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    ``alpha`` (in (0.001, 0.999)), the initial level and an optimised
    ``theta`` minimise the in-sample mean squared one-step error (a
    compiled Nelder-Mead). The interval is that of SES on the adjusted
    series, ``sigma sqrt(1 + (h - 1) alpha^2)`` (the line is treated as
    known), times the seasonal index. Non-positive series are not
    seasonally adjusted. Fewer than 4 steps, or a constant series, give the
    naive forecast. ``predict(X)`` fits every history of ``X`` anew.

    References
    ----------
    .. [1] V. Assimakopoulos, K. Nikolopoulos, "The theta model: a
       decomposition approach to forecasting", International Journal of
       Forecasting 16(4), 2000.
    .. [2] R. J. Hyndman, B. Billah, "Unmasking the Theta method",
       International Journal of Forecasting 19(2), 2003.
    .. [3] J. A. Fiorucci, T. R. Pellegrini, F. Louzada, F. Petropoulos,
       A. B. Koehler, "Models for optimising the theta method and their
       relationship to state space models", International Journal of
       Forecasting 32(4), 2016.

    Examples
    --------
    >>> import numpy as np
    >>> y = 10 + 0.5 * np.arange(30) + np.random.default_rng(0).normal(0, 0.2, 30)
    >>> model = Theta(method="standard", season_length=1, horizon=3).fit([y])
    >>> float(model.params_[0, 1])  # theta
    2.0
    >>> np.round(model.predict()[0, :, 0], 1).tolist()
    [24.8, 25.0, 25.3]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "method": [Options({"auto", *METHODS})],
        "season_length": SEASON_LENGTH,
        "horizon": [Interval(int, 1, None)],
    }

    def __init__(
        self,
        method: str = "dynamic-optimised",
        *,
        season_length: int | str | None = "auto",
        horizon: int = 1,
    ) -> None:
        self.method = method
        self.season_length = season_length
        self.horizon = horizon

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"season_length": 4, "horizon": 2}, {"method": "auto"}]

    def _min_cycles(self) -> float:
        return 3.0  # the seasonality test needs three cycles

    def _fit(self, ss: Any) -> None:
        super()._fit(ss)
        fits = self._channel_fits()
        self.methods_ = [METHODS[int(f[0])] for f in fits]
        self.params_ = np.array([[f[1], f[2], f[6]] for f in fits]).reshape(-1, 3)
        self.seasonal_ = np.array([bool(np.any(f[_HEAD:] != 1.0)) for f in fits])

    def _fit_channel(self, y: Array, m: int) -> Array:
        n = len(y)
        index = seasonal_indices(y, m) if m > 1 else np.ones(1)
        adjusted = y / index[np.arange(n) % len(index)]
        scale = float(np.mean(np.abs(adjusted)))
        if n < 4 or np.ptp(adjusted) == 0 or scale == 0:
            sigma = float(np.sqrt(np.mean(np.diff(y) ** 2))) if n > 1 else 0.0
            head = [0, THETA_ALPHA[1], 1.0, y[-1], y[-1], 0.0, sigma, n, 1]
            return np.array([*head, 1.0])
        z = adjusted / scale
        forms = range(len(METHODS)) if self.method == "auto" else [self._form()]
        best = min(_fit_form(z, form) for form in forms)
        mse, form, alpha, theta, level, a, b = best
        sigma = np.sqrt(mse) * scale
        head = [form, alpha, theta, level * scale, a * scale, b * scale, sigma, n]
        return np.array([*head, len(index), *index])

    def _form(self) -> int:
        return METHODS.index(self.method)

    def _forecast_channel(self, fit: Array, horizon: int) -> tuple[Array, Array]:
        alpha, theta, level, a, b, sigma = fit[1:7]
        n, m = int(fit[7]), int(fit[8])
        h = np.arange(1, horizon + 1)
        bracket = (1 - alpha) ** n * a + (
            (h - 1) + (1 - (1 - alpha) ** (n + 1)) / alpha
        ) * b
        index = fit[_HEAD:][(n + h - 1) % m]
        mean = (level + (1 - 1 / theta) * bracket) * index
        std = sigma * np.sqrt(1 + (h - 1) * alpha**2) * index
        return mean, std


def _fit_form(
    y: Array, form: int
) -> tuple[float, int, float, float, float, float, float]:
    """Fit one form; return ``(MSE, form, alpha, theta, l_n, A, B)``."""
    dynamic, optimise = int(form >= 2), int(form % 2 == 1)
    x = [0.0, float(y[0])]
    steps = [1.0, max(0.1 * float(np.std(y)), 1e-3)]
    if optimise:
        x.append(0.0)  # theta = 2
        steps.append(1.0)
    ints = np.array([dynamic, optimise], dtype=np.int64)
    floats = np.array([2.0])
    best, mse, _ = nelder_mead(
        KIND, np.array(x), np.array(steps), y, ints, floats, 400 * len(x), _TOL
    )
    alpha, level, theta = theta_decode(best, optimise, 2.0)
    sse, count, level, a, b = theta_run(y, alpha, theta, level, dynamic)
    return float(sse / max(count, 1)), form, alpha, theta, level, a, b
