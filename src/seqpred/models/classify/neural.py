"""A neural sequence classifier: encoder, pooling and a linear head."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags, check_is_fitted
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import PAD_ID, UNK_ID
from seqpred.exceptions import DataError
from seqpred.models.classify.base import ClassifierMixin
from seqpred.nn.batching import bucket_batches, pad_gather
from seqpred.nn.encoders import (
    InputEmbedding,
    RecurrentEncoder,
    build_encoder,
    last_step,
    masked_mean,
)
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
from seqpred.nn.heads import check_heads
from seqpred.nn.runtime import threads

import torch  # isort: skip  # noqa: E402  (after _estimator, which checks for torch)
import torch.nn.functional as F  # isort: skip  # noqa: E402
from torch import Tensor, nn  # isort: skip  # noqa: E402

__all__ = ["NeuralSequenceClassifier", "SequenceClassifierNetwork"]

_PREDICT_BATCH = 256


class SequenceClassifierNetwork(nn.Module):
    """Embed steps, encode, pool to one vector, score the classes (architecture only).

    Parameters
    ----------
    n_classes : int
        Number of classes C.
    vocab_size : int
        Ids of discrete inputs (0 for numeric inputs).
    n_features : int
        Numeric features per step (0 for discrete inputs).
    encoder : {"gru", "lstm", "tcn", "transformer"}
        The encoder; bidirectional except the (causal) temporal CNN.
    embedding_dim, hidden_size, n_layers, n_heads, max_length : int
        Encoder sizes.
    dropout : float
        Dropout in the encoder and before the head.
    pooling : {"last", "mean"}
        Summary of the hidden states: the last step (both ends for a
        bidirectional RNN) or the mean over real steps.
    field_cardinalities, n_numeric_fields, static_cardinalities, n_static_numeric
        Sizes of the fields of discrete steps (see
        :class:`~seqpred.nn.fields.FieldEmbedding`); none by default. Static
        fields are read as a first step.
    """

    def __init__(
        self,
        n_classes: int,
        vocab_size: int,
        n_features: int,
        encoder: str,
        embedding_dim: int,
        hidden_size: int,
        n_layers: int,
        n_heads: int,
        max_length: int,
        dropout: float,
        pooling: str,
        field_cardinalities: Sequence[int] = (),
        n_numeric_fields: int = 0,
        static_cardinalities: Sequence[int] = (),
        n_static_numeric: int = 0,
    ) -> None:
        super().__init__()
        if vocab_size:
            self.embed = InputEmbedding(
                [vocab_size], [embedding_dim], null_ids=(PAD_ID, UNK_ID)
            )
        else:
            self.embed = InputEmbedding(n_numeric=n_features, numeric_dim=embedding_dim)
        self.discrete = bool(vocab_size)
        sizes = (field_cardinalities, n_numeric_fields)
        statics = (static_cardinalities, n_static_numeric)
        self.encoder = build_encoder(
            encoder,
            embedding_dim,
            hidden_size,
            n_layers=n_layers,
            dropout=dropout,
            causal=encoder == "tcn",
            n_heads=n_heads,
            max_length=max_length + (1 if any(statics) else 0),  # + the prefix
        )
        self.pooling = pooling
        self.dropout = nn.Dropout(dropout)
        width: int = self.encoder.output_dim  # type: ignore[assignment]
        self.head = nn.Linear(width, n_classes)
        self.fields = (
            FieldEmbedding(embedding_dim, *sizes, *statics)
            if any(sizes) or any(statics)
            else None
        )

    def forward(self, inputs: Tensor, mask: Tensor, *fields: Tensor | None) -> Tensor:
        """Return logits ``(N, C)`` for ids ``(N, L)`` or numbers ``(N, L, F)``.

        ``fields`` are the step and static fields (``FIELD_KEYS`` order) of a
        network built with fields.
        """
        if self.discrete:
            x = self.embed(categorical=inputs)  # (N, L, E)
        else:
            x = self.embed(numeric=inputs)  # (N, L, E)
        if self.fields is not None:
            step_cat, step_num, static_cat, static_num = fields
            x = self.fields.steps(x, step_cat, step_num)
            if self.fields.has_static:  # a first step: (N, 1 + L, E)
                x = torch.cat([self.fields.prefix(static_cat, static_num, x), x], 1)
                mask = torch.cat([torch.ones_like(mask[:, :1]), mask], dim=1)
        hidden = self.encoder(self.dropout(x), mask)  # (N, L, H)
        if self.pooling == "mean":
            pooled = masked_mean(hidden, mask)  # (N, H)
        elif isinstance(self.encoder, RecurrentEncoder):
            pooled = self.encoder.final_state(hidden, mask)  # (N, H)
        else:
            pooled = last_step(hidden, mask)  # (N, H)
        logits: Tensor = self.head(self.dropout(pooled))  # (N, C)
        return logits


def _pad(values: Array, starts: Array, lengths: Array) -> tuple[Array, Array]:
    """Right-pad rows (at least one column, so empty sequences still pass)."""
    array, mask = pad_gather(values, starts, lengths)
    if array.shape[1] == 0:
        array = np.zeros((len(starts), 1) + values.shape[1:], dtype=values.dtype)
        mask = np.zeros((len(starts), 1), dtype=bool)
    if array.dtype.kind == "f":
        array = array.astype(np.float32)
    return array, mask


class _Batches:
    """Whole sequences with labels; with ``prefixes``, also a random prefix of each."""

    def __init__(
        self,
        values: Array,
        starts: Array,
        lengths: Array,
        targets: Array,
        batch_size: int,
        shuffle: bool,
        prefixes: bool,
        fields: FieldArrays | None = None,
        rows: Array | None = None,
    ) -> None:
        self.values, self.starts, self.lengths = values, starts, lengths
        self.targets, self.batch_size = targets, batch_size
        self.shuffle, self.prefixes = shuffle, prefixes
        self.fields = fields  # the encoded fields of all sequences (or None)
        self.rows = np.arange(len(starts)) if rows is None else rows

    def __len__(self) -> int:
        n = len(self.lengths) * (2 if self.prefixes else 1)
        return -(-n // self.batch_size)

    def batches(
        self, rng: np.random.Generator | None = None
    ) -> Iterator[dict[str, Any]]:
        rng = rng if self.shuffle else None
        starts, lengths, targets = self.starts, self.lengths, self.targets
        rows = self.rows
        if self.prefixes:
            gen = rng if rng is not None else np.random.default_rng(0)
            cut = gen.integers(1, np.maximum(lengths, 1) + 1)  # 1 .. length
            starts = np.concatenate([starts, starts])
            lengths = np.concatenate([lengths, np.minimum(cut, lengths)])
            targets = np.concatenate([targets, targets])
            rows = np.concatenate([rows, rows])
        for index in bucket_batches(lengths, self.batch_size, rng):
            array, mask = _pad(self.values, starts[index], lengths[index])
            batch = {
                "inputs": torch.from_numpy(array),
                "mask": torch.from_numpy(mask),
                "targets": torch.from_numpy(targets[index]),
                "n_targets": len(index),
            }
            if self.fields is not None:
                fields = _fields(
                    self.fields, starts[index], lengths[index], rows[index]
                )
                batch.update(zip(FIELD_KEYS, fields))
            yield batch


def _fields(
    arrays: FieldArrays,
    starts: Array,
    lengths: Array,
    rows: Array,
    device: Any = None,
) -> list[Tensor]:
    """Return the step fields (as :func:`_pad` pads ids) and the static ones of rows."""
    out = []
    for values in (arrays.step_categorical, arrays.step_numeric):
        array, _ = _pad(values, starts, lengths)  # (N, L, F)
        out.append(torch.from_numpy(array).to(device))
    for values in (arrays.static_categorical, arrays.static_numeric):
        part = values[rows]  # (N, S)
        if part.dtype.kind == "f":
            part = part.astype(np.float32)
        out.append(torch.from_numpy(part).to(device))
    return out


def _loss(module: nn.Module, batch: dict[str, Any]) -> tuple[Tensor, int]:
    fields = [batch[key] for key in FIELD_KEYS if key in batch]
    logits = module(batch["inputs"], batch["mask"], *fields)
    total = F.cross_entropy(logits.float(), batch["targets"], reduction="sum")
    return total, int(batch["n_targets"])


class NeuralSequenceClassifier(NeuralEstimatorMixin, ClassifierMixin):
    """Classify whole sequences (or prefixes) with a neural encoder and a linear head.

    Each step is embedded (a table for symbols, a linear projection for
    numeric vectors; the kind is read from the training data), an encoder
    reads the sequence — a bidirectional GRU or LSTM, a bidirectional
    Transformer, or a causal temporal CNN — the hidden states are pooled
    into one vector, and a linear layer scores the classes; training
    minimises cross-entropy. With ``prefix_augmentation`` every epoch also
    trains on one random prefix of each sequence (with the sequence's
    label), so prefixes get calibrated rather than overconfident
    probabilities.

    Parameters
    ----------
    encoder : {"gru", "lstm", "tcn", "transformer"}, default="gru"
        The sequence encoder (bidirectional, except the temporal CNN).
    pooling : {"last", "mean"}, default="last"
        "last": the final state (both ends for a bidirectional RNN, the
        last real step otherwise); "mean": the mean over real steps.
    embedding_dim : int, default=32
        Width of the step embedding.
    hidden_size : int, default=64
        Units per direction (the model width for the Transformer).
    n_layers : int, default=1
        Encoder layers.
    n_heads : int, default=2
        Attention heads of the Transformer (must divide ``hidden_size``).
    dropout : float, default=0.1
        Dropout on the embeddings, in the encoder and before the head.
    prefix_augmentation : bool, default=False
        Also train on a random prefix of each sequence every epoch.
    use_fields : bool, default=True
        Read the fields of the events of discrete sequences, when they have
        any (:attr:`SequenceSet.fields <seqpred.data.SequenceSet.fields>`
        and ``static``): an embedding per categorical field and a projection
        of the numeric fields are added to each step's embedding, and the
        static fields form a first step. Queries must then carry the same
        fields. ``False`` reads the items only.
    max_length : int, default=200
        Only the last ``max_length`` steps of a sequence are read (and the
        Transformer's number of learned positions).
    max_epochs : int, default=50
        Passes over the training data.
    batch_size : int, default=32
        Sequences per mini-batch.
    learning_rate : float, default=0.003
        Peak learning rate of AdamW (warm-up, then cosine decay).
    weight_decay : float, default=0.01
        Decoupled weight decay on the weight matrices.
    max_time : float or None, default=None
        Training budget in seconds (None: no limit).
    validation_fraction : float, default=0.1
        Share of the sequences, the last ones in the given order, held out
        for early stopping (0: none).
    patience : int or None, default=5
        Epochs without a better validation loss before stopping (None:
        never); the best weights are kept.
    device : str, default="auto"
        "auto", "cpu", "cuda", "cuda:N" or "mps".
    n_threads : int or None, default=None
        CPU threads for torch; None means 1.
    random_state : None, int or numpy Generator, default=None
        Seed of initialisation, dropout, prefixes and batch order.
    verbose : int, default=0
        0: silent; 1: a progress bar per epoch on stderr; 2: keep the bars.
    log_file : str or None, default=None
        JSON-lines log of the run, one line per epoch.

    Attributes
    ----------
    classes_ : ndarray
        The sorted class labels.
    class_counts_ : ndarray
        Training sequences per class.
    input_kind_ : str
        "discrete" or "numeric", read from the training data.
    vocabulary_ : Vocabulary
        The training symbols (discrete inputs).
    n_features_ : int
        Numeric features per step (numeric inputs).
    n_sequences_ : int
        Number of training sequences.
    module_config_ : dict
        The network's settings.
    history_ : list of dict
        Per-epoch losses, learning rate and speed.
    n_epochs_, best_epoch_ : int
        Epochs run and the epoch whose weights were kept.
    stop_reason_ : str
        Why training stopped.
    fields_ : dict
        The fields read (names, vocabularies, numeric means and scales), set
        when the training data had fields and ``use_fields=True``.

    Notes
    -----
    Unknown symbols are read as a neutral zero vector; an empty query gets
    the prediction of an all-padding input. Predictions run in float64, so
    they do not depend on the batch a query comes in.

    Examples
    --------
    >>> from seqpred.models.classify.neural import NeuralSequenceClassifier
    >>> X = ["abab", "baba", "aabb", "cdcd", "dcdc", "ccdd"] * 4
    >>> y = ["ab", "ab", "ab", "cd", "cd", "cd"] * 4
    >>> model = NeuralSequenceClassifier(hidden_size=16, embedding_dim=8,
    ...     max_epochs=20, learning_rate=0.01, validation_fraction=0.0,
    ...     random_state=0).fit(X, y)
    >>> model.predict(["abba", "dccd"]).tolist()
    ['ab', 'cd']
    """

    _network_class = SequenceClassifierNetwork
    input_kind_: str
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "encoder": [Options({"gru", "lstm", "tcn", "transformer"})],
        "pooling": [Options({"last", "mean"})],
        "embedding_dim": [Interval(int, 1, None)],
        "hidden_size": [Interval(int, 1, None)],
        "n_layers": [Interval(int, 1, None)],
        "n_heads": [Interval(int, 1, None)],
        "dropout": [Interval(float, 0, 1, closed="left")],
        "prefix_augmentation": [bool],
        "use_fields": [bool],
        **TRAINING_CONSTRAINTS,
    }
    _tags: ClassVar[Tags] = Tags(stochastic=True, requires_torch=True)
    _one_kind: ClassVar[bool] = False  # symbols or numeric series

    def __init__(
        self,
        encoder: str = "gru",
        *,
        pooling: str = "last",
        embedding_dim: int = 32,
        hidden_size: int = 64,
        n_layers: int = 1,
        n_heads: int = 2,
        dropout: float = 0.1,
        prefix_augmentation: bool = False,
        use_fields: bool = True,
        max_length: int = 200,
        max_epochs: int = 50,
        batch_size: int = 32,
        learning_rate: float = 0.003,
        weight_decay: float = 0.01,
        max_time: float | None = None,
        validation_fraction: float = 0.1,
        patience: int | None = 5,
        device: str = "auto",
        n_threads: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        log_file: str | None = None,
    ) -> None:
        self.encoder = encoder
        self.pooling = pooling
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.n_heads = n_heads
        self.dropout = dropout
        self.prefix_augmentation = prefix_augmentation
        self.use_fields = use_fields
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

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        tiny = {"embedding_dim": 4, "hidden_size": 4, "max_epochs": 2}
        return [
            {**tiny, "random_state": 0, "device": "cpu"},
            {**tiny, "encoder": "transformer", "pooling": "mean", "n_heads": 1,
             "prefix_augmentation": True, "validation_fraction": 0.0,
             "random_state": 0, "device": "cpu"},
        ]  # fmt: skip

    # -- data kind: read from the training data
    def fit(self, X: Any, y: Any = None) -> NeuralSequenceClassifier:
        """Learn from labelled sequences (symbols or numeric vectors); return ``self``.

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or list of arrays
            Training sequences; numbers make numeric inputs, anything else
            symbols.
        y : array-like of shape (N,), default=None
            One class label per sequence; ``None`` takes ``X.labels``.

        Returns
        -------
        self
        """
        self._validate_params()
        owner = type(self).__name__
        probe = as_sequence_set(X, unknown="add", owner=owner)
        super().fit(probe, y)
        return self

    def _queries(self, X: Any, method: str) -> SequenceSet:
        check_is_fitted(self, method)
        if self.input_kind_ == "discrete":
            return super()._queries(X, method)
        owner = type(self).__name__
        ss = as_sequence_set(X, kind="numeric", owner=owner, allow_empty_input=True)
        if len(ss) and ss.n_features != self.n_features_:
            raise DataError(
                f"{owner}: the model was fitted on {self.n_features_} channel(s); "
                f"got {ss.n_features}. Pass series with the training channels."
            )
        return ss

    # -- training and scoring
    def _window(self, ss: SequenceSet) -> tuple[Array, Array, Array]:
        """Return ``(values, starts, lengths)`` of the last ``max_length`` steps."""
        lengths = np.minimum(np.diff(ss.offsets), self.max_length)
        return ss.values, ss.offsets[1:] - lengths, lengths

    def _fit(self, ss: SequenceSet, y: Array) -> None:
        if self.encoder == "transformer":
            check_heads(type(self).__name__, self.hidden_size, self.n_heads, "learned")
        self.input_kind_ = ss.kind
        numeric = ss.kind == "numeric"
        if numeric:
            self.n_features_ = ss.n_features
        values, starts, lengths = self._window(ss)
        n_valid = int(round(self.validation_fraction * len(ss)))
        n_valid = min(n_valid, len(ss) - 1)
        cut = len(ss) - n_valid
        use = self.use_fields and not numeric
        schema = learn_fields(ss) if use else None
        arrays = None
        if schema is not None:
            self.fields_ = schema
            arrays = encode_fields(ss, schema, type(self).__name__)
        sequence = np.arange(len(ss))

        def source(rows: slice, shuffle: bool) -> _Batches:
            return _Batches(
                values,
                starts[rows],
                lengths[rows],
                y[rows],
                self.batch_size,
                shuffle,
                self.prefix_augmentation and shuffle,
                arrays,
                sequence[rows],
            )

        config = {
            "n_classes": len(self.classes_),
            "vocab_size": 0 if numeric else self.vocabulary_.size,
            "n_features": ss.n_features if numeric else 0,
            "encoder": self.encoder,
            "embedding_dim": self.embedding_dim,
            "hidden_size": self.hidden_size,
            "n_layers": self.n_layers,
            "n_heads": self.n_heads,
            "max_length": self.max_length,
            "dropout": float(self.dropout),
            "pooling": self.pooling,
            **field_config(schema),
        }
        valid = source(slice(cut, None), False) if n_valid > 0 else None
        self._train(config, _loss, source(slice(0, cut), True), valid)

    def _decision(self, ss: SequenceSet) -> Array:
        """Return class log-probabilities ``(N, C)`` in float64."""
        values, starts, lengths = self._window(ss)
        out = np.empty((len(ss), len(self.classes_)))
        schema = getattr(self, "fields_", None)
        arrays = None
        if schema is not None:
            arrays = encode_fields(ss, schema, type(self).__name__)
        network, device = self._network()
        with threads(self.n_threads, device), torch.no_grad():
            for index in bucket_batches(lengths, _PREDICT_BATCH):
                array, mask = _pad(values, starts[index], lengths[index])
                inputs = torch.from_numpy(array).to(device)
                if inputs.is_floating_point():
                    inputs = inputs.double()
                fields = []
                if arrays is not None:
                    fields = _fields(
                        arrays, starts[index], lengths[index], index, device
                    )
                logits = network(inputs, torch.from_numpy(mask).to(device), *fields)
                out[index] = torch.log_softmax(logits, dim=-1).cpu().numpy()
        return out
