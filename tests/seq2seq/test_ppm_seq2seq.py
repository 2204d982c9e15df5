"""PPMSeq2Seq: exact copy and reversal, beam search, saving, errors."""

import itertools

import numpy as np
import pytest

from seqpred import create
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.io import load, save
from seqpred.models.seq2seq import PPMSeq2Seq

STRINGS = ["".join(p) for n in (1, 2, 3, 4) for p in itertools.product("abc", repeat=n)]


@pytest.mark.parametrize(
    "task", [lambda s: s, lambda s: s[::-1]], ids=["copy", "reverse"]
)
def test_learns_copy_and_reverse_exactly(task):
    targets = [task(s) for s in STRINGS]
    model = PPMSeq2Seq(max_order=10).fit(STRINGS, targets)
    assert model.predict(STRINGS) == targets
    assert model.predict(STRINGS, beam_width=3) == targets
    assert model.score(STRINGS, targets) == 1.0


def test_token_lists_in_lists_out():
    X = [["jump"], ["jump", "twice"], ["walk"], ["walk", "twice"]]
    y = [["J"], ["J", "J"], ["W"], ["W", "W"]]
    model = PPMSeq2Seq(max_order=6).fit(X, y)
    assert model.predict([["walk", "twice"], ["jump"]]) == [["W", "W"], ["J"]]


def test_beam_is_at_least_as_likely_as_greedy():
    rng = np.random.default_rng(0)
    X = ["".join(rng.choice(list("abcd"), size=rng.integers(2, 6))) for _ in range(60)]
    y = [x[::-1] + x[0] for x in X]
    model = PPMSeq2Seq(max_order=3).fit(X, y)  # too short a context: ambiguous
    queries = ["abcd", "dcba", "aabb", "cab", "ddd"]
    greedy = model.predict(queries)
    beam = model.predict(queries, beam_width=5)
    lp_greedy = model.log_proba(queries, greedy)
    lp_beam = model.log_proba(queries, beam)
    assert np.all(lp_beam >= lp_greedy - 1e-9)
    assert np.all(np.isfinite(lp_greedy))


def test_log_proba_of_training_pairs_is_high_and_of_wrong_outputs_low():
    targets = [s[::-1] for s in STRINGS]
    model = PPMSeq2Seq(max_order=10).fit(STRINGS, targets)
    right = model.log_proba(STRINGS[:5], targets[:5])
    wrong = model.log_proba(STRINGS[:5], [t + "a" for t in targets[:5]])
    assert np.all(right > wrong)
    assert model.log_proba(["ab"], ["zz"])[0] == -np.inf  # never an output symbol


def test_save_load_same_outputs(tmp_path):
    targets = [s[::-1] for s in STRINGS]
    model = create("seq2seq-ppm", max_order=6).fit(STRINGS, targets)
    twin = load(save(model, tmp_path / "m.seqpred"))
    queries = ["abca", "ccc", "zz", ""]
    assert twin.predict(queries, beam_width=2) == model.predict(queries, beam_width=2)
    np.testing.assert_allclose(
        twin.log_proba(queries, queries), model.log_proba(queries, queries)
    )


def test_unknown_and_empty_inputs_still_decode():
    model = PPMSeq2Seq(max_order=4).fit(["ab", "ba"], ["x", "y"])
    out = model.predict(["zz", "", "ab"])
    assert out[2] == "x" and all(set(o) <= {"x", "y"} for o in out)


def test_errors():
    with pytest.raises(DataError, match="y"):
        PPMSeq2Seq().fit(["ab"], None)
    with pytest.raises(DataError, match="y"):
        PPMSeq2Seq().fit(["ab", "b"], ["a"])
    with pytest.raises(InvalidParameterError, match="max_order"):
        PPMSeq2Seq(max_order=0).fit(["ab"], ["a"])
    model = PPMSeq2Seq().fit(["ab"], ["a"])
    with pytest.raises(InvalidParameterError, match="beam_width"):
        model.predict(["ab"], beam_width=0)
