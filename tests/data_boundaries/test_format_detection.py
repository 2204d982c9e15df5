"""Format detection that cannot misfire silently, and byte-order marks.

On the old main an SPMF file whose first line was longer than the sniffing
window was read as text lines (``-1``/``-2`` became items and ``predict``
answered ``-1``), a BOM stayed inside the first token of a lines file and
inside a UCR ``.tsv`` label, and ``.tsv`` event logs were read as UCR series.
"""

from __future__ import annotations

import numpy as np
import pytest

import seqpred
from seqpred.data import read_sequences
from seqpred.data.readers import sniff_format

BOM = b"\xef\xbb\xbf"


def test_spmf_with_a_very_long_first_line(tmp_path):
    first = " -1 ".join(["7"] * 30_000) + " -1 -2"  # 210 kB > the look-ahead
    rest = ["1 -1 2 -1 -2", "2 -1 3 -1 -2"] * 50
    path = tmp_path / "long.txt"
    path.write_text("\n".join([first, *rest]) + "\n")
    ss = read_sequences(path)
    assert len(ss) == 101 and ss.lengths[0] == 30_000
    assert -1 not in ss.vocabulary and -2 not in ss.vocabulary
    model = seqpred.create("markov", order=1).fit(ss)
    assert model.predict([[1]]) == [2]  # was -1 with probability 1.0


def test_byte_order_marks_are_dropped_everywhere(tmp_path):
    cases = {
        "a.txt": (b"hello world\nfoo bar\n", [["hello", "world"], ["foo", "bar"]]),
        "b.csv": (b"session_id,item\n1,a\n1,b\n", [["a", "b"]]),
        "c.txt": (b"1 -1 2 -1 -2\n", [[1, 2]]),
        "d.fa": (b">s1\nACGT\n", [["A", "C", "G", "T"]]),
    }
    for name, (body, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(BOM + body)
        assert read_sequences(path).to_lists() == expected, name
    ucr = tmp_path / "e.tsv"
    ucr.write_bytes(BOM + b"1\t1.0\t2.0\n2\t3.0\t4.5\n")
    assert read_sequences(ucr).labels.tolist() == ["1", "2"]  # no stray '\ufeff1'


def test_tsv_event_logs_are_tables_and_ucr_tsv_stays_ucr(tmp_path):
    log = tmp_path / "log.tsv"
    log.write_text("session_id\ttimestamp\tpage\nu1\t2\tb\nu1\t1\ta\n")
    assert read_sequences(log).to_lists() == [["a", "b"]]
    series = tmp_path / "series.tsv"
    series.write_text("a\t1.0\t2.0\nb\t3.0\t4.5\n")
    ss = read_sequences(series)
    assert ss.kind == "numeric" and ss.labels.tolist() == ["a", "b"]


@pytest.mark.parametrize("sep", ["\\t", "\t", "tab"])
def test_separator_tab_works_as_typed_in_a_shell(tmp_path, sep):
    path = tmp_path / "e.csv"
    path.write_text("session_id\titem\n1\ta\n1\tb\n")
    assert read_sequences(path, separator=sep).to_lists() == [["a", "b"]]


def test_sniffing_rules():
    assert sniff_format(b"\x93NUMPY...")[0] == "numpy"
    assert sniff_format(b"PAR1....")[0] == "parquet"
    assert sniff_format(b">x\nAC\n")[0] == "fasta"
    assert sniff_format(b"@problemName p\n@data\n1,2:a\n")[0] == "ucr"
    assert sniff_format(b"@CONVERTED_FROM_TEXT\n1 -1 2 -1 -2\n")[0] == "spmf"
    assert sniff_format(b"0.5 1.5 2.5\n1.0 2.0 3.0\n")[0] == "ucr"
    assert sniff_format(b"I liked it, a lot\nno, not at all\n")[0] == "lines"
    assert sniff_format(b"a;b\n1;2\n") == ("csv", {"separator": ";"})
    assert sniff_format(b"\x00\x01\x02")[0] is None


def test_numeric_reads_do_not_take_text_as_numbers(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("0.5 1.5\n2.5 3.5\n")
    assert np.asarray(read_sequences(path)[0]).ravel().tolist() == [1.5]
