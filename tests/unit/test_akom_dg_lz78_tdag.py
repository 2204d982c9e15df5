import time

import numpy as np
import pytest

import seqpred
from seqpred.exceptions import (
    DataError,
    InvalidParameterError,
    NotFittedError,
    UnknownSymbolError,
)
from seqpred.models.next_item import AKOM, DG, LZ78, PPM, TDAG, MarkovPredictor
from seqpred.models.next_item.markov._contexts import load_tables

MODELS = [AKOM, DG, LZ78, TDAG]
NAMES = {"akom": AKOM, "dg": DG, "lz78": LZ78, "tdag": TDAG}

SESSIONS = [
    ["home", "search", "product", "cart", "checkout"],
    ["home", "search", "product", "product", "cart"],
    ["home", "help"],
    ["search", "product", "cart", "checkout"],
    ["home", "search", "product", "cart", "checkout"],
]


def _chain(n_sequences, length, n_symbols, seed):
    """Sequences from a noisy cycle over ``n_symbols`` symbols."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([1, 1, 1, 2, 0], size=(n_sequences, length))
    starts = rng.integers(n_symbols, size=(n_sequences, 1))
    return ((starts + np.cumsum(steps, axis=1)) % n_symbols).tolist()


# -- the shared contract ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(NAMES))
def test_registered(name):
    assert seqpred.available()[name] == "next-item"
    assert type(seqpred.create(name)) is NAMES[name]


@pytest.mark.parametrize("cls", MODELS)
def test_fit_returns_self_and_predicts(cls):
    model = cls()
    assert model.fit(SESSIONS) is model
    assert model.n_sequences_ == 5 and len(model.vocabulary_) == 6
    assert model.predict([["search", "product"]]) in (["cart"], ["product"])
    ids, scores = model.predict_top_k_ids([["home"]], k=3)
    assert ids.shape == scores.shape == (1, 3)
    assert np.all(np.diff(scores[0][ids[0] >= 0]) <= 0)


@pytest.mark.parametrize("cls", MODELS)
def test_not_fitted(cls):
    with pytest.raises(NotFittedError):
        cls().predict([["home"]])


@pytest.mark.parametrize("cls", MODELS)
def test_empty_query_unknown_items_and_empty_batch(cls):
    model = cls().fit(SESSIONS)
    assert model.predict([[], ["spaceship"]]) == [None, None]
    assert model.predict_top_k([[]], k=2) == [[]]
    assert model.predict([]) == []
    proba = model.predict_proba([[], ["spaceship"], ["home"]])
    assert proba.shape == (3, 6)
    assert np.allclose(proba.sum(axis=1), 1.0)
    fallback = cls(fallback="most_frequent").fit(SESSIONS)
    assert fallback.predict([[]]) == ["product"]


@pytest.mark.parametrize("cls", MODELS)
def test_unknown_items_error_on_request(cls):
    model = cls(on_unknown="error").fit(SESSIONS)
    with pytest.raises(UnknownSymbolError, match="spaceship"):
        model.predict([["home", "spaceship"]])


@pytest.mark.parametrize("cls", MODELS)
def test_unknown_item_inside_query_breaks_context(cls):
    model = cls().fit(SESSIONS)
    # the item after the unknown one still predicts
    assert model.predict([["spaceship", "checkout"]]) == [None]
    assert model.predict([["spaceship", "home"]]) == model.predict([["home"]])


@pytest.mark.parametrize("cls", MODELS)
def test_length_one_sequences(cls):
    model = cls().fit([["a"], ["b"], ["a"]])
    assert model.predict([["a"], ["b"], []]) == [None, None, None]
    mixed = cls().fit([["a"], ["a", "b"], ["c"]])
    assert mixed.predict([["a"]]) == ["b"]


@pytest.mark.parametrize("cls", MODELS)
def test_bad_input(cls):
    with pytest.raises(DataError):
        cls().fit([[], []])
    with pytest.raises(DataError, match="Wrap it in a list"):
        cls().fit("abc")


@pytest.mark.parametrize(
    ("cls", "name", "value"),
    [
        (AKOM, "order", 0),
        (DG, "lookahead", 0),
        (DG, "min_score", -0.5),
        (LZ78, "max_order", 0),
        (LZ78, "combine", "sum"),
        (TDAG, "max_height", 1),
        (TDAG, "min_count", "best"),
    ],
)
def test_invalid_parameters(cls, name, value):
    with pytest.raises(InvalidParameterError, match=name):
        cls(**{name: value}).fit(SESSIONS)


@pytest.mark.parametrize("cls", MODELS)
def test_batch_equals_single_queries(cls):
    train = _chain(60, 12, 9, seed=0)
    model = cls().fit(train)
    queries = [s[: 3 + i % 7] for i, s in enumerate(_chain(40, 12, 9, seed=1))]
    ids, scores = model.predict_top_k_ids(queries, k=4)
    for i, query in enumerate(queries):
        one_ids, one_scores = model.predict_top_k_ids([query], k=4)
        assert np.array_equal(ids[i], one_ids[0])
        assert np.array_equal(scores[i], one_scores[0])


# -- partial_fit --------------------------------------------------------------------


def _outputs(model, queries):
    ids, scores = model.predict_top_k_ids(queries, k=3)
    return ids, scores, model.predict_proba(queries)


@pytest.mark.parametrize(
    "params",
    [
        (AKOM, {}),
        (MarkovPredictor, {"order": 2, "min_count": 2}),
        (PPM, {}),
        (PPM, {"escape": "C", "exclusion": True}),
        (DG, {}),
        (DG, {"count_repeats": False}),
        (LZ78, {}),
        (TDAG, {"min_count": 2}),
        (TDAG, {}),
    ],
)
def test_partial_fit_equals_fit_on_everything(params):
    cls, kwargs = params
    first = _chain(30, 10, 6, seed=2)
    second = [[x + 3 for x in s] for s in _chain(30, 10, 6, seed=3)]  # new symbols
    queries = [s[:5] for s in first[:5] + second[:5]] + [[], [8]]
    whole = cls(**kwargs).fit(first + second)
    parts = cls(**kwargs).partial_fit(first).partial_fit(second)
    assert parts.vocabulary_ == whole.vocabulary_
    assert np.array_equal(parts.item_counts_, whole.item_counts_)
    assert parts.n_sequences_ == whole.n_sequences_
    if cls is not TDAG or kwargs:  # "auto" validates differently when online
        for a, b in zip(_outputs(parts, queries), _outputs(whole, queries)):
            assert np.allclose(a, b, rtol=0, atol=1e-12)


@pytest.mark.parametrize("cls", [AKOM, TDAG])
def test_partial_fit_tables_are_those_of_fit(cls):
    first, second = _chain(20, 8, 5, seed=4), _chain(20, 8, 7, seed=5)
    whole = cls().fit(first + second)
    parts = cls().partial_fit(first).partial_fit(second)
    for a, b in zip(load_tables(whole), load_tables(parts)):
        for field in ("keys", "row_ptr", "next_ids", "next_counts", "totals"):
            assert np.array_equal(getattr(a, field), getattr(b, field)), field


def test_partial_fit_refuses_a_changed_structure():
    model = AKOM(order=2).fit(SESSIONS)
    model.set_params(order=3)
    with pytest.raises(InvalidParameterError, match="order"):
        model.partial_fit(SESSIONS)
    dg = DG(lookahead=2).fit(SESSIONS).set_params(lookahead=1)
    with pytest.raises(InvalidParameterError, match="lookahead"):
        dg.partial_fit(SESSIONS)


def test_tdag_auto_partial_fit_keeps_validating():
    model = TDAG().fit(_chain(40, 12, 9, seed=6))
    before = model.n_validation_
    model.partial_fit(_chain(40, 12, 9, seed=7))
    assert model.n_validation_ == before + 40 * 11
    assert model.validation_hits_.sum() > 0


@pytest.mark.parametrize("cls", MODELS)
def test_partial_fit_tag(cls):
    assert cls.get_tags().supports_partial_fit


# -- model by model -----------------------------------------------------------------


def test_akom_is_markov_with_the_reference_order():
    train = _chain(50, 15, 8, seed=8)
    queries = [s[:9] for s in _chain(30, 15, 8, seed=9)]
    akom, markov = AKOM().fit(train), MarkovPredictor(order=5).fit(train)
    assert akom.order == 5
    for a, b in zip(_outputs(akom, queries), _outputs(markov, queries)):
        assert np.array_equal(a, b)


def test_dg_counts_items_within_the_lookahead():
    model = DG(lookahead=2).fit([list("abcd"), list("abed")])
    # a -> b (2), a -> c (1), a -> e (1); count(a) = 2
    assert model.predict_top_k([["a"]], k=4) == [[("b", 1.0), ("c", 0.5), ("e", 0.5)]]
    assert DG(lookahead=1).fit([list("abcd")]).predict([["a"]]) == ["b"]


def test_dg_repeats_and_threshold():
    data = [list("abbc"), list("ac")]
    assert DG(lookahead=3).fit(data).predict_top_k([["a"]], k=1) == [[("b", 1.0)]]
    once = DG(lookahead=3, count_repeats=False).fit(data)
    assert once.predict_top_k([["a"]], k=3) == [[("c", 1.0), ("b", 0.5)]]
    strict = DG(lookahead=3, count_repeats=False, min_score=0.6).fit(data)
    assert strict.predict_top_k([["a"]], k=3) == [[("c", 1.0)]]
    assert DG(min_score=2.0).fit(data).predict([["a"]]) == [None]


def test_dg_backs_off_to_an_earlier_item():
    model = DG(lookahead=1).fit([list("abc"), list("xy")])
    # "c" and "y" never precede anything: answer from the item before them
    assert model.predict([["a", "c"], ["x", "y"], ["c"]]) == ["b", "y", None]


def test_lz78_parse_matches_the_textbook_phrases():
    model = LZ78().fit(["abracadabra"])
    decode = model.vocabulary_.decode
    phrases = []
    for node in range(1, len(model.node_parent_)):
        path, at = [], node
        while at > 0:
            path.append(decode([model.node_item_[at]])[0])
            at = model.node_parent_[at]
        phrases.append("".join(reversed(path)))
    assert phrases == ["a", "b", "r", "ac", "ad", "ab", "ra"]


def test_lz78_sequences_restart_the_parse_and_partial_fit_continues():
    whole = LZ78().fit(["abab", "abab"])
    # a | b | a b | (new sequence) a b | a b a | b
    assert whole.node_count_[1:].tolist() == [3, 2, 2, 1]  # a, b, ab, aba
    online = LZ78().partial_fit(["abab"]).partial_fit(["abab"])
    assert online.node_count_.tolist() == whole.node_count_.tolist()


def test_lz78_combine_modes_and_order_bound():
    data = ["abracadabra", "abracadabra"]
    for combine in ("mixture", "ipredict", "longest"):
        model = LZ78(combine=combine).fit(data)
        assert model.predict(["a", "ab"]) == ["b", "r"]
    assert LZ78().fit(data).max_order_ == 3
    assert LZ78(max_order=1).fit(data).max_order_ == 1
    # the longest context "abr" alone: "a" followed it once in two passes
    longest = LZ78(combine="longest")
    assert longest.fit(data).predict_top_k(["abr"], k=1) == [[("a", 0.5)]]


def test_lz78_mixture_weights_shorter_contexts_by_escapes():
    model = LZ78().fit(["abracadabra", "abracadabra"])
    top = dict(model.predict_top_k(["abr"], k=5)[0])
    # "abr" (count 2, child "abra" 1, one phrase ended there): "a" 1/2,
    # escape 1/2; "br" is no phrase; "r" (count 2, child "ra" 1): "a" 1/2
    assert top == pytest.approx({"a": 0.5 + 0.5 * 0.5})


def test_tdag_matches_the_last_items_of_long_queries():
    model = TDAG(max_height=3, min_count=1).fit(["abcabd"])
    # the reference looks the whole query up from the root and gives nothing
    assert model.predict(["zzzzzzab", "ab"]) == ["c", "c"]


def test_tdag_threshold_backs_off_to_counted_contexts():
    data = ["xab"] + ["ac"] * 3
    assert TDAG(max_height=3, min_count=1).fit(data).predict(["xa"]) == ["b"]
    assert TDAG(max_height=3, min_count=2).fit(data).predict(["xa"]) == ["c"]
    # nothing reaches the threshold: the shortest matching context answers
    assert TDAG(max_height=3, min_count=9).fit(data).predict(["xa"]) == ["c"]


def test_tdag_auto_threshold_prefers_counted_contexts_on_noise():
    rng = np.random.default_rng(10)
    # the next item depends on the last one only; older items are noise
    data = []
    for _ in range(300):
        seq = [int(rng.integers(20))]
        for _ in range(14):
            noisy = rng.random() < 0.4
            seq.append(int(rng.integers(20)) if noisy else (seq[-1] + 1) % 20)
        data.append(seq)
    model = TDAG().fit(data)
    assert model.min_count_ > 1
    assert model.n_validation_ > 300
    small = TDAG().fit(SESSIONS)
    assert small.min_count_ == 1  # too few held-out items to choose


# -- scale --------------------------------------------------------------------------


@pytest.mark.parametrize("cls", MODELS)
def test_many_distinct_items(cls):
    n = 100_000
    items = np.arange(n)
    train = [items[i : i + 50].tolist() for i in range(0, n, 10)]
    model = cls().fit(train)
    assert len(model.vocabulary_) == n
    queries = [[50, 51, 52], [99_998], []]
    assert model.predict(queries) == [53, 99_999, None]
    assert model.predict_proba(queries[:2]).shape == (2, n)


@pytest.mark.slow
@pytest.mark.parametrize("cls", MODELS)
def test_one_sequence_of_a_million_items(cls):
    x = np.random.default_rng(11).integers(0, 50, size=1_000_000)
    tic = time.perf_counter()
    model = cls().fit([x])
    ids, _ = model.predict_top_k_ids([x[:20], x[-7:], x], k=3)
    assert time.perf_counter() - tic < 60
    assert ids.shape == (3, 3) and (ids[:, 0] >= 0).all()
