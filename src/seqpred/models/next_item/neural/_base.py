"""Shared machinery of the causal next-item models (RNN, Transformer, LM).

A subclass declares its parameters and its network (``_network_config``,
the arguments of :class:`~.heads.CausalSequenceModel`). This base trains it
(through :class:`~._estimator.NeuralEstimatorMixin`) on causal windows of
the training sequences, so that one forward pass predicts every next item of
a window with a full softmax over the vocabulary, and answers the
next-item hooks (``_top_k_ids``, ``_proba``) from the float64 copy of the
network, optionally averaged over the next ``horizon`` items.

Shape legend: N sequences, L length, V vocabulary, H hidden, M queries with
a match, B beam width.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._typing import Array
from seqpred.data._ragged import ragged_ranges
from seqpred.data.fields import Field, Fields
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import PAD_ID, SEP_ID, UNK_ID, Vocabulary
from seqpred.exceptions import DataError
from seqpred.models.next_item.base import NextItemMixin
from seqpred.nn.runtime import require_torch, threads

require_torch()
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor, nn  # noqa: E402

from seqpred.nn.batching import (  # noqa: E402
    IGNORE_INDEX,
    WindowBatches,
    bucket_batches,
    pad_gather,
    split_stream,
)
from seqpred.nn.estimator import NeuralEstimatorMixin  # noqa: E402
from seqpred.nn.fields import (  # noqa: E402
    FIELD_KEYS,
    FieldWindows,
    encode_fields,
    field_batch,
    field_config,
    field_loss,
    learn_fields,
    step_arrays,
)
from seqpred.nn.heads import CausalSequenceModel  # noqa: E402

__all__ = ["CausalNextItemBase", "causal_loss"]

_PREDICT_BATCH = 256
_BEAM = 20


def causal_loss(module: nn.Module, batch: dict[str, Any]) -> tuple[Tensor, int]:
    """Return the summed cross-entropy of a window batch's next steps, and its count."""
    logits = module(batch["inputs"], batch["mask"])  # (N, L, V)
    total = F.cross_entropy(
        logits.flatten(0, 1).float(),  # (N * L, V)
        batch["targets"].flatten(),  # (N * L,)
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    return total, batch["n_targets"]


class CausalNextItemBase(NeuralEstimatorMixin, NextItemMixin):
    """Base of causal neural next-item models; see the module docstring."""

    _language_model: ClassVar[bool] = False
    """True for a language model: sequences get start/end marks (``<sep>``)."""

    _reads_fields: ClassVar[bool] = False
    """True for a model that reads the fields of events (``use_fields``)."""

    _network_class = CausalSequenceModel
    max_length: int
    fields_: dict[str, Any]

    # -- to implement
    def _network_config(self, vocab_size: int) -> dict[str, Any]:
        """Return the keyword arguments of :class:`CausalSequenceModel`."""
        raise NotImplementedError

    def _check_architecture(self) -> None:
        """Check combinations of parameters (one parameter at a time is checked)."""

    # -- ids the network never predicts / embeds as zero
    def _blocked_ids(self) -> list[int]:
        if self._language_model:
            return [PAD_ID]  # <sep> ends a sequence; <unk> keeps a tiny share
        return [PAD_ID, UNK_ID, SEP_ID]

    def _null_ids(self) -> list[int]:
        return [PAD_ID, UNK_ID] if self._language_model else [PAD_ID, UNK_ID, SEP_ID]

    # -- training
    def _stream(self, ss: SequenceSet) -> tuple[Array, Array]:
        """Return the ids to train on; a language model marks start and end."""
        if not self._language_model:
            return ss.values, ss.offsets
        return _marked(ss, end=True)

    def fit(self, X: Any, y: None = None) -> CausalNextItemBase:
        """Learn from training sequences; return ``self`` (see the class docstring).

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or a long table
            Training sequences; their fields and static fields are read too
            (when the model has ``use_fields=True``).
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self
        """
        self._validate_params()  # target= is checked before it is used
        super().fit(self._keyed(X, "fit"))
        return self

    def _keyed(self, X: Any, method: str) -> Any:
        """Return ``X`` with the ``target`` field as its item (as is without one)."""
        target = getattr(self, "target", None)
        if target is None:
            return X
        owner = type(self).__name__
        ss = as_sequence_set(
            X, unknown="add", kind="discrete", owner=owner, allow_empty_input=True
        )
        if ss.static is not None and target in ss.static:  # constant in a table
            ss = _spread_static(ss, target)
        if ss.fields is None or target not in ss.fields:
            raise DataError(
                f"{owner}.{method}: target={target!r} is predicted from sequences "
                f"that carry the field {target!r}; got fields "
                f"{list(ss.fields or [])!r}. Pass sequences with that field "
                "(from_lists(..., fields=...), or field_cols= when reading a "
                "table), or target=None to predict the item."
            )
        return ss.with_key(target)

    def _queries(self, X: Any, method: str) -> SequenceSet:
        return super()._queries(self._keyed(X, method), method)

    def _fit(self, ss: SequenceSet) -> None:
        self._check_architecture()
        values, offsets = self._stream(ss)
        train, valid = split_stream(values, offsets, self.validation_fraction)
        width, size = self.max_length, self.batch_size
        config = self._network_config(self.vocabulary_.size)
        schema = learn_fields(ss) if self._uses_fields() else None
        if schema is None:
            self._train(
                config,
                causal_loss,
                WindowBatches(*train, width, size, shuffle=True),
                WindowBatches(*valid, width, size, False) if valid else None,
                init=lambda module: self._init_output_bias(module, values),
            )
            return
        self.fields_ = schema
        arrays = encode_fields(ss, schema, type(self).__name__)
        per_step = step_arrays(arrays, ss.sequence_index)
        cut = len(train[0])  # the validation cut, in steps
        head = {key: value[:cut] for key, value in per_step.items()}
        tail = {key: value[cut:] for key, value in per_step.items()}
        self._train(
            {**config, **field_config(schema)},
            field_loss,
            FieldWindows(*train, head, width, size, shuffle=True),
            FieldWindows(*valid, tail, width, size, False) if valid else None,
            init=lambda module: self._init_output_bias(module, values),
        )

    def _uses_fields(self) -> bool:
        return self._reads_fields and bool(getattr(self, "use_fields", False))

    def _init_output_bias(self, module: CausalSequenceModel, values: Array) -> None:
        """Start the output bias at the log frequencies of the symbols.

        An untrained network then predicts the order-0 distribution rather
        than noise, and training starts from a lower loss.
        """
        counts = np.bincount(values, minlength=self.vocabulary_.size).astype(float)
        with torch.no_grad():
            module.head.bias.copy_(
                torch.from_numpy(np.log((counts + 1.0) / counts.sum()))
            )

    def _contexts(self, queries: SequenceSet) -> tuple[Array, Array]:
        """Return ``(values, offsets)`` of the contexts (LM: ``<sep>`` first)."""
        if not self._language_model:
            return queries.values, queries.offsets
        return _marked(queries, end=False)

    def _next_log_proba(self, queries: SequenceSet) -> tuple[Array, Array]:
        """Return ``(log P(next) (N, V) float64, matched (N,))``."""
        n, size = len(queries), self.vocabulary_.size
        known = (queries.values >= Vocabulary.n_reserved).astype(float)
        matched = np.bincount(queries.sequence_index, known, minlength=n) > 0
        out = np.full((n, size), -np.inf)
        rows = np.flatnonzero(matched)
        if rows.size == 0:
            return out, matched
        values, offsets = self._contexts(queries[rows])
        lengths = np.minimum(np.diff(offsets), self.max_length)
        starts = offsets[1:] - lengths
        schema = getattr(self, "fields_", None)
        per_step = None
        if schema is not None:
            matched_queries = queries[rows]
            arrays = encode_fields(matched_queries, schema, type(self).__name__)
            per_step = step_arrays(arrays, matched_queries.sequence_index)
        network, device = self._network()
        with threads(self.n_threads, device), torch.no_grad():
            for index in bucket_batches(lengths, _PREDICT_BATCH):
                ids, mask = pad_gather(values, starts[index], lengths[index])
                fields = []
                if per_step is not None:
                    batch = field_batch(per_step, starts[index], lengths[index], device)
                    fields = [batch[key] for key in FIELD_KEYS]
                logits = network(
                    torch.from_numpy(ids).to(device),
                    torch.from_numpy(mask).to(device),
                    *fields,
                )  # (N, L, V)
                last = torch.from_numpy(lengths[index] - 1).to(device)
                picked = logits[torch.arange(len(index), device=device), last]  # (N, V)
                out[rows[index]] = torch.log_softmax(picked, dim=-1).cpu().numpy()
        return out, matched

    def _step_proba(self, queries: SequenceSet) -> tuple[Array, Array]:
        """Return ``(P(next) over user symbols, renormalised (N, V), matched)``."""
        log_proba, matched = self._next_log_proba(queries)
        proba = np.exp(log_proba)
        proba[:, : Vocabulary.n_reserved] = 0.0
        total = proba.sum(axis=1, keepdims=True)
        proba = np.divide(proba, total, out=np.zeros_like(proba), where=total > 0)
        return proba, matched

    def _symbol_proba(self, queries: SequenceSet) -> tuple[Array, Array]:
        """Return the predicted distribution (next item, or within ``horizon``)."""
        proba, matched = self._step_proba(queries)
        horizon = int(getattr(self, "horizon", 1))
        if horizon > 1 and matched.any():
            rows = np.flatnonzero(matched)
            proba[rows] = self._lookahead(queries.take(rows), proba[rows], horizon)
        return proba, matched

    def _lookahead(self, queries: SequenceSet, first: Array, horizon: int) -> Array:
        """Average the distributions of the next ``horizon`` items (M, V).

        Items 2, 3, ... ahead are rolled out with the model itself over a beam
        of the ``_BEAM`` likeliest continuations of each query (exact for
        ``horizon=2`` with at most ``_BEAM`` symbols).
        """
        m, size = first.shape
        width = min(_BEAM, len(self.vocabulary_))
        total = first.copy()
        paths = np.argsort(-first, axis=1, kind="stable")[:, :width, None]  # (M, B, 1)
        weights = np.take_along_axis(first, paths[..., 0], axis=1)  # (M, B)
        for step in range(2, horizon + 1):
            extended = _extend(queries, paths.reshape(m * width, step - 1))
            dist = self._step_proba(extended)[0].reshape(m, width, size)  # (M, B, V)
            mass = weights.sum(axis=1, keepdims=True)
            weights = np.divide(
                weights, mass, out=np.zeros_like(weights), where=mass > 0
            )
            joint = weights[..., None] * dist  # (M, B, V)
            total += joint.sum(axis=1)
            if step < horizon:
                best = np.argsort(-joint.reshape(m, -1), axis=1, kind="stable")[
                    :, :width
                ]
                beam, item = np.divmod(best, size)  # (M, B) each
                previous = np.take_along_axis(paths, beam[..., None], axis=1)
                paths = np.concatenate([previous, item[..., None]], axis=2)
                weights = np.take_along_axis(joint.reshape(m, -1), best, axis=1)
        return total / horizon

    def _proba(self, queries: SequenceSet) -> Array:
        proba, _ = self._symbol_proba(queries)
        return proba

    def _next_step_proba(self, queries: SequenceSet) -> Array:
        """Return the next item's distribution whatever ``horizon`` (multi-step)."""
        proba, _ = self._step_proba(queries)
        return proba

    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        proba, matched = self._symbol_proba(queries)
        size = proba.shape[1]
        reserved = Vocabulary.n_reserved
        take = min(k, size - reserved)
        order = np.argsort(-proba[:, reserved:], axis=1, kind="stable")[:, :take]
        ids = order + reserved
        scores = np.take_along_axis(proba, ids, axis=1)
        ids[~matched] = -1
        scores[~matched] = 0.0
        pad = k - take
        return (
            np.pad(ids, ((0, 0), (0, pad)), constant_values=-1),
            np.pad(scores, ((0, 0), (0, pad))),
        )


def _spread_static(ss: SequenceSet, name: str) -> SequenceSet:
    """Return ``ss`` with the static field ``name`` moved to every step."""
    assert ss.static is not None
    column = ss.static[name]
    steps = dict(ss.fields or {})
    steps[name] = Field(column.values[ss.sequence_index], column.vocabulary)
    static = {n: f for n, f in ss.static.items() if n != name}
    return ss.with_fields(
        Fields(steps, ss.n_steps), Fields(static, len(ss)) if static else None
    )


def _extend(queries: SequenceSet, paths: Array) -> SequenceSet:
    """Return each query followed by each of its paths (equally many per query).

    Row ``r`` of ``paths`` (R, P) continues query ``r // (R // len(queries))``.
    """
    per_query = len(paths) // len(queries)
    index = np.repeat(np.arange(len(queries)), per_query)
    lengths = queries.lengths[index]
    steps = paths.shape[1]
    offsets = np.concatenate([[0], np.cumsum(lengths + steps)]).astype(np.int64)
    values = np.empty(int(offsets[-1]), dtype=np.int64)
    src, within = ragged_ranges(queries.offsets[index], lengths)
    values[np.repeat(offsets[:-1], lengths) + within] = queries.values[src]
    values[offsets[1:, None] - steps + np.arange(steps)] = paths
    return SequenceSet(values, offsets, vocabulary=queries.vocabulary)


def _marked(ss: SequenceSet, *, end: bool) -> tuple[Array, Array]:
    """Return ``(values, offsets)`` with ``<sep>`` before (and after) each sequence."""
    extra = 2 if end else 1
    offsets = np.concatenate([[0], np.cumsum(ss.lengths + extra)]).astype(np.int64)
    values = np.full(int(offsets[-1]), SEP_ID, dtype=np.int64)
    inner = np.ones(len(values), dtype=bool)
    inner[offsets[:-1]] = False
    if end:
        inner[offsets[1:] - 1] = False
    values[inner] = ss.values
    return values, offsets
