"""Constants and small helpers shared by the model-file writer and reader.

See :mod:`seqpred.io` for the format itself.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from seqpred.exceptions import ModelFileError

FORMAT_NAME = "seqpred-model"
"""The ``format`` field of every model file's manifest."""

FORMAT_VERSION = 1
"""The newest model-file format this version reads and the one it writes."""

MANIFEST = "manifest.json"
ARRAYS = "arrays.npz"
EXTRA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # identical models give identical files
JSON_SCALARS = (bool, int, float, str)
RESAVE = "Save the model again with seqpred.io.save."


def sha256(data: bytes) -> str:
    """Return the hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def fail(path: Path, problem: str, fix: str) -> ModelFileError:
    """Return the error for a model file at ``path``: the problem, then the fix."""
    return ModelFileError(f"{path}: {problem}. {fix}")
