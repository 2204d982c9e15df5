"""``seqpred fit/predict/evaluate`` for classifiers, and the demo part."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from seqpred.cli import main
from seqpred.cli.demo.classify import part_classify
from seqpred.cli.demo.tour import DemoState

REVIEWS = [
    "pos a fine film with a fine cast",
    "pos a fine and moving story",
    "pos moving and fine",
    "neg a dull film with a dull plot",
    "neg dull and boring",
    "neg a boring dull story",
] * 3


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def reviews(tmp_path: Path) -> Path:
    path = tmp_path / "reviews.txt"
    path.write_text("\n".join(REVIEWS) + "\n")
    return path


@pytest.fixture
def kmer_model(
    tmp_path: Path, reviews: Path, capsys: pytest.CaptureFixture[str]
) -> Path:
    model = tmp_path / "m.seqpred"
    code, out, err = run(
        capsys, "fit", reviews, "--task", "classify", "--model", "kmer",
        "--data-option", "labels=first", "-o", model,
    )  # fmt: skip
    assert code == 0, err
    assert "18 sequences" in out and "2 classes" in out
    return model


def test_predict_prints_label_and_probabilities(
    kmer_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "predict", kmer_model, "-i", "a fine film")
    assert code == 0, err
    assert "P(neg)" in out and "P(pos)" in out
    assert "pos" in out.splitlines()[-1]
    code, out, err = run(
        capsys, "predict", kmer_model, "-i", "a fine film", "-i", "so dull",
        "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(out)
    assert [r["label"] for r in rows] == ["pos", "neg"]
    assert sum(rows[0]["proba"].values()) == pytest.approx(1.0)


def test_evaluate_prints_metrics_confusion_and_per_class(
    kmer_model: Path, reviews: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "evaluate", kmer_model, reviews, "--data-option", "labels=first"
    )
    assert code == 0, err
    for word in ("accuracy", "balanced_accuracy", "macro_f1", "precision", "recall"):
        assert word in out
    assert "true \\ predicted" in out
    code, out, err = run(
        capsys, "evaluate", kmer_model, reviews, "--data-option", "labels=first",
        "-f", "json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["accuracy"] == 1.0
    assert report["confusion_matrix"] == [[9, 0], [0, 9]]
    assert report["per_class"]["pos"] == {
        "precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 9
    }  # fmt: skip


def test_missing_labels_and_foreign_options_are_reported(
    kmer_model: Path, reviews: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "fit", reviews, "--task", "classify", "--model", "kmer",
        "-o", tmp_path / "x.seqpred",
    )  # fmt: skip
    assert code == 1
    assert "labels=first" in err
    code, out, err = run(capsys, "predict", kmer_model, "-i", "fine", "--horizon", "2")
    assert code == 2
    assert "--horizon" in err


def test_predict_numeric_series(capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from seqpred.cli.classify import predict
    from seqpred.cli.output import OutputFormat
    from seqpred.cli.tasks import PredictOptions
    from seqpred.models.classify import DTWClassifier

    X = [np.arange(5.0) + s for s in range(3)] + [
        4 - np.arange(5.0) + s for s in range(3)
    ]
    model = DTWClassifier().fit(X, ["up"] * 3 + ["down"] * 3)
    predict(model, PredictOptions(inputs=["2 3 4 5 6"], fmt=OutputFormat.json))
    assert json.loads(capsys.readouterr().out)[0]["label"] == "up"
    with pytest.raises(Exception, match="numbers separated by spaces"):
        predict(model, PredictOptions(inputs=["a b"], fmt=OutputFormat.json))


def test_demo_part_beats_the_majority_baseline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    part_classify(DemoState(quick=True, seed=0))
    out = capsys.readouterr().out
    assert "majority" in out and "prefix" in out
