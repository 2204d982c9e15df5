"""predict_next / predict_within against brute force over every path."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from seqpred.exceptions import InvalidParameterError
from seqpred.models.next_item import PPM, MarkovPredictor, _rollout


def _data(seed=0, n=60, symbols="abcd"):
    rng = np.random.default_rng(seed)
    return [
        "".join(rng.choice(list(symbols), size=rng.integers(3, 12))) for _ in range(n)
    ]


def _all_paths(model, query, steps):
    """Every path of ``steps`` items with its chain-rule probability (brute force)."""
    symbols = list(model.vocabulary_.symbols)
    out = {}
    for path in itertools.product(symbols, repeat=steps):
        p = 1.0
        for t in range(steps):
            row = model.predict_proba([list(query) + list(path[:t])])[0]
            p *= row[symbols.index(path[t])]
        out[path] = p
    return out


@pytest.fixture(scope="module")
def markov():
    return MarkovPredictor(order=2).fit(_data())


@pytest.mark.parametrize("query", ["ab", "c", "dd"])
def test_wide_beam_is_exact(markov, query):
    paths = _all_paths(markov, query, 3)
    expected = sorted(paths.items(), key=lambda kv: -kv[1])[:5]
    got = markov.predict_next([query], steps=3, k=5, beam_width=64)[0]
    assert [p for _, p in got] == pytest.approx([p for _, p in expected], abs=1e-12)
    for items, p in got:
        assert paths[tuple(items)] == pytest.approx(p, abs=1e-12)


@pytest.mark.parametrize("query", ["ab", "c"])
def test_within_enumeration_is_exact(markov, query):
    paths = _all_paths(markov, query, 3)
    exact = {s: sum(p for path, p in paths.items() if s in path) for s in "abcd"}
    rows, missing = markov.predict_within([query], steps=3, k=4, return_missing=True)
    assert missing.tolist() == [0.0]
    for item, p in rows[0]:
        assert p == pytest.approx(exact[item], abs=1e-12)
    ordered = sorted(exact.values(), reverse=True)
    assert [p for _, p in rows[0]] == pytest.approx(ordered, abs=1e-12)


def test_narrow_enumeration_reports_a_bound(markov):
    paths = _all_paths(markov, "ab", 3)
    exact = {s: sum(p for path, p in paths.items() if s in path) for s in "abcd"}
    rows, missing = markov.predict_within(
        ["ab"], steps=3, k=4, beam_width=2, return_missing=True
    )
    assert missing[0] > 0
    for item, p in rows[0]:
        assert p <= exact[item] + 1e-12 <= p + missing[0] + 1e-12


def test_sampled_within_is_close(markov):
    paths = _all_paths(markov, "ab", 2)
    exact = {s: sum(p for path, p in paths.items() if s in path) for s in "abcd"}
    rows = markov.predict_within(
        ["ab"], steps=2, k=4, method="sample", n_samples=4000, random_state=1
    )
    for item, p in rows[0]:
        assert p == pytest.approx(exact[item], abs=0.03)


def test_greedy_follows_the_argmax(markov):
    (items, p), *_ = markov.predict_next(["ab"], steps=3, k=1, method="greedy")[0]
    query, prob = list("ab"), 1.0
    symbols = list(markov.vocabulary_.symbols)
    for t in range(3):
        row = markov.predict_proba([query])[0]
        best = int(np.argmax(row))
        assert items[t] == symbols[best]
        prob *= row[best]
        query.append(symbols[best])
    assert p == pytest.approx(prob, abs=1e-12)


def test_greedy_k_paths_start_with_the_top_k(markov):
    rows = markov.predict_next(["ab"], steps=2, k=3, method="greedy")[0]
    firsts = {items[0] for items, _ in rows}
    assert firsts == {s for s, _ in markov.predict_top_k(["ab"], k=3)[0]}


def test_sampling_is_seeded_and_paths_are_real(markov):
    a = markov.predict_next(["ab", "c"], steps=3, method="sample", random_state=3)
    b = markov.predict_next(["ab", "c"], steps=3, method="sample", random_state=3)
    assert a == b
    paths = _all_paths(markov, "ab", 3)
    for items, p in a[0]:
        assert paths[tuple(items)] == pytest.approx(p, abs=1e-12)


def test_chunks_do_not_change_results(markov, monkeypatch):
    queries = ["ab", "c", "", "dd", "abcab"]
    before = markov.predict_next_ids(queries, steps=3, k=4)
    within = markov.predict_within_ids(queries, steps=3, k=4)
    monkeypatch.setattr(_rollout, "CHUNK_CELLS", 7)  # one row per chunk
    after = markov.predict_next_ids(queries, steps=3, k=4)
    for x, y in zip(before + within, after + markov.predict_within_ids(queries, 3, 4)):
        np.testing.assert_allclose(x, y, atol=1e-12)


def test_no_match_gives_no_path():
    model = MarkovPredictor(order=1).fit(["abc"])
    assert model.predict_next([["c"], ["zz"], []], steps=2) == [[], [], []]
    assert model.predict_within([["c"], []], steps=2) == [[], []]


def test_dead_ends_continue_with_the_training_frequencies():
    model = MarkovPredictor(order=1).fit(["abc", "ab"])
    rows = model.predict_next(["a"], steps=3, k=1)[0]
    # b -> c (1/2 of b's followers... b is followed by c once), then c never
    # preceded anything: the training frequencies take over.
    items, p = rows[0]
    assert items[:2] == ["b", "c"]
    assert 0 < p < 1


def test_ppm_probabilities_sum_to_one_over_all_paths():
    model = PPM(max_order=2).fit(_data(1, symbols="abc"))
    paths, probs = model.predict_next_ids(["ab"], steps=2, k=9, beam_width=9)
    assert probs.sum() == pytest.approx(1.0, abs=1e-9)
    assert (paths >= 3).all()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"steps": 0},
        {"k": 0},
        {"steps": 2.5},
        {"method": "viterbi"},
        {"beam_width": 0},
        {"n_samples": -1},
    ],
)
def test_bad_arguments_are_refused(markov, kwargs):
    with pytest.raises(InvalidParameterError):
        markov.predict_next(["ab"], **kwargs)


def test_bad_within_method_is_refused(markov):
    with pytest.raises(InvalidParameterError, match="method"):
        markov.predict_within(["ab"], method="beam")
