"""The forecast handler of the command line: fit, predict, plot, evaluate, demo."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from seqpred.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def series_csv(tmp_path: Path) -> Path:
    t = np.arange(24 * 8)
    y = (
        10
        + np.sin(2 * np.pi * t / 24)
        + np.random.default_rng(0).normal(0, 0.1, len(t))
    )
    path = tmp_path / "series.csv"
    lines = ["date,value"] + [f"2024-01-01T{i},{v:.4f}" for i, v in enumerate(y)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_fit_predict_evaluate_seasonal_naive(capsys, tmp_path, series_csv):
    model = tmp_path / "model.seqpred"
    code, out, err = run(
        capsys, "fit", series_csv, "--task", "forecast", "--model", "seasonal-naive",
        "-p", "season_length=24", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    assert "1 series (192 steps, 1 feature)" in out
    code, out, err = run(capsys, "predict", model, "--horizon", "48")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[0].split() == [
        "unique_id", "step", "seasonal-naive", "seasonal-naive-lo-80",
        "seasonal-naive-hi-80",
    ]  # fmt: skip
    assert len(lines) == 2 + 48
    values = np.loadtxt(series_csv, delimiter=",", skiprows=1, usecols=1)
    first = [float(v) for v in lines[2].split()]
    assert first[:2] == [0, 1] and first[2] == pytest.approx(values[-24], abs=1e-4)
    code, out, err = run(capsys, "evaluate", model, series_csv, "--horizon", "24")
    assert code == 0, err
    assert out.splitlines()[0].split() == [
        "origin", "steps_before_end", "mase", "smape", "mae", "mse", "coverage"
    ]  # fmt: skip
    assert out.strip().splitlines()[-1].startswith("mean")


def test_fit_horizon_and_json_and_histories(capsys, tmp_path, series_csv):
    model = tmp_path / "ar.seqpred"
    code, _, err = run(
        capsys, "fit", series_csv, "--task", "forecast", "--model", "ar",
        "-p", "order=3", "--horizon", "5", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        capsys, "predict", model, "--input", "1 2 3 4", "--input", "5,6,7",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) == 2 * 5 and rows[0]["unique_id"] == 0 and rows[-1]["step"] == 5
    code, out, err = run(
        capsys, "predict", model, "--file", series_csv, "--horizon", "2",
        "--format", "csv",
    )  # fmt: skip
    assert code == 0, err
    assert out.splitlines()[0] == "unique_id,step,ar,ar-lo-80,ar-hi-80"
    assert len(out.strip().splitlines()) == 1 + 2
    code, out, err = run(capsys, "predict", model, "--input", "1 x 3")
    assert code == 2 and "not a list of numbers" in err


def test_evaluate_a_model_that_finds_its_season(capsys, tmp_path, series_csv):
    model = tmp_path / "ets.seqpred"
    code, _, err = run(
        capsys, "fit", series_csv, "--task", "forecast", "-m", "seasonal-naive",
        "-p", "season_length=auto", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(capsys, "evaluate", model, series_csv, "--horizon", "24")
    assert code == 0, err  # was: int('auto') ended in the catch-all
    assert out.strip().splitlines()[-1].startswith("mean")


def test_evaluate_plot_shows_the_last_origin(capsys, tmp_path, series_csv):
    pytest.importorskip("matplotlib")
    model = tmp_path / "m.seqpred"
    run(
        capsys, "fit", series_csv, "--task", "forecast", "--model", "naive", "-o", model
    )
    plot = tmp_path / "evaluate.png"
    code, _, err = run(
        capsys, "evaluate", model, series_csv, "--horizon", "12", "--plot", plot
    )
    assert code == 0, err
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_plot_is_written(capsys, tmp_path, series_csv):
    pytest.importorskip("matplotlib")
    model = tmp_path / "m.seqpred"
    run(
        capsys, "fit", series_csv, "--task", "forecast", "--model", "naive", "-o", model
    )
    plot = tmp_path / "out.png"
    code, _, err = run(capsys, "predict", model, "--horizon", "12", "--plot", plot)
    assert code == 0, err
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_missing_matplotlib_names_the_extra(capsys, tmp_path, series_csv, monkeypatch):
    import builtins

    model = tmp_path / "m.seqpred"
    run(
        capsys, "fit", series_csv, "--task", "forecast", "--model", "naive", "-o", model
    )
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    code, _, err = run(capsys, "predict", model, "--plot", tmp_path / "p.png")
    assert code == 1 and "pip install seqpred[plot]" in err


def test_long_format_csv_and_symbol_files_are_told_apart(capsys, tmp_path):
    long = tmp_path / "long.csv"
    rows = [f"{s},{t},{v}" for s in ("a", "b") for t, v in enumerate(range(10))]
    long.write_text("sequence_id,timestamp,item\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.seqpred"
    code, out, err = run(
        capsys, "fit", long, "--task", "forecast", "--model", "drift", "-o", model
    )
    assert code == 0, err
    assert "2 series (20 steps" in out
    words = tmp_path / "words.txt"
    words.write_text("a b c\nd e f\n")
    code, _, err = run(
        capsys, "fit", words, "--task", "forecast", "-m", "naive", "-o", model,
        "--force",
    )  # fmt: skip
    assert code == 1 and "numeric" in err
    text = tmp_path / "text.csv"
    text.write_text("name,kind\nx,y\n")
    code, _, err = run(
        capsys, "fit", text, "--task", "forecast", "-m", "naive", "-o", model,
        "--force",
    )  # fmt: skip
    assert code == 1 and "no numeric column" in err


def test_options_that_do_not_apply(capsys, tmp_path, series_csv):
    model = tmp_path / "m.seqpred"
    run(
        capsys, "fit", series_csv, "--task", "forecast", "--model", "naive", "-o", model
    )
    code, _, err = run(capsys, "evaluate", model, series_csv, "--window", "0")
    assert code == 2 and "--window" in err


def test_demo_part_runs_quickly(capsys):
    from types import SimpleNamespace

    from seqpred.cli.demo.forecast import part_forecast

    part_forecast(SimpleNamespace(quick=True, seed=0))
    out = capsys.readouterr().out
    assert "seasonal-naive" in out and "dlinear" in out and "80% interval" in out


def test_predict_prints_the_models_own_quantile_interval(capsys, tmp_path, series_csv):
    pytest.importorskip("torch")
    from seqpred.io import save
    from seqpred.models.forecast import EncoderDecoderForecaster

    values = np.loadtxt(series_csv, delimiter=",", skiprows=1, usecols=1)
    model = EncoderDecoderForecaster(
        lookback=24, horizon=4, hidden_size=8, max_epochs=2, quantiles=(0.1, 0.5, 0.9),
        device="cpu", random_state=0,
    ).fit([values])  # fmt: skip
    path = save(model, tmp_path / "ed.seqpred")
    code, out, err = run(capsys, "predict", path, "--format", "csv")
    assert code == 0, err
    printed = np.loadtxt(out.splitlines()[1:], delimiter=",")
    lower, upper = model.predict_interval(horizon=4, coverage=0.8)
    np.testing.assert_allclose(printed[:, 3], lower[0, :, 0], rtol=1e-5)
    np.testing.assert_allclose(printed[:, 4], upper[0, :, 0], rtol=1e-5)
    np.testing.assert_allclose(printed[:, 2], model.predict(horizon=4)[0, :, 0])
