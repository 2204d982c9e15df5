"""A small MLP on lookback windows: a nonlinear global forecaster.

Trained with PyTorch (imported only inside ``fit``); the fitted weights are
plain NumPy arrays, so forecasting and saving need no torch.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags, check_random_state
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError
from seqpred.models.forecast._windows import (
    channels,
    check_horizon_fits,
    inverse_transform,
    last_windows,
    scale_windows,
    target_windows,
    transform_values,
)
from seqpred.models.forecast.base import SHORT_SERIES_MODELS, ForecasterMixin

__all__ = ["MLPForecaster"]


def _forward(weights: list[Array], x: Array) -> Array:
    """Run one tanh MLP ``[W1, b1, W2, b2]`` on ``x`` ``(n, L)``; ``(n, width)``."""
    w1, b1, w2, b2 = weights
    return np.asarray(np.tanh(x @ w1 + b1) @ w2 + b2)


class MLPForecaster(ForecasterMixin):
    """Forecast with an ensemble of one-hidden-layer tanh networks on windows.

    Each lookback window (transformed, standardised with the training
    statistics, then optionally scaled per window) goes through
    ``n_networks`` small MLPs trained independently by Adam on the mean
    squared error plus an L2 penalty; their forecasts are averaged. One set
    of networks serves every series and feature (global, channel
    independent).

    Parameters
    ----------
    lookback : int, default=12
        Steps of history each forecast reads.
    hidden_size : int, default=8
        Units of the hidden layer.
    horizon : int, default=1
        Steps ahead ``predict`` forecasts when not told otherwise, and the
        steps the multi-output strategy learns.
    strategy : {"recursive", "multi-output"}, default="recursive"
        Feed one-step forecasts back, or learn all ``horizon`` steps at once.
    n_networks : int, default=5
        Networks in the ensemble (different initialisations).
    max_epochs : int, default=1000
        Full-batch passes over the training windows per network.
    learning_rate : float, default=0.01
        Adam's learning rate.
    weight_decay : float, default=0.01
        Adam's L2 penalty on all weights (the main regulariser here).
    scaling : {"none", "mean", "standard", "seasonal"}, default="none"
        Per-window scaling, as in :class:`~seqpred.models.forecast.AR`.
    transform : {"none", "log", "sqrt"}, default="none"
        Applied to the values first and inverted after the forecast.
    random_state : None, int or numpy Generator, default=None
        Seed of the initialisations.

    Attributes
    ----------
    weights_ : list of list of ndarray
        Per network ``[W1 (L, H), b1 (H,), W2 (H, width), b2 (width,)]``.
    mean_, scale_ : float
        The standardisation of the (transformed) training values.
    residual_std_ : ndarray of shape (width,)
        In-sample RMS error of the ensemble per learned step (scaled units).
    n_windows_ : int
        Training windows.
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    train_values_, train_offsets_ : ndarray
        The training series, continued by ``predict(horizon=h)``.

    Notes
    -----
    Needs torch to fit (``pip install 'seqpred[neural]'``), not to predict.
    Full-batch training costs ``O(epochs windows L H)`` per network, so it
    suits short series (hundreds to a few thousand windows). Recursive
    intervals widen as ``sqrt(k)`` (a random-walk approximation; the network
    gives no psi weights).
    A forecast that runs away from its history falls back to the naive
    forecast with a ``FallbackWarning`` (see :mod:`seqpred.models.forecast.base`).

    References
    ----------
    .. [1] A. S. Weigend, B. A. Huberman, D. E. Rumelhart, "Predicting the
       future: a connectionist approach", International Journal of Neural
       Systems 1(3), 1990 (a 12-8-1 network on the sunspots).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.sin(np.arange(120) / 4)
    >>> model = MLPForecaster(lookback=8, n_networks=1, max_epochs=300,
    ...                       random_state=0).fit([y])
    >>> bool(abs(model.predict(horizon=1)[0, 0, 0] - np.sin(30.0)) < 0.05)
    True
    """

    _tags: ClassVar[Tags] = Tags(
        input_kind="numeric", stochastic=True, requires_torch=True
    )
    _guard_divergence: ClassVar[bool] = True
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "lookback": [Interval(int, 1, None)],
        "hidden_size": [Interval(int, 1, None)],
        "horizon": [Interval(int, 1, None)],
        "strategy": [Options({"recursive", "multi-output"})],
        "n_networks": [Interval(int, 1, None)],
        "max_epochs": [Interval(int, 1, None)],
        "learning_rate": [Interval(float, 0, None, closed="neither")],
        "weight_decay": [Interval(float, 0, None)],
        "scaling": [Options({"none", "mean", "standard", "seasonal"})],
        "transform": [Options({"none", "log", "sqrt"})],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        lookback: int = 12,
        *,
        hidden_size: int = 8,
        horizon: int = 1,
        strategy: str = "recursive",
        n_networks: int = 5,
        max_epochs: int = 1000,
        learning_rate: float = 0.01,
        weight_decay: float = 0.01,
        scaling: str = "none",
        transform: str = "none",
        random_state: Any = None,
    ) -> None:
        self.lookback = lookback
        self.hidden_size = hidden_size
        self.horizon = horizon
        self.strategy = strategy
        self.n_networks = n_networks
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.scaling = scaling
        self.transform = transform
        self.random_state = random_state

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        small = {"lookback": 6, "hidden_size": 4, "n_networks": 2, "max_epochs": 20}
        return [
            {**small, "random_state": 0},
            {**small, "horizon": 3, "strategy": "multi-output", "random_state": 1},
        ]

    def _min_history(self) -> int:
        return int(self.lookback)

    def _width(self) -> int:
        return 1 if self.strategy == "recursive" else int(self.horizon)

    def _windows(self, ss: SequenceSet) -> tuple[Array, Array]:
        owner, lookback, width = type(self).__name__, int(self.lookback), self._width()
        inputs, targets = [], []
        for y in channels(ss):
            x, t = target_windows(
                transform_values(y, self.transform, owner), lookback, width
            )
            full = ~np.isnan(t).any(axis=1)
            inputs.append(x[full])
            targets.append(t[full])
        x, t = np.vstack(inputs), np.vstack(targets)
        if len(x) == 0:
            raise DataError(
                f"{owner}: no series has the {lookback + width} steps one training "
                "window needs. Pass longer series, reduce the lookback or horizon, "
                f"or use {SHORT_SERIES_MODELS}."
            )
        return x, t

    def _fit(self, ss: SequenceSet) -> None:
        from seqpred.nn.runtime import require_torch, seeded, threads

        torch = require_torch(type(self).__name__)
        x, t = self._windows(ss)
        values = transform_values(ss.values.ravel(), self.transform, "")
        self.mean_ = float(values.mean())
        self.scale_ = float(values.std()) or 1.0
        x, t = (x - self.mean_) / self.scale_, (t - self.mean_) / self.scale_
        scaled, shift, scale = scale_windows(x, self.scaling)
        target = (t - shift) / scale
        rng = check_random_state(self.random_state)
        seeds = rng.integers(2**31 - 1, size=int(self.n_networks))
        device = torch.device("cpu")
        self.weights_ = []
        with threads(None, device):
            for seed in seeds:
                with seeded(int(seed), device):
                    self.weights_.append(self._train_one(torch, scaled, target))
        fitted = np.mean([_forward(w, scaled) for w in self.weights_], axis=0)
        self.residual_std_ = np.sqrt(np.mean((fitted - target) ** 2, axis=0))
        self.n_windows_ = len(scaled)

    def _train_one(self, torch: Any, x: Array, t: Array) -> list[Array]:
        net = torch.nn.Sequential(
            torch.nn.Linear(x.shape[1], int(self.hidden_size)),
            torch.nn.Tanh(),
            torch.nn.Linear(int(self.hidden_size), t.shape[1]),
        ).double()
        optimiser = torch.optim.Adam(
            net.parameters(),
            lr=float(self.learning_rate),
            weight_decay=float(self.weight_decay),
        )
        inputs, targets = torch.from_numpy(x), torch.from_numpy(t)
        for _ in range(int(self.max_epochs)):
            optimiser.zero_grad()
            loss = ((net(inputs) - targets) ** 2).mean()
            loss.backward()
            optimiser.step()
        first, last = net[0], net[2]
        return [
            first.weight.detach().numpy().T.copy(),
            first.bias.detach().numpy().copy(),
            last.weight.detach().numpy().T.copy(),
            last.bias.detach().numpy().copy(),
        ]

    def _predict_scaled(self, x: Array) -> Array:
        return np.asarray(np.mean([_forward(w, x) for w in self.weights_], axis=0))

    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        owner, lookback = type(self).__name__, int(self.lookback)
        check_horizon_fits(owner, self.strategy, horizon, self.horizon, self.horizon)
        windows, flat = last_windows(ss, lookback, self.transform, owner)
        n, f = windows.shape[:2]
        scaled, shift, scale = scale_windows(
            (flat - self.mean_) / self.scale_, self.scaling
        )
        if self.strategy == "recursive":
            window, out = scaled.copy(), np.empty((len(scaled), horizon))
            for k in range(horizon):
                out[:, k] = self._predict_scaled(window)[:, 0]
                window = np.concatenate([window[:, 1:], out[:, k : k + 1]], axis=1)
            std = self.residual_std_[0] * np.sqrt(np.arange(1, horizon + 1))
        else:
            out = self._predict_scaled(scaled)[:, :horizon]
            std = self.residual_std_[:horizon]
        mean = (out * scale + shift) * self.scale_ + self.mean_
        spread = np.broadcast_to(std, out.shape) * scale * self.scale_
        mean, spread = inverse_transform(mean, spread, self.transform)
        return (
            np.moveaxis(mean.reshape(n, f, horizon), 1, 2),
            np.moveaxis(spread.reshape(n, f, horizon), 1, 2),
        )
