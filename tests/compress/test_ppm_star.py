"""PPM* (``AdaptivePPM(order=None)``): round trips, the deterministic rule, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import typer

from seqpred import cli
from seqpred.cli.compress import compress as compress_command
from seqpred.cli.compress import decompress as decompress_command
from seqpred.compress import (
    AdaptivePPM,
    adaptive_bits_per_symbol,
    build_model,
    compress,
    decompress,
    read_header,
)
from seqpred.exceptions import InvalidParameterError

STAR = AdaptivePPM(order=None)
VARIANTS = [
    STAR,
    AdaptivePPM(order=None, escape="C", inheritance=False),
    AdaptivePPM(order=None, escape="D", inheritance=True),
    AdaptivePPM(order=None, memory=8),  # restarts every 256 bytes
]
IDS = ["see", "c", "d-inherit", "restart"]
RANDOM = np.random.default_rng(7).integers(0, 256, 3000, dtype=np.uint8).tobytes()
TEXT = (
    b"It was the best of times, it was the worst of times, it was the age of "
    b"wisdom, it was the age of foolishness, it was the epoch of belief.\n"
)


@pytest.mark.parametrize("model", VARIANTS, ids=IDS)
@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"x",
        RANDOM,
        bytes(range(256)) + bytes(range(255, -1, -1)),
        TEXT * 40,
        b"a" * 5000 + b"b" + b"ab" * 2000,
    ],
    ids=["empty", "one-byte", "random", "all-256", "repeated-text", "runs"],
)
def test_round_trip(model: AdaptivePPM, data: bytes) -> None:
    code = model.encode(data)
    assert model.decode(code, len(data)) == data
    ideal = model.code_lengths(data).sum() / 8
    assert ideal <= len(code) <= ideal + 8


def test_prime_round_trip() -> None:
    prime, data = TEXT * 5, TEXT[:60] + b"and something new\n"
    code = STAR.encode(data, prime=prime)
    assert len(code) < len(STAR.encode(data))
    assert STAR.decode(code, len(data), prime=prime) == data


def test_shortest_deterministic_context_codes_the_byte() -> None:
    # History "zab.ab.ab.zab", then ".". The longest context that occurred
    # before, "zab", was followed once by "."; the shortest deterministic one,
    # "b" (with "ab", one state), was followed by "." three times, and it
    # codes the byte. PPM*C: P(.) = 3 / (3 + 1), so log2(4/3) bits (the
    # longest context would give 1/2: 1 bit).
    plain = AdaptivePPM(order=None, escape="C", inheritance=False)
    bits = plain.code_lengths(b"zab.ab.ab.zab.")
    assert bits[-1] == pytest.approx(np.log2(4 / 3))
    assert bits[-2] == pytest.approx(np.log2(4 / 3))  # "b" after "a": same


def test_a_long_repeat_costs_almost_nothing() -> None:
    # Random a/b: every context up to ~12 bytes is ambiguous; only long ones
    # tell where in the first copy the second one is.
    rng = np.random.default_rng(7)
    half = bytes(np.frombuffer(b"ab", dtype=np.uint8)[rng.integers(0, 2, 3000)])
    star = STAR.code_lengths(half + half)
    order5 = AdaptivePPM(order=5, memory=16).code_lengths(half + half)
    order16 = AdaptivePPM(order=16, memory=16).code_lengths(half + half)
    assert star[:3000].mean() > 1.0  # random: about a bit per byte
    assert star[3100:].mean() < 0.02  # the repeat, once SEE has learnt it
    assert order5[3100:].mean() > 0.5
    assert order16[3100:].mean() > 3 * star[3100:].mean()


def test_a_long_run_is_fast_and_almost_free() -> None:
    # Every context of "aaa..." is deterministic: without the memo, finding
    # the shortest one would walk all of them, ~2e10 steps here.
    data = b"a" * 200_000
    assert len(STAR.encode(data)) < 200
    assert len(AdaptivePPM(order=None, escape="C").encode(data)) < 200


def test_unbounded_beats_order_5_on_source_code(shared_data: Path) -> None:
    data = (shared_data / "text" / "calgary" / "progl").read_bytes()  # Lisp
    blob = compress(data, model="ppm-star")
    assert decompress(blob) == data
    star = 8 * len(blob) / len(data)
    order5 = 8 * len(compress(data, model="ppm", order=5)) / len(data)
    # Measured: ppm-star 1.513, ppm order 5 1.636 bits per byte.
    assert star < 1.53 < 1.6 < order5


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda: AdaptivePPM(order=0), "or None \\(unbounded, PPM\\*\\)"),
        (lambda: AdaptivePPM(order=17), "order must be an int in \\[1, 16\\]"),
        (lambda: AdaptivePPM(order=True), "order must be"),
        (lambda: AdaptivePPM(order=None, memory=30), "memory must be an int"),
        (lambda: AdaptivePPM(order=None, escape="A"), "escape must be"),
        (lambda: build_model("ppm-star", order=5), "ppm-star: PPM\\* has no order"),
    ],
)
def test_bad_parameters(factory: object, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        factory()  # type: ignore[operator]


def test_container_records_unbounded_order() -> None:
    for model in ("ppm-star", "ppm-star-c"):
        blob = compress(TEXT * 3, model=model, memory=12)
        header = read_header(blob)
        assert (header.model, header.order, header.memory) == (model, 0, 12)
        assert decompress(blob) == TEXT * 3


def test_adaptive_bits_per_symbol_accepts_ppm_star() -> None:
    data = TEXT * 10
    bits = adaptive_bits_per_symbol(data, model="ppm-star")
    payload = len(compress(data, model="ppm-star")) - 33  # less the header
    assert bits * len(data) / 8 <= payload <= bits * len(data) / 8 + 8


_PURE = """
import sys
from seqpred.compress import AdaptivePPM
data = bytes.fromhex(sys.stdin.read())
models = [AdaptivePPM(order=None), AdaptivePPM(order=None, escape="C", memory=8)]
print(" ".join(m.encode(data).hex() for m in models))
"""


def test_pure_python_path_writes_the_same_code() -> None:
    data = TEXT * 3 + bytes(range(256))
    models = [AdaptivePPM(order=None), AdaptivePPM(order=None, escape="C", memory=8)]
    env = dict(os.environ, SEQPRED_DISABLE_NUMBA="1")
    out = subprocess.run(
        [sys.executable, "-c", _PURE],
        input=data.hex(),
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert out.stdout.split() == [m.encode(data).hex() for m in models]


def _run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """Run the commands as tests/cli/test_cli_compress.py does."""
    args = [str(a) for a in argv]
    names = {
        c.name or getattr(c.callback, "__name__", "")
        for c in cli.app.registered_commands
    }
    if {"compress", "decompress"} <= names:
        code = cli.main(args)
    else:
        local = typer.Typer(add_completion=False, rich_markup_mode=None)
        local.command()(compress_command)
        local.command()(decompress_command)
        try:
            typer.main.get_command(local).main(
                args=args, prog_name="seqpred", standalone_mode=True
            )
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        except Exception as exc:
            code = cli._report(exc, debug=False)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source, packed, restored = tmp_path / "t.txt", tmp_path / "t.sqz", tmp_path / "o"
    source.write_bytes(TEXT * 30)
    code, out, err = _run_cli(
        capsys, "compress", source, "-o", packed, "-m", "ppm-star", "-f", "json"
    )
    assert code == 0, err
    assert json.loads(out)["compressed_bytes"] == packed.stat().st_size
    assert packed.stat().st_size < len(TEXT)  # 30 copies cost less than one
    code, out, err = _run_cli(capsys, "decompress", packed, "-o", restored)
    assert code == 0, err
    assert restored.read_bytes() == TEXT * 30


def test_cli_rejects_an_order_for_ppm_star(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "t.txt"
    source.write_bytes(TEXT)
    code, _, err = _run_cli(
        capsys, "compress", source, "-m", "ppm-star", "--order", "5"
    )
    assert code == 2
    assert "PPM* has no order bound" in err and "Drop --order" in err
    assert not (tmp_path / "t.txt.sqz").exists()
