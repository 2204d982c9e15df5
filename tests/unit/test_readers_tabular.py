"""Long-format tables: read_csv, read_parquet and from_dataframe."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from seqpred.data import Vocabulary
from seqpred.data.readers import from_dataframe, read_csv, read_parquet
from seqpred.exceptions import (
    DataError,
    EmptySequenceError,
    InvalidParameterError,
    ParseError,
)


def write(tmp_path: Path, text: str, name: str = "events.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_csv_groups_in_first_seen_order_and_sorts_by_time(tmp_path):
    text = (
        "sequence_id,timestamp,item\n"
        "u2,5,c\n"
        "u1,3,b\n"
        "u2,1,a\n"
        "u1,3,a\n"  # tie with the row above it: file order kept
        "u1,1,d\n"
    )
    ss = read_csv(write(tmp_path, text), time_col="timestamp")
    assert ss.ids.tolist() == ["u2", "u1"]
    assert ss.to_lists() == [["a", "c"], ["d", "b", "a"]]
    assert ss.timestamps.tolist() == [1, 5, 1, 3, 3]
    assert ss.vocabulary.symbols == ["c", "b", "a", "d"]  # first seen in the file


def test_csv_without_time_keeps_file_order(tmp_path):
    text = "sequence_id,item\n7,x\n3,y\n7,z\n3,x\n"
    ss = read_csv(write(tmp_path, text))
    assert ss.ids.tolist() == [7, 3]
    assert ss.to_lists() == [["x", "z"], ["y", "x"]]
    assert ss.timestamps is None


def test_csv_integer_items_stay_int_symbols(tmp_path):
    ss = read_csv(write(tmp_path, "sequence_id,item\na,10\na,20\nb,10\n"))
    assert ss.to_lists() == [[10, 20], [10]]
    assert ss.kind == "discrete"


def test_csv_labels(tmp_path):
    text = "sid,item,y\n1,a,pos\n2,b,neg\n1,c,pos\n"
    ss = read_csv(write(tmp_path, text), sequence_col="sid", label_col="y")
    assert ss.labels.tolist() == ["pos", "neg"]
    bad = "sid,item,y\n1,a,pos\n2,b,neg\n1,c,neg\n"
    with pytest.raises(ParseError, match="changes within sequence 1") as info:
        read_csv(write(tmp_path, bad), sequence_col="sid", label_col="y")
    assert info.value.line == 4
    assert "'pos' then 'neg'" in str(info.value)


def test_csv_missing_values_report_line(tmp_path):
    text = "sequence_id,item\n1,0.5\n1,NaN\n2,1.0\n"
    with pytest.raises(ParseError, match="item column 'item' has a missing") as info:
        read_csv(write(tmp_path, text))
    assert (info.value.line, info.value.path) == (3, str(tmp_path / "events.csv"))
    text = "sequence_id,item\n1,a\n1,b\n2,\n"
    with pytest.raises(ParseError, match="got null") as info:
        read_csv(write(tmp_path, text))
    assert info.value.line == 4
    text = "sequence_id,item\n1,a\n,b\n"
    with pytest.raises(ParseError, match="sequence id") as info:
        read_csv(write(tmp_path, text))
    assert info.value.line == 3


def test_csv_missing_column_lists_columns(tmp_path):
    path = write(tmp_path, "session,page\n1,a\n")
    assert read_csv(path).ids.tolist() == [1]  # roles found from the names
    with pytest.raises(DataError, match=r"'sequence_id'.*\['session', 'page'\]"):
        read_csv(path, sequence_col="sequence_id")
    with pytest.raises(DataError, match="'when' \\(time_col\\) not found"):
        read_csv(path, sequence_col="session", item_col="page", time_col="when")


def test_csv_numeric_items(tmp_path):
    text = "sequence_id,t,x,y\n1,2,0.5,5\n1,1,1.5,6\n2,1,2.5,7\n"
    path = write(tmp_path, text)
    one = read_csv(path, item_col="x", time_col="t")
    assert one.kind == "numeric"
    assert one.values[:, 0].tolist() == [1.5, 0.5, 2.5]
    two = read_csv(path, item_col=["x", "y"], time_col="t")
    assert two.values.tolist() == [[1.5, 6.0], [0.5, 5.0], [2.5, 7.0]]
    extra = read_csv(path, item_col="x", extra_cols=["y"], time_col="t")
    assert extra.values.tolist() == two.values.tolist()
    forced = read_csv(path, item_col="y", kind="numeric")
    assert forced.kind == "numeric"


def test_csv_kind_errors(tmp_path):
    path = write(tmp_path, "sequence_id,a,b\n1,x,y\n")
    with pytest.raises(DataError, match="non-numeric column"):
        read_csv(path, item_col=["a", "b"])
    with pytest.raises(DataError, match="one item column"):
        read_csv(path, item_col=["a", "b"], kind="discrete")
    with pytest.raises(InvalidParameterError, match="kind must be"):
        read_csv(path, item_col="a", kind="text")


def test_csv_separator_and_time_types(tmp_path):
    text = "sequence_id\ttime\titem\n1\t2024-01-02\tb\n1\t2024-01-01\ta\n"
    ss = read_csv(write(tmp_path, text, "e.tsv"), separator="\t", time_col="time")
    assert ss.to_lists() == [["a", "b"]]
    ss = read_csv(
        write(tmp_path, "sequence_id,t,item\n1,0.5,b\n1,0.25,a\n"), time_col="t"
    )
    assert ss.to_lists() == [["a", "b"]]


def test_csv_empty_and_malformed(tmp_path):
    with pytest.raises(EmptySequenceError, match="empty"):
        read_csv(write(tmp_path, ""))
    with pytest.raises(EmptySequenceError, match="no rows"):
        read_csv(write(tmp_path, "sequence_id,item\n"))
    with pytest.raises(ParseError, match="could not read the table"):
        read_csv(write(tmp_path, "sequence_id,item\n1,a\n2,b,c,d\n"))
    with pytest.raises(DataError, match="file not found"):
        read_csv(tmp_path / "nope.csv")


def test_csv_given_vocabulary(tmp_path):
    path = write(tmp_path, "sequence_id,item\n1,a\n1,z\n")
    vocab = Vocabulary(["z", "a"])
    assert read_csv(path, vocabulary=vocab).values.tolist() == [4, 3]
    with pytest.raises(DataError, match="unknown symbol"):
        read_csv(path, vocabulary=Vocabulary(["a"]))


def test_csv_matches_naive_grouping(tmp_path):
    rng = np.random.default_rng(0)
    n = 2_000
    sid = rng.integers(0, 150, n)
    time = rng.integers(0, 20, n)  # many ties
    item = rng.choice(list("abcdefg"), n)
    lines = ["sequence_id,time,item"] + [
        f"s{s},{t},{i}" for s, t, i in zip(sid, time, item)
    ]
    ss = read_csv(write(tmp_path, "\n".join(lines) + "\n"), time_col="time")
    expected: dict[str, list[tuple[int, int, str]]] = {}
    for row, (s, t, i) in enumerate(zip(sid, time, item)):
        expected.setdefault(f"s{s}", []).append((t, row, str(i)))
    assert ss.ids.tolist() == list(expected)
    assert ss.to_lists() == [[i for _, _, i in sorted(v)] for v in expected.values()]


def test_parquet_round_trip(tmp_path):
    df = pl.DataFrame(
        {
            "sequence_id": ["b", "a", "b"],
            "when": [
                datetime.datetime(2024, 1, 2),
                datetime.datetime(2024, 1, 1),
                datetime.datetime(2024, 1, 1),
            ],
            "item": ["x", "y", "z"],
        }
    )
    path = tmp_path / "e.parquet"
    df.write_parquet(path)
    ss = read_parquet(path, time_col="when")
    assert ss.ids.tolist() == ["b", "a"]
    assert ss.to_lists() == [["z", "x"], ["y"]]
    assert ss.timestamps.dtype.kind == "M"
    with pytest.raises(ParseError, match="Parquet|could not read"):
        read_parquet(write(tmp_path, "not parquet", "x.parquet"))


def test_dataframe_missing_value_names_row():
    df = pl.DataFrame({"sequence_id": [1, 1, 2], "item": ["a", None, "b"]})
    with pytest.raises(DataError, match="from_dataframe: row 1: item column"):
        from_dataframe(df)


def test_pandas_and_polars_give_the_same_set():
    data = {
        "user": [3, 1, 3, 1],
        "ts": [2, 1, 1, 5],
        "page": ["home", "cart", "shop", "home"],
        "y": ["a", "b", "a", "b"],
    }
    kwargs = dict(sequence_col="user", item_col="page", time_col="ts", label_col="y")
    from_pl = from_dataframe(pl.DataFrame(data), **kwargs)
    from_pd = from_dataframe(pd.DataFrame(data), **kwargs)
    from_lazy = from_dataframe(pl.DataFrame(data).lazy(), **kwargs)
    for ss in (from_pl, from_pd, from_lazy):
        assert ss.to_lists() == [["shop", "home"], ["cart", "home"]]
        assert ss.ids.tolist() == [3, 1]
        assert ss.labels.tolist() == ["a", "b"]
    with pytest.raises(DataError, match="polars, pandas or Arrow table"):
        from_dataframe({"user": [1]})


def test_time_ordered_log_and_pandas_categories():
    df = pd.DataFrame(
        {
            "sequence_id": ["b", "a", "b", "a", "b"],
            "item": pd.Categorical(["x", "y", "x", "z", "y"]),
            "time": [1, 2, 2, 3, 4],  # a log sorted by time, sessions interleaved
        }
    )
    ss = from_dataframe(df, time_col="time")
    assert ss.to_lists() == [["x", "x", "y"], ["y", "z"]]
    assert ss.timestamps.tolist() == [1, 2, 4, 2, 3]


def test_polars_failures_become_errors_naming_the_file_and_panics_too():
    from seqpred.data.readers.tabular import _polars_failures, _Source

    class PanicException(BaseException):  # how pyo3 surfaces a Rust panic
        pass

    source = _Source("read_table", "events.parquet", None)
    with pytest.raises(DataError, match=r"read the table \(index out of bounds\)"):
        with _polars_failures(source):
            raise PanicException("index out of bounds")
    with pytest.raises(DataError, match=r"events.parquet: read_table: .*\(bad bytes\)"):
        with _polars_failures(source, also=(OSError,)):
            raise OSError("bad bytes")
    with pytest.raises(KeyboardInterrupt):  # other BaseExceptions pass through
        with _polars_failures(source):
            raise KeyboardInterrupt
