"""A neural causal language model over symbols: probabilities, bits and samples."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options, check_sampling_args
from seqpred._typing import Array
from seqpred.base import Tags, check_is_fitted, check_random_state
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_features, as_sequence_set
from seqpred.data.vocabulary import PAD_ID, SEP_ID, UNK_ID, Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.next_item.neural._base import CausalNextItemBase
from seqpred.models.next_item.neural._feature_conditioning import (
    FeatureConditionedModel,
    FeatureWindows,
    feature_loss,
    feature_rows,
)
from seqpred.nn.batching import (
    bucket_batches,
    pad_gather,
    split_stream,
)
from seqpred.nn.encoders import ENCODERS
from seqpred.nn.estimator import TRAINING_CONSTRAINTS
from seqpred.nn.heads import check_heads
from seqpred.nn.runtime import threads, torch_seed

import torch  # isort: skip  # noqa: E402  (after _causal, which checks for torch)

__all__ = ["FeatureConditionedModel", "NeuralLanguageModel"]

_SCORE_BATCH = 64


class NeuralLanguageModel(CausalNextItemBase):
    """Model P(x_t | x_<t) over symbols with a causal network: generate, score, predict.

    Every training sequence is read with a start and an end mark; an
    encoder (GRU, LSTM, causal temporal CNN or Transformer) predicts each
    symbol, and the end, from the ones before it. To train on one long text
    (a corpus), pass it as a one-element list, ``[text]``: it is cut into
    windows of ``max_length`` symbols. The model is also a next-item
    predictor (:meth:`predict`, :meth:`predict_proba`), and it
    draws new sequences (:meth:`sample`) and scores them (:meth:`log_proba`,
    :meth:`bits_per_symbol`).

    Parameters
    ----------
    encoder : {"gru", "lstm", "tcn", "transformer"}, default="lstm"
        The network reading the context.
    hidden_size : int, default=256
        Width of the encoder (units of a recurrent layer, channels of the
        CNN, ``d_model`` of the Transformer).
    n_layers : int, default=1
        Recurrent layers, residual blocks of the CNN or Transformer blocks.
    embedding_dim : int or None, default=None
        Width of the symbol embedding; None uses ``hidden_size`` for the
        Transformer and ``min(hidden_size, 64)`` otherwise.
    n_heads : int, default=4
        Attention heads (Transformer only).
    kernel_size : int, default=3
        Convolution width (temporal CNN only); the receptive field is
        ``1 + 2 (kernel_size - 1) (2^n_layers - 1)`` symbols.
    positions : {"learned", "rotary"}, default="rotary"
        Position information of the Transformer.
    dropout : float, default=0.1
        Dropout on embeddings, inside the encoder and before the output.
    tie_weights : bool, default=False
        Reuse the symbol embedding as the output layer.
    max_length : int, default=128
        Context length: training windows, scoring windows and the context
        read when predicting or sampling.
    max_epochs : int, default=20
        Passes over the training data.
    batch_size : int, default=64
        Windows per mini-batch.
    learning_rate : float, default=0.004
        Peak learning rate of AdamW (warm-up, then cosine decay).
    weight_decay : float, default=0.01
        Decoupled weight decay on the weight matrices.
    max_time : float or None, default=None
        Training budget in seconds (None: no limit); the learning-rate
        schedule then follows the elapsed time.
    validation_fraction : float, default=0.1
        Share of the training symbols, from the **end** of the data, held out
        for early stopping (0: none).
    patience : int or None, default=3
        Epochs without a better validation loss before stopping (None:
        never); the best weights are kept.
    device : str, default="auto"
        "auto" (CUDA, then MPS, then CPU), "cpu", "cuda", "cuda:N" or "mps".
    n_threads : int or None, default=None
        CPU threads for torch; None means 1 (faster on a shared machine; see
        :mod:`seqpred.nn.runtime`).
    random_state : None, int or numpy Generator, default=None
        Seed of initialisation, dropout and batch order.
    verbose : int, default=0
        0: silent; 1: a progress bar per epoch on stderr; 2: keep the bars.
    log_file : str or None, default=None
        JSON-lines log of the run, one line per epoch.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        Symbol frequencies.
    n_sequences_ : int
        Number of training sequences.
    module_config_ : dict
        The network's settings.
    history_ : list of dict
        Per epoch: train and validation loss (nats per symbol, end marks
        included), learning rate, seconds and tokens per second.
    n_epochs_, best_epoch_ : int
        Epochs run and the epoch whose weights were kept.
    stop_reason_ : str
        Why training stopped.
    n_condition_features_ : int
        Width D of the conditioning vectors given to :meth:`fit` (0: none).
    feature_mean_, feature_scale_ : ndarray of shape (D,)
        Mean and deviation (1 where constant) that standardise the
        conditioning vectors; only set when fitted with features.

    Notes
    -----
    **Conditioning on a feature vector.** ``fit(X, features=F)`` with one
    row of ``F`` (N, D) per sequence learns ``P(x_t | x_<t, f)``: the row,
    standardised, goes through a linear layer to the embedding width and is
    added to the input embedding at every step (not only to the initial
    state, so the Transformer and the temporal CNN use it too, and it never
    falls out of the ``max_length`` context). Scoring, prediction and
    sampling then take ``features=`` (one row per sequence or sample);
    :meth:`predict`, :meth:`predict_top_k` and :meth:`score` cannot, so they
    raise for such a model. For a class label, use
    :class:`~seqpred.models.generate.ConditionalModel` (``"prefix"``)
    instead, or one-hot the label into ``features``.

    The defaults (one LSTM layer of 256 units over 128-symbol windows) were
    the best of the candidates tried for character text on a CPU. Trained
    for the number of tokens each reaches in 10 minutes on one CPU thread
    (9-24 M for this one), the 1x256 LSTM scored 2.24-2.27 bits per
    character on tiny-shakespeare (dropout 0.05, learning rate 0.006),
    ahead of 1x384, 1x512 and 2x256 LSTMs (2.37-2.47), a 4-layer
    Transformer of width 128 (2.41-2.51) and a temporal CNN (2.74), which
    see fewer tokens in that time. Without dropout it overfits past ~12 M
    tokens; on a GPU, a wider Transformer is the better choice.

    :meth:`log_proba` reads long sequences in windows of ``max_length``
    that overlap by half, and scores each symbol from a window in which it
    has at least ``max_length / 2`` symbols of context (all of them near
    the start). As a next-item predictor, a query with no known symbol is a
    no match, and the end mark is left out of :meth:`predict_proba`.

    References
    ----------
    .. [1] A. Karpathy, "The Unreasonable Effectiveness of Recurrent Neural
       Networks", 2015 (char-rnn).
    .. [2] A. Radford et al., "Language Models are Unsupervised Multitask
       Learners", 2019 (pre-norm GPT).
    .. [3] S. Bai, J. Z. Kolter, V. Koltun, "An Empirical Evaluation of
       Generic Convolutional and Recurrent Networks for Sequence Modeling",
       2018.

    Examples
    --------
    >>> from seqpred.models.next_item import NeuralLanguageModel
    >>> model = NeuralLanguageModel("gru", hidden_size=32, n_layers=1,
    ...     max_epochs=40, learning_rate=0.02, random_state=0,
    ... ).fit(["abcabcabcabc", "abcabc"] * 4)
    >>> model.predict(["ab", "abca"])
    ['c', 'b']
    >>> model.sample(1, prefix="a", max_length=4, top_k=1)  # greedy
    [['b', 'c', 'a', 'b']]
    >>> samples = model.sample(3, max_length=10, random_state=0)
    >>> len(samples), all(len(s) <= 10 for s in samples)
    (3, True)
    >>> model.bits_per_symbol(["abcabc"]) < 1.0
    True

    Conditioned on one feature per sequence (0: "abab...", 1: "cdcd..."):

    >>> X, f = ["abababab", "cdcdcdcd"] * 8, [[0.0], [1.0]] * 8
    >>> model = NeuralLanguageModel("gru", hidden_size=16, max_epochs=40,
    ...     learning_rate=0.02, validation_fraction=0.0, random_state=0,
    ... ).fit(X, features=f)
    >>> model.sample(2, max_length=6, top_k=1, features=[[0.0], [1.0]])
    [['a', 'b', 'a', 'b', 'a', 'b'], ['c', 'd', 'c', 'd', 'c', 'd']]
    """

    _language_model = True
    # keyword-only n_features: mypy sees another constructor than the base's
    _network_class = FeatureConditionedModel  # type: ignore[assignment]
    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "encoder": [Options(set(ENCODERS))],
        "hidden_size": [Interval(int, 1, None)],
        "n_layers": [Interval(int, 1, None)],
        "embedding_dim": [None, Interval(int, 1, None)],
        "n_heads": [Interval(int, 1, None)],
        "kernel_size": [Interval(int, 2, None)],
        "positions": [Options({"learned", "rotary"})],
        "dropout": [Interval(float, 0, 1, closed="left")],
        "tie_weights": [bool],
        **TRAINING_CONSTRAINTS,
    }
    _tags: ClassVar[Tags] = Tags(stochastic=True, requires_torch=True)

    def __init__(
        self,
        encoder: str = "lstm",
        *,
        hidden_size: int = 256,
        n_layers: int = 1,
        embedding_dim: int | None = None,
        n_heads: int = 4,
        kernel_size: int = 3,
        positions: str = "rotary",
        dropout: float = 0.1,
        tie_weights: bool = False,
        max_length: int = 128,
        max_epochs: int = 20,
        batch_size: int = 64,
        learning_rate: float = 0.004,
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
        self.encoder = encoder
        self.hidden_size = hidden_size
        self.n_layers = n_layers
        self.embedding_dim = embedding_dim
        self.n_heads = n_heads
        self.kernel_size = kernel_size
        self.positions = positions
        self.dropout = dropout
        self.tie_weights = tie_weights
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
        tiny = {"hidden_size": 8, "n_layers": 1, "max_epochs": 2, "device": "cpu"}
        return [
            {**tiny, "encoder": "gru", "random_state": 0},
            {**tiny, "encoder": "tcn", "n_layers": 2, "random_state": 0},
            {**tiny, "encoder": "transformer", "n_heads": 2, "random_state": 0},
        ]

    def _check_architecture(self) -> None:
        if self.encoder == "transformer":
            check_heads(
                type(self).__name__, self.hidden_size, self.n_heads, self.positions
            )

    def _network_config(self, vocab_size: int) -> dict[str, Any]:
        embedding_dim = self.embedding_dim
        if embedding_dim is None:
            transformer = self.encoder == "transformer"
            embedding_dim = (
                self.hidden_size if transformer else min(self.hidden_size, 64)
            )
        return {
            "vocab_size": vocab_size,
            "encoder": self.encoder,
            "embedding_dim": embedding_dim,
            "hidden_size": self.hidden_size,
            "n_layers": self.n_layers,
            "dropout": float(self.dropout),
            "n_heads": self.n_heads,
            "positions": self.positions,
            "max_length": self.max_length,
            "kernel_size": self.kernel_size,
            "tie_weights": self.tie_weights,
            "blocked_ids": self._blocked_ids(),
            "null_ids": self._null_ids(),
        }

    # -- fitting
    def fit(
        self, X: Any, y: None = None, *, features: Any = None
    ) -> NeuralLanguageModel:
        """Learn from training sequences, optionally each with a feature vector.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            Training sequences of symbols (``[text]`` for one long text).
        y : None
            Ignored; present for API consistency.
        features : array-like of shape (len(X), D) or None, default=None
            A conditioning vector per training sequence (finite floats). The
            model then learns ``P(x_t | x_<t, features)``: the vector,
            standardised with the training mean and deviation and projected
            by a linear layer to the embedding width, is added to the input
            embedding of **every** step (so it works with every encoder, and
            the network sees it at any distance from the start). A model
            fitted with features needs them in :meth:`log_proba`,
            :meth:`next_log_proba`, :meth:`predict_proba` and :meth:`sample`.

        Returns
        -------
        self

        Raises
        ------
        DataError
            If ``features`` is not a 2-D array of finite numbers with one
            row per sequence.
        """
        owner = f"{type(self).__name__}.fit"
        self._fit_features = None if features is None else as_features(features, owner)
        try:
            super().fit(X)
        finally:
            del self._fit_features
        return self

    def _fit(self, ss: SequenceSet) -> None:
        raw: Array | None = getattr(self, "_fit_features", None)
        if raw is None:
            self.n_condition_features_ = 0
            super()._fit(ss)
            return
        owner = f"{type(self).__name__}.fit"
        if raw.shape[0] != len(ss):
            raise DataError(
                f"{owner}: features must have one row per training sequence, "
                f"shape ({len(ss)}, D); got shape {raw.shape}. Pass the rows in "
                "the order of X."
            )
        scale = raw.std(axis=0)
        self.feature_mean_ = raw.mean(axis=0)
        self.feature_scale_ = np.where(scale > 1e-12, scale, 1.0)
        self.n_condition_features_ = int(raw.shape[1])
        condition = ((raw - self.feature_mean_) / self.feature_scale_).astype(
            np.float32
        )  # (N, D)
        self._check_architecture()
        values, offsets = self._stream(ss)
        rows = np.repeat(np.arange(len(ss)), np.diff(offsets))  # sequence of each id
        train, valid = split_stream(values, offsets, self.validation_fraction)
        cut = len(train[0])
        width, size = self.max_length, self.batch_size
        config = {
            **self._network_config(self.vocabulary_.size),
            "n_features": self.n_condition_features_,
        }
        self._train(
            config,
            feature_loss,
            FeatureWindows(*train, rows[:cut], condition, width, size, True),
            FeatureWindows(*valid, rows[cut:], condition, width, size, False)
            if valid
            else None,
            init=lambda module: self._init_output_bias(module, values),
        )

    # -- conditioning features
    def _n_condition(self) -> int:
        return int(self.module_config_.get("n_features", 0))

    def _conditioning(
        self, features: Any, n: int, method: str, broadcast: bool = False
    ) -> Array | None:
        """Check per-sequence ``features`` against the fit; return them standardised.

        Returns None for a model fitted without features (and no features
        given), else a float64 array ``(n, D)``. With ``broadcast``, one row
        (shape ``(D,)`` or ``(1, D)``) serves all ``n`` sequences.
        """
        owner = f"{type(self).__name__}.{method}"
        d = self._n_condition()
        if features is None:
            if d:
                raise InvalidParameterError(
                    f"{owner}: this model was fitted with {d} conditioning "
                    f"feature(s) per sequence, so it needs features=...; pass an "
                    f"array of shape ({n}, {d}), one row per sequence."
                )
            return None
        if not d:
            raise InvalidParameterError(
                f"{owner}: this model was fitted without features, so it cannot "
                "take features=...; drop features, or refit with "
                "fit(X, features=...)."
            )
        array = as_features(features, owner, allow_row=broadcast)
        if broadcast and array.shape[0] == 1:
            array = np.repeat(array, n, axis=0)
        if array.shape != (n, d):
            rows = f"1 or {n}" if broadcast else f"{n}"
            raise DataError(
                f"{owner}: features must have shape ({n}, {d}): {rows} row(s) of "
                f"the {d} feature(s) the model was fitted with; got shape "
                f"{array.shape}."
            )
        return (array - self.feature_mean_) / self.feature_scale_  # type: ignore[no-any-return]

    def _next_log_proba(
        self, queries: SequenceSet, features: Array | None = None
    ) -> tuple[Array, Array]:
        """Return ``(log P(next) (N, V) float64, matched (N,))`` given the features."""
        if features is None and self._n_condition():
            raise InvalidParameterError(
                f"{type(self).__name__}: this model was fitted with conditioning "
                "features, which predict, predict_top_k and score cannot take; "
                "use predict_proba(X, features=...) (its argmax is the likeliest "
                "symbol) or next_log_proba(X, features=...)."
            )
        n, size = len(queries), self.vocabulary_.size
        known = (queries.values >= Vocabulary.n_reserved).astype(float)
        matched = np.bincount(queries.sequence_index, known, minlength=n) > 0
        out = np.full((n, size), -np.inf)
        rows = np.flatnonzero(matched)
        if rows.size == 0:
            return out, matched
        condition = None if features is None else features[rows]  # (M, D)
        out[rows] = self._last_step_log_proba(queries[rows], condition)
        return out, matched

    def predict_proba(self, X: Any, features: Any = None) -> Array:
        """Return ``(N, n_symbols)`` next-symbol probabilities, rows summing to 1.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The contexts.
        features : array-like of shape (N, D) or None, default=None
            Each context's conditioning vector (models fitted with features
            only, and then required).

        Returns
        -------
        ndarray of shape (N, len(vocabulary_))
            Columns follow ``vocabulary_.symbols`` (the end mark left out);
            a row with no known symbol holds the training frequencies.
        """
        queries = self._queries(X, "predict_proba")
        condition = self._conditioning(features, len(queries), "predict_proba")
        if condition is None:
            return super().predict_proba(queries)
        n_reserved = Vocabulary.n_reserved
        if len(queries) == 0:
            return np.empty((0, len(self.vocabulary_)))
        log_proba, _ = self._next_log_proba(queries, condition)
        proba = np.exp(log_proba)[:, n_reserved:]  # (N, V - reserved)
        total = proba.sum(axis=1, keepdims=True)
        prior = self.item_counts_[n_reserved:] / max(self.item_counts_.sum(), 1)
        proba = np.where(
            total <= 0, prior[None, :], proba / np.where(total > 0, total, 1.0)
        )
        return np.asarray(proba, dtype=np.float64)

    # -- scoring
    def log_proba(self, X: Any, features: Any = None) -> list[Array]:
        """Return, per sequence, the natural log-probability of each symbol.

        Each symbol is predicted from the symbols before it in its own
        sequence (the first from the start mark alone); the end mark is not
        scored. Unknown symbols get the (small) probability the model gives
        the ``<unk>`` id.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The sequences to score.
        features : array-like of shape (len(X), D) or None, default=None
            Each sequence's conditioning vector (models fitted with features
            only, and then required).

        Returns
        -------
        list of ndarray
            One float64 array per sequence, as long as the sequence.
        """
        check_is_fitted(self, "log_proba")
        ss = self._queries(X, "log_proba")
        condition = self._conditioning(features, len(ss), "log_proba")
        values, offsets = self._contexts(ss)  # <sep> x_1 ... x_T per sequence
        out = np.zeros(ss.n_steps)
        windows = _scoring_windows(ss.lengths, self.max_length)
        seq, begin, length, first = windows
        starts = offsets[:-1][seq] + begin  # window inputs in the flat stream
        network, device = self._network()
        with threads(self.n_threads, device), torch.no_grad():
            for index in bucket_batches(length, _SCORE_BATCH):
                ids, mask = pad_gather(values, starts[index], length[index] + 1)
                inputs = torch.from_numpy(ids[:, :-1]).to(device)  # (N, L)
                logits = network(
                    inputs,
                    torch.from_numpy(mask[:, :-1]).to(device),
                    feature_rows(condition, seq[index], device),
                )  # (N, L, V)
                log_p = torch.log_softmax(logits, dim=-1)  # (N, L, V)
                targets = torch.from_numpy(ids[:, 1:]).to(device)  # (N, L)
                picked = log_p.gather(-1, targets.unsqueeze(-1))[..., 0].cpu().numpy()
                r = np.arange(ids.shape[1] - 1)[None, :]  # position in window
                keep = (r >= first[index, None]) & (r < length[index, None])
                rows, cols = np.nonzero(keep)
                at = ss.offsets[seq[index][rows]] + begin[index][rows] + cols
                out[at] = picked[rows, cols]
        return np.split(out, ss.offsets[1:-1])

    def bits_per_symbol(self, X: Any, features: Any = None) -> float:
        """Return the mean of ``-log2 P(symbol | before)`` over all symbols of ``X``.

        This is the cross-entropy in bits per symbol (bits per character for
        text), comparable with PPM and with compressors' code lengths.
        ``features``: as in :meth:`log_proba`.
        """
        scores = self.log_proba(X, features)
        n = sum(len(s) for s in scores)
        if n == 0:
            raise DataError(
                f"{type(self).__name__}.bits_per_symbol: the sequences are empty; "
                "pass at least one symbol."
            )
        return float(-sum(s.sum() for s in scores) / n / np.log(2.0))

    def next_log_proba(self, X: Any, features: Any = None) -> Array:
        """Return ``log P(next id | start mark + sequence)`` for each sequence.

        Unlike :meth:`predict_proba`, an empty sequence is answered (from the
        start mark alone) and the end of a sequence is a possible next
        symbol: column ``SEP_ID`` (2) holds its log-probability. Columns
        follow the ids of ``vocabulary_`` (reserved ids first); padding has
        log-probability ``-inf``. The last ``max_length`` symbols are read.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The contexts (possibly empty).
        features : array-like of shape (len(X), D) or None, default=None
            Each context's conditioning vector (models fitted with features
            only, and then required).

        Returns
        -------
        ndarray of shape (len(X), vocabulary_.size)
        """
        ss = self._queries(X, "next_log_proba")
        condition = self._conditioning(features, len(ss), "next_log_proba")
        return self._last_step_log_proba(ss, condition)

    def _last_step_log_proba(
        self, queries: SequenceSet, condition: Array | None
    ) -> Array:
        """Return log P(next symbol) after each query, ``(N, V)`` float64.

        ``condition`` holds the queries' standardised feature rows, or None.
        """
        out = np.empty((len(queries), self.vocabulary_.size))
        values, offsets = self._contexts(queries)  # <sep> x_1 ... x_T per sequence
        lengths = np.minimum(np.diff(offsets), self.max_length)
        starts = offsets[1:] - lengths
        network, device = self._network()
        with threads(self.n_threads, device), torch.no_grad():
            for index in bucket_batches(lengths, _SCORE_BATCH):
                ids, mask = pad_gather(values, starts[index], lengths[index])
                logits = network(
                    torch.from_numpy(ids).to(device),
                    torch.from_numpy(mask).to(device),
                    feature_rows(condition, index, device),
                )  # (N, L, V)
                last = torch.from_numpy(lengths[index] - 1).to(device)
                picked = logits[torch.arange(len(index), device=device), last]
                out[index] = torch.log_softmax(picked, dim=-1).cpu().numpy()  # (N, V)
        return out

    # -- generation
    def sample(
        self,
        n: int = 1,
        prefix: Any = None,
        *,
        max_length: int = 100,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        features: Any = None,
        random_state: Any = None,
    ) -> list[list[Any]]:
        """Draw ``n`` continuations of ``prefix``, symbol by symbol.

        Parameters
        ----------
        n : int, default=1
            Number of sequences, drawn together in one batch.
        prefix : sequence or str, default=None
            The start every sample continues (None: a sequence's start).
        max_length : int, default=100
            Most symbols to draw; a sample ends earlier when the model draws
            the end of a sequence.
        temperature : float, default=1.0
            Divides the logits: below 1 sharper, above 1 flatter.
        top_k : int or None, default=None
            Draw from the ``top_k`` most likely symbols only.
        top_p : float or None, default=None
            Nucleus sampling: draw from the smallest set of most likely
            symbols whose probability reaches ``top_p``.
        features : array-like of shape (D,), (1, D) or (n, D), default=None
            The conditioning vector of every sample (one row for all, or one
            row each); models fitted with features only, and then required.
        random_state : None, int or numpy Generator, default=None
            Seed of the draws; with an int, the samples are reproducible.

        Returns
        -------
        list of list
            The ``n`` continuations (the prefix not included).
        """
        check_is_fitted(self, "sample")
        check_sampling_args(
            f"{type(self).__name__}.sample", n, max_length, temperature, top_k, top_p
        )
        condition = self._conditioning(features, n, "sample", broadcast=True)
        context = self._prefix_ids(prefix)
        generator = torch.Generator().manual_seed(
            torch_seed(check_random_state(random_state))
        )
        network, device = self._network()
        drawn = np.zeros((n, 0), dtype=np.int64)
        done = np.zeros(n, dtype=bool)
        tokens = np.tile(context, (n, 1))  # (N, L) all symbols so far
        state: Any = None
        with threads(self.n_threads, device), torch.no_grad():
            rows = feature_rows(condition, np.arange(n), device)  # (N, D) or None
            for step in range(max_length):
                if network.recurrent:
                    feed = tokens if step == 0 else tokens[:, -1:]
                    logits, state = network.step(
                        torch.from_numpy(feed).to(device), state, rows
                    )
                else:
                    window = torch.from_numpy(tokens[:, -self.max_length :]).to(device)
                    logits = network(window, None, rows)[:, -1]  # (N, V)
                choice = _draw(logits.cpu(), temperature, top_k, top_p, generator)
                choice[done] = PAD_ID
                done |= choice == SEP_ID
                drawn = np.concatenate([drawn, choice[:, None]], axis=1)
                tokens = np.concatenate([tokens, choice[:, None]], axis=1)
                if done.all():
                    break
        symbols = self.vocabulary_.decode(np.maximum(drawn, 0).ravel())
        width = drawn.shape[1]
        return [
            [symbols[i * width + j] for j in range(width) if drawn[i, j] > SEP_ID]
            for i in range(n)
        ]

    def _prefix_ids(self, prefix: Any) -> Array:
        if prefix is None:
            return np.array([SEP_ID], dtype=np.int64)
        if isinstance(prefix, (str, bytes)):
            prefix = list(prefix)
        ss = as_sequence_set(
            [prefix],
            vocabulary=self.vocabulary_,
            unknown="unk",
            kind="discrete",
            owner=type(self).__name__,
        )
        return np.concatenate([[SEP_ID], ss.values]).astype(np.int64)


def _draw(
    logits: Any,
    temperature: float,
    top_k: int | None,
    top_p: float | None,
    generator: Any,
) -> Array:
    """Draw one id per row from logits ``(N, V)`` (float64, on the CPU)."""
    logits = logits / temperature
    logits[:, [PAD_ID, UNK_ID]] = -float("inf")  # never draw padding or <unk>
    if top_k is not None and top_k < logits.shape[1]:
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]  # (N, 1)
        logits = logits.masked_fill(logits < kth, -float("inf"))
    if top_p is not None and top_p < 1:
        ordered, order = torch.sort(logits, dim=-1, descending=True)
        cumulative = torch.softmax(ordered, dim=-1).cumsum(dim=-1)
        drop = cumulative - torch.softmax(ordered, dim=-1) >= top_p  # keep the first
        ordered = ordered.masked_fill(drop, -float("inf"))
        logits = torch.full_like(logits, -float("inf")).scatter(-1, order, ordered)
    proba = torch.softmax(logits, dim=-1)
    return torch.multinomial(proba, 1, generator=generator)[:, 0].numpy()


def _scoring_windows(lengths: Array, width: int) -> tuple[Array, Array, Array, Array]:
    """Windows that score every symbol once, with at least ``width / 2`` context.

    For sequences of ``lengths`` symbols behind a start mark, window ``k`` of
    a sequence reads inputs ``[k S, k S + len)`` of its stream (``S =
    width // 2``, ``len <= width``) and scores its targets from position
    ``first`` on (0 for the first window, ``width - S`` after).

    Returns ``(sequence, begin, length, first)`` arrays, one entry per window.
    """
    stride = max(1, width // 2)
    n_windows = np.where(
        lengths <= width, 1, 1 + -(-(lengths - width) // stride)
    ).astype(np.int64)
    n_windows[lengths == 0] = 0
    seq = np.repeat(np.arange(len(lengths)), n_windows)
    k = np.arange(len(seq)) - np.repeat(np.cumsum(n_windows) - n_windows, n_windows)
    begin = k * stride
    length = np.minimum(width, lengths[seq] - begin)
    first = np.where(k == 0, 0, width - stride)
    return seq, begin.astype(np.int64), length.astype(np.int64), first.astype(np.int64)
