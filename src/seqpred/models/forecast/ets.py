"""ETS: exponential smoothing state-space models with automatic model choice."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.exceptions import DataError
from seqpred.models.forecast._estimation import ETS as KIND
from seqpred.models.forecast._estimation import (
    ETS_ALPHA,
    ETS_PHI,
    ets_decode,
    ets_filter,
    nelder_mead,
)
from seqpred.models.forecast._ets_kernels import (
    class_one_std,
    point_forecast,
    simulate_std,
)
from seqpred.models.forecast._local import SEASON_LENGTH, LocalForecaster

__all__ = ["ETS"]

_ERRORS = {"additive": 0, "multiplicative": 1}
_TRENDS = {"none": 0, "additive": 1, "damped": 2}
_SEASONS = {"none": 0, "additive": 1, "multiplicative": 2}
_LETTERS = ("N", "A", "Ad", "M")
_PATHS = 1000  # simulated paths for the intervals of non-linear models
_HEAD = 13  # one packed model: the fixed fields before its seasonal ring
_TOL = 1e-8  # Nelder-Mead's relative tolerance on the objective
_MIN_WEIGHT = 1e-3  # Akaike weights below this (relative) are dropped
_NONE = np.zeros(0)


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


@lru_cache(maxsize=8)
def _draws(horizon: int) -> Array:
    """Return standard normal draws ``(h, P)``; row ``k`` does not depend on ``h``."""
    draws = np.random.default_rng(0).standard_normal((horizon, _PATHS))
    draws.flags.writeable = False
    return draws


def _name(error: int, trend: int, season: int) -> str:
    letters = ("A", "M")[error], _LETTERS[trend], ("N", "A", "M")[season]
    return "ETS({},{},{})".format(*letters)


class ETS(LocalForecaster):
    """Exponential smoothing (ETS) chosen by AICc for every series.

    The innovations state-space models of Hyndman et al. (2008): an additive
    or multiplicative error, no, additive or damped trend, and no, additive
    or multiplicative season. Each candidate's smoothing parameters and
    initial states are fitted by maximum likelihood (a compiled Nelder-Mead
    from heuristic starting states); the one with the smallest AICc
    forecasts (``selection="best"``), or all of them, weighted by their
    Akaike weights (``selection="weights"``, the default). Each series (and
    feature) gets its own models.

    Parameters
    ----------
    error : {"auto", "additive", "multiplicative"}, default="auto"
        The error type; "auto" tries both (multiplicative only for
        positive series).
    trend : {"auto", "none", "additive", "damped"}, default="auto"
        The trend; "auto" tries all three.
    season : {"auto", "none", "additive", "multiplicative"}, default="auto"
        The seasonal component; "auto" tries none and additive, and
        multiplicative for positive series (with a multiplicative error).
    season_length : "auto", int or None, default="auto"
        Steps per cycle (12 for monthly data). "auto" reads it from a
        datetime index, else detects it per series from the
        autocorrelations (see :mod:`seqpred.models.forecast.seasonality`);
        None or 1: no season.
    selection : {"weights", "best"}, default="weights"
        "best": forecast with the candidate of least AICc (Hyndman et al.
        2002); "weights": average the candidates' forecasts with the Akaike
        weights ``exp(-dAICc / 2)``, normalised (Kolassa 2011), which was
        more accurate on every M3 subset (see ``docs/benchmarks.md``).
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    model_names_ : list of str
        The model of least AICc per channel (series x feature), such as
        ``"ETS(M,Ad,M)"`` (error, trend, season; Ad is damped).
    smoothing_ : ndarray of shape (n_channels, 4)
        ``alpha, beta, gamma, phi`` of that model (0, 0 and 1 where unused).
    aicc_ : ndarray of shape (n_channels,)
        Its AICc (NaN for the fall-backs below).
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
    Candidates with "auto" components are the 15 models of R's ``ets``
    with its default restrictions (no multiplicative trend; no additive
    error with a multiplicative season); multiplicative parts only for
    positive series. A seasonal model needs two full cycles (a series with
    fewer is fitted without a season), and a model is tried only when the
    series has at least 3 more steps than the model has parameters
    (smoothing parameters, initial states and the variance). Smoothing
    parameters stay in the usual region (``alpha`` in (1e-4, 0.9999),
    ``beta < alpha``, ``gamma < 1 - alpha``, ``phi`` in (0.8, 0.98)); the
    admissible region is not checked beyond that. Series of fewer than 4
    steps and constant series get the naive forecast. Akaike weights below
    0.001 of the largest are dropped.

    Intervals are Gaussian with the model's exact variance for the linear
    models (additive error, no multiplicative season) and, for the others,
    with the variance of 1,000 simulated paths (a fixed seed, so forecasts
    repeat); a weighted forecast's variance is that of the mixture.
    ``predict(X)`` fits every history of ``X`` anew. Cost: a few
    milliseconds per candidate and series (about 1 s for the 645 yearly M3
    series and 80 s for the 1,428 monthly ones with season length 12, on
    one core).

    References
    ----------
    .. [1] R. J. Hyndman, A. B. Koehler, J. K. Ord, R. D. Snyder,
       *Forecasting with Exponential Smoothing: The State Space Approach*,
       Springer, 2008 (chapters 2, 5, 6).
    .. [2] R. J. Hyndman, A. B. Koehler, R. D. Snyder, S. Grose, "A state
       space framework for automatic forecasting using exponential
       smoothing methods", International Journal of Forecasting 18(3), 2002.
    .. [3] S. Kolassa, "Combining exponential smoothing forecasts using
       Akaike weights", International Journal of Forecasting 27(2), 2011.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(60)
    >>> noise = np.random.default_rng(0).normal(0, 1, 60)
    >>> y = 100 + 2 * t + 10 * np.sin(2 * np.pi * t / 12) + noise
    >>> model = ETS(error="additive", season_length=12, horizon=3).fit([y])
    >>> model.model_names_
    ['ETS(A,A,A)']
    >>> ahead = np.arange(60, 63)
    >>> truth = 100 + 2 * ahead + 10 * np.sin(2 * np.pi * ahead / 12)
    >>> bool(np.abs(model.predict()[0, :, 0] - truth).max() < 3)
    True
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "error": [Options({"auto", *_ERRORS})],
        "trend": [Options({"auto", *_TRENDS})],
        "season": [Options({"auto", *_SEASONS})],
        "season_length": SEASON_LENGTH,
        "selection": [Options({"weights", "best"})],
        "horizon": [Interval(int, 1, None)],
    }

    def __init__(
        self,
        error: str = "auto",
        *,
        trend: str = "auto",
        season: str = "auto",
        season_length: int | str | None = "auto",
        selection: str = "weights",
        horizon: int = 1,
    ) -> None:
        self.error = error
        self.trend = trend
        self.season = season
        self.season_length = season_length
        self.selection = selection
        self.horizon = horizon

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [
            {"season_length": 4, "horizon": 2},
            {"trend": "damped", "error": "additive", "selection": "best"},
        ]

    # -- fitting
    def _fit(self, ss: Any) -> None:
        super()._fit(ss)
        best = [_best_model(f) for f in self._channel_fits()]
        self.model_names_ = [_name(*(int(v) for v in b[:3])) for b in best]
        self.smoothing_ = np.array([b[4:8] for b in best]).reshape(-1, 4)
        self.aicc_ = np.array([b[9] for b in best])

    def _candidates(self, y: Array, m: int) -> list[tuple[int, int, int]]:
        """Return the ``(error, trend, season)`` codes to try on ``y``."""
        positive = bool((y > 0).all())
        forced = [
            name
            for name, value in (("error", self.error), ("season", self.season))
            if value == "multiplicative"
        ]
        if forced and not positive:
            raise DataError(
                f"ETS: {' and '.join(forced)}='multiplicative' needs positive "
                f"series; got a minimum of {float(y.min())!r}. Use "
                f"{forced[0]}='additive' or 'auto'."
            )
        errors = [0, 1] if self.error == "auto" else [_ERRORS[self.error]]
        trends = [0, 1, 2] if self.trend == "auto" else [_TRENDS[self.trend]]
        if m < 2 or len(y) < 2 * m:
            seasons = [0]
        elif self.season == "auto":
            seasons = [0, 1, 2]
        else:
            seasons = [_SEASONS[self.season]]
        out: list[tuple[int, int, int]] = []
        for e in errors:
            for s in seasons:
                if (e == 1 or s == 2) and not positive:
                    continue
                if s == 2 and e == 0 and self.error == "auto":
                    continue  # numerically unstable; excluded as in R's ets
                out.extend((e, t, s) for t in trends)
        return out

    def _fit_channel(self, y: Array, m: int) -> Array:
        scale = float(np.mean(np.abs(y)))
        if len(y) < 4 or np.ptp(y) == 0 or scale == 0:
            return _naive_pack(y)
        z = y / scale
        m = m if m > 1 and len(y) >= 2 * m else 1
        fits = [
            fitted
            for e, t, s in self._candidates(z, m)
            if (fitted := _fit_one(z, e, t, s, m)) is not None
        ]
        if not fits:
            return _naive_pack(y)
        aicc = np.array([f[9] for f in fits])
        weights = np.exp(-0.5 * (aicc - aicc.min()))
        if self.selection == "best":
            weights = (np.arange(len(fits)) == np.argmin(aicc)).astype(np.float64)
        keep = np.flatnonzero(weights >= _MIN_WEIGHT * weights.max())
        weights = weights[keep] / weights[keep].sum()
        packs = []
        for w, i in zip(weights, keep):
            pack = _to_data_units(fits[i], scale, len(y))
            pack[12] = w
            packs.append(pack)
        return np.concatenate([[len(packs)], *packs])

    # -- forecasting
    def _forecast_channel(self, fit: Array, horizon: int) -> tuple[Array, Array]:
        means, variances, weights = [], [], []
        for pack in _models(fit):
            mean, std = _forecast_model(pack, horizon)
            means.append(mean)
            variances.append(std**2)
            weights.append(pack[12])
        w = np.array(weights)[:, None]
        mu = np.array(means)
        mean = (w * mu).sum(axis=0)
        second = (w * (np.array(variances) + mu**2)).sum(axis=0)
        return mean, np.sqrt(np.maximum(second - mean**2, 0.0))


