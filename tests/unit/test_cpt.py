"""Unit tests for CPT and CPT+ (seqpred.models.next_item.tree)."""

from __future__ import annotations

import importlib
import math

import numpy as np
import pytest

from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import InvalidParameterError, NotFittedError, UnknownSymbolError
from seqpred.models.next_item import CPT, CPTPlus
from seqpred.models.next_item.tree._compression import (
    collapse_branches,
    encode_frequent_runs,
)
from seqpred.models.next_item.tree._index import (
    build_index,
    build_tree,
    dense_rows,
    tree_sequences,
)

PAPER = [list("ABC"), list("AB"), list("ABDC"), list("BC"), list("EABA")]
FIXED_CPT = {
    "max_sequence_length": None,
    "min_removed_items": 0,
    "predict_repeats": True,
}
FIXED_PLUS = {
    "max_sequence_length": None,
    "min_update_ratio": 1.0,
    "predict_repeats": True,
}


# -- reference implementations, written from the authors' Java code ---------------


def _similar(index, items):
    sets = [index.get(x, set()) for x in items]
    return set.intersection(*sets) if sets else set()


def _consequent(sequence, items, limit=None):
    """Items after the point where every item of ``items`` has been seen."""
    needed = set(items)
    out = []
    for item in sequence:
        if needed:
            needed.discard(item)
        elif limit is None or len(out) < limit:
            out.append(item)
    return out if not needed else []


def reference_cpt(train, query, min_removed, max_removed):
    """CPT's recursive divider, naive (every path of the recursion, no dedup)."""
    index = {}
    for sid, seq in enumerate(train):
        for item in seq:
            index.setdefault(item, set()).add(sid)
    query = [x for x in query if x in index]
    m = len(query)
    if m == 0:
        return {}
    for removed in range(min(min_removed, m - 1), min(max_removed, m - 1) + 1):
        table, used = {}, set()

        def update(sub, table=table, used=used):
            ids = _similar(index, sub)
            for sid in sorted(ids):
                if sid in used:
                    continue
                cons = _consequent(train[sid], sub)
                if cons:
                    used.add(sid)
                for item in cons:
                    table[item] = table.get(item, 0.0) + (len(sub) / m) / len(ids)

        def divide(sub, min_size=m - removed - 1):
            if len(sub) <= min_size:
                return
            update(sub)
            for hide in range(len(sub)):
                divide(sub[:hide] + sub[hide + 1 :])

        divide(query)
        if table:
            return table
    return {}


def reference_cpt_plus(train, query, noise_ratio, min_update_ratio, limit=98):
    """CPT+'s prediction by noise reduction, as the reference Java code runs it."""
    index = {}
    for sid, seq in enumerate(train):
        for item in seq:
            index.setdefault(item, set()).add(sid)
    support = {x: len(s) for x, s in index.items()}
    query = [x for x in query if x in index]
    table, used = {}, set()
    if not query:
        return table

    def update(sub):
        if not sub:
            return 0
        ids = _similar(index, sub)
        branches = 0
        for sid in sorted(ids):
            if sid in used:
                continue
            used.add(sid)
            cons = _consequent(train[sid], sub, limit)
            for d, item in enumerate(cons, start=1):
                value = 1.0 + 1.0 / len(ids) + 0.0001 / d
                table[item] = table[item] * value if item in table else value
            branches += bool(cons)
        return branches

    def predicts():
        values = sorted(set(table.values()), reverse=True)
        return bool(values) and (len(values) == 1 or values[0] >= 1.002 * values[1])

    update(query)
    count = int(predicts())
    wanted = 1 + int(len(query) * min_update_ratio)
    queue = [list(query)]
    while queue and count < wanted:
        seq = queue.pop(0)  # identity "seen" set in Java: nothing is skipped
        n_noise = math.floor(len(seq) * noise_ratio)
        if n_noise <= 0:
            lowest = min(support[x] for x in seq)
            noises = [next(x for x in seq if support[x] == lowest)]
        else:
            ranked = sorted(seq, key=lambda x: -support[x])  # stable, like Java
            noises = ranked[len(seq) - n_noise :]
        for noise in noises:
            candidate = list(seq)
            candidate.remove(noise)
            if len(candidate) > 1:
                queue.append(candidate)
            if update(candidate) > 0 and predicts():
                count += 1
    return table


