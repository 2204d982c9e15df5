"""DTWClassifier: one-nearest-neighbour classification under dynamic time warping."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.classify._dtw_kernels import envelope, nearest_per_class
from seqpred.models.classify.base import ClassifierMixin

__all__ = ["DTWClassifier"]


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
    fewer with pruning. ``decision_function`` returns minus the nearest
    distance per class; ``predict_proba`` is one-hot on the nearest class
    (1-NN has no calibrated probabilities). LB_Keogh applies only to
    candidates of the query's length; others are always computed. A
    prefix is compared with whole training series (DTW aligns the ends),
    so prefix predictions are usable but not calibrated.

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
    }
    _tags: ClassVar[Tags] = Tags(input_kind="numeric")

    def __init__(self, window: float | None = None) -> None:
        self.window = window

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

    def _decision(self, ss: SequenceSet) -> Array:
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