def _models(fit: Array) -> list[Array]:
    """Split a channel's packed fit into its models' packs."""
    out, k = [], 1
    for _ in range(int(fit[0])):
        size = _HEAD + int(fit[k + 3])
        out.append(fit[k : k + size])
        k += size
    return out


def _best_model(fit: Array) -> Array:
    """Return the pack of least AICc of a channel (NaN AICc: the only one)."""
    models = _models(fit)
    aicc = np.array([p[9] for p in models])
    if np.isnan(aicc).all():
        return models[0]
    return models[int(np.nanargmin(aicc))]


def _forecast_model(pack: Array, horizon: int) -> tuple[Array, Array]:
    """Return ``(mean, std)`` ``(h,)`` of one packed model."""
    error, trend, season, m = (int(v) for v in pack[:4])
    alpha, beta, gamma, phi, sigma = pack[4:9]
    level, slope, ring = pack[10], pack[11], pack[_HEAD:]
    mean = point_forecast(trend, season, m, phi, level, slope, ring, horizon)
    if error == 0 and season != 2:
        std = class_one_std(trend, season, m, alpha, beta, gamma, phi, sigma, horizon)
    else:
        std = simulate_std(
            error, trend, season, m, alpha, beta, gamma, phi,
            level, slope, ring, sigma, _draws(horizon),
        )  # fmt: skip
    return mean, std


