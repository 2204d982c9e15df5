"""Sequence encoders: embedded steps and a padding mask in, hidden states out.

Architecture only (no training, I/O or seeding). Every encoder is batch-first
and has the same interface::

    hidden = encoder(x, mask)    # x (N, L, E), mask (N, L) bool -> (N, L, H)

where ``mask`` is True on real steps. Sequences are right-padded: real
steps first, padding after. A causal encoder's output at step ``t`` depends
on steps ``<= t`` only, so padding after a sequence can never change its
outputs; bidirectional encoders use the mask (packed sequences, key padding)
so that padding is never read. Outputs at padded steps are zero.

Shape legend: N sequences, L length, E embedding width, H hidden width,
K categorical columns, F numeric features.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from seqpred.nn.runtime import require_torch

require_torch()  # a clear message when torch is missing
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor, nn  # noqa: E402

__all__ = [
    "ENCODERS",
    "InputEmbedding",
    "RecurrentEncoder",
    "TemporalConvEncoder",
    "TransformerEncoder",
    "build_encoder",
    "last_step",
    "masked_mean",
]

ENCODERS = ("gru", "lstm", "tcn", "transformer")
"""Encoder kinds :func:`build_encoder` knows."""


# -- inputs ---------------------------------------------------------------------------


class InputEmbedding(nn.Module):
    """Embed each step: one table per categorical column, a projection for numbers.

    The per-column embeddings and the projected numeric features are
    concatenated, so a step with K categorical columns and F numeric
    features becomes one vector of width ``sum(embedding_dims) +
    numeric_dim``.

    Parameters
    ----------
    cardinalities : sequence of int, default=()
        Number of ids of each categorical column (id 0 is padding).
    embedding_dims : sequence of int, default=()
        Embedding width of each categorical column.
    n_numeric : int, default=0
        Numeric features per step (0: none).
    numeric_dim : int, default=0
        Width of the numeric projection.
    null_ids : sequence of int, default=(0,)
        Ids whose embedding is the zero vector (padding, and ids that never
        occur in training such as "unknown"). They start at zero and get no
        gradient from the inputs, so they stay neutral.
    """

    def __init__(
        self,
        cardinalities: Sequence[int] = (),
        embedding_dims: Sequence[int] = (),
        n_numeric: int = 0,
        numeric_dim: int = 0,
        null_ids: Sequence[int] = (0,),
    ) -> None:
        super().__init__()
        if len(cardinalities) != len(embedding_dims):
            raise ValueError("InputEmbedding: one embedding width per column.")
        self.tables = nn.ModuleList(
            nn.Embedding(c, d, padding_idx=0)
            for c, d in zip(cardinalities, embedding_dims)
        )
        self.numeric = nn.Linear(n_numeric, numeric_dim) if n_numeric else None
        self.null_ids = tuple(null_ids)
        self.output_dim = int(sum(embedding_dims)) + (numeric_dim if n_numeric else 0)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw embeddings from N(0, 1/E) and zero the null ids."""
        with torch.no_grad():
            for table in self.tables:
                assert isinstance(table, nn.Embedding)
                weight: Tensor = table.weight
                nn.init.normal_(weight, std=table.embedding_dim**-0.5)
                weight[list(self.null_ids)] = 0.0

    def forward(
        self, categorical: Tensor | None = None, numeric: Tensor | None = None
    ) -> Tensor:
        """Embed ids ``(N, L[, K])`` and/or numbers ``(N, L, F)`` as ``(N, L, E)``."""
        parts = []
        if categorical is not None:
            if categorical.dim() == 2:
                categorical = categorical.unsqueeze(-1)  # (N, L) -> (N, L, 1)
            for k, table in enumerate(self.tables):
                parts.append(table(categorical[..., k]))  # (N, L, E_k)
        if numeric is not None and self.numeric is not None:
            parts.append(self.numeric(numeric))  # (N, L, F) -> (N, L, E_num)
        return torch.cat(parts, dim=-1)  # (N, L, E)


# -- recurrent ------------------------------------------------------------------------


