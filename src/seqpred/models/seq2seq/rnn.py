"""Sequence to sequence: an attentional GRU encoder-decoder, greedy and beam search."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval
from seqpred._typing import Array
from seqpred.base import Tags, check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set, check_pairs
from seqpred.data.vocabulary import PAD_ID, SEP_ID, UNK_ID, Vocabulary
from seqpred.exceptions import DataError
from seqpred.models.seq2seq.base import Seq2SeqMixin
from seqpred.nn.batching import IGNORE_INDEX, bucket_batches, pad_gather
from seqpred.nn.encoders import RecurrentEncoder
from seqpred.nn.estimator import (
    TRAINING_CONSTRAINTS,
    NeuralEstimatorMixin,
)
from seqpred.nn.fields import (
    FIELD_KEYS,
    FieldArrays,
    FieldEmbedding,
    encode_fields,
    field_config,
    learn_fields,
)
from seqpred.nn.runtime import threads

import torch  # isort: skip  # noqa: E402  (after _estimator, which checks for torch)
import torch.nn.functional as F  # isort: skip  # noqa: E402
from torch import Tensor, nn  # isort: skip  # noqa: E402

__all__ = ["AttentionSeq2Seq", "Seq2SeqNetwork"]

_PREDICT_BATCH = 512


class AttentionSeq2Seq(nn.Module):
    """Bidirectional GRU encoder, GRU decoder with Luong "general" attention.

    Architecture only. The decoder starts from a projection of the
    encoder's final states (both directions); at each step its output
    attends over the encoder states (Luong et al. 2015, "general" score
    ``h_t^T W h_s``), and ``tanh(W_c [h_t; c_t])`` scores the next symbol.

    Parameters
    ----------
    source_size, target_size : int
        Ids of the input and output vocabularies.
    embedding_dim, hidden_size, n_layers : int
        Embedding width, units per direction and stacked layers.
    dropout : float
        Dropout on embeddings and before the output layer.
    field_cardinalities, n_numeric_fields, static_cardinalities, n_static_numeric
        Sizes of the input's fields (:class:`~seqpred.nn.fields.FieldEmbedding`;
        none by default): per-step fields are added to the input embeddings,
        static fields to the decoder's initial state.
    """

    def __init__(
        self,
        source_size: int,
        target_size: int,
        embedding_dim: int,
        hidden_size: int,
        n_layers: int,
        dropout: float,
        field_cardinalities: Sequence[int] = (),
        n_numeric_fields: int = 0,
        static_cardinalities: Sequence[int] = (),
        n_static_numeric: int = 0,
    ) -> None:
        super().__init__()
        h = hidden_size
        self.n_layers = n_layers
        self.source_embed = nn.Embedding(source_size, embedding_dim, padding_idx=0)
        with torch.no_grad():  # unknown inputs: a zero vector (never trained)
            self.source_embed.weight[UNK_ID] = 0.0
        self.encoder = RecurrentEncoder(
            embedding_dim, h, n_layers, "gru", bidirectional=True, dropout=dropout
        )
        self.bridge = nn.Linear(2 * h, n_layers * h)
        self.target_embed = nn.Embedding(target_size, embedding_dim, padding_idx=0)
        self.decoder = nn.GRU(
            embedding_dim,
            h,
            n_layers,
            batch_first=True,
            dropout=dropout if n_layers > 1 else 0.0,
        )
        self.attention = nn.Linear(2 * h, h, bias=False)
        self.combine = nn.Linear(3 * h, h)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(h, target_size)
        sizes = (field_cardinalities, n_numeric_fields)
        statics = (static_cardinalities, n_static_numeric)
        self.fields = (
            FieldEmbedding(embedding_dim, *sizes, *statics)
            if any(sizes) or any(statics)
            else None
        )
        self.static_bridge = (
            nn.Linear(embedding_dim, n_layers * h) if any(statics) else None
        )

    def encode(
        self, source: Tensor, mask: Tensor, *fields: Tensor
    ) -> tuple[Tensor, Tensor, Tensor]:
        """Return ``(memory (N, S, 2H), keys (N, S, H), state (N, layers, H))``.

        ``fields`` are the input's fields in ``FIELD_KEYS`` order, for a
        network built with fields.
        """
        x = self.source_embed(source)  # (N, S, E)
        if self.fields is not None:
            x = self.fields.steps(x, fields[0], fields[1])
        memory = self.encoder(self.dropout(x), mask)  # (N, S, 2H)
        summary = self.encoder.final_state(memory, mask)  # (N, 2H)
        start = self.bridge(summary)  # (N, layers * H)
        if self.fields is not None and self.static_bridge is not None:
            static = self.fields.prefix(fields[2], fields[3], x)[:, 0]  # (N, E)
            start = start + self.static_bridge(static)  # into the initial state
        state = torch.tanh(start)  # (N, layers * H)
        state = state.view(len(source), self.n_layers, -1)  # (N, layers, H)
        return memory, self.attention(memory), state

    def decode(
        self,
        tokens: Tensor,
        state: Tensor,
        memory: Tensor,
        keys: Tensor,
        mask: Tensor,
    ) -> tuple[Tensor, Tensor]:
        """Return ``(logits (N, T, V), state (N, layers, H))`` for tokens ``(N, T)``."""
        x = self.dropout(self.target_embed(tokens))  # (N, T, E)
        out, rnn_state = self.decoder(x, state.transpose(0, 1).contiguous())
        scores = out @ keys.transpose(1, 2)  # (N, T, S)
        scores = scores.masked_fill(~mask[:, None, :], float("-inf"))
        context = torch.softmax(scores, dim=-1) @ memory  # (N, T, 2H)
        combined = torch.tanh(self.combine(torch.cat([out, context], dim=-1)))
        logits = self.output(self.dropout(combined))  # (N, T, V)
        return logits, rnn_state.transpose(0, 1)

    def forward(
        self, source: Tensor, mask: Tensor, tokens: Tensor, *fields: Tensor
    ) -> Tensor:
        """Teacher forcing: logits ``(N, T, V)`` of each next output symbol."""
        memory, keys, state = self.encode(source, mask, *fields)
        return self.decode(tokens, state, memory, keys, mask)[0]


def _pad(values: Array, starts: Array, lengths: Array) -> tuple[Array, Array]:
    array, mask = pad_gather(values, starts, lengths)
    if array.shape[1] == 0:  # only empty inputs: keep one (masked) column
        array = np.zeros((len(starts), 1) + values.shape[1:], dtype=values.dtype)
        mask = np.zeros((len(starts), 1), dtype=bool)
    mask[:, 0] = True  # an empty input attends to one padding step, not nothing
    return array, mask


def _field_tensors(
    arrays: FieldArrays | None, starts: Array, lengths: Array, rows: Array
) -> list[Tensor]:
    """Return the inputs' fields as tensors (step fields padded as the ids)."""
    if arrays is None:
        return []
    out = []
    for values in (arrays.step_categorical, arrays.step_numeric):
        out.append(torch.from_numpy(_pad(values, starts, lengths)[0]))  # (N, S, F)
    for values in (arrays.static_categorical, arrays.static_numeric):
        out.append(torch.from_numpy(values[rows]))  # (N, S)
    return out


