"""Named fields beside the item: per-step event attributes and per-sequence statics.

An event often carries more than its item: a click has a category, a price,
a dwell time; a session has a user segment, a region. A
:class:`~seqpred.data.SequenceSet` keeps them as :class:`Fields`, named
columns aligned with its steps (``ss.fields``) or with its sequences
(``ss.static``). Each column is a :class:`Field`:

* **categorical**: ``int64`` ids of a :class:`Vocabulary` of its own
  (missing values are ``UNK_ID``);
* **numeric**: ``float64`` numbers (missing values are NaN).

When columns are given as plain values, floats make numeric fields and
anything else (text, ints, bools) categorical ones, as for the item itself;
``numeric=`` and ``categorical=`` name the exceptions.

Examples
--------
>>> f = Fields.from_columns({"action": ["view", "buy", "view"],
...                          "price": [9.5, 20.0, None]}, 3)
>>> f
Fields(3 rows: action (categorical, 2 values), price (numeric))
>>> f["action"].values.tolist(), f["price"].values.tolist()
([3, 4, 3], [9.5, 20.0, nan])
>>> f.take([2, 0]).decode("action")
['view', 'view']
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from seqpred._typing import Array
from seqpred.data.vocabulary import UNK_ID, Vocabulary
from seqpred.exceptions import DataError

__all__ = ["Field", "Fields"]


@dataclass(frozen=True, eq=False)
class Field:
    """One named column: categorical ids with their vocabulary, or numbers.

    Parameters
    ----------
    values : ndarray
        ``int64`` ids of ``vocabulary`` (categorical) or ``float64`` numbers
        (numeric, NaN for missing).
    vocabulary : Vocabulary or None, default=None
        The symbols of a categorical field; ``None`` for a numeric one.
    """

    values: Array
    vocabulary: Vocabulary | None = None

    @property
    def kind(self) -> Literal["categorical", "numeric"]:
        """``"categorical"`` or ``"numeric"``."""
        return "numeric" if self.vocabulary is None else "categorical"

    def decode(self) -> list[Any]:
        """Return the values as symbols (``None`` where missing) or floats."""
        if self.vocabulary is None:
            return [None if v != v else v for v in self.values.tolist()]
        symbols = self.vocabulary.decode(self.values)
        missing = (self.values == UNK_ID).tolist()
        return [None if m else s for s, m in zip(symbols, missing)]


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def _column(
    name: str,
    raw: Any,
    length: int,
    kind: str,
    vocabulary: Vocabulary | None,
    who: str,
) -> Field:
    """Encode one column of plain values (``kind``: numeric, categorical or auto)."""
    if isinstance(raw, Field):
        values = raw.values
        if len(values) != length:
            raise DataError(
                f"{who}: field {name!r} has {len(values)} values; expected one per "
                f"row ({length}). Give every row a value (None when missing)."
            )
        return raw
    items: list[Any] = raw.tolist() if isinstance(raw, np.ndarray) else list(raw)
    if (isinstance(raw, np.ndarray) and raw.ndim != 1) or len(items) != length:
        got = raw.shape if isinstance(raw, np.ndarray) else f"{len(items)} values"
        raise DataError(
            f"{who}: field {name!r} must hold one value per row ({length}); got "
            f"{got}. Give every row a value (None when missing)."
        )
    if kind == "auto":
        present = [v for v in items if not _is_missing(v)]
        floats = all(
            isinstance(v, (float, np.floating)) and not isinstance(v, bool)
            for v in present
        )
        kind = "numeric" if present and floats else "categorical"
        if isinstance(raw, np.ndarray) and raw.dtype.kind == "f":
            kind = "numeric"
    if kind == "numeric":
        try:
            numbers = np.array(
                [np.nan if _is_missing(v) else v for v in items], dtype=np.float64
            )
        except (TypeError, ValueError):
            raise DataError(
                f"{who}: numeric field {name!r} holds values that are not "
                f"numbers (first: {items[0]!r}). Convert them, or read the field "
                "as categorical."
            ) from None
        if np.isinf(numbers).any():
            raise DataError(
                f"{who}: numeric field {name!r} holds infinite values; expected "
                "finite numbers or NaN for missing. Clip or drop them first."
            )
        return Field(numbers)
    vocabulary = Vocabulary() if vocabulary is None else vocabulary
    missing = np.fromiter((_is_missing(v) for v in items), bool, count=len(items))
    ids = np.full(len(items), UNK_ID, dtype=np.int64)
    present = [v for v, m in zip(items, missing) if not m]
    if present:
        ids[~missing] = vocabulary.encode(present, unknown="add")
    return Field(ids, vocabulary)


class Fields(Mapping[str, Field]):
    """Named :class:`Field` columns of one length (steps or sequences).

    A read-only mapping ``name -> Field``; :attr:`length` is the number of
    rows. Use :meth:`from_columns` to build one from plain values.

    Parameters
    ----------
    columns : mapping of str to Field
        The columns, in order.
    length : int
        Rows of every column.
    """

    __slots__ = ("_columns", "_length")

    def __init__(self, columns: Mapping[str, Field], length: int) -> None:
        for name, field in columns.items():
            if not isinstance(name, str) or not name:
                raise DataError(f"Fields: names must be non-empty str; got {name!r}.")
            if len(field.values) != length:
                raise DataError(
                    f"Fields: field {name!r} has {len(field.values)} rows; "
                    f"expected {length}."
                )
        self._columns = dict(columns)
        self._length = int(length)

    @classmethod
    def from_columns(
        cls,
        columns: Mapping[str, Any],
        length: int,
        *,
        numeric: Collection[str] = (),
        categorical: Collection[str] = (),
        vocabularies: Mapping[str, Vocabulary] | None = None,
        who: str = "Fields",
    ) -> Fields:
        """Encode plain columns (one value per row; None or NaN when missing).

        Parameters
        ----------
        columns : mapping of str to array-like or Field
            The values of each field.
        length : int
            Rows expected in every column.
        numeric, categorical : collection of str, default=()
            Fields to read as numbers, or as categories, whatever their type
            (otherwise floats are numeric and anything else categorical).
        vocabularies : mapping of str to Vocabulary, default=None
            Encode these categorical fields with (and add to) the given
            vocabularies.
        who : str, default="Fields"
            The caller's name, for messages.

        Returns
        -------
        Fields
        """
        both = set(numeric) & set(categorical)
        if both:
            raise DataError(
                f"{who}: fields {sorted(both)!r} are named both numeric and "
                "categorical; name each in one of the two."
            )
        vocabularies = dict(vocabularies or {})
        encoded = {}
        for name, raw in columns.items():
            kind = (
                "numeric"
                if name in numeric
                else "categorical"
                if name in categorical
                else "auto"
            )
            encoded[str(name)] = _column(
                str(name), raw, length, kind, vocabularies.get(name), who
            )
        return cls(encoded, length)

    # -- mapping
    def __getitem__(self, name: str) -> Field:
        try:
            return self._columns[name]
        except KeyError:
            raise KeyError(
                f"no field {name!r}; the fields are {list(self._columns)}"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns)

    def __len__(self) -> int:
        return len(self._columns)

    @property
    def length(self) -> int:
        """Rows of every column."""
        return self._length

    def names(self, kind: str | None = None) -> list[str]:
        """Return the field names (only those of ``kind`` when given)."""
        return [n for n, f in self._columns.items() if kind in (None, f.kind)]

    def __repr__(self) -> str:
        parts = [
            f"{n} (categorical, {len(f.vocabulary)} values)"
            if f.vocabulary is not None
            else f"{n} (numeric)"
            for n, f in self._columns.items()
        ]
        return f"Fields({self._length} rows: {', '.join(parts)})"

    # -- rows
    def decode(self, name: str) -> list[Any]:
        """Return one field's values as symbols or floats (``None`` if missing)."""
        return self[name].decode()

    def take(self, index: Array | Sequence[int]) -> Fields:
        """Return the rows at ``index`` (any order, repeats allowed)."""
        index = np.asarray(index, dtype=np.int64)
        return Fields(
            {n: Field(f.values[index], f.vocabulary) for n, f in self._columns.items()},
            len(index),
        )

    def spread(self, keep: Array) -> Fields:
        """Return ``len(keep)`` rows: these where ``keep``, missing values elsewhere.

        Used to append steps that have not happened yet (a continuation).
        """
        n = len(keep)
        out = {}
        for name, f in self._columns.items():
            fill: Any = np.nan if f.vocabulary is None else UNK_ID
            values = np.full(n, fill, dtype=f.values.dtype)
            values[keep] = f.values
            out[name] = Field(values, f.vocabulary)
        return Fields(out, n)

    @staticmethod
    def concat(parts: Sequence[Fields], who: str = "SequenceSet.concat") -> Fields:
        """Stack the rows of several :class:`Fields` with the same columns."""
        first = parts[0]
        for other in parts[1:]:
            if list(other) != list(first) or any(
                other[n].kind != first[n].kind
                or (
                    other[n].vocabulary is not first[n].vocabulary
                    and other[n].vocabulary != first[n].vocabulary
                )
                for n in first
            ):
                raise DataError(
                    f"{who}: the sets' fields differ ({list(first)} vs "
                    f"{list(other)}, or their kinds or vocabularies); encode them "
                    "with the same fields and vocabularies first."
                )
        return Fields(
            {
                n: Field(
                    np.concatenate([p[n].values for p in parts]), first[n].vocabulary
                )
                for n in first
            },
            sum(p.length for p in parts),
        )


