"""The forecaster contract, written once for every numeric forecaster.

A forecaster implements two private methods and inherits ``fit``,
``predict``, ``predict_distribution``, ``predict_quantiles``,
``predict_interval``, ``forecast`` (a tidy frame) and ``score``:

``_fit(ss)``
    learn from a numeric :class:`~seqpred.data.SequenceSet` of training
    series (values ``(steps, F)``);
``_forecast(ss, horizon)``
    return ``(mean, std)``, each ``(N, horizon, F)``: a Gaussian forecast of
    the ``horizon`` steps after each history in ``ss``.

``_min_history()`` gives the fewest steps a history needs (default 1);
``_prepare(ss)`` may first resolve settings that depend on the training data
(such as ``season_length="auto"``) so that it can tell.
A training series shorter than ``_min_history()`` is not continued by
``predict()``: it raises, naming the series, instead of reading a window
that would run into the series before it.

A forecaster that sets ``_guard_divergence = True`` (the window models,
which forecast recursively or with one set of weights for every series)
gets a divergence guard. Step ``k`` of a forecast must stay in the band
``[min - W_k, max + W_k]`` of its history, ``W_k = R + 3 k sigma`` with
``R = max - min`` and ``sigma`` the RMS of the history's one-step changes:
the history's range widened by three times the distance a straight trend
of the typical step would travel. From the first step outside it (or not
finite) the forecast is replaced by the naive forecast of that history (its
last value, with the random-walk spread ``sigma sqrt(k)``), with a
:class:`~seqpred.exceptions.FallbackWarning` that counts the series. The
steps before stay, so the first steps never depend on the horizon asked
for. A trend or a cycle continued from the history stays inside the band;
an explosive fit (a root outside the unit circle, a regime that feeds
itself) leaves it.

A forecaster that uses known-future covariates and static features sets
``_takes_exogenous = True`` and implements ``_fit_with(ss, exog)`` and
``_forecast_with(ss, horizon, exog)`` instead, where ``exog`` is an
:class:`~seqpred.models.forecast._exogenous.Exogenous` or None (none given);
prediction-time covariates cover each history plus the ``horizon`` steps.
Every other forecaster refuses them with a clear error.

Quantiles, intervals and the tidy frame are Gaussian (from ``mean`` and
``std``); a forecaster that learns its own quantiles overrides
``_distribution_quantiles(X, horizon, q, covariates, static)`` (checking its
input with ``_forecast_input``).

Shapes follow one legend: N series, h horizon steps, F features, Q
quantiles. ``predict(X=None)`` continues the training series themselves
(kept in ``train_values_``/``train_offsets_``); ``predict(X)`` forecasts
after each history of ``X``.
"""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from seqpred._typing import Array
from seqpred.base import BaseEstimator, check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError, FallbackWarning, InvalidParameterError
from seqpred.models.forecast._exogenous import Exogenous, check_exogenous
from seqpred.models.forecast._held_out import own_targets, training_data, unpanel

if TYPE_CHECKING:
    import polars as pl

__all__ = ["ForecasterMixin", "gaussian_quantiles", "reshape_targets"]

_MIN_STD = 1e-12
SHORT_SERIES_MODELS = "'theta' or 'ets' (local models that fit short series)"
"""The models an error about short histories recommends."""


def gaussian_quantiles(mean: Array, std: Array, quantiles: Array) -> Array:
    """Return Gaussian quantiles ``(..., Q)`` of ``mean`` and ``std`` (same shape).

    Examples
    --------
    >>> q = gaussian_quantiles(np.zeros(1), np.ones(1), np.array([0.5, 0.975]))
    >>> np.round(q, 3).tolist()
    [[0.0, 1.96]]
    """
    z = np.array([NormalDist().inv_cdf(float(p)) for p in quantiles])
    return np.asarray(mean[..., None] + std[..., None] * z)


