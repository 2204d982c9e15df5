"""Extra columns of a long table read as fields: per step, or per sequence.

A long event table often has more columns than ``sequence_id, timestamp,
item``: an action type, a price, a user segment. With ``field_cols`` those
columns become :class:`~seqpred.data.fields.Fields` of the
:class:`~seqpred.data.SequenceSet` instead of being left out:

* ``field_cols=["action", "price"]`` (or ``"action,price"``) names the
  per-step fields;
  ``field_cols="auto"`` takes every column that has no other role;
* ``static_cols=["segment"]`` names per-sequence fields, whose value must not
  change within a sequence; with ``field_cols="auto"`` (and ``static_cols``
  not given), a left-over column constant within every sequence is static;
* ``numeric_cols=["dwell"]`` reads integer fields as numbers: otherwise
  float columns are numeric fields and anything else categorical.

Missing values are allowed in fields (``<unk>`` or NaN).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.fields import Field, Fields
from seqpred.data.vocabulary import UNK_ID
from seqpred.exceptions import DataError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["FieldSpec", "choose_field_columns", "field_spec", "read_fields"]

AUTO = "auto"


@dataclass(frozen=True)
class FieldSpec:
    """The field options of a reader: ``"auto"``, column names, or None."""

    fields: str | tuple[str, ...] | None = None
    static: str | tuple[str, ...] | None = None
    numeric: tuple[str, ...] = ()

    @property
    def wanted(self) -> bool:
        """Whether any field column is asked for."""
        return self.fields is not None or self.static is not None


def _as_names(value: Any, option: str, who: str) -> str | tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) and value == AUTO:
        return AUTO
    if isinstance(value, str):  # "a,b" (as a command line passes it) names two
        return tuple(n.strip() for n in value.split(",") if n.strip())
    try:
        names = tuple(value)
    except TypeError:
        names = ()
    if not names or not all(isinstance(n, str) for n in names):
        raise DataError(
            f"{who}: {option} must be 'auto', a column name or a list of names; "
            f"got {value!r}. Pass for example {option}=['action', 'price']."
        )
    return names


def field_spec(
    field_cols: Any, static_cols: Any, numeric_cols: Any, who: str
) -> FieldSpec:
    """Check the three field options of a reader; return them normalised."""
    numeric = _as_names(numeric_cols, "numeric_cols", who)
    if not isinstance(numeric, tuple) and numeric is not None:
        raise DataError(
            f"{who}: numeric_cols must name columns; got 'auto'. Pass the "
            "integer columns to read as numbers, e.g. numeric_cols=['dwell']."
        )
    static = _as_names(static_cols, "static_cols", who)
    if static == AUTO and field_cols != AUTO:
        raise DataError(
            f"{who}: static_cols='auto' needs field_cols='auto'; name the static "
            "columns, or pass field_cols='auto' to take every column left over."
        )
    fields = _as_names(field_cols, "field_cols", who)
    return FieldSpec(fields, static, tuple(numeric or ()))


def choose_field_columns(
    columns: Sequence[str], used: set[str], spec: FieldSpec, who: str
) -> tuple[list[str], list[str] | None]:
    """Return ``(step columns, static columns or None to decide from the data)``.

    ``used`` holds the columns that already have a role.
    """
    fields, static, numeric = spec.fields, spec.static, spec.numeric
    named = [*(fields if isinstance(fields, tuple) else ())]
    named += [*(static if isinstance(static, tuple) else ()), *numeric]
    for name in named:
        if name not in columns:
            raise DataError(
                f"{who}: field column {name!r} not found; expected one of the "
                f"columns {list(columns)!r}. Pass field_cols= / static_cols= with "
                "some of these names."
            )
        if name in used:
            raise DataError(
                f"{who}: column {name!r} already serves as the sequence id, "
                "time, item or label; a field must be another column. Drop it "
                "from field_cols / static_cols."
            )
    static_named = list(static) if isinstance(static, tuple) else []
    if fields == AUTO:
        rest = [c for c in columns if c not in used and c not in static_named]
        return rest, (static_named if isinstance(static, tuple) else None)
    step = list(fields) if isinstance(fields, tuple) else []
    both = set(step) & set(static_named)
    if both:
        raise DataError(
            f"{who}: columns {sorted(both)!r} are named both per-step fields and "
            "static ones; name each in field_cols or static_cols."
        )
    extra = [n for n in numeric if n not in step and n not in static_named]
    if extra:
        raise DataError(
            f"{who}: numeric_cols names {extra!r}, which are not fields; add them "
            "to field_cols or static_cols."
        )
    return step, static_named


def _constant(df: pl.DataFrame, column: str, group: Array, n_groups: int) -> bool:
    keys = df.get_column(column).rank("dense").fill_null(0).to_numpy()
    pairs = np.unique(np.stack([group, np.asarray(keys, dtype=np.int64)]), axis=1)
    return bool(pairs.shape[1] == n_groups)


def _field(column: pl.Series, numeric: bool, who: str) -> Field:
    """Encode one column: numbers (floats, or named numeric) or categories."""
    import polars as pl

    from seqpred.data.readers._frames import encode_series

    if numeric or column.dtype.is_float():
        if not column.dtype.is_numeric():
            raise DataError(
                f"{who}: field column {column.name!r} holds {column.dtype} values; "
                "expected numbers. Drop it from numeric_cols, or convert it."
            )
        return Field(column.cast(pl.Float64).fill_null(np.nan).to_numpy().copy())
    missing = column.is_null().to_numpy()
    ids = np.full(len(column), UNK_ID, dtype=np.int64)
    if not missing.all():
        codes, vocabulary = encode_series(column.drop_nulls(), None, None)
        ids[~missing] = codes
    else:
        from seqpred.data.vocabulary import Vocabulary

        vocabulary = Vocabulary()
    return Field(ids, vocabulary)


def read_fields(
    df: pl.DataFrame,
    step_cols: list[str],
    static_cols: list[str] | None,
    numeric_cols: tuple[str, ...],
    group: Array,
    first: Array,
    order: Array | None,
    who: str,
) -> tuple[Fields | None, Fields | None, list[str], list[str]]:
    """Return ``(fields, static, step names, static names)`` of the table's rows.

    ``group`` is each row's sequence, ``first`` each sequence's first row and
    ``order`` the row order of the steps (None: the table's order).
    """
    n_groups = len(first)
    if static_cols is None:  # auto: a column constant in every sequence is static
        static_cols = [c for c in step_cols if _constant(df, c, group, n_groups)]
        step_cols = [c for c in step_cols if c not in static_cols]
    for name in static_cols:
        if not _constant(df, name, group, n_groups):
            raise DataError(
                f"{who}: static column {name!r} changes within a sequence; "
                "expected one "
                "value per sequence. Read it as a per-step field (field_cols=) "
                "instead."
            )
    numeric = set(numeric_cols)
    steps = {}
    for name in step_cols:
        f = _field(df.get_column(name), name in numeric, who)
        values = f.values if order is None else f.values[order]
        steps[name] = Field(values, f.vocabulary)
    static = {
        name: _field(df.get_column(name).gather(first), name in numeric, who)
        for name in static_cols
    }
    return (
        Fields(steps, df.height) if steps else None,
        Fields(static, n_groups) if static else None,
        step_cols,
        static_cols,
    )
