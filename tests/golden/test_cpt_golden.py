"""Golden tests: the running example of the CPT / CPT+ papers, worked by hand.

The training set is the five sequences of the papers' running example as
we remember it from the CPT+ paper (Gueniche et al., PAKDD 2015, Fig. 1):
s1 = A B C, s2 = A B, s3 = A B D C, s4 = B C and s5 = E A B A. We could
not retrieve the papers' text to check the figure, so every expected
structure and score below was computed by hand from the algorithm's
definitions (and from the authors' IPredict code), step by step in the
comments; none was produced by running seqpred.
"""

from __future__ import annotations

import numpy as np
import pytest

from seqpred.models.next_item import CPT, CPTPlus

TRAINING = [list("ABC"), list("AB"), list("ABDC"), list("BC"), list("EABA")]
PLAIN_CPT = {
    "max_sequence_length": None,
    "min_removed_items": 0,
    "predict_repeats": True,
}
PLAIN_PLUS = {
    "max_sequence_length": None,
    "min_update_ratio": 1.0,
    "noise_ratio": 1.0,
    "predict_repeats": True,
}


def _paths(tree):
    """Each node's path from the root, as a tuple of edge labels."""
    paths = {0: ()}
    for node, parent, label in tree.edges():  # parents come before children
        paths[node] = (*paths[parent], "".join(label))
    return paths


def test_prediction_tree_and_lookup_table():
    model = CPT(**PLAIN_CPT).fit(TRAINING)
    tree = model.prediction_tree()
    paths = _paths(tree)
    # one node per distinct prefix: A, AB, ABC, ABD, ABDC / B, BC / E, EA, EAB, EABA
    assert sorted("".join(p) for p in paths.values()) == sorted(
        ["", "A", "AB", "ABC", "ABD", "ABDC", "B", "BC", "E", "EA", "EAB", "EABA"]
    )
    # the lookup table points at the last node of each sequence
    assert ["".join(paths[int(n)]) for n in tree.lookup] == [
        "ABC",
        "AB",
        "ABDC",
        "BC",
        "EABA",
    ]
    assert tree.sequences() == TRAINING


def test_inverted_index():
    model = CPT(**PLAIN_CPT).fit(TRAINING)
    expected = {  # item: the sequences containing it
        "A": [0, 1, 2, 4],
        "B": [0, 1, 2, 3, 4],
        "C": [0, 2, 3],
        "D": [2],
        "E": [4],
    }
    for item, sequences in expected.items():
        i = model.vocabulary_.index(item)
        found = model.index_sequences_[model.index_ptr_[i] : model.index_ptr_[i + 1]]
        assert found.tolist() == sequences
        assert model.item_support_[i] == len(sequences)
        # with 5 sequences every item is "dense": its bitset is the papers' II row
        bits = int(model.dense_bits_[model.dense_row_[i], 0])
        assert bits == sum(1 << s for s in sequences)


def test_cpt_count_table_for_query_ab():
    # similar sequences of <A, B>: s1, s2, s3, s5 (4 of them); consequents
    # after both A and B have been seen: s1 -> C, s2 -> (none), s3 -> D C,
    # s5 -> A. Each occurrence adds 1/4 (the full query: weight 2/2).
    model = CPT(**PLAIN_CPT).fit(TRAINING)
    table = model.count_table([["A", "B"]])[0]
    assert table == pytest.approx({"C": 2 / 4, "D": 1 / 4, "A": 1 / 4})
    assert model.predict([["A", "B"]]) == ["C"]


def test_cpt_recursive_divider_when_nothing_matches():
    # <D, E>: no sequence holds both. Level 1 removes one item: <D> (weight
    # 1/2) matches s3, consequent C -> C += 1/2; <E> (weight 1/2) matches s5,
    # consequent A B A -> A += 1/2 twice, B += 1/2.
    model = CPT(**PLAIN_CPT).fit(TRAINING)
    table = model.count_table([["D", "E"]])[0]
    assert table == pytest.approx({"A": 1.0, "B": 0.5, "C": 0.5})
    assert model.predict([["D", "E"]]) == ["A"]


