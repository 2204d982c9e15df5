"""Helpers for the data-boundary tests: run the CLI in-process or as a real process."""

from __future__ import annotations

import contextlib
import os
import signal
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


@pytest.fixture
def time_limit():
    """``with time_limit(seconds):`` raises TimeoutError when the block runs longer.

    Uses SIGALRM (a no-op where it does not exist), so a test of a former
    hang fails in seconds instead of hanging the suite.
    """

    @contextlib.contextmanager
    def limit(seconds: float):
        if not hasattr(signal, "setitimer"):
            yield
            return

        def expire(signum, frame):
            raise TimeoutError(f"still running after {seconds} s")

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)

    return limit
