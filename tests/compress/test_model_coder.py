"""Compression with a saved, frozen seqpred model (``seqpred compress --with``)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred import cli, io
from seqpred.compress import CompressedFormatError, decompress, read_header
from seqpred.compress.model_coder import (
    TOTAL,
    compress_with_model,
    decompress_with_model,
    file_sha256,
    model_code_length,
    quantise,
)
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.next_item import PPM

TRAIN = (
    "Shall I compare thee to a summer's day?\n"
    "Thou art more lovely and more temperate:\n"
    "Rough winds do shake the darling buds of May,\n"
    "And summer's lease hath all too short a date;\n"
) * 8
TEXT = "Shall I compare thee to a winter's day?\nThou art more temperate.\n" * 6
DIGEST = hashlib.sha256(b"the model file").digest()
HEADER = 33 + 37  # fixed fields + the model-file extension


@pytest.fixture(scope="module")
def ppm() -> PPM:
    model = PPM(max_order=4, escape="C", exclusion=True)
    model.fit([TRAIN])
    return model


def _model_bits_per_symbol(model: PPM, text: str) -> float:
    log_p = model.log_proba([text])[0]
    return float(-log_p.sum() / np.log(2.0) / len(log_p))


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode(),
        b"",
        b"S",
        "Shall I compare thee, Zoë? ☃ 😀 \t!!\r\n".encode(),  # unknown symbols
        b"\xff\xfeShall\x00 not UTF-8 \xc3",  # bytes that are not UTF-8
    ],
)
def test_round_trip_is_exact(ppm: PPM, data: bytes) -> None:
    blob = compress_with_model(data, ppm, fingerprint=DIGEST)
    assert decompress_with_model(blob, ppm, fingerprint=DIGEST) == data
    header = read_header(blob)
    assert (header.model, header.context, header.alphabet) == ("file", 4, "chars")
    assert header.model_sha256 == DIGEST and header.size == HEADER


@settings(max_examples=15, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=40),
        st.text(alphabet="Shal I\n€é\x00", max_size=40).map(str.encode),
    )
)
def test_any_bytes_round_trip(data: bytes) -> None:
    model = PPM(max_order=2)
    model.fit([TRAIN[:400]])
    blob = compress_with_model(data, model, fingerprint=DIGEST)
    assert decompress_with_model(blob, model, fingerprint=DIGEST) == data


def test_size_matches_ideal_code_length_and_model_bits(ppm: PPM) -> None:
    data = TEXT.encode()
    blob = compress_with_model(data, ppm, fingerprint=DIGEST)
    ideal = model_code_length(data, ppm)
    assert ideal.n_symbols == len(TEXT) and ideal.n_escaped == 6  # the "."s
    payload_bits = 8 * (len(blob) - HEADER)
    assert ideal.bits <= payload_bits <= ideal.bits + 8 * 6  # the flush: 5 bytes
    # every symbol known: the code matches the model's own cross-entropy
    known = TEXT.replace(".", ";") * 20
    own = _model_bits_per_symbol(ppm, known)
    ideal = model_code_length(known.encode(), ppm)
    assert ideal.n_escaped == 0 and abs(ideal.bits_per_symbol - own) < 0.01
    coded = 8 * (len(compress_with_model(known.encode(), ppm, fingerprint=DIGEST)))
    assert abs((coded - 8 * HEADER) / len(known) - own) < 0.01


def test_wrong_model_or_missing_model_is_refused(ppm: PPM) -> None:
    blob = compress_with_model(TEXT.encode(), ppm, fingerprint=DIGEST)
    other = hashlib.sha256(b"another model").digest()
    with pytest.raises(CompressedFormatError, match="not the one the file"):
        decompress_with_model(blob, ppm, fingerprint=other)
    with pytest.raises(CompressedFormatError, match="--with MODEL"):
        decompress(blob)
    with pytest.raises(InvalidParameterError, match="32-byte"):
        compress_with_model(b"abc", ppm, fingerprint=b"short")


def test_word_models_and_bad_rows_are_refused() -> None:
    words = PPM(max_order=1).fit([["to", "be", "or", "not"]])
    with pytest.raises(InvalidParameterError, match="single characters"):
        compress_with_model(b"to be", words, fingerprint=DIGEST)
    with pytest.raises(DataError, match="probability distribution"):
        quantise(np.array([[0.5, 0.6]]), np.array([[1]]))


def test_quantised_tables_sum_to_total_with_every_symbol_codable() -> None:
    rng = np.random.default_rng(0)
    proba = rng.dirichlet(np.full(70, 0.05), size=50)
    proba[0] = np.eye(70)[3]  # a certain symbol
    table = quantise(proba, np.array([[1, 5000]] * 50))
    assert (table.sum(axis=1) == TOTAL).all() and table.min() >= 1
    assert table[0, 3] == TOTAL - 69 - 5001


def test_line_models_and_byte_models_round_trip() -> None:
    lines = PPM(max_order=3).fit(TRAIN.splitlines())  # no "\n" in the vocabulary
    data = TEXT.encode()
    blob = compress_with_model(data, lines, fingerprint=DIGEST)
    assert read_header(blob).alphabet == "lines"
    assert decompress_with_model(blob, lines, fingerprint=DIGEST) == data
    assert len(blob) - HEADER < len(data) / 2  # newlines are cheap, not escaped
    octets = PPM(max_order=2).fit([list(TRAIN.encode())])
    raw = bytes(range(256)) + TEXT.encode()
    blob = compress_with_model(raw, octets, fingerprint=DIGEST)
    assert read_header(blob).alphabet == "bytes"
    assert decompress_with_model(blob, octets, fingerprint=DIGEST) == raw


def test_cli_with_a_saved_model(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, ppm: PPM
) -> None:
    model, other = tmp_path / "ppm.seqpred", tmp_path / "other.seqpred"
    io.save(ppm, model)
    io.save(PPM(max_order=2).fit([TRAIN]), other)
    source = tmp_path / "sonnet.txt"
    source.write_bytes(TEXT.encode() + "☃\n".encode())
    packed, restored = tmp_path / "s.sqz", tmp_path / "s.out"
    assert (
        cli.main(["compress", str(source), "-o", str(packed), "--with", str(model)])
        == 0
    )
    assert read_header(packed.read_bytes()).model_sha256 == file_sha256(model)
    argv = ["decompress", str(packed), "-o", str(restored)]
    assert cli.main([*argv, "--with", str(other)]) == 1
    assert "not the one the file was compressed with" in capsys.readouterr().err
    assert cli.main(argv) == 1
    assert "--with MODEL" in capsys.readouterr().err
    assert cli.main([*argv, "--with", str(model)]) == 0
    assert restored.read_bytes() == source.read_bytes()
    code = cli.main(["compress", str(source), "-o", str(tmp_path / "x.sqz"),
                     "--with", str(model), "--order", "3"])  # fmt: skip
    assert code == 2


def test_neural_language_model_round_trip() -> None:
    pytest.importorskip("torch")
    from seqpred.models.next_item import NeuralLanguageModel

    lm = NeuralLanguageModel(
        "gru", hidden_size=16, max_length=16, max_epochs=2, validation_fraction=0.0,
        device="cpu", random_state=0,
    )  # fmt: skip
    lm.fit([TRAIN])
    data = TEXT.encode() + "€".encode()
    blob = compress_with_model(data, lm, fingerprint=DIGEST)
    assert read_header(blob).context == 16
    assert decompress_with_model(blob, lm, fingerprint=DIGEST) == data
    known = TEXT.replace(".", ";")
    ideal = model_code_length(known.encode(), lm)
    assert abs(ideal.bits_per_symbol - lm.bits_per_symbol([known])) < 0.01
