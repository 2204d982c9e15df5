"""Events to sessions and sequences on Spark; the column roles; the shared vocabulary.

A Spark DataFrame is either a long table of **events** (one row per event:
a sequence id, a time, an item) or a table of **sequences** (one row per
sequence, its items in an array column, as :func:`sessionize` returns).
Column roles are found from names as :func:`seqpred.data.read_table` finds
them (:mod:`seqpred.data.readers.roles`), or given.

Spark keeps no row order, so the order is defined by the data: events are
ordered by ``(time, item)`` inside a sequence and sequences by their id.
Fitted on Spark, a model equals the one fitted in one process on the same
sequences in that order (for example read with ``read_table`` from a file
sorted by sequence id and time).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from seqpred.data.readers.roles import AUTO, find_roles
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.spark._session import require_pyspark

__all__ = [
    "Columns",
    "columns_of",
    "gap_seconds",
    "sequences",
    "sessionize",
    "shared_vocabulary",
]

SEQUENCE_ID = "session_id"
"""The id column :func:`sessionize` adds (found first by ``sequence_col="auto"``)."""

_UNITS = {
    "second": 1, "seconds": 1, "s": 1, "minute": 60, "minutes": 60, "min": 60,
    "hour": 3600, "hours": 3600, "h": 3600, "day": 86400, "days": 86400, "d": 86400,
}  # fmt: skip


@dataclass(frozen=True)
class Columns:
    """The roles of a Spark DataFrame's columns.

    Attributes
    ----------
    sequence : str or None
        The sequence id.
    items : str
        The item column (an array column in a table of sequences).
    time : str or None
        The time column of an event table.
    label : str or None
        A per-sequence label (classifiers).
    grouped : bool
        Whether the table holds sequences (``items`` is an array column).
    """

    sequence: str | None
    items: str
    time: str | None
    label: str | None
    grouped: bool


def columns_of(
    df: Any,
    *,
    sequence_col: str | None = AUTO,
    item_col: str = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = None,
    who: str,
) -> Columns:
    """Find the roles of ``df``'s columns (see the module docstring)."""
    from pyspark.sql.types import ArrayType

    fields = {f.name: f.dataType for f in df.schema.fields}
    arrays = [name for name, kind in fields.items() if isinstance(kind, ArrayType)]
    if item_col == AUTO and len(arrays) > 1:
        raise DataError(
            f"{who}: columns {arrays!r} could each hold the sequences; expected one. "
            "Name it with item_col=."
        )
    if item_col == AUTO and arrays:
        item_col = arrays[0]
    grouped = item_col in arrays
    if item_col != AUTO and item_col not in fields:
        raise DataError(
            f"{who}: column {item_col!r} (item_col) not found; expected one of the "
            f"columns {list(fields)!r}. Pass item_col= with one of these names."
        )
    scalar = [name for name in fields if name not in arrays or name == item_col]
    if grouped and sequence_col == AUTO and SEQUENCE_ID in fields:
        sequence_col = SEQUENCE_ID  # what sessionize adds, beside the user column
    roles = find_roles(
        scalar,
        sequence_col=sequence_col,
        item_col=item_col,
        time_col=None if grouped else time_col,
        label_col=label_col,
        who=who,
    )
    return Columns(roles.sequence, roles.items[0], roles.time, roles.label, grouped)


