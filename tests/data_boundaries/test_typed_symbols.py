"""Symbols are typed: True, 1, 1.0 and "1" stay four symbols, also after saving.

On the old main ``True`` and ``1`` became one symbol (Python hashes them alike).
"""

from __future__ import annotations

import seqpred
from seqpred.data import SequenceSet, Vocabulary
from seqpred.io import load, save


def test_true_one_float_and_text_are_distinct():
    ss = SequenceSet.from_lists([[True, 1, 1.0, "1", False, 0]])
    assert ss.to_lists() == [[True, 1, 1.0, "1", False, 0]]
    assert len(ss.vocabulary) == 6
    assert [type(s) for s in ss.to_lists()[0]] == [bool, int, float, str, bool, int]


def test_predictions_follow_the_type(tmp_path):
    model = seqpred.create("markov", order=1).fit([[True, "a", 1, "b"]])
    assert model.predict([[True], [1]]) == ["a", "b"]
    twin = load(save(model, tmp_path / "typed.seqpred"))
    assert twin.vocabulary_.symbols == [True, "a", 1, "b"]
    assert twin.predict([[True], [1]]) == ["a", "b"]


def test_numpy_scalars_are_the_python_symbols():
    import numpy as np

    vocab = Vocabulary([1, True])
    assert vocab.encode([np.int64(1), np.bool_(True)]).tolist() == [3, 4]
    assert 1.0 not in vocab and "1" not in vocab
