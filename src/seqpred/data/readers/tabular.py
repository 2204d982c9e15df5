"""Long-format tables (one row per event) from CSV, Parquet, DataFrames and Arrow.

Rows are grouped by a sequence-id column (sequences in first-seen order) and
ordered by a time column when there is one (stable: file order breaks ties).
The columns' roles are found from common names (``session_id``,
``timestamp``, ``item``; ``unique_id``, ``ds``, ``y``: see
:mod:`~seqpred.data.readers.roles`) unless given, and a table whose roles are
ambiguous is refused with an error listing its columns. All the per-row work
runs in polars; only distinct symbols become Python objects.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from seqpred.data.readers._common import (
    Array,
    PathLike,
    Unknown,
    check_option,
    check_path,
    check_size,
    to_sequence_set,
)
from seqpred.data.readers._fields import (
    FieldSpec,
    choose_field_columns,
    field_spec,
    read_fields,
)
from seqpred.data.readers._frames import encode_series, series_groups, stable_argsort
from seqpred.data.readers.roles import AUTO, ColumnRoles, find_roles
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import (
    DataError,
    EmptySequenceError,
    InvalidParameterError,
    ParseError,
)

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "TableRead",
    "from_dataframe",
    "from_pandas",
    "from_polars",
    "read_csv",
    "read_parquet",
    "read_table",
]

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
    """The column options and encoding options shared by the entry points."""

    sequence_col: str | None
    item_col: str | tuple[str, ...]
    time_col: str | None
    label_col: str | None
    extra_cols: tuple[str, ...]
    kind: Kind
    vocabulary: Vocabulary | None
    unknown: Unknown | None
    fields: FieldSpec = FieldSpec()


def _spec(
    who: str,
    sequence_col: str | None,
    item_col: str | Sequence[str],
    time_col: str | None,
    label_col: str | None,
    extra_cols: Sequence[str] | None,
    kind: Kind,
    vocabulary: Vocabulary | None,
    unknown: Unknown | None,
    fields: tuple[Any, Any, Any] = (None, None, None),
) -> _Spec:
    check_option(who, "kind", kind, ["auto", "discrete", "numeric"])
    items = item_col if isinstance(item_col, str) else tuple(item_col)
    if not items:
        raise DataError(
            f"{who}: item_col is empty; expected a column name or a list of "
            "names. Pass item_col='item'."
        )
    return _Spec(
        sequence_col, items, time_col, label_col, tuple(extra_cols or ()),
        kind, vocabulary, unknown, field_spec(*fields, who),
    )  # fmt: skip


_COLUMN_DOC = """
    sequence_col : str, "auto" or None, default="auto"
        Column with the sequence (session, user, case, series) identifier.
        ``"auto"`` finds it from common names (``sequence_id``, ``session_id``,
        ``unique_id``, ...; see :mod:`seqpred.data.readers.roles`); ``None``
        (or no such column) reads the whole table as one sequence.
    item_col : str, list of str or "auto", default="auto"
        Column with the symbol of each event, or several numeric columns
        (one feature each) for multivariate numeric sequences. ``"auto"``
        finds it from common names (``item``, ``event``, ``page``, ``y``,
        ...), or takes the one column left over.
    time_col : str, "auto" or None, default="auto"
        Column to order events within a sequence (stable sort). ``"auto"``
        finds it from common names (``timestamp``, ``time``, ``ds``,
        ``date``, ...); ``None`` keeps file order.
    label_col : str, "auto" or None, default="auto"
        Column with a per-sequence label; it must be constant within a
        sequence. ``"auto"`` takes a ``label`` or ``class`` column when it is
        constant within every sequence (otherwise it is left out).
    extra_cols : list of str, default=None
        More numeric per-step columns, appended as features after
        ``item_col`` (numeric data only).
    field_cols : list of str, "auto" or None, default=None
        Columns read as per-step fields beside the item (an event's
        category, price; discrete data): ``ss.fields``. ``"auto"`` takes
        every column without another role, those constant within every
        sequence as static fields. ``None`` leaves extra columns out.
    static_cols : list of str or None, default=None
        Columns read as per-sequence fields (``ss.static``); each must be
        constant within a sequence.
    numeric_cols : list of str, default=None
        Fields read as numbers even when they hold integers (otherwise
        float columns are numeric fields and anything else categorical).
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
    sequence_col: str | None = AUTO,
    item_col: str | Sequence[str] = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = AUTO,
    extra_cols: Sequence[str] | None = None,
    field_cols: str | Sequence[str] | None = None,
    static_cols: str | Sequence[str] | None = None,
    numeric_cols: Sequence[str] | None = None,
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
        Field separator, one character (``"\t"`` for TSV; the two characters
        backslash and ``t``, as a shell passes them, also mean a tab).
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
    who = "read_csv"
    spec = _spec(
        who, sequence_col, item_col, time_col, label_col, extra_cols,
        kind, vocabulary, unknown, (field_cols, static_cols, numeric_cols),
    )  # fmt: skip
    p = check_path(path, who)
    if p.stat().st_size == 0:
        raise EmptySequenceError(
            f"{who}: file {str(p)!r} is empty; expected a header row and events."
        )
    frame = _scan_csv(p, _separator(separator, who), who)
    return _read_frame(frame, spec, _Source(who, str(p), header_lines=1)).sequences


