"""Known-future covariates and static features, checked against their series.

``covariates`` holds, per series, an array ``(steps, C)`` of features whose
future values are known when forecasting (calendar, planned prices,
weather forecasts); its rows are aligned with the series' steps. At fit time
it has one row per training step; at prediction time one row per history
step plus one per forecast step. ``static`` is ``(N, S)``: features of each
series that do not change over time (a store's size, a sensor's site).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.exceptions import DataError

__all__ = ["Exogenous", "check_exogenous"]


@dataclass(frozen=True)
class Exogenous:
    """Covariate rows ``(rows, C)`` split by ``offsets``; static rows ``(N, S)``."""

    covariates: Array
    offsets: Array
    static: Array

    @property
    def n_covariates(self) -> int:
        """Return ``C``, the covariates per step (0: none)."""
        return int(self.covariates.shape[1])

    @property
    def n_static(self) -> int:
        """Return ``S``, the static features per series (0: none)."""
        return int(self.static.shape[1])

    def rows(self, i: int) -> Array:
        """Return the covariate rows of series ``i``, ``(steps, C)``."""
        return self.covariates[self.offsets[i] : self.offsets[i + 1]]

    def last_rows(self, horizon: int) -> Array:
        """Return the last ``horizon`` covariate rows of every series, ``(N, h, C)``."""
        index = self.offsets[1:, None] - horizon + np.arange(horizon)[None, :]
        return np.asarray(self.covariates[index])


def _numeric(value: Any, owner: str, what: str, fix: str) -> Array:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(
            f"{owner}: {what} must be numeric; got {type(value).__name__}. {fix}"
        ) from None
    if not np.isfinite(arr).all():
        raise DataError(f"{owner}: {what} contain NaN or infinite values. {fix}")
    return arr


def _covariates(
    covariates: Any, lengths: Array, extra: int, owner: str
) -> tuple[Array, Array]:
    """Return ``(values (sum(lengths) + N * extra, C), offsets (N + 1,))``."""
    n = len(lengths)
    fix = "Pass one array (steps, C) per series" + (
        f", covering its history and the {extra} forecast step(s)." if extra else "."
    )
    if isinstance(covariates, np.ndarray) and covariates.ndim == 2:
        raise DataError(
            f"{owner}: covariates must be a list with one array per series; got "
            f"one array of shape {covariates.shape}. Wrap it in a list: "
            "covariates=[array]."
        )
    if not isinstance(covariates, (list, tuple, np.ndarray)) or len(covariates) != n:
        got = len(covariates) if isinstance(covariates, (list, tuple)) else covariates
        raise DataError(
            f"{owner}: expected covariates for {n} series; got {got!r}. {fix}"
        )
    blocks: list[Array] = []
    for i, block in enumerate(covariates):
        arr = _numeric(block, owner, f"the covariates of series {i}", fix)
        arr = arr[:, None] if arr.ndim == 1 else arr
        need = int(lengths[i]) + extra
        if arr.ndim != 2 or len(arr) != need:
            expected = f"{need} row(s)" + (
                f" (its {int(lengths[i])} history step(s) + {extra} forecast step(s))"
                if extra
                else " (one per step of the series)"
            )
            raise DataError(
                f"{owner}: the covariates of series {i} have shape {arr.shape}; "
                f"expected {expected}. {fix}"
            )
        if arr.shape[1] == 0:
            raise DataError(
                f"{owner}: the covariates of series {i} have no columns. Pass "
                "covariates=None for none, or at least one column per series."
            )
        if blocks and arr.shape[1] != blocks[0].shape[1]:
            raise DataError(
                f"{owner}: the covariates of series {i} have {arr.shape[1]} "
                f"column(s); series 0 has {blocks[0].shape[1]}. Give every series "
                "the same covariates."
            )
        blocks.append(arr)
    width = blocks[0].shape[1] if blocks else 0
    values = np.concatenate(blocks) if blocks else np.empty((0, width))
    offsets = np.concatenate([[0], np.cumsum(lengths + extra)]).astype(np.int64)
    return values.reshape(len(values), width), offsets


def _static(static: Any, n: int, owner: str) -> Array:
    fix = "Pass static as an array (N, S): one row of features per series."
    arr = _numeric(static, owner, "static features", fix)
    arr = arr[:, None] if arr.ndim == 1 else arr
    if arr.ndim != 2 or len(arr) != n or arr.shape[1] == 0:
        raise DataError(
            f"{owner}: static has shape {np.shape(static)}; expected ({n}, S) for "
            f"{n} series. {fix}"
        )
    return arr


def check_exogenous(
    covariates: Any,
    static: Any,
    lengths: Array,
    owner: str,
    *,
    extra: int = 0,
) -> Exogenous:
    """Return checked covariates and static features for series of ``lengths``.

    ``extra`` is the number of forecast steps the covariates must also
    cover (0 at fit time). Either may be None (then ``C`` or ``S`` is 0).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    n = len(lengths)
    if covariates is None:
        values = np.empty((int(lengths.sum()) + n * extra, 0))
        offsets = np.concatenate([[0], np.cumsum(lengths + extra)]).astype(np.int64)
    else:
        values, offsets = _covariates(covariates, lengths, extra, owner)
    table = np.empty((n, 0)) if static is None else _static(static, n, owner)
    return Exogenous(values, offsets, table)
