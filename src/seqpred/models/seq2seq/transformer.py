"""A small Transformer encoder-decoder with rotary (relative) positions."""

from __future__ import annotations

from typing import Any, ClassVar

from seqpred._params import Interval, Options
from seqpred.base import Tags
from seqpred.exceptions import InvalidParameterError
from seqpred.models.seq2seq.rnn import Seq2SeqNetwork
from seqpred.nn.estimator import TRAINING_CONSTRAINTS

import torch  # isort: skip  # noqa: E402  (after _estimator, which checks for torch)
import torch.nn.functional as F  # isort: skip  # noqa: E402
from torch import Tensor, nn  # isort: skip  # noqa: E402

from seqpred.nn.encoders import TransformerEncoder  # noqa: E402

__all__ = ["TransformerSeq2Seq", "TransformerSeq2SeqModule"]


def _rotate(x: Tensor, inv_freq: Tensor, offset: int) -> Tensor:
    """Rotate queries or keys ``(N, h, T, D)`` at positions ``offset .. offset+T-1``.

    Rotary position embedding (Su et al. 2021), rotate-half form, as
    :class:`~seqpred.nn.encoders.TransformerEncoder` uses.
    """
    steps = torch.arange(offset, offset + x.shape[-2], device=x.device)
    angles = torch.outer(steps.to(inv_freq.dtype), inv_freq).to(x.dtype)  # (T, D/2)
    cos, sin = angles.cos(), angles.sin()
    x1, x2 = x.chunk(2, dim=-1)  # (N, h, T, D/2) each
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