def sequences(
    df: Any,
    *,
    sequence_col: str | None = AUTO,
    item_col: str = AUTO,
    time_col: str | None = AUTO,
    label_col: str | None = None,
    keep_times: bool = False,
) -> Any:
    """Group a long table of events into one row per sequence, items in time order.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        Events (one row per event); a table of sequences is returned as is.
    sequence_col, item_col, time_col, label_col : str, "auto" or None
        The columns' roles, found from names with ``"auto"`` (as
        :func:`seqpred.data.read_table` finds them).
    keep_times : bool, default=False
        Also keep each sequence's time stamps, in a ``times`` array column.

    Returns
    -------
    pyspark.sql.DataFrame
        Columns: the sequence id, the items (an array, ordered by time then
        item), the label (if any), and ``times`` with ``keep_times``.

    Examples
    --------
    >>> from seqpred import spark
    >>> events = session.createDataFrame(
    ...     [("s1", 2, "b"), ("s1", 1, "a"), ("s2", 1, "c")],
    ...     ["session_id", "timestamp", "page"])  # doctest: +SKIP
    >>> spark.sequences(events).orderBy("session_id").collect()  # doctest: +SKIP
    [Row(session_id='s1', page=['a', 'b']), Row(session_id='s2', page=['c'])]
    """
    require_pyspark("seqpred.spark.sequences")
    columns = columns_of(
        df, sequence_col=sequence_col, item_col=item_col, time_col=time_col,
        label_col=label_col, who="seqpred.spark.sequences",
    )  # fmt: skip
    return grouped(df, columns, keep_times=keep_times)


def grouped(df: Any, columns: Columns, *, keep_times: bool = False) -> Any:
    """Return ``df`` as a table of sequences (see :func:`sequences`)."""
    from pyspark.sql import functions as F

    if columns.grouped:
        return df
    who = "seqpred.spark"
    if columns.sequence is None:
        raise DataError(
            f"{who}: found no sequence id column; expected one (session_id, "
            "user_id, unique_id, ...). Name it with sequence_col=."
        )
    if columns.time is None:
        raise DataError(
            f"{who}: found no time column, and Spark keeps no row order; expected "
            "one to order the events of a sequence (timestamp, time, ds, ...). "
            "Name it with time_col=."
        )
    events = F.sort_array(
        F.collect_list(F.struct(F.col(columns.time), F.col(columns.items)))
    ).alias("_events")
    aggregates = [events]
    if columns.label is not None:
        aggregates.append(F.first(columns.label).alias(columns.label))
    out = df.groupBy(columns.sequence).agg(*aggregates)
    selected = [
        F.col(columns.sequence),
        F.col(f"_events.{columns.items}").alias(columns.items),
    ]
    if columns.label is not None:
        selected.append(F.col(columns.label))
    if keep_times:
        selected.append(F.col(f"_events.{columns.time}").alias("times"))
    return out.select(*selected)


def shared_vocabulary(df: Any, columns: Columns) -> Vocabulary:
    """Return the vocabulary ``fit`` would build: symbols by first appearance.

    Sequences are in id order and events in ``(time, item)`` order, so a
    symbol's first appearance is the smallest ``(sequence, time)`` (or
    ``(sequence, position)``) among its events: one ``groupBy`` over the
    items, ``V`` rows to the driver.
    """
    from pyspark.sql import functions as F

    if columns.sequence is None:
        raise DataError(
            "seqpred.spark.fit: found no sequence id column; expected one to order "
            "the sequences (session_id, user_id, unique_id, ...). Name it with "
            "sequence_col=."
        )
    if columns.grouped:
        exploded = df.select(
            F.col(columns.sequence).alias("_seq"),
            F.posexplode(columns.items).alias("_at", "_item"),
        )
        first = F.min(F.struct("_seq", "_at")).alias("_first")
        table = exploded.groupBy("_item").agg(first)
    else:
        time = columns.time or columns.sequence  # grouped() refuses a missing time
        first = F.min(F.struct(F.col(columns.sequence), F.col(time)))
        table = df.groupBy(F.col(columns.items).alias("_item")).agg(
            first.alias("_first")
        )
    rows = table.orderBy("_first", "_item").select("_item").collect()
    symbols = [row[0] for row in rows]
    if any(s is None for s in symbols):
        raise DataError(
            "seqpred.spark.fit: the item column holds nulls; expected an item in "
            "every event. Drop them first (df.dropna())."
        )
    return Vocabulary(symbols).freeze()


