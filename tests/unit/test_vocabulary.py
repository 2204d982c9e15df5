import numpy as np
import pytest

from seqpred.data import UNK_ID, Vocabulary
from seqpred.exceptions import DataError, UnknownSymbolError


def test_ids_are_stable_first_seen_order():
    vocab = Vocabulary(["b", "a", "b", "c"])
    assert vocab.symbols == ["b", "a", "c"]
    assert vocab.encode(["a", "c"]).tolist() == [4, 5]
    assert vocab.decode([3, 0, 1, 2]) == ["b", "<pad>", "<unk>", "<sep>"]


def test_unknown_symbol_policies():
    vocab = Vocabulary(["a"])
    with pytest.raises(UnknownSymbolError, match="'z'"):
        vocab.encode(["a", "z"])
    assert vocab.encode(["a", "z"], unknown="unk").tolist() == [3, UNK_ID]
    assert vocab.encode(["z"], unknown="add").tolist() == [4]


def test_integer_arrays_encode_like_lists():
    vocab = Vocabulary([10, 20])
    arr = np.array([[20, 10], [10, 10]])
    assert vocab.encode(arr).tolist() == [[4, 3], [3, 3]]
    with pytest.raises(UnknownSymbolError):
        vocab.encode(np.array([30]))


def test_numpy_scalars_are_stored_as_python_symbols():
    vocab = Vocabulary([np.int64(7)])
    assert type(vocab.symbols[0]) is int
    assert vocab.to_dict()["symbols"] == [7]


def test_frozen_vocabulary_refuses_new_symbols():
    vocab = Vocabulary(["a"]).freeze()
    with pytest.raises(DataError, match="frozen"):
        vocab.add("b")
    assert "b" in vocab.copy().update(["b"])


def test_reserved_symbol_in_data_is_rejected():
    with pytest.raises(DataError, match="reserved"):
        Vocabulary(["<pad>"])


def test_save_load_round_trip(tmp_path):
    vocab = Vocabulary(["x", 3, "y"])
    vocab.save(tmp_path / "v.json")
    assert Vocabulary.load(tmp_path / "v.json") == vocab


def test_load_errors_are_specific(tmp_path):
    with pytest.raises(DataError, match="not found"):
        Vocabulary.load(tmp_path / "missing.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(DataError, match="not valid JSON"):
        Vocabulary.load(tmp_path / "bad.json")


def test_unsaveable_symbols_are_named():
    with pytest.raises(DataError, match="tuple"):
        Vocabulary([(1, 2)]).to_dict()


def test_decode_out_of_range():
    with pytest.raises(DataError, match="out of range"):
        Vocabulary(["a"]).decode([99])
