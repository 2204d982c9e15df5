"""Column roles of a long table: which column is the sequence id, the time, the item.

Long tables hold one row per event (a click log: ``session_id, timestamp,
page``) or per step of a series (the Nixtla convention: ``unique_id, ds, y``
plus covariate columns). :func:`find_roles` names the role of each column
from common names, case-insensitively:

============  =============================================================
role          names recognised
============  =============================================================
sequence      sequence_id, session_id, unique_id, series_id, case_id,
              user_id, sequence, session, series, case, user, id
time          timestamp, time, ds, date, datetime, event_time, ts, step
item          item, item_id, event, event_type, action, page, product,
              product_id, symbol, token, activity, y, value; or
              item_0, item_1, ... (the features of a multivariate step)
label         label, class
============  =============================================================

A role given explicitly wins. A role that several columns could fill (both
``user_id`` and ``session_id``) is refused with an error that lists the
candidates and says which option to pass: a table is never guessed. Without
an item name, the item is the one column left over, if exactly one is.
Numeric data may have several value columns: with a ``y`` column the other
numeric columns are covariates (the Nixtla convention), otherwise the
numeric columns are the features of a multivariate series (text columns are
left out).

Examples
--------
>>> roles = find_roles(["unique_id", "ds", "y", "price"], kind="numeric",
...                    numeric={"y", "price"})
>>> roles.sequence, roles.time, roles.items, roles.covariates
('unique_id', 'ds', ('y',), ('price',))
>>> find_roles(["session_id", "timestamp", "page"]).items
('page',)
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Literal

from seqpred.exceptions import DataError

__all__ = ["AUTO", "ROLE_NAMES", "ColumnRoles", "find_roles"]

AUTO = "auto"
"""The value of a role option that asks for the role to be found from names."""

ROLE_NAMES: dict[str, tuple[str, ...]] = {
    "sequence": (
        "sequence_id", "session_id", "unique_id", "series_id", "case_id",
        "user_id", "sequence", "session", "series", "case", "user", "id",
    ),
    "time": (
        "timestamp", "time", "ds", "date", "datetime", "event_time", "ts", "step",
    ),
    "item": (
        "item", "item_id", "event", "event_type", "action", "page", "product",
        "product_id", "symbol", "token", "activity", "y", "value",
    ),
    "label": ("label", "class"),
}  # fmt: skip
"""Column names recognised for each role (compared case-insensitively)."""

_ITEM_N = re.compile(r"item_\d+")


def _how(option: str) -> str:
    return (
        f" In Python: seqpred.data.read_table(table, {option}=...); on the "
        f"command line: --data-option {option}=NAME."
    )


_OPTION = {
    "sequence": "sequence_col",
    "time": "time_col",
    "item": "item_col",
    "label": "label_col",
}


@dataclass(frozen=True)
class ColumnRoles:
    """The role of each column of a long table.

    Attributes
    ----------
    sequence : str or None
        The sequence id column (None: the whole table is one sequence).
    time : str or None
        The column that orders steps within a sequence (None: table order).
    items : tuple of str
        The item column (discrete data), or the value columns (numeric data).
    label : str or None
        A per-sequence label column.
    covariates : tuple of str
        Numeric columns beside a ``y`` value column (numeric data).
    ignored : tuple of str
        The columns no role uses.
    found : tuple of str
        The roles that were found from names rather than given.
    fields, static : tuple of str
        The columns read as per-step and per-sequence fields (discrete data
        read with ``field_cols`` / ``static_cols``).
    """

    sequence: str | None
    time: str | None
    items: tuple[str, ...]
    label: str | None = None
    covariates: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    found: tuple[str, ...] = field(default=(), compare=False)
    fields: tuple[str, ...] = ()
    static: tuple[str, ...] = ()

    def describe(self) -> str:
        """One line naming the role of each used column, for summaries."""
        parts = []
        if self.sequence is not None:
            parts.append(f"{self.sequence} (sequence)")
        if self.time is not None:
            parts.append(f"{self.time} (time)")
        parts += [f"{c} (item)" for c in self.items]
        if self.label is not None:
            parts.append(f"{self.label} (label)")
        parts += [f"{c} (covariate)" for c in self.covariates]
        parts += [f"{c} (field)" for c in self.fields]
        parts += [f"{c} (static)" for c in self.static]
        text = ", ".join(parts)
        if self.ignored:
            text += f"; not used: {', '.join(self.ignored)}"
        return text


def _matches(columns: Sequence[str], role: str, taken: Collection[str]) -> list[str]:
    names = ROLE_NAMES[role]
    return [c for c in columns if c.strip().lower() in names and c not in taken]


def _check_given(name: str, columns: Sequence[str], role: str, who: str) -> None:
    if not name.strip():
        raise DataError(
            f"{who}: {_OPTION[role]} names a column without a name; name the "
            "column in the header (a trailing separator leaves one unnamed)."
        )
    if name not in columns:
        raise DataError(
            f"{who}: column {name!r} ({_OPTION[role]}) not found; expected one of "
            f"the columns {list(columns)!r}. Pass {_OPTION[role]}= with one of "
            "these names."
        )


def _one(
    role: str,
    given: str | None,
    columns: Sequence[str],
    taken: set[str],
    who: str,
    found: list[str],
) -> str | None:
    """Resolve one single-column role: given, found by name, or None."""
    if given is None:
        return None
    if given != AUTO:
        _check_given(given, columns, role, who)
        return given
    candidates = _matches(columns, role, taken)
    if len(candidates) > 1:
        raise DataError(
            f"{who}: columns {candidates!r} could each be the {role} column; "
            f"expected one. Name it with {_OPTION[role]}= (columns: "
            f"{list(columns)!r}).{_how(_OPTION[role])}"
        )
    if candidates:
        found.append(role)
        return candidates[0]
    return None


def find_roles(
    columns: Sequence[str],
    *,
    sequence_col: str | None = AUTO,
    item_col: str | Sequence[str] = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = None,
    kind: Literal["auto", "discrete", "numeric"] = "auto",
    numeric: Collection[str] = (),
    who: str = "read_csv",
) -> ColumnRoles:
    """Give each column of a long table its role (see the module docstring).

    Parameters
    ----------
    columns : sequence of str
        The table's column names, in order.
    sequence_col, time_col, label_col : str, "auto" or None
        A column name, ``"auto"`` to find it from common names, or ``None``
        for no such column.
    item_col : str, list of str or "auto"
        The item column (or the value columns of numeric data), or ``"auto"``.
    kind : {"auto", "discrete", "numeric"}, default="auto"
        The kind of sequences wanted; numeric data may have several value
        columns and covariates.
    numeric : collection of str
        The columns holding numbers (to choose value columns and covariates).
    who : str
        The reader's name, for messages.

    Returns
    -------
    ColumnRoles

    Raises
    ------
    DataError
        For a given column that does not exist, a role several columns could
        fill, or a table whose item column cannot be told; the message lists
        the columns and the option to pass.
    """
    columns = list(columns)
    taken: set[str] = {c for c in columns if not c.strip()}  # unnamed: never a role
    found: list[str] = []
    sequence = _one("sequence", sequence_col, columns, taken, who, found)
    taken |= {sequence} - {None}  # type: ignore[arg-type]
    time = _one("time", time_col, columns, taken, who, found)
    taken |= {time} - {None}  # type: ignore[arg-type]
    label = _one("label", label_col, columns, taken, who, found)
    taken |= {label} - {None}  # type: ignore[arg-type]
    if isinstance(item_col, str) and item_col != AUTO:
        items: tuple[str, ...] = (item_col,)
    elif isinstance(item_col, str):
        items = _find_items(columns, taken, kind, set(numeric), who)
        found.append("item")
    else:
        items = tuple(item_col)
    for name in items:
        _check_given(name, columns, "item", who)
    taken |= set(items)
    rest = [c for c in columns if c not in taken]
    covariates: tuple[str, ...] = ()
    if kind != "discrete" and items == _y_column(columns):
        covariates = tuple(c for c in rest if c in numeric)
    ignored = tuple(c for c in rest if c not in covariates)
    return ColumnRoles(sequence, time, items, label, covariates, ignored, tuple(found))


def _y_column(columns: Sequence[str]) -> tuple[str, ...]:
    ys = [c for c in columns if c.strip().lower() == "y"]
    return (ys[0],) if len(ys) == 1 else ()


def _find_items(
    columns: Sequence[str],
    taken: set[str],
    kind: str,
    numeric: set[str],
    who: str,
) -> tuple[str, ...]:
    numbered = [c for c in columns if _ITEM_N.fullmatch(c) and c not in taken]
    if numbered and "item" not in {c.lower() for c in columns}:
        return tuple(numbered)  # item_0, item_1, ...: the features of one step
    candidates = _matches(columns, "item", taken)
    if len(candidates) == 1:
        return (candidates[0],)
    if len(candidates) > 1 and kind != "discrete":
        ys = [c for c in candidates if c.strip().lower() == "y"]
        if len(ys) == 1:  # Nixtla: y is the target, the rest covariates
            return (ys[0],)
    rest = [c for c in columns if c not in taken]
    if not candidates and len(rest) == 1:
        return (rest[0],)
    if not candidates and kind == "numeric" and any(c in numeric for c in rest):
        return tuple(c for c in rest if c in numeric)  # the features of a series
    if not candidates and kind == "numeric":
        raise DataError(
            f"{who}: no numeric column to read as the series; expected a column "
            f"of numbers (columns: {columns!r}). Name it with item_col=."
            + _how("item_col")
        )
    what = f"columns {candidates!r} could each be" if candidates else "no column is"
    raise DataError(
        f"{who}: {what} the item column; expected one. Name it with item_col= "
        f"({f'one of {rest!r}' if rest else 'every named column has a role'}), "
        "and sequence_col=, time_col= if those were not "
        f"found either (columns: {columns!r}).{_how('item_col')}"
    )