def gap_seconds(gap: Any) -> float:
    """Return a session gap in seconds: a number, or text such as ``"30 minutes"``.

    Examples
    --------
    >>> gap_seconds("30 minutes"), gap_seconds("1 hour"), gap_seconds(90)
    (1800.0, 3600.0, 90.0)
    """
    if isinstance(gap, (int, float)) and not isinstance(gap, bool) and gap > 0:
        return float(gap)
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]+)\s*", str(gap))
    if match and match.group(2).lower() in _UNITS and float(match.group(1)) > 0:
        return float(match.group(1)) * _UNITS[match.group(2).lower()]
    raise InvalidParameterError(
        f"seqpred.spark.sessionize: gap must be a positive number of seconds or "
        f"text like '30 minutes'; got {gap!r}. Use gap='30 minutes'."
    )


def sessionize(
    df: Any,
    *,
    user: str = "user_id",
    time: str = "timestamp",
    item: str = "item",
    gap: Any = "30 minutes",
) -> Any:
    """Cut each user's events into sessions at pauses longer than ``gap``.

    Spark window functions over each user's events in time order: an event
    starts a new session when more than ``gap`` passed since the user's
    previous event. Events with equal times are ordered by item.

    Parameters
    ----------
    df : pyspark.sql.DataFrame
        Events: one row per event with a user, a time and an item.
    user, time, item : str
        The column names. ``time`` is a timestamp or date column, or
        numbers (seconds, in the unit of ``gap``).
    gap : str or float, default="30 minutes"
        The longest pause inside a session: text (``"30 minutes"``,
        ``"2 hours"``, ``"1 day"``) or seconds.

    Returns
    -------
    pyspark.sql.DataFrame
        One row per session: ``user``, ``session_id`` (``"<user>#<n>"``, the
        user's n-th session from 0), ``start`` (its first event's time) and
        ``item`` (the items in time order, an array), ready for
        :func:`fit` and :func:`predict`.

    Examples
    --------
    >>> from seqpred import spark
    >>> events = session.createDataFrame(
    ...     [("u1", 0, "home"), ("u1", 60, "cart"), ("u1", 7200, "home")],
    ...     ["user_id", "timestamp", "item"])  # doctest: +SKIP
    >>> spark.sessionize(events, gap=1800).collect()  # doctest: +SKIP
    [Row(user_id='u1', session_id='u1#0', start=0, item=['home', 'cart']),
     Row(user_id='u1', session_id='u1#1', start=7200, item=['home'])]
    """
    require_pyspark("seqpred.spark.sessionize")
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import DateType, NumericType, TimestampType

    seconds = gap_seconds(gap)
    fields = {f.name: f.dataType for f in df.schema.fields}
    for name, role in ((user, "user"), (time, "time"), (item, "item")):
        if name not in fields:
            raise DataError(
                f"seqpred.spark.sessionize: column {name!r} ({role}=) not found; "
                f"expected one of {list(fields)!r}. Pass {role}= with one of these."
            )
    kind = fields[time]
    if isinstance(kind, (TimestampType, DateType)):
        clock = F.col(time).cast("timestamp").cast("double")
    elif isinstance(kind, NumericType):
        clock = F.col(time).cast("double")
    else:
        raise DataError(
            f"seqpred.spark.sessionize: time column {time!r} is {kind.simpleString()}; "
            "expected a timestamp, a date or numbers. Cast it first "
            "(F.to_timestamp(...))."
        )
    order = Window.partitionBy(user).orderBy(F.col(time), F.col(item))
    previous = F.lag(clock).over(order)
    starts = (previous.isNull() | (clock - previous > seconds)).cast("int")
    running = order.rowsBetween(Window.unboundedPreceding, Window.currentRow)
    numbered = df.withColumn("_starts", starts).withColumn(
        "_session", F.sum("_starts").over(running) - 1
    )
    events = F.sort_array(F.collect_list(F.struct(F.col(time), F.col(item))))
    sessions = numbered.groupBy(user, "_session").agg(events.alias("_events"))
    return sessions.select(
        F.col(user),
        F.concat(
            F.col(user).cast("string"), F.lit("#"), F.col("_session").cast("string")
        ).alias(SEQUENCE_ID),
        F.col("_events")[0][time].alias("start"),
        F.col(f"_events.{item}").alias(item),
    )