def test_cpt_plus_count_table_for_query_ab():
    # Step 1, the query <A, B>: 4 similar sequences, so each consequent item
    # at distance d multiplies its score by 1 + 1/4 + 0.0001/d:
    #   s1: C (d=1); s3: D (d=1), C (d=2); s5: A (d=1).
    # C leads D and A by more than 0.2%: one update with a prediction.
    # Wanted updates: 1 + floor(2 * 1.0) = 3, so noise reduction goes on.
    # Supports: A 4, B 5; with noise_ratio=1 both are noise, least frequent
    # last: [B, A]. Removing B gives <A> (s1, s2, s3, s5: all used); removing
    # A gives <B>: 5 similar, s4 is new, consequent C (d=1): factor 1 + 1/5 +
    # 0.0001. That update predicts (2 of 3); the queue is then empty.
    model = CPTPlus(**PLAIN_PLUS).fit(TRAINING)
    table = model.count_table([["A", "B"]])[0]
    c = (1 + 1 / 4 + 0.0001) * (1 + 1 / 4 + 0.0001 / 2) * (1 + 1 / 5 + 0.0001)
    assert table == pytest.approx({"C": c, "D": 1.2501, "A": 1.2501})
    ids, scores = model.predict_top_k_ids([["A", "B"]], k=3)
    assert model.vocabulary_.decode(ids[0].tolist()) == ["C", "A", "D"]  # A, D tie
    # predict_proba normalises the logarithms of the scores
    logs = np.log([c, 1.2501, 1.2501])
    assert scores[0] == pytest.approx(logs / logs.sum())


def test_cpt_plus_stops_after_the_first_prediction_with_ratio_zero():
    # min_update_ratio=0: 1 + floor(2 * 0) = 1 update with a prediction is
    # enough, so only step 1 above counts.
    model = CPTPlus(**dict(PLAIN_PLUS, min_update_ratio=0.0)).fit(TRAINING)
    table = model.count_table([["A", "B"]])[0]
    c = (1 + 1 / 4 + 0.0001) * (1 + 1 / 4 + 0.0001 / 2)
    assert table == pytest.approx({"C": c, "D": 1.2501, "A": 1.2501})


def test_compression_of_simple_branches():
    # CBS: a node with one child that ends no sequence merges into its
    # child. A, B, E, EA, ABD and EAB merge; AB stays (s2 ends there and it
    # has two children). Left: AB, BC, AB-C, AB-DC and EABA.
    model = CPTPlus(**PLAIN_PLUS).fit(TRAINING)
    tree = model.prediction_tree(compress_branches=True)
    paths = _paths(tree)
    assert sorted(paths.values()) == sorted(
        [(), ("AB",), ("BC",), ("AB", "C"), ("AB", "DC"), ("EABA",)]
    )
    assert [paths[int(n)] for n in tree.lookup] == [
        ("AB", "C"),
        ("AB",),
        ("AB", "DC"),
        ("BC",),
        ("EABA",),
    ]
    assert tree.sequences() == TRAINING


def test_compression_of_frequent_subsequences():
    # CCF with runs of 2..4 items seen at least twice: AB occurs 4 times
    # (s1, s2, s3, s5) and BC twice (s1, s4); every other run once. Greedy
    # longest-first encoding: s1 = [AB] C, s2 = [AB], s3 = [AB] D C,
    # s4 = [BC], s5 = E [AB] A.
    model = CPTPlus(**PLAIN_PLUS).fit(TRAINING)
    tree = model.prediction_tree(compress_frequent=True)
    paths = _paths(tree)
    assert sorted(paths.values()) == sorted(
        [
            (),
            ("AB",),
            ("AB", "C"),
            ("AB", "D"),
            ("AB", "D", "C"),
            ("BC",),
            ("E",),
            ("E", "AB"),
            ("E", "AB", "A"),
        ]
    )
    assert tree.sequences() == TRAINING
    assert model.predict([["A", "B"]]) == ["C"]  # compression never changes it
