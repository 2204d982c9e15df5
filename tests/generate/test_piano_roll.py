"""Piano rolls: the reader, the per-key baseline and the Bernoulli-output model."""

from __future__ import annotations

import numpy as np
import pytest

from seqpred.data.readers.piano_rolls import N_KEYS, read_piano_rolls
from seqpred.evaluate.generate import bernoulli_nll, per_key_baseline_nll
from seqpred.exceptions import DataError


def test_reader_on_jsb_chorales(shared_data):
    pytest.importorskip("scipy")
    path = shared_data / "music" / "JSB_Chorales.mat"
    if not path.exists():
        pytest.skip("JSB_Chorales.mat is absent")
    rolls = read_piano_rolls(path)
    assert {k: len(v) for k, v in rolls.items()} == {
        "train": 229, "valid": 76, "test": 77,
    }  # fmt: skip
    assert all(p.shape[1] == N_KEYS and p.dtype == np.uint8 for p in rolls["test"])
    baseline = per_key_baseline_nll(rolls["train"], rolls["test"], skip_first=False)
    assert baseline == pytest.approx(11.06, abs=0.01)  # the published reference


def test_reader_rejects_foreign_files(tmp_path):
    scipy_io = pytest.importorskip("scipy.io")
    path = tmp_path / "other.mat"
    scipy_io.savemat(path, {"traindata": np.zeros((2, 2))})
    with pytest.raises(DataError, match="has no 'validdata'"):
        read_piano_rolls(path)


def test_bernoulli_nll_counts_every_key():
    proba = np.array([[0.5, 0.5], [0.9, 0.1]])
    frames = np.array([[1, 0], [1, 0]])
    expected = [2 * np.log(2), -2 * np.log(0.9)]
    np.testing.assert_allclose(bernoulli_nll(proba, frames), expected)


def _chords(n: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Pieces cycling through three 3-note chords over 12 keys, random starts."""
    chords = np.zeros((3, 12), dtype=np.uint8)
    for i, keys in enumerate([(0, 4, 7), (5, 9, 0), (7, 11, 2)]):
        chords[i, list(keys)] = 1
    return [chords[(np.arange(12) + rng.integers(3)) % 3] for _ in range(n)]


def test_model_learns_a_chord_progression_and_samples_it():
    pytest.importorskip("torch")
    from seqpred.models.generate.piano_roll import PianoRollModel

    rng = np.random.default_rng(0)
    train, test = _chords(24, rng), _chords(6, rng)
    model = PianoRollModel(
        "gru", hidden_size=32, embedding_dim=16, max_epochs=40, learning_rate=0.02,
        validation_fraction=0.0, device="cpu", random_state=0,
    ).fit(train)  # fmt: skip
    nll = model.nll_per_frame(test)
    assert nll < 0.5 * per_key_baseline_nll(train, test)
    proba = model.predict_proba(test[:2])
    assert [p.shape for p in proba] == [(12, 12), (12, 12)]
    scores = model.log_proba(test)
    assert -np.mean(np.concatenate([s[1:] for s in scores])) == pytest.approx(nll)
    pieces = model.sample(3, length=9, random_state=1)
    assert all(p.shape == (9, 12) and p.dtype == np.uint8 for p in pieces)
    assert [p.tolist() for p in pieces] == [
        p.tolist() for p in model.sample(3, length=9, random_state=1)
    ]
    # after the first frame the samples follow the progression
    known = {tuple(c) for c in _chords(1, rng)[0][:3].tolist()}
    frames = [tuple(f) for p in pieces for f in p[1:].tolist()]
    assert np.mean([f in known for f in frames]) >= 0.8
    with pytest.raises(DataError, match=r"piece 0 must be a non-empty \(T, 12\)"):
        model.predict_proba([np.zeros((3, 5))])
