"""Read and verify a model file, then rebuild its estimator (see :mod:`seqpred.io`).

Every check is strict: the archive, the manifest's format and version, the
member list and checksums are verified before anything is built, and
nothing in the file can name code to import or unpickle.
"""

from __future__ import annotations

import io as _stdio
import json
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from seqpred._registry import REGISTRY, get_class
from seqpred._typing import Array
from seqpred.base import BaseEstimator
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import ModelFileError, SeqpredError
from seqpred.io._format import (
    ARRAYS,
    FORMAT_NAME,
    FORMAT_VERSION,
    JSON_SCALARS,
    MANIFEST,
    RESAVE,
    fail,
    sha256,
)

# Errors zipfile raises for damaged archives: bad structure, bad CRC, bad deflate
# data, a cut-off member, an unsupported compression method or encryption.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
)


def read_members(path: Path) -> dict[str, bytes]:
    """Return every member of the archive at ``path`` by name."""
    if not path.exists():
        raise fail(path, "no such model file", "Check the path.")
    if path.is_dir():
        raise fail(path, "is a directory, not a model file", "Give the file path.")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if len(set(names)) != len(names):
                raise fail(path, "has duplicate archive members", RESAVE)
            return {name: archive.read(name) for name in names}
    except _ZIP_ERRORS as exc:
        raise fail(
            path,
            f"is not a seqpred model file, or is truncated or corrupt ({exc})",
            "Load a file written by seqpred.io.save, or save the model again.",
        ) from None
    except OSError as exc:
        raise fail(
            path, f"cannot be read ({exc.strerror})", "Check the path."
        ) from None


