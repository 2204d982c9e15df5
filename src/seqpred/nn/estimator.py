"""What every neural estimator shares: training, devices, seeds and saving.

:class:`NeuralEstimatorMixin` is mixed into an estimator that owns one torch
module (any head: next item, language model, classifier, seq2seq). The
estimator keeps plain hyperparameters; in ``fit`` it builds the network from
a config dict of plain values (so ``clone`` works and the config is saved
as the fitted attribute ``module_config_``) and calls :meth:`_train` with a
loss and batch sources. The mixin then

* resolves ``device`` ("auto": CUDA, then MPS, then the CPU) and sets the
  CPU threads (``n_threads``; None means 1) for the duration;
* builds the network on torch's meta device first and refuses, with a
  :class:`~seqpred.exceptions.MemoryBudgetError`, one whose training memory
  (weights, gradients and AdamW's two moments) passes the memory budget
  (``SEQPRED_MAX_BYTES``, else half of the memory): a ``max_length`` of
  10**9 learned positions fails at once instead of asking for 256 GB;
* seeds torch from ``random_state`` inside ``fork_rng`` (the caller's
  global generator is restored);
* runs the one :class:`~seqpred.nn.trainer.Trainer` with the
  estimator's training parameters (and a :class:`JsonlLogger` when
  ``log_file`` is set), and records ``history_``, ``n_epochs_``,
  ``best_epoch_`` and ``stop_reason_``;
* keeps the trained float32 weights on the CPU and hands out a float64 copy
  on the prediction device (:meth:`_network`);
* saves the weights as ``weights.safetensors`` through :mod:`seqpred.io`'s
  ``_extra_files`` / ``_load_extra_files`` hooks, and loads them onto the
  CPU, whatever device trained them, after checking the settings and the
  weights against each other and the loader's memory budget on torch's
  meta device (:mod:`seqpred.nn._weights`).

The estimator declares ``_network_class`` and the training parameters below
(:data:`TRAINING_CONSTRAINTS` holds their constraints).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any, ClassVar

from seqpred._params import Interval
from seqpred.base import check_random_state
from seqpred.data.budget import ENV_MAX_BYTES, default_max_bytes, format_bytes
from seqpred.exceptions import MemoryBudgetError, ModelFileError
from seqpred.nn.runtime import (
    require_safetensors,
    require_torch,
    resolve_device,
    seeded,
    threads,
    torch_seed,
)

require_torch()
import torch  # noqa: E402
from torch import nn  # noqa: E402

from seqpred.nn._weights import check_network, read_header  # noqa: E402
from seqpred.nn.callbacks import JsonlLogger  # noqa: E402
from seqpred.nn.trainer import (  # noqa: E402
    BatchSource,
    LossFunction,
    Trainer,
    TrainResult,
)

__all__ = ["TRAINING_CONSTRAINTS", "DeviceName", "NeuralEstimatorMixin"]

WEIGHTS_FILE = "weights.safetensors"


class DeviceName:
    """Parameter constraint: a device name such as ``"auto"`` or ``"cuda:0"``."""

    _pattern = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")

    def accepts(self, value: Any) -> bool:
        """Return whether ``value`` names a device."""
        return isinstance(value, str) and bool(self._pattern.match(value))

    def __str__(self) -> str:
        return "'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'"


TRAINING_CONSTRAINTS: dict[str, list[Any]] = {
    "max_length": [Interval(int, 2, None)],
    "max_epochs": [Interval(int, 1, None)],
    "batch_size": [Interval(int, 1, None)],
    "learning_rate": [Interval(float, 0, None, closed="neither")],
    "weight_decay": [Interval(float, 0, None)],
    "max_time": [None, Interval(float, 0, None, closed="neither")],
    "validation_fraction": [Interval(float, 0, 1, closed="left")],
    "patience": [None, Interval(int, 1, None)],
    "device": [DeviceName()],
    "n_threads": [None, Interval(int, 1, None)],
    "random_state": ["random_state"],
    "verbose": [Interval(int, 0, None)],
    "log_file": [None, str],
}
"""Constraints of the training parameters every neural estimator shares."""


class NeuralEstimatorMixin:
    """Train, place, seed and save the one torch module of an estimator."""

    _network_class: ClassVar[type[nn.Module]]

    max_epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    max_time: float | None
    validation_fraction: float
    patience: int | None
    device: str
    n_threads: int | None
    random_state: Any
    verbose: int
    log_file: str | None

    module_config_: dict[str, Any]
    history_: list[dict[str, Any]]
    n_epochs_: int
    best_epoch_: int
    stop_reason_: str

    def _train(
        self,
        config: dict[str, Any],
        loss: LossFunction,
        train: BatchSource,
        valid: BatchSource | None,
        init: Callable[[Any], None] | None = None,
    ) -> TrainResult:
        """Build ``_network_class(**config)``, train it; keep it and its record."""
        owner = type(self).__name__
        _check_training_memory(self._network_class, config, owner)
        device = resolve_device(self.device, owner)
        rng = check_random_state(self.random_state)
        trainer = Trainer(
            max_epochs=self.max_epochs,
            learning_rate=float(self.learning_rate),
            weight_decay=float(self.weight_decay),
            patience=self.patience if valid is not None else None,
            max_time=None if self.max_time is None else float(self.max_time),
            device=device,
            verbose=self.verbose,
            callbacks=[JsonlLogger(self.log_file)] if self.log_file else [],
        )
        with threads(self.n_threads, device), seeded(torch_seed(rng), device):
            module = self._network_class(**config)
            if init is not None:
                init(module)
            result = trainer.fit(module, loss, train, valid, rng)
        self.module_config_ = config
        self.history_ = result.history
        self.n_epochs_ = result.n_epochs
        self.best_epoch_ = result.best_epoch
        self.stop_reason_ = result.stop_reason
        self._set_module(module)
        return result

    def _set_module(self, module: nn.Module) -> None:
        """Keep the trained float32 weights on the CPU; reset the prediction copy."""
        self._module = module.float().cpu().eval()
        self._inference: tuple[str, Any] | None = None

    def _network(self) -> tuple[Any, torch.device]:
        """Return ``(float64 copy of the network in eval mode, device)`` for predicting.

        Predictions run in float64: a float32 matrix product may round
        differently with the number of rows it multiplies, so a sequence's
        output would change in the 7th digit with the batch it came in; in
        float64 the difference stays below 1e-15.
        """
        device = resolve_device(self.device, type(self).__name__)
        cached = getattr(self, "_inference", None)
        if cached is None or cached[0] != str(device):
            cached = (str(device), copy.deepcopy(self._module).double().to(device))
            self._inference = cached
        return cached[1].eval(), device

    def memory_bytes(self) -> int:
        """Approximate bytes of the fitted arrays plus the network's weights."""
        module = getattr(self, "_module", None)
        weights = 0
        if module is not None:
            weights = sum(
                v.numel() * v.element_size() for v in module.state_dict().values()
            )
        return int(super().memory_bytes()) + int(weights)  # type: ignore[misc]

    # -- persistence (seqpred.io hooks)
    def _extra_files(self) -> dict[str, bytes]:
        module = getattr(self, "_module", None)
        if module is None or not getattr(self, "is_fitted", False):
            return {}
        st = require_safetensors(type(self).__name__)
        tensors = {
            k: v.detach().cpu().contiguous() for k, v in module.state_dict().items()
        }
        return {WEIGHTS_FILE: st.save(tensors)}

    def _load_extra_files(self, files: dict[str, bytes]) -> None:
        """Rebuild the network from ``module_config_`` and load its weights.

        The settings and the weights are checked against each other and the
        loader's memory budget on torch's meta device first (see
        :mod:`seqpred.nn._weights`), so a hostile file cannot make torch
        allocate more than the budget or build a network for hours.
        """
        owner = type(self).__name__
        if WEIGHTS_FILE not in files or not hasattr(self, "module_config_"):
            raise ModelFileError(
                f"{owner}: the model file lacks its weights or network settings; "
                "save the fitted model again with seqpred.io.save."
            )
        st = require_safetensors(owner)
        data = files[WEIGHTS_FILE]
        saved = read_header(data, owner, WEIGHTS_FILE)
        check_network(self, self._network_class, self.module_config_, saved)
        try:
            tensors = st.load(data)  # onto the CPU
        except Exception as exc:  # safetensors' own error type varies by version
            raise ModelFileError(
                f"{owner}: {WEIGHTS_FILE} cannot be read ({exc}); save the fitted "
                "model again with seqpred.io.save."
            ) from None
        module = self._network_class(**self.module_config_)
        module.load_state_dict(tensors)
        self._set_module(module)


