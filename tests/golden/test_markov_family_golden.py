"""Worked examples for AKOM, DG, LZ78 and TDAG, computed by hand.

The AKOM and DG cases are the ``main`` examples shipped with the reference
implementation (IPredict's ``MarkovAllKPredictor`` and ``DGPredictor``); the
LZ78 case is the textbook parse of "abracadabra" (Begleiter, El-Yaniv and
Yona 2004, section 3.1); the TDAG case counts the tree of a short string
node by node (Laird and Saul 1994, section 2).
"""

import numpy as np
import pytest

from seqpred.models.next_item import AKOM, DG, LZ78, TDAG

WORD = "abracadabra"


def test_akom_reference_example():
    # IPredict: train 1 2 3 4 (three times) and 0 1 2 4; predict after 0 1 2
    train = [[1, 2, 3, 4]] * 3 + [[0, 1, 2, 4]]
    model = AKOM().fit(train)
    # the order-3 context "0 1 2" was followed by 4 once
    assert model.predict_top_k([[0, 1, 2]], k=3) == [[(4, 1.0)]]
    # "1 2" (order 2) was followed by 3 three times and by 4 once
    assert model.predict_top_k([[7, 1, 2]], k=3) == [[(3, 0.75), (4, 0.25)]]
    totals = [t.tolist() for t in model.context_totals_[:3]]
    # transitions out of each context: order 1: "1" 4, "2" 4, "3" 3, "0" 1;
    # order 2: "1 2" 4, "2 3" 3, "0 1" 1; order 3: "1 2 3" 3, "0 1 2" 1
    assert sorted(totals[0]) == [1, 3, 4, 4]
    assert sorted(totals[1]) == [1, 3, 4]
    assert sorted(totals[2]) == [1, 3]


def test_dg_reference_example():
    # IPredict: train 1 2 3 4 and 1 2 5 4 with lookahead 4; predict after 2 3
    model = DG(lookahead=4).fit([[1, 2, 3, 4], [1, 2, 5, 4]])
    assert model.predict([[2, 3]]) == [4]
    # the whole graph: count(a) and the arc weights count(a -> b)
    arcs = {}
    for row, node in enumerate(model.node_ids_):
        lo, hi = model.arc_ptr_[row], model.arc_ptr_[row + 1]
        a = model.vocabulary_.decode([node])[0]
        targets = model.vocabulary_.decode(model.arc_ids_[lo:hi])
        arcs[a] = dict(zip(targets, model.arc_counts_[lo:hi].tolist()))
    counts = dict(
        zip(model.vocabulary_.decode(model.node_ids_), model.node_counts_.tolist())
    )
    assert counts == {1: 2, 2: 2, 3: 1, 5: 1}
    assert arcs == {
        1: {2: 2, 4: 2, 3: 1, 5: 1},
        2: {4: 2, 3: 1, 5: 1},
        3: {4: 1},
        5: {4: 1},
    }
    assert model.predict_top_k([[1]], k=4) == [[(2, 1.0), (4, 1.0), (3, 0.5), (5, 0.5)]]


def test_lz78_abracadabra():
    # LZ78 parses abracadabra as a | b | r | ac | ad | ab | ra
    model = LZ78().fit([WORD])
    decode = model.vocabulary_.decode
    phrases = {}
    for node in range(1, len(model.node_parent_)):
        path, at = [], node
        while at > 0:
            path.append(decode([model.node_item_[at]])[0])
            at = model.node_parent_[at]
        phrases["".join(reversed(path))] = int(model.node_count_[node])
    # passes through each node: "a" starts four phrases, "r" two
    assert phrases == {"a": 4, "b": 1, "r": 2, "ac": 1, "ad": 1, "ab": 1, "ra": 1}
    # after "a": b, c, d each followed it once in four passes (escape 1/4);
    # ties go to the symbol seen first
    assert model.predict_top_k(["a"], k=3) == [[("b", 0.25), ("c", 0.25), ("d", 0.25)]]
    assert model.predict_top_k(["r"], k=3) == [[("a", 0.5)]]
    # "b", "c", "d" never started a phrase that grew: no context, no match
    assert model.predict(["b", "cad"]) == [None, None]
    # the longest inner suffix of "bra" is "r" ("ra" is a leaf, "bra" unseen)
    assert model.predict(["bra"]) == ["b"]


def test_tdag_tree_counts_by_hand():
    # the tree of "abcabd" with height 3: contexts of at most 2 items
    model = TDAG(max_height=3, min_count=1).fit(["abcabd"])
    proba = dict(zip(model.vocabulary_.symbols, model.predict_proba(["ab"])[0]))
    # node "ab": out-count 2, children c (in-count 1) and d (in-count 1)
    assert proba == pytest.approx({"a": 0.0, "b": 0.0, "c": 0.5, "d": 0.5})
    # node "b": children c and d; node "c": child a; node "ca": child b
    assert model.predict(["b", "c", "ca", "bca"]) == ["c", "a", "b", "b"]
    # depth 1 out-counts a 2, b 2, c 1 (d ends the sequence)
    symbols = model.vocabulary_.decode(model.context_keys_[0])
    totals = dict(zip(symbols, model.context_totals_[0].tolist()))
    assert totals == {"a": 2, "b": 2, "c": 1}
    # the query's last 2 items are used, however long the query
    assert model.predict(["dddddcab"]) == ["c"]
    assert np.isclose(model.predict_proba(["d"]).sum(), 1.0)
