"""Long tables (event logs, Nixtla-style series) and DataFrames: roles, order, ids.

Each test reproduces a silent wrong answer of the issue "Data as users hold it":
rows glued in file order, a time column ignored, series labelled 0/1, columns
of a frame taken as sequences, and a bare KeyError on a pandas index.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import seqpred
from seqpred.data import (
    SequenceSet,
    as_sequence_set,
    from_pandas,
    from_polars,
    read_table,
)
from seqpred.exceptions import DataError
from seqpred.models.forecast import SeasonalNaive


def _two_shuffled_series() -> pl.DataFrame:
    months = pl.date_range(pl.date(2010, 1, 1), pl.date(2020, 9, 1), "1mo", eager=True)
    frames = []
    for uid, base in (("air", 100.0), ("sun", 10.0)):
        t = np.arange(len(months))
        y = base + 5 * np.sin(2 * np.pi * t / 12) + 0.1 * t
        frames.append(pl.DataFrame({"unique_id": uid, "ds": months, "y": y}))
    return pl.concat(frames).sample(fraction=1.0, shuffle=True, seed=1)


def test_cli_long_forecast_csv_keeps_series_apart_sorted_with_ids(cli, tmp_path):
    frame = _two_shuffled_series()
    data = tmp_path / "data.csv"
    frame.write_csv(data)
    model = tmp_path / "m.seqpred"
    code, out, err = cli(
        "fit", data, "--task", "forecast", "-m", "seasonal-naive",
        "-p", "season_length=12", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    assert "on 2 series (258 steps" in out  # was "1 series": rows glued
    assert "unique_id (sequence), ds (time), y (item)" in out
    code, out, err = cli("predict", model, "--horizon", "2", "--format", "csv")
    assert code == 0, err
    rows = pl.read_csv(out.encode())
    assert rows.columns[:3] == ["unique_id", "ds", "step"]
    assert sorted(set(rows["unique_id"])) == ["air", "sun"]  # not 0/1
    assert rows.filter(pl.col("step") == 1)["ds"].unique().to_list() == ["2020-10-01"]
    # the value is the one a year before the forecast step, of the same series
    truth = frame.sort("ds").filter(pl.col("ds") == pl.date(2019, 10, 1))
    for uid in ("air", "sun"):
        expected = truth.filter(pl.col("unique_id") == uid)["y"][0]
        got = rows.filter((pl.col("unique_id") == uid) & (pl.col("step") == 1))
        assert got["seasonal-naive"][0] == pytest.approx(expected)


def test_python_forecaster_fits_a_long_frame():
    frame = _two_shuffled_series()
    model = SeasonalNaive(season_length=12).fit(frame)
    assert model.n_sequences_ == 2
    forecast = model.forecast(horizon=1)
    assert forecast["series"].to_list() == model.train_ids_.tolist()
    assert forecast["ds"].to_list()[0].isoformat() == "2020-10-01"


def test_polars_frame_is_read_as_an_event_log_not_as_columns():
    log = pl.DataFrame(
        {
            "user_id": [7, 7, 9, 9, 7],
            "timestamp": [30, 10, 10, 20, 20],
            "page": ["cart", "home", "home", "shop", "search"],
        }
    )
    model = seqpred.create("markov", order=1).fit(log)
    assert model.n_sequences_ == 2  # was 3 "sequences": the columns
    assert as_sequence_set(log).to_lists() == [
        ["home", "search", "cart"],
        ["home", "shop"],
    ]
    assert model.predict([["search"], ["cart"]]) == ["cart", None]


def test_pandas_frame_with_an_index_and_series_with_an_index():
    log = pd.DataFrame(
        {"session_id": ["a", "a", "b"], "item": [1, 2, 1]}, index=[10, 11, 12]
    )
    model = seqpred.create("markov", order=1).fit(log)  # was KeyError: 0
    assert model.predict([[1]]) == [2]
    series = pd.Series([["x", "y"], ["x", "y", "z"]], index=[5, 6])
    assert seqpred.create("markov", order=1).fit(series).predict([["y"]]) == ["z"]
    with pytest.raises(DataError, match="flat sequence"):
        seqpred.create("markov").fit(pd.Series([1, 2], index=[3, 4]))


def test_arrow_tables_and_ambiguous_tables():
    table = pa.table({"session": ["s", "s"], "event": ["a", "b"]})
    assert read_table(table).sequences.to_lists() == [["a", "b"]]
    both = pl.DataFrame({"user_id": [1], "session_id": [2], "page": ["a"]})
    with pytest.raises(DataError, match=r"'user_id', 'session_id'.*sequence_col="):
        seqpred.create("markov").fit(both)
    assert read_table(both, sequence_col="session_id").sequences.ids.tolist() == [2]
    unnamed = pl.DataFrame({"a": [1], "b": ["x"], "c": ["y"]})
    with pytest.raises(DataError, match=r"item column.*item_col="):
        read_table(unnamed)


def test_text_times_that_do_not_sort_as_times_are_not_used():
    frame = pl.DataFrame({"time": ["T2", "T10", "T1"], "value": [2.0, 10.0, 1.0]})
    read = read_table(frame, kind="numeric")
    assert read.roles.time is None and "time" in read.roles.ignored
    iso = pl.DataFrame({"ds": ["2024-01-03", "2024-01-01"], "y": [3.0, 1.0]})
    assert read_table(iso).sequences.to_lists() == [[1.0, 3.0]]


def test_frames_round_trip():
    ss = SequenceSet.from_lists([["a", "b"], ["c"]]).with_labels(["x", "y"])
    for back in (from_polars(ss.to_polars()), from_pandas(ss.to_pandas())):
        assert back.to_lists() == ss.to_lists()
        assert back.labels.tolist() == ["x", "y"]
    numeric = SequenceSet.from_lists(
        [np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0, 6.0]])], kind="numeric"
    )
    back = from_polars(numeric.to_polars())
    np.testing.assert_array_equal(back.values, numeric.values)
    np.testing.assert_array_equal(back.offsets, numeric.offsets)


def test_covariates_travel_beside_y():
    frame = pl.DataFrame(
        {
            "unique_id": [1, 1, 2],
            "ds": [2, 1, 1],
            "y": [2.0, 1.0, 5.0],
            "price": [20.0, 10.0, 50.0],
        }  # fmt: skip
    )
    read = read_table(frame)
    assert read.roles.covariates == ("price",)
    assert read.covariates[:, 0].tolist() == [10.0, 20.0, 50.0]
