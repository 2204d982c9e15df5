"""Events with several fields: SequenceSet.fields / .static, readers, with_key."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from seqpred.data import SequenceSet, Vocabulary, holdout_last, read_table
from seqpred.data.fields import Fields
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError
from seqpred.models.next_item._rollout import extend_queries


@pytest.fixture
def ss():
    return SequenceSet.from_lists(
        [["home", "shoe", "cart"], ["home"], ["shoe", "home"]],
        fields={
            "action": [["view", "view", "buy"], ["view"], [None, "view"]],
            "price": [[0.0, 20.0, 20.0], [0.0], [15.5, 0.0]],
        },
        static={"region": ["eu", "us", "eu"], "age": [30.0, 41.0, 25.0]},
    )


def test_kinds_and_missing_values(ss):
    assert ss.fields.names("categorical") == ["action"]
    assert ss.fields.names("numeric") == ["price"]
    assert ss.static["age"].kind == "numeric"
    assert ss.fields.decode("action")[4] is None
    assert "fields=['action', 'price']" in repr(ss)


def test_take_slice_and_concat_keep_fields(ss):
    sub = ss[[2, 0]]
    assert sub.fields.decode("action") == [None, "view", "view", "view", "buy"]
    assert sub.static.decode("region") == ["eu", "eu"]
    cut = ss.slice_steps(1, None)
    assert cut.fields.decode("price") == [20.0, 20.0, 0.0]
    both = SequenceSet.concat([ss[:1], ss[1:]])
    assert both.fields.decode("action") == ss.fields.decode("action")
    assert both.static.decode("age") == ss.static.decode("age")
    assert ss.with_labels([1, 2, 3]).static is ss.static


def test_concat_refuses_mixed_fields(ss):
    with pytest.raises(DataError, match="fields"):
        SequenceSet.concat(
            [ss, SequenceSet(ss.values, ss.offsets, vocabulary=ss.vocabulary)]
        )


def test_lengths_are_checked():
    with pytest.raises(DataError, match="sequence 0 has 1 values"):
        SequenceSet.from_lists([["a", "b"]], fields={"x": [["p"]]})
    with pytest.raises(DataError, match="one per sequence"):
        SequenceSet.from_lists([["a"]], static=Fields.from_columns({"r": [1, 2]}, 2))
    with pytest.raises(DataError, match="one value per row"):
        SequenceSet.from_lists([["a"]], static={"r": [1, 2]})


def test_old_api_unchanged():
    plain = SequenceSet.from_lists([["a", "b"]])
    assert plain.fields is None and plain.static is None
    assert plain.to_polars().columns == ["sequence_id", "step", "item"]


def test_reencoding_keeps_fields(ss):
    vocabulary = Vocabulary(["cart", "shoe", "home"])
    again = as_sequence_set(ss, vocabulary=vocabulary)
    assert again.vocabulary is vocabulary
    assert again.fields is ss.fields and again.static is ss.static


def test_holdout_keeps_fields(ss):
    train, queries, targets = holdout_last(ss)
    assert queries.fields.decode("action") == ["view", "view", None]
    assert targets.fields.decode("action") == ["buy", "view"]


def test_with_key_single_and_joint(ss):
    actions = ss.with_key("action")
    assert actions.to_lists()[0] == ["view", "view", "buy"]
    assert actions.to_lists()[2][0] == "<unk>"
    assert actions.fields.decode("item")[:3] == ["home", "shoe", "cart"]
    assert "action" not in actions.fields
    joint = ss.with_key("item", "action")
    assert joint.to_lists()[0] == ["home|view", "shoe|view", "cart|buy"]
    assert joint.to_lists()[2][0] == "<unk>"
    with pytest.raises(DataError, match="not a categorical field"):
        ss.with_key("price")


def test_extend_queries_fill_missing(ss):
    paths = ss.vocabulary.encode(["cart", "cart"]).reshape(2, 1)
    out = extend_queries(ss, np.array([1, 1]), paths)
    assert out.to_lists() == [["home", "cart"], ["home", "cart"]]
    assert out.fields.decode("action") == ["view", None, "view", None]
    assert math.isnan(out.fields["price"].values[1])
    assert out.static.decode("region") == ["us", "us"]


# -- long tables ------------------------------------------------------------------


@pytest.fixture
def table():
    return pl.DataFrame(
        {
            "session_id": [1, 1, 2, 2, 2],
            "timestamp": [2, 1, 1, 2, 3],
            "item": ["a", "b", "a", "c", "b"],
            "action": ["view", "buy", None, "view", "view"],
            "price": [1.0, 2.0, 3.0, None, 5.0],
            "segment": ["x", "x", "y", "y", "y"],
            "dwell": [3, 4, 5, 6, 7],
        }
    )


def test_read_named_fields(table):
    read = read_table(table, field_cols=["action", "price"], static_cols="segment")
    ss = read.sequences
    assert ss.to_lists() == [["b", "a"], ["a", "c", "b"]]
    assert ss.fields.decode("action") == ["buy", "view", None, "view", "view"]
    assert ss.fields.decode("price") == [2.0, 1.0, 3.0, None, 5.0]
    assert ss.static.decode("segment") == ["x", "y"]
    assert read.roles.fields == ("action", "price")
    assert "segment (static)" in read.roles.describe()
    assert "not used: dwell" in read.roles.describe()


def test_read_auto_fields(table):
    read = read_table(table, item_col="item", field_cols="auto", numeric_cols="dwell")
    ss = read.sequences
    assert list(ss.fields) == ["action", "price", "dwell"]
    assert ss.fields["dwell"].kind == "numeric"
    assert list(ss.static) == ["segment"]


def test_integer_fields_are_categorical_unless_named(table):
    ss = read_table(table, item_col="item", field_cols="dwell").sequences
    assert ss.fields["dwell"].kind == "categorical"


def test_round_trip_through_polars(ss):
    back = read_table(ss.to_polars(), item_col="item", field_cols="auto").sequences
    assert back.to_lists() == ss.to_lists()
    assert back.fields.decode("action") == ss.fields.decode("action")
    assert back.static.decode("region") == ss.static.decode("region")


def test_read_errors(table):
    with pytest.raises(DataError, match="changes within a sequence"):
        read_table(table, static_cols=["action"])
    with pytest.raises(DataError, match="not found"):
        read_table(table, field_cols=["nope"])
    with pytest.raises(DataError, match="already serve"):
        read_table(table, time_col="timestamp", field_cols=["timestamp"])
    with pytest.raises(DataError, match="numeric_cols"):
        read_table(table, field_cols=["action"], numeric_cols=["dwell"])
    with pytest.raises(DataError, match="static_cols='auto'"):
        read_table(table, field_cols=["action"], static_cols="auto")
    with pytest.raises(DataError, match="expected numbers"):
        read_table(table, field_cols=["action"], numeric_cols=["action"])


def test_csv_fields(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("session_id,item,action\n1,a,view\n1,b,buy\n2,a,view\n")
    ss = read_table(path, field_cols="action").sequences
    assert ss.fields.decode("action") == ["view", "buy", "view"]