class _Attention(nn.Module):
    """Multi-head attention of new steps ``x`` over keys and values given apart."""

    def __init__(self, d_model: int, n_heads: int, dropout: float):
        super().__init__()
        self.n_heads = n_heads
        self.query = nn.Linear(d_model, d_model)
        self.key_value = nn.Linear(d_model, 2 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.dropout = dropout

    def heads(self, x: Tensor) -> Tensor:
        """Split ``(N, T, H)`` into heads ``(N, h, T, D)``."""
        n, length, width = x.shape
        return x.view(n, length, self.n_heads, width // self.n_heads).transpose(1, 2)

    def keys_values(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Project ``(N, S, H)`` to keys and values, each ``(N, h, S, D)``."""
        k, v = self.key_value(x).split(x.shape[-1], dim=-1)
        return self.heads(k), self.heads(v)

    def attend(
        self, q: Tensor, k: Tensor, v: Tensor, mask: Tensor | None, causal: bool
    ) -> Tensor:
        """Attend with queries ``(N, h, T, D)``; return ``(N, T, H)``."""
        y = F.scaled_dot_product_attention(
            q,
            k,
            v,
            attn_mask=mask,
            dropout_p=self.dropout if self.training else 0.0,
            is_causal=causal,
        )  # (N, h, T, D)
        n, _, length, _ = y.shape
        out: Tensor = self.out(y.transpose(1, 2).reshape(n, length, -1))
        return out


class _DecoderBlock(nn.Module):
    """Pre-norm: causal self-attention, attention over the input, then an MLP."""

    def __init__(self, d_model: int, n_heads: int, dropout: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(d_model)
        self.self_attention = _Attention(d_model, n_heads, dropout)
        self.norm2 = nn.LayerNorm(d_model)
        self.cross_attention = _Attention(d_model, n_heads, dropout)
        self.norm3 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, 4 * d_model),
            nn.GELU(),
            nn.Linear(4 * d_model, d_model),
        )
        self.dropout = nn.Dropout(dropout)

    def forward(
        self,
        x: Tensor,
        cache: Tensor,
        cross: Tensor,
        memory_mask: Tensor,
        inv_freq: Tensor | None,
    ) -> tuple[Tensor, Tensor]:
        """Run new steps ``x (N, T, H)`` after ``cache (N, 2, h, t, D)``.

        ``cross (N, 2, h, S, D)`` holds the keys and values of the input.
        Returns the block's output and the grown cache ``(N, 2, h, t+T, D)``.
        """
        attention = self.self_attention
        h = self.norm1(x)
        q = attention.heads(attention.query(h))  # (N, h, T, D)
        k, v = attention.keys_values(h)
        offset, length = cache.shape[3], x.shape[1]
        if inv_freq is not None:  # relative positions: rotate by absolute step
            q, k = _rotate(q, inv_freq, offset), _rotate(k, inv_freq, offset)
        k = torch.cat([cache[:, 0], k], dim=2)  # (N, h, t + T, D)
        v = torch.cat([cache[:, 1], v], dim=2)
        if offset == 0 or length == 1:  # all from scratch, or one new step
            y = attention.attend(q, k, v, None, causal=offset == 0 and length > 1)
        else:
            seen = torch.ones(length, offset + length, device=x.device).tril(offset)
            y = attention.attend(q, k, v, seen.bool(), causal=False)
        x = x + self.dropout(y)
        cross_q = self.cross_attention.heads(self.cross_attention.query(self.norm2(x)))
        y = self.cross_attention.attend(
            cross_q, cross[:, 0], cross[:, 1], memory_mask, causal=False
        )
        x = x + self.dropout(y)
        out: Tensor = x + self.dropout(self.mlp(self.norm3(x)))
        return out, torch.stack([k, v], dim=1)  # (N, T, H), (N, 2, h, t+T, D)


class TransformerSeq2SeqModule(nn.Module):
    """Transformer encoder-decoder (Vaswani et al. 2017), pre-norm, rotary positions.

    Architecture only. The interface matches
    :class:`~seqpred.models.seq2seq.rnn.AttentionSeq2Seq`, so the same
    training loss and beam search serve both: ``encode`` returns
    ``(memory, keys, state)`` and ``decode`` maps new tokens and a state to
    logits and the next state. Here ``keys`` are the attention keys and
    values of the input for every decoder block, ``(N, blocks, 2, h, S, D)``,
    and the state is the key/value cache of the output so far, ``(N,
    blocks, 2, h, t, D)``, so each decoding step costs ``O(t)``.

    Parameters
    ----------
    source_size, target_size : int
        Ids of the input and output vocabularies.
    d_model, n_heads, n_layers : int
        Width, attention heads and blocks (of the encoder and the decoder each).
    dropout : float
        Dropout on attention weights and sub-layer outputs.
    positions : {"rotary", "learned"}
        Rotary embeddings in every self-attention (relative positions; any
        length), or learned absolute positions (at most 512 steps).
    """

    inv_freq: Tensor

    def __init__(
        self,
        source_size: int,
        target_size: int,
        d_model: int,
        n_heads: int,
        n_layers: int,
        dropout: float,
        positions: str,
    ) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.source_embed = nn.Embedding(source_size, d_model, padding_idx=0)
        self.target_embed = nn.Embedding(target_size, d_model, padding_idx=0)
        with torch.no_grad():  # unknown inputs: a zero vector (never trained)
            self.source_embed.weight[1] = 0.0
        self.encoder = TransformerEncoder(
            d_model, d_model, n_heads, n_layers, dropout, False, positions
        )
        self.rotary = positions == "rotary"
        head = d_model // n_heads
        inv_freq = 10000.0 ** (-torch.arange(0, head, 2).double() / head)
        self.register_buffer("inv_freq", inv_freq, persistent=False)
        self.position = None if self.rotary else nn.Embedding(512, d_model)
        self.blocks = nn.ModuleList(
            _DecoderBlock(d_model, n_heads, dropout) for _ in range(n_layers)
        )
        self.norm = nn.LayerNorm(d_model)
        self.output = nn.Linear(d_model, target_size)

    def encode(self, source: Tensor, mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """Return ``(memory (N, S, H), input keys/values, empty cache)``."""
        memory = self.encoder(self.source_embed(source), mask)  # (N, S, H)
        pairs = []
        for block in self.blocks:
            assert isinstance(block, _DecoderBlock)
            pairs.append(torch.stack(block.cross_attention.keys_values(memory), dim=1))
        cross = torch.stack(pairs, dim=1)  # (N, blocks, 2, h, S, D)
        n, blocks, _, heads, _, head = cross.shape
        cache = memory.new_zeros((n, blocks, 2, heads, 0, head))
        return memory, cross, cache

    def decode(
        self,
        tokens: Tensor,
        state: Tensor,
        memory: Tensor,
        keys: Tensor,
        mask: Tensor,
    ) -> tuple[Tensor, Tensor]:
        """Return ``(logits (N, T, V) of the new tokens, the grown cache)``."""
        offset = state.shape[4]
        x = self.target_embed(tokens)  # (N, T, H)
        if self.position is not None:
            x = x + self.position.weight[offset : offset + tokens.shape[1]]
        memory_mask = mask[:, None, None, :]  # (N, 1, 1, S)
        inv_freq = self.inv_freq if self.rotary else None
        caches = []
        for i, block in enumerate(self.blocks):
            x, cache = block(x, state[:, i], keys[:, i], memory_mask, inv_freq)
            caches.append(cache)
        logits = self.output(self.norm(x))  # (N, T, V)
        return logits, torch.stack(caches, dim=1)  # (N, blocks, 2, h, t+T, D)

    def forward(self, source: Tensor, mask: Tensor, tokens: Tensor) -> Tensor:
        """Teacher forcing: logits ``(N, T, V)`` of each next output symbol."""
        memory, keys, state = self.encode(source, mask)
        return self.decode(tokens, state, memory, keys, mask)[0]


class TransformerSeq2Seq(Seq2SeqNetwork):
    """Map input sequences to output sequences with a small Transformer.

    A bidirectional Transformer encoder reads the input; a causal
    Transformer decoder writes the output one symbol at a time, attending
    over the encoder's states in every block, until an end mark. Positions
    are rotary by default: attention scores depend on the offset between
    steps, not on absolute positions, which helps on inputs and outputs
    longer than in training. Training (teacher forcing, AdamW, early
    stopping), greedy and beam decoding are those of
    :class:`~seqpred.models.seq2seq.rnn.Seq2SeqNetwork`.

    Parameters
    ----------
    d_model : int, default=64
        Width of embeddings and of the residual stream.
    n_heads : int, default=4
        Attention heads; must divide ``d_model`` into an even head width.
    n_layers : int, default=2
        Blocks of the encoder and of the decoder each.
    dropout : float, default=0.0
        Dropout on attention weights and sub-layer outputs.
    positions : {"rotary", "learned"}, default="rotary"
        Rotary (relative) positions in every self-attention, or learned
        absolute positions (at most 512 steps).
    reverse_input : bool, default=False
        Read each input right to left.
    max_epochs : int, default=30
        Passes over the training pairs.
    batch_size : int, default=64
        Pairs per mini-batch.
    learning_rate : float, default=0.001
        Peak learning rate of AdamW (warm-up, then cosine decay).
    weight_decay : float, default=0.0
        Decoupled weight decay on the weight matrices.
    max_time : float or None, default=None
        Training budget in seconds (None: no limit).
    validation_fraction : float, default=0.1
        Share of the pairs, the last ones in the given order, held out for
        early stopping (0: none).
    patience : int or None, default=5
        Epochs without a better validation loss before stopping (None:
        never); the best weights are kept.
    device : str, default="auto"
        "auto", "cpu", "cuda", "cuda:N" or "mps".
    n_threads : int or None, default=None
        CPU threads for torch; None means 1.
    random_state : None, int or numpy Generator, default=None
        Seed of initialisation, dropout and batch order.
    verbose : int, default=0
        0: silent; 1: a progress bar per epoch on stderr; 2: keep the bars.
    log_file : str or None, default=None
        JSON-lines log of the run, one line per epoch.

    Attributes
    ----------
    input_vocabulary_, output_vocabulary_ : Vocabulary
        Symbols of the training inputs and outputs.
    string_output_ : bool
        Whether the training outputs were strings (then predictions are too).
    max_output_length_ : int
        Longest training output.
    n_sequences_ : int
        Number of training pairs.
    module_config_ : dict
        The network's settings.
    history_ : list of dict
        Per-epoch losses (nats per output symbol), learning rate and speed.
    n_epochs_, best_epoch_ : int
        Epochs run and the epoch whose weights were kept.
    stop_reason_ : str
        Why training stopped.

    Notes
    -----
    Decoding keeps a key/value cache of the output so far, so each step
    costs time linear in the output length.
    Relative positions do not by themselves make a Transformer extrapolate
    to longer outputs; see docs/benchmarks.md for SCAN's length split.

    References
    ----------
    .. [1] A. Vaswani et al., "Attention Is All You Need", NeurIPS 2017.
    .. [2] J. Su et al., "RoFormer: Enhanced Transformer with Rotary Position
       Embedding", 2021.
    .. [3] S. Ontañón et al., "Making Transformers Solve Compositional
       Tasks", ACL 2022.

    Examples
    --------
    >>> from seqpred.models.seq2seq.transformer import TransformerSeq2Seq
    >>> X = ["abc", "bca", "cab", "acb", "bac", "cba", "ab", "ba", "ca"] * 8
    >>> y = [x[::-1] for x in X]
    >>> model = TransformerSeq2Seq(d_model=32, max_epochs=25, learning_rate=0.005,
    ...     validation_fraction=0.0, random_state=0).fit(X, y)
    >>> model.predict(["abc", "ca"])
    ['cba', 'ac']
    """

    _network_class: ClassVar[type[nn.Module]] = TransformerSeq2SeqModule
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "d_model": [Interval(int, 2, None)],
        "n_heads": [Interval(int, 1, None)],
        "n_layers": [Interval(int, 1, None)],
        "dropout": [Interval(float, 0, 1, closed="left")],
        "positions": [Options({"rotary", "learned"})],
        "reverse_input": [bool],
        **{k: v for k, v in TRAINING_CONSTRAINTS.items() if k != "max_length"},
    }
    _tags: ClassVar[Tags] = Tags(stochastic=True, requires_torch=True)

    def __init__(  # noqa: D107
        self,
        d_model: int = 64,
        *,
        n_heads: int = 4,
        n_layers: int = 2,
        dropout: float = 0.0,
        positions: str = "rotary",
        reverse_input: bool = False,
        max_epochs: int = 30,
        batch_size: int = 64,
        learning_rate: float = 0.001,
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
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.dropout = dropout
        self.positions = positions
        self.reverse_input = reverse_input
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
        tiny = {"d_model": 8, "n_heads": 2, "n_layers": 1, "max_epochs": 2}
        return [
            {**tiny, "random_state": 0, "device": "cpu"},
            {**tiny, "positions": "learned", "reverse_input": True,
             "random_state": 0, "validation_fraction": 0.0, "device": "cpu"},
        ]  # fmt: skip

    def _validate_params(self) -> None:
        super()._validate_params()
        head, rest = divmod(self.d_model, self.n_heads)
        if rest or head % 2:
            raise InvalidParameterError(
                f"{type(self).__name__}: d_model must split into n_heads heads "
                f"of even width; got d_model={self.d_model}, n_heads="
                f"{self.n_heads}. Use d_model=64, n_heads=4."
            )

    def _module_config(self) -> dict[str, Any]:
        return {
            "source_size": self.input_vocabulary_.size,
            "target_size": self.output_vocabulary_.size,
            "d_model": self.d_model,
            "n_heads": self.n_heads,
            "n_layers": self.n_layers,
            "dropout": float(self.dropout),
            "positions": self.positions,
        }
