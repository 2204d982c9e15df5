"""SequenceSet: many ragged sequences stored flat, like Arrow list arrays."""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Literal

import numpy as np

from seqpred._params import check_int, is_int, is_real
from seqpred._typing import Array
from seqpred.data._ragged import (
    locate_step,
    offsets_from_lengths,
    ragged_gather,
    ragged_ranges,
)
from seqpred.data.fields import Field, Fields, as_fields, flatten_nested
from seqpred.data.vocabulary import UNK_ID, Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = ["SequenceSet"]

Kind = Literal["auto", "discrete", "numeric"]


class SequenceSet:
    """Ragged sequences stored as one flat ``values`` array plus ``offsets``.

    Sequence ``i`` is ``values[offsets[i]:offsets[i + 1]]``. Discrete sequences
    hold ``int64`` symbol ids of a :class:`Vocabulary`; numeric sequences hold
    ``float64`` values of shape ``(total_steps, n_features)``.

    Parameters
    ----------
    values : ndarray
        ``int64`` ids of shape ``(total_steps,)``, or ``float64`` values of
        shape ``(total_steps, n_features)``.
    offsets : ndarray of int64, shape (n_sequences + 1,)
        Start of each sequence in ``values``; ``offsets[0] == 0`` and
        ``offsets[-1] == len(values)``, non-decreasing.
    vocabulary : Vocabulary, default=None
        Decodes discrete ids; ``None`` for numeric data.
    labels : array-like, shape (n_sequences,), default=None
        One label per sequence (for classification).
    ids : array-like, shape (n_sequences,), default=None
        One identifier per sequence (file keys, session ids).
    timestamps : array-like, shape (total_steps,), default=None
        One time stamp per step, aligned with ``values``.
    itemset_start : ndarray of bool, shape (total_steps,), default=None
        For itemset data (several items at one step, like a basket):
        ``True`` where a new itemset begins. ``None`` means one item per step.
    fields : Fields or dict of str to array-like, default=None
        Named attributes of each step beside the item (an event's category,
        price, dwell time): one value per step, aligned with ``values``. See
        :class:`~seqpred.data.fields.Fields` (floats are numeric fields,
        anything else categorical).
    static : Fields or dict of str to array-like, default=None
        Named attributes of each sequence (a user's segment, a region): one
        value per sequence.

    Examples
    --------
    >>> ss = SequenceSet.from_lists([["a", "b", "c"], ["b"]])
    >>> len(ss), ss.lengths.tolist()
    (2, [3, 1])
    >>> ss[0].tolist()
    [3, 4, 5]
    >>> ss.to_lists()
    [['a', 'b', 'c'], ['b']]
    >>> SequenceSet.from_lists([[1.0, 2.5], [3.0]]).kind
    'numeric'

    Events with several fields, and a static attribute per sequence:

    >>> ss = SequenceSet.from_lists(
    ...     [["home", "shoe"], ["home"]],
    ...     fields={"action": [["view", "buy"], ["view"]]},
    ...     static={"region": ["eu", "us"]},
    ... )
    >>> ss.fields.decode("action"), ss.static.decode("region")
    (['view', 'buy', 'view'], ['eu', 'us'])
    >>> ss[1:].fields.decode("action")
    ['view']
    """

    __slots__ = (
        "_values",
        "_offsets",
        "vocabulary",
        "labels",
        "ids",
        "timestamps",
        "itemset_start",
        "fields",
        "static",
    )

    def __init__(
        self,
        values: Array,
        offsets: Array,
        *,
        vocabulary: Vocabulary | None = None,
        labels: Array | Sequence[Any] | None = None,
        ids: Array | Sequence[Any] | None = None,
        timestamps: Array | Sequence[Any] | None = None,
        itemset_start: Array | None = None,
        fields: Fields | Mapping[str, Any] | None = None,
        static: Fields | Mapping[str, Any] | None = None,
    ) -> None:
        values = np.asarray(values)
        offsets = np.asarray(offsets, dtype=np.int64)
        if values.dtype.kind in "iub":
            values = values.astype(np.int64, copy=False)
            if values.ndim != 1:
                raise DataError(
                    "SequenceSet: discrete values must be 1-D ids; got shape "
                    f"{values.shape}. Use float values for multivariate numeric data."
                )
        elif values.dtype.kind == "f":
            values = values.astype(np.float64, copy=False)
            if values.ndim == 1:
                values = values[:, None]
            if values.ndim != 2:
                raise DataError(
                    "SequenceSet: numeric values must have shape (steps, n_features);"
                    f" got {values.shape}."
                )
        else:
            raise DataError(
                f"SequenceSet: values must be integer ids or floats; got dtype "
                f"{values.dtype}. Encode symbols with SequenceSet.from_lists."
            )
        _check_offsets(offsets, len(values))
        n = len(offsets) - 1
        self._values = values
        self._offsets = offsets
        self.vocabulary = vocabulary
        self.labels = _per_item(labels, n, "labels", "sequence")
        self.ids = _per_item(ids, n, "ids", "sequence")
        self.timestamps = _per_item(timestamps, len(values), "timestamps", "step")
        if itemset_start is not None:
            itemset_start = np.asarray(itemset_start, dtype=bool)
            if itemset_start.shape != (len(values),):
                raise DataError(
                    "SequenceSet: itemset_start must have one flag per step "
                    f"({len(values)}); got shape {itemset_start.shape}."
                )
        self.itemset_start = itemset_start
        self.fields = as_fields(fields, len(values), "step")
        self.static = as_fields(static, n, "sequence")

    # -- construction
    @classmethod
    def from_lists(
        cls,
        sequences: Sequence[Any],
        *,
        vocabulary: Vocabulary | None = None,
        kind: Kind = "auto",
        unknown: Literal["error", "unk", "add"] | None = None,
        labels: Sequence[Any] | Array | None = None,
        ids: Sequence[Any] | Array | None = None,
        fields: Mapping[str, Any] | None = None,
        static: Fields | Mapping[str, Any] | None = None,
    ) -> SequenceSet:
        """Build from Python lists, strings (one symbol per character) or arrays.

        Parameters
        ----------
        sequences : sequence of sequences
            Each item is a list of symbols, a string, or a NumPy array
            (1-D, or 2-D ``(steps, n_features)`` for numeric data).
        vocabulary : Vocabulary, default=None
            Encode with this vocabulary. ``None`` builds a new one.
        kind : {"auto", "discrete", "numeric"}, default="auto"
            ``"auto"`` treats float data as numeric and everything else
            (ints, strings, other hashables) as discrete symbols.
        unknown : {"error", "unk", "add"}, default=None
            Policy for symbols missing from ``vocabulary``; defaults to
            ``"error"`` for a given vocabulary; a new vocabulary always adds.
        labels, ids : array-like, default=None
            Per-sequence labels and identifiers.
        fields : dict of str to list of lists, default=None
            Per-step fields: for each name, one list of values per sequence,
            as long as the sequence (floats are numeric, anything else
            categorical; None for a missing value).
        static : dict of str to list, default=None
            Per-sequence fields: for each name, one value per sequence.

        Returns
        -------
        SequenceSet
        """
        if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
            raise DataError(
                "SequenceSet.from_lists: expected a list of sequences; got "
                f"{type(sequences).__name__}. Wrap a single sequence in a list: "
                "[sequence]."
            )
        seqs = [_as_sequence(s, i) for i, s in enumerate(sequences)]
        if kind == "auto":
            kind = "numeric" if _looks_numeric(seqs) else "discrete"
        lengths = np.fromiter((len(s) for s in seqs), dtype=np.int64, count=len(seqs))
        offsets = offsets_from_lengths(lengths)
        per_step = None
        if fields is not None:
            who = "SequenceSet.from_lists"
            per_step = flatten_nested(fields, lengths.tolist(), who)
        if kind == "numeric":
            values = _stack_numeric(seqs)
            return cls(
                values, offsets, labels=labels, ids=ids, fields=per_step, static=static
            )
        if vocabulary is None:  # a new vocabulary takes every symbol
            vocabulary = Vocabulary()
            unknown = "add"
        flat = _flatten_symbols(seqs)
        codes = vocabulary.encode(flat, unknown=unknown or "error")
        return cls(
            codes, offsets, vocabulary=vocabulary, labels=labels, ids=ids,
            fields=per_step, static=static,
        )  # fmt: skip

    @classmethod
    def concat(cls, sets: Sequence[SequenceSet]) -> SequenceSet:
        """Concatenate sets that share one vocabulary (or are all numeric)."""
        if not sets:
            raise DataError("SequenceSet.concat: got no sets; pass at least one.")
        first = sets[0]
        for other in sets[1:]:
            if other.vocabulary is not first.vocabulary and (
                other.vocabulary != first.vocabulary
            ):
                raise DataError(
                    "SequenceSet.concat: the sets use different vocabularies; "
                    "encode them with one shared Vocabulary first."
                )
            if other.kind != first.kind or other.n_features != first.n_features:
                raise DataError(
                    "SequenceSet.concat: cannot mix discrete and numeric sets or "
                    "different feature counts."
                )
        values = np.concatenate([s._values for s in sets])
        starts = np.cumsum([0] + [s.n_steps for s in sets[:-1]])
        offsets = np.concatenate(
            [[0]] + [s._offsets[1:] + base for s, base in zip(sets, starts)]
        )

        def joined(name: str) -> Array | None:
            parts = [getattr(s, name) for s in sets]
            if all(p is None for p in parts):
                return None
            if any(p is None for p in parts):
                raise DataError(
                    f"SequenceSet.concat: some sets have {name} and some do not."
                )
            return np.concatenate(parts)

        def joined_fields(name: str) -> Fields | None:
            parts = [getattr(s, name) for s in sets]
            if all(p is None for p in parts):
                return None
            if any(p is None for p in parts):
                raise DataError(
                    f"SequenceSet.concat: some sets have {name} fields and some do not."
                )
            return Fields.concat(parts)

        return cls(
            values,
            offsets,
            vocabulary=first.vocabulary,
            labels=joined("labels"),
            ids=joined("ids"),
            timestamps=joined("timestamps"),
            itemset_start=joined("itemset_start"),
            fields=joined_fields("fields"),
            static=joined_fields("static"),
        )

    # -- basic properties
    @property
    def values(self) -> Array:
        """The flat values array (ids or floats)."""
        return self._values

    @property
    def offsets(self) -> Array:
        """Sequence boundaries into :attr:`values`, length ``n_sequences + 1``."""
        return self._offsets

    @property
    def lengths(self) -> Array:
        """Length of each sequence (``int64`` array)."""
        return np.diff(self._offsets)

    @property
    def n_steps(self) -> int:
        """Total number of steps over all sequences."""
        return int(self._offsets[-1])

    @property
    def kind(self) -> Literal["discrete", "numeric"]:
        """``"discrete"`` for symbol ids, ``"numeric"`` for float values."""
        return "numeric" if self._values.dtype.kind == "f" else "discrete"

    @property
    def n_features(self) -> int:
        """Features per step (1 for discrete data)."""
        return 1 if self._values.ndim == 1 else int(self._values.shape[1])

    @property
    def sequence_index(self) -> Array:
        """For each step, the index of the sequence it belongs to."""
        return np.repeat(np.arange(len(self), dtype=np.int64), self.lengths)

    @property
    def positions(self) -> Array:
        """For each step, its position within its sequence (0-based)."""
        starts: Array = np.repeat(self._offsets[:-1], self.lengths)
        return np.arange(self.n_steps, dtype=np.int64) - starts

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __repr__(self) -> str:
        kind = self.kind
        extra = f", n_features={self.n_features}" if kind == "numeric" else ""
        if self.vocabulary is not None:
            extra += f", vocabulary={len(self.vocabulary)} symbols"
        if self.fields is not None:
            extra += f", fields={list(self.fields)}"
        if self.static is not None:
            extra += f", static={list(self.static)}"
        return (
            f"SequenceSet(n_sequences={len(self)}, n_steps={self.n_steps}, "
            f"kind={kind!r}{extra})"
        )

    # -- access
    def __getitem__(self, key: int | slice | Array | Sequence[int]) -> Any:
        """Return one sequence's values (int) or a sub-set (slice, indices, mask)."""
        if isinstance(key, (int, np.integer)):
            n = len(self)
            i = int(key) + n if key < 0 else int(key)
            if not 0 <= i < n:
                raise IndexError(f"SequenceSet: index {key} out of range for {n}.")
            return self._values[self._offsets[i] : self._offsets[i + 1]]
        if isinstance(key, slice):
            return self.take(np.arange(len(self))[key])
        index = np.asarray(key)
        if index.dtype == bool:
            if index.shape != (len(self),):
                raise IndexError(
                    f"SequenceSet: boolean mask of shape {index.shape} does not "
                    f"match {len(self)} sequences."
                )
            index = np.flatnonzero(index)
        return self.take(index)

    def __iter__(self) -> Iterator[Array]:
        values, offsets = self._values, self._offsets
        for i in range(len(self)):
            yield values[offsets[i] : offsets[i + 1]]

    def take(self, indices: Array | Sequence[int]) -> SequenceSet:
        """Return the sequences at ``indices`` (any order, repeats allowed)."""
        index = np.asarray(indices, dtype=np.int64)
        n = len(self)
        if index.size and (index.min() < -n or index.max() >= n):
            raise IndexError(f"SequenceSet: indices out of range for {n} sequences.")
        index = np.where(index < 0, index + n, index)
        starts = self._offsets[index]
        lengths = self._offsets[index + 1] - starts
        gather, offsets = ragged_gather(starts, lengths)
        return self._gather_steps(gather, offsets, index)

    def slice_steps(
        self, start: Array | int | None, stop: Array | int | None
    ) -> SequenceSet:
        """Cut every sequence to positions ``[start, stop)`` (clipped, per sequence).

        Negative bounds count from each sequence's end, like Python slices;
        ``None`` means the sequence's start (for ``start``) or end (``stop``).
        A cut that starts inside an itemset makes its first item start one.

        Examples
        --------
        >>> ss = SequenceSet.from_lists([[1, 2, 3, 4], [5, 6]])
        >>> ss.slice_steps(-3, -1).to_lists()
        [[2, 3], [5]]
        """
        lengths = self.lengths
        lo = _resolve_bound(0 if start is None else start, lengths)
        hi = _resolve_bound(lengths if stop is None else stop, lengths)
        hi = np.maximum(hi, lo)
        gather, offsets = ragged_gather(self._offsets[:-1] + lo, hi - lo)
        return self._gather_steps(gather, offsets, restart_itemsets=True)

    def _gather_steps(
        self,
        steps: Array,
        offsets: Array,
        sequences: Array | None = None,
        *,
        restart_itemsets: bool = False,
    ) -> SequenceSet:
        """Return the steps at ``steps`` (indices or a mask) cut at ``offsets``.

        Per-step data (time stamps, itemset flags) follows ``steps``;
        per-sequence data (labels, ids) follows ``sequences``, the source
        sequence of each new one (``None``: the same sequences, in order).
        With ``restart_itemsets``, every non-empty new sequence starts an
        itemset.
        """

        def pick(arr: Array | None, at: Array | None) -> Array | None:
            return arr if arr is None or at is None else arr[at]

        def rows(f: Fields | None, at: Array | None) -> Fields | None:
            if f is None or at is None:
                return f
            at = np.asarray(at)
            return f.take(np.flatnonzero(at) if at.dtype == bool else at)

        flags = pick(self.itemset_start, steps)  # a fresh array: safe to edit
        if flags is not None and restart_itemsets:
            flags[offsets[:-1][np.diff(offsets) > 0]] = True
        return SequenceSet(
            self._values[steps],
            offsets,
            vocabulary=self.vocabulary,
            labels=pick(self.labels, sequences),
            ids=pick(self.ids, sequences),
            timestamps=pick(self.timestamps, steps),
            itemset_start=flags,
            fields=rows(self.fields, steps),
            static=rows(self.static, sequences),
        )

    def filter_length(
        self, min_length: int = 0, max_length: int | None = None
    ) -> SequenceSet:
        """Keep sequences with ``min_length <= length <= max_length``."""
        lengths = self.lengths
        keep = lengths >= min_length
        if max_length is not None:
            keep &= lengths <= max_length
        return self.take(np.flatnonzero(keep))

    def _replace(self, **changes: Any) -> SequenceSet:
        """Return a shallow copy with some constructor arguments changed."""
        args: dict[str, Any] = {
            "values": self._values,
            "offsets": self._offsets,
            "vocabulary": self.vocabulary,
            "labels": self.labels,
            "ids": self.ids,
            "timestamps": self.timestamps,
            "itemset_start": self.itemset_start,
            "fields": self.fields,
            "static": self.static,
        }
        args.update(changes)
        return SequenceSet(args.pop("values"), args.pop("offsets"), **args)

    def with_labels(self, labels: Array | Sequence[Any] | None) -> SequenceSet:
        """Return a shallow copy with new per-sequence labels."""
        return self._replace(labels=labels)

    def with_values(self, values: Array, vocabulary: Vocabulary | None) -> SequenceSet:
        """Return a shallow copy with new values (one per step), such as re-encoded ids.

        Offsets, labels, ids, timestamps, itemsets and fields stay.
        """
        return self._replace(values=values, vocabulary=vocabulary)

    def with_fields(
        self,
        fields: Fields | Mapping[str, Any] | None = None,
        static: Fields | Mapping[str, Any] | None = None,
    ) -> SequenceSet:
        """Return a shallow copy with these per-step and per-sequence fields.

        ``fields`` maps names to one flat value per step (aligned with
        :attr:`values`), ``static`` to one value per sequence; see
        :class:`~seqpred.data.fields.Fields`. ``None`` removes them.
        """
        return self._replace(fields=fields, static=static)

    def with_key(
        self, *names: str, item_name: str = "item", separator: str = "|"
    ) -> SequenceSet:
        """Return the set whose item is another field, or several fields joined.

        Classic (counting) models read only the item; this makes any
        categorical field the item they predict (``with_key("action")``:
        the next action type), or a **joint key** of several
        (``with_key("item", "action")``: items such as ``"shoe|buy"``). The
        old item becomes the field ``item_name``; the other fields stay.

        Parameters
        ----------
        *names : str
            One or more categorical field names; ``item_name`` stands for the
            current item.
        item_name : str, default="item"
            The field name of the current item (in ``names`` and in the
            result's fields).
        separator : str, default="|"
            Joins the values of a joint key (as text).

        Returns
        -------
        SequenceSet
            Discrete, with a new vocabulary. A step whose key field is missing
            gets ``<unk>``.

        Examples
        --------
        >>> ss = SequenceSet.from_lists(
        ...     [["home", "shoe"]], fields={"action": [["view", "buy"]]})
        >>> ss.with_key("action").to_lists(), ss.with_key("action").fields
        ([['view', 'buy']], Fields(2 rows: item (categorical, 2 values)))
        >>> ss.with_key("item", "action").to_lists()
        [['home|view', 'shoe|buy']]
        """
        return _with_key(self, names, item_name, separator)

    def decode(self, i: int) -> list[Hashable]:
        """Return sequence ``i`` as symbols (discrete) or as a list of floats."""
        if self.vocabulary is None:
            return self[i].tolist()  # type: ignore[no-any-return]
        return self.vocabulary.decode(self[i])

    def to_lists(self, *, decode: bool = True) -> list[list[Any]]:
        """Return the sequences as Python lists (symbols when ``decode``).

        Numeric data with one feature gives lists of floats; with several
        features, lists of per-step lists.
        """
        values = self._values
        if self.kind == "numeric" and values.shape[1] == 1:
            values = values[:, 0]
        if decode and self.vocabulary is not None:
            flat: list[Any] = self.vocabulary.decode(values)
        else:
            flat = values.tolist()
        bounds = self._offsets.tolist()
        return [flat[a:b] for a, b in zip(bounds[:-1], bounds[1:])]

    def to_polars(self) -> Any:
        """Return a long polars DataFrame: one row per step.

        Columns: ``sequence_id`` (the ``ids``, else 0 to N - 1), ``timestamp``
        (when the set has time stamps) or ``step`` (the 0-based position),
        ``item`` (decoded symbols, or the values of one numeric feature;
        ``item_0``, ``item_1`` ... for several), ``label`` when the set has
        labels, then one column per field and per static field (repeated on
        each step). :func:`seqpred.data.readers.read_table` (or
        :func:`~seqpred.data.readers.from_polars`) reads it back.

        Examples
        --------
        >>> ss = SequenceSet.from_lists([["a", "b"], ["c"]])
        >>> ss.to_polars().rows()
        [(0, 0, 'a'), (0, 1, 'b'), (1, 0, 'c')]
        """
        import polars as pl

        index = self.sequence_index
        ids = np.arange(len(self)) if self.ids is None else np.asarray(self.ids)
        columns: dict[str, Any] = {"sequence_id": pl.Series(ids[index].tolist())}
        if self.timestamps is not None:
            columns["timestamp"] = np.asarray(self.timestamps)
        else:
            columns["step"] = self.positions
        if self.kind == "discrete":
            vocabulary = self.vocabulary or Vocabulary()
            columns["item"] = pl.Series(vocabulary.decode(self._values), strict=False)
        elif self._values.shape[1] == 1:
            columns["item"] = self._values[:, 0]
        else:
            for f in range(self._values.shape[1]):
                columns[f"item_{f}"] = self._values[:, f]
        if self.labels is not None:
            columns["label"] = pl.Series(np.asarray(self.labels)[index].tolist())
        for name, step_field in (self.fields or {}).items():
            columns[name] = pl.Series(step_field.decode(), strict=False)
        for name, static in (self.static or {}).items():
            repeated = Field(static.values[index], static.vocabulary)
            columns[name] = pl.Series(repeated.decode(), strict=False)
        return pl.DataFrame(columns)

    def to_pandas(self) -> Any:
        """Return a long pandas DataFrame, as :meth:`to_polars` (needs pandas)."""
        return self.to_polars().to_pandas()

    def padded(
        self, *, max_length: int | None = None, side: str = "right", pad: float = 0
    ) -> tuple[Array, Array]:
        """Return a dense ``(N, L)`` (or ``(N, L, F)``) array and its ``(N, L)`` mask.

        Sequences longer than ``max_length`` keep their **last** steps; see
        :func:`seqpred.data.framing.pad_sequences` for the parameters.
        """
        check_int(
            "pad_sequences", "max_length", max_length,
            low=0, default=None, optional=True, hint="for no limit",
        )  # fmt: skip
        if side not in ("right", "left"):
            raise InvalidParameterError(
                f"pad_sequences: side must be 'right' or 'left'; got {side!r}. "
                "Use side='left' to right-align rows (recent steps last)."
            )
        _check_pad(self, pad)
        lengths = self.lengths
        n = len(self)
        width = int(lengths.max(initial=0)) if max_length is None else int(max_length)
        kept = np.minimum(lengths, width)
        # Source: the last `kept` steps of each sequence.
        src, within = ragged_ranges(self.offsets[1:] - kept, kept)
        rows = np.repeat(np.arange(n, dtype=np.int64), kept)
        cols = within if side == "right" else within + np.repeat(width - kept, kept)
        values = self.values
        array = np.full((n, width) + values.shape[1:], pad, dtype=values.dtype)
        array[rows, cols] = values[src]  # (N, L) or (N, L, F)
        mask = np.zeros((n, width), dtype=bool)
        mask[rows, cols] = True
        return array, mask


