"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT_SHARED_DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """Return the shared benchmark data folder; skip the test when it is absent.

    ``SEQPRED_SHARED_DATA`` overrides the default, ``../shared/data`` next to
    the repository.
    """
    root = Path(os.environ.get("SEQPRED_SHARED_DATA") or _DEFAULT_SHARED_DATA)
    if not root.is_dir():
        pytest.skip("shared data directory is absent")
    return root