def _random_data(seed, n_items=5):
    rng = np.random.default_rng(seed)
    train = [
        list(rng.integers(0, n_items, size=rng.integers(0, 9)))
        for _ in range(rng.integers(3, 25))
    ]
    queries = [
        list(rng.integers(0, n_items + 1, size=rng.integers(1, 6))) for _ in range(12)
    ]
    return [[int(x) for x in s] for s in train], [[int(x) for x in q] for q in queries]


def _tables_equal(ours, reference):
    assert set(ours) == set(reference)
    for key, value in reference.items():
        assert ours[key] == pytest.approx(value, rel=1e-9)


# -- agreement with the reference algorithms --------------------------------------


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize(("low", "high"), [(0, 4), (1, 2), (2, 4), (3, 3)])
def test_cpt_matches_reference_divider(seed, low, high):
    train, queries = _random_data(seed)
    if not any(train):
        return
    model = CPT(
        max_sequence_length=None,
        min_removed_items=low,
        max_removed_items=high,
        predict_repeats=True,
        window=6,
    ).fit(train)
    for query, table in zip(queries, model.count_table(queries)):
        _tables_equal(table, reference_cpt(train, query, low, high))


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize(("noise", "ratio"), [(1.0, 1.0), (0.0, 0.0), (0.5, 2.0)])
def test_cpt_plus_matches_reference_noise_reduction(seed, noise, ratio):
    train, queries = _random_data(seed)
    if not any(train):
        return
    model = CPTPlus(
        max_sequence_length=None,
        noise_ratio=noise,
        min_update_ratio=ratio,
        predict_repeats=True,
        window=6,
    ).fit(train)
    for query, table in zip(queries, model.count_table(queries)):
        _tables_equal(table, reference_cpt_plus(train, query, noise, ratio))


# -- behaviour ----------------------------------------------------------------------


def test_count_tables_on_the_paper_example():
    cpt = CPT(**FIXED_CPT).fit(PAPER)
    assert cpt.count_table([["A", "B"]]) == [{"C": 0.5, "A": 0.25, "D": 0.25}]
    assert cpt.predict([["A", "B"], ["Z"]]) == ["C", None]
    plus = CPTPlus(**FIXED_PLUS).fit(PAPER)
    assert plus.predict([["A", "B"]]) == ["C"]


@pytest.mark.parametrize("cls", [CPT, CPTPlus])
def test_top_k_is_sorted_and_matches_proba(cls):
    model = cls().fit(PAPER * 3)
    ids, scores = model.predict_top_k_ids([["A", "B"], ["E"], ["Z"]], k=4)
    assert (np.diff(scores, axis=1) <= 1e-12).all()
    assert (ids[2] == -1).all()
    proba = model.predict_proba([["A", "B"]])
    assert proba.sum() == pytest.approx(1.0)
    best = model.vocabulary_.decode([ids[0, 0]])[0]
    assert model.vocabulary_.symbols[int(np.argmax(proba[0]))] == best


@pytest.mark.parametrize("cls", [CPT, CPTPlus])
def test_predict_repeats_false_leaves_query_items_out(cls):
    params = dict(FIXED_CPT if cls is CPT else FIXED_PLUS, predict_repeats=False)
    model = cls(**params).fit(PAPER)
    table = model.count_table([["A", "B"]])[0]
    assert "A" not in table and "B" not in table
    for row in model.predict_top_k([["A", "B"], ["E", "A"]], k=5):
        assert not {"A", "B"} & {s for s, _ in row[:0]}
    assert all(s not in ("A", "B") for s, _ in model.predict_top_k([["A", "B"]], 5)[0])


