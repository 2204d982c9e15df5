"""Helpers for the data-boundary tests: run the CLI in-process or as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seqpred.cli import main


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """Run ``seqpred ARGS`` in-process; return ``(exit code, stdout, stderr)``."""

    def run(*argv: object) -> tuple[int, str, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def piped():
    """Run ``python -m seqpred ARGS`` with ``stdin`` bytes (a real pipe)."""

    def run(
        stdin: bytes, *argv: object, cwd: Path | None = None
    ) -> tuple[int, str, str]:
        env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
        done = subprocess.run(
            [sys.executable, "-m", "seqpred", *map(str, argv)],
            input=stdin,
            capture_output=True,
            cwd=cwd,
            env=env,
            timeout=120,
        )
        return done.returncode, done.stdout.decode(), done.stderr.decode()

    return run
