"""The adaptive byte models: exact round trips, sizes, priming, pure Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seqpred.compress import AdaptivePPM, ContextMixing, compress
from seqpred.exceptions import InvalidParameterError

TEXT = (
    b"It was the best of times, it was the worst of times, it was the age of "
    b"wisdom, it was the age of foolishness, it was the epoch of belief, it was "
    b"the epoch of incredulity, it was the season of Light, it was the season "
    b"of Darkness, it was the spring of hope, it was the winter of despair.\n"
) * 4

SMALL = [
    ContextMixing(order=4, memory=10),
    AdaptivePPM(order=3, memory=10),
    AdaptivePPM(order=3, memory=10, escape="D", inheritance=False),
    AdaptivePPM(order=3, memory=10, escape="C", inheritance=True),
]
IDS = ["cm", "ppm", "ppm-d", "ppm-c-inherit"]


@pytest.mark.parametrize("model", SMALL, ids=IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=600))
def test_random_bytes_round_trip(
    model: ContextMixing | AdaptivePPM, data: bytes
) -> None:
    assert model.decode(model.encode(data), len(data)) == data


@pytest.mark.parametrize("model", SMALL, ids=IDS)
@settings(max_examples=25, deadline=None)
@given(
    data=st.lists(st.sampled_from([b"a", b"b", b"\x00", b"\xff", b"ab"]), max_size=400)
)
def test_skewed_bytes_round_trip(
    model: ContextMixing | AdaptivePPM, data: list[bytes]
) -> None:
    raw = b"".join(data)  # long runs drive probabilities to their extremes
    assert model.decode(model.encode(raw), len(raw)) == raw


@pytest.mark.parametrize("model", SMALL, ids=IDS)
def test_size_matches_the_ideal_code_length(model: ContextMixing | AdaptivePPM) -> None:
    code = model.encode(TEXT)
    ideal_bytes = model.code_lengths(TEXT).sum() / 8
    assert ideal_bytes <= len(code) <= ideal_bytes + 8
    assert len(code) < len(TEXT) / 3  # repeated text compresses well


@pytest.mark.parametrize("model", SMALL, ids=IDS)
def test_prime_is_read_not_coded(model: ContextMixing | AdaptivePPM) -> None:
    prime, data = TEXT[:700], TEXT[700:]
    primed = model.encode(data, prime=prime)
    assert len(primed) < len(model.encode(data))
    assert model.decode(primed, len(data), prime=prime) == data
    assert model.decode(primed, len(data), prime=b"x" * 700) != data


def test_long_runs_cost_almost_nothing() -> None:
    data = b"\x00" * 20_000
    assert len(ContextMixing(order=2, memory=10).encode(data)) < 40
    assert len(AdaptivePPM(order=2, memory=10).encode(data)) < 200


def test_cm_beats_ppm_which_beats_plain_ppm_on_text() -> None:
    rng = np.random.default_rng(0)
    words = [b"the", b"cat", b"sat", b"on", b"mat", b"and", b"dog", b"ran", b"far"]
    text = b" ".join(words[i] for i in rng.integers(0, len(words), 3000))
    cm = ContextMixing(order=4, memory=14).code_lengths(text).mean()
    ppm = AdaptivePPM(order=4, memory=14).code_lengths(text).mean()
    plain = AdaptivePPM(order=4, memory=14, escape="D", inheritance=False)
    assert cm < ppm < plain.code_lengths(text).mean() < 8


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: ContextMixing(order=0), "order must be an int in"),
        (lambda: ContextMixing(memory=30), "memory must be an int in"),
        (lambda: AdaptivePPM(order=40), "order must be an int in"),
        (lambda: AdaptivePPM(escape="X"), "escape must be"),
        (lambda: AdaptivePPM(inheritance=1), "inheritance must be a bool"),
    ],
)
def test_bad_parameters(factory: object, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        factory()  # type: ignore[operator]


_PURE = """
import json, sys
from seqpred.compress import compress, decompress
blobs = json.loads(sys.stdin.read())
data = bytes.fromhex(blobs["data"])
models = ("cm", "ppm", "ppm-d")
out = {m: compress(data, model=m, order=3, memory=10).hex() for m in models}
out["back"] = {m: decompress(bytes.fromhex(b)).hex() for m, b in blobs["blobs"].items()}
print(json.dumps(out))
"""


def test_pure_python_path_writes_and_reads_the_same_files() -> None:
    data = TEXT[:300] + bytes(range(256))
    models = ("cm", "ppm", "ppm-d")
    blobs = {m: compress(data, model=m, order=3, memory=10) for m in models}
    env = dict(os.environ, SEQPRED_DISABLE_NUMBA="1")
    src = Path(__file__).resolve().parents[2] / "src"
    env["PYTHONPATH"] = f"{src}{os.pathsep}{env.get('PYTHONPATH', '')}"
    payload = json.dumps(
        {"data": data.hex(), "blobs": {m: b.hex() for m, b in blobs.items()}}
    )
    run = subprocess.run(
        [sys.executable, "-c", _PURE],
        input=payload,
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    pure = json.loads(run.stdout)
    for m, blob in blobs.items():
        assert bytes.fromhex(pure[m]) == blob  # byte-identical files
        assert bytes.fromhex(pure["back"][m]) == data


@pytest.mark.parametrize("model", SMALL[:2], ids=IDS[:2])
def test_a_too_small_output_buffer_is_grown(
    model: ContextMixing | AdaptivePPM, monkeypatch: pytest.MonkeyPatch
) -> None:
    import seqpred.compress._buffers as buffers

    expected = model.encode(TEXT)
    monkeypatch.setattr(buffers, "initial_capacity", lambda n: 80)
    assert model.encode(TEXT) == expected
