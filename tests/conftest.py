"""Fixtures shared by several test modules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs the property tests on a fixed set of examples (derandomized), so a
# landing never fails on an example no earlier run met; local runs keep
# exploring new examples, which is where new failures are found.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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
