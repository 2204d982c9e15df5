"""ARIMA: seasonal ARIMA with automatic differencing and stepwise order search."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.exceptions import InvalidParameterError
from seqpred.models.forecast._estimation import ARIMA as KIND
from seqpred.models.forecast._estimation import (
    arima_residuals,
    arima_unpack,
    expand,
    from_partial,
    nelder_mead,
)
from seqpred.models.forecast._local import SEASON_LENGTH, LocalForecaster
from seqpred.models.forecast.seasonality import seasonal_strength

__all__ = ["ARIMA", "kpss_statistic", "n_diffs", "n_seasonal_diffs"]

_KPSS_5 = 0.463  # 5% critical value of the KPSS level-stationarity test
_STRENGTH = 0.64  # seasonal strength above which to difference seasonally
_TOL = 1e-8
_MAX_MODELS = 94  # stepwise search budget (R's auto.arima default)
_HEAD = 13  # packed fit: the fixed fields before the polynomials and history
Spec = tuple[int, int, int, int, int]  # p, q, P, Q, constant


def kpss_statistic(x: Any) -> float:
    """Return the KPSS statistic of level stationarity (Kwiatkowski et al. 1992).

    ``sum S_t^2 / (n^2 s^2)`` with ``S_t`` the partial sums of the
    deviations from the mean and ``s^2`` the Newey-West long-run variance
    with Bartlett weights over ``trunc(3 sqrt(n) / 13)`` lags (Hobijn,
    Franses and Ooms, 2004). Above 0.463, stationarity is rejected at 5%.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> kpss_statistic(rng.normal(size=200)) < 0.463
    True
    >>> kpss_statistic(np.cumsum(rng.normal(size=200))) > 0.463
    True
    """
    e = np.asarray(x, dtype=np.float64)
    e = e - e.mean()
    n = len(e)
    lags = int(3 * np.sqrt(n) / 13)
    variance = float(e @ e) / n
    for s in range(1, lags + 1):
        variance += 2 * (1 - s / (lags + 1)) * float(e[s:] @ e[:-s]) / n
    if variance <= 0:
        return 0.0
    return float(np.sum(np.cumsum(e) ** 2) / (n * n * variance))


def n_diffs(y: Any, max_d: int = 2) -> int:
    """Return how many differences make ``y`` level stationary (KPSS at 5%).

    Differences while the KPSS test rejects stationarity, at most ``max_d``
    times (and never down to fewer than 5 values or to a constant).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> n_diffs(rng.normal(size=100)), n_diffs(np.cumsum(rng.normal(size=100)))
    (0, 1)
    """
    x = np.asarray(y, dtype=np.float64)
    d = 0
    while d < max_d and len(x) > 5 and np.ptp(x) > 0:
        if kpss_statistic(x) <= _KPSS_5:
            break
        x = np.diff(x)
        d += 1
    return d


def n_seasonal_diffs(y: Any, season_length: int, max_d: int = 1) -> int:
    """Return 1 when the seasonal strength of ``y`` exceeds 0.64, else 0.

    The rule of *Forecasting: Principles and Practice* (section 9.5; R's
    ``nsdiffs``), with the strength of
    :func:`~seqpred.models.forecast.seasonality.seasonal_strength`.

    Examples
    --------
    >>> t = np.arange(60)
    >>> n_seasonal_diffs(np.sin(2 * np.pi * t / 12) + 0.01 * t, 12)
    1
    """
    m = int(season_length)
    if max_d < 1 or m < 2 or len(y) < 2 * m + 2:
        return 0
    return int(seasonal_strength(y, m) > _STRENGTH)


def _difference(y: Array, d: int, big_d: int, m: int) -> Array:
    for _ in range(big_d):
        y = y[m:] - y[:-m]
    for _ in range(d):
        y = np.diff(y)
    return y


class ARIMA(LocalForecaster):
    """Seasonal ARIMA per series, with orders chosen automatically by default.

    With ``order=None`` (the default) each series gets the Hyndman-Khandakar
    procedure: the seasonal difference when the seasonal strength exceeds
    0.64, then as many differences as the KPSS test asks for (at most 2),
    then a stepwise search over ``(p, q)(P, Q)`` (and a constant when at most
    one difference was taken) minimising AICc. A given ``order`` (and
    ``seasonal_order``) fits that one model.

    Parameters
    ----------
    order : tuple of 3 ints or None, default=None
        ``(p, d, q)`` to fit exactly; None searches.
    seasonal_order : tuple of 3 ints or None, default=None
        ``(P, D, Q)`` with ``order``; None: ``(0, 0, 0)``.
    season_length : "auto", int or None, default="auto"
        Steps per cycle (12 for monthly data); "auto" reads it from a
        datetime index, else detects it per series from the
        autocorrelations; None or 1: no seasonal part.
    max_p, max_q : int, default=5
        Largest non-seasonal AR and MA orders searched.
    max_seasonal_p, max_seasonal_q : int, default=2
        Largest seasonal AR and MA orders searched.
    stepwise : bool, default=True
        Search stepwise (fast); False fits every model with ``p + q + P +
        Q <= 5`` within the bounds.
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    orders_ : ndarray of shape (n_channels, 7)
        ``p, d, q, P, D, Q, constant`` of each channel's model.
    aicc_ : ndarray of shape (n_channels,)
        AICc of each channel's model (NaN for the naive fall-back).
    sigma_ : ndarray of shape (n_channels,)
        Innovations standard deviation.
    season_lengths_ : ndarray of shape (n_channels,)
        The season length each channel was fitted with.
    fits_, fit_offsets_ : ndarray
        Packed per-channel fits (internal layout).
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    Parameters are estimated by conditional sum of squares (CSS, Box,
    Jenkins and Reinsel, section 7.1; conditional on the first ``p + m P``
    differenced values, residuals before them zero) with a compiled
    Nelder-Mead over partial autocorrelations (``tanh`` of free numbers,
    so AR parts are stationary and MA parts invertible); a model with a
    root within 1.01 of the unit circle is rejected, as in R's
    ``auto.arima``. The likelihood is the CSS one (the residual variance
    over all differenced steps, as R's ``arima(method="CSS")``), not the
    exact likelihood, which is slower and differs most for short series.
    The stepwise search starts from ``(2,2)(1,1)``, ``(0,0)(0,0)``,
    ``(1,0)(1,0)`` and ``(0,1)(0,1)``, and moves to the best of the
    neighbours (one order or one pair of orders changed by 1, the constant
    toggled) while AICc falls, at most 94 models. A seasonal part needs two
    full cycles. Series of fewer than 4 steps and constant ones get the
    naive forecast.

    Intervals use the psi weights of the whole model, differences included:
    ``sigma^2 sum_{j<h} psi_j^2``. ``predict(X)`` fits every history of ``X``
    anew.

    References
    ----------
    .. [1] R. J. Hyndman, Y. Khandakar, "Automatic time series forecasting:
       the forecast package for R", Journal of Statistical Software 27(3),
       2008.
    .. [2] G. E. P. Box, G. M. Jenkins, G. C. Reinsel, *Time Series
       Analysis*, 4th ed.
    .. [3] D. Kwiatkowski, P. C. B. Phillips, P. Schmidt, Y. Shin, "Testing
       the null hypothesis of stationarity against the alternative of a unit
       root", Journal of Econometrics 54, 1992.
    .. [4] R. H. Jones, "Maximum likelihood fitting of ARMA models to time
       series with missing observations", Technometrics 22(3), 1980.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> e = rng.normal(size=301)
    >>> y = 5 + e[1:] + 0.6 * e[:-1]  # an MA(1) around 5
    >>> model = ARIMA(season_length=1, horizon=2).fit([y])
    >>> model.orders_[0].tolist()  # p, d, q, P, D, Q, constant
    [0, 0, 1, 0, 0, 0, 1]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "order": [None, tuple],
        "seasonal_order": [None, tuple],
        "season_length": SEASON_LENGTH,
        "max_p": [Interval(int, 0, None)],
        "max_q": [Interval(int, 0, None)],
        "max_seasonal_p": [Interval(int, 0, None)],
        "max_seasonal_q": [Interval(int, 0, None)],
        "stepwise": [bool],
        "horizon": [Interval(int, 1, None)],
    }

    def __init__(
        self,
        order: tuple[int, int, int] | None = None,
        *,
        seasonal_order: tuple[int, int, int] | None = None,
        season_length: int | str | None = "auto",
        max_p: int = 5,
        max_q: int = 5,
        max_seasonal_p: int = 2,
        max_seasonal_q: int = 2,
        stepwise: bool = True,
        horizon: int = 1,
    ) -> None:
        self.order = order
        self.seasonal_order = seasonal_order
        self.season_length = season_length
        self.max_p = max_p
        self.max_q = max_q
        self.max_seasonal_p = max_seasonal_p
        self.max_seasonal_q = max_seasonal_q
        self.stepwise = stepwise
        self.horizon = horizon

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"season_length": 4, "horizon": 2, "max_p": 2, "max_q": 2},
            {"order": (1, 1, 1), "season_length": 1},
        ]

    def _fit(self, ss: Any) -> None:
        self._check_orders()
        super()._fit(ss)
        fits = self._channel_fits()
        self.orders_ = np.array(
            [[f[0], f[5], f[1], f[2], f[6], f[3], f[7]] for f in fits], dtype=np.int64
        ).reshape(-1, 7)
        self.aicc_ = np.array([f[8] for f in fits])
        self.sigma_ = np.array([f[9] for f in fits])

    def _check_orders(self) -> None:
        for name in ("order", "seasonal_order"):
            value = getattr(self, name)
            if value is None:
                continue
            ok = len(value) == 3 and all(
                isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v >= 0
                for v in value
            )
            if not ok:
                raise InvalidParameterError(
                    f"ARIMA: {name} must be None or a tuple of three ints >= 0; got "
                    f"{value!r}. Use {name}=(1, 1, 1), or None to search."
                )
        if self.seasonal_order is not None and self.order is None:
            raise InvalidParameterError(
                f"ARIMA: seasonal_order={self.seasonal_order!r} needs order too; "
                "got order=None. Pass order=(p, d, q), or drop seasonal_order "
                "to search both."
            )

    # -- one channel
    def _fit_channel(self, y: Array, m: int) -> Array:
        n = len(y)
        scale = float(np.mean(np.abs(y)))
        if n < 4 or np.ptp(y) == 0 or scale == 0:
            return _naive_pack(y)
        z = y / scale
        seasonal_ok = m > 1 and n >= 2 * m + 2
        m = m if seasonal_ok else 1
        if self.order is not None:
            p, d, q = (int(v) for v in self.order)
            sp, big_d, sq = (int(v) for v in (self.seasonal_order or (0, 0, 0)))
            if m == 1:
                sp, big_d, sq = 0, 0, 0
            w = _difference(z, d, big_d, m)
            fitted = _fit_spec(w, (p, q, sp, sq, int(d + big_d == 0)), m)
        else:
            big_d = n_seasonal_diffs(z, m) if m > 1 else 0
            d = n_diffs(_difference(z, 0, big_d, m))
            w = _difference(z, d, big_d, m)
            fitted = self._search(w, m, allow_constant=d + big_d <= 1)
        if fitted is None:
            return _naive_pack(y)
        return _pack(z, w, fitted, m, d, big_d, scale)

    def _search(self, w: Array, m: int, allow_constant: bool) -> Any:
        seasonal = m > 1
        limits = (
            int(self.max_p),
            int(self.max_q),
            int(self.max_seasonal_p) if seasonal else 0,
            int(self.max_seasonal_q) if seasonal else 0,
        )
        c = int(allow_constant)
        tried: dict[Spec, Any] = {}

        def fit(spec: Spec) -> Any:
            if spec not in tried:
                tried[spec] = _fit_spec(w, spec, m)
            return tried[spec]

        def within(spec: Spec) -> bool:
            return all(0 <= spec[i] <= limits[i] for i in range(4))

        if not self.stepwise:
            for spec in _all_specs(limits, c):
                fit(spec)
            return _best(tried)
        starts = [(2, 2, 1, 1, c), (0, 0, 0, 0, c), (1, 0, 1, 0, c), (0, 1, 0, 1, c)]
        if c:
            starts.append((0, 0, 0, 0, 0))
        for p, q, sp, sq, k in starts:
            fit(
                (
                    min(p, limits[0]),
                    min(q, limits[1]),
                    min(sp, limits[2]),
                    min(sq, limits[3]),
                    k,
                )
            )
        current = _best_spec(tried)
        while current is not None and len(tried) < _MAX_MODELS:
            candidates = [s for s in _neighbours(current, allow_constant) if within(s)]
            for spec in candidates:
                if len(tried) >= _MAX_MODELS:
                    break
                fit(spec)
            best = _best_spec(tried)
            if best == current:
                break
            current = best
        return _best(tried)

    def _forecast_channel(self, fit: Array, horizon: int) -> tuple[Array, Array]:
        intercept, sigma = fit[10], fit[9]
        n_ar, n_ma = int(fit[11]), int(fit[12])
        k = _HEAD
        full_ar = fit[k : k + n_ar]
        k += n_ar
        b = fit[k : k + n_ma]
        k += n_ma
        history = list(fit[k : k + n_ar])
        k += n_ar
        errors = list(fit[k : k + n_ma])
        mean = np.empty(horizon)
        for h in range(horizon):
            value = intercept
            for i in range(n_ar):
                value += full_ar[i] * history[-1 - i]
            for j in range(n_ma):
                value += b[j] * errors[-1 - j]
            mean[h] = value
            history.append(value)
            errors.append(0.0)
        psi = psi_weights(full_ar, b, horizon)
        return mean, sigma * np.sqrt(np.cumsum(psi**2))