@pytest.mark.parametrize("cls", [CPT, CPTPlus])
def test_window_keeps_the_last_known_items(cls):
    params = FIXED_CPT if cls is CPT else FIXED_PLUS
    model = cls(**params, window=2).fit(PAPER)
    long_query = [["E", "Z", "Z", "A", "B"]]
    assert model.count_table(long_query) == model.count_table([["A", "B"]])


@pytest.mark.parametrize("cls", [CPT, CPTPlus])
def test_unknown_symbols(cls):
    model = cls().fit(PAPER)
    assert model.predict([["Z", "Y"]]) == [None]
    strict = cls(on_unknown="error").fit(PAPER)
    with pytest.raises(UnknownSymbolError):
        strict.predict([["Z"]])


@pytest.mark.parametrize("cls", [CPT, CPTPlus])
def test_max_sequence_length_cuts_training_sequences(cls):
    model = cls(max_sequence_length=2).fit(PAPER)
    assert model.training_sequences() == [s[-2:] for s in PAPER]
    assert model.max_sequence_length_ == 2


@pytest.mark.parametrize("cls", [CPT, CPTPlus])
def test_partial_fit_equals_fit_on_all(cls):
    params = FIXED_CPT if cls is CPT else FIXED_PLUS
    rng = np.random.default_rng(3)
    data = [
        list(rng.choice(list("abcdefg"), size=rng.integers(1, 9))) for _ in range(40)
    ]
    more = [seq + ["new"] for seq in data[:5]]
    whole = cls(**params).fit(data + more)
    grown = cls(**params).fit(data).partial_fit(more)
    queries = [seq[:3] for seq in data[:10]] + [["new"], ["a", "new"]]
    assert grown.count_table(queries) == whole.count_table(queries)
    assert grown.n_sequences_ == whole.n_sequences_ == 45
    np.testing.assert_array_equal(grown.item_counts_, whole.item_counts_)
    assert cls(**params).partial_fit(data).n_sequences_ == 40


def test_auto_parameters_are_resolved_and_deterministic():
    rng = np.random.default_rng(0)
    data = [
        list(rng.choice(list("abcdef"), size=rng.integers(2, 12))) for _ in range(120)
    ]
    for cls, option in ((CPT, "min_removed_items_"), (CPTPlus, "min_update_ratio_")):
        first = cls().fit(data)
        second = cls().fit(data)
        assert first.max_sequence_length_ in cls._auto_lengths
        assert isinstance(first.predict_repeats_, bool)
        assert getattr(first, option) == getattr(second, option)
        assert first.predict(data[:20]) == second.predict(data[:20])


def test_invalid_parameters():
    with pytest.raises(InvalidParameterError):
        CPT(window=0).fit(PAPER)
    with pytest.raises(InvalidParameterError):
        CPT(window=63).fit(PAPER)
    with pytest.raises(InvalidParameterError):
        CPTPlus(noise_ratio=1.5).fit(PAPER)
    with pytest.raises(InvalidParameterError):
        CPTPlus(min_update_ratio="often").fit(PAPER)
    with pytest.raises(NotFittedError):
        CPT().count_table([["A"]])


# -- the prediction tree and its compressions -------------------------------------


@pytest.mark.parametrize("seed", range(30))
def test_tree_and_compressions_are_lossless(seed):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 12, size=rng.integers(1, 30))
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    values = rng.integers(0, rng.integers(1, 6), size=offsets[-1]).astype(np.int64)
    n_items = 6
    empty_ptr, empty_items = np.zeros(1, np.int64), np.empty(0, np.int64)
    parent, symbol, lookup = build_tree(values, offsets)
    for tree in (
        (parent, symbol, lookup, empty_ptr, empty_items),
        collapse_branches(parent, symbol, lookup, n_items, empty_ptr, empty_items),
    ):
        spelled, spelled_offsets = tree_sequences(*tree[:3], n_items, *tree[3:])
        np.testing.assert_array_equal(spelled, values)
        np.testing.assert_array_equal(spelled_offsets, offsets)
    symbols, symbol_offsets, d_ptr, d_items = encode_frequent_runs(
        values, offsets, n_items, 2, 4, 2
    )
    parent, symbol, lookup = build_tree(symbols, symbol_offsets)
    tree = collapse_branches(parent, symbol, lookup, n_items, d_ptr, d_items)
    spelled, spelled_offsets = tree_sequences(*tree[:3], n_items, *tree[3:])
    np.testing.assert_array_equal(spelled, values)
    np.testing.assert_array_equal(spelled_offsets, offsets)


