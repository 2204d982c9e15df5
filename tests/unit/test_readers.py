"""Readers and writers: SPMF, text lines, FASTA, NumPy arrays and format dispatch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from seqpred.data import SequenceSet, Vocabulary
from seqpred.data.readers import (
    FORMATS,
    read_fasta,
    read_lines,
    read_numpy,
    read_sequences,
    read_spmf,
    write_lines,
    write_spmf,
)
from seqpred.exceptions import (
    DataError,
    EmptySequenceError,
    InvalidParameterError,
    ParseError,
    UnknownSymbolError,
)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


# -- SPMF -------------------------------------------------------------------------


def test_spmf_reads_int_symbols_in_first_seen_order(tmp_path):
    path = write(tmp_path, "a.txt", "12 -1 7 -1 7 -1 3 -1 -2\n5 -1 12 -1 -2\n")
    ss = read_spmf(path)
    assert ss.to_lists() == [[12, 7, 7, 3], [5, 12]]
    assert ss.vocabulary.symbols == [12, 7, 3, 5]
    assert ss.itemset_start is None
    assert ss.values.dtype == np.int64


def test_spmf_itemsets_keep_and_flatten(tmp_path):
    path = write(tmp_path, "a.txt", "1 2 -1 3 -1 -2\n4 -1 5 6 7 -1 -2\n")
    kept = read_spmf(path, itemsets="keep")
    assert kept.to_lists() == [[1, 2, 3], [4, 5, 6, 7]]
    assert kept.itemset_start.tolist() == [1, 0, 1, 1, 1, 0, 0]
    flat = read_spmf(path, itemsets="flatten")
    assert flat.to_lists() == kept.to_lists()
    assert flat.itemset_start is None


def test_spmf_skips_comments_and_blank_lines(tmp_path):
    text = "# comment\n@CONVERTED\n% meta\n\n1 -1 -2\n\n2 -1 -2\n"
    assert read_spmf(write(tmp_path, "a.txt", text)).to_lists() == [[1], [2]]


def test_spmf_accepts_crlf_tabs_and_missing_final_newline(tmp_path):
    path = write(tmp_path, "a.txt", b"1\t-1 2 -1 -2\r\n3 -1 -2")
    assert read_spmf(path).to_lists() == [[1, 2], [3]]


def test_spmf_empty_sequence_line(tmp_path):
    ss = read_spmf(write(tmp_path, "a.txt", "1 -1 -2\n-2\n2 -1 -2\n"))
    assert ss.lengths.tolist() == [1, 0, 1]


def test_spmf_max_sequences(tmp_path):
    path = write(tmp_path, "a.txt", "# c\n1 -1 -2\n\n2 -1 -2\n3 -1 x -2\n")
    assert read_spmf(path, max_sequences=2).to_lists() == [[1], [2]]
    with pytest.raises(InvalidParameterError, match="max_sequences"):
        read_spmf(path, max_sequences=0)


@pytest.mark.parametrize(
    ("text", "line", "column", "pattern"),
    [
        ("1 -1 -2\n# c\n3 -1 x7 -1 -2\n", 3, 6, "'x7' is not an integer"),
        ("1 -1 -2\n2 -1 3.5 -1 -2\n", 2, 6, "'3.5' is not an integer"),
        ("1 -1 - 1 -1 -2\n", 1, 6, "'-' is not an integer"),
        ("1 -1 99999999999999999999 -1 -2\n", 1, 6, "not an integer"),
        ("<1> 3 -1 -2\n", 1, 1, "time stamps"),
        ("1 -1 -2\n2 -1 3 -1\n4 -1 -2\n", 2, 8, "does not end with -2"),
        ("1 -1 -2\n2 -1 3 -1 -2\n5 -1", 3, 3, "does not end with -2"),
        ("1 -1 -2\n\n2 -1 -5 -1 -2\n", 3, 6, "negative token '-5'"),
        ("1 -1 -2 2 -1 -2\n", 1, 6, "-2 in the middle"),
    ],
)
def test_spmf_malformed_input_reports_line_and_column(
    tmp_path, text, line, column, pattern
):
    path = write(tmp_path, "bad.txt", text)
    with pytest.raises(ParseError, match=pattern) as info:
        read_spmf(path)
    assert (info.value.path, info.value.line, info.value.column) == (
        str(path),
        line,
        column,
    )
    assert str(info.value).startswith(f"{path}:{line}:{column}: read_spmf:")


def test_spmf_missing_and_empty_files(tmp_path):
    with pytest.raises(DataError, match="file not found: .*nope.txt"):
        read_spmf(tmp_path / "nope.txt")
    with pytest.raises(EmptySequenceError, match="empty"):
        read_spmf(write(tmp_path, "empty.txt", ""))
    with pytest.raises(EmptySequenceError, match="only comments"):
        read_spmf(write(tmp_path, "comments.txt", "# just a comment\n"))
    with pytest.raises(DataError, match="is a directory"):
        read_spmf(tmp_path)


def test_spmf_with_given_vocabulary(tmp_path):
    path = write(tmp_path, "a.txt", "1 -1 2 -1 -2\n9 -1 -2\n")
    vocab = Vocabulary([2, 1])
    with pytest.raises(UnknownSymbolError, match="9"):
        read_spmf(path, vocabulary=vocab)
    ss = read_spmf(path, vocabulary=vocab, unknown="unk")
    assert ss.values.tolist() == [4, 3, 1]
    assert ss.vocabulary is vocab


def test_spmf_bad_option():
    with pytest.raises(InvalidParameterError, match="itemsets must be"):
        read_spmf("x.txt", itemsets="sets")


def test_spmf_round_trip(tmp_path):
    seqs = [[12, 7, 7, 3], [5], [], [0, 100000]]
    path = tmp_path / "out.txt"
    write_spmf(seqs, path)
    assert path.read_text().splitlines() == [
        "12 -1 7 -1 7 -1 3 -1 -2",
        "5 -1 -2",
        "-2",
        "0 -1 100000 -1 -2",
    ]
    assert read_spmf(path).to_lists() == seqs


def test_spmf_round_trip_keeps_itemsets(tmp_path):
    src = write(tmp_path, "in.txt", "1 2 -1 3 -1 -2\n-2\n4 -1 5 6 -1 -2\n")
    ss = read_spmf(src, itemsets="keep")
    out = tmp_path / "out.txt"
    write_spmf(ss, out)
    assert out.read_text() == src.read_text()
    again = read_spmf(out, itemsets="keep")
    assert again.to_lists() == ss.to_lists()
    assert again.itemset_start.tolist() == ss.itemset_start.tolist()


def test_write_spmf_refuses_non_integer_symbols(tmp_path):
    with pytest.raises(DataError, match="integers >= 0; got symbol 'a'"):
        write_spmf([["a", "b"]], tmp_path / "x.txt")
    write_spmf([["a", "b"]], tmp_path / "x.txt", decode=False)
    assert (tmp_path / "x.txt").read_text() == "3 -1 4 -1 -2\n"
    with pytest.raises(DataError, match="numeric"):
        write_spmf([[0.5, 1.5]], tmp_path / "y.txt")


# -- text lines -------------------------------------------------------------------


def test_lines_whitespace_and_chars(tmp_path):
    path = write(tmp_path, "t.txt", "the cat  sat\n\n  a cat\n")
    ss = read_lines(path)
    assert ss.to_lists() == [["the", "cat", "sat"], ["a", "cat"]]
    assert ss.vocabulary.symbols == ["the", "cat", "sat", "a"]
    chars = read_lines(path, tokens="chars")
    assert chars.to_lists()[1] == [" ", " ", "a", " ", "c", "a", "t"]
    kept = read_lines(path, skip_empty=False)
    assert kept.lengths.tolist() == [3, 0, 2]


def test_lines_labels_first_and_last(tmp_path):
    path = write(tmp_path, "t.txt", "pos a fine film\r\nneg dull\r\n")
    first = read_lines(path, labels="first")
    assert first.labels.tolist() == ["pos", "neg"]
    assert first.to_lists() == [["a", "fine", "film"], ["dull"]]
    last = read_lines(path, labels="last")
    assert last.labels.tolist() == ["film", "dull"]
    assert last.to_lists() == [["pos", "a", "fine"], ["neg"]]
    chars = read_lines(path, labels="first", tokens="chars")
    assert chars.to_lists()[1] == list("dull")


def test_lines_errors(tmp_path):
    bad = write(tmp_path, "bad.txt", b"ok\nfine\ncaf\xe9 au lait\n")
    with pytest.raises(ParseError, match="not valid utf-8") as info:
        read_lines(bad)
    assert (info.value.line, info.value.column) == (3, 4)
    assert read_lines(bad, encoding="latin-1").to_lists()[2] == ["café", "au", "lait"]
    blank = write(tmp_path, "blank.txt", "pos a\n\nneg b\n")
    with pytest.raises(ParseError, match="no label") as info:
        read_lines(blank, labels="first", skip_empty=False)
    assert info.value.line == 2
    with pytest.raises(InvalidParameterError, match="tokens must be"):
        read_lines(blank, tokens="words")
    with pytest.raises(EmptySequenceError):
        read_lines(write(tmp_path, "empty.txt", "\n \n"))


def test_lines_round_trip(tmp_path):
    ss = SequenceSet.from_lists(
        [["a", "b"], ["c"], ["héllo", "a"]], labels=["x", "y", "x"]
    )
    path = tmp_path / "out.txt"
    write_lines(ss, path, labels="first")
    assert path.read_text(encoding="utf-8") == "x a b\ny c\nx héllo a\n"
    back = read_lines(path, labels="first")
    assert back.to_lists() == ss.to_lists()
    assert back.labels.tolist() == ["x", "y", "x"]
    write_lines(["abc", "", "b a"], path, tokens="chars")
    back = read_lines(path, tokens="chars", skip_empty=False)
    assert ["".join(s) for s in back.to_lists()] == ["abc", "", "b a"]


def test_write_lines_refuses_what_would_not_read_back(tmp_path):
    with pytest.raises(DataError, match="one character"):
        write_lines([["ab", "c"]], tmp_path / "x.txt", tokens="chars")
    with pytest.raises(DataError, match="whitespace"):
        write_lines([["a b"]], tmp_path / "x.txt")
    with pytest.raises(DataError, match="no labels"):
        write_lines([["a"]], tmp_path / "x.txt", labels="last")
    with pytest.raises(DataError, match="numeric"):
        write_lines([[0.5]], tmp_path / "x.txt")


# -- FASTA ------------------------------------------------------------------------


def test_fasta_reads_records(tmp_path):
    text = ">s1 first gene\nACgt\nNN\n\n;comment\n>s2\ntta*\n>empty\n"
    ss = read_fasta(write(tmp_path, "a.fa", text))
    assert ss.ids.tolist() == ["s1", "s2", "empty"]
    assert ["".join(s) for s in ss.to_lists()] == ["ACGTNN", "TTA*", ""]
    assert ss.vocabulary.symbols == ["A", "C", "G", "T", "N", "*"]


@pytest.mark.parametrize(
    ("text", "line", "pattern"),
    [
        ("\nACGT\n>s1\nAC\n", 2, "before the first header"),
        (">s1\nACGT\n>\nAC\n", 3, "no id"),
        (">s1\nACGT\nAC1T\n", 3, "'1' is not a residue"),
    ],
)
def test_fasta_errors(tmp_path, text, line, pattern):
    with pytest.raises(ParseError, match=pattern) as info:
        read_fasta(write(tmp_path, "bad.fa", text))
    assert info.value.line == line


# -- NumPy arrays -----------------------------------------------------------------


def test_numpy_float_padding_is_trimmed():
    arr = np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0], [np.nan] * 3])
    ss = read_numpy(arr)
    assert ss.kind == "numeric"
    assert ss.lengths.tolist() == [2, 3, 0]
    assert ss.values[:, 0].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_numpy_3d_and_lengths():
    arr = np.arange(12, dtype=float).reshape(2, 3, 2)
    ss = read_numpy(arr, lengths=[1, 3])
    assert ss.n_features == 2
    assert ss[0].tolist() == [[0.0, 1.0]]
    assert ss[1].tolist() == [[6.0, 7.0], [8.0, 9.0], [10.0, 11.0]]


def test_numpy_discrete():
    ss = read_numpy(np.array([[7, 8, 0], [9, 0, 0]]), lengths=np.array([2, 1]))
    assert ss.to_lists() == [[7, 8], [9]]
    assert read_numpy(np.array([["a", "b"], ["b", "c"]])).to_lists() == [
        ["a", "b"],
        ["b", "c"],
    ]


@pytest.mark.parametrize(
    ("array", "kwargs", "pattern"),
    [
        (np.zeros(3), {}, "2-D"),
        (np.zeros((2, 2, 2), dtype=int), {}, "must be float"),
        (np.array([[1.0, np.nan, 2.0]]), {}, "row 0 has NaN or infinity at step 1"),
        (np.zeros((2, 3)), {"lengths": [1, 4]}, "lengths must be"),
        (np.array([[object()]]), {}, "dtype"),
    ],
)
def test_numpy_errors(array, kwargs, pattern):
    with pytest.raises(DataError, match=pattern):
        read_numpy(array, **kwargs)


# -- dispatch ---------------------------------------------------------------------


def test_read_sequences_dispatches_by_extension(tmp_path):
    spmf = write(tmp_path, "a.txt", "# c\n1 -1 2 -1 -2\n")
    assert read_sequences(spmf).to_lists() == [[1, 2]]
    lines = write(tmp_path, "b.txt", "hello world\n")
    assert read_sequences(lines).to_lists() == [["hello", "world"]]
    ints = write(tmp_path, "c.txt", "1 2 3\n4 5\n")
    assert read_sequences(ints).to_lists() == [["1", "2", "3"], ["4", "5"]]
    ucr = write(tmp_path, "d.txt", "1.0000e+00 0.5 0.25\n2.0 1.5 2.5\n")
    assert read_sequences(ucr).labels.tolist() == ["1", "2"]
    fasta = write(tmp_path, "e.fasta", ">x\nAC\n")
    assert read_sequences(fasta).ids.tolist() == ["x"]
    csv = write(tmp_path, "f.csv", "sequence_id,item\n1,a\n1,b\n")
    assert read_sequences(csv).to_lists() == [["a", "b"]]
    ts = write(tmp_path, "g.ts", "@classLabel true a\n@data\n1,2:a\n")
    assert read_sequences(ts).lengths.tolist() == [2]
    np.save(tmp_path / "h.npy", np.array([[1.0, np.nan]]))
    assert read_sequences(tmp_path / "h.npy").lengths.tolist() == [1]
    import polars as pl

    pl.DataFrame({"sequence_id": [1], "item": ["z"]}).write_parquet(tmp_path / "i.pq")
    assert read_sequences(tmp_path / "i.pq").to_lists() == [["z"]]


def test_read_sequences_options_and_errors(tmp_path):
    path = write(tmp_path, "a.txt", "pos a b\n")
    ss = read_sequences(path, format="lines", labels="first")
    assert ss.labels.tolist() == ["pos"]
    with pytest.raises(DataError, match=r"unknown file extension '\.xyz'.*'spmf'"):
        read_sequences(write(tmp_path, "a.xyz", "1"))
    with pytest.raises(InvalidParameterError, match="format must be"):
        read_sequences(path, format="excel")
    with pytest.raises(InvalidParameterError, match=r"\['itemsets'\] do not apply"):
        read_sequences(path, format="lines", itemsets="keep")
    with pytest.raises(DataError, match="file not found"):
        read_sequences(tmp_path / "missing.csv")
    np.save(tmp_path / "obj.npy", np.array([None, 1], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="not a plain .npy"):
        read_sequences(tmp_path / "obj.npy")


def test_formats_table():
    assert set(FORMATS) == {"spmf", "lines", "csv", "parquet", "fasta", "ucr", "numpy"}
    for description, example in FORMATS.values():
        assert isinstance(description, str) and description
        assert isinstance(example, str) and example


# -- shared benchmark data (skipped when absent) ------------------------------------


@pytest.mark.parametrize(
    ("name", "n_sequences", "n_items"),
    [
        ("MSNBC", 31_790, 17),
        ("BMS", 59_601, 497),
        ("SIGN", 730, 267),
        ("LEVIATHAN", 5_834, 9_025),
    ],
)
def test_shared_spmf_files(shared_data, name, n_sequences, n_items):
    ss = read_spmf(shared_data / "next_item" / f"{name}.txt")
    assert len(ss) == n_sequences
    assert len(ss.vocabulary) == n_items


def test_shared_msnbc_matches_naive_parse(shared_data):
    path = shared_data / "next_item" / "MSNBC.txt"
    ss = read_spmf(path)
    naive = [
        [int(t) for t in line.split() if int(t) >= 0]
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    assert ss.to_lists() == naive
    assert ss.n_steps == 423_776


def test_write_spmf_refuses_reserved_ids(tmp_path):
    ss = SequenceSet.from_lists([[1, 2]], vocabulary=Vocabulary([1]), unknown="unk")
    with pytest.raises(DataError, match="reserved ids"):
        write_spmf(ss, tmp_path / "x.txt")
