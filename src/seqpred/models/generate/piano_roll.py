"""A neural model of polyphonic music: each frame's 88 keys as independent Bernoullis.

Shape legend: N pieces, L frames, K keys (88), E input width, H hidden.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags, check_is_fitted, check_random_state
from seqpred.evaluate.generate import bernoulli_nll
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.generate.base import GeneratorMixin
from seqpred.nn.runtime import require_torch, threads, torch_seed

require_torch()
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor, nn  # noqa: E402

from seqpred.nn.batching import SequenceBatches, pad_gather  # noqa: E402
from seqpred.nn.encoders import ENCODERS, build_encoder  # noqa: E402
from seqpred.nn.estimator import (  # noqa: E402
    TRAINING_CONSTRAINTS,
    NeuralEstimatorMixin,
)

__all__ = ["PianoRollModel", "PianoRollNetwork"]

_BATCH = 64


class PianoRollNetwork(nn.Module):
    """Frames in, per-key logits of the next frame out (architecture only).

    Parameters
    ----------
    n_keys : int
        Keys per frame K.
    encoder : {"gru", "lstm", "tcn", "transformer"}
        The causal encoder.
    embedding_dim : int
        Width E of the frame projection.
    hidden_size : int
        Width H of the encoder.
    n_layers : int
        Encoder layers.
    dropout : float
        Dropout on the input projection, inside the encoder and before the head.
    kernel_size : int
        Convolution width (temporal CNN).
    n_heads : int
        Attention heads (Transformer).
    max_length : int
        Longest piece (Transformer positions).
    """

    def __init__(
        self,
        n_keys: int,
        encoder: str,
        embedding_dim: int,
        hidden_size: int,
        n_layers: int,
        dropout: float,
        kernel_size: int,
        n_heads: int,
        max_length: int,
    ) -> None:
        super().__init__()
        self.start = nn.Parameter(torch.zeros(n_keys))  # input before frame 1
        self.project = nn.Linear(n_keys, embedding_dim)
        self.input_dropout = nn.Dropout(dropout)
        self.encoder = build_encoder(
            encoder,
            embedding_dim,
            hidden_size,
            n_layers=n_layers,
            dropout=dropout,
            causal=True,
            n_heads=n_heads,
            positions="learned",
            max_length=max_length + 1,
            kernel_size=kernel_size,
        )
        self.output_dropout = nn.Dropout(dropout)
        self.head = nn.Linear(int(getattr(self.encoder, "output_dim")), n_keys)  # noqa: B009

    def forward(self, frames: Tensor, mask: Tensor | None = None) -> Tensor:
        """Return logits ``(N, L, K)``; row ``t`` predicts frame ``t`` from earlier."""
        n = frames.shape[0]
        start = self.start.to(frames.dtype).expand(n, 1, -1)  # (N, 1, K)
        inputs = torch.cat([start, frames[:, :-1]], dim=1)  # (N, L, K) shifted
        x = self.input_dropout(torch.tanh(self.project(inputs)))  # (N, L, E)
        hidden = self.encoder(x, mask)  # (N, L, H)
        logits: Tensor = self.head(self.output_dropout(hidden))  # (N, L, K)
        return logits


def _frame_loss(module: nn.Module, batch: dict[str, Any]) -> tuple[Tensor, int]:
    """Return the summed Bernoulli NLL of the batch's frames, and the frame count."""
    frames, mask = batch["inputs"], batch["mask"]  # (N, L, K), (N, L)
    logits = module(frames, mask)
    terms = F.binary_cross_entropy_with_logits(
        logits.float(), frames.float(), reduction="none"
    ).sum(dim=-1)  # (N, L)
    return (terms * mask).sum(), int(mask.sum())