# -- helpers ----------------------------------------------------------------------


def _with_key(
    ss: SequenceSet, names: tuple[str, ...], item_name: str, separator: str
) -> SequenceSet:
    """Return ``ss`` keyed by the fields ``names`` (:meth:`SequenceSet.with_key`)."""
    fields = dict(ss.fields or {})
    if not names or item_name in fields:
        raise DataError(
            "SequenceSet.with_key: give one or more field names, none of them "
            f"an existing field called {item_name!r} (the current item's name); "
            f"got names {list(names)!r} and fields {list(fields)!r}. Pass "
            "item_name= to name the item otherwise."
        )
    if ss.kind != "discrete":
        raise DataError("SequenceSet.with_key: needs discrete sequences.")
    fields[item_name] = Field(ss.values, ss.vocabulary or Vocabulary())
    columns = []
    for name in names:
        if name not in fields or fields[name].vocabulary is None:
            raise DataError(
                f"SequenceSet.with_key: {name!r} is not a categorical field; "
                f"expected one of {[n for n, f in fields.items() if f.vocabulary]} "
                f"({item_name!r} is the current item). Pass item_name={name!r} "
                "if you mean the item."
            )
        columns.append(fields[name])
    if len(columns) == 1:
        values, vocabulary = columns[0].values, columns[0].vocabulary
    else:
        decoded = [c.decode() for c in columns]
        joined: list[Any] = [
            None if any(v is None for v in row) else separator.join(map(str, row))
            for row in zip(*decoded)
        ]
        vocabulary = Vocabulary()
        missing = np.array([v is None for v in joined], dtype=bool)
        values = np.full(len(joined), UNK_ID, dtype=np.int64)
        if (~missing).any():
            present = [v for v in joined if v is not None]
            values[~missing] = vocabulary.encode(present, unknown="add")
    if len(names) == 1:
        del fields[names[0]]
    return ss._replace(
        values=values, vocabulary=vocabulary, fields=Fields(fields, ss.n_steps)
    )


