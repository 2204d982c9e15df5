"""Neural next-item predictors: recurrent (GRU4Rec) and Transformer (SASRec)."""

from __future__ import annotations

from typing import Any, ClassVar

from seqpred._params import Interval, Options
from seqpred.base import Tags
from seqpred.models.next_item.neural._base import CausalNextItemBase
from seqpred.nn.estimator import TRAINING_CONSTRAINTS
from seqpred.nn.fields import FieldCausalModel
from seqpred.nn.heads import check_heads

__all__ = ["RNNNextItem", "TransformerNextItem"]

_TAGS = Tags(stochastic=True, requires_torch=True)


class RNNNextItem(CausalNextItemBase):
    """Predict the next item with a recurrent network over the items so far (GRU4Rec).

    Each item is embedded, a GRU or LSTM reads the sequence, and a softmax
    layer over the whole vocabulary scores the next item. Training reads
    every training sequence once per epoch, in windows of ``max_length``
    items, and learns to predict each item from the ones before it (one
    forward pass predicts all of a window's next items), with cross-entropy
    over the full vocabulary.

    Parameters
    ----------
    cell : {"gru", "lstm"}, default="gru"
        The recurrent cell.
    embedding_dim : int, default=64
        Width of the item embedding.
    hidden_size : int, default=128
        Units of each recurrent layer.
    n_layers : int, default=1
        Stacked recurrent layers.
    dropout : float, default=0.25
        Dropout on the embeddings, between layers and before the output.
    tie_weights : bool, default=False
        Reuse the item embedding as the output layer (through a projection
        when ``hidden_size != embedding_dim``).
    max_length : int, default=50
        Context length: training windows and queries use at most this many
        of the latest items.
    horizon : int, default=1
        Rank items by how likely they come **within** the next ``horizon``
        items rather than next: the average of the model's distributions of
        the items 1, 2, ..., ``horizon`` steps ahead, rolled out over a beam
        of the 20 likeliest continuations. For protocols that count a hit
        anywhere in the next items (the CPT+ protocol's consequent); a next
        item never equals the last one in data without repeats, but the one
        after often does.
    use_fields : bool, default=True
        Read the fields of the training events, when they have any
        (:attr:`SequenceSet.fields <seqpred.data.SequenceSet.fields>` and
        ``static``): an embedding per categorical field and a projection of
        the numeric fields are added to each step's item embedding, and the
        static fields, embedded the same way, are read as a first step
        before the sequence. Queries must then carry the same fields; the
        steps a continuation adds (``predict_next``) have them missing.
        ``False`` reads the items only.
    target : str or None, default=None
        Predict this categorical field (the next action type, say) instead
        of the item: the field becomes the predicted symbol and the item one
        more input field (:meth:`SequenceSet.with_key
        <seqpred.data.SequenceSet.with_key>`). ``vocabulary_`` then holds
        the field's values.
    max_epochs : int, default=30
        Passes over the training data.
    batch_size : int, default=64
        Windows per mini-batch.
    learning_rate : float, default=0.003
        Peak learning rate of AdamW (linear warm-up over 5 % of the steps,
        then cosine decay to a tenth).
    weight_decay : float, default=0.01
        Decoupled weight decay on the weight matrices.
    max_time : float or None, default=None
        Training budget in seconds (None: no limit). With a budget the
        learning-rate schedule follows the elapsed time, so results also
        depend on the machine's speed.
    validation_fraction : float, default=0.1
        Share of the training steps, taken from the **end** of the data (the
        last sequences, in the given order), held out for early stopping.
        0 trains on everything for ``max_epochs``.
    patience : int or None, default=3
        Epochs without a better validation loss before training stops; the
        best epoch's weights are kept. None: never stop early.
    device : str, default="auto"
        "auto" (CUDA, then Apple MPS, then the CPU), "cpu", "cuda", "cuda:N"
        or "mps"; used for training and prediction.
    n_threads : int or None, default=None
        CPU threads for torch while fitting and predicting; None means 1,
        which was 3–24× faster than 2 on a shared 2-core machine (see
        :mod:`seqpred.nn.runtime`). The process-wide setting is
        restored afterwards.
    random_state : None, int or numpy Generator, default=None
        Seed of initialisation, dropout and batch order. With an int, refits
        on the CPU are identical.
    verbose : int, default=0
        0: silent; 1: a progress bar per epoch on stderr; 2: keep the bars.
    log_file : str or None, default=None
        Path of a JSON-lines log of the run: one line per epoch (losses,
        learning rate, tokens per second); rewritten at each fit.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training items.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        Item frequencies.
    n_sequences_ : int
        Number of training sequences.
    module_config_ : dict
        The network's settings (rebuilds it on load).
    history_ : list of dict
        Per epoch: train and validation loss (nats per item), learning rate,
        seconds, tokens per second.
    n_epochs_, best_epoch_ : int
        Epochs run and the epoch whose weights were kept.
    stop_reason_ : str
        Why training stopped: "max_epochs", "early_stopping", "max_time" or
        "no_data" (no sequence has two items).
    fields_ : dict
        The fields read (names, vocabularies, numeric means and scales), set
        when the training data had fields and ``use_fields=True``.

    Notes
    -----
    A query with no known item (empty, or only unseen items) is a no match;
    unseen items inside a query are read as a neutral zero vector.
    Predictions are computed in float64, so a query's scores do not depend
    on the batch it comes in. Training costs ``O(epochs · steps · H (E + H
    + V))``; one epoch of MSNBC (≈ 4,600 sequences) takes seconds on one
    CPU thread.

    References
    ----------
    .. [1] B. Hidasi, A. Karatzoglou, L. Baltrunas, D. Tikk, "Session-based
       Recommendations with Recurrent Neural Networks", ICLR 2016.
    .. [2] B. Hidasi, A. Czapp, "The Effect of Third Party Implementations on
       Reproducibility", RecSys 2023 (full softmax cross-entropy).

    Examples
    --------
    >>> from seqpred.models.next_item import RNNNextItem
    >>> data = ["abcabcabc", "abcab", "bcabca"] * 4
    >>> model = RNNNextItem(hidden_size=16, embedding_dim=8, max_epochs=30,
    ...                     learning_rate=0.03, random_state=0).fit(data)
    >>> model.predict(["ab", "bca", ""])
    ['c', 'b', None]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "cell": [Options({"gru", "lstm"})],
        "embedding_dim": [Interval(int, 1, None)],
        "hidden_size": [Interval(int, 1, None)],
        "n_layers": [Interval(int, 1, None)],
        "dropout": [Interval(float, 0, 1, closed="left")],
        "tie_weights": [bool],
        "horizon": [Interval(int, 1, None)],
        "use_fields": [bool],
        "target": [None, str],
        **TRAINING_CONSTRAINTS,
    }
    _tags: ClassVar[Tags] = _TAGS
    _network_class = FieldCausalModel  # type: ignore[assignment]
    _reads_fields = True

    def __init__(
        self,
        cell: str = "gru",
        *,
        embedding_dim: int = 64,
        hidden_size: int = 128,
        n_layers: int = 1,
        dropout: float = 0.25,
        tie_weights: bool = False,
        max_length: int = 50,
        horizon: int = 1,
        use_fields: bool = True,
        target: str | None = None,
        max_epochs: int = 30,
        batch_size: int = 64,
        learning_rate: float = 0.003,
        weight_decay: float = 0.01,
        max_time: float | None = None,
        validation_fraction: float = 0.1,
        patience: int | None = 3,
        device: str = "auto",
        n_threads: int | None = None,
        random_state: Any = None,
        verbose: int = 0,
        log_file: str | None = None,
    ) -> None:
        self.cell = cell
        self.embedding_dim = embedding_dim
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.dropout = dropout
        self.tie_weights = tie_weights
        self.max_length = max_length
        self.horizon = horizon
        self.use_fields = use_fields
        self.target = target
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
        tiny = {"embedding_dim": 8, "hidden_size": 8, "max_epochs": 2}
        return [
            {**tiny, "random_state": 0, "device": "cpu"},
            {**tiny, "cell": "lstm", "n_layers": 2, "tie_weights": True, "horizon": 2,
             "validation_fraction": 0.0, "random_state": 0, "device": "cpu"},
        ]  # fmt: skip

    def _network_config(self, vocab_size: int) -> dict[str, Any]:
        return {
            "vocab_size": vocab_size,
            "encoder": self.cell,
            "embedding_dim": self.embedding_dim,
            "hidden_size": self.hidden_size,
            "n_layers": self.n_layers,
            "dropout": float(self.dropout),
            "tie_weights": self.tie_weights,
            "max_length": self.max_length,
            "blocked_ids": self._blocked_ids(),
            "null_ids": self._null_ids(),
        }


class TransformerNextItem(CausalNextItemBase):
    """Predict the next item with a causal self-attention network (SASRec).

    Items are embedded, positions added (learned) or rotated in (rotary), and
    pre-norm Transformer blocks with causal attention read the sequence; a
    softmax layer over the whole vocabulary, tied to the item embedding as in
    SASRec, scores the next item. Trained like :class:`RNNNextItem`: every
    next item of every window in one forward pass, full-softmax
    cross-entropy (which beats SASRec's sampled negatives, Klenitskiy &
    Vasilev 2023).

    Parameters
    ----------
    d_model : int, default=64
        Width of the embeddings and of every block.
    n_heads : int, default=2
        Attention heads; must divide ``d_model``.
    n_layers : int, default=2
        Transformer blocks.
    dropout : float, default=0.2
        Dropout on embeddings, attention weights and block outputs.
    positions : {"learned", "rotary"}, default="learned"
        Learned absolute position embeddings (as SASRec) or rotary
        embeddings of queries and keys.
    tie_weights : bool, default=True
        Reuse the item embedding as the output layer.
    max_length : int, default=50
        Context length: training windows and queries use at most this many
        of the latest items (and the number of learned positions).
    horizon : int, default=1
        Rank items by how likely they come within the next ``horizon`` items
        (see :class:`RNNNextItem`).
    use_fields : bool, default=True
        Read the fields and static fields of the events, when they have any
        (see :class:`RNNNextItem`).
    target : str or None, default=None
        Predict this categorical field instead of the item (see
        :class:`RNNNextItem`).
    max_epochs : int, default=30
        Passes over the training data.
    batch_size : int, default=64
        Windows per mini-batch.
    learning_rate : float, default=0.001
        Peak learning rate of AdamW (warm-up, then cosine decay).
    weight_decay : float, default=0.01
        Decoupled weight decay on the weight matrices.
    max_time : float or None, default=None
        Training budget in seconds (None: no limit).
    validation_fraction : float, default=0.1
        Share of the training steps, from the end of the data, held out for
        early stopping (0: none).
    patience : int or None, default=3
        Epochs without a better validation loss before stopping (None:
        never); the best weights are kept.
    device : str, default="auto"
        "auto", "cpu", "cuda", "cuda:N" or "mps".
    n_threads : int or None, default=None
        CPU threads for torch; None means 1 (see :class:`RNNNextItem`).
    random_state : None, int or numpy Generator, default=None
        Seed of initialisation, dropout and batch order.
    verbose : int, default=0
        0: silent; 1: a progress bar per epoch on stderr; 2: keep the bars.
    log_file : str or None, default=None
        JSON-lines log of the run, one line per epoch.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training items.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        Item frequencies.
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
        The fields read, when there were any (see :class:`RNNNextItem`).

    Notes
    -----
    Attention costs ``O(L²)`` per window, so ``max_length`` bounds both
    memory and time. No-match and unknown items behave as in
    :class:`RNNNextItem`; predictions run in float64.

    References
    ----------
    .. [1] W.-C. Kang, J. McAuley, "Self-Attentive Sequential
       Recommendation", ICDM 2018.
    .. [2] A. Klenitskiy, A. Vasilev, "Turning Dross Into Gold Loss: is
       BERT4Rec really better than SASRec?", RecSys 2023.
    .. [3] J. Su et al., "RoFormer: Enhanced Transformer with Rotary Position
       Embedding", 2021.

    Examples
    --------
    >>> from seqpred.models.next_item import TransformerNextItem
    >>> data = ["abcabcabc", "abcab", "bcabca"] * 4
    >>> model = TransformerNextItem(d_model=16, max_epochs=30, dropout=0.0,
    ...                             learning_rate=0.01, random_state=0).fit(data)
    >>> model.predict(["ab", "bca", ""])
    ['c', 'b', None]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "d_model": [Interval(int, 2, None)],
        "n_heads": [Interval(int, 1, None)],
        "n_layers": [Interval(int, 1, None)],
        "dropout": [Interval(float, 0, 1, closed="left")],
        "positions": [Options({"learned", "rotary"})],
        "tie_weights": [bool],
        "horizon": [Interval(int, 1, None)],
        "use_fields": [bool],
        "target": [None, str],
        **TRAINING_CONSTRAINTS,
    }
    _tags: ClassVar[Tags] = _TAGS
    _network_class = FieldCausalModel  # type: ignore[assignment]
    _reads_fields = True

    def __init__(
        self,
        d_model: int = 64,
        *,
        n_heads: int = 2,
        n_layers: int = 2,
        dropout: float = 0.2,
        positions: str = "learned",
        tie_weights: bool = True,
        max_length: int = 50,
        horizon: int = 1,
        use_fields: bool = True,
        target: str | None = None,
        max_epochs: int = 30,
        batch_size: int = 64,
        learning_rate: float = 0.001,
        weight_decay: float = 0.01,
        max_time: float | None = None,
        validation_fraction: float = 0.1,
        patience: int | None = 3,
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
        self.tie_weights = tie_weights
        self.max_length = max_length
        self.horizon = horizon
        self.use_fields = use_fields
        self.target = target
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
        tiny = {"d_model": 8, "n_layers": 1, "max_epochs": 2, "device": "cpu"}
        return [
            {**tiny, "random_state": 0},
            {
                **tiny,
                "positions": "rotary",
                "tie_weights": False,
                "horizon": 3,
                "random_state": 0,
            },
        ]

    def _check_architecture(self) -> None:
        check_heads(type(self).__name__, self.d_model, self.n_heads, self.positions)

    def _network_config(self, vocab_size: int) -> dict[str, Any]:
        return {
            "vocab_size": vocab_size,
            "encoder": "transformer",
            "embedding_dim": self.d_model,
            "hidden_size": self.d_model,
            "n_layers": self.n_layers,
            "dropout": float(self.dropout),
            "n_heads": self.n_heads,
            "positions": self.positions,
            "max_length": self.max_length,
            "tie_weights": self.tie_weights,
            "blocked_ids": self._blocked_ids(),
            "null_ids": self._null_ids(),
        }
