"""Fields of events as network inputs: the schema, the arrays, the embedding.

A :class:`~seqpred.data.SequenceSet` may carry per-step fields and
per-sequence static fields (:mod:`seqpred.data.fields`). A neural model that
reads them

1. learns a **schema** at ``fit`` (:func:`learn_fields`): the names and
   kinds of the fields, each categorical field's vocabulary, and the mean
   and scale of each numeric one. It is a plain dict, saved with the model
   as its ``fields_`` attribute;
2. encodes any set with that schema (:func:`encode_fields`) into
   :class:`FieldArrays`: categorical ids ``(n_steps, Fc)`` re-expressed in
   the training vocabularies (unseen values: ``<unk>``), standardised
   numbers ``(n_steps, Fn)`` (missing: 0, the training mean), and the same
   per sequence;
3. embeds them with :class:`FieldEmbedding`: one embedding table per
   categorical field and a linear projection of the numeric fields, all
   **added** to the item embedding of the step; the static fields, embedded
   the same way, form one **prefix** step read before the sequence (so a
   recurrent network starts from a state that knows them and attention can
   look at them).

Shape legend: N sequences, L length, E width, Fc / Fn categorical / numeric
fields per step, Sc / Sn per sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.fields import Field, Fields
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import PAD_ID, UNK_ID, Vocabulary
from seqpred.exceptions import DataError
from seqpred.nn.runtime import require_torch

require_torch()
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import Tensor, nn  # noqa: E402

from seqpred.nn.batching import (  # noqa: E402
    IGNORE_INDEX,
    WindowBatches,
    bucket_batches,
    causal_windows,
    pad_gather,
)
from seqpred.nn.heads import CausalSequenceModel  # noqa: E402

__all__ = [
    "FIELD_KEYS",
    "FieldArrays",
    "FieldCausalModel",
    "FieldEmbedding",
    "FieldWindows",
    "encode_fields",
    "field_batch",
    "field_config",
    "field_loss",
    "learn_fields",
    "step_arrays",
]


# -- schema and arrays (NumPy) ---------------------------------------------------------


def _part(fields: Any) -> dict[str, Any]:
    """Return the schema of one :class:`~seqpred.data.fields.Fields` (or None)."""
    if fields is None:
        return {"categorical": [], "vocabularies": [], "numeric": [],
                "mean": np.zeros(0), "scale": np.ones(0)}  # fmt: skip
    categorical = fields.names("categorical")
    numeric = fields.names("numeric")
    if numeric:
        table = np.stack([fields[n].values for n in numeric], axis=1)  # (n, Fn)
        with np.errstate(all="ignore"):
            mean = np.nan_to_num(np.nanmean(table, axis=0))
            scale = np.nan_to_num(np.nanstd(table, axis=0))
        scale = np.where(scale > 1e-12, scale, 1.0)
    else:
        mean, scale = np.zeros(0), np.ones(0)
    return {
        "categorical": categorical,
        "vocabularies": [fields[n].vocabulary.copy().freeze() for n in categorical],
        "numeric": numeric,
        "mean": mean,
        "scale": scale,
    }


def learn_fields(ss: SequenceSet) -> dict[str, Any] | None:
    """Return the schema of ``ss``'s fields, or None when it has none."""
    if not ss.fields and not ss.static:
        return None
    return {"step": _part(ss.fields), "static": _part(ss.static)}


def field_config(schema: dict[str, Any] | None) -> dict[str, Any]:
    """Return the network settings of a schema (empty without one)."""
    if schema is None:
        return {}
    step, static = schema["step"], schema["static"]
    return {
        "field_cardinalities": [v.size for v in step["vocabularies"]],
        "n_numeric_fields": len(step["numeric"]),
        "static_cardinalities": [v.size for v in static["vocabularies"]],
        "n_static_numeric": len(static["numeric"]),
    }


@dataclass(frozen=True)
class FieldArrays:
    """Encoded fields: per step (aligned with ``values``) and per sequence."""

    step_categorical: Array  # (n_steps, Fc) int64
    step_numeric: Array  # (n_steps, Fn) float64
    static_categorical: Array  # (N, Sc) int64
    static_numeric: Array  # (N, Sn) float64