def read_parquet(
    path: PathLike,
    *,
    sequence_col: str | None = AUTO,
    item_col: str | Sequence[str] = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = AUTO,
    extra_cols: Sequence[str] | None = None,
    field_cols: str | Sequence[str] | None = None,
    static_cols: str | Sequence[str] | None = None,
    numeric_cols: Sequence[str] | None = None,
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
    who = "read_parquet"
    spec = _spec(
        who, sequence_col, item_col, time_col, label_col, extra_cols,
        kind, vocabulary, unknown, (field_cols, static_cols, numeric_cols),
    )  # fmt: skip
    p = check_path(path, who)
    source = _Source(who, str(p))
    return _read_frame(_scan_parquet(p, source), spec, source).sequences


def from_dataframe(
    df: Any,
    *,
    sequence_col: str | None = AUTO,
    item_col: str | Sequence[str] = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = AUTO,
    extra_cols: Sequence[str] | None = None,
    field_cols: str | Sequence[str] | None = None,
    static_cols: str | Sequence[str] | None = None,
    numeric_cols: Sequence[str] | None = None,
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
        kind, vocabulary, unknown, (field_cols, static_cols, numeric_cols),
    )  # fmt: skip
    return _read_frame(_as_lazy(df, who), spec, _Source(who)).sequences


def from_polars(df: Any, **options: Any) -> SequenceSet:
    """Build a :class:`SequenceSet` from a long polars DataFrame or LazyFrame.

    The inverse of :meth:`SequenceSet.to_polars`; the options are those of
    :func:`from_dataframe` (column roles are found from names by default).

    Examples
    --------
    >>> from seqpred.data import SequenceSet
    >>> ss = SequenceSet.from_lists([["a", "b"], ["c"]]).with_labels(["x", "y"])
    >>> back = from_polars(ss.to_polars())
    >>> back.to_lists(), back.labels.tolist()
    ([['a', 'b'], ['c']], ['x', 'y'])
    """
    import polars as pl

    if not isinstance(df, (pl.DataFrame, pl.LazyFrame)):
        raise DataError(
            f"from_polars: expected a polars DataFrame or LazyFrame; got "
            f"{type(df).__name__}. Use from_pandas for pandas frames."
        )
    return from_dataframe(df, **options)


def from_pandas(df: Any, **options: Any) -> SequenceSet:
    """Build a :class:`SequenceSet` from a long pandas DataFrame.

    The inverse of :meth:`SequenceSet.to_pandas`; the options are those of
    :func:`from_dataframe`. The frame's index is ignored (``reset_index()``
    first if it holds a column you need).
    """
    if not (type(df).__module__.startswith("pandas") and hasattr(df, "columns")):
        raise DataError(
            f"from_pandas: expected a pandas DataFrame; got {type(df).__name__}. "
            "Use from_polars for polars frames."
        )
    return from_dataframe(df, **options)


for _function in (read_csv, read_parquet, from_dataframe):
    _function.__doc__ = (_function.__doc__ or "").format(
        columns=_COLUMN_DOC.strip(), encoding=_ENCODING_DOC.strip()
    )


def _as_lazy(df: Any, who: str) -> pl.LazyFrame:
    """Return a polars LazyFrame of a polars, pandas or Arrow table."""
    import polars as pl

    if isinstance(df, pl.LazyFrame):
        return df
    if isinstance(df, pl.DataFrame):
        return df.lazy()
    module = type(df).__module__
    if module.startswith("pandas") and hasattr(df, "columns"):
        return pl.from_pandas(df, include_index=False).lazy()
    if module.startswith("pyarrow") and hasattr(df, "column_names"):
        frame = pl.from_arrow(df)
        if isinstance(frame, pl.DataFrame):
            return frame.lazy()
    raise DataError(
        f"{who}: expected a polars, pandas or Arrow table; got "
        f"{type(df).__name__}. Convert it with polars.DataFrame(...)."
    )


@contextmanager
def _polars_failures(
    source: _Source, also: tuple[type[Exception], ...] = ()
) -> Iterator[None]:
    """Turn polars' errors (and ``also``) inside the block into ``source.fail``.

    A Rust panic in polars is a ``BaseException`` (``PanicException``), so
    it is caught by name; any other BaseException passes through.
    """
    import polars as pl

    caught: tuple[type[BaseException], ...] = (pl.exceptions.PolarsError, *also)
    try:
        yield
    except caught as exc:
        raise source.fail(_polars_message(exc, source.who)) from None
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise source.fail(_polars_message(exc, source.who)) from None


def _polars_message(exc: BaseException, who: str = "read_csv") -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    if who == "read_parquet":
        return (
            f"could not read the Parquet file ({first}); expected a complete "
            "Parquet file. Check that it was written completely (a truncated "
            "copy loses its footer), or rewrite it with polars or pyarrow."
        )
    if who != "read_csv":
        return f"could not read the table ({first}); check the column types."
    return (
        f"could not read the table ({first}); expected a header row and the "
        "same number of fields on every line. Check the separator, the quoting "
        "and the column types."
    )


@dataclass(frozen=True)
class TableRead:
    """A table read into sequences, with the roles its columns were given.

    Attributes
    ----------
    sequences : SequenceSet
        The sequences (with ``ids``, and ``timestamps`` / ``labels`` when
        those columns exist).
    roles : ColumnRoles
        Which column served as what.
    covariates : ndarray of float64, shape (total_steps, C) or None
        The covariate columns (numeric data with a ``y`` column), aligned
        with ``sequences.values``.
    """

    sequences: SequenceSet
    roles: ColumnRoles
    covariates: Array | None = None


def read_table(
    table: Any,
    *,
    sequence_col: str | None = AUTO,
    item_col: str | Sequence[str] = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = AUTO,
    extra_cols: Sequence[str] | None = None,
    field_cols: str | Sequence[str] | None = None,
    static_cols: str | Sequence[str] | None = None,
    numeric_cols: Sequence[str] | None = None,
    kind: Kind = "auto",
    vocabulary: Vocabulary | None = None,
    unknown: Unknown | None = None,
    separator: str = ",",
    format: str = "auto",
) -> TableRead:
    """Read a long table (a CSV or Parquet path, or a frame) with its column roles.

    The parameters are those of :func:`read_csv`; ``table`` is a path
    (with ``format="auto"``, ``.parquet``/``.pq`` are read as Parquet,
    anything else as CSV) or a polars, pandas or Arrow table. The command
    line reads tables through this function, to report the roles and pass
    covariates on.

    Examples
    --------
    >>> import polars as pl
    >>> df = pl.DataFrame({"unique_id": ["b", "a", "b"], "ds": [2, 1, 1],
    ...                    "y": [2.0, 5.0, 1.0], "price": [9.0, 8.0, 7.0]})
    >>> read = read_table(df)
    >>> read.sequences.ids.tolist(), read.sequences.to_lists()
    (['b', 'a'], [[1.0, 2.0], [5.0]])
    >>> read.roles.describe()
    'unique_id (sequence), ds (time), y (item), price (covariate)'
    >>> read.covariates[:, 0].tolist()
    [7.0, 9.0, 8.0]
    """
    is_path = isinstance(table, (str, os.PathLike))
    check_option("read_table", "format", format, ["auto", "csv", "parquet"])
    who = "read_table"
    if is_path and format == "auto":
        parquet = Path(table).suffix.lower() in (".parquet", ".pq")
        format = "parquet" if parquet else "csv"
    if is_path:
        who = "read_parquet" if format == "parquet" else "read_csv"
    spec = _spec(
        who, sequence_col, item_col, time_col, label_col, extra_cols,
        kind, vocabulary, unknown, (field_cols, static_cols, numeric_cols),
    )  # fmt: skip
    if not is_path:
        return _read_frame(_as_lazy(table, who), spec, _Source(who))
    p = check_path(table, who)
    if who == "read_parquet":
        source = _Source(who, str(p))
        return _read_frame(_scan_parquet(p, source), spec, source)
    frame = _scan_csv(p, _separator(separator, who), who)
    return _read_frame(frame, spec, _Source(who, str(p), 1))


_ESCAPES = {"\\t": "\t", "tab": "\t", "\\x1f": "\x1f"}


def _separator(separator: str, who: str) -> str:
    r"""Return a one-character separator (``"\\t"`` and ``"tab"`` mean a tab)."""
    separator = _ESCAPES.get(separator, separator)
    if not isinstance(separator, str) or len(separator) != 1:
        raise InvalidParameterError(
            f"{who}: separator must be one character; got {separator!r}. Use "
            "separator=',' or separator='\\t' for tabs."
        )
    return separator


def _scan_parquet(p: Path, source: _Source) -> pl.LazyFrame:
    """Open a Parquet file: with pyarrow when installed, else with polars.

    pyarrow's reader answers a corrupt file (a damaged footer, page header or
    encoding) with an exception; polars' reader may panic or abort the whole
    process on some of them (found by ``benchmarks/fuzz.py``), so pyarrow,
    which the ``parquet`` extra installs, reads the file whenever it is
    present. A file that cannot be read within the memory budget is refused
    first (see :func:`~seqpred.data.readers._common.check_size`).
    """
    import polars as pl

    check_size(p, source.who)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        try:
            return pl.scan_parquet(p)
        except pl.exceptions.PolarsError as exc:
            raise source.fail(_polars_message(exc, source.who)) from None
    with _polars_failures(source, (OSError, ValueError, TypeError, pa.ArrowException)):
        table = pq.read_table(p)
        table.validate(full=True)  # e.g. text that is not UTF-8, before polars
        frame = pl.from_arrow(table)
    if not isinstance(frame, pl.DataFrame):
        raise source.fail("the Parquet file holds no table; expected columns.")
    return frame.lazy()


def _scan_csv(p: Path, separator: str, who: str) -> pl.LazyFrame:
    import polars as pl

    check_size(p, who)
    if p.stat().st_size == 0:
        raise EmptySequenceError(
            f"{who}: file {str(p)!r} is empty; expected a header row and events."
        )
    try:
        return pl.scan_csv(p, separator=separator, infer_schema_length=10_000)
    except pl.exceptions.PolarsError as exc:
        raise _Source(who, str(p), 1).fail(_polars_message(exc)) from None


def _resolve_roles(schema: Any, spec: _Spec, source: _Source) -> ColumnRoles:
    names = list(schema.names())
    numeric = {c for c in names if schema[c].is_numeric()}
    named_fields = {  # columns named as fields take no other role
        c
        for option in (spec.fields.fields, spec.fields.static)
        if isinstance(option, tuple)
        for c in option
    }
    given = [spec.sequence_col, spec.time_col, spec.label_col]
    given += [spec.item_col] if isinstance(spec.item_col, str) else list(spec.item_col)
    clash = sorted(named_fields & set(given))
    if clash:
        raise DataError(
            f"{source.who}: column(s) {clash!r} already serve as the sequence id, "
            "time, item or label; a field must be another column. Drop them from "
            "field_cols / static_cols."
        )
    roles = find_roles(
        [c for c in names if c not in named_fields],
        sequence_col=spec.sequence_col,
        item_col=spec.item_col,
        time_col=spec.time_col,
        label_col=spec.label_col,
        kind=spec.kind,
        numeric=numeric,
        who=source.who,
    )
    if spec.extra_cols:
        for name in spec.extra_cols:
            if name not in schema:
                raise DataError(
                    f"{source.who}: column {name!r} (extra_cols) not found; "
                    f"expected one of the columns {names!r}. Pass extra_cols= "
                    "with some of these names."
                )
        items = roles.items + tuple(c for c in spec.extra_cols if c not in roles.items)
        roles = replace(
            roles,
            items=items,
            covariates=tuple(c for c in roles.covariates if c not in items),
            ignored=tuple(c for c in roles.ignored if c not in items),
        )
    return roles


def _read_frame(frame: pl.LazyFrame, spec: _Spec, source: _Source) -> TableRead:
    """Collect the needed columns, check them, order the rows and build the set."""
    import polars as pl

    with _polars_failures(source):
        schema = frame.collect_schema()
        roles = _resolve_roles(schema, spec, source)
        numeric = _is_numeric(schema, roles, spec, source)
        if not numeric:
            roles = replace(roles, ignored=roles.ignored + roles.covariates)
            roles = replace(roles, covariates=())
        step_cols, static_cols = _field_columns(schema, roles, spec, numeric, source)
        columns = [roles.sequence, *roles.items, roles.time, roles.label]
        columns += [*roles.covariates, *step_cols, *(static_cols or ())]
        df = frame.select(list(dict.fromkeys(c for c in columns if c))).collect()
    if df.height == 0:
        raise EmptySequenceError(
            f"{source.who}: the table has no rows; expected one row per event."
        )
    df = _narrow_wide_integers(df, roles)
    if "label" in roles.found:  # a label found by name must be per sequence
        roles = _check_found_label(df, roles)
    if "time" in roles.found:  # text times found by name must sort as times
        df, roles = _check_found_time(df, roles)
    _check_nulls(df, roles, source)
    if roles.sequence is None:
        sequences = pl.Series("sequence", np.zeros(df.height, dtype=np.int64))
    else:
        sequences = df.get_column(roles.sequence)
    group, first = series_groups(sequences)  # sequences in first-seen order
    labels = _labels(df, roles, source, group, first)
    vocabulary = None
    if numeric:
        values = df.select(roles.items).cast(pl.Float64).to_numpy()
    else:  # encoded in file order, so new symbols get ids in first-seen order
        values, vocabulary = encode_series(
            _symbols(df.get_column(roles.items[0]), source),
            spec.vocabulary,
            spec.unknown,
        )
    times = None if roles.time is None else df.get_column(roles.time)
    order = _order(group, times, len(first))
    if order is not None:
        values = values[order]
    covariates = None
    if roles.covariates:
        covariates = _take(
            df.select(roles.covariates).cast(pl.Float64).to_numpy(), order
        )
    sequence_set = to_sequence_set(
        values,
        np.bincount(group, minlength=len(first)),
        vocabulary=vocabulary,
        ids=None if roles.sequence is None else sequences.gather(first).to_numpy(),
        timestamps=None if times is None else _take(times.to_numpy(), order),
        labels=labels,
    )
    if step_cols or static_cols:
        fields, static, step_cols, static_cols = read_fields(
            df, step_cols, static_cols, spec.fields.numeric, group, first, order,
            source.who,
        )  # fmt: skip
        sequence_set = sequence_set.with_fields(fields, static)
        named = set(step_cols) | set(static_cols or ())
        roles = replace(
            roles,
            fields=tuple(step_cols),
            static=tuple(static_cols or ()),
            ignored=tuple(c for c in roles.ignored if c not in named),
        )
    return TableRead(sequence_set, roles, covariates)


def _field_columns(
    schema: Any, roles: ColumnRoles, spec: _Spec, numeric: bool, source: _Source
) -> tuple[list[str], list[str] | None]:
    """Return the per-step and static field columns asked for (see ``_fields``)."""
    if not spec.fields.wanted:
        return [], []
    if numeric:
        raise DataError(
            f"{source.who}: field_cols and static_cols go with discrete items "
            "(one symbol per event); numeric series take extra_cols or "
            "covariates. Drop them, or read the item as symbols (kind='discrete')."
        )
    used = {roles.sequence, roles.time, roles.label, *roles.items} - {None}
    names = list(schema.names())
    return choose_field_columns(names, used, spec.fields, source.who)  # type: ignore[arg-type]


def _narrow_wide_integers(df: pl.DataFrame, roles: ColumnRoles) -> pl.DataFrame:
    """Read integers wider than 64 bits (a CSV may hold them) as text ids/labels.

    NumPy has no 128-bit integers. Symbols keep their Python int values (see
    :func:`~seqpred.data.readers._frames.dense_keys`); ids and labels become
    text, and such a time column is refused: its order could not be kept.
    """
    import polars as pl

    wide = [c for c, d in df.schema.items() if d in (pl.Int128, pl.UInt128)]
    if roles.time in wide:
        raise DataError(
            f"time column {roles.time!r} holds integers wider than 64 bits; "
            "expected times, dates or numbers that fit in 64 bits. Rescale it "
            "(for example to seconds) or name another time column."
        )
    keep = set(roles.items) if len(roles.items) == 1 else set()
    cast = [c for c in wide if c not in keep]
    return df.with_columns(pl.col(cast).cast(pl.String)) if cast else df


def _check_found_label(df: pl.DataFrame, roles: ColumnRoles) -> ColumnRoles:
    """Drop a label column found by name when it varies within a sequence."""
    if roles.label is None:
        return roles
    if roles.sequence is None:
        constant = df.get_column(roles.label).n_unique() == 1
    else:
        pairs = df.select(roles.sequence, roles.label).unique().height
        constant = pairs == df.get_column(roles.sequence).n_unique()
    if constant:
        return roles
    return replace(
        roles,
        label=None,
        ignored=(*roles.ignored, roles.label),
        found=tuple(r for r in roles.found if r != "label"),
    )


_ISO_TIME = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$"


def _check_found_time(
    df: pl.DataFrame, roles: ColumnRoles
) -> tuple[pl.DataFrame, ColumnRoles]:
    """Keep a text time column found by name only if it reads as times.

    ISO 8601 text (``2024-01-31``, ``2024-01-31 08:15``) is parsed to dates
    or times. Other text (``3/1/2024``, ``T2`` and ``T10``) could sort wrongly,
    so such a column is left out and the table's order kept; name it with
    ``time_col=`` to sort by it as text.
    """
    import polars as pl

    assert roles.time is not None
    column = df.get_column(roles.time)
    if column.dtype != pl.String:
        return df, roles
    if column.str.contains(_ISO_TIME).all():
        date_only = bool(column.str.len_chars().max() == 10)
        try:
            parsed = column.str.to_date() if date_only else column.str.to_datetime()
        except pl.exceptions.PolarsError:
            parsed = None
        if parsed is not None and parsed.null_count() == 0:
            return df.with_columns(parsed.alias(roles.time)), roles
    dropped = replace(
        roles,
        time=None,
        ignored=(*roles.ignored, roles.time),
        found=tuple(r for r in roles.found if r != "time"),
    )
    return df, dropped


def _symbols(column: pl.Series, source: _Source) -> pl.Series:
    """Return an item column of symbols; refuse types that are no symbols."""
    import polars as pl

    dtype = column.dtype
    if isinstance(dtype, (pl.List, pl.Array, pl.Struct, pl.Object)) or dtype in (
        pl.Binary,
        pl.Null,
    ):
        raise source.fail(
            f"item column {column.name!r} holds {dtype} values; expected one "
            "symbol (a string, an integer) per row. Explode lists into one row "
            "per item, or cast the column to strings."
        )
    if isinstance(dtype, pl.Decimal):
        return column.cast(pl.String)
    return column


def _take(values: Array, order: Array | None) -> Array:
    return values if order is None else values[order]


def _is_numeric(schema: Any, roles: ColumnRoles, spec: _Spec, source: _Source) -> bool:
    """Decide between numeric and discrete sequences from the item dtypes."""
    dtypes = [schema[c] for c in roles.items]
    if spec.kind == "numeric" or (spec.kind == "auto" and len(dtypes) > 1):
        bad = [c for c, d in zip(roles.items, dtypes) if not d.is_numeric()]
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
            f"{list(roles.items)!r}. Pass a single item_col, or kind='numeric'."
        )
    return spec.kind == "auto" and bool(dtypes[0].is_float())


def _check_nulls(df: pl.DataFrame, roles: ColumnRoles, source: _Source) -> None:
    """Raise for the first null (or NaN) id, item, time or label, with its row."""
    checked: list[tuple[str, str | None]] = [("sequence id", roles.sequence)]
    checked += [("item", c) for c in roles.items]
    checked += [("time", roles.time), ("label", roles.label)]
    checked += [("covariate", c) for c in roles.covariates]
    for role, name in checked:
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
    df: pl.DataFrame, roles: ColumnRoles, source: _Source, group: Array, first: Array
) -> Array | None:
    """Return one label per sequence; raise if a label changes inside a sequence."""
    if roles.label is None:
        return None
    column = df.get_column(roles.label)
    expected = column.gather(first[group])  # each row's sequence's first label
    changed = column != expected
    if changed.any():
        row = int(changed.arg_max() or 0)
        sequence = "" if roles.sequence is None else df.get_column(roles.sequence)[row]
        raise source.fail(
            f"label column {roles.label!r} changes within sequence "
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
