"""Long-format tables (one row per event) from CSV, Parquet or a DataFrame.

Rows are grouped by a sequence-id column (sequences in first-seen order) and
ordered by an optional time column (stable: file order breaks ties). All the
per-row work runs in polars; only distinct symbols become Python objects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from seqpred.data.readers._common import (
    Array,
    PathLike,
    Unknown,
    check_option,
    check_path,
    to_sequence_set,
)
from seqpred.data.readers._frames import encode_series, series_groups, stable_argsort
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, EmptySequenceError, ParseError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["from_dataframe", "read_csv", "read_parquet"]

Kind = Literal["auto", "discrete", "numeric"]


@dataclass(frozen=True)
class _Source:
    """Where rows come from, to word errors: a file (with line numbers) or a frame."""

    who: str
    path: str | None = None
    header_lines: int | None = None  # data row r is on line r + header_lines + 1

    def fail(self, message: str, row: int | None = None) -> DataError:
        """Return the error to raise for ``message`` about data row ``row``."""
        if self.path is None:
            where = "" if row is None else f"row {row}: "
            return DataError(f"{self.who}: {where}{message}")
        if self.header_lines is None or row is None:
            where = "" if row is None else f"row {row}: "
            return ParseError(f"{self.who}: {where}{message}", path=self.path)
        line = row + self.header_lines + 1
        return ParseError(f"{self.who}: {message}", path=self.path, line=line)


@dataclass(frozen=True)
class _Spec:
    """The column roles and encoding options shared by the three entry points."""

    sequence_col: str
    item_cols: tuple[str, ...]
    time_col: str | None
    label_col: str | None
    kind: Kind
    vocabulary: Vocabulary | None
    unknown: Unknown | None


def _spec(
    who: str,
    sequence_col: str,
    item_col: str | Sequence[str],
    time_col: str | None,
    label_col: str | None,
    extra_cols: Sequence[str] | None,
    kind: Kind,
    vocabulary: Vocabulary | None,
    unknown: Unknown | None,
) -> _Spec:
    check_option(who, "kind", kind, ["auto", "discrete", "numeric"])
    items = (item_col,) if isinstance(item_col, str) else tuple(item_col)
    items += tuple(extra_cols or ())
    if not items:
        raise DataError(
            f"{who}: item_col is empty; expected a column name or a list of "
            "names. Pass item_col='item'."
        )
    return _Spec(sequence_col, items, time_col, label_col, kind, vocabulary, unknown)


_COLUMN_DOC = """
    sequence_col : str, default="sequence_id"
        Column with the sequence (session, user, case) identifier.
    item_col : str or list of str, default="item"
        Column with the symbol of each event, or several numeric columns
        (one feature each) for multivariate numeric sequences.
    time_col : str, default=None
        Column to order events within a sequence (stable sort); ``None`` keeps
        file order.
    label_col : str, default=None
        Column with a per-sequence label; it must be constant within a
        sequence.
    extra_cols : list of str, default=None
        More numeric per-step columns, appended as features after
        ``item_col`` (numeric data only).
"""

_ENCODING_DOC = """
    kind : {"auto", "discrete", "numeric"}, default="auto"
        ``"auto"``: float item columns (or several columns) give numeric
        sequences, anything else discrete symbols.
    vocabulary : Vocabulary, default=None
        Encode symbols with this vocabulary; ``None`` builds one in the order
        symbols first appear in the table.
    unknown : {"error", "unk", "add"}, default=None
        Policy for symbols missing from ``vocabulary``.