def _check_offsets(offsets: Array, n_values: int) -> None:
    if offsets.ndim != 1 or len(offsets) < 1:
        raise DataError("SequenceSet: offsets must be a 1-D array of length >= 1.")
    if offsets[0] != 0 or offsets[-1] != n_values:
        raise DataError(
            f"SequenceSet: offsets must start at 0 and end at len(values)={n_values}; "
            f"got {offsets[0]}..{offsets[-1]}."
        )
    if len(offsets) > 1 and (offsets[1:] < offsets[:-1]).any():  # np.diff: 5x slower
        raise DataError("SequenceSet: offsets must be non-decreasing.")


def _per_item(values: Any, n: int, name: str, unit: str) -> Array | None:
    if values is None:
        return None
    arr = np.asarray(values)
    if arr.ndim == 0 or len(arr) != n:
        got = "a scalar" if arr.ndim == 0 else f"{len(arr)}"
        raise DataError(
            f"SequenceSet: {name} must have one entry per {unit} ({n}); got {got}."
        )
    return arr


def _resolve_bound(bound: Array | int, lengths: Array) -> Array:
    b = np.broadcast_to(np.asarray(bound, dtype=np.int64), lengths.shape)
    b = np.where(b < 0, b + lengths, b)
    return np.clip(b, 0, lengths)


