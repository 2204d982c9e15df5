"""The command line stops surprising: task inference, one CSV table, JSON ints,
completion, progress on a terminal, and Ctrl-C during a neural fit.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest


@pytest.fixture
def reviews(tmp_path):
    path = tmp_path / "reviews.txt"
    rows = ["pos good fine great", "neg bad awful poor", "pos great nice good"]
    rows += ["neg poor bad dull", "pos fine nice", "neg awful dull"]
    path.write_text("\n".join(rows * 3) + "\n")
    return path


def test_task_is_inferred_from_the_model(cli, reviews, tmp_path):
    model = tmp_path / "k.seqpred"
    code, out, err = cli(
        "fit", reviews, "-m", "kmer", "--data-option", "labels=first", "-o", model
    )  # was: model 'kmer' serves task 'classify', not 'next-item'
    assert code == 0, err
    assert "2 classes" in out
    code, out, err = cli(
        "fit", reviews, "--task", "classify", "--data-option", "labels=first",
        "-o", tmp_path / "default.seqpred",
    )  # fmt: skip
    assert code == 0 and "KmerClassifier" in out  # the task's default model


def test_classify_evaluate_csv_is_one_table(cli, reviews, tmp_path):
    model = tmp_path / "k.seqpred"
    cli("fit", reviews, "-m", "kmer", "--data-option", "labels=first", "-o", model)
    code, out, err = cli(
        "evaluate", model, reviews, "--data-option", "labels=first", "-f", "csv"
    )
    assert code == 0, err
    lines = out.strip().splitlines()
    assert "" not in lines  # one table, no blank separators
    assert lines[0] == "section,class,predicted,metric,value"
    assert {line.split(",")[0] for line in lines[1:]} == {
        "summary", "confusion", "per_class"
    }  # fmt: skip


def test_json_integers_stay_integers(cli, tmp_path):
    series = tmp_path / "s.csv"
    values = 10 + np.sin(np.arange(60) / 3)
    series.write_text("y\n" + "\n".join(f"{v:.4f}" for v in values) + "\n")
    model = tmp_path / "n.seqpred"
    cli("fit", series, "--task", "forecast", "-m", "naive", "-o", model)
    code, out, err = cli("evaluate", model, series, "--horizon", "3", "-f", "json")
    assert code == 0, err
    origin = json.loads(out)["origins"][0]
    for key in ("origin", "steps_before_end", "n_series", "train_steps"):
        assert isinstance(origin[key], int), (key, origin[key])


def test_shell_completion_is_offered(cli):
    code, out, _ = cli("--help")
    assert code == 0 and "--install-completion" in out


def test_progress_bars_turn_on_for_a_terminal(monkeypatch):
    import importlib

    app = importlib.import_module("seqpred.cli.app")

    class Terminal:
        def isatty(self):
            return True

        def write(self, text):
            return len(text)

    pytest.importorskip("torch")
    import seqpred

    model = seqpred.create("gru")
    monkeypatch.setattr(app.sys, "stderr", Terminal())
    app._show_progress(model, {})
    assert model.verbose == 1
    quiet = seqpred.create("gru")
    app._show_progress(quiet, {"verbose": 0})
    assert quiet.verbose == 0


def test_ctrl_c_keeps_the_best_weights(cli, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from seqpred.nn import trainer

    real_epoch = trainer.Trainer._epoch

    def epoch(self, module, loss, train, optimizer, rng, number):
        if number == 3:
            raise KeyboardInterrupt
        return real_epoch(self, module, loss, train, optimizer, rng, number)

    monkeypatch.setattr(trainer.Trainer, "_epoch", epoch)
    data = tmp_path / "s.txt"
    data.write_text("a b c d\n" * 20)
    model = tmp_path / "gru.seqpred"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code, out, err = cli(
            "fit", data, "-m", "gru", "-p", "max_epochs=10", "-p", "hidden_size=8",
            "-p", "embedding_dim=8", "-p", "device=cpu", "-o", model,
        )  # fmt: skip
    assert code == 0, err
    assert "interrupted by Ctrl-C" in out and model.exists()
    from seqpred.io import load

    loaded = load(model)
    assert loaded.stop_reason_ == "interrupted" and loaded.n_epochs_ == 2


def test_ctrl_c_before_the_first_epoch_saves_nothing(cli, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    from seqpred.nn import trainer

    def epoch(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(trainer.Trainer, "_epoch", epoch)
    data = tmp_path / "s.txt"
    data.write_text("a b c d\n" * 20)
    model = tmp_path / "gru.seqpred"
    code, _, err = cli("fit", data, "-m", "gru", "-p", "device=cpu", "-o", model)
    assert code == 130 and "nothing was saved" in err
    assert not model.exists()
