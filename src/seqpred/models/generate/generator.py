"""Sample new sequences from any fitted probabilistic model, and score sequences.

Shape legend: N samples, T symbols so far, V vocabulary ids.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from seqpred._params import check_sampling_args
from seqpred._typing import Array
from seqpred.base import check_random_state
from seqpred.data._ragged import ragged_ranges
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_features, as_sequence_set
from seqpred.data.vocabulary import PAD_ID, SEP_ID, UNK_ID, Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError, UnknownSymbolError
from seqpred.models.generate._source import check_model, context_window, next_proba
from seqpred.models.generate.sampling import draw, reshape_distribution

__all__ = ["SequenceGenerator", "step_log_proba"]

_CELLS_PER_CHUNK = 2_000_000  # (contexts, V) probability blocks stay ~16 MB


class SequenceGenerator:
    """Draw sequences from a fitted model, symbol by symbol, and score sequences.

    Works with any fitted model that gives next-symbol probabilities: PPM,
    MarkovPredictor and every next-item model with ``predict_proba``, the
    neural language model (which also predicts where a sequence ends), and
    :class:`~seqpred.models.generate.ConditionalModel` (``label=...``).

    Parameters
    ----------
    model : estimator
        A fitted probabilistic model over discrete symbols.

    Attributes
    ----------
    model : estimator
        The model, used as is (never refitted or changed).
    vocabulary : Vocabulary
        The model's symbols.

    Raises
    ------
    NotFittedError
        If ``model`` is not fitted.
    InvalidParameterError
        If ``model`` gives no next-symbol probabilities.

    Notes
    -----
    :meth:`sample` advances all ``n`` samples together: each step makes one
    call for the next-symbol probabilities of the whole batch, reshapes them
    (temperature, top-k, top-p) and draws one symbol per sample with one
    uniform number from a NumPy generator, so an int ``random_state`` gives
    the same samples on every run. Only the last symbols a model reads
    (``max_order``, ``order`` or ``max_length``) are passed to it, so a step
    costs the same at any depth. A step costs one model call on ``n``
    contexts; the neural language model re-reads its window every step
    (no cached state), which is simple and exact but not the fastest.

    Examples
    --------
    >>> from seqpred.models.next_item import PPM
    >>> model = PPM(max_order=2).fit(["abcabcabcabd"] * 3)
    >>> generator = SequenceGenerator(model)
    >>> generator.sample(2, prefix="ab", max_length=5, top_k=1)
    [['c', 'a', 'b', 'c', 'a'], ['c', 'a', 'b', 'c', 'a']]
    >>> a = generator.sample(3, max_length=8, random_state=0)
    >>> a == generator.sample(3, max_length=8, random_state=0)
    True
    >>> round(generator.bits_per_symbol(["abcabc"]), 2)
    0.4
    """

    def __init__(self, model: Any) -> None:
        check_model(model, "SequenceGenerator")
        self.model = model

    def __repr__(self) -> str:
        return f"SequenceGenerator({self.model!r})"

    @property
    def vocabulary(self) -> Vocabulary:
        """The model's vocabulary (symbols and their ids)."""
        vocabulary: Vocabulary = self.model.vocabulary_
        return vocabulary

    # -- sampling
    def sample(
        self,
        n: int = 1,
        prefix: Any = None,
        *,
        max_length: int = 100,
        stop: Any = None,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        label: Any = None,
        features: Any = None,
        random_state: Any = None,
    ) -> list[list[Hashable]]:
        """Draw ``n`` continuations of ``prefix`` (the prefix not included).

        Parameters
        ----------
        n : int, default=1
            Number of samples, drawn together in one batch.
        prefix : sequence or str, default=None
            Symbols every sample continues (a str is read as characters);
            None starts from nothing.
        max_length : int, default=100
            Most symbols drawn per sample.
        stop : symbol or list of symbols, default=None
            A sample ends when it draws one of these (the stop symbol is not
            included). A language model's end of sequence always ends one.
        temperature : float, default=1.0
            Sharpen (< 1) or flatten (> 1) each distribution:
            ``p ** (1 / temperature)``, renormalised.
        top_k : int or None, default=None
            Draw only from the ``top_k`` most probable symbols.
        top_p : float or None, default=None
            Nucleus sampling: draw only from the smallest set of most
            probable symbols whose probability reaches ``top_p``.
        label : label, list of labels or None, default=None
            The class to condition on (conditional models only): one label
            for all samples or one per sample.
        random_state : None, int or numpy Generator, default=None
            Seed of the draws; an int reproduces the samples exactly.

        Returns
        -------
        list of list
            ``n`` sequences of symbols, each at most ``max_length`` long.

        Raises
        ------
        InvalidParameterError
            For a bad ``n``, ``max_length``, ``temperature``, ``top_k``,
            ``top_p``, or a ``label`` or ``features`` the model cannot take.
        DataError
            For ``features`` of the wrong shape or with NaN or inf.
        UnknownSymbolError
            If ``prefix`` or ``stop`` holds symbols the model never saw.
        """
        ids = self.sample_ids(
            n,
            prefix,
            max_length=max_length,
            stop=stop,
            temperature=temperature,
            top_k=top_k,
            top_p=top_p,
            label=label,
            features=features,
            random_state=random_state,
        )
        return [self.vocabulary.decode(row) for row in ids]

    def sample_ids(
        self,
        n: int = 1,
        prefix: Any = None,
        *,
        max_length: int = 100,
        stop: Any = None,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        label: Any = None,
        features: Any = None,
        random_state: Any = None,
    ) -> list[Array]:
        """Like :meth:`sample`, but return the vocabulary ids (int64 arrays)."""
        owner = "SequenceGenerator.sample"
        check_sampling_args(owner, n, max_length, temperature, top_k, top_p)
        start = self._encode(prefix, "prefix")
        stop_ids = self._encode(stop, "stop") if stop is not None else np.array([])
        labels = self._labels(label, n)
        rows = self._features(features, n, owner)
        rng = check_random_state(random_state)
        window = context_window(self.model)
        p = len(start)
        tokens = np.zeros((n, p + max_length), dtype=np.int64)  # (N, T)
        tokens[:, :p] = start
        lengths = np.full(n, max_length, dtype=np.int64)
        done = np.zeros(n, dtype=bool)
        for t in range(max_length):
            now = p + t
            lo = 0 if window is None else max(0, now - window)
            contexts = SequenceSet(
                tokens[:, lo:now].ravel(),
                np.arange(n + 1, dtype=np.int64) * (now - lo),
                vocabulary=self.vocabulary,
            )
            if rows is None:
                proba = next_proba(self.model, contexts, labels)  # (N, V)
            else:
                proba = _featured_proba(self.model, contexts, rows)  # (N, V)
            proba = reshape_distribution(proba, float(temperature), top_k, top_p)
            choice = draw(proba, rng)
            tokens[:, now] = choice
            ended = ~done & ((choice == SEP_ID) | np.isin(choice, stop_ids))
            lengths[ended] = t
            done |= ended
            if done.all():
                break
        return [tokens[i, p : p + lengths[i]].copy() for i in range(n)]

    def _encode(self, symbols: Any, what: str) -> Array:
        """Encode a prefix (or stop symbols) strictly: unknown symbols raise."""
        if symbols is None:
            return np.zeros(0, dtype=np.int64)
        if what == "stop" and not _is_list(symbols):
            symbols = [symbols]  # one stop symbol (a str is one symbol here)
        items = list(symbols)
        vocabulary = self.vocabulary
        unknown = [s for s in items if not _known(vocabulary, s)]
        if unknown:
            shown = sorted({repr(s) for s in unknown})[:5]
            raise UnknownSymbolError(
                f"SequenceGenerator: the {what} holds symbols the model never saw: "
                f"{', '.join(shown)}. Use only symbols of the training data "
                f"(model.vocabulary_ has {len(vocabulary)})."
            )
        return np.asarray(vocabulary.encode(items), dtype=np.int64)

    def _labels(self, label: Any, n: int) -> Array | None:
        if label is None:
            return None
        if _is_list(label):
            labels = np.asarray(list(label))
            if len(labels) != n:
                raise InvalidParameterError(
                    f"SequenceGenerator.sample: label must be one label or a list "
                    f"of n={n} labels; got a list of {len(labels)}."
                )
            return labels
        return np.asarray([label] * n)

    def _features(self, features: Any, n: int, owner: str) -> Array | None:
        """Return ``features`` as ``n`` rows ``(n, D)`` (one row is repeated)."""
        if features is None:
            return None
        self._check_featured(owner)
        rows = as_features(features, owner, allow_row=True)
        if rows.shape[0] == 1:
            rows = np.repeat(rows, n, axis=0)  # one row for every sample
        if rows.shape[0] != n:
            raise DataError(
                f"{owner}: features must be one row (D,) for all samples or n={n} "
                f"rows (n, D), one per sample; got shape {rows.shape}."
            )
        return rows  # the model checks D

    def _check_featured(self, owner: str) -> None:
        model = self.model
        if hasattr(model, "_conditional_proba") or not hasattr(model, "_conditioning"):
            raise InvalidParameterError(
                f"{owner}: {type(model).__name__} cannot be conditioned on "
                "features; fit a NeuralLanguageModel with fit(X, features=...), "
                "or drop features."
            )

    # -- scoring
    def log_proba(self, X: Any, label: Any = None, features: Any = None) -> list[Array]:
        """Return, per sequence, the natural log-probability of each symbol.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The sequences to score.
        label : label, list of labels or None, default=None
            Conditional models only: the class of every sequence, or one
            label per sequence.
        features : array-like of shape (len(X), D) or None, default=None
            Models fitted with features only: each sequence's conditioning
            vector.

        Returns
        -------
        list of ndarray
            One float array per sequence, as long as the sequence; unknown
            symbols score ``-inf`` with models that give them no mass.
        """
        model = self.model
        if features is not None:
            self._check_featured("SequenceGenerator.log_proba")
            if label is not None:
                raise InvalidParameterError(
                    "SequenceGenerator.log_proba: pass label or features, not "
                    "both; the model is conditioned on features only."
                )
            featured: list[Array] = model.log_proba(X, features=features)
            return featured
        if hasattr(model, "_conditional_proba"):
            scores: list[Array] = model.log_proba(X, label)
            return scores
        if label is not None:
            raise InvalidParameterError(
                f"{type(model).__name__} is not a conditional model, so label "
                "cannot be used; fit a ConditionalModel, or drop label."
            )
        if callable(getattr(model, "log_proba", None)):
            scores = model.log_proba(X)
            return scores
        ss = as_sequence_set(
            X,
            vocabulary=self.vocabulary,
            unknown="unk",
            kind="discrete",
            owner="SequenceGenerator",
            allow_empty_input=True,
        )
        return step_log_proba(
            lambda c: next_proba(model, c, None), ss, context_window(model)
        )

    def bits_per_symbol(self, X: Any, label: Any = None, features: Any = None) -> float:
        """Return the mean ``-log2 P(symbol | before)`` over all symbols of ``X``.

        The cross-entropy in bits per symbol: the code length an arithmetic
        coder driven by this model would reach on ``X`` (``label`` and
        ``features`` as in :meth:`log_proba`).
        """
        return bits(
            self.log_proba(X, label, features), "SequenceGenerator.bits_per_symbol"
        )