def _all_specs(limits: tuple[int, int, int, int], c: int) -> list[Spec]:
    out: list[Spec] = []
    for p in range(limits[0] + 1):
        for q in range(limits[1] + 1):
            for sp in range(limits[2] + 1):
                for sq in range(limits[3] + 1):
                    if p + q + sp + sq <= 5:
                        out.extend((p, q, sp, sq, k) for k in range(c + 1))
    return out


def _neighbours(spec: Spec, allow_constant: bool) -> list[Spec]:
    p, q, sp, sq, c = spec
    moves = [
        (1, 0, 0, 0), (-1, 0, 0, 0), (0, 1, 0, 0), (0, -1, 0, 0),
        (1, 1, 0, 0), (-1, -1, 0, 0), (1, -1, 0, 0), (-1, 1, 0, 0),
        (0, 0, 1, 0), (0, 0, -1, 0), (0, 0, 0, 1), (0, 0, 0, -1),
        (0, 0, 1, 1), (0, 0, -1, -1), (0, 0, 1, -1), (0, 0, -1, 1),
    ]  # fmt: skip
    out: list[Spec] = [(p + a, q + b, sp + s, sq + t, c) for a, b, s, t in moves]
    if allow_constant:
        out.append((p, q, sp, sq, 1 - c))
    return out


