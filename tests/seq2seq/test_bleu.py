"""Corpus BLEU: the Python fallback agrees with sacrebleu; the evaluation report."""

import pytest

from seqpred.evaluate.seq2seq import corpus_bleu, evaluate_seq2seq
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.seq2seq import PPMSeq2Seq

HYPOTHESES = [
    "the cat sat on the mat",
    "a dog is running in the park",
    "two men play",
    "the the the",
    "",
]
REFERENCES = [
    "the cat sat on a mat",
    "a dog runs in the park today",
    "two men are playing football",
    "the cat",
    "an empty output",
]


def test_python_fallback_matches_sacrebleu():
    pytest.importorskip("sacrebleu")
    for n in range(1, len(HYPOTHESES) + 1):
        expected = corpus_bleu(HYPOTHESES[:n], REFERENCES[:n], backend="sacrebleu")
        got = corpus_bleu(HYPOTHESES[:n], REFERENCES[:n], backend="python")
        assert got == pytest.approx(expected, abs=1e-9), n


def test_known_values():
    assert corpus_bleu(
        [["a", "b", "c", "d"]], [["a", "b", "c", "d"]], backend="python"
    ) == pytest.approx(100.0)
    assert corpus_bleu(["x y z w"], ["a b c d"], backend="python") == 0.0
    # three n-gram orders without any match is still a BLEU: smoothed, not 0
    assert 0 < corpus_bleu(["a x y z"], ["a b c d"], backend="python") < 20


def test_errors():
    with pytest.raises(DataError, match="one prediction per reference"):
        corpus_bleu(["a"], ["a", "b"])
    with pytest.raises(DataError):
        corpus_bleu([], [])
    with pytest.raises(InvalidParameterError, match="backend"):
        corpus_bleu(["a"], ["a"], backend="nltk")
    with pytest.raises(InvalidParameterError, match="whitespace"):
        corpus_bleu(["a"], ["a"], backend="python", tokenize="13a")


def test_evaluate_report():
    X = ["abab", "baba", "abba", "bbaa"]  # characters: one 4-gram each
    model = PPMSeq2Seq(max_order=8).fit(X, [x[::-1] for x in X])
    report = evaluate_seq2seq(model, X, [x[::-1] for x in X], bleu=True, beam_width=2)
    assert report["exact_match"] == 1.0 and report["token_accuracy"] == 1.0
    assert report["bleu"] == pytest.approx(100.0) and report["n_pairs"] == 4
