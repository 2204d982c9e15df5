"""``seqpred predict --steps`` and ``seqpred evaluate --steps`` (next-item models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqpred.cli import main

LINES = "a b c a b\na b d\na c d\na b c\nb c d a\n"


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    data = tmp_path / "train.txt"
    data.write_text(LINES)
    path = tmp_path / "m.seqpred"
    code, _, err = run(
        capsys, "fit", data, "--model", "markov", "--param", "order=1", "-o", path
    )
    assert code == 0, err
    return path


def test_predict_steps_table(model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "predict", model, "-i", "a", "-i", "zz", "--steps", "2", "-k", "2"
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["query", "rank", "continuation", "probability"]
    assert lines[2].split()[:4] == ["a", "1", "b", "c"]
    assert "(no match)" in lines[-1]


def test_predict_steps_json_matches_the_api(
    model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from seqpred.io import load

    code, out, err = run(
        capsys, "predict", model, "-i", "a b", "--steps", "3", "-k", "3", "-f", "json"
    )
    assert code == 0, err
    data = json.loads(out)
    expected = load(model).predict_next([["a", "b"]], steps=3, k=3)[0]
    got = [(c["items"], c["probability"]) for c in data[0]["continuations"]]
    assert got == [(items, pytest.approx(p)) for items, p in expected]


def test_predict_steps_csv(model: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "predict", model, "-i", "a", "--steps", "2", "-k", "2", "-f", "csv"
    )
    assert code == 0
    assert out.splitlines()[0] == "query_id,query,rank,continuation,probability"
    assert out.splitlines()[1].startswith("0,a,1,b c,")


def test_steps_must_be_positive(model: Path, capsys: pytest.CaptureFixture[str]):
    code, _, _ = run(capsys, "predict", model, "-i", "a", "--steps", "0")
    assert code == 2


def test_evaluate_steps(
    model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "test.txt"
    data.write_text(LINES)
    code, out, err = run(
        capsys, "evaluate", model, data, "--steps", "2", "--k", "3", "-f", "json"
    )
    assert code == 0, err
    scores = json.loads(out)
    assert scores["steps"] == 2 and scores["n_queries"] == 5
    assert 0 <= scores["exact_match"] <= scores["accuracy@1"] <= 1
    code, _, err = run(capsys, "evaluate", model, data, "--steps", "2", "-c", "2")
    assert code == 2 and "--consequent" in err