def checked_manifest(members: dict[str, bytes], path: Path) -> dict[str, Any]:
    """Return the parsed manifest once format, version and members check out."""
    if MANIFEST not in members:
        raise fail(
            path,
            f"is a zip archive without {MANIFEST}, so not a seqpred model file",
            "Load a file written by seqpred.io.save.",
        )
    try:
        manifest = json.loads(members[MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise fail(path, f"has an unreadable {MANIFEST} ({exc})", RESAVE) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise fail(
            path,
            f"is not a seqpred model file (format {found!r}, expected {FORMAT_NAME!r})",
            "Load a file written by seqpred.io.save.",
        )
    _check_version(manifest, path)
    _check_members(manifest, members, path)
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


def _check_members(
    manifest: dict[str, Any], members: dict[str, bytes], path: Path
) -> None:
    checksums = manifest.get("checksums")
    if (
        not isinstance(checksums, dict)
        or ARRAYS not in checksums
        or not _listed(manifest, "extra_files", checksums)
        or not _listed(manifest, "nested_files", checksums)
    ):
        raise fail(path, "has a manifest without a valid checksums table", RESAVE)
    present = set(members) - {MANIFEST}
    missing = sorted(set(checksums) - present)
    if missing:
        raise fail(path, f"is missing the member(s) {missing}; it is truncated", RESAVE)
    unexpected = sorted(present - set(checksums))
    if unexpected:
        raise fail(
            path,
            f"holds member(s) {unexpected} that its manifest does not list; it was "
            "altered after saving",
            RESAVE,
        )
    for name, expected in sorted(checksums.items()):
        if sha256(members[name]) != expected:
            raise fail(
                path,
                f"member {name!r} does not match its SHA-256 checksum; the file is "
                "corrupt or was altered after saving",
                RESAVE,
            )


def _check_model_name(manifest: dict[str, Any], path: Path) -> None:
    name = manifest.get("model")
    if not isinstance(name, str) or name.lower() not in REGISTRY:
        raise fail(
            path,
            f"holds the model {name!r}, which this seqpred does not register "
            f"(available: {sorted(REGISTRY)})",
            "Upgrade seqpred or install the package that registers it.",
        )


def read_arrays(data: bytes, path: Path) -> dict[str, Array]:
    """Return the arrays of ``arrays.npz`` by key, read without pickle."""
    try:
        with np.load(_stdio.BytesIO(data), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise fail(path, f"has an unreadable {ARRAYS} ({exc})", RESAVE) from None


class Reader:
    """Rebuild estimators and values from manifest nodes; every check is strict.

    ``nested_files`` holds the members listed in the manifest's
    ``nested_files``: the extra files of nested estimators, which each
    nested description maps from its own file names.
    """

    def __init__(
        self,
        arrays: dict[str, Array],
        path: Path,
        nested_files: dict[str, bytes] | None = None,
    ) -> None:
        self.arrays = arrays
        self.path = path
        self.nested_files = nested_files or {}

    def corrupt(self, where: str, problem: str) -> ModelFileError:
        return fail(self.path, f"{where}: {problem}", RESAVE)

    def build(
        self, node: Any, where: str, extra: dict[str, bytes] | None = None
    ) -> BaseEstimator:
        """Return the estimator described by ``node`` (see ``_io_write``).

        ``extra`` holds the members for the top-level ``_load_extra_files``;
        a nested estimator's come from its node's ``files`` map.
        """
        if not isinstance(node, dict):
            raise self.corrupt(where, "the estimator description is not a mapping")
        cls = self._class_of(node, where)
        params = self._mapping(node.get("params"), f"{where} parameters")
        state = self._mapping(node.get("state"), f"{where} state")
        try:
            estimator = cls(**params)
            estimator._validate_params()
        except (TypeError, ValueError) as exc:
            raise fail(
                self.path,
                f"{where}: the saved parameters do not fit this version of "
                f"{cls.__name__} ({exc})",
                "Load it with the seqpred version that saved it, or refit.",
            ) from None
        self._restore(estimator, state, bool(node.get("state_hook")), where)
        if extra is None and "files" in node:
            extra = self._own_files(node["files"], where)
        if extra:
            hook = getattr(estimator, "_load_extra_files", None)
            if hook is None:
                raise self.corrupt(
                    where,
                    f"the file holds extra members {sorted(extra)} but "
                    f"{cls.__name__} has no _load_extra_files hook",
                )
            hook(extra)
        if node.get("fitted") is True:  # last, as in fit
            estimator._mark_fitted()
        return estimator

    def _own_files(self, files: Any, where: str) -> dict[str, bytes]:
        """Return a nested estimator's extra files from its ``files`` map."""
        if not isinstance(files, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in files.items()
        ):
            raise self.corrupt(where, "the files map is not names to member names")
        missing = sorted(v for v in files.values() if v not in self.nested_files)
        if missing:
            raise self.corrupt(
                where, f"the nested files {missing} are not listed as nested_files"
            )
        return {name: self.nested_files[member] for name, member in files.items()}

    def _class_of(self, node: dict[str, Any], where: str) -> type[BaseEstimator]:
        name = node.get("model")
        if not isinstance(name, str) or name.lower() not in REGISTRY:
            raise fail(
                self.path,
                f"{where}: the model {name!r} is not registered in this seqpred",
                "Upgrade seqpred or install the package that registers it.",
            )
        cls = get_class(name)
        if node.get("class") != cls.__qualname__:
            raise fail(
                self.path,
                f"{where}: the file holds class {node.get('class')!r} for model "
                f"{name!r}, but this seqpred registers {cls.__qualname__}",
                "Load it with the seqpred version that saved it, or refit.",
            )
        return cls

    def _mapping(self, node: Any, where: str) -> dict[str, Any]:
        if not isinstance(node, dict) or not all(isinstance(k, str) for k in node):
            raise self.corrupt(where, "expected a mapping of names")
        return {
            key: self.decode(value, f"{where}.{key}") for key, value in node.items()
        }

    def _restore(
        self, estimator: BaseEstimator, state: dict[str, Any], hooked: bool, where: str
    ) -> None:
        setter = getattr(estimator, "_set_state", None)
        if hooked:
            if setter is None:
                raise self.corrupt(
                    where, f"{type(estimator).__name__} has no _set_state hook"
                )
            setter(state)
            return
        for name, value in state.items():
            if (
                not name.isidentifier()
                or not name.endswith("_")
                or (name.startswith("__"))
            ):
                raise self.corrupt(where, f"{name!r} is not a fitted attribute name")
            setattr(estimator, name, value)

    def decode(self, node: Any, where: str) -> Any:
        """Return the value of one JSON node written by ``_Writer.encode``."""
        if node is None or type(node) in JSON_SCALARS:
            return node
        if isinstance(node, list):
            return [self.decode(v, f"{where}[{i}]") for i, v in enumerate(node)]
        if not isinstance(node, dict):
            raise self.corrupt(where, f"unexpected value of type {type(node).__name__}")
        kind = node.get("t")
        if kind in ("array", "scalar"):
            key = node.get("key")
            if not isinstance(key, str) or key not in self.arrays:
                raise self.corrupt(where, f"array {key!r} is missing from {ARRAYS}")
            array = self.arrays[key]
            return array if kind == "array" else array[()]
        if kind in ("tuple", "set", "frozenset", "dict"):
            return self._decode_container(kind, node, where)
        if kind == "vocabulary":
            return self._decode_vocabulary(node, where)
        if kind == "estimator":
            return self.build(node, where)
        raise self.corrupt(where, f"unknown value kind {kind!r}")

    def _decode_container(self, kind: str, node: dict[str, Any], where: str) -> Any:
        items = node.get("items")
        if not isinstance(items, list):
            raise self.corrupt(where, f"a {kind} without an items list")
        try:
            if kind == "dict":
                if not all(isinstance(p, list) and len(p) == 2 for p in items):
                    raise self.corrupt(where, "dict items must be [key, value] pairs")
                return {
                    self.decode(k, f"{where} key"): self.decode(v, f"{where}[{k!r}]")
                    for k, v in items
                }
            values = [self.decode(v, f"{where}[{i}]") for i, v in enumerate(items)]
            return {"tuple": tuple, "set": set, "frozenset": frozenset}[kind](values)
        except TypeError as exc:  # an unhashable key or member
            raise self.corrupt(where, str(exc)) from None

    def _decode_vocabulary(self, node: dict[str, Any], where: str) -> Vocabulary:
        try:
            vocabulary = Vocabulary.from_dict(node.get("value"))  # type: ignore[arg-type]
        except (SeqpredError, TypeError) as exc:
            raise self.corrupt(where, str(exc)) from None
        if node.get("frozen"):
            vocabulary.freeze()
        return vocabulary