def reshape_targets(y: Any, n: int, n_features: int, owner: str) -> Array:
    """Return future values ``y`` as ``(N, h, F)``.

    ``(N,)`` is one step of one feature; ``(N, h)`` is ``h`` steps of one
    feature when the model has one feature, else one step of ``F`` features;
    ``(N, h, F)`` is taken as is.
    """
    arr = np.asarray(y, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr.reshape(-1, 1, 1)
    elif arr.ndim == 2:
        arr = arr[:, :, None] if n_features == 1 else arr[:, None, :]
    if arr.ndim != 3 or arr.shape[0] != n or arr.shape[2] != n_features:
        raise DataError(
            f"{owner}: expected future values for {n} series with {n_features} "
            f"feature(s), shaped (N,), (N, h) or (N, h, F); got shape "
            f"{np.shape(y)}. Pass one row of future values per history."
        )
    return arr


def _naive_where_divergent(
    ss: SequenceSet, mean: Array, std: Array, owner: str
) -> tuple[Array, Array]:
    """Replace forecasts from where they leave their history's band by naive ones.

    Step ``k``'s band is ``[min - W_k, max + W_k]``, ``W_k = R + 3 k sigma``
    (see the module docstring), per series and feature.
    """
    starts = ss.offsets[:-1]
    low = np.minimum.reduceat(ss.values, starts, axis=0)  # (N, F)
    high = np.maximum.reduceat(ss.values, starts, axis=0)
    squares = np.zeros_like(ss.values)
    squares[1:] = np.diff(ss.values, axis=0) ** 2
    squares[starts] = 0.0  # no change across a series boundary
    sums = np.add.reduceat(squares, starts, axis=0)
    sigma = np.sqrt(sums / np.maximum(ss.lengths - 1, 1)[:, None])  # (N, F)
    steps = np.arange(1, mean.shape[1] + 1, dtype=np.float64)[None, :, None]
    width = (high - low)[:, None, :] + 3.0 * steps * sigma[:, None, :]  # (N, h, F)
    below = mean < low[:, None, :] - width
    above = mean > high[:, None, :] + width
    broken = ~np.isfinite(mean) | ~np.isfinite(std)
    out = np.logical_or.accumulate(below | above | broken, axis=1)  # (N, h, F)
    if not out.any():
        return mean, std
    warnings.warn(
        f"{owner}: the forecasts of {int(out.any(axis=(1, 2)).sum())} of {len(ss)} "
        "series ran away from their history (an explosive fit); from there on "
        "they were replaced by the naive forecast. Use "
        f"{SHORT_SERIES_MODELS} for short or trending series.",
        FallbackWarning,
        stacklevel=4,
    )
    last = ss.values[ss.offsets[1:] - 1]  # (N, F)
    mean = np.where(out, last[:, None, :], mean)
    std = np.where(out, sigma[:, None, :] * np.sqrt(steps), std)
    return mean, std


class ForecasterMixin(BaseEstimator):
    """Public API of numeric forecasters (see the module docstring)."""

    _task = "forecast"

    _takes_exogenous: ClassVar[bool] = False
    _guard_divergence: ClassVar[bool] = False
    n_features_: int
    n_sequences_: int
    train_values_: Array
    train_offsets_: Array

    # -- to implement
    def _fit(self, ss: SequenceSet) -> None:
        raise NotImplementedError

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        raise NotImplementedError

    def _fit_with(self, ss: SequenceSet, exog: Exogenous | None) -> None:
        """Learn with covariates and static features (None: neither given)."""
        self._fit(ss)

    def _forecast_with(
        self, ss: SequenceSet, horizon: int, exog: Exogenous | None
    ) -> tuple[Array, Array]:
        """Forecast with covariates covering each history plus ``horizon``."""
        return self._forecast(ss, horizon)

    def _min_history(self) -> int:
        """Return the fewest steps a history needs for a forecast."""
        return 1

    def _prepare(self, ss: SequenceSet) -> None:
        """Resolve data-dependent settings before the history check of ``fit``.

        Runs again after the fitted state is reset, so set ``_``-suffixed
        attributes here and call it from ``_fit`` too.
        """
        return None

    # -- fitting
    def fit(
        self, X: Any, y: None = None, *, covariates: Any = None, static: Any = None
    ) -> ForecasterMixin:
        """Learn from training series; return ``self``.

        Parameters
        ----------
        X : list of arrays or lists, SequenceSet or SeriesPanel
            Numeric series, each 1-D or ``(steps, features)``; one series is
            passed as ``[series]``. A selection of a
            :class:`~seqpred.data.panel.SeriesPanel` (a scikit-learn fold)
            fits on the selected block of every series.
        y : None
            Ignored (the targets are the series' own future values).
        covariates : list of arrays or None, default=None
            Known-future features, one array ``(steps, C)`` per series (1-D
            for ``C = 1``), row ``t`` aligned with step ``t`` of the series
            (so as long as the series). Only models that use them (AR,
            DLinear) accept them.
        static : array of shape (N, S) or None, default=None
            Features of each series that do not change over time.

        Returns
        -------
        self
        """
        self._validate_params()
        owner = type(self).__name__
        X = training_data(X, covariates, static, owner)
        ss = as_sequence_set(X, kind="numeric", owner=owner)
        self._prepare(ss)
        need = self._min_history()
        if int(ss.lengths.max(initial=0)) < need:
            raise DataError(
                f"{owner}: every training series is shorter than the {need} "
                f"step(s) this model needs; got lengths up to "
                f"{int(ss.lengths.max(initial=0))}. Pass longer series, reduce "
                f"the model's window, or use {SHORT_SERIES_MODELS}."
            )
        exog = self._fit_exogenous(ss, covariates, static)
        self._reset()
        self.n_features_ = ss.n_features
        self.n_sequences_ = len(ss)
        self.train_values_ = ss.values.copy()
        self.train_offsets_ = ss.offsets.copy()
        self.train_ids_ = _storable_ids(ss.ids)
        self.time_last_, self.time_step_, self.time_unit_ = _time_grid(ss)
        if self._takes_exogenous:
            self.n_covariates_ = 0 if exog is None else exog.n_covariates
            self.n_static_ = 0 if exog is None else exog.n_static
            self.train_static_ = (
                np.empty((len(ss), 0)) if exog is None else exog.static.copy()
            )
        self._fit_with(ss, exog)
        self._mark_fitted()
        return self

    # -- covariates and static features
    def _refuse_exogenous(self, covariates: Any, static: Any) -> None:
        given = [
            n
            for n, v in (("covariates", covariates), ("static", static))
            if v is not None
        ]
        if given and not self._takes_exogenous:
            raise InvalidParameterError(
                f"{type(self).__name__} does not use covariates or static features; "
                f"got {' and '.join(given)}. Use AR or DLinear for known-future and "
                "static features, or drop them."
            )

    def _fit_exogenous(
        self, ss: SequenceSet, covariates: Any, static: Any
    ) -> Exogenous | None:
        self._refuse_exogenous(covariates, static)
        if covariates is None and static is None:
            return None
        return check_exogenous(covariates, static, ss.lengths, type(self).__name__)

    def _predict_exogenous(
        self, ss: SequenceSet, X: Any, horizon: int, covariates: Any, static: Any
    ) -> Exogenous | None:
        """Check prediction-time features against those the model was fitted with."""
        self._refuse_exogenous(covariates, static)
        if not self._takes_exogenous:
            return None
        if static is None and X is None:  # continuing the training series
            static = getattr(self, "train_static_", None)
            static = None if static is None or static.shape[1] == 0 else static
        owner = type(self).__name__
        fitted = {
            "covariates": int(getattr(self, "n_covariates_", 0)),
            "static": int(getattr(self, "n_static_", 0)),
        }
        fixes = {
            "covariates": f"covariates=[array (len(history) + {horizon}, "
            f"{fitted['covariates']}), ...], covering each history and the "
            f"{horizon} forecast step(s).",
            "static": f"static=array ({len(ss)}, {fitted['static']}), one row "
            "per history.",
        }
        for name, value in (("covariates", covariates), ("static", static)):
            if fitted[name] and value is None:
                raise DataError(
                    f"{owner}: the model was fitted with {fitted[name]} {name} "
                    f"column(s); got {name}=None. Pass {fixes[name]}"
                )
            if not fitted[name] and value is not None:
                raise DataError(
                    f"{owner}: the model was fitted without {name}; got {name}. "
                    f"Drop {name}, or refit with fit(series, {name}=...)."
                )
        if covariates is None and static is None:
            return None
        exog = check_exogenous(covariates, static, ss.lengths, owner, extra=horizon)
        got = {"covariates": exog.n_covariates, "static": exog.n_static}
        for name, count in got.items():
            if count != fitted[name]:
                raise DataError(
                    f"{owner}: the model was fitted with {fitted[name]} {name} "
                    f"column(s); got {count}. Pass {fixes[name]}"
                )
        return exog

    # -- prediction
    def _default_horizon(self) -> int:
        return int(getattr(self, "horizon", 1))

    def _check_horizon(self, horizon: Any) -> int:
        if horizon is None:
            return self._default_horizon()
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)):
            horizon = -1
        if horizon < 1:
            raise InvalidParameterError(
                f"{type(self).__name__}: horizon must be an int >= 1 or None; got "
                f"{horizon!r}. Use horizon=1 for the next step."
            )
        return int(horizon)

    def _histories(self, X: Any, method: str) -> SequenceSet:
        check_is_fitted(self, method)
        owner = type(self).__name__
        if X is None:
            ss = SequenceSet(self.train_values_, self.train_offsets_)
        else:
            X = unpanel(X, method, owner)
            ss = as_sequence_set(X, kind="numeric", owner=owner, allow_empty_input=True)
        if len(ss) and ss.n_features != self.n_features_:
            raise DataError(
                f"{owner}: the model was fitted on {self.n_features_} feature(s); "
                f"got {ss.n_features}. Pass histories with the training features."
            )
        need = self._min_history()
        short = np.flatnonzero(ss.lengths < need)
        if len(short):
            steps = int(ss.lengths[short[0]])
            has = "is empty" if steps == 0 else f"has {steps} step(s)"
            what = "training series" if X is None else "history"
            raise DataError(
                f"{owner}: {what} {int(short[0])} {has} ({len(short)} of "
                f"{len(ss)} are that short); a forecast needs at least {need} "
                f"step(s). Pass longer histories, reduce the model's window, or "
                f"use {SHORT_SERIES_MODELS}."
            )
        return ss

    def predict_distribution(
        self,
        X: Any = None,
        horizon: int | None = None,
        *,
        covariates: Any = None,
        static: Any = None,
    ) -> tuple[Array, Array]:
        """Return the Gaussian forecast ``(mean, std)``, each ``(N, h, F)``.

        Parameters
        ----------
        X : list of arrays, SequenceSet or None, default=None
            Histories to forecast from; ``None`` continues the training series.
        horizon : int or None, default=None
            Steps ahead; ``None`` uses the model's ``horizon`` (else 1).
        covariates : list of arrays or None, default=None
            For a model fitted with covariates: one array ``(len(history) + h,
            C)`` per history, covering the history and the ``h`` steps ahead.
        static : array of shape (N, S) or None, default=None
            For a model fitted with static features: one row per history
            (``X=None`` reuses the training series' rows).

        Returns
        -------
        mean, std : ndarray of shape (N, h, F)
        """
        h, ss, exog = self._forecast_input(
            X, horizon, covariates, static, "predict_distribution"
        )
        if len(ss) == 0:
            empty = np.empty((0, h, self.n_features_))
            return empty, empty.copy()
        mean, std = self._forecast_with(ss, h, exog)
        if self._guard_divergence:
            mean, std = _naive_where_divergent(ss, mean, std, type(self).__name__)
        floor = _MIN_STD * np.maximum(1.0, np.abs(mean))
        return mean, np.maximum(std, floor)

    def _forecast_input(
        self, X: Any, horizon: Any, covariates: Any, static: Any, method: str
    ) -> tuple[int, SequenceSet, Exogenous | None]:
        """Return the checked ``(horizon, histories, features)`` of a forecast."""
        h = self._check_horizon(horizon)
        ss = self._histories(X, method)
        if len(ss) == 0:
            self._refuse_exogenous(covariates, static)
            return h, ss, None
        return h, ss, self._predict_exogenous(ss, X, h, covariates, static)

    def _distribution_quantiles(
        self, X: Any, horizon: int | None, q: Array, covariates: Any, static: Any
    ) -> tuple[Array, Array]:
        """Return ``(mean (N, h, F), quantiles (N, h, F, Q))`` at the levels ``q``.

        Gaussian quantiles of :meth:`predict_distribution` here; a model that
        learns its own quantiles overrides this (``predict_quantiles``,
        ``predict_interval`` and ``forecast`` all read it).
        """
        mean, std = self._distribution(X, horizon, covariates, static)
        return mean, gaussian_quantiles(mean, std, q)

    def _distribution(
        self, X: Any, horizon: int | None, covariates: Any, static: Any
    ) -> tuple[Array, Array]:
        """Call ``predict_distribution``, passing the features only when given.

        A subclass that overrides ``predict_distribution(X, horizon)`` (without
        the features) keeps working.
        """
        if covariates is None and static is None:
            return self.predict_distribution(X, horizon)
        return self.predict_distribution(
            X, horizon, covariates=covariates, static=static
        )

    def predict(
        self,
        X: Any = None,
        horizon: int | None = None,
        *,
        covariates: Any = None,
        static: Any = None,
    ) -> Array:
        """Return the point forecast (the mean), ``(N, h, F)``.

        Parameters
        ----------
        X : list of arrays, SequenceSet or None, default=None
            Histories to forecast from; ``None`` continues the training series.
        horizon : int or None, default=None
            Steps ahead; ``None`` uses the model's ``horizon`` (else 1).
        covariates, static : default=None
            Known-future and static features, as in :meth:`predict_distribution`.

        Returns
        -------
        ndarray of shape (N, h, F)
        """
        return self._distribution(X, horizon, covariates, static)[0]

    def predict_quantiles(
        self,
        X: Any = None,
        horizon: int | None = None,
        quantiles: Any = (0.1, 0.5, 0.9),
        *,
        covariates: Any = None,
        static: Any = None,
    ) -> Array:
        """Return forecast quantiles ``(N, h, F, Q)``, sorted along Q.

        Gaussian, unless the model learns its own quantiles.

        ``covariates`` and ``static`` are as in :meth:`predict_distribution`.
        """
        q = np.asarray(quantiles, dtype=np.float64).ravel()
        if q.size == 0 or not ((q > 0) & (q < 1)).all():
            raise InvalidParameterError(
                f"{type(self).__name__}: quantiles must be numbers in (0, 1); got "
                f"{quantiles!r}. Use quantiles=(0.1, 0.5, 0.9)."
            )
        return self._distribution_quantiles(X, horizon, q, covariates, static)[1]

    def predict_interval(
        self,
        X: Any = None,
        horizon: int | None = None,
        coverage: float = 0.8,
        *,
        covariates: Any = None,
        static: Any = None,
    ) -> tuple[Array, Array]:
        """Return the central ``coverage`` interval ``(lower, upper)`` (N, h, F).

        ``covariates`` and ``static`` are as in :meth:`predict_distribution`.
        """
        if not isinstance(coverage, (int, float)) or not 0 < coverage < 1:
            raise InvalidParameterError(
                f"{type(self).__name__}: coverage must be a number in (0, 1); got "
                f"{coverage!r}. Use coverage=0.8."
            )
        tail = (1.0 - float(coverage)) / 2
        exog = {"covariates": covariates, "static": static}
        given = {k: v for k, v in exog.items() if v is not None}  # old overrides
        q = self.predict_quantiles(X, horizon, (tail, 1.0 - tail), **given)
        return q[..., 0], q[..., 1]

    def forecast(
        self,
        X: Any = None,
        horizon: int | None = None,
        coverage: float = 0.8,
        *,
        covariates: Any = None,
        static: Any = None,
    ) -> pl.DataFrame:
        """Return the forecast as a tidy polars frame: a row per series, step, feature.

        Columns: ``series`` (the ids of the training series, or of a
        SequenceSet that has them; else the index), ``step`` (1 to h),
        ``ds`` (the time stamp of each forecast step, when the data had a
        regular time column), ``feature``, ``mean``, ``lower``, ``upper`` (the
        central ``coverage`` interval). ``covariates`` and ``static``
        are as in :meth:`predict_distribution`.
        """
        import polars as pl

        tail = (1.0 - float(coverage)) / 2
        mean, bounds = self._distribution_quantiles(
            X, horizon, np.array([tail, 1.0 - tail]), covariates, static
        )
        n, h, f = mean.shape
        index = np.arange(n)
        ids = self.train_ids_ if X is None else getattr(X, "ids", None)
        series: Any = np.asarray(ids)[index] if ids is not None else index
        grid = np.indices((n, h, f)).reshape(3, -1)
        columns: dict[str, Any] = {
            "series": np.asarray(series)[grid[0]],
            "step": grid[1] + 1,
        }
        future = self._future_times(X, h)
        if future is not None:
            ds = pl.Series("ds", future[grid[0], grid[1]])
            unit = self.time_unit_ if X is None else _time_grid(X)[2]
            if unit in ("datetime64[Y]", "datetime64[M]", "datetime64[D]"):
                ds = ds.cast(pl.Date)  # whole days: dates
            columns["ds"] = ds
        columns |= {
            "feature": grid[2],
            "mean": mean.ravel(),
            "lower": bounds[..., 0].ravel(),
            "upper": bounds[..., 1].ravel(),
        }
        return pl.DataFrame(columns)

    def _future_times(self, X: Any, horizon: int) -> Array | None:
        """Return ``(N, h)`` time stamps of the forecast steps, or None if unknown.

        Known when forecasting the training series of data with a regular
        time column, or histories (a SequenceSet) that carry time stamps.
        """
        if X is None:
            last, step, unit = self.time_last_, self.time_step_, self.time_unit_
        elif isinstance(X, SequenceSet):
            last, step, unit = _time_grid(X)
        else:
            return None
        if last is None or step is None or unit is None:
            return None
        ahead = np.arange(1, horizon + 1)
        times = last[:, None] + step[:, None] * ahead[None, :]  # (N, h)
        if not unit.startswith("datetime64"):
            return times
        # polars holds datetimes in ms/us/ns: calendar units go through ms
        return times.astype(unit).astype("datetime64[ms]")

    def score(
        self, X: Any, y: Any = None, *, covariates: Any = None, static: Any = None
    ) -> float:
        """Return the mean Gaussian log-likelihood of the future values.

        Higher is better; in nats per value, on the data's scale (a proper
        scoring rule: it rewards the right mean and the right spread).

        Parameters
        ----------
        X : list of arrays, SequenceSet or SeriesPanel
            Histories to forecast from.
        y : array-like or None, default=None
            The values after each history: ``(N,)``, ``(N, h)`` or
            ``(N, h, F)``. ``None`` (as scikit-learn's ``cross_val_score``
            calls it) takes them from ``X``: a selection of a
            :class:`~seqpred.data.panel.SeriesPanel` is scored on its steps
            from every step before them; a list of series on the last ``h``
            steps of each (``h`` = the model's ``horizon``, else 1) from the
            steps before them.
        covariates, static : default=None
            As in :meth:`predict_distribution`; without ``y`` the covariates
            cover each whole series of ``X``.

        Returns
        -------
        float
        """
        check_is_fitted(self, "score")
        owner = type(self).__name__
        if y is None:
            X, target = own_targets(
                X, self._default_horizon(), covariates, static, owner
            )
        else:
            n = len(as_sequence_set(unpanel(X, "score with y", owner), kind="numeric"))
            target = reshape_targets(y, n, self.n_features_, owner)
        mean, std = self._distribution(X, target.shape[1], covariates, static)
        z = (target - mean) / std
        logpdf = -0.5 * z**2 - np.log(std) - 0.5 * math.log(2 * math.pi)
        return float(logpdf.mean())