class PianoRollModel(NeuralEstimatorMixin, GeneratorMixin):
    """Model polyphonic music frame by frame: P(frame_t | frames before it).

    Each frame is a multi-hot vector of keys; a causal encoder reads the
    frames so far and gives every key of the next frame its own probability
    (independent Bernoullis given the past). Scores are negative
    log-likelihoods in nats per frame; :meth:`sample` writes new pieces.

    Parameters
    ----------
    encoder : {"gru", "lstm", "tcn", "transformer"}, default="lstm"
        The network reading the past frames.
    hidden_size : int, default=256
        Width of the encoder.
    n_layers : int, default=1
        Encoder layers (residual blocks of the CNN).
    embedding_dim : int, default=128
        Width of the frame projection.
    n_heads : int, default=4
        Attention heads (Transformer only).
    kernel_size : int, default=3
        Convolution width (temporal CNN only).
    dropout : float, default=0.3
        Dropout on the projection, inside the encoder and before the head.
    max_length : int, default=512
        Longest piece read; longer pieces keep their last ``max_length`` frames.
    max_epochs : int, default=60
        Passes over the training pieces.
    batch_size : int, default=8
        Pieces per mini-batch.
    learning_rate : float, default=0.003
        Peak learning rate of AdamW (warm-up, then cosine decay).
    weight_decay : float, default=0.01
        Decoupled weight decay on the weight matrices.
    max_time : float or None, default=None
        Training budget in seconds (None: no limit).
    validation_fraction : float, default=0.1
        Share of the training pieces, from the **end**, held out for early
        stopping (0: none).
    patience : int or None, default=8
        Epochs without a better validation loss before stopping (the best
        weights are kept).
    device : str, default="auto"
        "auto", "cpu", "cuda", "cuda:N" or "mps".
    n_threads : int or None, default=None
        CPU threads for torch (None: 1).
    random_state : None, int or numpy Generator, default=None
        Seed of initialisation, dropout, batch order and sampling.
    verbose : int, default=0
        0: silent; 1: a progress bar per epoch on stderr.
    log_file : str or None, default=None
        JSON-lines log of the run, one line per epoch.

    Attributes
    ----------
    n_keys_ : int
        Keys per frame.
    module_config_ : dict
        The network's settings.
    history_ : list of dict
        Per epoch: train and validation loss (nats per frame), and timing.
    n_epochs_, best_epoch_ : int
        Epochs run and the epoch whose weights were kept.
    stop_reason_ : str
        Why training stopped.

    Notes
    -----
    Keys of a frame are independent *given the past*, not given each other
    (no NADE/RBM output), so chords are learned only through the context.
    On JSB Chorales this reaches about 8.3-8.6 nats per frame (see
    docs/benchmarks.md); the per-key baseline is 11.1.

    References
    ----------
    .. [1] N. Boulanger-Lewandowski, Y. Bengio, P. Vincent, "Modeling Temporal
       Dependencies in High-Dimensional Sequences", ICML 2012.
    .. [2] S. Bai, J. Z. Kolter, V. Koltun, "An Empirical Evaluation of
       Generic Convolutional and Recurrent Networks for Sequence Modeling",
       2018.

    Examples
    --------
    >>> import numpy as np
    >>> from seqpred.models.generate.piano_roll import PianoRollModel
    >>> pieces = [np.eye(4, dtype=np.uint8)[[0, 1, 2, 3] * 4]] * 8  # a scale
    >>> model = PianoRollModel("gru", hidden_size=16, embedding_dim=8,
    ...     max_epochs=60, learning_rate=0.03, validation_fraction=0.0,
    ...     device="cpu", random_state=0).fit(pieces)
    >>> bool(model.nll_per_frame(pieces[:1]) < 1.0)
    True
    >>> model.sample(1, length=5, random_state=0)[0].argmax(axis=1).tolist()[1:]
    [1, 2, 3, 0]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "encoder": [Options(set(ENCODERS))],
        "hidden_size": [Interval(int, 1, None)],
        "n_layers": [Interval(int, 1, None)],
        "embedding_dim": [Interval(int, 1, None)],
        "n_heads": [Interval(int, 1, None)],
        "kernel_size": [Interval(int, 2, None)],
        "dropout": [Interval(float, 0, 1, closed="left")],
        **TRAINING_CONSTRAINTS,
    }
    _tags: ClassVar[Tags] = Tags(
        input_kind="numeric", stochastic=True, requires_torch=True
    )
    _network_class = PianoRollNetwork

    def __init__(
        self,
        encoder: str = "lstm",
        *,
        hidden_size: int = 256,
        n_layers: int = 1,
        embedding_dim: int = 128,
        n_heads: int = 4,
        kernel_size: int = 3,
        dropout: float = 0.3,
        max_length: int = 512,
        max_epochs: int = 60,
        batch_size: int = 8,
        learning_rate: float = 0.003,
        weight_decay: float = 0.01,
        max_time: float | None = None,
        validation_fraction: float = 0.1,
        patience: int | None = 8,
        device: str = "auto",
        n_threads: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        log_file: str | None = None,
    ) -> None:
        self.encoder = encoder
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.embedding_dim = embedding_dim
        self.n_heads = n_heads
        self.kernel_size = kernel_size
        self.dropout = dropout
        self.max_length = max_length
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

    # -- data
    def _stack(self, X: Any, owner: str) -> tuple[Array, Array]:
        """Check pieces and return ``(frames (total, K) float32, offsets)``."""
        if not isinstance(X, (list, tuple)) or not X:
            raise DataError(
                f"{owner}: expected a non-empty list of (T, keys) 0/1 arrays, one "
                f"per piece; got {type(X).__name__}. Wrap a single piece in a list."
            )
        pieces = [np.asarray(p) for p in X]
        keys = getattr(self, "n_keys_", pieces[0].shape[-1] if pieces[0].ndim else 0)
        for i, p in enumerate(pieces):
            if p.ndim != 2 or p.shape[1] != keys or len(p) == 0:
                raise DataError(
                    f"{owner}: piece {i} must be a non-empty (T, {keys}) array; got "
                    f"shape {p.shape}. Pass one multi-hot frame per row."
                )
            if not np.isin(p, (0, 1)).all():
                raise DataError(f"{owner}: piece {i} holds values other than 0 and 1.")
        lengths = np.array([min(len(p), self.max_length) for p in pieces])
        frames = np.concatenate([p[-self.max_length :] for p in pieces]).astype(
            np.float32
        )
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        return frames, offsets

    # -- fitting
    def fit(self, X: Any, y: None = None) -> PianoRollModel:
        """Learn from pieces (a list of ``(T, keys)`` 0/1 arrays); return ``self``."""
        self._validate_params()
        owner = type(self).__name__
        frames, offsets = self._stack(X, owner)
        self._reset()
        n = len(offsets) - 1
        n_valid = int(round(n * self.validation_fraction))
        if self.validation_fraction > 0 and (n_valid < 1 or n_valid >= n):
            raise InvalidParameterError(
                f"{owner}: validation_fraction={self.validation_fraction} leaves "
                f"no training or no validation piece of {n}; use "
                "validation_fraction=0.0 or pass more pieces."
            )
        cut = offsets[n - n_valid]
        train = SequenceBatches(
            frames[:cut], offsets[: n - n_valid + 1], self.batch_size, True
        )
        valid = None
        if n_valid:
            valid = SequenceBatches(
                frames[cut:], offsets[n - n_valid :] - cut, self.batch_size, False
            )
        self.n_keys_ = int(frames.shape[1])
        config = {
            "n_keys": self.n_keys_,
            "encoder": self.encoder,
            "embedding_dim": self.embedding_dim,
            "hidden_size": self.hidden_size,
            "n_layers": self.n_layers,
            "dropout": float(self.dropout),
            "kernel_size": self.kernel_size,
            "n_heads": self.n_heads,
            "max_length": self.max_length,
        }
        self._train(config, _frame_loss, train, valid, init=self._init_bias(frames))
        self._mark_fitted()
        return self

    @staticmethod
    def _init_bias(frames: Array) -> Any:
        """Start the head at the keys' log-odds: an untrained net is the baseline."""
        rate = (frames.sum(axis=0) + 0.5) / (len(frames) + 1.0)

        def init(module: PianoRollNetwork) -> None:
            with torch.no_grad():
                module.head.bias.copy_(torch.from_numpy(np.log(rate / (1 - rate))))

        return init

    # -- scoring
    def predict_proba(self, X: Any) -> list[Array]:
        """Return, per piece, ``(T, keys)`` probabilities of each key in each frame.

        Row ``t`` is predicted from the frames before ``t`` (the first from
        the start state alone).
        """
        check_is_fitted(self, "predict_proba")
        frames, offsets = self._stack(X, type(self).__name__)
        lengths = np.diff(offsets)
        out = np.empty(frames.shape)
        network, device = self._network()
        with threads(self.n_threads, device), torch.no_grad():
            for lo in range(0, len(lengths), _BATCH):
                index = np.arange(lo, min(lo + _BATCH, len(lengths)))
                array, mask = pad_gather(frames, offsets[index], lengths[index])
                logits = network(
                    torch.from_numpy(array.astype(np.float64)).to(device),
                    torch.from_numpy(mask).to(device),
                )  # (N, L, K)
                proba = torch.sigmoid(logits).cpu().numpy()
                rows, cols = np.nonzero(mask)
                out[offsets[index][rows] + cols] = proba[rows, cols]
        return np.split(out, offsets[1:-1])

    def log_proba(self, X: Any) -> list[Array]:
        """Return, per piece, the natural log-probability of each frame ``(T,)``."""
        frames, offsets = self._stack(X, type(self).__name__)
        proba = np.concatenate(self.predict_proba(X))
        return np.split(-bernoulli_nll(proba, frames), offsets[1:-1])

    def nll_per_frame(self, X: Any, *, skip_first: bool = True) -> float:
        """Return the mean negative log-likelihood in nats per frame.

        Parameters
        ----------
        X : list of ndarray
            Pieces, ``(T, keys)`` 0/1 each.
        skip_first : bool, default=True
            Leave out each piece's first frame (it has no context), as the
            published results do (Bai et al. 2018).
        """
        scores = self.log_proba(X)
        kept = [s[1:] if skip_first else s for s in scores]
        n = sum(len(s) for s in kept)
        if n == 0:
            raise DataError("PianoRollModel.nll_per_frame: no frame to score.")
        return float(-sum(float(s.sum()) for s in kept) / n)

    # -- generation
    def sample(
        self, n: int = 1, *, length: int = 64, random_state: Any = None
    ) -> list[Array]:
        """Write ``n`` new pieces of ``length`` frames, frame by frame.

        Returns
        -------
        list of ndarray
            ``n`` arrays of shape ``(length, keys)``, dtype uint8.
        """
        check_is_fitted(self, "sample")
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise InvalidParameterError(
                f"PianoRollModel.sample: n must be an int >= 1; got {n!r}."
            )
        if isinstance(length, bool) or not isinstance(length, int) or length < 1:
            raise InvalidParameterError(
                f"PianoRollModel.sample: length must be an int >= 1; got {length!r}."
            )
        generator = torch.Generator().manual_seed(
            torch_seed(check_random_state(random_state))
        )
        network, device = self._network()
        pieces = torch.zeros((n, length, self.n_keys_), dtype=torch.float64)
        with threads(self.n_threads, device), torch.no_grad():
            for t in range(length):
                window = pieces[:, max(0, t + 1 - self.max_length) : t + 1]
                logits = network(window.to(device))[:, -1]  # (N, K): frame t
                proba = torch.sigmoid(logits).cpu()
                pieces[:, t] = torch.bernoulli(proba, generator=generator)
        return [p.numpy().astype(np.uint8) for p in pieces]