def _best_spec(tried: dict[Spec, Any]) -> Spec | None:
    valid = [(f[0], spec) for spec, f in tried.items() if f is not None]
    return min(valid)[1] if valid else None


def _best(tried: dict[Spec, Any]) -> Any:
    spec = _best_spec(tried)
    return None if spec is None else tried[spec]


def _roots_ok(coef: Array, power: int) -> bool:
    """Whether ``1 - sum coef_i z^(power i)`` has all roots beyond 1.01."""
    if len(coef) == 0 or not np.any(coef):
        return True
    poly = np.concatenate([[1.0], -coef])[::-1]  # highest power first
    roots = np.roots(poly)
    return bool(np.all(np.abs(roots) ** (1.0 / power) > 1.01))


def _fit_spec(w: Array, spec: Spec, m: int) -> Any:
    """Fit one model by CSS; return ``(aicc, spec, a, b, mu, sigma2)`` or None."""
    p, q, sp, sq, constant = spec
    n = len(w)
    k = p + q + sp + sq + constant
    start = p + m * sp
    if n - start < k + 3:
        return None
    ints = np.array([p, q, sp, sq, m, constant], dtype=np.int64)
    mean = float(w.mean())
    x = np.zeros(p + sp + q + sq + constant)
    steps = np.full(len(x), 0.5)
    if constant:
        x[-1] = mean
        steps[-1] = max(0.1 * float(np.std(w)), 1e-3)
    floats = np.array([0.0])
    if len(x):
        x, value, _ = nelder_mead(KIND, x, steps, w, ints, floats, 300 * len(x), _TOL)
    a, b, mu = arima_unpack(x, ints, 0.0)
    parts = [
        (from_partial(x[:p]), 1),
        (from_partial(x[p : p + sp]), m),
        (-from_partial(x[p + sp : p + sp + q]), 1),
        (-from_partial(x[p + sp + q : p + sp + q + sq]), m),
    ]
    if not all(
        _roots_ok(c if i < 2 else -c, power) for i, (c, power) in enumerate(parts)
    ):
        return None
    e, first = arima_residuals(w, a, b, mu)
    sigma2 = max(float(np.mean(e[first:] ** 2)), 1e-16)
    loglik2 = n * (np.log(2 * np.pi * sigma2) + 1)
    big_k = k + 1
    aicc = loglik2 + 2 * big_k + 2 * big_k * (big_k + 1) / max(n - big_k - 1, 1)
    return float(aicc), spec, a, b, mu, sigma2


