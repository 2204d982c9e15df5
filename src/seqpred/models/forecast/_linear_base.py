"""The shared fit and forecast of the linear window models (AR, DLinear).

A model reads the last ``L`` values of a channel (transformed, then scaled
per window), optionally takes their lag-``m`` differences, maps them through
a fixed linear feature map ``P`` and a learned matrix, and adds the result
to a base: zero, or the seasonal-naive forecast when ``season_length=m`` is
set. Every step of that is linear in the scaled window, so the fitted model
folds into one matrix ``coef_`` ``(L, width)`` and ``intercept_``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.forecast._mixin import ForecasterMixin
from seqpred.models.forecast._windows import (
    NormalEquations,
    channels,
    inverse_transform,
    scale_windows,
    target_windows,
    transform_values,
)

__all__ = ["COMMON_CONSTRAINTS", "STRATEGIES", "LinearWindowForecaster"]

Array = np.ndarray[Any, Any]
STRATEGIES = ("recursive", "direct", "multi-output")
COMMON_CONSTRAINTS: dict[str, list[Any]] = {
    "horizon": [Interval(int, 1, None)],
    "strategy": [Options(STRATEGIES)],
    "season_length": [None, Interval(int, 1, None)],
    "alpha": [Interval(float, 0, None)],
    "scaling": [Options({"none", "mean", "standard", "seasonal"})],
    "scale_floor": [Interval(float, 0, None)],
    "transform": [Options({"none", "log", "sqrt"})],
}


class LinearWindowForecaster(ForecasterMixin):
    """Linear map from a scaled lookback window to the next value(s)."""

    _tags: ClassVar[Tags] = Tags(task="forecast", input_kind="numeric")
    horizon: int
    strategy: str
    season_length: int | None
    alpha: float
    scaling: str
    scale_floor: float
    transform: str
    coef_: Array
    intercept_: Array
    residual_std_: Array
    n_windows_: int

    def _lookback(self) -> int:
        raise NotImplementedError

    def _feature_map(self, length: int) -> Array:
        """Return ``P`` ``(length, d)``: the (differenced) window to the inputs."""
        raise NotImplementedError

    def _min_history(self) -> int:
        return self._lookback()

    def _width(self) -> int:
        return 1 if self.strategy == "recursive" else int(self.horizon)

    def _lag(self) -> int:
        return 1 if self.season_length is None else int(self.season_length)

    def _scale(self, windows: Array) -> tuple[Array, Array, Array]:
        return scale_windows(
            windows, self.scaling, lag=self._lag(), floor=float(self.scale_floor)
        )

    def _structure(self, lookback: int, width: int) -> tuple[Array, Array]:
        """Return ``(M, B)``: features are ``x @ M``; the base is ``x @ B``."""
        m = self.season_length
        if m is None:
            return self._feature_map(lookback), np.zeros((lookback, width))
        if m >= lookback:
            raise InvalidParameterError(
                f"{type(self).__name__}: season_length={m} leaves no lag-{m} "
                f"difference in a window of {lookback} steps. Use a longer window "
                "or a shorter season_length."
            )
        diff = np.zeros((lookback, lookback - m))  # x @ diff = x[m:] - x[:-m]
        cols = np.arange(lookback - m)
        diff[cols + m, cols] = 1.0
        diff[cols, cols] -= 1.0
        base = np.zeros((lookback, width))  # step k repeats x[L - m + k % m]
        base[lookback - m + np.arange(width) % m, np.arange(width)] = 1.0
        return diff @ self._feature_map(lookback - m), base

    def _fit(self, ss: SequenceSet) -> None:
        lookback, width = self._lookback(), self._width()
        features, base = self._structure(lookback, width)
        sums = NormalEquations(lookback, width, keep_partial=self.strategy == "direct")
        owner = type(self).__name__
        for y in channels(ss):
            inputs, targets = target_windows(
                transform_values(y, self.transform, owner), lookback, width
            )
            if len(inputs):
                scaled, shift, scale = self._scale(inputs)
                sums.add(scaled, (targets - shift) / scale - scaled @ base)
        if sums.count == 0:
            raise DataError(
                f"{owner}: no series has the {lookback + width} steps one training "
                f"window needs (lookback {lookback} + {width} target step(s)). "
                "Pass longer series, or reduce the lookback or horizon."
            )
        weights, rms, counts = sums.mapped(features).solve(float(self.alpha))
        self.coef_ = features @ weights[:-1] + base  # (L, width)
        self.intercept_ = weights[-1]
        self.residual_std_ = rms
        self.n_windows_ = int(counts.max())

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        lookback, owner = self._lookback(), type(self).__name__
        if self.strategy != "recursive" and horizon > self.horizon:
            raise InvalidParameterError(
                f"{owner}: fitted for horizon={self.horizon} with "
                f"strategy={self.strategy!r}; got horizon={horizon}. Fit with "
                f"horizon={horizon} or use strategy='recursive'."
            )
        index = ss.offsets[1:, None] - lookback + np.arange(lookback)[None, :]
        windows = np.moveaxis(ss.values[index], 2, 1)  # (N, F, L)
        n, f = windows.shape[:2]
        flat = transform_values(windows.reshape(n * f, lookback), self.transform, owner)
        scaled, shift, scale = self._scale(flat)
        if self.strategy == "recursive":
            mean, std = self._recursive(scaled, horizon)
        else:
            mean = scaled @ self.coef_[:, :horizon] + self.intercept_[:horizon]
            std = np.broadcast_to(self.residual_std_[:horizon], mean.shape)
        mean, std = inverse_transform(mean * scale + shift, std * scale, self.transform)
        return (
            np.moveaxis(mean.reshape(n, f, horizon), 1, 2),
            np.moveaxis(std.reshape(n, f, horizon), 1, 2),
        )

    def _recursive(self, scaled: Array, horizon: int) -> tuple[Array, Array]:
        """Feed one-step forecasts back; the std from the AR psi weights."""
        coef, intercept = self.coef_[:, 0], float(self.intercept_[0])
        window = scaled.copy()
        out = np.empty((len(window), horizon))
        for k in range(horizon):
            out[:, k] = window @ coef + intercept
            window = np.concatenate([window[:, 1:], out[:, k : k + 1]], axis=1)
        psi = np.zeros(horizon)
        psi[0] = 1.0
        lags = coef[::-1]  # lags[i] weighs the value i + 1 steps back
        for j in range(1, horizon):
            reach = min(j, len(lags))
            psi[j] = float(lags[:reach] @ psi[j - 1 :: -1][:reach])
        std = float(self.residual_std_[0]) * np.sqrt(np.cumsum(psi**2))
        return out, np.broadcast_to(std, out.shape)
