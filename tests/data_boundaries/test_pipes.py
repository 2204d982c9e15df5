"""Pipes and standard input: '-' everywhere, and never a lost line.

On the old main, ``cat sessions.txt | seqpred fit /dev/stdin`` read 16,724 of
20,000 sequences (format sniffing consumed the head of the pipe), a small
piped input said "file is empty", and ``--file -`` said "file not found".
"""

from __future__ import annotations

import random
from pathlib import Path

from seqpred.data import read_sequences


def _spmf(n: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    lines = [
        " -1 ".join(str(rng.randint(1, 40)) for _ in range(rng.randint(2, 12)))
        + " -1 -2"
        for _ in range(n)
    ]
    return ("\n".join(lines) + "\n").encode()


def test_stdin_and_dev_stdin_read_every_sequence(piped, tmp_path):
    data = _spmf(20_000)
    for source in ("/dev/stdin", "-"):
        model = tmp_path / f"m{len(source)}.seqpred"
        code, out, err = piped(data, "fit", source, "-o", model)
        assert code == 0, err
        assert "20,000 sequences" in out, out


def test_a_small_pipe_is_not_empty(piped, tmp_path):
    code, out, err = piped(b"1 -1 2 -1 -2\n", "fit", "-", "-o", tmp_path / "s.seqpred")
    assert code == 0, err
    assert "1 sequences" in out


def test_predict_file_dash_reads_stdin(piped, tmp_path):
    model = tmp_path / "m.seqpred"
    code, _, err = piped(_spmf(200), "fit", "-", "-o", model)
    assert code == 0, err
    code, out, err = piped(b"1 -1 2 -1 -2\n", "predict", model, "--file", "-")
    assert code == 0, err
    assert "prediction" in out.splitlines()[0]


def test_python_reader_takes_a_fifo(tmp_path):
    import os
    import threading

    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    data = _spmf(5_000, seed=1)

    def write() -> None:
        with open(fifo, "wb") as handle:
            handle.write(data)

    writer = threading.Thread(target=write)
    writer.start()
    ss = read_sequences(fifo)
    writer.join()
    assert len(ss) == 5_000


def test_errors_in_a_stream_name_the_stream(piped, tmp_path):
    code, _, err = piped(
        b"1 -1 2 -1 -2\n3 -1 x -1 -2\n", "fit", "-", "--data-format", "spmf",
        "-o", tmp_path / "bad.seqpred",
    )  # fmt: skip
    assert code == 1
    assert "<stdin>:2" in err and "tmp" not in err.split("<stdin>")[0][-20:]


def test_a_model_cannot_be_written_to_stdout(cli, tmp_path: Path):
    data = tmp_path / "d.txt"
    data.write_text("1 -1 2 -1 -2\n")
    code, _, err = cli("fit", data, "-o", "-")
    assert code == 2 and "stdout" in err