class RecurrentEncoder(nn.Module):
    """GRU or LSTM layers, uni- or bidirectional (Cho et al. 2014; Hochreiter 1997).

    Parameters
    ----------
    input_dim : int
        Width E of the inputs.
    hidden_size : int
        Units per direction.
    n_layers : int, default=1
        Stacked layers.
    cell : {"gru", "lstm"}, default="gru"
        The recurrent cell.
    bidirectional : bool, default=False
        Also read right to left (not causal); outputs are ``2 * hidden_size``
        wide.
    dropout : float, default=0.0
        Dropout between stacked layers.

    Notes
    -----
    States are batch-first: ``(N, layers * directions, H)``, for the LSTM a
    pair ``(h, c)``. A bidirectional encoder packs the batch by length, so
    the backward direction starts at each sequence's last real step.
    """

    def __init__(
        self,
        input_dim: int,
        hidden_size: int,
        n_layers: int = 1,
        cell: str = "gru",
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell]
        self.cell = cell
        self.bidirectional = bidirectional
        self.causal = not bidirectional
        self.rnn = rnn(
            input_dim,
            hidden_size,
            n_layers,
            batch_first=True,
            dropout=dropout if n_layers > 1 else 0.0,
            bidirectional=bidirectional,
        )
        self.hidden_size = hidden_size
        self.output_dim = hidden_size * (2 if bidirectional else 1)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """Return hidden states ``(N, L, H)`` for inputs ``(N, L, E)``."""
        return self.forward_with_state(x, mask)[0]

    def forward_with_state(
        self, x: Tensor, mask: Tensor | None = None, state: Any = None
    ) -> tuple[Tensor, Any]:
        """Run from ``state`` (None: zeros); return ``(hidden (N, L, H), state)``."""
        rnn_state = _to_time_major(state)
        if self.bidirectional and mask is not None:
            lengths = mask.sum(dim=1).clamp(min=1).cpu()  # (N,)
            packed = nn.utils.rnn.pack_padded_sequence(
                x, lengths, batch_first=True, enforce_sorted=False
            )
            out, rnn_state = self.rnn(packed, rnn_state)
            out, _ = nn.utils.rnn.pad_packed_sequence(
                out, batch_first=True, total_length=x.shape[1]
            )  # (N, L, 2H)
        else:
            # Right padding: real steps come first, so they never see padding.
            out, rnn_state = self.rnn(x, rnn_state)  # (N, L, H)
        if mask is not None:
            out = out * mask.unsqueeze(-1).to(out.dtype)
        return out, _to_batch_first(rnn_state)

    def final_state(self, hidden: Tensor, mask: Tensor) -> Tensor:
        """Summarise each sequence ``(N, H)`` by its last step (or both ends)."""
        if not self.bidirectional:
            return last_step(hidden, mask)
        forward = last_step(hidden[..., : self.hidden_size], mask)  # (N, H/2)
        backward = hidden[:, 0, self.hidden_size :]  # (N, H/2)
        return torch.cat([forward, backward], dim=-1)


def _to_time_major(state: Any) -> Any:
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(s.transpose(0, 1).contiguous() for s in state)
    return state.transpose(0, 1).contiguous()  # (N, layers, H) -> (layers, N, H)


def _to_batch_first(state: Any) -> Any:
    if isinstance(state, tuple):
        return tuple(s.transpose(0, 1) for s in state)
    return state.transpose(0, 1)  # (layers, N, H) -> (N, layers, H)


# -- temporal convolution -------------------------------------------------------------


class _CausalConv(nn.Conv1d):
    """A 1-D convolution that pads on the left only, so step t sees steps <= t."""

    def __init__(self, channels_in: int, channels_out: int, kernel: int, dilation: int):
        super().__init__(channels_in, channels_out, kernel, dilation=dilation)
        self.left = (kernel - 1) * dilation

    def forward(self, x: Tensor) -> Tensor:
        return super().forward(F.pad(x, (self.left, 0)))  # (N, C, L) -> (N, C', L)


class _TemporalBlock(nn.Module):
    """Two dilated causal convolutions with ReLU and dropout, plus a residual."""

    def __init__(self, channels: int, kernel: int, dilation: int, dropout: float):
        super().__init__()
        self.conv1 = _CausalConv(channels, channels, kernel, dilation)
        self.conv2 = _CausalConv(channels, channels, kernel, dilation)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor) -> Tensor:
        y = self.dropout(F.relu(self.conv1(x)))  # (N, C, L)
        y = self.dropout(F.relu(self.conv2(y)))
        return F.relu(x + y)


