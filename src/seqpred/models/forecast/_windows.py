"""Lookback windows of univariate channels, per-window scaling and least squares.

Every linear window model here maps a scaled lookback window ``x`` ``(L,)``
through a fixed linear feature map ``P`` ``(L, d)`` and a learned matrix to
the next values, so its fit reduces to normal equations accumulated one
channel at a time (memory ``O(d^2)``, not ``O(windows x d)``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = [
    "NormalEquations",
    "channels",
    "inverse_transform",
    "scale_windows",
    "target_windows",
    "transform_values",
]


def channels(ss: SequenceSet) -> Iterator[Array]:
    """Yield every series' every feature as a 1-D array (channel independence)."""
    for series in ss:
        for j in range(series.shape[1]):
            yield series[:, j]


def scale_windows(
    windows: Array, scaling: str, *, lag: int = 1, floor: float = 0.0
) -> tuple[Array, Array, Array]:
    """Return ``(scaled, shift, scale)``: ``windows = scaled * scale + shift``.

    ``windows`` is ``(n, L)``; ``shift`` and ``scale`` are ``(n, 1)``.
    ``"none"`` keeps the values; ``"mean"`` divides by the window's mean
    absolute value; ``"standard"`` subtracts the window's mean and divides by
    its standard deviation; ``"seasonal"`` divides by the window's mean
    absolute change over ``lag`` steps (the scale of MASE). ``floor`` is
    added to the scale (not with ``"none"``); a zero scale becomes 1.
    """
    n = len(windows)
    shift = np.zeros((n, 1))
    scale = np.ones((n, 1))
    if scaling == "mean":
        scale = np.abs(windows).mean(axis=1, keepdims=True)
    elif scaling == "standard":
        shift = windows.mean(axis=1, keepdims=True)
        scale = windows.std(axis=1, keepdims=True)
    elif scaling == "seasonal":
        change = windows[:, lag:] - windows[:, :-lag]
        scale = np.abs(change).mean(axis=1, keepdims=True)
    if scaling != "none":
        scale = scale + floor
    scale = np.where(scale > 0, scale, 1.0)
    return (windows - shift) / scale, shift, scale


def transform_values(y: Array, transform: str, owner: str) -> Array:
    """Apply ``"none"``, ``"log"`` (needs y > 0) or ``"sqrt"`` (needs y >= 0)."""
    if transform == "none":
        return y
    if transform == "log":
        if (y <= 0).any():
            raise DataError(
                f"{owner}: transform='log' needs positive values; got a minimum of "
                f"{float(y.min())!r}. Use transform='none', or shift the data."
            )
        return np.log(y)
    if (y < 0).any():
        raise DataError(
            f"{owner}: transform='sqrt' needs values >= 0; got a minimum of "
            f"{float(y.min())!r}. Use transform='none', or shift the data."
        )
    return np.sqrt(y)


def inverse_transform(mean: Array, std: Array, transform: str) -> tuple[Array, Array]:
    """Map a forecast back: the median exactly, the std by the delta method."""
    if transform == "log":
        level = np.exp(mean)
        return level, level * std
    if transform == "sqrt":
        root = np.maximum(mean, 0.0)
        return root**2, 2 * root * std
    return mean, std


def check_horizon_fits(
    owner: str, strategy: str, horizon: int, fitted: int, learned: int
) -> None:
    """Refuse a direct / multi-output forecast past the ``learned`` steps."""
    if strategy != "recursive" and horizon > learned:
        raise InvalidParameterError(
            f"{owner}: fitted for horizon={fitted} with strategy={strategy!r}; got "
            f"horizon={horizon}. Fit with horizon={horizon} or use "
            "strategy='recursive'."
        )


def last_windows(
    ss: SequenceSet, lookback: int, transform: str, owner: str
) -> tuple[Array, Array]:
    """Return the last ``lookback`` steps ``(N, F, L)``, and transformed per channel.

    The second array holds each channel's window after ``transform``,
    ``(N * F, L)``, as the window models read it.
    """
    index = ss.offsets[1:, None] - lookback + np.arange(lookback)[None, :]
    windows = np.moveaxis(ss.values[index], 2, 1)  # (N, F, L)
    n, f = windows.shape[:2]
    flat = transform_values(windows.reshape(n * f, lookback), transform, owner)
    return windows, flat


def target_windows(y: Array, lookback: int, width: int) -> tuple[Array, Array]:
    """Return ``(inputs, targets)``: every lookback window of ``y`` and what follows.

    ``inputs`` is ``(n, lookback)``, ``targets`` ``(n, width)`` with NaN where
    the series ends before ``width`` values; windows with no target are
    dropped (``n = len(y) - lookback``, possibly 0).
    """
    n = len(y) - lookback
    if n <= 0:
        return np.empty((0, lookback)), np.empty((0, width))
    padded = np.concatenate([y, np.full(width - 1, np.nan)])
    view = np.lib.stride_tricks.sliding_window_view(padded, lookback + width)[:n]
    return view[:, :lookback], view[:, lookback:]


