"""Save and load fitted estimators safely: JSON and ``.npz``, never pickle.

A model file is one zip archive (conventionally ``*.seqpred``) holding

``manifest.json``
    the format name (``"seqpred-model"``) and version, the seqpred version,
    the registry name and class of the estimator, its constructor parameters,
    its tags, a description of its fitted state and the SHA-256 checksum of
    every other member;
``arrays.npz``
    every NumPy array of the fitted state, written and read without pickle;
extra members
    bytes an estimator hands over through its ``_extra_files`` hook, such as
    PyTorch weights in ``weights.safetensors``.

**What is saved.** The constructor parameters (``get_params(deep=False)``)
and every attribute of ``vars(estimator)`` whose name ends in ``_`` (the
fitted state), plus the fitted flag. Values may be ``None``, ``bool``,
``int``, ``float``, ``str``, NumPy arrays (not of dtype ``object``) and
scalars, :class:`~seqpred.data.Vocabulary` objects, registered estimators
(saved recursively, for models built from other models), and lists,
tuples, sets and dicts of these. Anything else raises
:class:`~seqpred.exceptions.ModelFileError` naming the attribute. Private
caches (a leading ``_`` and no trailing ``_``) are not saved.

**Parameters that cannot be saved.** A ``numpy.random.Generator`` given as
``random_state`` is rejected with a :class:`ModelFileError`: a generator's
state is not a parameter a file should restore. Set an int seed or ``None``
first (``model.set_params(random_state=0)``); the fitted state is unaffected.

**Hooks.** An estimator whose state does not fit the rules above defines

``_get_state() -> dict[str, object]`` and ``_set_state(state) -> None``
    replace the generic capture: the dict's values follow the same rules;
``_extra_files() -> dict[str, bytes]`` and ``_load_extra_files(files)``
    add raw members, for example
    ``{"weights.safetensors": safetensors.torch.save(module.state_dict())}``;
    names are plain file names (letters, digits, ``._-``).

**Loading never runs code.** The class is looked up in the registry by its
name (no module named in the file is imported), arrays are read with
``allow_pickle=False``, and the format name, version, member list and
checksums are verified first. A corrupt, truncated or foreign file raises
:class:`ModelFileError` naming the path and the fix.

Examples
--------
>>> import pathlib, tempfile
>>> import seqpred
>>> from seqpred import io
>>> model = seqpred.create("markov", order=1).fit(["abcab", "abd"])
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = io.save(model, pathlib.Path(tmp) / "model.seqpred")
...     twin = io.load(path)
...     manifest = io.read_manifest(path)
>>> twin.predict(["ab", "b"]) == model.predict(["ab", "b"])
True
>>> manifest["model"], manifest["format_version"]
('markov', 1)
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io as _stdio
import json
import os
import re
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np

from seqpred._registry import REGISTRY, get_class, name_of
from seqpred.base import BaseEstimator
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import ModelFileError, SeqpredError

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load", "read_manifest", "save"]

FORMAT_NAME = "seqpred-model"
"""The ``format`` field of every model file's manifest."""

FORMAT_VERSION = 1
"""The newest model-file format this version reads and the one it writes."""

_MANIFEST = "manifest.json"
_ARRAYS = "arrays.npz"
_EXTRA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # identical models give identical files
_JSON_SCALARS = (bool, int, float, str)

Array = np.ndarray[Any, Any]
PathLike = str | os.PathLike[str]


# -- saving -----------------------------------------------------------------------


def save(estimator: BaseEstimator, path: PathLike) -> Path:
    """Write ``estimator`` to the model file ``path``, atomically; return the path.

    The file is first written to a temporary file in the same directory and
    then moved over ``path``, so an interrupted save never leaves a half
    written file in place of a good one.

    Parameters
    ----------
    estimator : BaseEstimator
        A registered seqpred estimator, fitted or not.
    path : str or path-like
        Destination, conventionally ending in ``.seqpred``; overwritten.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    ModelFileError
        If a parameter or fitted attribute cannot be stored safely, or the
        destination cannot be written.
    InvalidParameterError
        If the estimator's class is not registered.
    """
    if not isinstance(estimator, BaseEstimator):
        raise ModelFileError(
            f"io.save: expected a seqpred estimator; got {type(estimator).__name__}. "
            "Pass a fitted model such as seqpred.create('markov').fit(data)."
        )
    members = _encode_members(estimator)
    target = Path(path)
    _write_atomically(target, members)
    return target


def _encode_members(estimator: BaseEstimator) -> dict[str, bytes]:
    """Build every member of the archive in memory (nothing touches disk yet)."""
    import seqpred

    writer = _Writer()
    description = writer.describe(estimator, type(estimator).__name__)
    extra = _extra_files_of(estimator)
    members = {_ARRAYS: writer.npz_bytes(), **extra}
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "seqpred_version": seqpred.__version__,
        **description,
        "extra_files": sorted(extra),
        "checksums": {name: _sha256(data) for name, data in sorted(members.items())},
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False, allow_nan=True)
    return {_MANIFEST: text.encode("utf-8"), **members}