def test_prediction_tree_method_round_trips():
    model = CPTPlus(**FIXED_PLUS).fit(PAPER * 2)
    for ccf in (False, True):
        for cbs in (False, True):
            tree = model.prediction_tree(compress_frequent=ccf, compress_branches=cbs)
            assert tree.sequences() == PAPER * 2
    assert model.prediction_tree(compress_branches=True).n_nodes < (
        model.prediction_tree().n_nodes
    )
    with pytest.raises(InvalidParameterError):
        model.prediction_tree(min_frequent_length=3, max_frequent_length=2)


def test_inverted_index_and_dense_rows():
    values = np.array([3, 4, 3, 5, 4, 4])
    offsets = np.array([0, 2, 4, 6])
    ptr, sequences, support = build_index(values, offsets, 6)
    assert support.tolist() == [0, 0, 0, 2, 2, 1]
    assert sequences[ptr[4] : ptr[5]].tolist() == [0, 2]
    row, bits = dense_rows(ptr, sequences, 3)
    assert row.tolist() == [-1, -1, -1, 0, 1, 2]
    assert bits[:, 0].tolist() == [0b011, 0b101, 0b010]


# -- numba and the pure-Python fallback agree -------------------------------------


def test_python_fallback_gives_identical_results(monkeypatch):
    import seqpred._numba
    import seqpred.models.next_item.tree._cpt_kernels as cpt_kernels
    import seqpred.models.next_item.tree._kernels as kernels
    import seqpred.models.next_item.tree._plus_kernels as plus_kernels

    def reload_kernels():
        for module in (seqpred._numba, kernels, plus_kernels, cpt_kernels):
            importlib.reload(module)

    train, queries = _random_data(7, n_items=6)
    train += [list("ab") * 3, list("bca")]
    models = [
        CPT(window=4, max_sequence_length=None),
        CPTPlus(window=4, max_sequence_length=5),
        CPTPlus(noise_ratio=0.0, min_update_ratio=2.0, predict_repeats=False),
    ]

    def outputs():
        rows = []
        for model in models:
            model.fit(train * 2)
            ids, scores = model.predict_top_k_ids(queries, k=3)
            rows.append((ids, scores, model.predict_proba(queries), vars(model).copy()))
        return rows

    compiled = outputs()
    monkeypatch.setenv("SEQPRED_DISABLE_NUMBA", "1")
    reload_kernels()
    try:
        assert not hasattr(plus_kernels.predict_plus_batch, "py_func")
        assert not hasattr(cpt_kernels.predict_cpt_batch, "py_func")
        fallback = outputs()
        # first positions copied per query even for short stored sequences
        monkeypatch.setattr(kernels, "_SCAN_LENGTH", 0)
        firsts = outputs()
        # intersections always by probing the rarest item's id list
        monkeypatch.setattr(kernels, "_PROBE_COST", 0)
        probes = outputs()
        # without first positions, consequents are found by scanning
        monkeypatch.setattr(kernels, "_MAX_QUERY_POSITIONS", 0)
        scans = outputs()
        # without per-query bitset rows, intersections search the id lists
        monkeypatch.setattr(kernels, "_MAX_QUERY_ROW_WORDS", 0)
        id_lists = outputs()
    finally:
        monkeypatch.delenv("SEQPRED_DISABLE_NUMBA")
        reload_kernels()
    for (ids, scores, proba, state), (ids2, scores2, proba2, state2) in zip(
        compiled * 5, fallback + firsts + probes + scans + id_lists
    ):
        np.testing.assert_array_equal(ids, ids2)
        np.testing.assert_allclose(scores, scores2, rtol=1e-12)
        np.testing.assert_allclose(proba, proba2, rtol=1e-12)
        for name in ("max_sequence_length_", "predict_repeats_"):
            assert state[name] == state2[name]