def _check_training_memory(
    network_class: type[nn.Module], config: dict[str, Any], owner: str
) -> None:
    """Refuse a network whose training memory would pass the budget, before building it.

    The network is built on the meta device (shapes only, no memory);
    training holds its weights, their gradients and AdamW's two moments,
    four float32 copies. A network the meta device cannot build is left to
    the real build, which says why.
    """
    try:
        with torch.device("meta"):
            module = network_class(**config)
    except Exception:  # the real build reports the problem
        return
    params = list(module.named_parameters())
    weights = sum(p.numel() * p.element_size() for _, p in params)
    need = 4 * weights + sum(b.numel() * b.element_size() for b in module.buffers())
    budget = default_max_bytes()
    if need <= budget:
        return
    name, largest = max(params, key=lambda item: item[1].numel())
    raise MemoryBudgetError(
        f"{owner}: the network needs at least {format_bytes(need)} to train "
        f"(weights, gradients and AdamW's two moments of "
        f"{sum(p.numel() for _, p in params):,} parameters; the largest, {name}, "
        f"has shape {tuple(largest.shape)}), more than the memory budget of "
        f"{format_bytes(budget)}. Lower the setting behind that shape "
        f"(max_length, hidden_size, embedding_dim, d_model, n_layers or the "
        f"vocabulary), or raise {ENV_MAX_BYTES} if the machine has the memory."
    )
