"""Files saved before the loader had limits and signatures still load."""

from __future__ import annotations

from pathlib import Path

import pytest

from seqpred import io

DATA = Path(__file__).parent / "data"


def test_markov_file_from_before_loads_and_predicts():
    model = io.load(DATA / "markov_saved_before_limits.seqpred")
    assert model.is_fitted and model.order == 2
    top = model.predict_top_k([list("ab")], k=2)
    assert len(top[0]) == 2
    assert io.read_manifest(DATA / "markov_saved_before_limits.seqpred")["model"] == (
        "markov"
    )


def test_neural_file_from_before_loads_and_predicts():
    pytest.importorskip("torch")
    model = io.load(DATA / "gru_saved_before_limits.seqpred")
    assert model.is_fitted
    assert len(model.predict_proba([["a", "b"]])[0]) == len(model.vocabulary_.symbols)