# -- persistence and memory -----------------------------------------------------------


@pytest.mark.parametrize("cls", [CPT, CPTPlus])
def test_save_load_round_trip(cls, tmp_path):
    io = pytest.importorskip("seqpred.io")
    model = cls().fit(PAPER * 4)
    path = io.save(model, tmp_path / "model.seqpred")
    twin = io.load(path)
    queries = [["A", "B"], ["E"], ["D", "Z"]]
    assert twin.predict(queries) == model.predict(queries)
    assert twin.count_table(queries) == model.count_table(queries)


def test_memory_bytes_counts_the_structures():
    model = CPT().fit(SequenceSet.from_lists(PAPER))
    assert (
        model.memory_bytes() >= model.sequence_values_.nbytes + model.index_ptr_.nbytes
    )


# -- tuning ---------------------------------------------------------------------------


def test_choose_keeps_the_default_unless_clearly_beaten():
    from seqpred.models.next_item.tree._base import _choose

    base = np.zeros(200, dtype=np.int8)
    base[:60] = 1
    hits = np.repeat(base[None, :, None, None], 2, axis=0).repeat(2, 2).repeat(2, 3)
    hits[1, 60:65, 1, 0] = 1  # 5 wins and 4 losses: one more hit, within noise
    hits[1, :4, 1, 0] = 0
    assert _choose(hits, [0, 1]) == (0, 0, 0)
    hits[1, 100:, 1, 1] = 1  # 100 wins, no loss: clearly better
    assert _choose(hits, [0, 1]) == (1, 1, 1)
    assert _choose(hits, [0]) == (0, 0, 0)  # that mode is not allowed


def test_threaded_pieces_grow_with_the_work_arrays(monkeypatch):
    import seqpred.models.next_item.tree._base as base

    monkeypatch.setattr(base, "n_threads", lambda: 2)
    small = CPTPlus(**FIXED_PLUS).fit(PAPER)
    assert small._n_chunks(base._MIN_PARALLEL - 1) == 1  # the pool costs more
    assert small._n_chunks(base._MIN_PARALLEL) == base._MIN_PARALLEL
    assert small._n_chunks(1000) == 8  # four pieces per thread
    wide = CPTPlus(**FIXED_PLUS).fit([[i, i + 1] for i in range(0, 40_000, 2)])
    per_piece = (wide.vocabulary_.size + 20_000) // base._SETUP_PER_QUERY
    assert wide._n_chunks(base._MIN_PARALLEL) == 1  # each piece allocates too much
    assert wide._n_chunks(3 * per_piece) == 3


@pytest.mark.parametrize("seed", range(6))
def test_validation_kernels_agree_with_prediction(seed):
    train, _ = _random_data(seed, n_items=6)
    train = [s for s in train if len(s) >= 2] * 3
    if len(train) < 4:
        return
    queries = SequenceSet.from_lists([s[:-1] for s in train[:15]])
    for cls, name, options in (
        (CPTPlus, "min_update_ratio", [2.0, 1.0, 0.0, 0.5]),
        (CPT, "min_removed_items", [2, 0, 3, 1]),
    ):
        base = {"max_sequence_length": None, "predict_repeats": True, "window": 4}
        model = cls(**base, **{name: options[0]}).fit(train)
        q = SequenceSet.from_lists(queries.to_lists(), vocabulary=model.vocabulary_)
        targets = SequenceSet.from_lists(
            [[s[-1]] for s in train[:15]], vocabulary=model.vocabulary_
        )
        hits = model._validate(model._prepare(q), targets, options)
        for j, option in enumerate(options):
            for mode, repeats in enumerate((True, False)):
                fixed = cls(**dict(base, predict_repeats=repeats), **{name: option})
                ids, _ = fixed.fit(train).predict_top_k_ids(q, 1)
                expected = (ids[:, 0] == targets.values).astype(np.int8)
                np.testing.assert_array_equal(hits[:, j, mode], expected)