def _pack(
    z: Array, w: Array, fitted: Any, m: int, d: int, big_d: int, scale: float
) -> Array:
    """Pack a fitted model for forecasting ``y = z * scale`` in data units."""
    aicc, spec, a, b, mu, sigma2 = fitted
    p, q, sp, sq, constant = spec
    diff_poly = expand(_pascal(d), _pascal(big_d), m, -1.0)  # the differences
    full_ar = _multiply_ar(a, diff_poly)
    intercept = mu * (1 - a.sum()) if constant else 0.0
    e, _ = arima_residuals(w, a, b, mu)
    history = _tail(z, len(full_ar)) * scale
    errors = _tail(e, len(b)) * scale
    head = [
        p, q, sp, sq, m, d, big_d, constant,
        aicc + 2 * len(w) * np.log(scale), np.sqrt(sigma2) * scale,
        intercept * scale, len(full_ar), len(b),
    ]  # fmt: skip
    return np.concatenate([head, full_ar, b, history, errors])


def _pascal(d: int) -> Array:
    """Coefficients ``c`` of ``(1 - B)^d = 1 - sum c_i B^i``."""
    poly = np.array([1.0])
    for _ in range(d):
        poly = np.convolve(poly, [1.0, -1.0])
    return -poly[1:]


def _multiply_ar(a: Array, c: Array) -> Array:
    """Coefficients of ``(1 - sum a B^i)(1 - sum c B^i)`` as ``1 - sum out B^i``."""
    left = np.concatenate([[1.0], -a])
    right = np.concatenate([[1.0], -c])
    return np.asarray(-np.convolve(left, right)[1:])