def _as_sequence(seq: Any, i: int) -> Any:
    if isinstance(seq, (str, list, tuple, np.ndarray)):
        return seq
    if isinstance(seq, (int, float, np.number)):
        raise DataError(
            f"SequenceSet.from_lists: item {i} is a bare {type(seq).__name__} "
            f"({seq!r}), not a sequence. Pass a list of sequences, e.g. [[1, 2, 3]] "
            "rather than [1, 2, 3]."
        )
    try:
        return list(seq)
    except TypeError:
        raise DataError(
            f"SequenceSet.from_lists: item {i} ({type(seq).__name__}) is not a "
            "sequence; pass lists, strings or arrays."
        ) from None


def _looks_numeric(seqs: list[Any]) -> bool:
    for seq in seqs:
        if isinstance(seq, np.ndarray):
            if seq.size:
                return bool(seq.dtype.kind == "f")
            continue
        if isinstance(seq, str):
            return False
        for item in seq:
            if isinstance(item, (list, tuple, np.ndarray)):
                return all(isinstance(v, (float, np.floating)) for v in item)
            return isinstance(item, (float, np.floating))
    return False


def _stack_numeric(seqs: list[Any]) -> Array:
    arrays = []
    n_features: int | None = None
    for i, seq in enumerate(seqs):
        try:
            arr = np.asarray(seq, dtype=np.float64)
        except (TypeError, ValueError):
            raise DataError(
                f"SequenceSet.from_lists: numeric sequence {i} has ragged steps or "
                "non-numeric values; every step needs the same number of floats."
            ) from None
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.ndim != 2:
            raise DataError(
                f"SequenceSet.from_lists: numeric sequence {i} has shape {arr.shape};"
                " expected (steps,) or (steps, n_features)."
            )
        if len(arr):
            if n_features is None:
                n_features = arr.shape[1]
            elif arr.shape[1] != n_features:
                raise DataError(
                    f"SequenceSet.from_lists: sequence {i} has {arr.shape[1]} features"
                    f" per step but earlier ones have {n_features}; all must match."
                )
        arrays.append(arr)
    width = n_features or 1
    values = (
        np.concatenate([a.reshape(-1, width) for a in arrays])
        if arrays
        else np.empty((0, 1))
    )
    bad = ~np.isfinite(values)
    if bad.any():
        step = int(np.flatnonzero(bad.any(axis=1))[0])
        offsets = offsets_from_lengths(np.array([len(a) for a in arrays]))
        seq, _ = locate_step(offsets, step)
        raise DataError(
            f"SequenceSet.from_lists: numeric sequence {seq} contains NaN or "
            "infinite values; impute or drop them first (for example with "
            "numpy.nan_to_num or a forward fill)."
        )
    return values


def _flatten_symbols(seqs: list[Any]) -> list[Any]:
    flat: list[Any] = []
    for i, seq in enumerate(seqs):
        if isinstance(seq, np.ndarray):
            if seq.ndim > 1:
                raise DataError(
                    f"SequenceSet.from_lists: sequence {i} is a {seq.ndim}-D array "
                    f"of shape {seq.shape}; symbols are one per step. Pass 1-D "
                    "sequences of symbols, or use a model for numeric series."
                )
            flat.extend(seq.tolist())
        else:
            flat.extend(seq)
    return flat


def _check_pad(ss: SequenceSet, pad: object) -> None:
    ok = is_int(pad) or (
        is_real(pad) and (ss.kind == "numeric" or float(pad).is_integer())
    )
    if not ok:
        raise InvalidParameterError(
            f"pad_sequences: pad must be a number (an integer id for discrete "
            f"data); got {pad!r}. Use pad=0 (the padding id)."
        )
