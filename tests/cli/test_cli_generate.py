"""``seqpred generate`` and the generation part of the demo, run in-process."""

from __future__ import annotations

import csv
import io
import json

import pytest
import typer
from typer.testing import CliRunner

import seqpred
from seqpred.cli.demo.generate import part_generate
from seqpred.cli.generate import EPILOG, generate
from seqpred.exceptions import InvalidParameterError, UnknownSymbolError
from seqpred.models.generate import ConditionalModel
from seqpred.models.next_item import PPM

TEXT = ["ROMEO: but soft, what light through yonder window breaks?"] * 5


def _registered() -> bool:
    from seqpred.cli import app

    names = {
        c.name or getattr(c.callback, "__name__", "") for c in app.registered_commands
    }
    return "generate" in names


def run(*argv: object) -> tuple[int, str, str, BaseException | None]:
    """Run ``seqpred generate ...``: via seqpred.cli once registered, else locally."""
    args = [str(a) for a in argv]
    if _registered():  # once cli.py registers the command
        from seqpred.cli import main

        capture_out, capture_err = io.StringIO(), io.StringIO()
        import contextlib

        with (
            contextlib.redirect_stdout(capture_out),
            contextlib.redirect_stderr(capture_err),
        ):
            code = main(["generate", *args])
        return code, capture_out.getvalue(), capture_err.getvalue(), None
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command(epilog=EPILOG)(generate)
    app.command("other")(lambda: None)  # two commands: "generate" is named
    result = CliRunner().invoke(app, ["generate", *args])
    return result.exit_code, result.stdout, result.stderr, result.exception


@pytest.fixture(scope="module")
def text_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("models") / "text.seqpred"
    return seqpred.save(PPM(max_order=4).fit(TEXT), path)


def test_text_samples_print_as_text_and_reproduce(text_model):
    argv = [text_model, "--n", 2, "--length", 30, "--seed", 1, "--prefix", "ROMEO:"]
    code, out, err, _ = run(*argv, "--temperature", 0.8)
    assert code == 0, err
    blocks = out.split("--- sample ")[1:]
    assert len(blocks) == 2
    assert blocks[0].startswith("1 (30 symbols, ")
    text = blocks[0].split("\n", 1)[1]
    assert text.startswith("ROMEO:") and "' '" not in text
    assert "drawing 2 samples" in err
    again = run(*argv, "--temperature", 0.8)[1]
    assert again == out


def test_json_and_csv(text_model):
    code, out, _, _ = run(text_model, "--n", 3, "--length", 10, "--seed", 0,
                          "--top-k", 1, "--format", "json")  # fmt: skip
    assert code == 0
    rows = json.loads(out)
    assert [r["sample"] for r in rows] == [1, 2, 3]
    assert len({r["text"] for r in rows}) == 1  # top-k 1 is greedy
    assert all(r["length"] == 10 and r["bits_per_symbol"] >= 0 for r in rows)
    code, out, _, _ = run(text_model, "--n", 2, "--length", 5, "--seed", 0,
                          "--top-p", 0.9, "--format", "csv")  # fmt: skip
    table = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["sample"] for r in table] == ["1", "2"]


def test_tokens_and_labels(tmp_path):
    X = [["up", "up", "down"], ["up", "down", "down"], ["left", "right"]] * 4
    y = ["a", "a", "b"] * 4
    model = ConditionalModel(PPM(max_order=2), shared_weight=0.0).fit(X, y)
    path = seqpred.save(model, tmp_path / "c.seqpred")
    options = ["--n", 2, "--length", 4, "--seed", 3, "--top-k", 1, "--label", "b"]
    code, out, err, _ = run(path, *options, "--prefix", "left", "--format", "json")
    assert code == 0, err
    for row in json.loads(out):
        words = row["text"].split(" ")
        assert words[0] == "left" and set(words) <= {"left", "right"}


def test_errors_are_clear(text_model):
    code, _, _, exc = run(text_model, "--prefix", "Zebra")
    assert code != 0
    if exc is not None:
        assert isinstance(exc, UnknownSymbolError) and "'Z'" in str(exc)
    code, _, _, exc = run(text_model, "--label", "x")
    assert code != 0
    if exc is not None:
        assert isinstance(exc, InvalidParameterError) and "conditional" in str(exc)
    code, _, _, exc = run(text_model, "--temperature", 0)
    assert code != 0
    code, out, _, _ = run("--help")
    assert code == 0 and "seqpred generate model.seqpred" in out


def test_demo_part(capsys):
    class State:
        quick = True
        seed = 0

    part_generate(State())
    out = capsys.readouterr().out
    assert "entropy rate" in out and "tea" in out
    line = next(x for x in out.splitlines() if x.startswith("Held-out"))
    ppm, best = [float(w.rstrip(";.")) for w in line.split() if w[0].isdigit()][:2]
    assert best <= ppm < best + 0.4
