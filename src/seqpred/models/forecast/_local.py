"""The shared shell of local statistical forecasters (ETS, Theta, ARIMA).

A local model fits every channel (each feature of each series) on its own
and keeps one packed float vector per channel: ``fits_[fit_offsets_[c] :
fit_offsets_[c + 1]]``, whose layout the model defines. ``predict()``
continues the training series with those fits; ``predict(X)`` fits the
same kind of model to every history of ``X`` (a local model has nothing
shared to carry over), unless ``X`` holds exactly the training series.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError
from seqpred.models.forecast.base import ForecasterMixin
from seqpred.models.forecast.seasonality import resolve_season_lengths

__all__ = ["SEASON_LENGTH", "LocalForecaster"]

SEASON_LENGTH: list[Any] = [None, Options({"auto"}), Interval(int, 1, None)]
"""Constraint of ``season_length``: None (1), "auto" or an int >= 1."""


class LocalForecaster(ForecasterMixin):
    """Fit a model to every channel on its own (see the module docstring)."""

    _tags: ClassVar[Tags] = Tags(input_kind="numeric")
    season_length: Any
    fits_: Array
    fit_offsets_: Array
    season_lengths_: Array

    # -- to implement
    def _fit_channel(self, y: Array, m: int) -> Array:
        """Return the packed fit of one channel ``y`` with season length ``m``."""
        raise NotImplementedError

    def _forecast_channel(self, fit: Array, horizon: int) -> tuple[Array, Array]:
        """Return ``(mean, std)`` ``(h,)`` of one packed fit."""
        raise NotImplementedError

    def _min_cycles(self) -> float:
        """Return the cycles a series needs before ``"auto"`` gives it a season."""
        return 2.0

    # -- the shell
    def _fit(self, ss: SequenceSet) -> None:
        self.season_lengths_, self.fits_, self.fit_offsets_ = self._fit_all(ss)

    def _fit_all(self, ss: SequenceSet) -> tuple[Array, Array, Array]:
        owner = type(self).__name__
        if not np.isfinite(ss.values).all():
            bad = int(ss.sequence_index[np.flatnonzero(~np.isfinite(ss.values))[0]])
            raise DataError(
                f"{owner}: series {bad} has missing or infinite values; a local "
                "statistical model needs complete series. Fill the gaps first "
                "(for example by interpolation)."
            )
        lengths = resolve_season_lengths(
            ss, self.season_length, min_cycles=self._min_cycles()
        )
        packs = []
        for i, series in enumerate(ss):
            for j in range(ss.n_features):
                y = np.ascontiguousarray(series[:, j], dtype=np.float64)
                m = int(lengths[i * ss.n_features + j])
                packs.append(self._fit_channel(y, m))
        sizes = np.array([len(p) for p in packs], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        flat = np.concatenate(packs) if packs else np.empty(0)
        return lengths, flat, offsets

    def _is_training(self, ss: SequenceSet) -> bool:
        return (
            ss.values.shape == self.train_values_.shape
            and np.array_equal(ss.offsets, self.train_offsets_)
            and np.array_equal(ss.values, self.train_values_)
        )

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        if self._is_training(ss):
            fits, offsets = self.fits_, self.fit_offsets_
        else:
            _, fits, offsets = self._fit_all(ss)
        n, f = len(ss), ss.n_features
        mean = np.empty((n * f, horizon))
        std = np.empty((n * f, horizon))
        for c in range(n * f):
            pack = fits[offsets[c] : offsets[c + 1]]
            mean[c], std[c] = self._forecast_channel(pack, horizon)
        return (
            np.moveaxis(mean.reshape(n, f, horizon), 1, 2),
            np.moveaxis(std.reshape(n, f, horizon), 1, 2),
        )

    def _channel_fits(self) -> list[Array]:
        """Return the packed fit of every training channel."""
        o = self.fit_offsets_
        return [self.fits_[o[c] : o[c + 1]] for c in range(len(o) - 1)]
