"""``seqpred serve`` on the command line: help, bad files, a missing extra."""

from __future__ import annotations

import importlib.util

import pytest

from seqpred.cli import main
from seqpred.serve import missing_extra


def test_help_ends_with_an_example(capsys):
    assert main(["serve", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--state-dir" in out and "Example: seqpred serve" in out


def test_a_missing_extra_says_what_to_install(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "fastapi" else real(name, *args),
    )
    assert "pip install 'seqpred[serve]'" in missing_extra()
    assert main(["serve", "model.seqpred"]) == 2
    assert "needs fastapi" in capsys.readouterr().err


def test_a_bad_model_file_stops_the_start(tmp_path, capsys):
    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    (tmp_path / "junk.seqpred").write_bytes(b"not a model")
    assert main(["serve", str(tmp_path / "junk.seqpred"), "--port", "0"]) == 1
    assert "error:" in capsys.readouterr().err
    assert main(["serve", "a=x.seqpred", "a=y.seqpred"]) == 2
    assert "two models are named 'a'" in capsys.readouterr().err
