"""The one trainer every neural head uses.

:class:`Trainer` takes a module, a loss function on a batch and batch
sources (see :mod:`~seqpred.nn.batching`), and runs AdamW with
a linear warm-up then cosine decay of the learning rate, gradient clipping,
early stopping on a validation source with the best weights restored, a
time budget, bf16 autocast on CUDA, a tqdm progress bar and callbacks.

A loss function has the signature ``loss(module, batch) -> (total, count)``:
the *summed* loss of the batch as a scalar tensor and the number of terms
in it. The trainer back-propagates ``total / count`` and reports
``sum(total) / sum(count)`` per epoch, so epochs are exact means whatever
the batch sizes.
"""

from __future__ import annotations

import math
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from seqpred.exceptions import SeqpredWarning
from seqpred.nn.runtime import require_torch

require_torch()
import torch  # noqa: E402
from torch import Tensor, nn  # noqa: E402

__all__ = ["BatchSource", "LossFunction", "TrainResult", "Trainer", "lr_factor"]

LossFunction = Callable[[nn.Module, dict[str, Any]], tuple[Tensor, Any]]
"""``loss(module, batch) -> (summed loss, number of terms)``."""


class BatchSource(Protocol):
    """Anything that yields one epoch of batches (dicts of tensors and numbers)."""

    def __len__(self) -> int:
        """Batches per epoch (an estimate is fine)."""

    def batches(
        self, rng: np.random.Generator | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield one epoch of batches."""


@dataclass
class TrainResult:
    """What a training run did.

    Attributes
    ----------
    history : list of dict
        One record per epoch (``epoch``, ``train_loss``, ``valid_loss``,
        ``lr``, ``seconds``, ``steps``, ``tokens_per_second``).
    best_epoch : int
        The epoch whose weights were kept (the last one without validation).
    n_epochs : int
        Epochs run (the last may be partial when ``max_time`` ran out).
    stop_reason : str
        ``"max_epochs"``, ``"early_stopping"``, ``"max_time"``, ``"no_data"``
        or ``"interrupted"`` (Ctrl-C after at least one epoch: the best
        weights so far are kept, with a warning; before the first epoch ends
        the ``KeyboardInterrupt`` propagates).
    seconds : float
        Wall-clock time of the whole run.
    """

    history: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = 0
    n_epochs: int = 0
    stop_reason: str = "max_epochs"
    seconds: float = 0.0


def lr_factor(progress: float, warmup: float, min_ratio: float) -> float:
    """Learning-rate multiplier at ``progress`` in [0, 1]: linear warm-up, then cosine.

    Examples
    --------
    >>> [round(lr_factor(p, 0.1, 0.1), 3) for p in (0.0, 0.05, 0.1, 0.55, 1.0)]
    [0.0, 0.5, 1.0, 0.55, 0.1]
    """
    if warmup > 0 and progress < warmup:
        return progress / warmup
    decay = (progress - warmup) / max(1.0 - warmup, 1e-12)
    decay = min(max(decay, 0.0), 1.0)
    return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * decay))


class Trainer:
    """Train a module with AdamW, warm-up + cosine, clipping and early stopping.

    Parameters
    ----------
    max_epochs : int, default=10
        Passes over the training batches.
    learning_rate : float, default=1e-3
        Peak learning rate of AdamW.
    weight_decay : float, default=0.01
        Decoupled weight decay, applied to matrices (tensors of 2 or more
        dimensions) only, not to biases, norms' gains or 1-D parameters.
    warmup : float, default=0.05
        Share of training spent warming the learning rate up from 0.
    min_lr_ratio : float, default=0.1
        Final learning rate as a share of the peak.
    grad_clip : float or None, default=1.0
        Largest global gradient norm (None: no clipping).
    patience : int or None, default=None
        Epochs without a better validation loss before stopping (None:
        never stop early). The weights of the best epoch are restored.
    max_time : float or None, default=None
        Seconds of training; the run stops at the first step after that
        (then validates once more). With a budget, the schedule's progress
        is the larger of the step and the time fractions, so the learning
        rate decays within the budget (and results depend on speed).
    device : torch.device or str, default="cpu"
        Where to train.
    mixed_precision : bool, default=True
        bf16 autocast on CUDA (ignored elsewhere).
    verbose : int, default=0
        0: silent; 1 or more: a progress bar per epoch on stderr.
    callbacks : iterable, default=()
        Objects with ``on_train_begin``, ``on_epoch_end`` and/or
        ``on_train_end`` (see :mod:`~seqpred.nn.callbacks`).
    """

    def __init__(
        self,
        *,
        max_epochs: int = 10,
        learning_rate: float = 1e-3,
        weight_decay: float = 0.01,
        warmup: float = 0.05,
        min_lr_ratio: float = 0.1,
        grad_clip: float | None = 1.0,
        patience: int | None = None,
        max_time: float | None = None,
        device: Any = "cpu",
        mixed_precision: bool = True,
        verbose: int = 0,
        callbacks: Iterable[Any] = (),
    ) -> None:
        self.max_epochs = max_epochs
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.warmup = warmup
        self.min_lr_ratio = min_lr_ratio
        self.grad_clip = grad_clip
        self.patience = patience
        self.max_time = max_time
        self.device = torch.device(device)
        self.mixed_precision = mixed_precision
        self.verbose = verbose
        self.callbacks = list(callbacks)

    # -- the loop
    def fit(
        self,
        module: nn.Module,
        loss: LossFunction,
        train: BatchSource,
        valid: BatchSource | None = None,
        rng: np.random.Generator | None = None,
    ) -> TrainResult:
        """Train ``module`` in place; return a :class:`TrainResult`.

        ``rng`` shuffles the training batches (a fresh default generator
        when None).
        """
        rng = rng if rng is not None else np.random.default_rng()
        result = TrainResult()
        tic = time.perf_counter()
        module.to(self.device)
        optimizer = self._optimizer(module)
        steps_per_epoch = max(len(train), 1)
        self._run = _RunState(tic, self.max_epochs * steps_per_epoch)
        self._emit("on_train_begin", self._info(module, steps_per_epoch))
        best_loss, best_state, bad_epochs = math.inf, None, 0
        try:
            for epoch in range(1, self.max_epochs + 1):
                record = self._epoch(module, loss, train, optimizer, rng, epoch)
                if record["steps"] == 0:
                    result.stop_reason = "no_data"
                    break
                record["valid_loss"] = (
                    self.evaluate(module, loss, valid) if valid else None
                )
                record["seconds"] = time.perf_counter() - tic
                result.history.append(record)
                result.n_epochs = epoch
                improved = valid is None or record["valid_loss"] < best_loss - 1e-12
                if improved:
                    best_loss, result.best_epoch, bad_epochs = (
                        record["valid_loss"] if valid else math.inf,
                        epoch,
                        0,
                    )
                    if valid is not None:
                        best_state = _copy_state(module)
                else:
                    bad_epochs += 1
                record["best"] = improved
                self._emit("on_epoch_end", record)
                if self._out_of_time():
                    result.stop_reason = "max_time"
                    break
                if self.patience is not None and bad_epochs >= self.patience:
                    result.stop_reason = "early_stopping"
                    break
        except KeyboardInterrupt:  # Ctrl-C: keep what was learned, if anything
            if not result.history:
                raise
            result.stop_reason = "interrupted"
            warnings.warn(
                f"training interrupted (Ctrl-C) after {result.n_epochs} epoch(s); "
                f"the weights of epoch {result.best_epoch or result.n_epochs} are "
                "kept.",
                SeqpredWarning,
                stacklevel=2,
            )
        if best_state is not None:
            module.load_state_dict(best_state)
        result.seconds = time.perf_counter() - tic
        self._emit("on_train_end", _summary(result))
        return result

    def _epoch(
        self,
        module: nn.Module,
        loss: LossFunction,
        train: BatchSource,
        optimizer: torch.optim.Optimizer,
        rng: np.random.Generator,
        epoch: int,
    ) -> dict[str, Any]:
        module.train()
        # the summed loss stays on the device: no synchronisation per step
        total = torch.zeros((), device=self.device)
        count, steps, tic = 0.0, 0, time.perf_counter()
        bar = self._bar(len(train), f"epoch {epoch}/{self.max_epochs}")
        lr = self.learning_rate
        for batch in train.batches(rng):
            lr = self._set_lr(optimizer)
            batch_total, batch_count = self._step(module, loss, batch, optimizer)
            total, count, steps = total + batch_total, count + batch_count, steps + 1
            self._run.step += 1
            bar.update(1)
            if self.verbose > 0 and steps % 10 == 0:
                bar.set_postfix(loss=f"{float(total) / max(count, 1):.4f}")
            if self._out_of_time():
                break
        bar.close()
        seconds = time.perf_counter() - tic
        return {
            "epoch": epoch,
            "train_loss": float(total) / max(count, 1.0),
            "lr": lr,
            "steps": steps,
            "tokens_per_second": count / max(seconds, 1e-9),
        }

    def _step(
        self,
        module: nn.Module,
        loss: LossFunction,
        batch: dict[str, Any],
        optimizer: torch.optim.Optimizer,
    ) -> tuple[Tensor, float]:
        batch = self._to_device(batch)
        with self._autocast():
            total, count = loss(module, batch)
        count = float(count)
        if count <= 0:
            return torch.zeros((), device=self.device), 0.0
        optimizer.zero_grad(set_to_none=True)
        (total / count).backward()  # type: ignore[no-untyped-call]
        if self.grad_clip is not None:
            nn.utils.clip_grad_norm_(module.parameters(), self.grad_clip)
        optimizer.step()
        return total.detach().float(), count

    @torch.no_grad()
    def evaluate(
        self, module: nn.Module, loss: LossFunction, source: BatchSource
    ) -> float:
        """Return the mean loss of ``module`` over one pass of ``source``."""
        module.eval()
        total, count = 0.0, 0.0
        for batch in source.batches(None):
            with self._autocast():
                batch_total, batch_count = loss(module, self._to_device(batch))
            total += float(batch_total)
            count += float(batch_count)
        return total / max(count, 1.0)

    # -- pieces
    def _optimizer(self, module: nn.Module) -> torch.optim.Optimizer:
        params = [p for p in module.parameters() if p.requires_grad]
        groups: list[dict[str, Any]] = [
            {"params": [p for p in params if p.dim() >= 2]},
            {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0},
        ]
        return torch.optim.AdamW(
            groups,
            lr=self.learning_rate,
            betas=(0.9, 0.99),
            weight_decay=self.weight_decay,
        )

    def _progress(self) -> float:
        run = self._run
        progress = run.step / max(run.total_steps, 1)
        if self.max_time is not None:
            progress = max(progress, (time.perf_counter() - run.tic) / self.max_time)
        return min(progress, 1.0)

    def _set_lr(self, optimizer: torch.optim.Optimizer) -> float:
        lr = self.learning_rate * lr_factor(
            self._progress(), self.warmup, self.min_lr_ratio
        )
        # never exactly 0: the first step of warm-up still moves a little
        lr = max(lr, self.learning_rate * 1e-3)
        for group in optimizer.param_groups:
            group["lr"] = lr
        return lr

    def _out_of_time(self) -> bool:
        return (
            self.max_time is not None
            and time.perf_counter() - self._run.tic >= self.max_time
        )

    def _autocast(self) -> Any:
        enabled = self.mixed_precision and self.device.type == "cuda"
        return torch.autocast(
            device_type=self.device.type, dtype=torch.bfloat16, enabled=enabled
        )

    def _to_device(self, batch: dict[str, Any]) -> dict[str, Any]:
        blocking = self.device.type != "cuda"
        return {
            key: value.to(self.device, non_blocking=not blocking)
            if isinstance(value, Tensor)
            else value
            for key, value in batch.items()
        }

    def _bar(self, total: int, description: str) -> Any:
        from tqdm.auto import tqdm

        return tqdm(
            total=total,
            desc=description,
            file=sys.stderr,
            disable=self.verbose <= 0,
            leave=self.verbose > 1,
            unit="batch",
        )

    def _info(self, module: nn.Module, steps_per_epoch: int) -> dict[str, Any]:
        return {
            "parameters": sum(p.numel() for p in module.parameters()),
            "device": str(self.device),
            "threads": torch.get_num_threads(),
            "steps_per_epoch": steps_per_epoch,
            "max_epochs": self.max_epochs,
            "learning_rate": self.learning_rate,
        }

    def _emit(self, hook: str, payload: dict[str, Any]) -> None:
        for callback in self.callbacks:
            method = getattr(callback, hook, None)
            if method is not None:
                method(payload)


@dataclass
class _RunState:
    tic: float
    total_steps: int
    step: int = 0


def _copy_state(module: nn.Module) -> dict[str, Tensor]:
    return {k: v.detach().clone() for k, v in module.state_dict().items()}


def _summary(result: TrainResult) -> dict[str, Any]:
    return {
        "n_epochs": result.n_epochs,
        "best_epoch": result.best_epoch,
        "stop_reason": result.stop_reason,
        "seconds": result.seconds,
    }
