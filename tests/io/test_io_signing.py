"""Signed model files: HMAC-SHA256 with a shared key (issue #15, items 2 and 7)."""

from __future__ import annotations

import pytest
from io_fixtures import *  # noqa: F403  (fixtures: a conftest.py here would clash)

from seqpred import io
from seqpred.cli import main
from seqpred.exceptions import (
    InvalidParameterError,
    ModelFileError,
    ModelSignatureError,
)
from seqpred.models.next_item import MarkovPredictor

TRAIN = [list("abcabcabd"), list("bcabca"), list("cabcab"), list("abdabd")]
KEY = b"0123456789abcdef0123456789abcdef"


@pytest.fixture
def signed_file(tmp_path):
    model = MarkovPredictor(order=1).fit(TRAIN)
    return io.save(model, tmp_path / "signed.seqpred", key=KEY)


def test_signed_round_trip(signed_file, members_of):
    assert "manifest.sig" in members_of(signed_file)
    twin = io.load(signed_file, key=KEY)
    assert twin.predict([list("ab")]) == MarkovPredictor(order=1).fit(TRAIN).predict(
        [list("ab")]
    )
    assert io.read_manifest(signed_file, key=KEY)["model"] == "markov"


def test_str_key_equals_its_utf8_bytes(tmp_path):
    path = io.save(MarkovPredictor().fit(TRAIN), tmp_path / "m.seqpred", key="clé")
    assert io.load(path, key="clé".encode()).is_fitted


def test_wrong_key_is_refused(signed_file):
    with pytest.raises(ModelSignatureError, match="signature does not match the key"):
        io.load(signed_file, key=b"another key")


def test_unsigned_file_is_refused_when_a_key_is_required(markov_file):
    with pytest.raises(ModelSignatureError, match="is not signed, and a key was given"):
        io.load(markov_file, key=KEY)
    with pytest.raises(ModelSignatureError):
        io.read_manifest(markov_file, key=KEY)


def test_signed_file_loads_without_a_key(signed_file):
    assert io.load(signed_file).is_fitted  # nothing to check it with: as before


def test_unsigned_files_load_as_before(markov_file):
    assert io.load(markov_file).is_fitted


def _swap_symbols(manifest):
    """Swap two vocabulary symbols: a model that loads and predicts mislabelled."""
    symbols = manifest["state"]["vocabulary_"]["value"]["symbols"]
    symbols[0], symbols[1] = symbols[1], symbols[0]


def test_checksums_alone_do_not_catch_tampering_but_a_signature_does(
    signed_file, rewrite, members_of, write_zip
):
    honest = io.load(signed_file).predict([list("ab")])
    # a forger who recomputes the SHA-256 sums passes the unkeyed checks ...
    tampered = rewrite(
        signed_file, signed_file.with_name("t.seqpred"), manifest=_swap_symbols
    )
    assert io.load(tampered).predict([list("ab")]) != honest
    # ... but not the signature, with or without the old signature member
    with pytest.raises(ModelSignatureError, match="is not signed"):
        io.load(tampered, key=KEY)
    members = members_of(tampered)
    members["manifest.sig"] = members_of(signed_file)["manifest.sig"]
    write_zip(tampered, members)
    with pytest.raises(ModelSignatureError, match="signature does not match"):
        io.load(tampered, key=KEY)


def test_tampered_member_of_a_signed_file_is_refused(
    signed_file, members_of, write_zip
):
    members = members_of(signed_file)
    members["arrays.npz"] = members["arrays.npz"][:-1] + bytes(
        [members["arrays.npz"][-1] ^ 1]
    )
    write_zip(signed_file, members)
    with pytest.raises(ModelFileError, match="does not match its SHA-256"):
        io.load(signed_file, key=KEY)


def test_oversized_signature_member_is_refused(signed_file, members_of, write_zip):
    members = members_of(signed_file)
    members["manifest.sig"] = bytes(10_000)
    write_zip(signed_file, members)
    with pytest.raises(ModelFileError, match="oversized manifest.sig"):
        io.load(signed_file)


@pytest.mark.parametrize("key", [b"", "", 42, ["k"]])
def test_empty_or_odd_key_is_a_parameter_error(tmp_path, key):
    with pytest.raises(InvalidParameterError, match="key must be non-empty bytes"):
        io.save(MarkovPredictor().fit(TRAIN), tmp_path / "m.seqpred", key=key)


def test_extra_file_may_not_be_named_like_the_signature(tmp_path, monkeypatch):
    model = MarkovPredictor().fit(TRAIN)
    monkeypatch.setattr(
        MarkovPredictor,
        "_extra_files",
        lambda self: {"manifest.sig": b"x"},
        raising=False,
    )
    with pytest.raises(ModelFileError, match="member name 'manifest.sig'"):
        io.save(model, tmp_path / "m.seqpred")


# -- the command line: SEQPRED_MODEL_KEY ----------------------------------------------


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lines_file(tmp_path):
    path = tmp_path / "clicks.txt"
    path.write_text("home search cart\nhome search product\nsearch cart pay\n")
    return path


def test_cli_signs_with_the_environment_key_and_refuses_others(
    capsys, monkeypatch, tmp_path, lines_file
):
    model = tmp_path / "m.seqpred"
    monkeypatch.setenv("SEQPRED_MODEL_KEY", "s3cret")
    assert run(capsys, "fit", lines_file, "-o", model)[0] == 0
    assert io.load(model, key="s3cret").is_fitted
    code, out, _ = run(capsys, "predict", model, "--input", "home search")
    assert code == 0 and "cart" in out
    assert run(capsys, "evaluate", model, lines_file)[0] == 0
    monkeypatch.setenv("SEQPRED_MODEL_KEY", "wrong")
    for argv in (
        ("predict", model, "--input", "home"),
        ("evaluate", model, lines_file),
        ("generate", model, "-n", "1"),
    ):
        code, _, err = run(capsys, *argv)
        assert code == 1, argv
        assert "signature does not match the key" in err
        assert "this is a bug" not in err


def test_cli_with_a_key_refuses_unsigned_models(capsys, monkeypatch, markov_file):
    monkeypatch.setenv("SEQPRED_MODEL_KEY", "s3cret")
    code, _, err = run(capsys, "predict", markov_file, "--input", "a b")
    assert code == 1 and "is not signed, and a key was given" in err
