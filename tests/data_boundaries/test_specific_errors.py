"""Inputs that ended in the catch-all "unexpected ... this is a bug" now get their own
error (issue: untrusted files and extreme parameters, item 6, the reader half).
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import seqpred
from seqpred.data import read_sequences
from seqpred.exceptions import DataError, InvalidParameterError


def test_integers_wider_than_64_bits_in_a_csv(cli, tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("sequence_id,item\n1,123456789012345678901234567890\n1,5\n")
    ss = read_sequences(path)
    assert ss.to_lists() == [[123456789012345678901234567890, 5]]
    code, _, err = cli("fit", path, "-o", tmp_path / "m.seqpred")
    assert code == 0, err


@pytest.mark.parametrize(
    "item, kind",
    [
        ([[1, 2], [3]], "List"),
        ([{"a": 1}, {"a": 2}], "Struct"),
        ([b"x", b"y"], "Binary"),
    ],
)
def test_parquet_items_that_are_no_symbols_fail_when_read(tmp_path, item, kind):
    path = tmp_path / "items.parquet"
    pl.DataFrame({"sequence_id": [1, 1], "item": item}).write_parquet(path)
    with pytest.raises(DataError, match=f"holds {kind}"):
        read_sequences(path)


def test_bool_parquet_items_fit_and_save(cli, tmp_path):
    path = tmp_path / "flags.parquet"
    pl.DataFrame({"sequence_id": [1, 1, 1], "item": [True, False, True]}).write_parquet(
        path
    )
    code, _, err = cli("fit", path, "-o", tmp_path / "m.seqpred")
    assert code == 0, err  # was: failed only at save time


def test_parquet_errors_give_parquet_advice(cli, tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"garbage")
    code, _, err = cli("fit", path, "-o", tmp_path / "m.seqpred")
    assert code == 1 and "Parquet" in err and "separator" not in err


def test_unknown_encoding_is_a_usage_error(cli, tmp_path):
    path = tmp_path / "t.txt"
    path.write_text("a b\n")
    code, _, err = cli(
        "fit", path, "--data-option", "encoding=bogus", "-o", tmp_path / "m.seqpred"
    )
    assert code == 2 and "encoding must be" in err


def test_symbol_classifiers_refuse_numeric_series(cli, tmp_path):
    path = tmp_path / "n.ts"
    path.write_text(
        "@problemName x\n@classLabel true a b\n@data\n1.0,2.5:a\n2.0,0.5:b\n"
    )
    for model in ("kmer", "compression"):
        code, _, err = cli(
            "fit", path, "-m", model, "-o", tmp_path / f"{model}.seqpred"
        )
        assert code == 1 and "expected discrete sequences; got numeric" in err
    with pytest.raises(DataError, match="2-D array"):
        seqpred.create("kmer").fit([np.ones((2, 2)), np.ones((1, 2))], ["a", "b"])
    with pytest.raises(DataError, match="not hashable"):
        seqpred.create("kmer").fit([[[1, 2], [3]], [[2]]], ["a", "b"])


def test_top_k_memory_follows_the_vocabulary():
    model = seqpred.create("markov").fit(["abcab", "abc"])
    ids, scores = model.predict_top_k_ids([["a"], ["b"]], k=10**12)
    assert ids.shape == scores.shape == (2, 3)
    assert model.predict_top_k([["a"]], k=10**9) == [[("b", 1.0)]]
    with pytest.raises(InvalidParameterError, match="k must be"):
        model.predict_top_k([["a"]], k=0)