"""


def read_csv(
    path: PathLike,
    *,
    sequence_col: str = "sequence_id",
    item_col: str | Sequence[str] = "item",
    time_col: str | None = None,
    label_col: str | None = None,
    extra_cols: Sequence[str] | None = None,
    separator: str = ",",
    kind: Kind = "auto",
    vocabulary: Vocabulary | None = None,
    unknown: Unknown | None = None,
) -> SequenceSet:
    r"""Read a long-format CSV file: one row per event.

    Parameters
    ----------
    path : str or path-like
        The CSV file, with a header row.
    {columns}
    separator : str, default=","
        Field separator (``"\t"`` for TSV).
    {encoding}

    Returns
    -------
    SequenceSet
        Sequences in order of first appearance, with ``ids``, and
        ``timestamps`` and ``labels`` when those columns are given.

    Raises
    ------
    DataError
        For a missing file or column (the message lists the columns there
        are); :class:`EmptySequenceError` for a file without rows.
    ParseError
        For a null or NaN item, id, time or label (with its line), a label
        that changes within a sequence, or a malformed file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text(
    ...     "sequence_id,timestamp,item\nu1,2,b\nu2,1,c\nu1,1,a\n"
    ... )
    >>> ss = read_csv(path, time_col="timestamp")
    >>> ss.to_lists(), ss.ids.tolist(), ss.timestamps.tolist()
    ([['a', 'b'], ['c']], ['u1', 'u2'], [1, 2, 1])
    """
    import polars as pl

    who = "read_csv"
    spec = _spec(
        who, sequence_col, item_col, time_col, label_col, extra_cols,
        kind, vocabulary, unknown,
    )  # fmt: skip
    p = check_path(path, who)
    if p.stat().st_size == 0:
        raise EmptySequenceError(
            f"{who}: file {str(p)!r} is empty; expected a header row and events."
        )
    source = _Source(who, str(p), header_lines=1)
    try:
        frame = pl.scan_csv(p, separator=separator, infer_schema_length=10_000)
    except pl.exceptions.PolarsError as exc:
        raise source.fail(_polars_message(exc)) from None
    return _read_frame(frame, spec, source)


def read_parquet(
    path: PathLike,
    *,
    sequence_col: str = "sequence_id",
    item_col: str | Sequence[str] = "item",
    time_col: str | None = None,
    label_col: str | None = None,
    extra_cols: Sequence[str] | None = None,
    kind: Kind = "auto",
    vocabulary: Vocabulary | None = None,
    unknown: Unknown | None = None,
) -> SequenceSet:
    """Read a long-format Parquet file: one row per event.

    Parameters
    ----------
    path : str or path-like
        The Parquet file.
    {columns}
    {encoding}

    Returns
    -------
    SequenceSet

    Raises
    ------
    DataError, ParseError
        As :func:`read_csv`; errors name the 0-based row.

    Examples
    --------
    >>> import pathlib, tempfile, polars as pl
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.parquet"
    >>> df = pl.DataFrame({{"sequence_id": [1, 1, 2], "item": [5, 6, 5]}})
    >>> df.write_parquet(path)
    >>> read_parquet(path).to_lists()
    [[5, 6], [5]]
    """
    import polars as pl

    who = "read_parquet"
    spec = _spec(
        who, sequence_col, item_col, time_col, label_col, extra_cols,
        kind, vocabulary, unknown,
    )  # fmt: skip
    p = check_path(path, who)
    source = _Source(who, str(p))
    try:
        frame = pl.scan_parquet(p)
    except pl.exceptions.PolarsError as exc:
        raise source.fail(f"not a readable Parquet file ({exc}).") from None
    return _read_frame(frame, spec, source)


def from_dataframe(
    df: Any,
    *,
    sequence_col: str = "sequence_id",
    item_col: str | Sequence[str] = "item",
    time_col: str | None = None,
    label_col: str | None = None,
    extra_cols: Sequence[str] | None = None,
    kind: Kind = "auto",
    vocabulary: Vocabulary | None = None,
    unknown: Unknown | None = None,
) -> SequenceSet:
    """Build a :class:`SequenceSet` from a long-format polars or pandas DataFrame.

    Parameters
    ----------
    df : polars.DataFrame, polars.LazyFrame or pandas.DataFrame
        One row per event (a pandas index is ignored: ``reset_index()`` it
        first if it holds a column you need).
    {columns}
    {encoding}

    Returns
    -------
    SequenceSet

    Raises
    ------
    DataError
        For a missing column, a null item, id, time or label (naming the
        0-based row), or a label that changes within a sequence.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({{"sequence_id": ["a", "a", "b"], "item": ["x", "y", "x"]}})
    >>> from_dataframe(df).to_lists()
    [['x', 'y'], ['x']]
    >>> numeric = pl.DataFrame({{"sequence_id": [1, 1], "item": [0.5, 1.5]}})
    >>> from_dataframe(numeric).values.tolist()
    [[0.5], [1.5]]
    """
    who = "from_dataframe"
    spec = _spec(
        who, sequence_col, item_col, time_col, label_col, extra_cols,
        kind, vocabulary, unknown,
    )  # fmt: skip
    return _read_frame(_as_lazy(df, who), spec, _Source(who))


for _function in (read_csv, read_parquet, from_dataframe):
    _function.__doc__ = (_function.__doc__ or "").format(
        columns=_COLUMN_DOC.strip(), encoding=_ENCODING_DOC.strip()
    )


def _as_lazy(df: Any, who: str) -> pl.LazyFrame:
    import polars as pl

    if isinstance(df, pl.LazyFrame):
        return df
    if isinstance(df, pl.DataFrame):
        return df.lazy()
    if type(df).__module__.startswith("pandas") and hasattr(df, "columns"):
        return pl.from_pandas(df, include_index=False).lazy()
    raise DataError(
        f"{who}: expected a polars or pandas DataFrame; got "
        f"{type(df).__name__}. Convert it with polars.DataFrame(...)."
    )


def _polars_message(exc: Exception) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    return (
        f"could not read the table ({first}); expected a header row and the "
        "same number of fields on every line. Check the separator, the quoting "
        "and the column types."
    )


def _read_frame(frame: pl.LazyFrame, spec: _Spec, source: _Source) -> SequenceSet:
    """Collect the needed columns, check them, order the rows and build the set."""
    import polars as pl

    try:
        schema = frame.collect_schema()
        _check_columns(schema, spec, source)
        numeric = _is_numeric(schema, spec, source)
        columns = [spec.sequence_col, *spec.item_cols, spec.time_col, spec.label_col]
        df = frame.select(list(dict.fromkeys(c for c in columns if c))).collect()
    except pl.exceptions.PolarsError as exc:
        raise source.fail(_polars_message(exc)) from None
    if df.height == 0:
        raise EmptySequenceError(
            f"{source.who}: the table has no rows; expected one row per event."
        )
    _check_nulls(df, spec, source)
    sequences = df.get_column(spec.sequence_col)
    group, first = series_groups(sequences)  # sequences in first-seen order
    labels = _labels(df, spec, source, group, first)
    vocabulary = None
    if numeric:
        values = df.select(spec.item_cols).cast(pl.Float64).to_numpy()
    else:  # encoded in file order, so new symbols get ids in first-seen order
        values, vocabulary = encode_series(
            df.get_column(spec.item_cols[0]), spec.vocabulary, spec.unknown
        )
    times = None if spec.time_col is None else df.get_column(spec.time_col)
    order = _order(group, times, len(first))
    if order is not None:
        values = values[order]
    return to_sequence_set(
        values,
        np.bincount(group, minlength=len(first)),
        vocabulary=vocabulary,
        ids=sequences.gather(first).to_numpy(),
        timestamps=None if times is None else _take(times.to_numpy(), order),
        labels=labels,
    )


def _take(values: Array, order: Array | None) -> Array:
    return values if order is None else values[order]


def _check_columns(schema: Any, spec: _Spec, source: _Source) -> None:
    roles: list[tuple[str, str | None]] = [("sequence_col", spec.sequence_col)]
    roles += [("item_col", c) for c in spec.item_cols]
    roles += [("time_col", spec.time_col), ("label_col", spec.label_col)]
    for role, name in roles:
        if name is not None and name not in schema:
            raise DataError(
                f"{source.who}: column {name!r} ({role}) not found; expected one "
                f"of the columns {list(schema.names())!r}. Pass {role}= with one "
                "of these names."
            )


def _is_numeric(schema: Any, spec: _Spec, source: _Source) -> bool:
    """Decide between numeric and discrete sequences from the item dtypes."""
    dtypes = [schema[c] for c in spec.item_cols]
    if spec.kind == "numeric" or (spec.kind == "auto" and len(dtypes) > 1):
        bad = [c for c, d in zip(spec.item_cols, dtypes) if not d.is_numeric()]
        if bad:
            raise DataError(
                f"{source.who}: numeric sequences need numeric item columns; got "
                f"non-numeric column(s) {bad!r}. Convert them, or read one "
                "categorical column with kind='discrete'."
            )
        return True
    if len(dtypes) > 1:
        raise DataError(
            f"{source.who}: discrete sequences take one item column; got "
            f"{list(spec.item_cols)!r}. Pass a single item_col, or kind='numeric'."
        )
    return spec.kind == "auto" and bool(dtypes[0].is_float())


def _check_nulls(df: pl.DataFrame, spec: _Spec, source: _Source) -> None:
    """Raise for the first null (or NaN) id, item, time or label, with its row."""
    roles: list[tuple[str, str | None]] = [("sequence id", spec.sequence_col)]
    roles += [("item", c) for c in spec.item_cols]
    roles += [("time", spec.time_col), ("label", spec.label_col)]
    for role, name in roles:
        if name is None:
            continue
        column = df.get_column(name)
        missing = column.is_null()
        if column.dtype.is_float():
            missing = missing | column.is_nan().fill_null(True)
        if missing.any():
            row = int(missing.arg_max() or 0)
            raise source.fail(
                f"{role} column {name!r} has a missing value; expected a value "
                f"on every row; got {_shown(column[row])}. Impute or drop "
                "missing values first (for example drop_nulls()).",
                row,
            )


def _shown(value: Any) -> str:
    return "null" if value is None else repr(value)


def _labels(
    df: pl.DataFrame, spec: _Spec, source: _Source, group: Array, first: Array
) -> Array | None:
    """Return one label per sequence; raise if a label changes inside a sequence."""
    if spec.label_col is None:
        return None
    column = df.get_column(spec.label_col)
    expected = column.gather(first[group])  # each row's sequence's first label
    changed = column != expected
    if changed.any():
        row = int(changed.arg_max() or 0)
        sequence = df.get_column(spec.sequence_col)[row]
        raise source.fail(
            f"label column {spec.label_col!r} changes within sequence "
            f"{sequence!r}; expected one label per sequence; got "
            f"{expected[row]!r} then {column[row]!r}. Give every row of a "
            "sequence the same label.",
            row,
        )
    return np.asarray(column.gather(first).to_numpy())


def _order(group: Array, times: pl.Series | None, n_groups: int) -> Array | None:
    """Return the row order by (sequence, time), stable; ``None`` if already so.

    One stable sort on a single int64 key where possible (sequence rank times
    the time span, plus the time), which is much faster than a two-key sort.
    """
    grouped = bool(np.all(group[1:] >= group[:-1]))
    if times is None:
        return None if grouped else stable_argsort(group)
    t = _time_keys(times)
    step = np.diff(t)
    if grouped and np.all((step >= 0) | (group[1:] != group[:-1])):
        return None
    if np.all(step >= 0):  # time-ordered log: a stable sort by sequence suffices
        return stable_argsort(group)
    if t.dtype.kind == "i":
        low, span = int(t.min()), int(t.max()) - int(t.min()) + 1
        if n_groups * span < 2**62:
            return stable_argsort(group * span + (t - low))
    return np.lexsort((t, group))


def _time_keys(times: pl.Series) -> Array:
    """Return sortable numbers for a time column (ints, floats, dates or text)."""
    dtype = times.dtype
    if dtype.is_integer() or dtype.is_temporal():
        return np.asarray(times.to_physical().to_numpy()).astype(np.int64)
    if dtype.is_float():
        return np.asarray(times.to_numpy(), dtype=np.float64)
    return np.asarray(times.rank("dense").to_numpy()).astype(np.int64)
