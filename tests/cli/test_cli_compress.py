"""``seqpred compress`` / ``seqpred decompress``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

from seqpred import cli
from seqpred.cli.compress import compress, decompress

TEXT = b"Shall I compare thee to a summer's day? Thou art more lovely.\n" * 30


def _registered() -> bool:
    names = {
        c.name or getattr(c.callback, "__name__", "")
        for c in cli.app.registered_commands
    }
    return {"compress", "decompress"} <= names


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    """Run the commands through ``seqpred.cli.main``, or a local app until the
    lead registers them in ``cli.py``."""
    args = [str(a) for a in argv]
    if _registered():
        code = cli.main(args)
    else:
        local = typer.Typer(add_completion=False, rich_markup_mode=None)
        local.command()(compress)
        local.command()(decompress)
        command = typer.main.get_command(local)
        try:
            command.main(args=args, prog_name="seqpred", standalone_mode=True)
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        except Exception as exc:  # as cli.main reports them
            code = cli._report(exc, debug=False)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "sonnet.txt"
    path.write_bytes(TEXT)
    return path


@pytest.mark.parametrize("model", ["cm", "ppm"])
def test_round_trip_byte_for_byte(
    capsys: pytest.CaptureFixture[str], text_file: Path, tmp_path: Path, model: str
) -> None:
    packed, restored = tmp_path / "s.sqz", tmp_path / "s.out"
    code, out, err = run(
        capsys, "compress", text_file, "-o", packed, "--model", model, "--memory", "12"
    )
    assert code == 0, err
    assert "bits per byte" in out and f"{len(TEXT):,}" in out
    assert packed.stat().st_size < len(TEXT) / 4
    code, out, err = run(capsys, "decompress", packed, "-o", restored)
    assert code == 0, err
    assert restored.read_bytes() == TEXT


def test_default_names_json_and_prime(
    capsys: pytest.CaptureFixture[str], text_file: Path, tmp_path: Path
) -> None:
    prime = tmp_path / "prime.txt"
    prime.write_bytes(TEXT[:500])
    code, out, err = run(
        capsys,
        "compress",
        text_file,
        "--prime",
        prime,
        "--order",
        "3",
        "--memory",
        "12",
        "-f",
        "json",
    )
    assert code == 0, err
    report = json.loads(out)
    packed = tmp_path / "sonnet.txt.sqz"
    assert report["compressed_bytes"] == packed.stat().st_size
    assert report["original_bytes"] == len(TEXT)
    text_file.unlink()
    code, _, err = run(capsys, "decompress", packed)
    assert code == 1 and "--prime" in err
    code, _, err = run(capsys, "decompress", packed, "--prime", prime)
    assert code == 0, err
    assert text_file.read_bytes() == TEXT


def test_never_overwrites_without_force(
    capsys: pytest.CaptureFixture[str], text_file: Path, tmp_path: Path
) -> None:
    packed = tmp_path / "s.sqz"
    packed.write_bytes(b"keep me")
    code, _, err = run(capsys, "compress", text_file, "-o", packed, "--memory", "10")
    assert code == 1 and "--force" in err
    assert packed.read_bytes() == b"keep me"
    code, _, err = run(
        capsys, "compress", text_file, "-o", packed, "--memory", "10", "--force"
    )
    assert code == 0, err
    code, _, err = run(capsys, "decompress", packed, "-o", text_file)
    assert code == 1 and "exists" in err
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_corrupt_and_foreign_files(
    capsys: pytest.CaptureFixture[str], text_file: Path, tmp_path: Path
) -> None:
    packed = tmp_path / "s.sqz"
    assert run(capsys, "compress", text_file, "-o", packed, "--memory", "10")[0] == 0
    blob = bytearray(packed.read_bytes())
    blob[-10] ^= 0xFF
    packed.write_bytes(bytes(blob))
    code, out, err = run(capsys, "decompress", packed, "-o", tmp_path / "x")
    assert code == 1 and "corrupt" in err and out == ""
    assert not (tmp_path / "x").exists()
    code, _, err = run(capsys, "decompress", text_file, "-o", tmp_path / "y")
    assert code == 1 and "not a seqpred compressed file" in err
    packed.write_bytes(bytes(blob[:20]))
    code, _, err = run(capsys, "decompress", packed, "-o", tmp_path / "z")
    assert code == 1 and "truncated" in err


def test_decompress_needs_an_output_name_without_suffix(
    capsys: pytest.CaptureFixture[str], text_file: Path
) -> None:
    code, _, err = run(capsys, "decompress", text_file)
    assert code == 2 and "-o" in err