def as_fields(
    value: Fields | Mapping[str, Any] | None, length: int, unit: str
) -> Fields | None:
    """Return ``value`` as :class:`Fields` of ``length`` rows (or None)."""
    if value is None:
        return None
    if isinstance(value, Fields):
        if value.length != length:
            raise DataError(
                f"SequenceSet: {unit} fields have {value.length} rows; expected "
                f"one per {unit} ({length})."
            )
        return value
    if not isinstance(value, Mapping):
        raise DataError(
            f"SequenceSet: {unit} fields must be a dict of name -> values (one "
            f"per {unit}) or Fields; got {type(value).__name__}."
        )
    return Fields.from_columns(value, length, who=f"SequenceSet ({unit} fields)")


def flatten_nested(
    columns: Mapping[str, Any], lengths: Sequence[int], who: str
) -> dict[str, list[Hashable]]:
    """Flatten per-sequence lists of field values, checking they match the steps."""
    flat: dict[str, list[Hashable]] = {}
    for name, per_sequence in columns.items():
        if isinstance(per_sequence, (str, bytes)) or len(per_sequence) != len(lengths):
            raise DataError(
                f"{who}: field {name!r} needs one list of values per sequence "
                f"({len(lengths)}); got {type(per_sequence).__name__}."
            )
        values: list[Hashable] = []
        for i, (row, n) in enumerate(zip(per_sequence, lengths)):
            row = list(row)
            if len(row) != n:
                raise DataError(
                    f"{who}: field {name!r} of sequence {i} has {len(row)} values; "
                    f"expected one per step ({n})."
                )
            values.extend(row)
        flat[name] = values
    return flat
