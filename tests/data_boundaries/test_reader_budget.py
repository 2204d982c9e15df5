"""Text and table readers check a file against the memory budget before reading.

Issue 15: the model loader and ``load_array`` had a memory budget
(``SEQPRED_MAX_BYTES``) but the text and table readers read any file whole, so
a file too large for the machine ended in the out-of-memory killer. Now a file
whose size times ``READ_EXPANSION`` (the least any reader needs) passes the
budget fails at once with a ``DataTooLargeError`` naming the variable, and a
small gzip file that inflates past it is stopped while inflating.
"""

from __future__ import annotations

import gzip

import polars as pl
import pytest

from seqpred.data.readers import (
    read_csv,
    read_fasta,
    read_lines,
    read_pairs,
    read_parquet,
    read_sequences,
    read_spmf,
    read_table,
    read_ucr,
)
from seqpred.exceptions import DataTooLargeError, MemoryBudgetError

BUDGET = 1 << 20  # SEQPRED_MAX_BYTES=1M: files above 128 KiB are refused
TOO_BIG = BUDGET // 8 + 1  # 8: READ_EXPANSION


def _files(folder, size):
    """One file per reader, each about ``size`` bytes."""
    rows = max(size // 8, 2)
    files = {
        "lines.txt": "a b c\n" * (size // 6 + 1),
        "seqs.spmf": "1 -1 2 -2\n" * (size // 10 + 1),
        "dna.fasta": ">s\n" + "ACGT" * (size // 4),
        "pairs.tsv": "ab\tba\n" * (size // 6 + 1),
        "series.txt": "1,0.5,0.25\n" * (size // 11 + 1),
        "events.csv": "sequence_id,item\n" + "u1,a\n" * (size // 5),
    }
    for name, text in files.items():
        (folder / name).write_text(text)
    table = pl.DataFrame(
        {"sequence_id": [f"u{i}" for i in range(rows)], "item": list(range(rows))}
    )
    table.write_parquet(folder / "events.parquet", compression="uncompressed")
    return folder


READERS = {
    "lines.txt": read_lines,
    "seqs.spmf": read_spmf,
    "dna.fasta": read_fasta,
    "pairs.tsv": read_pairs,
    "series.txt": read_ucr,
    "events.csv": read_csv,
    "events.parquet": read_parquet,
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_file_past_the_budget_is_refused_before_reading(tmp_path, monkeypatch, name):
    from seqpred.data.readers._common import READ_EXPANSION  # new with the check

    monkeypatch.setenv("SEQPRED_MAX_BYTES", str(BUDGET))
    folder = _files(tmp_path, 2 * TOO_BIG)
    path = folder / name
    assert path.stat().st_size >= TOO_BIG
    with pytest.raises(DataTooLargeError, match="SEQPRED_MAX_BYTES") as caught:
        READERS[name](path)
    assert isinstance(caught.value, MemoryBudgetError)
    assert f"({READ_EXPANSION}x its size)" in str(caught.value)
    if name in ("lines.txt", "events.csv"):
        with pytest.raises(DataTooLargeError):
            read_sequences(path)
    if name.startswith("events"):
        with pytest.raises(DataTooLargeError):
            read_table(path)


@pytest.mark.parametrize("name", sorted(READERS))
def test_a_file_within_the_budget_reads_as_before(tmp_path, monkeypatch, name):
    monkeypatch.setenv("SEQPRED_MAX_BYTES", str(BUDGET))
    folder = _files(tmp_path, TOO_BIG // 4)
    assert len(READERS[name](folder / name)) >= 1


def test_a_small_gzip_file_that_inflates_past_the_budget_is_stopped(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("SEQPRED_MAX_BYTES", str(BUDGET))
    path = tmp_path / "pairs.tsv.gz"
    path.write_bytes(gzip.compress(b"ab\tba\n" * 1_000_000))  # 6 MB in 20 kB
    assert path.stat().st_size < TOO_BIG
    with pytest.raises(DataTooLargeError, match="decompresses to more than"):
        read_pairs(path)
    path.write_bytes(gzip.compress(b"ab\tba\n" * 100))
    assert len(read_pairs(path)[0]) == 100


def test_the_command_line_exits_with_the_budget_message(tmp_path, monkeypatch, cli):
    monkeypatch.setenv("SEQPRED_MAX_BYTES", str(BUDGET))
    path = _files(tmp_path, 2 * TOO_BIG) / "lines.txt"
    code, _, err = cli("fit", path, "--model", "markov", "-o", tmp_path / "m.seqpred")
    assert code == 1
    assert "DataTooLargeError" in err or "SEQPRED_MAX_BYTES" in err
    assert not (tmp_path / "m.seqpred").exists()
