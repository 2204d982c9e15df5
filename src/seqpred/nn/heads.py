"""Output heads and the causal next-token network built from an encoder.

Architecture only. :class:`NextTokenHead` scores every vocabulary id from a
hidden state (a full softmax layer, as in GRU4Rec and SASRec trained with
cross-entropy); :class:`CausalSequenceModel` chains input embedding, a
causal encoder and that head, so one forward pass over a sequence predicts
every next item. :func:`check_heads` checks that attention heads split the
model width.

Shape legend: N sequences, L length, V vocabulary, E embedding width,
H hidden width.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seqpred.exceptions import InvalidParameterError
from seqpred.nn.runtime import require_torch

require_torch()
import torch  # noqa: E402
from torch import Tensor, nn  # noqa: E402

from seqpred.nn.encoders import (  # noqa: E402
    InputEmbedding,
    RecurrentEncoder,
    build_encoder,
)

__all__ = ["CausalSequenceModel", "NextTokenHead", "check_heads"]


class NextTokenHead(nn.Module):
    """Logits over the vocabulary from hidden states, optionally tied to the inputs.

    Parameters
    ----------
    hidden_size : int
        Width H of the hidden states.
    vocab_size : int
        Number of ids V (reserved ids included).
    blocked_ids : sequence of int, default=()
        Ids that are never predicted (padding, unknown): their logits are
        ``-inf``, so they get probability 0 and no gradient.
    tied_dim : int, default=None
        With tied weights (Press & Wolf 2017; Inan et al. 2017), the width E
        of the input embedding whose matrix is reused as the output layer;
        hidden states are projected from H to E first when the widths
        differ. ``None``: an output matrix of its own.
    """

    blocked: Tensor

    def __init__(
        self,
        hidden_size: int,
        vocab_size: int,
        blocked_ids: Sequence[int] = (),
        tied_dim: int | None = None,
    ) -> None:
        super().__init__()
        self.tied = tied_dim is not None
        if tied_dim is None:
            self.projection: nn.Module = nn.Identity()
            self.weight: nn.Parameter | None = nn.Parameter(
                torch.empty(vocab_size, hidden_size)
            )
            nn.init.normal_(self.weight, std=hidden_size**-0.5)
        else:
            self.projection = (
                nn.Linear(hidden_size, tied_dim)
                if tied_dim != hidden_size
                else nn.Identity()
            )
            self.weight = None
        self.bias = nn.Parameter(torch.zeros(vocab_size))
        blocked = torch.zeros(vocab_size, dtype=torch.bool)
        blocked[list(blocked_ids)] = True
        self.register_buffer("blocked", blocked, persistent=False)

    def forward(self, hidden: Tensor, tied_weight: Tensor | None = None) -> Tensor:
        """Return logits ``(..., V)`` for hidden states ``(..., H)``."""
        weight = self.weight if self.weight is not None else tied_weight
        if weight is None:
            raise ValueError("NextTokenHead: tied weights need tied_weight.")
        h = self.projection(hidden)  # (..., H) -> (..., E) when tied
        logits = nn.functional.linear(h, weight.to(h.dtype), self.bias.to(h.dtype))
        return logits.masked_fill(self.blocked, float("-inf"))  # (..., V)


class CausalSequenceModel(nn.Module):
    """Embedding, a causal encoder and a next-token head: logits at every step.

    Parameters
    ----------
    vocab_size : int
        Number of ids V (reserved ids included).
    encoder : {"gru", "lstm", "tcn", "transformer"}
        The encoder (see :func:`~seqpred.nn.encoders.build_encoder`).
    embedding_dim : int
        Width E of the input embedding.
    hidden_size : int
        Width H of the encoder (``d_model`` of a Transformer).
    n_layers : int, default=1
        Encoder layers (residual blocks for the temporal CNN).
    dropout : float, default=0.0
        Dropout on embeddings, inside the encoder and before the head.
    n_heads : int, default=4
        Attention heads (Transformer).
    positions : {"learned", "rotary"}, default="learned"
        Positions of the Transformer.
    max_length : int, default=512
        Longest input with learned positions.
    kernel_size : int, default=3
        Convolution width (temporal CNN).
    tie_weights : bool, default=False
        Reuse the embedding matrix as the output layer.
    blocked_ids : sequence of int, default=(0, 1, 2)
        Ids never predicted.
    null_ids : sequence of int, default=(0, 1, 2)
        Ids embedded as zero vectors (padding and ids unseen in training).
    """

    def __init__(
        self,
        vocab_size: int,
        encoder: str,
        embedding_dim: int,
        hidden_size: int,
        n_layers: int = 1,
        dropout: float = 0.0,
        n_heads: int = 4,
        positions: str = "learned",
        max_length: int = 512,
        kernel_size: int = 3,
        tie_weights: bool = False,
        blocked_ids: Sequence[int] = (0, 1, 2),
        null_ids: Sequence[int] = (0, 1, 2),
    ) -> None:
        super().__init__()
        self.embedding = InputEmbedding(
            [vocab_size], [embedding_dim], null_ids=null_ids
        )
        self.input_dropout = nn.Dropout(dropout)
        self.encoder = build_encoder(
            encoder,
            embedding_dim,
            hidden_size,
            n_layers=n_layers,
            dropout=dropout,
            causal=True,
            n_heads=n_heads,
            positions=positions,
            max_length=max_length,
            kernel_size=kernel_size,
        )
        self.output_dropout = nn.Dropout(dropout)
        self.head = NextTokenHead(
            int(getattr(self.encoder, "output_dim")),  # noqa: B009
            vocab_size,
            blocked_ids,
            embedding_dim if tie_weights else None,
        )

    @property
    def recurrent(self) -> bool:
        """Whether the encoder carries a state (so generation can step)."""
        return isinstance(self.encoder, RecurrentEncoder)

    def _logits(self, hidden: Tensor) -> Tensor:
        tied = self.embedding.tables[0].weight if self.head.tied else None
        logits: Tensor = self.head(self.output_dropout(hidden), tied)
        return logits  # (N, L, V)

    def forward(self, ids: Tensor, mask: Tensor | None = None) -> Tensor:
        """Return next-token logits ``(N, L, V)`` for ids ``(N, L)``."""
        x = self.input_dropout(self.embedding(ids))  # (N, L, E)
        return self._logits(self.encoder(x, mask))  # (N, L, H) -> (N, L, V)

    def step(self, ids: Tensor, state: Any = None) -> tuple[Tensor, Any]:
        """Read ids ``(N, L)`` on from ``state``; return logits ``(N, V)``, state."""
        x = self.embedding(ids)  # (N, L, E)
        encoder = self.encoder
        if not isinstance(encoder, RecurrentEncoder):
            raise TypeError("CausalSequenceModel.step needs a recurrent encoder.")
        hidden, state = encoder.forward_with_state(x, None, state)
        return self._logits(hidden[:, -1]), state  # (N, H) -> (N, V)


def check_heads(owner: str, d_model: int, n_heads: int, positions: str) -> None:
    """Raise unless ``n_heads`` splits ``d_model`` (into even widths for rotary)."""
    if d_model % n_heads or (positions == "rotary" and (d_model // n_heads) % 2):
        even = " of even width (rotary positions)" if positions == "rotary" else ""
        suggestion = 2 * n_heads * max(1, d_model // (2 * n_heads))
        raise InvalidParameterError(
            f"{owner}: n_heads={n_heads} must split d_model={d_model} into equal "
            f"heads{even}; use for example d_model={suggestion} or n_heads=1."
        )
