"""A specific error for every bad model file (issue #15, item 6, the io parts).

Each of these ended in the command line's catch-all "unexpected ... this is
a bug in seqpred" (or in an empty reason); now each is a
:class:`~seqpred.exceptions.ModelFileError` naming the problem and the fix.
"""

from __future__ import annotations

import io as stdio
import struct
import zipfile

import numpy as np
import pytest
from io_fixtures import *  # noqa: F403  (fixtures: a conftest.py here would clash)

from seqpred import io
from seqpred.cli import main
from seqpred.exceptions import ModelFileError


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_cli_names(capsys, path, *words):
    """``seqpred predict`` on ``path`` exits 1 with a specific one-line error."""
    code, _, err = run(capsys, "predict", path, "--input", "a b")
    assert code == 1, err
    assert "this is a bug" not in err and "unexpected" not in err
    for word in words:
        assert word in err, err


# -- safetensors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "edit, words",
    [
        (lambda w: w[: len(w) // 2], ["weights.safetensors is truncated"]),
        (lambda w: w[:5], ["weights.safetensors is truncated (5 bytes)"]),
        (lambda w: b"\xff" * len(w), ["weights.safetensors is truncated or not a"]),
        (
            lambda w: w[:8] + b"[" + w[9:],
            ["weights.safetensors's header is not valid JSON"],
        ),
        (lambda w: w + b"\x00" * 4, ["weights.safetensors has trailing bytes"]),
    ],
    ids=["half", "five-bytes", "garbage", "bad-header", "trailing"],
)
def test_bad_or_truncated_safetensors_member(capsys, gru_file, rewrite, edit, words):
    def damage(members):
        members["weights.safetensors"] = edit(members["weights.safetensors"])

    rewrite(gru_file, members=damage)
    with pytest.raises(ModelFileError) as info:
        io.load(gru_file)
    for word in words:
        assert word in str(info.value)
    assert "Save the fitted model again" in str(info.value)
    assert_cli_names(capsys, gru_file, *words)


def test_safetensors_tensor_with_a_wrong_shape(gru_file, rewrite):
    def reshape(members):
        data = members["weights.safetensors"]
        size = struct.unpack("<Q", data[:8])[0]
        header = data[8 : 8 + size].replace(b'"shape":[12,4]', b'"shape":[4,12]', 1)
        members["weights.safetensors"] = data[:8] + header + data[8 + size :]

    rewrite(gru_file, members=reshape)
    with pytest.raises(ModelFileError, match=r"is \(4, 12\) of F32 in the weights"):
        io.load(gru_file)


# -- state values --------------------------------------------------------------------


def _set_state(name, value):
    def edit(manifest):
        manifest["state"][name] = value

    return edit


def test_state_value_of_the_wrong_type(capsys, markov_file, rewrite):
    rewrite(markov_file, manifest=_set_state("vocabulary_", 5))
    with pytest.raises(ModelFileError) as info:
        io.load(markov_file)
    assert "model.vocabulary_: MarkovPredictor declares vocabulary_ as Vocabulary" in (
        str(info.value)
    )
    assert "but the file holds a int" in str(info.value)
    assert_cli_names(capsys, markov_file, "declares vocabulary_ as Vocabulary")


def test_array_replaced_by_a_string(markov_file, rewrite):
    rewrite(markov_file, manifest=_set_state("item_counts_", "x"))
    with pytest.raises(ModelFileError, match="declares item_counts_ as ndarray"):
        io.load(markov_file)


def test_empty_state_marked_fitted(capsys, markov_file, rewrite):
    def empty(manifest):
        manifest["state"] = {}

    rewrite(markov_file, manifest=empty)
    with pytest.raises(ModelFileError, match="marked fitted but its state is empty"):
        io.load(markov_file)
    assert_cli_names(capsys, markov_file, "marked fitted but its state is empty")


def test_empty_state_not_fitted_still_loads(markov_file, rewrite):
    def unfitted(manifest):
        manifest["state"] = {}
        manifest["fitted"] = False

    rewrite(markov_file, manifest=unfitted)
    assert not io.load(markov_file).is_fitted


def test_scalar_node_pointing_at_an_array_of_bytes(markov_file, rewrite):
    rewrite(markov_file, manifest=_set_state("n_sequences_", {"t": "array"}))
    with pytest.raises(ModelFileError, match="array None is missing from arrays.npz"):
        io.load(markov_file)


def test_hook_that_fails_on_bad_state_gives_a_model_file_error(gru_file, rewrite):
    def drop(manifest):
        manifest["state"]["module_config_"] = {"t": "dict", "items": [["x", 1]]}

    rewrite(gru_file, manifest=drop)
    with pytest.raises(ModelFileError, match="module_config_ does not describe"):
        io.load(gru_file)


# -- arrays.npz ----------------------------------------------------------------------


def _npz_with_member(data: bytes, declared: int | None = None) -> bytes:
    buffer = stdio.BytesIO()
    with zipfile.ZipFile(buffer, "w") as npz:
        npz.writestr("a0.npy", data)
    raw = bytearray(buffer.getvalue())
    if declared is not None:  # forge the sizes the central directory declares
        at = raw.find(b"PK\x01\x02")
        struct.pack_into("<LL", raw, at + 20, declared, declared)
    return bytes(raw)


def _npy(array, shape=None) -> bytes:
    buffer = stdio.BytesIO()
    np.save(buffer, array)
    data = buffer.getvalue()
    if shape is not None:
        data = data.replace(
            f"'shape': {array.shape}".encode(), f"'shape': {shape}".encode()
        )
    return data


@pytest.mark.parametrize(
    "member, words",
    [  # the first gave "unreadable arrays.npz ()": an EOFError without a message
        (
            _npz_with_member(_npy(np.arange(10), "(99,)"), declared=10_000),
            ["member 'a0.npy'", "(792 bytes)"],
        ),
        (_npz_with_member(b""), ["a0.npy' has an unreadable .npy header"]),
        (_npz_with_member(b"\x93NUMPY\x01\x00"), ["unreadable .npy header"]),
        (_npz_with_member(_npy(np.arange(10))[:-8]), ["a0.npy' is truncated"]),
        (b"PK\x05\x06" + bytes(18), ["array 'a0' is missing from arrays.npz"]),
        (b"", ["has an unreadable arrays.npz"]),
    ],
    ids=["forged-size", "empty-member", "no-header", "cut-data", "no-members", "empty"],
)
def test_unreadable_arrays_always_say_why(markov_file, rewrite, member, words):
    def plant(members):
        members["arrays.npz"] = member

    rewrite(markov_file, members=plant)
    with pytest.raises(ModelFileError) as info:
        io.load(markov_file)
    message = str(info.value)
    assert "()" not in message
    for word in words:
        assert word in message, message


def test_encrypted_or_unknown_compression_member_is_a_model_file_error(
    markov_file, members_of, write_zip
):
    members = members_of(markov_file)
    write_zip(markov_file, members)
    raw = bytearray(markov_file.read_bytes())
    at = raw.find(b"PK\x01\x02")
    struct.pack_into("<H", raw, at + 10, 99)  # compression method 99 (AES)
    markov_file.write_bytes(bytes(raw))
    with pytest.raises(ModelFileError, match="truncated or corrupt"):
        io.load(markov_file)
