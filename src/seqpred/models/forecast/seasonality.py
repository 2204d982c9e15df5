"""Seasonal period detection and seasonal strength, for ``season_length="auto"``.

Every forecaster with a ``season_length`` parameter resolves ``"auto"``
through :func:`resolve_season_lengths`: from the time index when the series
carry datetime timestamps of a known spacing (hourly data has a daily cycle
of 24, monthly data a yearly cycle of 12, ...), else from the
autocorrelations of each series (:func:`detect_season_length`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet

__all__ = [
    "common_season_length",
    "detect_season_length",
    "period_from_timestamps",
    "resolve_season_lengths",
    "seasonal_strength",
]

_Z90 = 1.645  # one-sided 95%: a peak must clear the Bartlett band at this z
_MIN_PEAK = 0.2  # and be at least this correlated
_DAY = 86_400.0
# spacing of the time index (seconds, with a tolerance) -> the usual season
_SPACINGS: list[tuple[float, float, int]] = [
    (60.0, 0.1, 60),  # minutes: an hourly cycle
    (900.0, 0.1, 96),  # quarter hours: a daily cycle
    (1_800.0, 0.1, 48),  # half hours: a daily cycle
    (3_600.0, 0.1, 24),  # hours: a daily cycle
    (_DAY, 0.1, 7),  # days: a weekly cycle
    (7 * _DAY, 0.1, 52),  # weeks: a yearly cycle
    (30.44 * _DAY, 0.1, 12),  # months: a yearly cycle
    (91.31 * _DAY, 0.05, 4),  # quarters: a yearly cycle
    (365.25 * _DAY, 0.02, 1),  # years: no cycle
]


def _acf(x: Array, max_lag: int) -> Array:
    """Return the (biased) autocorrelations at lags ``0 .. max_lag``."""
    centred = x - x.mean()
    denom = float(centred @ centred)
    out = np.zeros(max_lag + 1)
    if denom <= 0.0:
        return out
    n = len(x)
    spectrum = np.fft.rfft(centred, 2 * n)
    full = np.fft.irfft(spectrum * np.conj(spectrum))[: max_lag + 1]
    out[:] = full / denom
    return out


def detect_season_length(y: Any, max_period: int | None = None) -> int:
    """Return the seasonal period of ``y`` from its autocorrelations (1 if none).

    The series' least-squares line is removed (so a trend does not mask the
    cycle); a lag ``k >= 2`` is a candidate when the autocorrelation of the
    rest has a local maximum there, above both 0.2 and the Bartlett band
    ``1.645 sqrt((1 + 2 sum_{j<k} r_j^2) / n)``. The answer is the smallest
    candidate within 10% of the highest peak (so 12, not 24, for monthly
    data). A period needs three full cycles in the series.

    Without a calendar, weak seasonality goes unnoticed: on the monthly M3
    series, Theta with detected periods scored sMAPE 14.3 against 13.9 with
    the known 12 (removing the line beat differencing, 14.9, and the raw
    series, 14.5). Give ``season_length`` (or datetime timestamps) when the
    period is known.

    Parameters
    ----------
    y : array-like of shape (n,)
        One series.
    max_period : int or None, default=None
        Longest period considered (default ``n // 3``).

    Returns
    -------
    int
        The period in steps; 1 when nothing periodic stands out.

    Examples
    --------
    >>> t = np.arange(120)
    >>> y = 10 + 0.3 * t + 5 * np.sin(2 * np.pi * t / 12)
    >>> detect_season_length(y)
    12
    >>> detect_season_length(np.cumsum(np.random.default_rng(0).normal(size=120)))
    1
    """
    x = np.asarray(y, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    n = len(x)
    limit = n // 3 if max_period is None else min(int(max_period), n // 3)
    if limit < 2 or n < 8:
        return 1
    t = np.arange(n, dtype=np.float64)
    slope, intercept = np.polyfit(t, x, 1)
    d = x - (intercept + slope * t)
    r = _acf(d, min(limit + 1, len(d) - 1))
    band = _Z90 * np.sqrt((1.0 + 2.0 * np.cumsum(r[1:] ** 2)) / len(d))  # band[k-1]
    best, height = 1, 0.0
    peaks: list[tuple[int, float]] = []
    for k in range(2, min(limit, len(r) - 1) + 1):
        after = r[k + 1] if k + 1 < len(r) else -np.inf
        if r[k] > r[k - 1] and r[k] >= after and r[k] > max(_MIN_PEAK, band[k - 2]):
            peaks.append((k, float(r[k])))
            if r[k] > height:
                best, height = k, float(r[k])
    for k, value in peaks:
        if value >= 0.9 * height:
            return k
    return best


def period_from_timestamps(timestamps: Any) -> int | None:
    """Return the usual season of a datetime index from its spacing, or None.

    Hours give 24, days 7, weeks 52, months 12, quarters 4, years 1
    (minutes 60, quarter hours 96, half hours 48); a spacing that is none of
    these, or timestamps that are not datetimes, give None.

    Examples
    --------
    >>> hours = np.arange("2024-01-01T00", "2024-01-03T00", dtype="datetime64[h]")
    >>> period_from_timestamps(hours)
    24
    >>> months = np.arange("2020-01", "2022-01", dtype="datetime64[M]")
    >>> period_from_timestamps(months.astype("datetime64[D]"))
    12
    >>> period_from_timestamps(np.arange(10)) is None
    True
    """
    ts = np.asarray(timestamps)
    if ts.dtype.kind != "M" or len(ts) < 2:
        return None
    seconds = np.diff(ts.astype("datetime64[s]").astype(np.int64)).astype(np.float64)
    spacing = float(np.median(seconds))
    for length, tolerance, period in _SPACINGS:
        if abs(spacing - length) <= tolerance * length:
            return period
    return None


def seasonal_strength(y: Any, season_length: int) -> float:
    """Return the strength of the seasonal component in ``[0, 1]``.

    ``max(0, 1 - Var(R) / Var(S + R))`` of a classical additive
    decomposition (the trend a centred moving average, the seasonal
    component the mean detrended value at each position of the cycle, the
    remainder ``R`` the rest), after Wang, Smith and Hyndman (2006) and
    *Forecasting: Principles and Practice*, section 4.3 (which use STL).
    0 for ``season_length < 2`` or fewer than two full cycles.

    Examples
    --------
    >>> t = np.arange(48)
    >>> round(seasonal_strength(np.sin(2 * np.pi * t / 12) + 0.01 * t, 12), 3)
    1.0
    >>> seasonal_strength(np.arange(48.0), 12)
    0.0
    """
    x = np.asarray(y, dtype=np.float64).ravel()
    m = int(season_length)
    n = len(x)
    if m < 2 or n < 2 * m:
        return 0.0
    weights = np.ones(m + 1 - m % 2)
    if m % 2 == 0:
        weights[0] = weights[-1] = 0.5
    weights /= m
    half = len(weights) // 2
    trend = np.convolve(x, weights, mode="valid")  # x[half : n - half]
    detrended = x[half : n - half] - trend
    position = np.arange(half, n - half) % m
    figure = np.bincount(position, weights=detrended, minlength=m) / np.maximum(
        np.bincount(position, minlength=m), 1
    )
    figure -= figure.mean()
    remainder = detrended - figure[position]
    total = float(np.var(detrended))
    if total <= 1e-12 * max(float(np.var(x)), 1e-300):  # nothing but the trend
        return 0.0
    return max(0.0, 1.0 - float(np.var(remainder)) / total)


def resolve_season_lengths(
    ss: SequenceSet, season_length: Any, *, min_cycles: float = 2.0
) -> Array:
    """Return the season length of every channel (series x feature), ``(N F,)``.

    ``season_length`` is an int (used as is), None (1) or ``"auto"``: the
    period of the time index when ``ss`` has datetime timestamps of a known
    spacing, else :func:`detect_season_length` of each channel. An
    automatic period longer than ``len(series) / min_cycles`` falls back to
    1 (too few cycles to estimate it).

    Examples
    --------
    >>> t = np.arange(60.0)
    >>> ss = SequenceSet.from_lists([np.sin(2 * np.pi * t / 6), t], kind="numeric")
    >>> resolve_season_lengths(ss, "auto").tolist()
    [6, 1]
    """
    n_channels = len(ss) * ss.n_features
    if season_length is None:
        return np.ones(n_channels, dtype=np.int64)
    if season_length != "auto":
        return np.full(n_channels, int(season_length), dtype=np.int64)
    out = np.ones(n_channels, dtype=np.int64)
    for i, series in enumerate(ss):
        stamps = _series_timestamps(ss, i)
        known = None if stamps is None else period_from_timestamps(stamps)
        for j in range(ss.n_features):
            y = series[:, j]
            m = known if known is not None else detect_season_length(y)
            out[i * ss.n_features + j] = m if len(y) >= min_cycles * m else 1
    return out


def common_season_length(ss: SequenceSet, season_length: Any) -> int | None:
    """Return one season length for a global model: the channels' usual one.

    An int is returned as is (None and 1 give None); ``"auto"`` resolves
    every channel (:func:`resolve_season_lengths`) and returns the most
    common period above 1 when at least half of the channels show it, else
    None (no season).

    Examples
    --------
    >>> t = np.arange(48.0)
    >>> wave = np.sin(2 * np.pi * t / 4)
    >>> ss = SequenceSet.from_lists([wave, wave + 1, t], kind="numeric")
    >>> common_season_length(ss, "auto"), common_season_length(ss, None)
    (4, None)
    """
    if season_length != "auto":
        return None if season_length in (None, 1) else int(season_length)
    lengths = resolve_season_lengths(ss, "auto")
    periods, counts = np.unique(lengths[lengths > 1], return_counts=True)
    if not len(periods) or 2 * counts.max() < len(lengths):
        return None
    return int(periods[np.argmax(counts)])


def _series_timestamps(ss: SequenceSet, i: int) -> Array | None:
    stamps = getattr(ss, "timestamps", None)
    if stamps is None:
        return None
    return np.asarray(stamps[ss.offsets[i] : ss.offsets[i + 1]])