def _extra_files_of(estimator: BaseEstimator) -> dict[str, bytes]:
    hook = getattr(estimator, "_extra_files", None)
    if hook is None:
        return {}
    owner = type(estimator).__name__
    files = hook()
    if not isinstance(files, dict):
        raise ModelFileError(
            f"io.save: {owner}._extra_files() must return a dict of file name -> "
            f"bytes; got {type(files).__name__}."
        )
    for name, data in files.items():
        if (
            not isinstance(name, str)
            or not _EXTRA_NAME.match(name)
            or name
            in (
                _MANIFEST,
                _ARRAYS,
            )
        ):
            raise ModelFileError(
                f"io.save: {owner}._extra_files() returned the member name {name!r};"
                " use a plain file name such as 'weights.safetensors' (letters, "
                "digits and ._-, not manifest.json or arrays.npz)."
            )
        if not isinstance(data, bytes):
            raise ModelFileError(
                f"io.save: {owner}._extra_files()[{name!r}] must be bytes; got "
                f"{type(data).__name__}."
            )
    return dict(files)


class _Writer:
    """Turn parameters and fitted state into JSON nodes plus named arrays."""

    def __init__(self) -> None:
        self.arrays: dict[str, Array] = {}

    def describe(
        self, est: BaseEstimator, where: str, *, nested: bool = False
    ) -> dict[str, Any]:
        """Return the JSON description of one (possibly nested) estimator."""
        owner = type(est).__name__
        if nested and hasattr(est, "_extra_files"):
            raise ModelFileError(
                f"io.save: {where} is a nested {owner} with an _extra_files hook; "
                "only the top-level estimator may write extra files."
            )
        params = {
            name: self.encode(value, f"{owner} parameter {name}")
            for name, value in est.get_params(deep=False).items()
        }
        hooked = hasattr(est, "_get_state")
        raw_state = est._get_state() if hooked else _generic_state(est)  # type: ignore[attr-defined]
        if not isinstance(raw_state, dict) or not all(
            isinstance(k, str) for k in raw_state
        ):
            raise ModelFileError(
                f"io.save: {owner}._get_state() must return a dict with str keys; "
                f"got {type(raw_state).__name__}."
            )
        state = {
            name: self.encode(value, f"{where}.{name}")
            for name, value in sorted(raw_state.items())
        }
        return {
            "model": name_of(type(est)),
            "class": type(est).__qualname__,
            "params": params,
            "tags": dataclasses.asdict(est.get_tags()),
            "fitted": est.is_fitted,
            "state_hook": hooked,
            "state": state,
        }

    def encode(self, value: Any, where: str) -> Any:
        """Return the JSON node for ``value`` (arrays go to :attr:`arrays`)."""
        if value is None or type(value) in _JSON_SCALARS:
            return value
        if isinstance(value, (np.ndarray, np.generic)):
            return self._encode_array(value, where)
        if isinstance(value, list):
            return [self.encode(v, f"{where}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, (tuple, set, frozenset)):
            kind = type(value).__name__
            items = list(value)
            if not isinstance(value, tuple):
                items.sort(key=repr)  # stable files for equal sets
            return {
                "t": kind,
                "items": [self.encode(v, f"{where}[{i}]") for i, v in enumerate(items)],
            }
        if isinstance(value, dict):
            return {
                "t": "dict",
                "items": [
                    [self.encode(k, f"{where} key"), self.encode(v, f"{where}[{k!r}]")]
                    for k, v in value.items()
                ],
            }
        if isinstance(value, Vocabulary):
            return self._encode_vocabulary(value, where)
        if isinstance(value, BaseEstimator):
            return {"t": "estimator", **self.describe(value, where, nested=True)}
        raise ModelFileError(_unsavable(value, where))

    def _encode_array(self, value: Array | np.generic, where: str) -> dict[str, Any]:
        array = np.asarray(value)
        if array.dtype.hasobject:
            raise ModelFileError(
                f"io.save: {where} is a NumPy array of dtype object, which cannot be "
                "saved without pickle. Store numbers or fixed-width strings (for "
                "example array.astype(str)) instead."
            )
        key = f"a{len(self.arrays)}"
        self.arrays[key] = array
        return {"t": "array" if isinstance(value, np.ndarray) else "scalar", "key": key}

    @staticmethod
    def _encode_vocabulary(value: Vocabulary, where: str) -> dict[str, Any]:
        try:
            data = value.to_dict()
        except SeqpredError as exc:
            raise ModelFileError(f"io.save: cannot save {where}: {exc}") from None
        frozen = bool(getattr(value, "_frozen", False))
        return {"t": "vocabulary", "value": data, "frozen": frozen}

    def npz_bytes(self) -> bytes:
        """Return ``arrays.npz``: one ``.npy`` member per array, no pickle."""
        buffer = _stdio.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
            for key, array in self.arrays.items():
                info = zipfile.ZipInfo(f"{key}.npy", date_time=_FIXED_TIME)
                with archive.open(info, "w", force_zip64=True) as handle:
                    np.lib.format.write_array(handle, array, allow_pickle=False)
        return buffer.getvalue()


def _generic_state(est: BaseEstimator) -> dict[str, Any]:
    """Every ``_``-suffixed attribute: the fitted state of the contract."""
    return {
        name: value
        for name, value in vars(est).items()
        if name.endswith("_") and not name.startswith("__")
    }


def _unsavable(value: Any, where: str) -> str:
    kind = type(value).__name__
    if isinstance(value, np.random.Generator) and " parameter " in where:
        name = where.rsplit(" ", 1)[-1]
        return (
            f"io.save: {where} is a numpy Generator, which a model file cannot "
            f"store. Set an int seed or None before saving, e.g. "
            f"model.set_params({name}=0); the fitted state is unaffected."
        )
    return (
        f"io.save: cannot save {where} of type {kind}; a model file holds only "
        "None, bool, int, float, str, NumPy arrays, Vocabulary, registered "
        "estimators and lists, tuples, sets and dicts of these. Convert it, or "
        "give the estimator _get_state()/_set_state() hooks."
    )


def _write_atomically(target: Path, members: dict[str, bytes]) -> None:
    directory = target.parent
    try:
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=directory
        )
    except FileNotFoundError:
        raise ModelFileError(
            f"io.save: directory {str(directory)!r} does not exist; create it "
            f"first (for example Path({str(directory)!r}).mkdir(parents=True))."
        ) from None
    except OSError as exc:
        raise ModelFileError(
            f"io.save: cannot write in {str(directory)!r} ({exc.strerror}); choose "
            "a writable directory."
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_zip(handle, members)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, _file_mode(target))
        os.replace(tmp_name, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        if isinstance(exc, IsADirectoryError):
            raise ModelFileError(
                f"io.save: {str(target)!r} is a directory; give a file path such "
                f"as {str(target / 'model.seqpred')!r}."
            ) from None
        raise


def _write_zip(handle: Any, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def _file_mode(target: Path) -> int:
    """Keep the mode of a file being replaced; else the usual ``rw-r--r--``."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o644


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- loading ----------------------------------------------------------------------


def load(path: PathLike) -> BaseEstimator:
    """Read an estimator written by :func:`save`.

    Parameters
    ----------
    path : str or path-like
        A model file.

    Returns
    -------
    BaseEstimator
        The estimator, fitted if it was fitted when saved.

    Raises
    ------
    ModelFileError
        If the file is missing, is not a seqpred model file, is corrupt or
        truncated, names a model this version does not register, or comes
        from a newer format version.
    """
    source = Path(path)
    members = _read_members(source)
    manifest = _checked_manifest(members, source)
    arrays = _read_arrays(members[_ARRAYS], source)
    extra = {name: members[name] for name in manifest.get("extra_files", [])}
    return _Reader(arrays, source).build(manifest, "model", extra)


def read_manifest(path: PathLike) -> dict[str, Any]:
    """Return the verified manifest of a model file, without building the model.

    Parameters
    ----------
    path : str or path-like
        A model file written by :func:`save`.

    Returns
    -------
    dict
        The parsed ``manifest.json`` (format, versions, model name, class,
        parameter and state descriptions, tags, checksums).

    Raises
    ------
    ModelFileError
        As :func:`load`.
    """
    source = Path(path)
    return _checked_manifest(_read_members(source), source)


def _fail(path: Path, problem: str, fix: str) -> ModelFileError:
    return ModelFileError(f"{path}: {problem}. {fix}")


_RESAVE = "Save the model again with seqpred.io.save."
# Errors zipfile raises for damaged archives: bad structure, bad CRC, bad deflate
# data, a cut-off member, an unsupported compression method or encryption.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
)


def _read_members(path: Path) -> dict[str, bytes]:
    if not path.exists():
        raise _fail(path, "no such model file", "Check the path.")
    if path.is_dir():
        raise _fail(path, "is a directory, not a model file", "Give the file path.")
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if len(set(names)) != len(names):
                raise _fail(path, "has duplicate archive members", _RESAVE)
            return {name: archive.read(name) for name in names}
    except _ZIP_ERRORS as exc:
        raise _fail(
            path,
            f"is not a seqpred model file, or is truncated or corrupt ({exc})",
            "Load a file written by seqpred.io.save, or save the model again.",
        ) from None
    except OSError as exc:
        raise _fail(
            path, f"cannot be read ({exc.strerror})", "Check the path."
        ) from None


def _checked_manifest(members: dict[str, bytes], path: Path) -> dict[str, Any]:
    if _MANIFEST not in members:
        raise _fail(
            path,
            f"is a zip archive without {_MANIFEST}, so not a seqpred model file",
            "Load a file written by seqpred.io.save.",
        )
    try:
        manifest = json.loads(members[_MANIFEST].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(path, f"has an unreadable {_MANIFEST} ({exc})", _RESAVE) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise _fail(
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
        raise _fail(path, f"has an invalid format_version {version!r}", _RESAVE)
    if version > FORMAT_VERSION:
        written_by = manifest.get("seqpred_version", "a newer version")
        raise _fail(
            path,
            f"uses model-file format version {version}, written by seqpred "
            f"{written_by}; this seqpred reads versions up to {FORMAT_VERSION}",
            "Upgrade seqpred (pip install -U seqpred) to load it.",
        )


def _check_members(
    manifest: dict[str, Any], members: dict[str, bytes], path: Path
) -> None:
    checksums = manifest.get("checksums")
    extra = manifest.get("extra_files", [])
    if (
        not isinstance(checksums, dict)
        or _ARRAYS not in checksums
        or not isinstance(extra, list)
        or not all(isinstance(n, str) and n in checksums for n in extra)
    ):
        raise _fail(path, "has a manifest without a valid checksums table", _RESAVE)
    present = set(members) - {_MANIFEST}
    missing = sorted(set(checksums) - present)
    if missing:
        raise _fail(
            path, f"is missing the member(s) {missing}; it is truncated", _RESAVE
        )
    unexpected = sorted(present - set(checksums))
    if unexpected:
        raise _fail(
            path,
            f"holds member(s) {unexpected} that its manifest does not list; it was "
            "altered after saving",
            _RESAVE,
        )
    for name, expected in sorted(checksums.items()):
        if _sha256(members[name]) != expected:
            raise _fail(
                path,
                f"member {name!r} does not match its SHA-256 checksum; the file is "
                "corrupt or was altered after saving",
                _RESAVE,
            )


def _check_model_name(manifest: dict[str, Any], path: Path) -> None:
    name = manifest.get("model")
    if not isinstance(name, str) or name.lower() not in REGISTRY:
        raise _fail(
            path,
            f"holds the model {name!r}, which this seqpred does not register "
            f"(available: {sorted(REGISTRY)})",
            "Upgrade seqpred or install the package that registers it.",
        )


def _read_arrays(data: bytes, path: Path) -> dict[str, Array]:
    try:
        with np.load(_stdio.BytesIO(data), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise _fail(path, f"has an unreadable {_ARRAYS} ({exc})", _RESAVE) from None


class _Reader:
    """Rebuild estimators and values from manifest nodes; every check is strict."""

    def __init__(self, arrays: dict[str, Array], path: Path) -> None:
        self.arrays = arrays
        self.path = path

    def corrupt(self, where: str, problem: str) -> ModelFileError:
        return _fail(self.path, f"{where}: {problem}", _RESAVE)

    def build(
        self, node: Any, where: str, extra: dict[str, bytes] | None = None
    ) -> BaseEstimator:
        """Return the estimator described by ``node`` (see ``_Writer.describe``).

        ``extra`` holds the members for the top-level ``_load_extra_files``.
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
            raise _fail(
                self.path,
                f"{where}: the saved parameters do not fit this version of "
                f"{cls.__name__} ({exc})",
                "Load it with the seqpred version that saved it, or refit.",
            ) from None
        self._restore(estimator, state, bool(node.get("state_hook")), where)
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

    def _class_of(self, node: dict[str, Any], where: str) -> type[BaseEstimator]:
        name = node.get("model")
        if not isinstance(name, str) or name.lower() not in REGISTRY:
            raise _fail(
                self.path,
                f"{where}: the model {name!r} is not registered in this seqpred",
                "Upgrade seqpred or install the package that registers it.",
            )
        cls = get_class(name)
        if node.get("class") != cls.__qualname__:
            raise _fail(
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
        if node is None or type(node) in _JSON_SCALARS:
            return node
        if isinstance(node, list):
            return [self.decode(v, f"{where}[{i}]") for i, v in enumerate(node)]
        if not isinstance(node, dict):
            raise self.corrupt(where, f"unexpected value of type {type(node).__name__}")
        kind = node.get("t")
        if kind in ("array", "scalar"):
            key = node.get("key")
            if not isinstance(key, str) or key not in self.arrays:
                raise self.corrupt(where, f"array {key!r} is missing from {_ARRAYS}")
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