class TemporalConvEncoder(nn.Module):
    """A causal temporal convolutional network (Bai, Kolter & Koltun 2018).

    The inputs are projected to ``hidden_size`` channels, then pass residual
    blocks whose dilation doubles (1, 2, 4, ...), so the receptive field
    grows exponentially with depth: ``1 + 2 (kernel_size - 1) (2^n_layers - 1)``
    steps.

    Parameters
    ----------
    input_dim : int
        Width E of the inputs.
    hidden_size : int
        Channels of every block.
    n_layers : int, default=4
        Residual blocks.
    kernel_size : int, default=3
        Width of each convolution.
    dropout : float, default=0.0
        Dropout after each convolution.

    Notes
    -----
    The paper adds weight normalisation to each convolution; it is left out
    here (it changes little at these sizes and slows the CPU down).
    """

    causal = True

    def __init__(
        self,
        input_dim: int,
        hidden_size: int,
        n_layers: int = 4,
        kernel_size: int = 3,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.project = nn.Conv1d(input_dim, hidden_size, 1)
        self.blocks = nn.ModuleList(
            _TemporalBlock(hidden_size, kernel_size, 2**i, dropout)
            for i in range(n_layers)
        )
        self.output_dim = hidden_size
        self.receptive_field = 1 + 2 * (kernel_size - 1) * (2**n_layers - 1)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """Return hidden states ``(N, L, H)`` for inputs ``(N, L, E)``."""
        y = self.project(x.transpose(1, 2))  # (N, E, L) -> (N, H, L)
        for block in self.blocks:
            y = block(y)
        out: Tensor = y.transpose(1, 2)  # (N, L, H)
        if mask is not None:
            out = out * mask.unsqueeze(-1).to(out.dtype)
        return out


# -- transformer ----------------------------------------------------------------------


class _Rotary(nn.Module):
    """Rotary position embedding (Su et al. 2021), rotate-half form."""

    inv_freq: Tensor

    def __init__(self, head_dim: int, base: float = 10000.0) -> None:
        super().__init__()
        inv_freq = base ** (-torch.arange(0, head_dim, 2).double() / head_dim)
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        """Rotate queries or keys ``(N, heads, L, D)`` by their positions."""
        length = x.shape[-2]
        t = torch.arange(length, device=x.device, dtype=self.inv_freq.dtype)
        angles = torch.outer(t, self.inv_freq).to(x.dtype)  # (L, D/2)
        cos, sin = angles.cos(), angles.sin()
        x1, x2 = x.chunk(2, dim=-1)  # (N, heads, L, D/2) each
        return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class _SelfAttention(nn.Module):
    def __init__(self, d_model: int, n_heads: int, dropout: float, rotary: bool):
        super().__init__()
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.dropout = dropout
        self.rotary = _Rotary(d_model // n_heads) if rotary else None

    def forward(self, x: Tensor, attn_mask: Tensor | None, is_causal: bool) -> Tensor:
        n, length, width = x.shape
        q, k, v = self.qkv(x).split(width, dim=-1)  # 3 x (N, L, H)
        heads = (n, length, self.n_heads, width // self.n_heads)
        q, k, v = (t.view(heads).transpose(1, 2) for t in (q, k, v))  # (N, h, L, D)
        if self.rotary is not None:
            q, k = self.rotary(q), self.rotary(k)
        y = F.scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=attn_mask,
            dropout_p=self.dropout if self.training else 0.0,
            is_causal=is_causal,
        )  # (N, h, L, D)
        out: Tensor = self.out(y.transpose(1, 2).reshape(n, length, width))
        return out  # (N, L, H)


class _Block(nn.Module):
    """Pre-norm block: x + attention(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, d_model: int, n_heads: int, dropout: float, rotary: bool):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.attention = _SelfAttention(d_model, n_heads, dropout, rotary)
        self.norm2 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, 4 * d_model),
            nn.GELU(),
            nn.Linear(4 * d_model, d_model),
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: Tensor, attn_mask: Tensor | None, is_causal: bool) -> Tensor:
        x = x + self.dropout(self.attention(self.norm1(x), attn_mask, is_causal))
        out: Tensor = x + self.dropout(self.mlp(self.norm2(x)))
        return out  # (N, L, H)


class TransformerEncoder(nn.Module):
    """A pre-norm Transformer encoder, causal or bidirectional (Vaswani et al. 2017).

    Layer normalisation comes before each sub-layer (Xiong et al. 2020, as in
    GPT-2), with a final normalisation after the last block. Attention uses
    :func:`torch.nn.functional.scaled_dot_product_attention`.

    Parameters
    ----------
    input_dim : int
        Width E of the inputs (projected to ``d_model`` if different).
    d_model : int
        Width H of the residual stream.
    n_heads : int, default=4
        Attention heads; must divide ``d_model`` (into an even head width
        for rotary positions).
    n_layers : int, default=2
        Blocks.
    dropout : float, default=0.0
        Dropout on attention weights and on each sub-layer's output.
    causal : bool, default=True
        Step t attends to steps <= t only.
    positions : {"learned", "rotary"}, default="learned"
        A learned position embedding added to the inputs (at most
        ``max_length`` steps), or rotary embeddings of queries and keys
        (Su et al. 2021; any length).
    max_length : int, default=512
        Longest input with learned positions.
    """

    def __init__(
        self,
        input_dim: int,
        d_model: int,
        n_heads: int = 4,
        n_layers: int = 2,
        dropout: float = 0.0,
        causal: bool = True,
        positions: str = "learned",
        max_length: int = 512,
    ) -> None:
        super().__init__()
        if d_model % n_heads or (positions == "rotary" and (d_model // n_heads) % 2):
            raise ValueError(
                f"TransformerEncoder: d_model={d_model} must split into n_heads="
                f"{n_heads} heads (of even width for rotary positions)."
            )
        self.causal = causal
        self.max_length = max_length
        self.project = (
            nn.Linear(input_dim, d_model) if input_dim != d_model else nn.Identity()
        )
        self.position = (
            nn.Embedding(max_length, d_model) if positions == "learned" else None
        )
        if self.position is not None:
            nn.init.normal_(self.position.weight, std=0.02)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            _Block(d_model, n_heads, dropout, positions == "rotary")
            for _ in range(n_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.output_dim = d_model

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        """Return hidden states ``(N, L, H)`` for inputs ``(N, L, E)``."""
        length = x.shape[1]
        h = self.project(x)  # (N, L, H)
        if self.position is not None:
            if length > self.max_length:
                raise ValueError(
                    f"TransformerEncoder: {length} steps exceed max_length="
                    f"{self.max_length} of the learned positions."
                )
            h = h + self.position.weight[:length]  # (N, L, H) + (L, H)
        h = self.dropout(h)
        attn_mask, is_causal = self._attention_mask(mask, length, x.device)
        for block in self.blocks:
            h = block(h, attn_mask, is_causal)
        out: Tensor = self.norm(h)
        if mask is not None:
            out = out * mask.unsqueeze(-1).to(out.dtype)
        return out

    def _attention_mask(
        self, mask: Tensor | None, length: int, device: torch.device
    ) -> tuple[Tensor | None, bool]:
        """Return ``(attn_mask (N, 1, L, L) or None, is_causal)`` for SDPA."""
        if mask is None or bool(mask.all()):
            return None, self.causal  # no padding: the fused kernels' fast path
        allowed = mask[:, None, None, :]  # keys: (N, 1, 1, L)
        if self.causal:
            allowed = (
                allowed
                & torch.ones(length, length, dtype=torch.bool, device=device).tril()
            )
        # Every step may attend to itself, so no row is empty (no NaN from a
        # softmax over nothing); real steps attend to real keys only.
        eye = torch.eye(length, dtype=torch.bool, device=device)
        return allowed | eye, False


# -- pooling helpers and the factory --------------------------------------------------


def last_step(hidden: Tensor, mask: Tensor) -> Tensor:
    """Return each sequence's hidden state at its last real step: ``(N, H)``."""
    index = (mask.sum(dim=1).clamp(min=1) - 1).long()  # (N,)
    return hidden[torch.arange(hidden.shape[0], device=hidden.device), index]


def masked_mean(hidden: Tensor, mask: Tensor) -> Tensor:
    """Return the mean hidden state over each sequence's real steps: ``(N, H)``."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)  # (N, L, 1)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1.0)


def build_encoder(
    kind: str,
    input_dim: int,
    hidden_size: int,
    *,
    n_layers: int = 1,
    dropout: float = 0.0,
    causal: bool = True,
    n_heads: int = 4,
    positions: str = "learned",
    max_length: int = 512,
    kernel_size: int = 3,
) -> nn.Module:
    """Build the encoder ``kind`` (one of :data:`ENCODERS`) from plain settings.

    ``causal=False`` gives a bidirectional GRU/LSTM or Transformer; the
    temporal CNN is causal only.
    """
    if kind in ("gru", "lstm"):
        return RecurrentEncoder(
            input_dim, hidden_size, n_layers, kind, not causal, dropout
        )
    if kind == "tcn":
        if not causal:
            raise ValueError("build_encoder: the temporal CNN is causal only.")
        return TemporalConvEncoder(
            input_dim, hidden_size, n_layers, kernel_size, dropout
        )
    if kind == "transformer":
        return TransformerEncoder(
            input_dim,
            hidden_size,
            n_heads,
            n_layers,
            dropout,
            causal,
            positions,
            max_length,
        )
    raise ValueError(f"build_encoder: kind must be one of {ENCODERS}; got {kind!r}.")
