"""A seq2seq neural forecaster: an encoder over the window, a GRU decoder, quantiles.

The encoder (GRU, LSTM or a causal temporal CNN) reads the scaled lookback
window with its covariates; its last state starts a GRU decoder unrolled
for the ``horizon`` steps (a direct multi-horizon model, MQ-RNN style: the
decoder reads a learned embedding of each step plus that step's known-future
covariates, never its own forecasts), and a linear head gives quantiles of
every step. Quantiles are non-crossing by construction (the median plus or
minus cumulative softplus gaps) and trained with the pinball loss.

torch is imported with this module; :mod:`seqpred.models.forecast` exports
the class lazily, so the other forecasters never need torch.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.forecast._encoder_decoder_network import (
    QuantileSeq2Seq,
    WindowBatchIterator,
    WindowData,
    interpolate_quantiles,
    pinball_loss,
)
from seqpred.models.forecast._exogenous import Exogenous
from seqpred.models.forecast._windows import (
    check_horizon_fits,
    inverse_transform,
    last_windows,
    scale_windows,
    transform_values,
)
from seqpred.models.forecast.base import ForecasterMixin
from seqpred.nn.estimator import (
    TRAINING_CONSTRAINTS,
    NeuralEstimatorMixin,
)
from seqpred.nn.runtime import threads

import torch  # isort: skip  # noqa: E402  (after _estimator, which checks for torch)
from torch import Tensor  # isort: skip  # noqa: E402

__all__ = ["EncoderDecoderForecaster", "QuantileSeq2Seq", "interpolate_quantiles"]

_PREDICT_BATCH = 1024


_MODEL_CONSTRAINTS: dict[str, list[Any]] = {
    "lookback": [Interval(int, 1, None)],
    "horizon": [Interval(int, 1, None)],
    "strategy": [Options({"multi-output", "recursive"})],
    "encoder": [Options({"gru", "lstm", "tcn"})],
    "hidden_size": [Interval(int, 1, None)],
    "n_layers": [None, Interval(int, 1, None)],
    "dropout": [Interval(float, 0, 1, closed="left")],
    "quantiles": [tuple, list],
    "season_length": [None, Interval(int, 1, None)],
    "scaling": [Options({"none", "mean", "standard", "seasonal"})],
    "transform": [Options({"none", "log", "sqrt"})],
    "windows_per_epoch": [None, Interval(int, 1, None)],
}


class EncoderDecoderForecaster(NeuralEstimatorMixin, ForecasterMixin):
    """Forecast with an encoder over the window and a GRU decoder of quantiles.

    Every channel (each feature of each series) is cut into windows of
    ``lookback`` steps followed by their targets. A window is transformed,
    standardised with the training statistics and scaled on its own
    (``scaling``), so one network serves series of any level (global,
    channel independent). The encoder reads the window (and the window's
    covariates); its last state, plus a projection of the static features,
    starts a GRU decoder unrolled over the forecast steps, whose inputs are
    a learned embedding of each step plus that step's known-future
    covariates. A linear head gives the ``quantiles`` of every step, with a
    linear highway from the window added to the median. Training minimises
    the pinball loss with early stopping on the last windows of each
    channel.

    Parameters
    ----------
    lookback : int, default=48
        Steps of history each forecast reads.
    horizon : int, default=1
        Steps the decoder learns (multi-output) and ``predict``'s default.
    strategy : {"multi-output", "recursive"}, default="multi-output"
        Decode all ``horizon`` steps at once (direct), or learn one step and
        feed each forecast median back (any horizon).
    encoder : {"gru", "lstm", "tcn"}, default="gru"
        The window's encoder; "tcn" is a causal dilated temporal CNN.
    hidden_size : int, default=64
        Width of the input projection, encoder and decoder.
    n_layers : int or None, default=None
        Encoder layers; None: 1 for the GRU and LSTM, and for the TCN the
        fewest residual blocks whose receptive field covers the lookback.
    dropout : float, default=0.0
        Dropout in the encoder.
    quantiles : tuple of float, default=(0.1, 0.5, 0.9)
        Levels learned; they must include 0.5 (the point forecast) and at
        least one level on each side of it.
    season_length : int or None, default=None
        Start the median from the seasonal-naive forecast of this period
        (the linear highway's initial weights; below ``lookback``); also
        the lag of ``scaling="seasonal"``. None: a random start, lag 1.
    scaling : {"none", "mean", "standard", "seasonal"}, default="standard"
        Per-window scaling, as in :class:`~seqpred.models.forecast.AR`.
    transform : {"none", "log", "sqrt"}, default="none"
        Applied to the values first and inverted after the forecast.
    windows_per_epoch : int or None, default=None
        Training windows drawn (afresh) per epoch; None: all of them.
    max_epochs : int, default=50
        Passes over the training windows.
    batch_size : int, default=64
        Windows per mini-batch.
    learning_rate : float, default=0.003
        Peak learning rate of AdamW (warm-up, then cosine decay).
    weight_decay : float, default=0.0
        Decoupled weight decay on the weight matrices.
    max_time : float or None, default=None
        Training budget in seconds (None: no limit).
    validation_fraction : float, default=0.1
        Share of each channel's windows, the latest, held out for early
        stopping (0: none).
    patience : int or None, default=5
        Epochs without a better validation loss before stopping (None:
        never); the best weights are kept.
    device : str, default="auto"
        "auto", "cpu", "cuda", "cuda:N" or "mps".
    n_threads : int or None, default=None
        CPU threads for torch; None means 1.
    random_state : None, int or numpy Generator, default=None
        Seed of initialisation, dropout and window order.
    verbose : int, default=0
        0: silent; 1: a progress bar per epoch on stderr; 2: keep the bars.
    log_file : str or None, default=None
        JSON-lines log of the run, one line per epoch.

    Attributes
    ----------
    quantiles_ : ndarray of shape (Q,)
        The learned levels, sorted.
    mean_, scale_ : float
        The standardisation of the (transformed) training values.
    n_windows_ : int
        Training windows (before the validation split).
    n_features_, n_sequences_ : int
        Features per step and number of training series.
    n_covariates_, n_static_ : int
        Covariate columns and static features the model was fitted with.
    train_values_, train_offsets_, train_static_ : ndarray
        The training series (and static rows), continued by ``predict()``.
    module_config_ : dict
        The network's settings.
    history_ : list of dict
        Per-epoch losses (pinball loss per value and level, scaled units).
    n_epochs_, best_epoch_ : int
        Epochs run and the epoch whose weights were kept.
    stop_reason_ : str
        Why training stopped.

    Notes
    -----
    ``predict`` gives the median. ``predict_quantiles``, ``predict_interval``
    and ``forecast`` use the learned quantiles, interpolated in the Gaussian
    z-score between learned levels and extended with the outermost slope
    beyond them; ``predict_distribution``'s std is the spread of the
    outermost learned levels over their Gaussian z distance (and ``score``
    reads it). With ``strategy="recursive"`` later steps are conditional on
    the fed-back medians, so their quantile gaps are widened by ``sqrt(k)``
    (a random-walk approximation, as in
    :class:`~seqpred.models.forecast.MLPForecaster`). A direct model cannot
    forecast beyond ``horizon``. Training costs ``O(windows (L + W) H^2)``
    per epoch; ``windows_per_epoch`` and ``max_time`` bound it on long data.

    References
    ----------
    .. [1] I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to sequence learning
       with neural networks", NeurIPS 2014.
    .. [2] R. Wen, K. Torkkola, B. Narayanaswamy, D. Madeka, "A
       multi-horizon quantile recurrent forecaster" (MQ-RNN), 2017.
    .. [3] S. Bai, J. Z. Kolter, V. Koltun, "An empirical evaluation of
       generic convolutional and recurrent networks for sequence modeling",
       2018.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpred.models.forecast.encoder_decoder import EncoderDecoderForecaster
    >>> y = np.sin(np.arange(200) / 3)
    >>> model = EncoderDecoderForecaster(lookback=12, horizon=4, hidden_size=16,
    ...     max_epochs=20, learning_rate=0.03, validation_fraction=0.0, device="cpu",
    ...     random_state=0).fit([y])
    >>> q = model.predict_quantiles(horizon=4)
    >>> q.shape, bool((np.diff(q, axis=-1) >= 0).all())
    ((1, 4, 1, 3), True)
    >>> bool(np.abs(model.predict()[0, :, 0] - np.sin(np.arange(200, 204) / 3)).max()
    ...      < 0.1)
    True
    """

    _network_class = QuantileSeq2Seq
    _takes_exogenous: ClassVar[bool] = True
    _tags: ClassVar[Tags] = Tags(
        input_kind="numeric", stochastic=True, requires_torch=True
    )
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_MODEL_CONSTRAINTS,
        **{k: v for k, v in TRAINING_CONSTRAINTS.items() if k != "max_length"},
    }
    quantiles_: Array
    mean_: float
    scale_: float
    n_windows_: int

    def __init__(
        self,
        lookback: int = 48,
        *,
        horizon: int = 1,
        strategy: str = "multi-output",
        encoder: str = "gru",
        hidden_size: int = 64,
        n_layers: int | None = None,
        dropout: float = 0.0,
        quantiles: tuple[float, ...] = (0.1, 0.5, 0.9),
        season_length: int | None = None,
        scaling: str = "standard",
        transform: str = "none",
        windows_per_epoch: int | None = None,
        max_epochs: int = 50,
        batch_size: int = 64,
        learning_rate: float = 0.003,
        weight_decay: float = 0.0,
        max_time: float | None = None,
        validation_fraction: float = 0.1,
        patience: int | None = 5,
        device: str = "auto",
        n_threads: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        log_file: str | None = None,
    ) -> None:
        self.lookback = lookback
        self.horizon = horizon
        self.strategy = strategy
        self.encoder = encoder
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.dropout = dropout
        self.quantiles = quantiles
        self.season_length = season_length
        self.scaling = scaling
        self.transform = transform
        self.windows_per_epoch = windows_per_epoch
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.max_time = max_time
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.log_file = log_file

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        tiny = {
            "lookback": 6,
            "horizon": 2,
            "hidden_size": 4,
            "max_epochs": 2,
            "device": "cpu",
            "random_state": 0,
        }
        return [
            tiny,
            {**tiny, "horizon": 3, "encoder": "tcn", "validation_fraction": 0.0},
            {**tiny, "strategy": "recursive", "encoder": "lstm"},
        ]

    # -- settings
    def _min_history(self) -> int:
        return int(self.lookback)

    def _width(self) -> int:
        return 1 if self.strategy == "recursive" else int(self.horizon)

    def _levels(self) -> tuple[Array, int]:
        """Return the checked quantile levels (sorted) and the median's index."""
        owner = type(self).__name__
        try:
            levels = np.sort(np.asarray(self.quantiles, dtype=np.float64).ravel())
        except (TypeError, ValueError):
            levels = np.array([np.nan])
        if (
            not np.isfinite(levels).all()
            or not ((levels > 0) & (levels < 1)).all()
            or len(np.unique(levels)) != len(levels)
            or 0.5 not in levels
            or levels[0] >= 0.5
            or levels[-1] <= 0.5
        ):
            raise InvalidParameterError(
                f"{owner}: quantiles must be distinct levels in (0, 1) that include "
                "0.5 and at least one level on each side of it; got "
                f"{self.quantiles!r}. Use quantiles=(0.1, 0.5, 0.9)."
            )
        return levels, int(np.flatnonzero(levels == 0.5)[0])

    def _lag(self) -> int:
        return 1 if self.season_length is None else int(self.season_length)

    def _encoder_layers(self) -> int:
        if self.n_layers is not None:
            return int(self.n_layers)
        if self.encoder != "tcn":
            return 1
        # receptive field 1 + 2 (k - 1) (2^n - 1) with kernel k = 3 (encoders.py)
        return max(1, math.ceil(math.log2((int(self.lookback) - 1) / 4 + 1)))

    # -- fitting
    def _fit(self, ss: SequenceSet) -> None:
        self._fit_with(ss, None)

    def _fit_with(self, ss: SequenceSet, exog: Exogenous | None) -> None:
        levels, median = self._levels()
        if self.season_length is not None and self.season_length >= self.lookback:
            raise InvalidParameterError(
                f"{type(self).__name__}: season_length must be smaller than the "
                f"lookback ({self.lookback}); got season_length="
                f"{self.season_length!r}. Use a longer lookback or "
                "season_length=None."
            )
        data = self._training_windows(ss, exog, levels)
        valid = self._validation_mask(data)
        rows = np.arange(len(data.starts))
        size, per_epoch = int(self.batch_size), self.windows_per_epoch
        valid_rows = rows[valid]
        if per_epoch is not None and len(valid_rows) > per_epoch:  # evenly spaced
            pick = np.linspace(0, len(valid_rows) - 1, per_epoch).astype(np.int64)
            valid_rows = valid_rows[pick]
        config = {
            "lookback": int(self.lookback),
            "width": self._width(),
            "n_quantiles": len(levels),
            "median_index": median,
            "encoder": self.encoder,
            "hidden_size": int(self.hidden_size),
            "n_layers": self._encoder_layers(),
            "dropout": float(self.dropout),
            "n_covariates": data.covariates.shape[1],
            "n_static": data.static.shape[1],
            "season_length": self.season_length,
        }
        self._train(
            config,
            pinball_loss,
            WindowBatchIterator(data, rows[~valid], size, per_epoch, shuffle=True),
            WindowBatchIterator(data, valid_rows, size, None, False)
            if valid.any()
            else None,
        )
        self.quantiles_ = levels
        self.n_windows_ = len(rows)

    def _training_windows(
        self, ss: SequenceSet, exog: Exogenous | None, levels: Array
    ) -> WindowData:
        owner = type(self).__name__
        lookback, width = int(self.lookback), self._width()
        span = lookback + width
        n_cov = 0 if exog is None else exog.n_covariates
        blocks, starts, cov_starts, series = [], [], [], []
        at = 0
        for i, y in enumerate(ss):
            count = len(y) - span + 1
            for j in range(y.shape[1]):
                blocks.append(transform_values(y[:, j], self.transform, owner))
                if count > 0:
                    starts.append(at + np.arange(count))
                    first = 0 if exog is None else int(exog.offsets[i])
                    cov_starts.append(first + np.arange(count))
                    series.append(np.full(count, i))
                at += len(y)
        if not starts:
            raise DataError(
                f"{owner}: no series has the {span} steps one training window "
                f"needs (lookback {lookback} + {width} target step(s)); got "
                f"lengths up to {int(ss.lengths.max(initial=0))}. Pass longer "
                "series, or reduce the lookback or horizon."
            )
        values = np.concatenate(blocks)
        self.mean_ = float(values.mean())
        self.scale_ = float(values.std()) or 1.0
        covariates = np.zeros((max(len(ss.values), 1), 0))
        if exog is not None and n_cov:
            covariates = exog.covariates
        static = np.zeros((len(ss), 0)) if exog is None else exog.static
        return WindowData(
            (values - self.mean_) / self.scale_,
            np.concatenate(starts),
            covariates,
            np.concatenate(cov_starts),
            static,
            np.concatenate(series),
            lookback,
            width,
            self.scaling,
            self._lag(),
            levels,
        )

    def _validation_mask(self, data: WindowData) -> Array:
        """Mark the latest ``validation_fraction`` of each channel's windows."""
        valid = np.zeros(len(data.starts), dtype=bool)
        if self.validation_fraction <= 0:
            return valid
        # windows of one channel are consecutive starts; a new channel breaks them
        breaks = np.flatnonzero(np.diff(data.starts) != 1) + 1
        for run in np.split(np.arange(len(data.starts)), breaks):
            n_valid = int(len(run) * float(self.validation_fraction))
            if n_valid:
                valid[run[-n_valid:]] = True
        return valid

    # -- forecasting
    def _forecast(self, ss: SequenceSet, horizon: int) -> tuple[Array, Array]:
        return self._forecast_with(ss, horizon, None)

    def _forecast_with(
        self, ss: SequenceSet, horizon: int, exog: Exogenous | None
    ) -> tuple[Array, Array]:
        knots = self._quantile_forecast(ss, horizon, exog)  # (N, h, F, Q)
        inv = NormalDist().inv_cdf
        z_span = inv(float(self.quantiles_[-1])) - inv(float(self.quantiles_[0]))
        median = int(np.flatnonzero(self.quantiles_ == 0.5)[0])
        return knots[..., median], (knots[..., -1] - knots[..., 0]) / z_span

    def _distribution_quantiles(
        self, X: Any, horizon: int | None, q: Array, covariates: Any, static: Any
    ) -> tuple[Array, Array]:
        h, ss, exog = self._forecast_input(
            X, horizon, covariates, static, "predict_quantiles"
        )
        if len(ss) == 0:
            return np.empty((0, h, self.n_features_)), np.empty(
                (0, h, self.n_features_, len(q))
            )
        knots = self._quantile_forecast(ss, h, exog)
        median = int(np.flatnonzero(self.quantiles_ == 0.5)[0])
        return knots[..., median], interpolate_quantiles(knots, self.quantiles_, q)

    def _quantile_forecast(
        self, ss: SequenceSet, horizon: int, exog: Exogenous | None
    ) -> Array:
        """Return the learned quantiles of the next ``horizon`` steps, (N, h, F, Q)."""
        owner, lookback, width = type(self).__name__, int(self.lookback), self._width()
        check_horizon_fits(owner, self.strategy, horizon, self.horizon, width)
        windows, flat = last_windows(ss, lookback, self.transform, owner)
        n, f = windows.shape[:2]
        flat = (flat - self.mean_) / self.scale_
        cov = np.zeros((n, lookback + horizon, 0))
        if exog is not None and exog.n_covariates:
            cov = exog.last_rows(lookback + horizon)  # (N, L + h, C)
        cov = np.repeat(cov, f, axis=0)  # (N F, L + h, C)
        static = np.zeros((n, 0)) if exog is None else exog.static
        static = np.repeat(static, f, axis=0)  # (N F, S)
        if self.strategy == "recursive":
            out = self._recursive(flat, cov, static, horizon)
        else:
            future = np.zeros((n * f, width - horizon, cov.shape[2]))  # never read
            out = self._run(flat, np.concatenate([cov, future], axis=1), static)
            out = out[:, :horizon]
        out = out * self.scale_ + self.mean_  # (N F, h, Q)
        out = inverse_transform(out, np.zeros_like(out), self.transform)[0]
        return np.moveaxis(out.reshape(n, f, horizon, -1), 1, 2)

    def _recursive(self, flat: Array, cov: Array, static: Array, horizon: int) -> Array:
        """Feed each step's median back; widen the gaps by ``sqrt(k)``."""
        lookback = int(self.lookback)
        median = int(np.flatnonzero(self.quantiles_ == 0.5)[0])
        history = flat
        out = np.empty((len(flat), horizon, len(self.quantiles_)))
        for k in range(horizon):
            window = history[:, k : k + lookback]
            step = self._run(window, cov[:, k : k + lookback + 1], static)[:, 0]
            centre = step[:, median : median + 1]  # (n, 1)
            out[:, k] = centre + (step - centre) * math.sqrt(k + 1)
            history = np.concatenate([history, centre], axis=1)
        return out

    def _run(self, flat: Array, cov: Array, static: Array) -> Array:
        """Return the network's quantiles ``(n, W, Q)`` in standardised units."""
        window, shift, scale = scale_windows(flat, self.scaling, lag=self._lag())
        network, device = self._network()
        out = np.empty((len(window), self._width(), len(self.quantiles_)))

        def tensor(a: Array) -> Tensor:
            return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float64)).to(
                device
            )

        with threads(self.n_threads, device), torch.no_grad():
            for lo in range(0, len(window), _PREDICT_BATCH):
                part = slice(lo, lo + _PREDICT_BATCH)
                q = network(
                    tensor(window[part]), tensor(cov[part]), tensor(static[part])
                )
                out[part] = q.cpu().numpy()
        return out * scale[:, :, None] + shift[:, :, None]