def bits(scores: list[Array], owner: str) -> float:
    """Mean of ``-log2 p`` over per-sequence natural log-probabilities."""
    n = sum(len(s) for s in scores)
    if n == 0:
        raise DataError(f"{owner}: the sequences are empty; pass at least one symbol.")
    return float(-sum(float(s.sum()) for s in scores) / n / np.log(2.0))


def step_log_proba(
    proba_of: Any, ss: SequenceSet, window: int | None, extra: Array | None = None
) -> list[Array]:
    """Score every symbol of ``ss`` from its own prefix, with one call per chunk.

    ``proba_of(contexts)`` returns next-id probabilities ``(M, V)`` for a
    :class:`SequenceSet` of contexts (each the up to ``window`` symbols
    before a position). ``extra`` (optional, one entry per sequence) is
    passed on per context as ``proba_of(contexts, extra_of_contexts)``.
    """
    n_steps = ss.n_steps
    position = np.arange(n_steps) - np.repeat(ss.offsets[:-1], ss.lengths)
    width = position if window is None else np.minimum(position, window)
    starts = np.arange(n_steps) - width
    out = np.empty(n_steps)
    step = max(
        1, _CELLS_PER_CHUNK // max(ss.vocabulary.size if ss.vocabulary else 1, 1)
    )
    owner_of_step = ss.sequence_index
    for lo in range(0, n_steps, step):
        hi = min(n_steps, lo + step)
        flat, _ = ragged_ranges(starts[lo:hi], width[lo:hi])
        offsets = np.concatenate([[0], np.cumsum(width[lo:hi])]).astype(np.int64)
        contexts = SequenceSet(ss.values[flat], offsets, vocabulary=ss.vocabulary)
        if extra is None:
            proba = proba_of(contexts)
        else:
            proba = proba_of(contexts, extra[owner_of_step[lo:hi]])
        picked = proba[np.arange(hi - lo), ss.values[lo:hi]]
        picked = np.where(ss.values[lo:hi] == UNK_ID, 0.0, picked)
        with np.errstate(divide="ignore"):
            out[lo:hi] = np.log(picked)
    return np.split(out, ss.offsets[1:-1])


def _featured_proba(model: Any, contexts: SequenceSet, rows: Array) -> Array:
    """Next-id probabilities ``(N, V)`` of a model conditioned on feature ``rows``."""
    proba: Array = np.exp(model.next_log_proba(contexts, features=rows))  # (N, V)
    proba[:, [PAD_ID, UNK_ID]] = 0.0
    out: Array = proba / proba.sum(axis=1, keepdims=True)
    return out


def _is_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, np.ndarray))


def _known(vocabulary: Vocabulary, symbol: Any) -> bool:
    try:
        return symbol in vocabulary
    except TypeError:  # unhashable
        return False