def _encode_part(
    fields: Any, part: dict[str, Any], length: int, what: str, owner: str
) -> tuple[Array, Array]:
    names = part["categorical"] + part["numeric"]
    missing = [n for n in names if n not in fields]
    if missing:
        have = list(fields)
        raise DataError(
            f"{owner}: the model was fitted with the {what} fields {names!r}; the "
            f"input lacks {missing!r} (it has {have!r}). Pass sequences with "
            "these fields (SequenceSet.from_lists(..., fields=..., static=...), "
            "or a table read with field_cols= / static_cols=)."
        )
    categorical = np.zeros((length, len(part["categorical"])), dtype=np.int64)
    for j, (name, vocabulary) in enumerate(
        zip(part["categorical"], part["vocabularies"])
    ):
        column = fields[name]
        if column.vocabulary is None:
            raise DataError(
                f"{owner}: {what} field {name!r} was categorical in training; got "
                "numbers. Pass the same kind of values as in training."
            )
        categorical[:, j] = _translate(column.vocabulary, vocabulary)[column.values]
    numeric = np.zeros((length, len(part["numeric"])), dtype=np.float64)
    for j, name in enumerate(part["numeric"]):
        column = fields[name]
        if column.vocabulary is not None:
            raise DataError(
                f"{owner}: {what} field {name!r} was numeric in training; got "
                "categories. Pass the same kind of values as in training."
            )
        numeric[:, j] = (column.values - part["mean"][j]) / part["scale"][j]
    return categorical, np.nan_to_num(numeric)  # missing: the training mean


def _translate(source: Vocabulary, target: Vocabulary) -> Array:
    """Return the table mapping ids of ``source`` to ids of ``target``."""
    if source is target or source == target:
        return np.arange(source.size, dtype=np.int64)
    n_reserved = Vocabulary.n_reserved
    symbols = source.decode(np.arange(n_reserved, source.size))
    return np.concatenate(
        [np.arange(n_reserved), target.encode(symbols, unknown="unk")]
    ).astype(np.int64)


def _moved(ss: SequenceSet, schema: dict[str, Any]) -> tuple[Any, Any]:
    """Return ``ss``'s fields, each where the schema has it (per step or static).

    A table read with ``field_cols="auto"`` makes a column static when it
    happens to be constant in every sequence (one short query, say); such a
    field is spread over the steps again, and a per-step field the model
    reads as static is read at each sequence's first step.
    """
    steps = dict(ss.fields or {})
    static = dict(ss.static or {})
    wanted_steps = schema["step"]["categorical"] + schema["step"]["numeric"]
    wanted_static = schema["static"]["categorical"] + schema["static"]["numeric"]
    for name in wanted_steps:
        if name not in steps and name in static:
            f = static[name]
            steps[name] = Field(f.values[ss.sequence_index], f.vocabulary)
    for name in wanted_static:
        if name not in static and name in steps and (ss.lengths > 0).all():
            f = steps[name]
            static[name] = Field(f.values[ss.offsets[:-1]], f.vocabulary)
    return Fields(steps, ss.n_steps), Fields(static, len(ss))


def encode_fields(ss: SequenceSet, schema: dict[str, Any], owner: str) -> FieldArrays:
    """Encode ``ss``'s fields with a schema from :func:`learn_fields`."""
    steps, static = _moved(ss, schema)
    step_cat, step_num = _encode_part(
        steps, schema["step"], ss.n_steps, "per-step", owner
    )
    static_cat, static_num = _encode_part(
        static, schema["static"], len(ss), "static", owner
    )
    return FieldArrays(step_cat, step_num, static_cat, static_num)


# -- the network piece ---------------------------------------------------------------


def _table(cardinality: int, width: int) -> nn.Embedding:
    table = nn.Embedding(cardinality, width, padding_idx=PAD_ID)
    with torch.no_grad():
        nn.init.normal_(table.weight, std=width**-0.5)
        table.weight[[PAD_ID, UNK_ID]] = 0.0  # padding and unseen values: neutral
    return table


