"""Rebuild an estimator from a verified model file (see :mod:`seqpred.io`).

:mod:`seqpred.io._archive` has verified the archive, the manifest's format
and version, the member list and checksums before anything here runs;
nothing in the file can name code to import or unpickle. Every check here
is strict too: array headers before their data, the types of restored
state against the class's annotations, and any failure of an estimator's
load hooks becomes a :class:`~seqpred.exceptions.ModelFileError`.
"""

from __future__ import annotations

import io as _stdio
import zipfile
from pathlib import Path
from typing import Any

from seqpred._registry import REGISTRY, get_class
from seqpred._typing import Array
from seqpred.base import BaseEstimator
from seqpred.data._untrusted import (
    ZIP_ERRORS,
    check_zip_directory,
    describe,
    read_npz,
)
from seqpred.data.budget import Budget
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import ModelFileError, ModelTooLargeError, SeqpredError
from seqpred.io._format import ARRAYS, JSON_SCALARS, RESAVE, fail
from seqpred.io._state import mismatch

MAX_ARRAYS = 1 << 20
"""Most arrays ``arrays.npz`` may hold."""


def read_arrays(data: bytes, path: Path, budget: Budget) -> dict[str, Array]:
    """Return the arrays of ``arrays.npz`` by key, each header checked first.

    Every ``.npy`` header is parsed before its data is allocated: its dtype
    may not hold Python objects, its declared size must equal the bytes
    that follow and fit the budget.
    """

    def problem(message: str) -> ModelFileError:
        return fail(path, message, RESAVE)

    stream = _stdio.BytesIO(data)
    check_zip_directory(stream, budget, MAX_ARRAYS, problem)
    try:
        with zipfile.ZipFile(stream) as npz:
            return read_npz(npz, ARRAYS, budget, problem)
    except SeqpredError:
        raise
    except ZIP_ERRORS as exc:
        reason = describe(exc)
        raise problem(f"has an unreadable {ARRAYS} ({reason})") from None


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
        fitted = node.get("fitted") is True
        if fitted and not state:
            raise self.corrupt(
                where,
                f"the {cls.__name__} is marked fitted but its state is empty; the "
                "file was altered or cut short",
            )
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
            self._run_hook(hook, extra, f"{cls.__name__}._load_extra_files", where)
        if fitted:  # last, as in fit
            estimator._mark_fitted()
        return estimator

    def _run_hook(self, hook: Any, argument: Any, name: str, where: str) -> None:
        """Run a load hook; what it raises on a bad file becomes a ModelFileError."""
        try:
            hook(argument)
        except SeqpredError:
            raise
        except MemoryError:
            raise ModelTooLargeError(
                f"{self.path}: {where}: {name} ran out of memory rebuilding the "
                "model. Load it on a machine with more memory, or refit smaller."
            ) from None
        except Exception as exc:  # a hook fed values it cannot use
            reason = str(exc).strip() or "no detail"
            raise self.corrupt(
                where,
                f"{name} cannot restore the saved state ({type(exc).__name__}: "
                f"{reason}); the file was altered or written by an incompatible "
                "version",
            ) from None

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
        try:
            cls = get_class(name)
        except ImportError as exc:
            raise fail(
                self.path,
                f"{where}: the model {name!r} needs a package that is not "
                f"installed ({exc})",
                "Install it (for neural models: pip install 'seqpred[torch]').",
            ) from None
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
        owner = type(estimator).__name__
        setter = getattr(estimator, "_set_state", None)
        if hooked:
            if setter is None:
                raise self.corrupt(where, f"{owner} has no _set_state hook")
            self._run_hook(setter, state, f"{owner}._set_state", where)
            return
        for name, value in state.items():
            if (
                not name.isidentifier()
                or not name.endswith("_")
                or (name.startswith("__"))
            ):
                raise self.corrupt(where, f"{name!r} is not a fitted attribute name")
            expected = mismatch(type(estimator), name, value)
            if expected is not None:
                raise self.corrupt(
                    f"{where}.{name}",
                    f"{owner} declares {name} as {expected}, but the file holds a "
                    f"{type(value).__name__}; the file was altered or written by "
                    "an incompatible version",
                )
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
