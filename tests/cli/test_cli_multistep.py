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


EVENTS = """session_id,timestamp,item,action,segment
1,1,home,view,eu
1,2,shoe,view,eu
1,3,cart,buy,eu
2,1,home,view,us
2,2,shoe,buy,us
3,1,home,view,eu
3,2,hat,view,eu
3,3,cart,buy,eu
"""


@pytest.mark.parametrize("target", [None, "action"])
def test_fields_from_a_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str | None
) -> None:
    pytest.importorskip("torch")
    data = tmp_path / "events.csv"
    data.write_text(EVENTS)
    queries = tmp_path / "queries.csv"  # one session: action looks static here
    queries.write_text(
        "session_id,timestamp,item,action,segment\n9,1,home,view,eu\n9,2,shoe,view,eu\n"
    )
    model = tmp_path / "g.seqpred"
    options = ["--data-option", "item_col=item", "--data-option", "field_cols=auto"]
    params = ["max_epochs=2", "hidden_size=4", "embedding_dim=4", "device=cpu"]
    params += [] if target is None else [f"target={target}"]
    fit = ["fit", data, "--model", "gru", "-o", model, *options]
    code, out, err = run(capsys, *fit, *[a for p in params for a in ("--param", p)])
    assert code == 0, err
    assert "action (field), segment (static)" in out + err
    code, out, err = run(
        capsys, "predict", model, "--file", queries, *options, "--steps", "2",
        "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)[0]["continuations"]
    expected = {"view", "buy"} if target else {"home", "shoe", "cart", "hat"}
    assert rows and set(rows[0]["items"]) <= expected
    code, _, err = run(capsys, "predict", model, "-i", "home shoe")
    assert code == 1 and "fields" in err
