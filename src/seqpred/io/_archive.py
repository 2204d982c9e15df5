"""Open a model file and read its members under a memory budget.

The order is what makes it safe: only a regular file is opened; the zip
directory's size is checked before :mod:`zipfile` parses it; the manifest
is read first (its declared size charged to the budget, its signature
checked when a key is given, its JSON depth bounded); members the manifest
does not list are refused unread; each listed member's declared size is
charged before it is inflated, and inflating stops there; then every
member's SHA-256 is checked.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from seqpred._registry import REGISTRY
from seqpred.data._untrusted import (
    ZIP_ERRORS,
    check_zip_directory,
    describe,
    loads_json,
    open_regular,
    read_member,
)
from seqpred.data.budget import Budget
from seqpred.exceptions import ModelFileError, ModelSignatureError, SeqpredError
from seqpred.io._format import (
    ARRAYS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    RESAVE,
    fail,
    sha256,
)
from seqpred.io._sign import MAX_SIGNATURE, SIGNATURE, matches

MAX_MEMBERS = 4096
"""Most members a model file may hold (seqpred writes a handful)."""

MANIFEST_OBJECTS = 16
"""Bytes of Python objects counted per byte of ``manifest.json`` (an estimate)."""

_FOREIGN = "Load a file written by seqpred.io.save."
_SIGN_FIX = (
    "Load only files signed with this key: save the model again with "
    "seqpred.io.save(model, path, key=...) (on the command line, set "
    "SEQPRED_MODEL_KEY when running 'seqpred fit')."
)


@dataclass
class Archive:
    """A verified model file: its manifest and its listed members by name."""

    manifest: dict[str, Any]
    members: dict[str, bytes]
    signed: bool


def read_archive(path: Path, budget: Budget, key: bytes | None) -> Archive:
    """Return the verified manifest and members of the model file at ``path``."""
    with open_regular(path, ModelFileError, "model file") as handle:
        return read_archive_from(handle, path, budget, key)


def read_archive_from(
    handle: IO[bytes], path: Path, budget: Budget, key: bytes | None
) -> Archive:
    """Return the verified manifest and members of the archive open in ``handle``.

    ``path`` names the source in messages (a file, or ``<bytes>``).
    """

    def problem(message: str) -> ModelFileError:
        return fail(path, message, RESAVE)

    check_zip_directory(handle, budget, MAX_MEMBERS, problem)
    try:
        with zipfile.ZipFile(handle) as archive:
            return _read(archive, path, budget, key)
    except SeqpredError:
        raise
    except ZIP_ERRORS as exc:
        reason = describe(exc)
        raise fail(
            path,
            f"is not a seqpred model file, or is truncated or corrupt ({reason})",
            "Load a file written by seqpred.io.save, or save the model again.",
        ) from None


def _read(
    archive: zipfile.ZipFile, path: Path, budget: Budget, key: bytes | None
) -> Archive:
    infos = {info.filename: info for info in archive.infolist()}
    if len(infos) != len(archive.infolist()):
        raise fail(path, "has duplicate archive members", RESAVE)
    if MANIFEST not in infos:
        raise fail(
            path,
            f"is a zip archive without {MANIFEST}, so not a seqpred model file",
            _FOREIGN,
        )
    info = infos[MANIFEST]
    budget.charge(
        info.file_size * (1 + MANIFEST_OBJECTS), f"{MANIFEST} and its parsed objects"
    )
    text = _member(archive, info, path)
    signed = SIGNATURE in infos
    if signed and infos[SIGNATURE].file_size > MAX_SIGNATURE:
        raise fail(path, f"has an oversized {SIGNATURE} member", RESAVE)
    if key is not None:
        _check_signature(archive, infos, text, key, path)
    manifest = checked_manifest(text, path)
    checksums: dict[str, str] = manifest["checksums"]
    present = set(infos) - {MANIFEST, SIGNATURE}
    unexpected = sorted(present - set(checksums))
    if unexpected:
        raise fail(
            path,
            f"holds member(s) {unexpected[:10]} that its manifest does not list; it "
            "was altered after saving",
            RESAVE,
        )
    missing = sorted(set(checksums) - present)
    if missing:
        raise fail(path, f"is missing the member(s) {missing}; it is truncated", RESAVE)
    members = {}
    for name in sorted(checksums):
        budget.charge(infos[name].file_size, f"member {name!r}")
        data = _member(archive, infos[name], path)
        if sha256(data) != checksums[name]:
            raise fail(
                path,
                f"member {name!r} does not match its SHA-256 checksum; the file is "
                "corrupt or was altered after saving",
                RESAVE,
            )
        members[name] = data
    return Archive(manifest, members, signed)


def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    def problem(message: str) -> ModelFileError:
        return fail(path, message, RESAVE)

    return read_member(archive, info, info.file_size, problem)


def _check_signature(
    archive: zipfile.ZipFile,
    infos: dict[str, zipfile.ZipInfo],
    manifest: bytes,
    key: bytes,
    path: Path,
) -> None:
    if SIGNATURE not in infos:
        raise ModelSignatureError(
            f"{path}: is not signed, and a key was given, so only files signed "
            f"with that key load. {_SIGN_FIX}"
        )
    if not matches(manifest, _member(archive, infos[SIGNATURE], path), key):
        raise ModelSignatureError(
            f"{path}: its signature does not match the key: the file was altered "
            f"after it was signed, or signed with another key. {_SIGN_FIX}"
        )


def checked_manifest(text: bytes, path: Path) -> dict[str, Any]:
    """Parse ``manifest.json``; check its format, version, members and model name."""

    def problem(message: str) -> ModelFileError:
        return fail(path, message, RESAVE)

    manifest = loads_json(text, f"its {MANIFEST}", problem)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise fail(
            path,
            f"is not a seqpred model file (format {found!r}, expected {FORMAT_NAME!r})",
            _FOREIGN,
        )
    _check_version(manifest, path)
    _check_checksums(manifest, path)
    _check_model_name(manifest, path)
    return manifest


def _check_version(manifest: dict[str, Any], path: Path) -> None:
    version = manifest.get("format_version")
    if type(version) is not int or version < 1:
        raise fail(path, f"has an invalid format_version {version!r}", RESAVE)
    if version > FORMAT_VERSION:
        written_by = manifest.get("seqpred_version", "a newer version")
        raise fail(
            path,
            f"uses model-file format version {version}, written by seqpred "
            f"{written_by}; this seqpred reads versions up to {FORMAT_VERSION}",
            "Upgrade seqpred (pip install -U seqpred) to load it.",
        )


def _listed(manifest: dict[str, Any], key: str, checksums: dict[str, Any]) -> bool:
    names = manifest.get(key, [])
    return isinstance(names, list) and all(
        isinstance(n, str) and n in checksums for n in names
    )


def _check_checksums(manifest: dict[str, Any], path: Path) -> None:
    checksums = manifest.get("checksums")
    if (
        not isinstance(checksums, dict)
        or ARRAYS not in checksums
        or not all(isinstance(v, str) for v in checksums.values())
        or MANIFEST in checksums
        or SIGNATURE in checksums
        or not _listed(manifest, "extra_files", checksums)
        or not _listed(manifest, "nested_files", checksums)
    ):
        raise fail(path, "has a manifest without a valid checksums table", RESAVE)


def _check_model_name(manifest: dict[str, Any], path: Path) -> None:
    name = manifest.get("model")
    if not isinstance(name, str) or name.lower() not in REGISTRY:
        raise fail(
            path,
            f"holds the model {name!r}, which this seqpred does not register "
            f"(available: {sorted(REGISTRY)})",
            "Upgrade seqpred or install the package that registers it.",
        )
