import numpy as np
import pytest

from seqpred.data import SequenceSet, Vocabulary, as_sequence_set
from seqpred.exceptions import DataError, EmptySequenceError, UnknownSymbolError


@pytest.fixture
def ss():
    return SequenceSet.from_lists(
        [["a", "b", "c"], ["b"], [], ["c", "a"]], labels=[0, 1, 0, 1], ids=list("wxyz")
    )


def test_flat_storage(ss):
    assert ss.offsets.tolist() == [0, 3, 4, 4, 6]
    assert ss.values.dtype == np.int64
    assert ss.lengths.tolist() == [3, 1, 0, 2]
    assert ss.n_steps == 6 and len(ss) == 4 and ss.kind == "discrete"
    assert ss.sequence_index.tolist() == [0, 0, 0, 1, 3, 3]
    assert ss.positions.tolist() == [0, 1, 2, 0, 0, 1]


def test_indexing_and_metadata_follow(ss):
    sub = ss[[3, 0]]
    assert sub.to_lists() == [["c", "a"], ["a", "b", "c"]]
    assert sub.labels.tolist() == [1, 0] and sub.ids.tolist() == ["z", "w"]
    assert ss[1:3].to_lists() == [["b"], []]
    assert ss[np.array([True, False, False, True])].ids.tolist() == ["w", "z"]
    assert ss[-1].tolist() == ss.vocabulary.encode(["c", "a"]).tolist()
    with pytest.raises(IndexError):
        ss[4]


def test_iteration_matches_indexing(ss):
    assert [s.tolist() for s in ss] == [ss[i].tolist() for i in range(len(ss))]


def test_filter_and_slice(ss):
    assert ss.filter_length(2).to_lists() == [["a", "b", "c"], ["c", "a"]]
    assert ss.filter_length(1, 2).to_lists() == [["b"], ["c", "a"]]
    assert ss.slice_steps(-2, None).to_lists() == [["b", "c"], ["b"], [], ["c", "a"]]
    assert ss.slice_steps(0, -1).to_lists() == [["a", "b"], [], [], ["c"]]


def test_concat_requires_shared_vocabulary(ss):
    both = SequenceSet.concat([ss, ss[:1]])
    assert len(both) == 5 and both.to_lists()[-1] == ["a", "b", "c"]
    other = SequenceSet.from_lists([["q"]])
    with pytest.raises(DataError, match="different vocabularies"):
        SequenceSet.concat([ss, other])


def test_strings_are_character_sequences():
    assert SequenceSet.from_lists(["ab", "c"]).to_lists() == [["a", "b"], ["c"]]


def test_numeric_sequences():
    num = SequenceSet.from_lists([np.array([[1.0, 2.0], [3.0, 4.0]]), np.zeros((1, 2))])
    assert num.kind == "numeric" and num.n_features == 2
    assert num.values.shape == (3, 2)
    assert num.to_lists() == [[[1.0, 2.0], [3.0, 4.0]], [[0.0, 0.0]]]


def test_numeric_errors():
    with pytest.raises(DataError, match="NaN"):
        SequenceSet.from_lists([[1.0, float("nan")]])
    with pytest.raises(DataError, match="features"):
        SequenceSet.from_lists([np.zeros((2, 2)), np.zeros((2, 3))])
    with pytest.raises(DataError, match="ragged"):
        SequenceSet.from_lists([[[1.0, 2.0], [3.0]]], kind="numeric")


def test_itemsets_are_representable():
    ss = SequenceSet(
        np.array([3, 4, 5]), np.array([0, 3]), itemset_start=[True, False, True]
    )
    assert ss.take([0]).itemset_start.tolist() == [True, False, True]


def test_bad_construction_is_explained():
    with pytest.raises(DataError, match="offsets"):
        SequenceSet(np.array([1, 2]), np.array([0, 3]))
    with pytest.raises(DataError, match="labels"):
        SequenceSet(np.array([1, 2]), np.array([0, 2]), labels=[1, 2])
    with pytest.raises(DataError, match="Wrap a single sequence"):
        SequenceSet.from_lists("abc")
    with pytest.raises(DataError, match="bare int"):
        SequenceSet.from_lists([1, 2, 3])


def test_as_sequence_set_rejects_bare_and_empty_batches():
    with pytest.raises(DataError, match="Wrap it in a list"):
        as_sequence_set([1, 2, 3])
    with pytest.raises(DataError, match="Wrap it in a list"):
        as_sequence_set(np.array([1, 2, 3]))
    with pytest.raises(EmptySequenceError):
        as_sequence_set([])
    assert len(as_sequence_set([], allow_empty_input=True)) == 0


def test_as_sequence_set_reencodes_into_a_model_vocabulary():
    vocab = Vocabulary(["x", "y", "z"])
    ss = SequenceSet.from_lists([["z", "x"]])
    out = as_sequence_set(ss, vocabulary=vocab)
    assert out.vocabulary is vocab and out.to_lists() == [["z", "x"]]
    with pytest.raises(UnknownSymbolError):
        as_sequence_set(SequenceSet.from_lists([["q"]]), vocabulary=vocab)
    unk = as_sequence_set(
        SequenceSet.from_lists([["q"]]), vocabulary=vocab, unknown="unk"
    )
    assert unk.values.tolist() == [1]


def test_slicing_inside_an_itemset_starts_a_new_one():
    ss = SequenceSet(
        np.array([3, 4, 5]), np.array([0, 3]), itemset_start=[True, False, True]
    )
    assert ss.slice_steps(1, None).itemset_start.tolist() == [True, True]