def _to_data_units(pack: Array, scale: float, n: int) -> Array:
    """Undo the scaling of a pack fitted to ``y / scale``."""
    pack = pack.copy()
    pack[9] += 2 * n * np.log(scale)  # AICc of the data itself
    pack[10:12] *= scale
    if pack[0] == 0:
        pack[8] *= scale  # an additive error's sigma is in data units
    if pack[2] == 1:
        pack[_HEAD:] *= scale
    return pack


def _n_parameters(trend: int, season: int, m: int) -> int:
    """Smoothing parameters, free initial states and the variance."""
    smoothing = 1 + (trend > 0) + (season > 0) + (trend == 2)
    states = 1 + (trend > 0) + (m - 1 if season else 0)
    return smoothing + states + 1


def _initial_seasonal(y: Array, m: int, season: int) -> Array:
    """Seasonal indices of a classical decomposition of the first three cycles."""
    block = y[: min(len(y), 3 * m)]
    weights = np.ones(m + 1 - m % 2)
    if m % 2 == 0:
        weights[0] = weights[-1] = 0.5
    weights /= m
    half = len(weights) // 2
    trend = np.convolve(block, weights, mode="valid")
    inner = block[half : len(block) - half]
    detrended = inner / trend if season == 2 else inner - trend
    position = np.arange(half, len(block) - half) % m
    counts = np.bincount(position, minlength=m)
    sums = np.bincount(position, weights=detrended, minlength=m)
    figure = sums / np.maximum(counts, 1)
    if season == 2:
        figure = np.where(counts > 0, figure, 1.0)
        figure = np.clip(figure / figure.mean(), 0.05, None)
        return np.asarray(figure * m / figure.sum())
    figure = np.where(counts > 0, figure, 0.0)
    return np.asarray(figure - figure.mean())


