"""Conditioning a neural language model on one feature vector per sequence.

The network (:class:`FeatureConditionedModel`), its training batches, its
loss and the checks of user-given features, used by
:class:`~seqpred.models.next_item.neural.language_model.NeuralLanguageModel`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.nn.batching import (
    IGNORE_INDEX,
    WindowBatches,
    bucket_batches,
    causal_windows,
    pad_gather,
)
from seqpred.nn.encoders import RecurrentEncoder
from seqpred.nn.heads import CausalSequenceModel
from seqpred.nn.runtime import require_torch

require_torch()

import torch  # isort: skip  # noqa: E402
import torch.nn.functional as F  # isort: skip  # noqa: E402
from torch import Tensor, nn  # isort: skip  # noqa: E402

__all__ = [
    "FeatureConditionedModel",
    "FeatureWindows",
    "feature_loss",
    "feature_rows",
]


class FeatureConditionedModel(CausalSequenceModel):
    """A causal next-token network that may also read one vector per sequence.

    With ``n_features = D > 0``, a linear layer projects each sequence's
    conditioning vector ``(N, D)`` to the embedding width E and adds it to
    the embedding of every step. With ``D = 0`` it is exactly
    :class:`~seqpred.nn.heads.CausalSequenceModel` (the same
    parameters, drawn in the same order), so models fitted without features
    and their files are unchanged.
    """

    def __init__(self, *, n_features: int = 0, **config: Any) -> None:
        super().__init__(**config)
        self.n_features = n_features
        self.condition = (
            nn.Linear(n_features, int(config["embedding_dim"])) if n_features else None
        )

    def _inputs(self, ids: Tensor, features: Tensor | None) -> Tensor:
        x: Tensor = self.embedding(ids)  # (N, L, E)
        if (features is None) != (self.condition is None):
            raise ValueError(
                "FeatureConditionedModel: features are needed exactly when "
                f"n_features > 0 (n_features={self.n_features})."
            )
        if self.condition is not None and features is not None:
            shift = self.condition(features.to(x.dtype))  # (N, D) -> (N, E)
            x = x + shift[:, None, :]  # (N, L, E) + (N, 1, E)
        return x

    def forward(
        self, ids: Tensor, mask: Tensor | None = None, features: Tensor | None = None
    ) -> Tensor:
        """Return next-token logits ``(N, L, V)`` for ids ``(N, L)``."""
        x = self.input_dropout(self._inputs(ids, features))  # (N, L, E)
        return self._logits(self.encoder(x, mask))  # (N, L, H) -> (N, L, V)

    def step(
        self, ids: Tensor, state: Any = None, features: Tensor | None = None
    ) -> tuple[Tensor, Any]:
        """Read ids ``(N, L)`` on from ``state``; return logits ``(N, V)``, state."""
        x = self._inputs(ids, features)  # (N, L, E)
        encoder = self.encoder
        if not isinstance(encoder, RecurrentEncoder):
            raise TypeError("FeatureConditionedModel.step needs a recurrent encoder.")
        hidden, state = encoder.forward_with_state(x, None, state)
        return self._logits(hidden[:, -1]), state  # (N, H) -> (N, V)


class FeatureWindows(WindowBatches):
    """Causal windows whose batches also carry their sequence's ``features`` (N, D)."""

    def __init__(
        self,
        values: Array,
        offsets: Array,
        rows: Array,
        features: Array,
        width: int,
        batch_size: int,
        shuffle: bool,
    ) -> None:
        super().__init__(values, offsets, width, batch_size, shuffle)
        self.rows = rows  # (n_steps,) training sequence of each id
        self.features = features  # (n_sequences, D) float32

    def batches(
        self, rng: np.random.Generator | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield one epoch of batches, each with its windows' feature rows."""
        rng = rng if self.shuffle else None
        starts, lengths = causal_windows(self.offsets, self.width, rng)
        for index in bucket_batches(lengths, self.batch_size, rng):
            window, mask = pad_gather(self.values, starts[index], lengths[index])
            batch = self._batch(window, mask, torch)
            rows = self.rows[starts[index]]  # a window never crosses sequences
            batch["features"] = torch.from_numpy(self.features[rows])  # (N, D)
            yield batch


def feature_loss(module: nn.Module, batch: dict[str, Any]) -> tuple[Tensor, int]:
    """Return the summed next-step cross-entropy of a feature batch, and its count."""
    logits = module(batch["inputs"], batch["mask"], batch["features"])  # (N, L, V)
    total = F.cross_entropy(
        logits.flatten(0, 1).float(),  # (N * L, V)
        batch["targets"].flatten(),  # (N * L,)
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    return total, batch["n_targets"]


def feature_rows(condition: Array | None, index: Array, device: Any) -> Tensor | None:
    """Return rows ``index`` of the ``(N, D)`` features as a tensor (None: None)."""
    if condition is None:
        return None
    return torch.from_numpy(np.ascontiguousarray(condition[index])).to(device)