def _storable_ids(ids: Any) -> Array | None:
    """Return series ids as an array a model file can hold (text or integers)."""
    if ids is None:
        return None
    array = np.asarray(ids)
    if array.dtype.kind in "iu" or array.dtype.kind == "U":
        return array
    return array.astype(str)


def _time_grid(ss: SequenceSet) -> tuple[Array | None, Array | None, str | None]:
    """Return each series' last time stamp, its step and the time unit.

    The step of a series is the most common difference between its time
    stamps, in the coarsest calendar unit that holds them exactly (monthly
    data on the first of each month steps by one month, not by 28 to 31
    days). Returns ``(None, None, None)`` without time stamps, for text time
    stamps, or when a series has fewer than two steps.
    """
    stamps = ss.timestamps
    if stamps is None or len(ss) == 0 or np.diff(ss.offsets).min() < 2:
        return None, None, None
    stamps = np.asarray(stamps)
    if stamps.dtype.kind == "M":
        unit = _calendar_unit(stamps)
        numbers = stamps.astype(unit).astype(np.int64)
    elif stamps.dtype.kind in "iuf":
        unit, numbers = str(stamps.dtype), stamps
    else:
        return None, None, None
    last = numbers[ss.offsets[1:] - 1]
    steps = np.empty(len(ss), dtype=numbers.dtype)
    for i, (a, b) in enumerate(zip(ss.offsets[:-1], ss.offsets[1:])):
        values, counts = np.unique(np.diff(numbers[a:b]), return_counts=True)
        steps[i] = values[np.argmax(counts)]
    if (steps <= 0).any():
        return None, None, None
    return last, steps, unit


def _calendar_unit(stamps: Array) -> str:
    """Return the coarsest datetime64 unit that represents ``stamps`` exactly."""
    for unit in ("Y", "M", "D", "h", "m", "s", "ms", "us"):
        coarse = f"datetime64[{unit}]"
        if np.array_equal(stamps.astype(coarse).astype(stamps.dtype), stamps):
            return coarse
    return str(stamps.dtype)