def _start(y: Array, trend: int, season: int, m: int) -> tuple[Array, Array]:
    """Return the starting free vector and the simplex steps.

    Seasonal indices from the first cycles; the level and slope from a
    line through the first ``max(10, 2m)`` seasonally adjusted values;
    ``alpha = 0.3``, ``beta = 0.1 alpha``, ``gamma = 0.1 (1 - alpha)``,
    ``phi = 0.95``.
    """
    seasonal = _initial_seasonal(y, m, season) if season else np.zeros(1)
    t = np.arange(len(y))
    adjusted = y
    if season == 1:
        adjusted = y - seasonal[t % m]
    elif season == 2:
        adjusted = y / seasonal[t % m]
    first = adjusted[: min(max(10, 2 * m), len(y))]
    if trend:
        slope, intercept = np.polyfit(np.arange(1, len(first) + 1), first, 1)
    else:
        slope, intercept = 0.0, float(first.mean())
    alpha = 0.3
    x = [_logit((alpha - ETS_ALPHA[0]) / (ETS_ALPHA[1] - ETS_ALPHA[0]))]
    if trend:
        x.append(_logit(0.1))
    if season:
        x.append(_logit(0.1))
    if trend == 2:
        x.append(_logit((0.95 - ETS_PHI[0]) / (ETS_PHI[1] - ETS_PHI[0])))
    steps = [1.0] * len(x)
    spread = max(0.1 * float(np.std(y)), 1e-3)
    x.append(float(intercept))
    steps.append(spread)
    if trend:
        x.append(float(slope))
        steps.append(max(0.1 * abs(float(slope)), 0.1 * spread))
    if season:
        x.extend(seasonal[: m - 1].tolist())
        steps.extend([0.05 if season == 2 else spread] * (m - 1))
    return np.array(x), np.array(steps)


def _fit_one(y: Array, error: int, trend: int, season: int, m: int) -> Array | None:
    """Fit one model to ``y``; return its pack, or None when it is invalid here."""
    n = len(y)
    m = m if season else 1
    k = _n_parameters(trend, season, m)
    if n - k - 1 < 2:
        return None
    x, steps = _start(y, trend, season, m)
    ints = np.array([error, trend, season, m], dtype=np.int64)
    x, value, _ = nelder_mead(KIND, x, steps, y, ints, _NONE, 200 * len(x), _TOL)
    if not np.isfinite(value) or value >= 1e299:
        return None
    alpha, beta, gamma, phi, level, slope, seasonal = ets_decode(x, trend, season, m)
    sse, _, level, slope, ring, ok = ets_filter(
        y, error, trend, season, m, alpha, beta, gamma, phi, level, slope, seasonal
    )
    if not ok:
        return None
    loglik2 = value - n * np.log(n) + n * np.log(2 * np.pi) + n  # -2 log L
    aicc = loglik2 + 2 * k + 2 * k * (k + 1) / (n - k - 1)
    sigma = np.sqrt(max(sse, 0.0) / max(n - (k - 1), 1))
    rotated = np.roll(ring, -(n % m)) if season else np.zeros(m)
    head = [error, trend, season, m, alpha, beta, gamma, phi, sigma, aicc]
    return np.concatenate([head, [level, slope, 1.0], rotated])


def _naive_pack(y: Array) -> Array:
    """Pack the naive forecast as ETS(A,N,N) with alpha = 1 (one model, weight 1)."""
    sigma = float(np.sqrt(np.mean(np.diff(y) ** 2))) if len(y) > 1 else 0.0
    head = [0, 0, 0, 1, 1.0, 0.0, 0.0, 1.0, sigma, np.nan, float(y[-1]), 0.0, 1.0]
    return np.array([1.0, *head, 0.0])
