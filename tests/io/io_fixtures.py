"""Fixtures for the model-file tests: small saved models and a file rewriter.

Test modules import the fixtures they use from here (a ``conftest.py`` in
this folder would clash with ``tests/neural/conftest.py`` under
``--doctest-modules``, as neither folder is a package).
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from seqpred import io
from seqpred.models.next_item import MarkovPredictor

__all__ = [
    "gru_bytes",
    "gru_file",
    "markov_file",
    "members_of_fixture",
    "rewrite_fixture",
    "set_config_fixture",
    "write_zip_fixture",
]

TRAIN = [list("abcabcabd"), list("bcabca"), list("cabcab"), list("abdabd")]

Edit = Callable[[Any], Any] | None


def read_members(path: Path) -> dict[str, bytes]:
    """Return every member of a zip archive by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_members(path: Path, members: dict[str, bytes]) -> Path:
    """Write ``members`` as a deflated zip archive."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def rewrite(
    source: Path,
    target: Path | None = None,
    *,
    manifest: Edit = None,
    members: Edit = None,
    rehash: bool = True,
) -> Path:
    """Copy a model file with edits, recomputing its checksums (a careful forger)."""
    parts = read_members(source)
    parts.pop("manifest.sig", None)
    data = json.loads(parts["manifest.json"])
    if members is not None:
        members(parts)
    if manifest is not None:
        manifest(data)
    if rehash:
        data["checksums"] = {
            name: hashlib.sha256(parts[name]).hexdigest()
            for name in data["checksums"]
            if name in parts
        }
    parts["manifest.json"] = json.dumps(data).encode()
    return write_members(target or source, parts)


def set_config(data: dict[str, Any], name: str, value: Any) -> None:
    """Set one ``module_config_`` value in a neural model's manifest."""
    for pair in data["state"]["module_config_"]["items"]:
        if pair[0] == name:
            pair[1] = value
            return
    raise KeyError(name)


@pytest.fixture
def markov_file(tmp_path: Path) -> Path:
    """A fitted second-order Markov model saved unsigned."""
    model = MarkovPredictor(order=2, fallback="most_frequent").fit(TRAIN)
    return io.save(model, tmp_path / "model.seqpred")


@pytest.fixture(scope="session")
def gru_bytes() -> bytes:
    """The bytes of a tiny fitted GRU next-item model."""
    pytest.importorskip("torch")
    import tempfile

    from seqpred.models.next_item import RNNNextItem

    model = RNNNextItem(
        embedding_dim=4, hidden_size=4, max_epochs=1, random_state=0, device="cpu"
    ).fit(TRAIN)
    with tempfile.TemporaryDirectory() as tmp:
        return io.save(model, Path(tmp) / "gru.seqpred").read_bytes()


@pytest.fixture
def gru_file(tmp_path: Path, gru_bytes: bytes) -> Path:
    """A tiny fitted GRU model file."""
    path = tmp_path / "gru.seqpred"
    path.write_bytes(gru_bytes)
    return path


@pytest.fixture(name="rewrite")
def rewrite_fixture() -> Callable[..., Path]:
    """Return :func:`rewrite`."""
    return rewrite


@pytest.fixture(name="set_config")
def set_config_fixture() -> Callable[..., None]:
    """Return :func:`set_config`."""
    return set_config


@pytest.fixture(name="members_of")
def members_of_fixture() -> Callable[[Path], dict[str, bytes]]:
    """Return :func:`read_members`."""
    return read_members


@pytest.fixture(name="write_zip")
def write_zip_fixture() -> Callable[[Path, dict[str, bytes]], Path]:
    """Return :func:`write_members`."""
    return write_members
