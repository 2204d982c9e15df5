"""DTWClassifier: one-nearest-neighbour classification under dynamic time warping."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import ComputeBudgetError
from seqpred.models.classify._dtw_kernels import envelope, nearest_per_class
from seqpred.models.classify.base import ClassifierMixin

__all__ = ["DTWClassifier"]

CELLS_PER_SECOND = 1e8
"""About how many DTW cells one core computes a second (for messages only)."""


class DTWClassifier(ClassifierMixin):
    """Classify numeric series by their nearest training series under DTW.

    Distances are dynamic time warping with squared Euclidean step costs
    (summed over channels: "dependent" multivariate DTW) inside a
    Sakoe-Chiba band. Candidates are visited in increasing order of their
    LB_Keogh lower bound and skipped when the bound cannot beat the best
    distance so far; the DTW itself abandons early.

    Parameters
    ----------
    window : float or None, default=None
        Half-width of the warping band as a fraction of the series length
        (``0``: Euclidean distance; ``None`` or ``1.0``: no band, the UCR
        archive's "DTW (full)"). The band is widened to the length
        difference for unequal lengths.
    max_cells : float or None, default=1e10
        Most dynamic-programming cells one query may need against the whole
        training set, counted before pruning (``L · min(M, 2w + 1)`` per
        training series of length ``M``, for a query of length ``L`` and a
        band of half-width ``w``). A query above it raises
        :class:`~seqpred.exceptions.ComputeBudgetError` before any work,
        with the estimate and a window that fits. The default bounds one
        query to about a minute and a half on one core (UCR-sized data stays
        far below it). ``None``: no limit.

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        Sorted class labels.
    n_features_ : int
        Channels per step.
    train_values_, train_offsets_, train_labels_ : ndarray
        The stored training series (flat, as in a SequenceSet) and their
        class indices.
    lower_, upper_ : ndarray
        LB_Keogh envelopes of the training series.

    Notes
    -----
    Cost per query: up to ``N`` DTW computations of ``O(L · w)`` each, far
    fewer with pruning; ``max_cells`` refuses a query whose worst case is
    too large (two series of 1.75 million steps need 6e12 cells, hours of
    work, and fail at once). Fitting is ``O(total length)`` whatever the
    window (streaming min/max envelopes). ``decision_function`` returns
    minus the nearest distance per class; ``predict_proba`` is one-hot on
    the nearest class (1-NN has no calibrated probabilities). LB_Keogh
    applies only to candidates of the query's length; others are always
    computed. A prefix is compared with whole training series (DTW aligns
    the ends), so prefix predictions are usable but not calibrated.

    References
    ----------
    .. [1] H. Sakoe, S. Chiba, "Dynamic programming algorithm optimization
       for spoken word recognition", IEEE TASSP 26(1), 1978.
    .. [2] E. Keogh, C. Ratanamahatana, "Exact indexing of dynamic time
       warping", KAIS 7(3), 2005.
    .. [3] H. Dau et al., "The UCR time series archive", IEEE/CAA JAS 2019.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 6, 30)
    >>> X = [np.sin(t), np.sin(t + 0.3), np.cos(3 * t), np.cos(3 * t + 0.2)]
    >>> model = DTWClassifier(window=0.1).fit(X, ["a", "a", "b", "b"])
    >>> model.predict([np.sin(t + 0.1), np.cos(3 * t)]).tolist()
    ['a', 'b']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "window": [None, Interval(float, 0, 1)],
        "max_cells": [None, Interval(float, 1, None)],
    }
    _tags: ClassVar[Tags] = Tags(input_kind="numeric")

    def __init__(
        self, window: float | None = None, *, max_cells: float | None = 1e10
    ) -> None:
        self.window = window
        self.max_cells = max_cells

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{}, {"window": 0.1}]

    def _band(self, length: int) -> int:
        if self.window is None or self.window >= 1.0:
            return length
        return int(np.floor(self.window * length))

    def _fit(self, ss: SequenceSet, y: Array) -> None:
        self.train_values_ = np.ascontiguousarray(ss.values, dtype=np.float64)
        self.train_offsets_ = ss.offsets.copy()
        self.train_labels_ = y
        self.band_ = self._band(int(ss.lengths.max()))
        lower = np.empty_like(self.train_values_)
        upper = np.empty_like(self.train_values_)
        for i in range(len(ss)):
            lo, hi = ss.offsets[i], ss.offsets[i + 1]
            lower[lo:hi], upper[lo:hi] = envelope(self.train_values_[lo:hi], self.band_)
        self.lower_, self.upper_ = lower, upper

    def _cells(self, length: int, band: int) -> int:
        """Most DTW cells a query of ``length`` steps needs against the training set."""
        train = np.diff(self.train_offsets_)
        width = np.minimum(train, 2 * np.maximum(band, np.abs(train - length)) + 1)
        return int(length) * int(width.sum())

    def _check_cost(self, ss: SequenceSet) -> None:
        """Raise before any work when a query's worst case passes ``max_cells``."""
        limit = getattr(self, "max_cells", None)  # None in files saved before it
        if limit is None:
            return
        distinct, inverse = np.unique(ss.lengths, return_inverse=True)
        per_length = np.array([self._cells(int(n), self.band_) for n in distinct])
        over = np.flatnonzero(per_length[inverse.ravel()] > limit)
        if over.size:
            query = int(over[0])
            length = int(ss.lengths[query])
            cells = self._cells(length, self.band_)
            raise ComputeBudgetError(
                f"DTWClassifier: query {query} ({length} steps) against the "
                f"{len(self.train_labels_)} training series needs up to {cells:.2g} "
                f"DTW cells before pruning (about {_duration(cells)} at "
                f"{CELLS_PER_SECOND:.0e} cells a second), more than max_cells="
                f"{limit:.2g}. {self._advice(length, limit)}"
            )

    def _advice(self, length: int, limit: float) -> str:
        longest = int(np.diff(self.train_offsets_).max())
        fix = "Shorten or downsample the series"
        for window in (0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 5e-4, 2e-4, 1e-4):
            band = int(np.floor(window * longest))
            if (self.window is None or window < self.window) and self._cells(
                length, band
            ) <= limit:
                fix = f"Pass window={window} (a band of {band} steps), or shorten"
                fix += " or downsample the series"
                break
        return f"{fix}, or pass max_cells=None to run it anyway."

    def _decision(self, ss: SequenceSet) -> Array:
        self._check_cost(ss)
        out = np.empty((len(ss), len(self.classes_)))
        values = np.ascontiguousarray(ss.values, dtype=np.float64)
        for i in range(len(ss)):
            query = values[ss.offsets[i] : ss.offsets[i + 1]]
            out[i] = nearest_per_class(
                query,
                self.train_values_,
                self.train_offsets_,
                self.train_labels_,
                len(self.classes_),
                self.lower_,
                self.upper_,
                self.band_,
            )
        return -out

    def _proba(self, ss: SequenceSet) -> Array:
        scores = self._decision(ss)
        proba = np.zeros_like(scores)
        proba[np.arange(len(scores)), np.argmax(scores, axis=1)] = 1.0
        return proba


def _duration(cells: float) -> str:
    seconds = cells / CELLS_PER_SECOND
    for unit, size in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} seconds"