def _tail(x: Array, k: int) -> Array:
    out = np.zeros(k)
    if k:
        take = x[-k:]
        out[k - len(take) :] = take
    return out


def psi_weights(full_ar: Array, b: Array, horizon: int) -> Array:
    """Return ``psi_0 .. psi_{h-1}`` of ``(1 + sum b B^j) / (1 - sum full_ar B^i)``.

    Examples
    --------
    >>> psi_weights(np.array([1.0]), np.zeros(0), 3).tolist()  # random walk
    [1.0, 1.0, 1.0]
    """
    psi = np.zeros(horizon)
    psi[0] = 1.0
    for j in range(1, horizon):
        value = b[j - 1] if j - 1 < len(b) else 0.0
        reach = min(j, len(full_ar))
        value += float(full_ar[:reach] @ psi[j - 1 :: -1][:reach])
        psi[j] = value
    return psi


def _naive_pack(y: Array) -> Array:
    """Pack the random walk ARIMA(0,1,0), with sigma from the changes."""
    sigma = float(np.sqrt(np.mean(np.diff(y) ** 2))) if len(y) > 1 else 0.0
    head = [0, 0, 0, 0, 1, 1, 0, 0, np.nan, sigma, 0.0, 1, 0]
    return np.array([*head, 1.0, float(y[-1])])
