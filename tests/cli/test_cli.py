"""The command line, run in-process through ``seqpred.cli.main``."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import seqpred
from seqpred.cli import main
from seqpred.cli.args import parse_key_values, query_symbols

SPMF = "\n".join(
    [
        "1 -1 2 -1 3 -1 4 -1 -2",
        "1 -1 2 -1 3 -1 5 -1 -2",
        "1 -1 2 -1 3 -1 4 -1 -2",
        "2 -1 3 -1 4 -1 -2",
        "7 -1 1 -1 2 -1 3 -1 4 -1 -2",
        "6 -1 7 -1 1 -1 -2",
    ]
)
LINES = "\n".join(
    [
        "home search product cart",
        "home search product product",
        "home search product cart",
        "home blog about",
        "search product cart checkout",
    ]
)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def fit_model(
    capsys: pytest.CaptureFixture[str], data: Path, model: Path, *options: str
) -> Path:
    """Run ``seqpred fit DATA OPTIONS -o MODEL``, which must succeed."""
    code, _, err = run(capsys, "fit", data, *options, "-o", model)
    assert code == 0, err
    return model


@pytest.fixture
def spmf_file(tmp_path: Path) -> Path:
    path = tmp_path / "seqs.txt"
    path.write_text(SPMF + "\n")
    return path


@pytest.fixture
def lines_file(tmp_path: Path) -> Path:
    path = tmp_path / "sessions.txt"
    path.write_text(LINES + "\n")
    return path


@pytest.fixture
def spmf_model(
    tmp_path: Path, spmf_file: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    return fit_model(capsys, spmf_file, tmp_path / "spmf.seqpred", "-p", "order=2")


@pytest.fixture
def lines_model(
    tmp_path: Path, lines_file: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    model = tmp_path / "lines.seqpred"
    return fit_model(capsys, lines_file, model, "--data-format", "lines")


def one_error_line(err: str) -> str:
    """Return the single ``error:`` line, which must end stderr."""
    lines = err.strip().splitlines()
    assert [line for line in lines if line.startswith("error: ")] == lines[-1:], err
    return lines[-1]


# -- global options -------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"seqpred {seqpred.__version__}"


@pytest.mark.parametrize(
    "command", [[], ["fit"], ["predict"], ["evaluate"], ["datasets"], ["demo"]]
)
def test_every_help_ends_with_an_example(
    capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    code, out, _ = run(capsys, *command, "--help")
    assert code == 0
    assert out.rstrip().splitlines()[-1].strip().startswith("Example: seqpred")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "no-such-command")[0] == 2
    assert run(capsys, "fit")[0] == 2  # missing DATA and -o
    code, _, err = run(capsys, "predict", "m.seqpred", "-i", "a", "--top-k", "0")
    assert code == 2
    assert "top-k" in err


def test_python_dash_m(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "seqpred", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"seqpred {seqpred.__version__}"


# -- fit / predict / evaluate round trips ---------------------------------------------


def test_spmf_round_trip(
    capsys: pytest.CaptureFixture[str], spmf_file: Path, spmf_model: Path
) -> None:
    code, out, err = run(
        capsys, "predict", spmf_model, "-i", "2 3", "-i", "9", "--format", "json"
    )
    assert code == 0, err
    rows = json.loads(out)
    assert rows[0]["query"] == [2, 3]  # int tokens, as the SPMF vocabulary holds
    assert rows[0]["prediction"] == 4
    assert [p["item"] for p in rows[0]["top_k"]] == [4, 5]
    assert rows[1]["prediction"] is None and rows[1]["top_k"] == []

    code, out, err = run(
        capsys, "evaluate", spmf_model, spmf_file, "--k", "3", "--format", "json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert 0.0 <= report["accuracy"] <= 1.0
    assert report["n_queries"] == 6


def test_fit_prints_a_one_line_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, spmf_file: Path
) -> None:
    model = tmp_path / "m.seqpred"
    code, out, err = run(capsys, "fit", spmf_file, "-o", model)
    assert code == 0, err
    assert model.is_file()
    assert len(out.strip().splitlines()) == 1
    assert "6 sequences" in out and "7 symbols" in out and str(model) in out
    assert "reading" in err  # progress goes to stderr


def test_lines_round_trip_table(
    capsys: pytest.CaptureFixture[str], lines_file: Path, lines_model: Path
) -> None:
    code, out, err = run(
        capsys, "predict", lines_model, "-i", "search product", "-i", "unknown"
    )
    assert code == 0, err
    table = out.splitlines()
    assert table[0].split() == ["query", "prediction", "top-k", "(score)"]
    assert table[2].startswith("search product") and "cart (0.750)" in table[2]
    assert "(no match)" in table[3]

    code, out, err = run(
        capsys,
        "evaluate",
        lines_model,
        lines_file,
        "--data-format",
        "lines",
        "--window",
        "2",
    )
    assert code == 0, err
    assert "accuracy" in out


def test_predict_csv_is_parseable(
    capsys: pytest.CaptureFixture[str], lines_model: Path
) -> None:
    code, out, err = run(
        capsys,
        "predict",
        lines_model,
        "-i",
        "search product",
        "-i",
        "nothing here",
        "-f",
        "csv",
    )
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["item"] for r in rows] == ["cart", "product", ""]
    assert rows[0]["query"] == "search product" and rows[0]["rank"] == "1"
    assert rows[2]["query_id"] == "1" and rows[2]["rank"] == ""


def test_predict_from_file_and_chars(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "words.txt"
    data.write_text("abcab\nabcab\nabd\n")
    model = tmp_path / "chars.seqpred"
    code, _, err = run(
        capsys,
        "fit",
        data,
        "--data-format",
        "lines",
        "--data-option",
        "tokens=chars",
        "-o",
        model,
    )
    assert code == 0, err
    code, out, err = run(capsys, "predict", model, "-i", "ab", "--tokens", "chars")
    assert code == 0, err
    assert "c (0.667)" in out
    queries = tmp_path / "queries.txt"
    queries.write_text("ab\n")
    code, out, err = run(
        capsys,
        "predict",
        model,
        "--file",
        queries,
        "--data-format",
        "lines",
        "--data-option",
        "tokens=chars",
        "-f",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)[0]["prediction"] == "c"


def test_predict_needs_a_query(
    capsys: pytest.CaptureFixture[str], lines_model: Path
) -> None:
    code, _, err = run(capsys, "predict", lines_model)
    assert code == 2
    assert "--input" in err


def test_options_of_other_tasks_are_usage_errors(
    capsys: pytest.CaptureFixture[str], lines_model: Path, lines_file: Path
) -> None:
    code, _, err = run(capsys, "predict", lines_model, "-i", "home", "--horizon", "3")
    assert code == 2
    assert "--horizon does not apply to next-item models" in one_error_line(err)
    code, _, err = run(
        capsys, "evaluate", lines_model, lines_file, "--plot", "x.png", "--horizon", "2"
    )
    assert code == 2
    assert "--horizon, --plot do not apply" in one_error_line(err)


def test_fit_task_must_match_the_model(
    capsys: pytest.CaptureFixture[str], lines_file: Path, tmp_path: Path
) -> None:
    code, _, err = run(
        capsys, "fit", lines_file, "--task", "classify", "-m", "markov",
        "-o", tmp_path / "m.seqpred",
    )  # fmt: skip
    assert code == 2
    assert "serves task 'next-item', not 'classify'" in one_error_line(err)
    assert not (tmp_path / "m.seqpred").exists()


# -- errors ---------------------------------------------------------------------------


def test_malformed_spmf_names_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("1 -1 2 -1 -2\n3 -1 x -1 -2\n")
    code, out, err = run(
        capsys, "fit", bad, "--data-format", "spmf", "-o", tmp_path / "m.seqpred"
    )
    assert code == 1
    assert out == ""
    assert f"{bad}:2" in one_error_line(err)


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(
        capsys, "fit", tmp_path / "nope.txt", "-o", tmp_path / "m.seqpred"
    )
    assert code == 1
    assert "nope.txt" in one_error_line(err)


def test_missing_model_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "predict", tmp_path / "none.seqpred", "-i", "a")
    assert code == 1
    assert "none.seqpred" in one_error_line(err)


def test_corrupt_model_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "corrupt.seqpred"
    bad.write_bytes(b"this is not a model")
    code, _, err = run(capsys, "predict", bad, "-i", "a b")
    assert code == 1
    one_error_line(err)


def test_debug_shows_the_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "corrupt.seqpred"
    bad.write_bytes(b"garbage")
    code, _, err = run(capsys, "--debug", "predict", bad, "-i", "a")
    assert code == 1
    assert "Traceback" in err
    assert err.rstrip().splitlines()[-1].startswith("error: ")


def test_unknown_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, spmf_file: Path
) -> None:
    code, _, err = run(
        capsys, "fit", spmf_file, "--model", "nope", "-o", tmp_path / "m.seqpred"
    )
    assert code == 2
    assert "markov" in one_error_line(err)  # lists the available models


@pytest.mark.parametrize(
    ("param", "needle"),
    [("order=-1", "order"), ("order=abc", "order"), ("colour=3", "colour")],
)
def test_bad_param_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    spmf_file: Path,
    param: str,
    needle: str,
) -> None:
    code, out, err = run(
        capsys, "fit", spmf_file, "-p", param, "-o", tmp_path / "m.seqpred"
    )
    assert code == 2
    assert needle in one_error_line(err)
    assert "reading" not in err  # parameters are checked before reading the data
    assert not (tmp_path / "m.seqpred").exists()


def test_param_without_equals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, spmf_file: Path
) -> None:
    code, _, err = run(capsys, "fit", spmf_file, "-p", "order", "-o", tmp_path / "m")
    assert code == 2
    assert "key=value" in err


# -- datasets and demo ----------------------------------------------------------------


def test_datasets(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "datasets")
    assert code == 0
    assert "spmf" in out and "markov" in out and "order=3" in out
    code, out, _ = run(capsys, "datasets", "--format", "json")
    assert code == 0
    listing = json.loads(out)
    assert "markov" in [m["name"] for m in listing["models"]]
    assert "spmf" in [f["name"] for f in listing["formats"]]


def test_demo_quick(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo", "--quick", "--seed", "1")
    assert code == 0, err
    for needle in ("== 1.", "top-3", "HR@10", "most frequent", "identical", "fit"):
        assert needle in out
    assert "demo finished" in err


# -- helpers --------------------------------------------------------------------------


def test_parse_key_values() -> None:
    assert parse_key_values(["a=1", "b=0.5", "c=true", "d=x y", "e="], "-p") == {
        "a": 1,
        "b": 0.5,
        "c": True,
        "d": "x y",
        "e": "",
    }


def test_query_symbols_maps_ints_only_for_int_vocabularies() -> None:
    assert query_symbols(["3", "a"], [1, 2, 3]) == [3, "a"]
    assert query_symbols(["3"], ["3", "4"]) == ["3"]
    assert query_symbols(["3"], ["a"]) == ["3"]
