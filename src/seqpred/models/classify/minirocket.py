"""MiniRocketClassifier: random-convolution features and a ridge classifier."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.base import Tags, check_random_state
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.classify import _minirocket
from seqpred.models.classify._linear import fit_ridge_cv, fit_temperature, softmax
from seqpred.models.classify.base import ClassifierMixin

__all__ = ["MiniRocketClassifier", "padded_channels"]

_ROWS = 256  # series per block of the decision's float64 product


def padded_channels(
    ss: SequenceSet, length: int | None = None, dtype: Any = np.float64
) -> tuple[Array, Array]:
    """Return ``(X, lengths)``: series as a zero-padded ``(N, channels, L)`` array.

    ``L`` is the longest series, or ``length`` if longer; ``dtype`` is X's.
    """
    lengths = ss.lengths
    L = max(int(lengths.max()) if len(lengths) else 0, length or 0, 1)
    X = np.zeros((len(ss), ss.n_features, L), dtype=dtype)
    rows = ss.sequence_index
    X[rows, :, ss.positions] = ss.values  # values: (steps, channels)
    return X, lengths


class MiniRocketClassifier(ClassifierMixin):
    """Classify numeric series with the MiniRocket transform and ridge regression.

    The 84 fixed kernels of length 9 (weights -1 and 2) are applied at a
    range of dilations; each output is summarised by the proportion of
    positive values (PPV) above biases drawn as quantiles of training
    convolutions. Features are scaled by their standard deviation and a
    one-vs-rest ridge regression picks its penalty by exact leave-one-out
    error. Multivariate series use a random subset of channels per kernel
    and dilation, as in the paper's multivariate variant.

    Parameters
    ----------
    n_features : int, default=10000
        Target number of features (rounded down to a multiple of 84;
        the default gives 9,996).
    max_dilations_per_kernel : int, default=32
        Most dilations per kernel.
    alphas : tuple of float or None, default=None
        Ridge penalties to choose from; ``None`` is ``logspace(-3, 3, 10)``.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the bias examples and channel subsets.
    device : str, default="cpu"
        Where the transform runs. "cpu": compiled loops (numba) or NumPy;
        "auto", "cuda", "cuda:N" or "mps": PyTorch on that device ("auto"
        picks a GPU when there is one, else the CPU), which gives the same
        features bit for bit. The biases are always fitted on the CPU (they
        need only a few series); the ridge runs in NumPy.

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        Sorted class labels.
    n_features_ : int
        Channels per step of the training series.
    length_ : int
        The longest training series (sets the dilations).
    dilations_, features_per_dilation_, channels_, biases_ : ndarray
        The fitted transform (``biases_`` in float32).
    scale_ : ndarray of shape (F,)
        Feature standard deviations (the ridge sees ``features / scale_``).
    coef_, intercept_ : ndarray
        Ridge weights ``(F, C)`` and biases ``(C,)``.
    alpha_ : float
        The chosen ridge penalty.
    temperature_ : float
        Softmax temperature of the decision values, fitted on the
        leave-one-out decision values.

    Notes
    -----
    Cost: ``O(N · L · F)`` comparisons for the transform, plus one
    eigendecomposition of the ``(N, N)`` Gram matrix of the features (a thin
    SVD when ``N > F``), which serves every ridge penalty. As in the
    reference code, convolutions and biases are float32; with numba they
    are compiled loops run in parallel over series (``NUMBA_NUM_THREADS``
    limits the threads), without it vectorised NumPy gives the same
    features. Unequal lengths are handled exactly: each series' counts use
    its own positions only; series shorter than the training series
    (prefixes) are padded with zeros, as a convolution with "same" padding
    would. Probabilities are the softmax of the ridge scores divided by
    ``temperature_``.

    References
    ----------
    .. [1] A. Dempster, D. Schmidt, G. Webb, "MiniRocket: a very fast (almost)
       deterministic transform for time series classification", KDD 2021.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 6, 40)
    >>> X = [np.sin(t * f) for f in (1, 1.1, 3, 3.2)] * 3
    >>> y = ["slow", "slow", "fast", "fast"] * 3
    >>> model = MiniRocketClassifier(n_features=840, random_state=0).fit(X, y)
    >>> model.predict([np.sin(t * 0.9), np.sin(t * 3.1)]).tolist()
    ['slow', 'fast']
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_features": [Interval(int, 84, None)],
        "max_dilations_per_kernel": [Interval(int, 1, None)],
        "alphas": [None, tuple],
        "random_state": ["random_state"],
        "device": [str],
    }
    _tags: ClassVar[Tags] = Tags(input_kind="numeric", stochastic=True)

    def __init__(
        self,
        n_features: int = 10_000,
        *,
        max_dilations_per_kernel: int = 32,
        alphas: tuple[float, ...] | None = None,
        random_state: Any = None,
        device: str = "cpu",
    ) -> None:
        self.n_features = n_features
        self.max_dilations_per_kernel = max_dilations_per_kernel
        self.alphas = alphas
        self.random_state = random_state
        self.device = device

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"n_features": 168, "random_state": 0}]

    def _transform(self, X: Array, lengths: Array) -> Array:
        """PPV features of padded series, on the CPU path or with torch."""
        if self.device == "cpu":
            return _minirocket.transform(X, lengths, self._params())
        from seqpred.models.classify._minirocket_torch import transform_torch
        from seqpred.nn.runtime import resolve_device

        device = resolve_device(self.device, type(self).__name__)
        return transform_torch(X, lengths, self._params(), device)

    def _params(self) -> dict[str, Array]:
        return {
            "dilations": self.dilations_,
            "features_per_dilation": self.features_per_dilation_,
            "channels": self.channels_,
            "biases": self.biases_,
        }

    def _features(self, ss: SequenceSet) -> Array:
        """Unscaled float32 PPV features ``(N, F)``."""
        X, lengths = padded_channels(ss, self.length_, dtype=np.float32)
        return self._transform(X, lengths)

    def _fit(self, ss: SequenceSet, y: Array) -> None:
        rng = check_random_state(self.random_state)
        X, lengths = padded_channels(ss, dtype=np.float32)
        self.length_ = X.shape[-1]
        fitted = _minirocket.fit_minirocket(
            X, lengths, self.n_features, self.max_dilations_per_kernel, rng
        )
        self.dilations_ = fitted["dilations"]
        self.features_per_dilation_ = fitted["features_per_dilation"]
        self.channels_ = fitted["channels"]
        self.biases_ = fitted["biases"]
        F = self._transform(X, lengths).astype(np.float64)
        std = F.std(axis=0)
        self.scale_ = np.where(std > 0, std, 1.0)
        F /= self.scale_  # in place: the float64 copy is the ridge's own
        alphas = np.logspace(-3, 3, 10) if self.alphas is None else self.alphas
        coef, bias, alpha, loo = fit_ridge_cv(
            F, y, len(self.classes_), np.asarray(alphas, dtype=float)
        )
        self.coef_, self.intercept_, self.alpha_ = coef, bias, alpha
        self.temperature_ = fit_temperature(loo, y)

    def _decision(self, ss: SequenceSet) -> Array:
        # the scaling is folded into the weights: (F / scale) @ coef = F @ weights
        weights = self.coef_ / self.scale_[:, None]  # (F, C)
        features = self._features(ss)  # (N, F) float32
        out: Array = np.empty((len(features), weights.shape[1]))
        for lo in range(0, len(features), _ROWS):  # float64 products, block by block
            block = features[lo : lo + _ROWS].astype(np.float64)
            out[lo : lo + _ROWS] = block @ weights
        out += self.intercept_
        return out

    def _proba(self, ss: SequenceSet) -> Array:
        return softmax(self._decision(ss) / self.temperature_)
