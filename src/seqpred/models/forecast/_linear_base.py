"""The shared fit and forecast of the linear window models (AR, DLinear).

A model reads the last ``L`` values of a channel (transformed, then scaled
per window), optionally takes their lag-``m`` differences, maps them through
a fixed linear feature map ``P`` and a learned matrix, and adds the result
to a base: zero, or the seasonal-naive forecast when ``season_length=m`` is
set. Every step of that is linear in the scaled window, so the fitted model
folds into one matrix ``coef_`` ``(L, width)`` and ``intercept_``.

Known-future covariates and static features are extra regressors of the
scaled target: learned step ``k`` reads the covariate row of its own target
step (``covariate_coef_[:, k]``; the recursive strategy learns one step and
reads the next step's row at each iteration) and the series' static row
(``static_coef_``). They enter unscaled and untransformed, so their effect
is in units of each window's scale (the data's units with ``scaling="none"``
and ``transform="none"``).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.forecast._exogenous import Exogenous
from seqpred.models.forecast._windows import (
    NormalEquations,
    check_horizon_fits,
    inverse_transform,
    last_windows,
    scale_windows,
    target_windows,
    transform_values,
)
from seqpred.models.forecast.base import SHORT_SERIES_MODELS, ForecasterMixin
from seqpred.models.forecast.seasonality import common_season_length

__all__ = [
    "COMMON_CONSTRAINTS",
    "STRATEGIES",
    "LinearWindowForecaster",
    "resolve_scaling",
]

STRATEGIES = ("recursive", "direct", "multi-output")
COMMON_CONSTRAINTS: dict[str, list[Any]] = {
    "horizon": [Interval(int, 1, None)],
    "strategy": [Options(STRATEGIES)],
    "season_length": [None, Options({"auto"}), Interval(int, 1, None)],
    "alpha": [Interval(float, 0, None)],
    "scaling": [Options({"auto", "none", "mean", "standard", "seasonal"})],
    "scale_floor": [Interval(float, 0, None)],
    "transform": [Options({"none", "log", "sqrt"})],
}


def resolve_scaling(scaling: str, ss: SequenceSet, exogenous: bool) -> str:
    """Return the scaling ``"auto"`` stands for: mean for a panel of levels.

    One set of weights with an intercept, pooled over positive series of
    different levels, pulls every forecast towards one shared level (on the
    1,428 monthly M3 series, AR(2) without scaling had 1.9 times the naive
    MASE; with each window divided by its mean absolute value, 1.2). So
    "auto" is "mean" for several positive series; one series, data that
    cross zero (where a window's mean is no scale) and models with
    covariates (whose effects are then in the data's units) keep "none".

    Examples
    --------
    >>> panel = SequenceSet.from_lists([[1.0, 2.0], [10.0, 20.0]], kind="numeric")
    >>> resolve_scaling("auto", panel, False), resolve_scaling("auto", panel, True)
    ('mean', 'none')
    """
    if scaling != "auto":
        return scaling
    positive = bool((ss.values > 0).all())
    return "mean" if len(ss) > 1 and positive and not exogenous else "none"


class LinearWindowForecaster(ForecasterMixin):
    """Linear map from a scaled lookback window to the next value(s)."""

    _tags: ClassVar[Tags] = Tags(input_kind="numeric")
    _takes_exogenous: ClassVar[bool] = True
    _guard_divergence: ClassVar[bool] = True
    horizon: int
    strategy: str
    season_length: int | str | None
    alpha: float
    scaling: str
    scale_floor: float
    transform: str
    coef_: Array
    intercept_: Array
    residual_std_: Array
    covariate_coef_: Array
    static_coef_: Array
    n_windows_: int
    scaling_: str

    def _lookback(self) -> int:
        raise NotImplementedError

    def _season(self) -> int | None:
        """Return the season length in use ("auto" resolved by ``_prepare``)."""
        if self.season_length == "auto":
            return getattr(self, "season_length_", None)
        return None if self.season_length is None else int(self.season_length)

    def _prepare(self, ss: SequenceSet) -> None:
        if self.season_length == "auto":
            m = common_season_length(ss, "auto")
            self.season_length_ = m if m is None or self._fits_season(m) else None

    def _fits_season(self, m: int) -> bool:
        """Return whether an automatic season ``m`` fits this model's window."""
        return True

    def _feature_map(self, length: int) -> Array:
        """Return ``P`` ``(length, d)``: the (differenced) window to the inputs."""
        raise NotImplementedError

    def _min_history(self) -> int:
        return self._lookback()

    def _width(self) -> int:
        return 1 if self.strategy == "recursive" else int(self.horizon)

    def _lag(self) -> int:
        m = self._season()
        return 1 if m is None else m

    def _scale(self, windows: Array) -> tuple[Array, Array, Array]:
        return scale_windows(
            windows, self.scaling_, lag=self._lag(), floor=float(self.scale_floor)
        )

    def _structure(self, lookback: int, width: int) -> tuple[Array, Array]:
        """Return ``(M, B)``: features are ``x @ M``; the base is ``x @ B``."""
        m = self._season()
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
        self._fit_with(ss, None)

    def _fit_with(self, ss: SequenceSet, exog: Exogenous | None) -> None:
        self._prepare(ss)
        self.scaling_ = resolve_scaling(self.scaling, ss, exog is not None)
        lookback, width = self._lookback(), self._width()
        features, base = self._structure(lookback, width)
        n_cov = 0 if exog is None else exog.n_covariates
        n_extra = width * n_cov + (0 if exog is None else exog.n_static)
        sums = self._normal_equations(ss, exog, base, lookback + n_extra)
        d = features.shape[1]
        mapping = np.zeros((lookback + n_extra, d + n_extra))  # P, then identity
        mapping[:lookback, :d] = features
        mapping[lookback:, d:] = np.eye(n_extra)
        select = _own_step_mask(d, n_extra, width, n_cov)
        weights, rms, counts = sums.mapped(mapping).solve(float(self.alpha), select)
        self.coef_ = features @ weights[:d] + base  # (L, width)
        self.covariate_coef_ = np.stack(  # (C, width)
            [weights[d + k * n_cov : d + (k + 1) * n_cov, k] for k in range(width)],
            axis=1,
        )
        self.static_coef_ = weights[d + width * n_cov : -1]  # (S, width)
        self.intercept_ = weights[-1]
        self.residual_std_ = rms
        self.n_windows_ = int(counts.max())

    def _normal_equations(
        self, ss: SequenceSet, exog: Exogenous | None, base: Array, n_inputs: int
    ) -> NormalEquations:
        """Accumulate every channel's windows (and their covariates, static rows)."""
        lookback, width = self._lookback(), self._width()
        owner = type(self).__name__
        sums = NormalEquations(n_inputs, width, keep_partial=self.strategy == "direct")
        for i, series in enumerate(ss):
            for j in range(series.shape[1]):
                inputs, targets = target_windows(
                    transform_values(series[:, j], self.transform, owner),
                    lookback,
                    width,
                )
                if not len(inputs):
                    continue
                scaled, shift, scale = self._scale(inputs)
                design = scaled
                if exog is not None:  # (n, L + width * C + S)
                    extra = _extra_rows(exog, i, lookback, width, len(inputs))
                    design = np.hstack([scaled, extra])
                sums.add(design, (targets - shift) / scale - scaled @ base)
        if sums.count == 0:
            raise DataError(
                f"{owner}: no series has the {lookback + width} steps one training "
                f"window needs (lookback {lookback} + {width} target step(s)). "
                "Pass longer series, reduce the lookback or horizon, or use "
                f"{SHORT_SERIES_MODELS}."
            )
        return sums

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        return self._forecast_with(ss, horizon, None)

    def _forecast_with(
        self, ss: SequenceSet, horizon: int, exog: Exogenous | None
    ) -> tuple[Array, Array]:
        lookback, owner = self._lookback(), type(self).__name__
        check_horizon_fits(owner, self.strategy, horizon, self.horizon, self.horizon)
        windows, flat = last_windows(ss, lookback, self.transform, owner)
        n, f = windows.shape[:2]
        scaled, shift, scale = self._scale(flat)
        effect = None if exog is None else self._exogenous_effect(exog, horizon, f)
        if self.strategy == "recursive":
            mean, std = self._recursive(scaled, horizon, effect)
        else:
            mean = scaled @ self.coef_[:, :horizon] + self.intercept_[:horizon]
            if effect is not None:
                mean = mean + effect
            std = np.broadcast_to(self.residual_std_[:horizon], mean.shape)
        mean, std = inverse_transform(mean * scale + shift, std * scale, self.transform)
        return (
            np.moveaxis(mean.reshape(n, f, horizon), 1, 2),
            np.moveaxis(std.reshape(n, f, horizon), 1, 2),
        )

    def _exogenous_effect(self, exog: Exogenous, horizon: int, f: int) -> Array:
        """Return the covariate and static terms of each forecast step, ``(N F, h)``."""
        width = self.covariate_coef_.shape[1]
        cols = np.minimum(np.arange(horizon), width - 1)  # recursive: step 0's
        future = exog.last_rows(horizon)  # (N, h, C)
        effect = np.einsum("nkc,ck->nk", future, self.covariate_coef_[:, cols])
        effect = effect + exog.static @ self.static_coef_[:, cols]  # (N, h)
        return np.repeat(effect, f, axis=0)  # every feature of a series

    def _recursive(
        self, scaled: Array, horizon: int, effect: Array | None = None
    ) -> tuple[Array, Array]:
        """Feed one-step forecasts back; the std from the AR psi weights.

        ``effect`` ``(n, h)`` adds the known covariate and static terms of
        each step (they carry no error, so the std is unchanged).
        """
        coef, intercept = self.coef_[:, 0], float(self.intercept_[0])
        window = scaled.copy()
        out = np.empty((len(window), horizon))
        for k in range(horizon):
            out[:, k] = window @ coef + intercept
            if effect is not None:
                out[:, k] += effect[:, k]
            window = np.concatenate([window[:, 1:], out[:, k : k + 1]], axis=1)
        psi = np.zeros(horizon)
        psi[0] = 1.0
        lags = coef[::-1]  # lags[i] weighs the value i + 1 steps back
        for j in range(1, horizon):
            reach = min(j, len(lags))
            psi[j] = float(lags[:reach] @ psi[j - 1 :: -1][:reach])
        std = float(self.residual_std_[0]) * np.sqrt(np.cumsum(psi**2))
        return out, np.broadcast_to(std, out.shape)


def _own_step_mask(d: int, n_extra: int, width: int, n_cov: int) -> Array | None:
    """Return the design columns of each learned step, ``(d + extra + 1, width)``.

    Step ``k`` reads the window features, its own covariate row (not the
    other steps'), the static row and the intercept; None: every column.
    """
    if not n_cov or width == 1:
        return None
    select = np.ones((d + n_extra + 1, width), dtype=bool)
    own = np.repeat(np.eye(width, dtype=bool), n_cov, axis=0)  # (width * C, width)
    select[d : d + width * n_cov] = own
    return select


def _extra_rows(exog: Exogenous, i: int, lookback: int, width: int, n: int) -> Array:
    """Return the covariates of each window's target steps and the static row.

    ``(n, width * C + S)``: window ``t`` of series ``i`` targets the steps
    ``t + lookback + k``; rows past the series' end (targets unknown) are 0.
    """
    rows, n_cov = exog.rows(i), exog.n_covariates
    parts = []
    if n_cov:
        padded = np.vstack([rows, np.zeros((width - 1, n_cov))])
        index = lookback + np.arange(n)[:, None] + np.arange(width)[None, :]
        parts.append(padded[index].reshape(n, width * n_cov))  # step-major
    parts.append(np.broadcast_to(exog.static[i], (n, exog.n_static)))
    return np.hstack(parts)
