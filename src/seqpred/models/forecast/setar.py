"""SETAR: a self-exciting threshold autoregression with two regimes."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError
from seqpred.models.forecast._windows import channels, target_windows
from seqpred.models.forecast.base import SHORT_SERIES_MODELS, ForecasterMixin

__all__ = ["SETAR"]

_TINY = 1e-300


def _fit_orders(
    lagged: Array, target: Array, max_order: int
) -> list[tuple[Array, float]]:
    """Least squares of ``target`` on lags ``1..p`` and a constant, for every ``p``.

    ``lagged`` is ``(n, max_order)`` with lag 1 first. Returns ``(weights,
    rss)`` per order; weights are ``[a_1 .. a_p, c]``.
    """
    out = []
    for p in range(1, max_order + 1):
        design = np.hstack([lagged[:, :p], np.ones((len(lagged), 1))])
        weights = np.linalg.lstsq(design, target, rcond=None)[0]
        residual = target - design @ weights
        out.append((weights, float(residual @ residual)))
    return out


class SETAR(ForecasterMixin):
    """Two-regime threshold autoregression chosen by AIC on the training data.

    ``y_t = c_j + a_j1 y_{t-1} + ... + a_jp_j y_{t-p_j} + e_t`` where the
    regime ``j`` is 1 when ``y_{t-d} <= r`` and 2 otherwise. The delay ``d``,
    the threshold ``r`` (a grid of quantiles of the training values) and the
    two orders are those of least AIC; for a given split the orders are
    chosen per regime, each by its own least squares fit. One model serves
    every series and feature (pooled windows).

    Parameters
    ----------
    max_order : int, default=12
        Largest order tried in each regime.
    max_delay : int, default=5
        Delays ``1 .. max_delay`` are tried.
    n_thresholds : int, default=29
        Thresholds tried: evenly spaced quantiles between ``trim`` and
        ``1 - trim`` of the threshold variable.
    trim : float, default=0.15
        Share of the windows each regime keeps at least.
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise.

    Attributes
    ----------
    delay_ : int
        The chosen delay ``d``.
    threshold_ : float
        The chosen threshold ``r``.
    orders_ : ndarray of shape (2,)
        The order of each regime.
    coef_ : ndarray of shape (2, max_order)
        Lag weights of each regime, lag 1 first, zero past its order.
    intercept_ : ndarray of shape (2,)
        The constant of each regime.
    residual_std_ : ndarray of shape (2,)
        In-sample RMS error of each regime.
    aic_ : float
        AIC of the chosen model.
    n_windows_ : int
        Training windows.
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    The search fits ``2 * max_delay * n_thresholds * max_order`` small least
    squares problems. Multi-step forecasts are recursive (each step's regime
    from the values fed back); their intervals widen as ``sqrt(k)`` times the
    regime's error, an approximation. A history needs ``max(max_order,
    max_delay)`` steps. A forecast that runs away from its history (a regime
    that feeds itself) is replaced by the naive forecast, with a
    ``FallbackWarning`` (the guard of :mod:`seqpred.models.forecast.base`).

    References
    ----------
    .. [1] H. Tong, K. S. Lim, "Threshold autoregression, limit cycles and
       cyclical data", Journal of the Royal Statistical Society B 42(3), 1980.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = [0.0]
    >>> for e in rng.normal(0, 0.3, 600):
    ...     y.append((0.5 * y[-1] + 1 if y[-1] <= 0 else -0.5 * y[-1]) + e)
    >>> model = SETAR(max_order=2, max_delay=2).fit([np.array(y)])
    >>> model.delay_, model.orders_.tolist(), round(model.threshold_, 1)
    (1, [1, 1], 0.0)
    """

    _tags: ClassVar[Tags] = Tags(input_kind="numeric")
    _guard_divergence: ClassVar[bool] = True
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "max_order": [Interval(int, 1, None)],
        "max_delay": [Interval(int, 1, None)],
        "n_thresholds": [Interval(int, 1, None)],
        "trim": [Interval(float, 0, 0.5, closed="neither")],
        "horizon": [Interval(int, 1, None)],
    }

    def __init__(
        self,
        max_order: int = 12,
        *,
        max_delay: int = 5,
        n_thresholds: int = 29,
        trim: float = 0.15,
        horizon: int = 1,
    ) -> None:
        self.max_order = max_order
        self.max_delay = max_delay
        self.n_thresholds = n_thresholds
        self.trim = trim
        self.horizon = horizon

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"max_order": 3, "max_delay": 2, "n_thresholds": 5, "horizon": 2}]

    def _min_history(self) -> int:
        return max(int(self.max_order), int(self.max_delay))

    def _fit(self, ss: SequenceSet) -> None:
        width = self._min_history()
        inputs, targets = [], []
        for y in channels(ss):
            x, t = target_windows(y, width, 1)
            inputs.append(x[:, ::-1])  # lag 1 first
            targets.append(t[:, 0])
        lagged, target = np.vstack(inputs), np.concatenate(targets)
        if len(lagged) < 4:
            raise DataError(
                f"SETAR: {len(lagged)} training window(s) of {width + 1} steps; "
                "need at least 4. Pass longer series, reduce max_order, or use "
                f"{SHORT_SERIES_MODELS}."
            )
        best: tuple[Any, ...] | None = None
        quantiles = np.linspace(self.trim, 1 - self.trim, int(self.n_thresholds))
        for d in range(1, int(self.max_delay) + 1):
            z = lagged[:, d - 1]
            for threshold in np.unique(np.quantile(z, quantiles)):
                low = z <= threshold
                if low.all() or not low.any():
                    continue
                fits = [
                    self._best_order(lagged[part], target[part]) for part in (low, ~low)
                ]
                aic = fits[0][0] + fits[1][0]
                if best is None or aic < best[0]:
                    best = (aic, d, float(threshold), *fits[0][1:], *fits[1][1:])
        if best is None:
            raise DataError(
                "SETAR: the training values never split into two regimes (the "
                "threshold variable is constant). Use an AR model instead."
            )
        self._store(best, len(lagged))

    def _best_order(
        self, lagged: Array, target: Array
    ) -> tuple[float, int, Array, float]:
        """Return ``(aic, order, weights, rms)`` of the regime's best order."""
        n = len(target)
        scored = []
        for p, (weights, rss) in enumerate(
            _fit_orders(lagged, target, int(self.max_order)), 1
        ):
            aic = n * np.log(max(rss, _TINY) / n) + 2 * (p + 1)
            scored.append((float(aic), p, weights, float(np.sqrt(rss / n))))
        return min(scored, key=lambda s: (s[0], s[1]))

    def _store(self, best: tuple[Any, ...], n_windows: int) -> None:
        aic, d, threshold, p1, w1, s1, p2, w2, s2 = best
        self.aic_ = float(aic)
        self.delay_ = int(d)
        self.threshold_ = float(threshold)
        self.orders_ = np.array([p1, p2])
        self.coef_ = np.zeros((2, int(self.max_order)))
        self.coef_[0, :p1] = w1[:-1]
        self.coef_[1, :p2] = w2[:-1]
        self.intercept_ = np.array([w1[-1], w2[-1]])
        self.residual_std_ = np.array([s1, s2])
        self.n_windows_ = n_windows

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        width = self._min_history()
        index = ss.offsets[1:, None] - width + np.arange(width)[None, :]
        windows = np.moveaxis(ss.values[index], 2, 1)  # (N, F, L)
        n, f = windows.shape[:2]
        recent = windows.reshape(n * f, width)[:, ::-1].copy()  # lag 1 first
        order = int(self.max_order)
        mean = np.empty((len(recent), horizon))
        regime_std = np.empty_like(mean)
        for k in range(horizon):
            regime = (recent[:, self.delay_ - 1] > self.threshold_).astype(int)
            lags = recent[:, :order]
            mean[:, k] = np.einsum("np,np->n", lags, self.coef_[regime])
            mean[:, k] += self.intercept_[regime]
            regime_std[:, k] = self.residual_std_[regime]
            recent = np.concatenate([mean[:, k : k + 1], recent[:, :-1]], axis=1)
        std = regime_std * np.sqrt(np.arange(1, horizon + 1))
        return (
            np.moveaxis(mean.reshape(n, f, horizon), 1, 2),
            np.moveaxis(std.reshape(n, f, horizon), 1, 2),
        )
