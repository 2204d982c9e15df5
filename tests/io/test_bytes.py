"""io.dumps / io.loads: the model-file format in memory, with the same checks."""

from __future__ import annotations

import pytest

import seqpred
from seqpred import io
from seqpred.exceptions import ModelFileError, ModelSignatureError, ModelTooLargeError


@pytest.fixture
def model():
    return seqpred.create("ppm", max_order=2).fit(["abcab", "abd", "bd"])


def test_bytes_round_trip_and_match_the_file(model, tmp_path):
    data = io.dumps(model)
    twin = io.loads(data)
    assert twin.predict_top_k(["ab", "d"]) == model.predict_top_k(["ab", "d"])
    path = io.save(model, tmp_path / "m.seqpred")
    assert path.read_bytes() == data
    assert io.loads(bytearray(data)).predict(["a"]) == model.predict(["a"])


def test_signed_bytes(model):
    data = io.dumps(model, key=b"secret")
    assert io.loads(data, key=b"secret").predict(["a"]) == model.predict(["a"])
    with pytest.raises(ModelSignatureError, match="<bytes>"):
        io.loads(data, key=b"other")
    with pytest.raises(ModelSignatureError):
        io.loads(io.dumps(model), key=b"secret")


def test_bad_bytes_are_refused(model):
    data = io.dumps(model)
    with pytest.raises(ModelFileError, match="<bytes>: is not a seqpred model file"):
        io.loads(b"not a zip")
    with pytest.raises(ModelFileError, match="<bytes>"):
        io.loads(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="expected the bytes of a model file"):
        io.loads("text")  # type: ignore[arg-type]
    with pytest.raises(ModelFileError, match="expected a seqpred estimator"):
        io.dumps(object())  # type: ignore[arg-type]
    with pytest.raises(ModelTooLargeError):
        io.loads(data, max_bytes=64)
