"""``seqpred fit/predict/evaluate`` for seq2seq models, and the demo part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqpred.cli import main
from seqpred.cli.demo.seq2seq import part_seq2seq
from seqpred.cli.demo.tour import DemoState

REVERSE = ["ab", "ba", "abc", "cab", "bca", "acb", "aab", "bba"]


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def pairs_file(tmp_path: Path) -> Path:
    path = tmp_path / "reverse.tsv"
    path.write_text("".join(f"{x}\t{x[::-1]}\n" for x in REVERSE))
    return path


@pytest.fixture
def ppm_model(
    tmp_path: Path, pairs_file: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    model = tmp_path / "m.seqpred"
    code, out, err = run(
        capsys, "fit", pairs_file, "--task", "seq2seq", "--model", "seq2seq-ppm",
        "--data-option", "tokens=chars", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    assert "8 pairs" in out
    return model


def test_fit_predict_chars(ppm_model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "predict", ppm_model, "-i", "cab", "-i", "ab", "-f", "json"
    )
    assert code == 0, err
    assert json.loads(out) == [
        {"input": "cab", "output": "bac"},
        {"input": "ab", "output": "ba"},
    ]
    code, out, err = run(capsys, "predict", ppm_model, "-i", "abc", "--top-k", "1")
    assert code == 0, err
    assert "cba" in out


def test_evaluate_reads_test_pairs_as_characters(
    ppm_model: Path, pairs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "evaluate", ppm_model, pairs_file, "-f", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["exact_match"] == 1.0 and report["token_accuracy"] == 1.0
    assert report["n_pairs"] == len(REVERSE)


def test_scan_file_whitespace_tokens_and_predict_from_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan = tmp_path / "scan.txt"
    scan.write_text(
        "IN: jump OUT: I_JUMP\nIN: jump twice OUT: I_JUMP I_JUMP\n"
        "IN: walk OUT: I_WALK\nIN: walk twice OUT: I_WALK I_WALK\n"
    )
    model = tmp_path / "scan.seqpred"
    code, _, err = run(capsys, "fit", scan, "--task", "seq2seq", "--model",
                       "seq2seq-ppm", "-o", model)  # fmt: skip
    assert code == 0, err
    queries = tmp_path / "queries.txt"
    queries.write_text("walk twice\njump\n")
    code, out, err = run(capsys, "predict", model, "--file", queries, "-f", "csv")
    assert code == 0, err
    assert out.splitlines() == [
        "input,output",
        "walk twice,I_WALK I_WALK",
        "jump,I_JUMP",
    ]
    code, out, err = run(capsys, "evaluate", model, scan, "-f", "json")
    assert code == 0, err
    assert json.loads(out)["exact_match"] == 1.0


def test_errors_name_the_line_and_the_option(
    tmp_path: Path,
    pairs_file: Path,
    ppm_model: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text("ab\tba\nno tab\n")
    code, _, err = run(capsys, "fit", bad, "--task", "seq2seq", "--model",
                       "seq2seq-ppm", "-o", tmp_path / "x.seqpred")  # fmt: skip
    assert code == 1
    assert f"{bad}:2:" in err
    code, _, err = run(capsys, "fit", pairs_file, "--task", "seq2seq", "--model",
                       "seq2seq-ppm", "--data-option", "labels=first",
                       "-o", tmp_path / "x.seqpred")  # fmt: skip
    assert code == 2 and "labels" in err
    code, _, err = run(capsys, "predict", ppm_model, "-i", "ab", "--horizon", "3")
    assert code == 2 and "--horizon does not apply to seq2seq" in err
    code, _, err = run(capsys, "predict", ppm_model)
    assert code == 2 and "--input" in err


def test_neural_model_round_trip(
    tmp_path: Path, pairs_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("torch")
    model = tmp_path / "rnn.seqpred"
    code, _, err = run(
        capsys, "fit", pairs_file, "--task", "seq2seq", "--model", "seq2seq-rnn",
        "--data-option", "tokens=chars", "-p", "max_epochs=2", "-p", "hidden_size=8",
        "-p", "device=cpu", "-p", "random_state=0", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, "-i", "abc", "-f", "json")
    assert code == 0, err
    assert set(json.loads(out)[0]["output"]) <= {"a", "b", "c"}


def test_demo_part_quick(capsys: pytest.CaptureFixture[str]) -> None:
    part_seq2seq(DemoState(quick=True))
    out = capsys.readouterr().out
    assert "seq2seq-ppm" in out and "exact (unseen)" in out
