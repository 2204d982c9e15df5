"""The encoder–decoder forecaster's network, its training batches and its loss.

Used by :class:`seqpred.models.forecast.encoder_decoder.EncoderDecoderForecaster`;
importing this module imports torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.models.forecast._windows import scale_windows
from seqpred.nn.encoders import build_encoder
from seqpred.nn.runtime import require_torch

require_torch()

import torch  # isort: skip  # noqa: E402
import torch.nn.functional as F  # isort: skip  # noqa: E402
from torch import Tensor, nn  # isort: skip  # noqa: E402

__all__ = [
    "QuantileSeq2Seq",
    "WindowBatchIterator",
    "WindowData",
    "interpolate_quantiles",
    "pinball_loss",
]


class QuantileSeq2Seq(nn.Module):
    """Encode a window, decode ``width`` steps with a GRU, output their quantiles.

    Architecture only. Shapes: N windows, L lookback, W decoded steps,
    C covariates, S static features, H hidden, Q quantiles.

    Parameters
    ----------
    lookback, width : int
        Steps read (L) and decoded (W).
    n_quantiles, median_index : int
        Quantile levels learned (Q) and the position of the median among them.
    encoder : {"gru", "lstm", "tcn"}
        The causal encoder of the window.
    hidden_size, n_layers : int
        Width H of every layer; encoder layers (residual blocks for the TCN).
    dropout : float
        Dropout in the encoder.
    n_covariates, n_static : int
        Covariates per step and static features per series (0: none).
    season_length : int or None, default=None
        When set, the highway starts as the seasonal-naive forecast (step
        ``k`` repeats the value ``season_length - k % season_length`` steps
        before the window's end), so training starts from that baseline.
    """

    def __init__(
        self,
        lookback: int,
        width: int,
        n_quantiles: int,
        median_index: int,
        encoder: str,
        hidden_size: int,
        n_layers: int,
        dropout: float,
        n_covariates: int,
        n_static: int,
        season_length: int | None = None,
    ) -> None:
        super().__init__()
        self.median_index = median_index
        self.embed = nn.Linear(1 + n_covariates, hidden_size)
        self.encoder = build_encoder(
            encoder, hidden_size, hidden_size, n_layers=n_layers, dropout=dropout
        )
        self.static = nn.Linear(n_static, hidden_size) if n_static else None
        self.steps = nn.Parameter(torch.randn(width, hidden_size) * 0.1)
        self.future = nn.Linear(n_covariates, hidden_size) if n_covariates else None
        self.decoder = nn.GRU(hidden_size, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, n_quantiles)
        # a linear highway from the window to the median (LSTNet's AR part)
        self.highway = nn.Linear(lookback, width)
        with torch.no_grad():  # the median starts as the highway's forecast
            self.head.weight[median_index].zero_()
            self.head.bias[median_index].zero_()
        if season_length is not None:
            with torch.no_grad():
                self.highway.weight.zero_()
                self.highway.bias.zero_()
                steps = torch.arange(width)
                lag = lookback - season_length + steps % season_length
                self.highway.weight[steps, lag] = 1.0

    def forward(self, window: Tensor, covariates: Tensor, static: Tensor) -> Tensor:
        """Return quantiles ``(N, W, Q)``, sorted along Q.

        ``window`` is ``(N, L)``, ``covariates`` ``(N, L + W, C)`` (the
        window's steps, then the decoded ones), ``static`` ``(N, S)``.
        """
        lookback = window.shape[1]
        inputs = window.unsqueeze(-1)  # (N, L, 1)
        if self.future is not None:
            inputs = torch.cat([inputs, covariates[:, :lookback]], dim=-1)
        hidden = self.encoder(self.embed(inputs))  # (N, L, H)
        context = hidden[:, -1]  # (N, H)
        if self.static is not None:
            context = context + self.static(static)
        steps = self.steps.unsqueeze(0).expand(len(window), -1, -1)  # (N, W, H)
        if self.future is not None:
            steps = steps + self.future(covariates[:, lookback:])
        out, _ = self.decoder(steps, torch.tanh(context).unsqueeze(0).contiguous())
        raw = self.head(out)  # (N, W, Q)
        m = self.median_index
        median = (raw[..., m] + self.highway(window)).unsqueeze(-1)  # (N, W, 1)
        gaps_below = F.softplus(raw[..., :m]).flip(-1).cumsum(-1).flip(-1)
        gaps_above = F.softplus(raw[..., m + 1 :]).cumsum(-1)
        return torch.cat([median - gaps_below, median, median + gaps_above], dim=-1)


def interpolate_quantiles(knots: Array, levels: Array, wanted: Array) -> Array:
    """Return quantiles ``(..., P)`` at ``wanted`` levels from ``knots`` ``(..., Q)``.

    Linear in the Gaussian z-score of the level between the learned
    ``levels``; beyond them, the outermost segment's slope continues (a
    Gaussian tail). Exact at the learned levels; sorted when ``knots`` are.

    Examples
    --------
    >>> knots = np.array([[-1.2816, 0.0, 1.2816]])
    >>> q = interpolate_quantiles(knots, np.array([0.1, 0.5, 0.9]),
    ...                           np.array([0.025, 0.5, 0.9]))
    >>> np.round(q, 3).tolist()
    [[-1.96, 0.0, 1.282]]
    """
    inv = NormalDist().inv_cdf
    z = np.array([inv(float(p)) for p in levels])
    target = np.array([inv(float(p)) for p in wanted])
    seg = np.clip(np.searchsorted(z, target) - 1, 0, len(z) - 2)  # (P,)
    lo, hi = knots[..., seg], knots[..., seg + 1]  # (..., P)
    frac = (target - z[seg]) / (z[seg + 1] - z[seg])
    return np.asarray(lo + (hi - lo) * frac)


@dataclass
class WindowData:
    """Every training window of every channel, as indices into flat arrays.

    ``values`` holds the channels one after the other (transformed and
    standardised); window ``i`` reads ``values[starts[i]:][:L + W]``, the
    covariate rows ``covariates[cov_starts[i]:][:L + W]`` and the static row
    ``static[series[i]]``.
    """

    values: Array
    starts: Array
    covariates: Array
    cov_starts: Array
    static: Array
    series: Array
    lookback: int
    width: int
    scaling: str
    lag: int
    levels: Array

    def batch(self, rows: Array) -> dict[str, Any]:
        span = np.arange(self.lookback + self.width)
        full = self.values[self.starts[rows, None] + span]  # (N, L + W)
        window, shift, scale = scale_windows(
            full[:, : self.lookback], self.scaling, lag=self.lag
        )
        targets = (full[:, self.lookback :] - shift) / scale  # (N, W)
        cov = self.covariates[self.cov_starts[rows, None] + span]  # (N, L + W, C)
        return {
            "window": torch.from_numpy(window.astype(np.float32)),
            "covariates": torch.from_numpy(cov.astype(np.float32)),
            "static": torch.from_numpy(
                self.static[self.series[rows]].astype(np.float32)
            ),
            "targets": torch.from_numpy(targets.astype(np.float32)),
            "levels": torch.from_numpy(self.levels.astype(np.float32)),
        }


class WindowBatchIterator:
    """Mini-batches of windows; ``per_epoch`` draws a fresh subset each epoch."""

    def __init__(
        self,
        data: WindowData,
        rows: Array,
        batch_size: int,
        per_epoch: int | None,
        shuffle: bool,
    ) -> None:
        self.data, self.rows, self.batch_size = data, rows, batch_size
        self.n = len(rows) if per_epoch is None else min(per_epoch, len(rows))
        self.shuffle = shuffle

    def __len__(self) -> int:
        return math.ceil(self.n / self.batch_size)

    def batches(self, rng: np.random.Generator | None = None) -> Any:
        rows = self.rows
        if self.shuffle and rng is not None:
            rows = rng.permutation(rows)
        rows = rows[: self.n]
        for start in range(0, self.n, self.batch_size):
            yield self.data.batch(rows[start : start + self.batch_size])


def pinball_loss(module: nn.Module, batch: dict[str, Any]) -> tuple[Tensor, int]:
    """Return the summed pinball loss of every step and quantile, and its count."""
    q = module(batch["window"], batch["covariates"], batch["static"]).float()
    diff = batch["targets"].unsqueeze(-1) - q  # (N, W, Q)
    levels = batch["levels"]  # (Q,)
    loss = torch.maximum(levels * diff, (levels - 1.0) * diff)
    return loss.sum(), diff.numel()