class FieldEmbedding(nn.Module):
    """Add per-step fields to item embeddings; embed static fields as a prefix step.

    Parameters
    ----------
    width : int
        Width E of the item embedding.
    field_cardinalities : sequence of int, default=()
        Ids of each categorical per-step field (reserved ids included).
    n_numeric_fields : int, default=0
        Numeric per-step fields.
    static_cardinalities : sequence of int, default=()
        Ids of each categorical static field.
    n_static_numeric : int, default=0
        Numeric static fields.
    """

    def __init__(
        self,
        width: int,
        field_cardinalities: Sequence[int] = (),
        n_numeric_fields: int = 0,
        static_cardinalities: Sequence[int] = (),
        n_static_numeric: int = 0,
    ) -> None:
        super().__init__()
        self.step_tables = nn.ModuleList(_table(c, width) for c in field_cardinalities)
        self.step_numeric = (
            nn.Linear(n_numeric_fields, width) if n_numeric_fields else None
        )
        self.static_tables = nn.ModuleList(
            _table(c, width) for c in static_cardinalities
        )
        self.static_numeric = (
            nn.Linear(n_static_numeric, width) if n_static_numeric else None
        )

    @property
    def has_static(self) -> bool:
        """Whether there are static fields (and so a prefix step)."""
        return len(self.static_tables) > 0 or self.static_numeric is not None

    def steps(
        self, x: Tensor, categorical: Tensor | None, numeric: Tensor | None
    ) -> Tensor:
        """Return ``x`` (N, L, E) plus the fields' embeddings of each step."""
        for j, table in enumerate(self.step_tables):
            assert categorical is not None
            x = x + table(categorical[..., j])  # (N, L, E)
        if self.step_numeric is not None and numeric is not None:
            x = x + self.step_numeric(numeric.to(x.dtype))  # (N, L, Fn) -> (N, L, E)
        return x

    def prefix(
        self, categorical: Tensor | None, numeric: Tensor | None, like: Tensor
    ) -> Tensor:
        """Return the static fields' step ``(N, 1, E)`` (zeros without any)."""
        n, width = like.shape[0], like.shape[-1]
        out = torch.zeros(n, width, dtype=like.dtype, device=like.device)  # (N, E)
        for j, table in enumerate(self.static_tables):
            assert categorical is not None
            out = out + table(categorical[:, j])
        if self.static_numeric is not None and numeric is not None:
            out = out + self.static_numeric(numeric.to(like.dtype))  # (N, Sn) -> E
        return out[:, None, :]  # (N, 1, E)


# -- per-step arrays for batches -----------------------------------------------------


def step_arrays(arrays: FieldArrays, sequence_index: Array) -> dict[str, Array]:
    """Return every field as one row per step (static ones repeated on each step).

    Windows and validation cuts then take fields exactly as they take ids.
    """
    return {
        "step_categorical": arrays.step_categorical,
        "step_numeric": arrays.step_numeric.astype(np.float32),
        "static_categorical": arrays.static_categorical[sequence_index],
        "static_numeric": arrays.static_numeric[sequence_index].astype(np.float32),
    }


def field_batch(
    per_step: dict[str, Array],
    starts: Array,
    lengths: Array,
    device: Any = None,
    *,
    drop_last: bool = False,
) -> dict[str, Tensor]:
    """Return the fields of the windows ``[starts, starts + lengths)`` as tensors.

    Per-step fields become ``(N, L, F)`` (``drop_last``: the window's last
    step, a target only, is cut as for the ids); static fields ``(N, S)``,
    read at each window's first step.
    """
    out: dict[str, Tensor] = {}
    for name in ("step_categorical", "step_numeric"):
        array, _ = pad_gather(per_step[name], starts, lengths)  # (N, L, F)
        if drop_last:
            array = array[:, :-1]
        out[name] = torch.from_numpy(np.ascontiguousarray(array)).to(device)
    for name in ("static_categorical", "static_numeric"):
        out[name] = torch.from_numpy(per_step[name][starts]).to(device)  # (N, S)
    return out


# -- the causal network with fields ---------------------------------------------------