class _PairBatches:
    """Padded (source, decoder input, decoder target) batches."""

    def __init__(
        self,
        source: tuple[Array, Array, Array],
        target: tuple[Array, Array, Array],
        batch_size: int,
        shuffle: bool,
        fields: FieldArrays | None = None,
        rows: Array | None = None,
    ) -> None:
        self.source, self.target = source, target
        self.batch_size, self.shuffle = batch_size, shuffle
        self.fields = fields  # the inputs' encoded fields (or None)
        self.rows = np.arange(len(source[1])) if rows is None else rows

    def __len__(self) -> int:
        return -(-len(self.source[1]) // self.batch_size)

    def batches(
        self, rng: np.random.Generator | None = None
    ) -> Iterator[dict[str, Any]]:
        rng = rng if self.shuffle else None
        (sv, ss, sl), (tv, ts, tl) = self.source, self.target
        for index in bucket_batches(sl * 64 + tl, self.batch_size, rng):
            src, src_mask = _pad(sv, ss[index], sl[index])
            out, out_mask = pad_gather(tv, ts[index], tl[index] + 1)  # + end mark
            n = len(index)
            tokens = np.concatenate([np.full((n, 1), SEP_ID), out[:, :-1]], axis=1)
            targets = np.where(out_mask, out, IGNORE_INDEX)
            fields = _field_tensors(self.fields, ss[index], sl[index], self.rows[index])
            yield {
                "source": torch.from_numpy(src),
                "mask": torch.from_numpy(src_mask),
                "tokens": torch.from_numpy(tokens),
                "targets": torch.from_numpy(targets),
                "index": index,
                "n_targets": int(out_mask.sum()),
                **dict(zip(FIELD_KEYS, fields)),
            }


def _loss(module: nn.Module, batch: dict[str, Any]) -> tuple[Tensor, int]:
    fields = [batch[key] for key in FIELD_KEYS if key in batch]
    logits = module(batch["source"], batch["mask"], batch["tokens"], *fields)
    total = F.cross_entropy(
        logits.float().flatten(0, 1),
        batch["targets"].flatten(),
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    return total, int(batch["n_targets"])


def _marked_targets(ss: SequenceSet) -> tuple[Array, Array, Array]:
    """Return ``(values, starts, lengths)`` with an end mark after every target."""
    lengths = np.diff(ss.offsets)
    ends = ss.offsets[1:] + np.arange(1, len(ss) + 1)  # positions after each mark
    values = np.full(len(ss.values) + len(ss), SEP_ID, dtype=np.int64)
    keep = np.ones(len(values), dtype=bool)
    keep[ends - 1] = False
    values[keep] = ss.values
    return values, ends - lengths - 1, lengths


class Seq2SeqNetwork(NeuralEstimatorMixin, Seq2SeqMixin):
    """Map input sequences to output sequences with an attentional GRU encoder-decoder.

    A bidirectional GRU reads the input; a GRU decoder, started from the
    encoder's final states, writes the output one symbol at a time,
    attending over the encoder states at every step (Luong "general"
    attention), until an end mark. Training uses teacher forcing and
    per-symbol cross-entropy; :meth:`predict` decodes greedily or with a
    beam search.

    Parameters
    ----------
    embedding_dim : int, default=32
        Width of the input and output symbol embeddings.
    hidden_size : int, default=128
        Units per direction of the encoder and of the decoder.
    n_layers : int, default=1
        Stacked recurrent layers of the encoder and the decoder.
    dropout : float, default=0.0
        Dropout on embeddings, between layers and before the output layer.
    reverse_input : bool, default=False
        Read each input right to left (Sutskever et al. 2014); helps
        digit-aligned tasks such as addition.
    use_fields : bool, default=True
        Read the fields of the input events, when the inputs have any
        (:attr:`SequenceSet.fields <seqpred.data.SequenceSet.fields>` and
        ``static``): an embedding per categorical field and a projection of
        the numeric fields are added to each input step's embedding, and the
        static fields go into the decoder's initial state. Inputs to
        ``predict`` must then carry the same fields.
    max_epochs : int, default=30
        Passes over the training pairs.
    batch_size : int, default=64
        Pairs per mini-batch.
    learning_rate : float, default=0.003
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
        Whether the training outputs were strings (then predictions are
        strings too; else lists of symbols).
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
    fields_ : dict
        The input fields read (names, vocabularies, numeric means and
        scales), set when the inputs had fields and ``use_fields=True``.

    Notes
    -----
    Unknown input symbols are read as a zero embedding.
    Beam search ranks finished outputs by their total log-probability (end
    mark included), without length normalisation; ``beam_width=1`` is
    greedy decoding. Predictions run in float64.

    References
    ----------
    .. [1] I. Sutskever, O. Vinyals, Q. V. Le, "Sequence to Sequence Learning
       with Neural Networks", NeurIPS 2014.
    .. [2] M.-T. Luong, H. Pham, C. D. Manning, "Effective Approaches to
       Attention-based Neural Machine Translation", EMNLP 2015.

    Examples
    --------
    >>> from seqpred.models.seq2seq.rnn import Seq2SeqNetwork
    >>> X = ["abc", "bca", "cab", "acb", "bac", "cba", "ab", "ba", "ca"] * 8
    >>> y = [x[::-1] for x in X]
    >>> model = Seq2SeqNetwork(hidden_size=32, embedding_dim=8, max_epochs=30,
    ...     learning_rate=0.01, validation_fraction=0.0, random_state=0).fit(X, y)
    >>> model.predict(["abc", "ca"])
    ['cba', 'ac']
    """

    _network_class: ClassVar[type[nn.Module]] = AttentionSeq2Seq
    input_vocabulary_: Vocabulary
    output_vocabulary_: Vocabulary
    string_output_: bool
    max_output_length_: int
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "embedding_dim": [Interval(int, 1, None)],
        "hidden_size": [Interval(int, 1, None)],
        "n_layers": [Interval(int, 1, None)],
        "dropout": [Interval(float, 0, 1, closed="left")],
        "reverse_input": [bool],
        "use_fields": [bool],
        **{k: v for k, v in TRAINING_CONSTRAINTS.items() if k != "max_length"},
    }
    _tags: ClassVar[Tags] = Tags(stochastic=True, requires_torch=True)

    def __init__(
        self,
        embedding_dim: int = 32,
        *,
        hidden_size: int = 128,
        n_layers: int = 1,
        dropout: float = 0.0,
        reverse_input: bool = False,
        use_fields: bool = True,
        max_epochs: int = 30,
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
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.dropout = dropout
        self.reverse_input = reverse_input
        self.use_fields = use_fields
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
        tiny = {"embedding_dim": 4, "hidden_size": 4, "max_epochs": 2}
        return [
            {**tiny, "random_state": 0, "device": "cpu"},
            {**tiny, "reverse_input": True, "n_layers": 2, "random_state": 0,
             "validation_fraction": 0.0, "device": "cpu"},
        ]  # fmt: skip

    # -- data
    def _sources(
        self, X: Any, add: bool
    ) -> tuple[tuple[Array, Array, Array], FieldArrays | None]:
        """Return inputs as ``(values, starts, lengths)`` (maybe reversed), fields."""
        owner = type(self).__name__
        ss = as_sequence_set(
            X,
            kind="discrete",
            vocabulary=None if add else self.input_vocabulary_,
            unknown="add" if add else "unk",
            owner=owner,
            allow_empty_input=not add,
        )
        if add:
            self.input_vocabulary_ = (ss.vocabulary or Vocabulary()).copy().freeze()
            use = bool(getattr(self, "use_fields", False))  # a subclass may not
            schema = learn_fields(ss) if use else None
            if schema is not None:
                self.fields_ = schema
        values = ss.values.astype(np.int64)
        lengths = np.diff(ss.offsets)
        order = np.arange(len(values))
        if self.reverse_input and len(values):
            seq = np.repeat(np.arange(len(ss)), lengths)
            position = np.arange(len(values)) - ss.offsets[seq]
            order = ss.offsets[seq + 1] - 1 - position
            values = values[order]
        arrays = None
        schema = getattr(self, "fields_", None)
        if schema is not None:
            arrays = encode_fields(ss, schema, owner)
            arrays = dataclasses.replace(
                arrays,
                step_categorical=arrays.step_categorical[order],
                step_numeric=arrays.step_numeric[order],
            )
        return (values, ss.offsets[:-1], lengths), arrays

    def fit(self, X: Any, y: Any) -> Seq2SeqNetwork:
        """Learn to map each input sequence to its output; return ``self``.

        Parameters
        ----------
        X : list of strings or list of lists
            Input sequences.
        y : list of strings or list of lists
            One output sequence per input (may be empty).

        Returns
        -------
        self
        """
        self._validate_params()
        owner = type(self).__name__
        check_pairs(X, y, owner)
        self._reset()
        source, arrays = self._sources(X, add=True)
        out = as_sequence_set(y, kind="discrete", unknown="add", owner=owner)
        self.output_vocabulary_ = (out.vocabulary or Vocabulary()).copy().freeze()
        self.string_output_ = all(isinstance(t, str) for t in y)
        self.max_output_length_ = int(np.diff(out.offsets).max(initial=0))
        self.n_sequences_ = len(out)
        target = _marked_targets(out)
        n = len(out)
        n_valid = min(int(round(self.validation_fraction * n)), n - 1)
        cut = n - n_valid

        def part(rows: slice, shuffle: bool) -> _PairBatches:
            pick = tuple(a[rows] if i else a for i, a in enumerate(source))
            tpick = tuple(a[rows] if i else a for i, a in enumerate(target))
            return _PairBatches(
                pick,  # type: ignore[arg-type]
                tpick,  # type: ignore[arg-type]
                self.batch_size,
                shuffle,
                arrays,
                np.arange(n)[rows],
            )

        valid = part(slice(cut, None), False) if n_valid > 0 else None
        self._train(self._module_config(), _loss, part(slice(0, cut), True), valid)
        self._mark_fitted()
        return self

    def _module_config(self) -> dict[str, Any]:
        """Return the network's settings (plain values) from the parameters and data."""
        return {
            "source_size": self.input_vocabulary_.size,
            "target_size": self.output_vocabulary_.size,
            "embedding_dim": self.embedding_dim,
            "hidden_size": self.hidden_size,
            "n_layers": self.n_layers,
            "dropout": float(self.dropout),
            **field_config(getattr(self, "fields_", None)),
        }

    # -- prediction
    def predict(
        self, X: Any, beam_width: int = 1, max_length: int | None = None
    ) -> list[Any]:
        """Return the predicted output of each input (strings if trained on strings).

        Parameters
        ----------
        X : list of strings or list of lists
            Input sequences.
        beam_width : int, default=1
            Hypotheses kept per input (1: greedy decoding).
        max_length : int or None, default=None
            Longest output; None: twice the longest training output, plus 2.
        """
        check_is_fitted(self, "predict")
        if not isinstance(beam_width, int) or beam_width < 1:
            raise DataError(f"beam_width must be an int >= 1; got {beam_width!r}.")
        limit = 2 * self.max_output_length_ + 2 if max_length is None else max_length
        (values, starts, lengths), arrays = self._sources(X, add=False)
        results: list[Any] = [None] * len(lengths)
        network, device = self._network()
        with threads(self.n_threads, device), torch.no_grad():
            for index in bucket_batches(lengths, _PREDICT_BATCH):
                src, mask = _pad(values, starts[index], lengths[index])
                fields = _field_tensors(arrays, starts[index], lengths[index], index)
                ids = _beam_search(
                    network,
                    torch.from_numpy(src).to(device),
                    torch.from_numpy(mask).to(device),
                    beam_width,
                    limit,
                    [f.to(device) for f in fields],
                )
                for i, row in zip(index.tolist(), ids):
                    results[i] = self._decode(row)
        return results

    def _decode(self, ids: list[int]) -> Any:
        symbols = self.output_vocabulary_.decode(ids)
        if self.string_output_:
            return "".join(str(s) for s in symbols)
        return symbols

    def log_proba(self, X: Any, y: Any) -> Array:
        """Return ``log P(y_i | X_i)`` of each given output (end mark included)."""
        check_is_fitted(self, "log_proba")
        source, arrays = self._sources(X, add=False)
        out = as_sequence_set(
            y,
            kind="discrete",
            vocabulary=self.output_vocabulary_,
            unknown="unk",
            allow_empty_input=True,
        )
        target = _marked_targets(out)
        batches = _PairBatches(source, target, _PREDICT_BATCH, False, arrays)
        result = np.empty(len(out))
        network, device = self._network()
        with threads(self.n_threads, device), torch.no_grad():
            for batch in batches.batches():
                fields = [batch[k].to(device) for k in FIELD_KEYS if k in batch]
                logits = network(
                    batch["source"].to(device),
                    batch["mask"].to(device),
                    batch["tokens"].to(device),
                    *fields,
                )
                logp = torch.log_softmax(logits, dim=-1)  # (N, T, V)
                targets = batch["targets"].to(device)
                picked = logp.gather(-1, targets.clamp(min=0)[..., None])[..., 0]
                picked = picked.masked_fill(targets == IGNORE_INDEX, 0.0)
                result[batch["index"]] = picked.sum(dim=1).cpu().numpy()
        return result


def _beam_search(
    network: Any,
    source: Tensor,
    mask: Tensor,
    width: int,
    limit: int,
    fields: Sequence[Tensor] = (),
) -> list[list[int]]:
    """Return the best output ids of each input (end mark excluded).

    Batched over inputs and beams: every row of ``N * B`` is one hypothesis.
    Finished hypotheses only extend with padding at no cost, so their score
    stays their total log-probability.
    """
    n = len(source)
    memory, keys, state = network.encode(source, mask, *fields)
    expand = torch.arange(n, device=source.device).repeat_interleave(width)
    memory, keys, state, mask = (
        memory[expand],
        keys[expand],
        state[expand],
        mask[expand],
    )
    scores = torch.full(
        (n, width), float("-inf"), dtype=memory.dtype, device=source.device
    )
    scores[:, 0] = 0.0
    tokens = torch.full((n * width,), SEP_ID, dtype=torch.long, device=source.device)
    finished = torch.zeros(n * width, dtype=torch.bool, device=source.device)
    history: list[Tensor] = []
    for _ in range(limit + 1):
        logits, state = network.decode(tokens[:, None], state, memory, keys, mask)
        logp = torch.log_softmax(logits[:, 0], dim=-1)  # (N*B, V)
        logp[:, [PAD_ID, UNK_ID]] = float("-inf")
        logp[finished] = float("-inf")
        logp[finished, PAD_ID] = 0.0
        size = logp.shape[-1]
        total = (scores.reshape(-1, 1) + logp).reshape(n, width * size)
        scores, best = total.topk(width, dim=1)  # (N, B)
        beam, token = best // size, best % size
        rows = (torch.arange(n, device=source.device)[:, None] * width + beam).reshape(
            -1
        )
        state, finished = state[rows], finished[rows]
        history = [h[rows] for h in history]
        tokens = token.reshape(-1)
        history.append(tokens)
        finished = finished | (tokens == SEP_ID) | (tokens == PAD_ID)
        if bool(finished.all()):
            break
    top = scores.argmax(dim=1)  # (N,)
    chosen = torch.arange(n, device=source.device) * width + top
    steps = torch.stack(history, dim=1)[chosen].cpu().numpy()  # (N, T)
    out = []
    for row in steps.tolist():
        ids = []
        for t in row:
            if t in (SEP_ID, PAD_ID):
                break
            ids.append(t)
        out.append(ids[:limit])
    return out
