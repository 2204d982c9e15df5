"""``seqpred compare`` and ``fit --model auto``, run in-process."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import seqpred
from seqpred.cli import main

SESSIONS = "\n".join(
    [
        "home search product cart",
        "home search product checkout",
        "home blog about",
        "search product cart checkout",
        "home search product cart",
        "blog about home search",
    ]
    * 5
)
LABELLED = "\n".join(
    [f"up {'a b c d e'[: 2 * (3 + i % 3)]}" for i in range(12)]
    + [f"down {'e d c b a'[: 2 * (3 + i % 3)]}" for i in range(12)]
)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def sessions(tmp_path: Path) -> Path:
    path = tmp_path / "sessions.txt"
    path.write_text(SESSIONS + "\n")
    return path


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.txt"
    path.write_text(LABELLED + "\n")
    return path


def test_fit_model_auto_reads_the_task_from_the_data(
    capsys: pytest.CaptureFixture[str], sessions: Path, tmp_path: Path
):
    model = tmp_path / "auto.seqpred"
    code, out, err = run(capsys, "fit", sessions, "--model", "auto", "-o", model)
    assert code == 0, err
    assert "fitted AutoNextItem()" in out and "chose " in out
    loaded = seqpred.load(model)
    assert loaded.leaderboard_ and loaded.best_name_
    code, out, _ = run(capsys, "predict", model, "-i", "home search", "-k", "2")
    assert code == 0 and "product" in out


def test_fit_model_auto_on_labelled_lines_is_a_classifier(
    capsys: pytest.CaptureFixture[str], labelled: Path, tmp_path: Path
):
    model = tmp_path / "auto.seqpred"
    code, out, err = run(
        capsys, "fit", labelled, "--model", "auto", "--data-option", "labels=first",
        "--param", "max_time=null", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    assert "AutoClassifier" in out and "chose kmer" in out
    code, out, _ = run(capsys, "predict", model, "-i", "a b c")
    assert code == 0 and "up" in out


def test_fit_model_auto_on_a_long_series_table_is_a_forecaster(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    table = tmp_path / "series.csv"
    rows = ["unique_id,ds,y"]
    for sid, slope in (("north", 1.0), ("south", 3.0)):
        rows += [f"{sid},2020-{m + 1:02d}-01,{5 + slope * m}" for m in range(12)]
        rows += [f"{sid},2021-{m + 1:02d}-01,{5 + slope * (m + 12)}" for m in range(12)]
    table.write_text("\n".join(rows) + "\n")
    model = tmp_path / "auto.seqpred"
    code, out, err = run(
        capsys, "fit", table, "--model", "auto", "-p", "horizon=3",
        "-p", "season_length=1", "-p", 'models=["naive","drift"]',
        "-p", "max_time=null", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    assert "AutoForecaster" in out and "chose drift by validation" in out
    code, out, err = run(capsys, "predict", model, "--format", "csv")
    assert code == 0, err
    lines = list(csv.DictReader(io.StringIO(out)))
    assert [r["unique_id"] for r in lines] == ["north"] * 3 + ["south"] * 3
    assert lines[0]["ds"] == "2022-01-01"
    assert float(lines[-1]["auto-forecast"]) == pytest.approx(5 + 3.0 * 26)


def test_fit_model_auto_for_a_task_without_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], sessions: Path, tmp_path: Path
):
    code, _, err = run(
        capsys, "fit", sessions, "--model", "auto", "--task", "generate",
        "-o", tmp_path / "m.seqpred",
    )  # fmt: skip
    assert code == 2 and "auto" in err and "next-item" in err


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_compare_prints_a_leaderboard(
    capsys: pytest.CaptureFixture[str], sessions: Path, fmt: str
):
    code, out, err = run(
        capsys, "compare", sessions, "--task", "next-item",
        "--models", "markov,dg,ppm", "--folds", "3", "--format", fmt,
    )  # fmt: skip
    assert code == 0, err
    if fmt == "json":
        data = json.loads(out)
        assert data["task"] == "next-item" and data["metric"] == "accuracy"
        rows = data["models"]
        assert sorted(r["model"] for r in rows) == ["dg", "markov", "ppm"]
        assert [r["rank"] for r in rows] == [1, 2, 3]
        accuracies = [r["accuracy"] for r in rows]
        assert accuracies == sorted(accuracies, reverse=True)
        assert all(r["status"] == "ok" and r["memory_mb"] >= 0 for r in rows)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert {"rank", "model", "accuracy", "hr@10", "fit_s", "predict_s",
                "memory_mb", "status"} <= set(rows[0])  # fmt: skip
        assert len(rows) == 3
    else:
        assert out.splitlines()[0].split()[:3] == ["rank", "model", "accuracy"]
        assert "cross-validating markov" in err


def test_compare_defaults_to_the_tasks_models_and_a_budget(
    capsys: pytest.CaptureFixture[str], sessions: Path
):
    code, out, err = run(capsys, "compare", sessions, "--folds", "2", "-f", "json")
    assert code == 0, err
    names = {r["model"] for r in json.loads(out)["models"]}
    assert {"markov", "cpt+", "dg"} <= names
    assert not any(n.startswith("auto") or n in ("gru", "transformer") for n in names)
    code, out, _ = run(capsys, "compare", sessions, "--max-time", "0", "-f", "json")
    assert code == 1  # nothing ran: the table says why, the exit code too
    assert {r["status"].split(":")[0] for r in json.loads(out)["models"]} == {
        "over budget"
    }


def test_compare_classification_and_auto(
    capsys: pytest.CaptureFixture[str], labelled: Path
):
    code, out, err = run(
        capsys, "compare", labelled, "--data-option", "labels=first",
        "--models", "kmer,compression", "--folds", "3", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["task"] == "classify"
    assert {"accuracy", "macro_f1"} <= set(data["models"][0])


@pytest.mark.parametrize(
    "models, message",
    [("markov,nope", "unknown model 'nope'"), ("kmer", "serves task 'classify'"),
     ("markov,", "empty name")],
)  # fmt: skip
def test_compare_bad_models_are_usage_errors(
    capsys: pytest.CaptureFixture[str], sessions: Path, models: str, message: str
):
    code, out, err = run(
        capsys, "compare", sessions, "--task", "next-item", "--models", models
    )
    assert code == 2 and message in err and out == ""


def test_compare_forecasters(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    path = tmp_path / "series.csv"
    values = [10 + (i % 4) + 0.5 * i for i in range(40)]
    path.write_text("y\n" + "\n".join(str(v) for v in values) + "\n")
    code, out, err = run(
        capsys, "compare", path, "--task", "forecast", "--horizon", "4",
        "--folds", "2", "--models", "naive,drift,dlinear", "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)["models"]
    ran = [r for r in rows if r["status"] == "ok"]
    assert [r["mase"] for r in ran] == sorted(r["mase"] for r in ran)  # lower first
    assert {r["model"] for r in ran} == {"naive", "drift"}
    assert all(r["predict_seconds"] is None for r in ran)  # timed with the fit
    assert rows[-1]["model"] == "dlinear" and "shorter" in rows[-1]["status"]


def test_compare_usage_errors(capsys: pytest.CaptureFixture[str], sessions: Path):
    assert run(capsys, "compare", sessions, "--task", "generate")[0] == 2
    assert run(capsys, "compare", sessions, "--task", "forecast")[0] == 2
    assert run(capsys, "compare", sessions, "--folds", "1")[0] == 2


def test_compare_plot(
    capsys: pytest.CaptureFixture[str], sessions: Path, tmp_path: Path
):
    pytest.importorskip("matplotlib")
    png = tmp_path / "compare.png"
    code, _, err = run(
        capsys, "compare", sessions, "--models", "markov,dg", "--folds", "2",
        "--plot", png,
    )  # fmt: skip
    assert code == 0, err
    assert png.read_bytes()[:4] == b"\x89PNG"