class FieldCausalModel(CausalSequenceModel):
    """A causal next-token network that also reads fields (see the module docstring).

    The keyword arguments are those of
    :class:`~seqpred.nn.heads.CausalSequenceModel` plus the field sizes of
    :class:`FieldEmbedding`. Without fields it is exactly
    ``CausalSequenceModel`` (the same parameters, drawn in the same order),
    so models fitted without fields, and their files, are unchanged. With
    static fields, one more position is learned (the prefix step).
    """

    def __init__(
        self,
        *,
        field_cardinalities: Sequence[int] = (),
        n_numeric_fields: int = 0,
        static_cardinalities: Sequence[int] = (),
        n_static_numeric: int = 0,
        **config: Any,
    ) -> None:
        sizes = (field_cardinalities, n_numeric_fields)
        statics = (static_cardinalities, n_static_numeric)
        if any(statics):  # the prefix step takes a position
            config = {**config, "max_length": int(config.get("max_length", 512)) + 1}
        super().__init__(**config)
        self.fields = (
            FieldEmbedding(int(config["embedding_dim"]), *sizes, *statics)
            if any(sizes) or any(statics)
            else None
        )

    def forward(
        self,
        ids: Tensor,
        mask: Tensor | None = None,
        step_categorical: Tensor | None = None,
        step_numeric: Tensor | None = None,
        static_categorical: Tensor | None = None,
        static_numeric: Tensor | None = None,
    ) -> Tensor:
        """Return next-token logits ``(N, L, V)`` for ids ``(N, L)`` and fields."""
        x = self.embedding(ids)  # (N, L, E)
        prefixed = self.fields is not None and self.fields.has_static
        if self.fields is not None:
            x = self.fields.steps(x, step_categorical, step_numeric)
            if prefixed:
                first = self.fields.prefix(static_categorical, static_numeric, x)
                x = torch.cat([first, x], dim=1)  # (N, 1 + L, E)
                if mask is not None:
                    mask = torch.cat([torch.ones_like(mask[:, :1]), mask], dim=1)
        hidden = self.encoder(self.input_dropout(x), mask)  # (N, [1 +] L, H)
        if prefixed:
            hidden = hidden[:, 1:]  # (N, L, H): the prefix predicts nothing
        logits: Tensor = self._logits(hidden)
        return logits  # (N, L, V)


class FieldWindows(WindowBatches):
    """Causal windows whose batches also carry the fields of their steps.

    ``per_step`` holds every field as one row per step, aligned with
    ``values`` (:func:`step_arrays`).
    """

    def __init__(
        self,
        values: Array,
        offsets: Array,
        per_step: dict[str, Array],
        width: int,
        batch_size: int,
        shuffle: bool,
    ) -> None:
        super().__init__(values, offsets, width, batch_size, shuffle)
        self.per_step = per_step

    def batches(self, rng: np.random.Generator | None = None) -> Any:
        """Yield one epoch of batches, each with its windows' fields."""
        rng = rng if self.shuffle else None
        starts, lengths = causal_windows(self.offsets, self.width, rng)
        for index in bucket_batches(lengths, self.batch_size, rng):
            window, mask = pad_gather(self.values, starts[index], lengths[index])
            batch = self._batch(window, mask, torch)
            fields = field_batch(
                self.per_step, starts[index], lengths[index], drop_last=True
            )
            yield {**batch, **fields}


FIELD_KEYS = (
    "step_categorical",
    "step_numeric",
    "static_categorical",
    "static_numeric",
)
"""The batch keys of the fields, in the order the networks take them."""


def field_loss(module: nn.Module, batch: dict[str, Any]) -> tuple[Tensor, int]:
    """Return the summed next-step cross-entropy of a field batch, and its count."""
    fields = [batch[key] for key in FIELD_KEYS]
    logits = module(batch["inputs"], batch["mask"], *fields)  # (N, L, V)
    total = F.cross_entropy(
        logits.flatten(0, 1).float(),  # (N * L, V)
        batch["targets"].flatten(),  # (N * L,)
        ignore_index=IGNORE_INDEX,
        reduction="sum",
    )
    return total, batch["n_targets"]
