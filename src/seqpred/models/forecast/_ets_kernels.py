"""Compiled forecasting kernels of the ETS models: point forecasts and spreads.

The notation and codes are those of :mod:`seqpred.models.forecast._estimation`
(where the filter and the likelihood live, next to the optimiser).
"""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array
from seqpred.models.forecast._estimation import ets_mean, ets_update

__all__ = ["class_one_std", "point_forecast", "simulate_std"]


@maybe_njit
def point_forecast(
    trend: int,
    season: int,
    m: int,
    phi: float,
    level: float,
    slope: float,
    ring: Array,
    horizon: int,
) -> Array:
    """Return the point forecasts of steps ``1 .. horizon``.

    ``ring[k % m]`` is the seasonal value of step ``k + 1``.
    """
    out = np.empty(horizon)
    damp = phi if trend == 2 else 1.0
    grow, power = 0.0, 1.0
    for k in range(horizon):
        if trend > 0:
            power *= damp
            grow += power
        out[k] = ets_mean(level + grow * slope, ring, k % m, season)
    return out


@maybe_njit
def class_one_std(
    trend: int,
    season: int,
    m: int,
    alpha: float,
    beta: float,
    gamma: float,
    phi: float,
    sigma: float,
    horizon: int,
) -> Array:
    """Return the forecast std of a linear additive-error model (class 1).

    ``sigma * sqrt(1 + sum_{j<h} c_j^2)`` with ``c_j = alpha + beta phi_j +
    gamma [j % m == 0]``, ``phi_j = phi + ... + phi^j`` (``j`` without
    damping); Hyndman et al. (2008), table 6.1.
    """
    out = np.empty(horizon)
    total, grow, power = 1.0, 0.0, 1.0
    damp = phi if trend == 2 else 1.0
    out[0] = sigma
    for j in range(1, horizon):
        power *= damp
        grow += power
        c = alpha
        if trend > 0:
            c += beta * grow
        if season > 0 and j % m == 0:
            c += gamma
        total += c * c
        out[j] = sigma * np.sqrt(total)
    return out


@maybe_njit
def simulate_std(
    error: int,
    trend: int,
    season: int,
    m: int,
    alpha: float,
    beta: float,
    gamma: float,
    phi: float,
    level: float,
    slope: float,
    ring: Array,
    sigma: float,
    draws: Array,
) -> Array:
    """Return the std of simulated future paths, step by step.

    ``draws`` ``(h, P)`` are standard normal; path ``p`` adds ``sigma
    draws[k, p]`` (additive) or multiplies by ``1 + sigma draws[k, p]``
    (multiplicative) at step ``k`` and moves the state as the model does.
    ``ring[k % m]`` is the seasonal value of step ``k + 1``.
    """
    horizon, paths = draws.shape
    total = np.zeros(horizon)
    squares = np.zeros(horizon)
    damp = phi if trend == 2 else 1.0
    for p in range(paths):
        lv, sl = level, slope
        s = ring.copy()
        for k in range(horizon):
            lb = lv + damp * sl
            j = k % m if season > 0 else 0
            mu = ets_mean(lb, s, j, season)
            if error == 1:
                big = mu * sigma * draws[k, p]
            else:
                big = sigma * draws[k, p]
            value = mu + big
            total[k] += value
            squares[k] += value * value
            lv, sl = ets_update(lb, sl, s, j, big, season, alpha, beta, gamma, damp)
    mean = total / paths
    var = squares / paths - mean * mean
    std: Array = np.sqrt(np.maximum(var, 0.0))
    return std
