"""seqpred.spark without a Spark session: imports, messages, the pure helpers."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from seqpred.exceptions import DataError, InvalidParameterError


def test_import_needs_neither_pyspark_nor_java(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyspark", None)  # as if not installed
    from seqpred import spark

    with pytest.raises(ImportError, match=r"pip install 'seqpred\[spark\]'.*Java 17"):
        spark.fit("markov", None)
    with pytest.raises(ImportError, match="make spark-setup"):
        spark.session()


def test_gap_text_and_numbers():
    from seqpred.spark._data import gap_seconds

    assert gap_seconds("45 s") == 45.0
    assert gap_seconds("2 hours") == 7200.0
    assert gap_seconds("1.5 days") == 129600.0
    for bad in ("0 minutes", "soon", -3, True):
        with pytest.raises(InvalidParameterError, match="gap"):
            gap_seconds(bad)


def test_arrow_columns_round_trip():
    pa = pytest.importorskip("pyarrow")
    from seqpred.data.vocabulary import Vocabulary
    from seqpred.spark._arrow import (
        forecast_column,
        sequence_set,
        spark_type,
        symbol_array,
        top_k_column,
    )

    vocabulary = Vocabulary(["a", "b", "c"]).freeze()
    column = pa.array([["a", "b"], None, [], ["c", "z"]]).slice(0)
    ss = sequence_set(column, vocabulary=vocabulary, unknown="unk")
    assert ss.to_lists(decode=False) == [[3, 4], [], [], [5, 1]]
    with pytest.raises(DataError, match="null item"):
        sequence_set(pa.array([["a", None]]), vocabulary=vocabulary, unknown="unk")
    ids = np.array([[4, 3], [-1, -1], [5, -1], [3, 4]])
    scores = np.array([[0.7, 0.3], [0.0, 0.0], [1.0, 0.0], [0.5, 0.5]])
    out = top_k_column(ids, scores, symbol_array(vocabulary.symbols, "string"))
    assert out.to_pylist()[0] == [
        {"item": "b", "score": 0.7},
        {"item": "a", "score": 0.3},
    ]
    assert out.to_pylist()[1] == []
    assert spark_type(["a", "b"], "t") == "string"
    assert spark_type([1, 2], "t") == "bigint"
    with pytest.raises(DataError, match="no single Spark type"):
        spark_type(["a", 1], "t")
    mean = np.arange(12.0).reshape(2, 3, 2)
    assert forecast_column(mean[:, :, :1]).to_pylist() == [
        [0.0, 2.0, 4.0],
        [6.0, 8.0, 10.0],
    ]
    assert forecast_column(mean).to_pylist()[1] == [
        [6.0, 7.0],
        [8.0, 9.0],
        [10.0, 11.0],
    ]
