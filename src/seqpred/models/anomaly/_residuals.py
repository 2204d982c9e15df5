"""One-step forecasts and online standardised residuals for numeric streams.

Everything here looks only backwards: the forecast of step ``t`` and the
statistics that standardise its residual use steps before ``t`` of the same
sequence, so a score can be computed as the stream arrives.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from seqpred._typing import Array

__all__ = ["fit_ar", "forecast", "lagged", "rolling_stats", "standardised_residuals"]


def lagged(x: Array, width: int) -> Array:
    """Return ``(T, width, F)``: row ``t`` holds steps ``t-width .. t-1`` (NaN-padded).

    Examples
    --------
    >>> lagged(np.arange(3.0)[:, None], 2)[:, :, 0].tolist()
    [[nan, nan], [nan, 0.0], [0.0, 1.0]]
    """
    n, n_features = x.shape
    pad = np.full((width, n_features), np.nan)
    padded = np.concatenate([pad, x])  # (width + T, F)
    windows = sliding_window_view(padded, width, axis=0)[:n]  # (T, F, width)
    return np.ascontiguousarray(windows.transpose(0, 2, 1))


def rolling_stats(x: Array, width: int) -> tuple[Array, Array, Array]:
    """Mean, standard deviation and count of the previous ``width`` steps.

    Returns three ``(T, F)`` arrays; where no earlier step exists the mean and
    standard deviation are NaN and the count is 0.
    """
    window = lagged(x, width)  # (T, width, F)
    count = np.sum(~np.isnan(window), axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # empty windows -> NaN
        mean = np.nanmean(window, axis=1)
        std = np.nanstd(window, axis=1)
    return mean, std, count


def fit_ar(series: list[Array], order: int, ridge: float = 1e-6) -> Array:
    """Least-squares AR(``order``) with intercept, per channel, over all series.

    Returns ``(order + 1, F)``: the intercept, then the weights of lags
    ``1 .. order``. Series shorter than ``order + 1`` steps add nothing; with
    no usable step at all the model is persistence (weight 1 on lag 1).
    """
    n_features = series[0].shape[1]
    coef = np.zeros((order + 1, n_features))
    coef[1] = 1.0  # persistence, kept where there is too little data
    for f in range(n_features):
        rows, targets = [], []
        for x in series:
            if len(x) > order:
                lags = lagged(x[:, f : f + 1], order)[order:, ::-1, 0]  # (T', order)
                rows.append(lags)
                targets.append(x[order:, f])
        if not rows:
            continue
        design = np.concatenate(rows)
        design = np.column_stack([np.ones(len(design)), design])  # (M, order + 1)
        target = np.concatenate(targets)
        scale = max(float(np.abs(design[:, 1:]).max(initial=0.0)), 1.0)
        gram = design.T @ design + ridge * scale**2 * np.eye(order + 1)
        coef[:, f] = np.linalg.solve(gram, design.T @ target)
    return coef


def forecast(x: Array, method: str, window: int, ar_coef: Array | None) -> Array:
    """One-step forecasts ``(T, F)`` of ``x`` (NaN where there is no history)."""
    if method == "last":
        return lagged(x, 1)[:, 0]
    if method == "rolling_mean":
        return rolling_stats(x, window)[0]
    assert ar_coef is not None  # "ar": fitted in fit
    order = ar_coef.shape[0] - 1
    lags = lagged(x, order)[:, ::-1]  # (T, order, F): lag 1 first
    out: Array = ar_coef[0] + np.einsum("tkf,kf->tf", lags, ar_coef[1:])
    return out


def standardised_residuals(
    x: Array, method: str, window: int, ar_coef: Array | None, floor: Array
) -> Array:
    """Return ``(T,)`` anomaly scores: |residual z-score|, root mean square over F.

    Each residual is standardised by the mean and standard deviation of the
    previous ``window`` residuals (at least ``min(window, 10)`` of them; before
    that the score is 0).
    ``floor`` (per channel) bounds the standard deviation below, so a flat
    stretch does not turn the slightest change into an infinite score.
    """
    residual = x - forecast(x, method, window, ar_coef)  # (T, F)
    mean, std, count = rolling_stats(residual, window)
    z = (residual - mean) / np.maximum(std, floor)
    z[(count < min(window, 10)) | np.isnan(z)] = 0.0
    out: Array = np.sqrt(np.mean(z**2, axis=1))
    return out