@dataclass
class NormalEquations:
    """Running ``Z'Z``, ``Z'Y`` and ``Y'Y`` of a least-squares fit with an intercept.

    Rows with every target known go into the shared sums; rows with only
    the first ``j`` targets known are kept aside for the direct strategy,
    where step ``k`` uses every row that knows it.
    """

    n_features: int
    width: int
    keep_partial: bool
    gram: Array = field(init=False)
    cross: Array = field(init=False)
    squares: Array = field(init=False)
    count: int = 0
    partial: list[tuple[Array, Array]] = field(default_factory=list)

    def __post_init__(self) -> None:
        d = self.n_features + 1
        self.gram = np.zeros((d, d))
        self.cross = np.zeros((d, self.width))
        self.squares = np.zeros(self.width)

    def add(self, features: Array, targets: Array) -> None:
        """Add rows ``features`` ``(n, d - 1)`` with ``targets`` ``(n, width)``."""
        design = np.hstack([features, np.ones((len(features), 1))])
        known = ~np.isnan(targets)
        full = known.all(axis=1)
        z, t = design[full], targets[full]
        self.gram += z.T @ z
        self.cross += z.T @ t
        self.squares += (t**2).sum(axis=0)
        self.count += len(z)
        if self.keep_partial and (~full).any():
            self.partial.append((design[~full], targets[~full]))

    def mapped(self, feature_map: Array) -> NormalEquations:
        """Return the sums for the features ``x @ feature_map`` of the same rows.

        ``Z = X P`` gives ``Z'Z = P'X'XP`` and ``Z'Y = P'X'Y``, so a linear
        feature map never needs the (wider) features of every row.
        """
        d = feature_map.shape[1]
        full = np.zeros((len(feature_map) + 1, d + 1))
        full[:-1, :-1] = feature_map
        full[-1, -1] = 1.0  # the intercept column stays as is
        out = NormalEquations(d, self.width, self.keep_partial)
        out.gram = full.T @ self.gram @ full
        out.cross = full.T @ self.cross
        out.squares = self.squares.copy()
        out.count = self.count
        out.partial = [(z @ full, t) for z, t in self.partial]
        return out

    def solve(
        self, alpha: float, select: Array | None = None
    ) -> tuple[Array, Array, Array]:
        """Return ``(weights (d, width), rms (width,), rows (width,))``.

        ``alpha`` is the ridge penalty per row: the fit minimises the mean
        squared error plus ``alpha`` times the squared weights (not the
        intercept). ``select`` ``(d, width)``, a boolean mask, limits target
        ``k`` to the columns ``select[:, k]`` (the intercept, last, always
        included); the others get weight 0. None uses every column.
        """
        if not self.partial:
            counts = np.full(self.width, self.count)
            if select is None:
                weights = _ridge(self.gram, self.cross, self.count, alpha)
            else:
                weights = np.zeros_like(self.cross)
                for k in range(self.width):
                    weights[:, k] = _ridge_columns(
                        self.gram, self.cross[:, k], self.count, alpha, select[:, k]
                    )
            rss = _rss(self.gram, self.cross, self.squares, weights)
            return weights, np.sqrt(rss / np.maximum(counts, 1)), counts
        z = np.vstack([p[0] for p in self.partial])
        t = np.vstack([p[1] for p in self.partial])
        known = (~np.isnan(t)).sum(axis=1)  # targets are known from step 1 on
        gram, count = self.gram.copy(), self.count
        weights = np.empty_like(self.cross)
        rms = np.empty(self.width)
        counts = np.empty(self.width, dtype=np.int64)
        for k in range(self.width - 1, -1, -1):  # grow the row set as k falls
            rows = known == k + 1
            gram += z[rows].T @ z[rows]
            count += int(rows.sum())
            use = known >= k + 1
            cross = self.cross[:, k] + z[use].T @ t[use, k]
            square = self.squares[k] + float((t[use, k] ** 2).sum())
            if select is None:
                w = _ridge(gram, cross[:, None], count, alpha)
            else:
                w = _ridge_columns(gram, cross, count, alpha, select[:, k])[:, None]
            weights[:, k] = w[:, 0]
            rss = _rss(gram, cross[:, None], np.array([square]), w)
            rms[k] = float(np.sqrt(rss[0] / max(count, 1)))
            counts[k] = count
        return weights, rms, counts


def _ridge(gram: Array, cross: Array, count: int, alpha: float) -> Array:
    penalty = np.full(len(gram), alpha * max(count, 1))
    penalty[-1] = 0.0  # never shrink the intercept
    system = gram + np.diag(penalty)
    if alpha > 0:
        try:
            return np.asarray(np.linalg.solve(system, cross))
        except np.linalg.LinAlgError:
            pass
    return np.asarray(np.linalg.lstsq(system, cross, rcond=None)[0])


def _ridge_columns(
    gram: Array, cross: Array, count: int, alpha: float, use: Array
) -> Array:
    """Solve for one target ``cross`` ``(d,)`` on the columns ``use``; 0 elsewhere."""
    weights = np.zeros(len(gram))
    sub = np.ix_(use, use)
    weights[use] = _ridge(gram[sub], cross[use, None], count, alpha)[:, 0]
    return weights


def _rss(gram: Array, cross: Array, squares: Array, weights: Array) -> Array:
    """Residual sum of squares per target column, from the sufficient statistics."""
    fitted = np.einsum("dk,de,ek->k", weights, gram, weights)
    rss = squares - 2 * np.einsum("dk,dk->k", weights, cross) + fitted
    return np.asarray(np.maximum(rss, 0.0))
