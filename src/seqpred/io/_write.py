"""Turn an estimator into the members of a model file (see :mod:`seqpred.io`).

:func:`encode_members` builds every member in memory: ``manifest.json``,
``arrays.npz`` and the raw files estimators hand over through their
``_extra_files`` hook. A nested estimator's files (a neural model inside an
ensemble or a conditional model) are stored under a ``partN-`` prefix and
listed in its own description, so each estimator gets back exactly its own.
"""

from __future__ import annotations

import dataclasses
import io as _stdio
import json
import zipfile
from typing import Any

import numpy as np

from seqpred._registry import name_of
from seqpred._typing import Array
from seqpred._version import __version__
from seqpred.base import BaseEstimator
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import ModelFileError, SeqpredError
from seqpred.io._format import (
    ARRAYS,
    EXTRA_NAME,
    FIXED_TIME,
    FORMAT_NAME,
    FORMAT_VERSION,
    JSON_SCALARS,
    MANIFEST,
    sha256,
)
from seqpred.io._sign import SIGNATURE


def encode_members(estimator: BaseEstimator) -> dict[str, bytes]:
    """Build every member of the archive in memory (nothing touches disk yet)."""
    writer = _Writer()
    description = writer.describe(estimator, type(estimator).__name__)
    extra = extra_files_of(estimator)
    members = {ARRAYS: writer.npz_bytes(), **extra, **writer.nested_files}
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "seqpred_version": __version__,
        **description,
        "extra_files": sorted(extra),
        "nested_files": sorted(writer.nested_files),
        "checksums": {name: sha256(data) for name, data in sorted(members.items())},
    }
    text = json.dumps(manifest, indent=1, ensure_ascii=False, allow_nan=True)
    return {MANIFEST: text.encode("utf-8"), **members}


def extra_files_of(estimator: BaseEstimator) -> dict[str, bytes]:
    """Return the checked files of ``estimator``'s ``_extra_files`` hook, if any."""
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
            or not EXTRA_NAME.match(name)
            or name in (MANIFEST, ARRAYS, SIGNATURE)
        ):
            raise ModelFileError(
                f"io.save: {owner}._extra_files() returned the member name {name!r};"
                " use a plain file name such as 'weights.safetensors' (letters, "
                "digits and ._-, not manifest.json, manifest.sig or arrays.npz)."
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
        self.nested_files: dict[str, bytes] = {}
        self._parts = 0

    def describe(
        self, est: BaseEstimator, where: str, *, nested: bool = False
    ) -> dict[str, Any]:
        """Return the JSON description of one (possibly nested) estimator."""
        owner = type(est).__name__
        params = {
            name: self.encode(value, f"{owner} parameter {name}")
            for name, value in est.get_params(deep=False).items()
        }
        hooked = hasattr(est, "_get_state")
        raw_state = est._get_state() if hooked else generic_state(est)  # type: ignore[attr-defined]
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
        node = {
            "model": name_of(type(est)),
            "class": type(est).__qualname__,
            "params": params,
            "tags": dataclasses.asdict(est.get_tags()),
            "fitted": est.is_fitted,
            "state_hook": hooked,
            "state": state,
        }
        if nested:
            files = self._store_nested_files(est)
            if files:
                node["files"] = files
        return node

    def _store_nested_files(self, est: BaseEstimator) -> dict[str, str]:
        """Store a nested estimator's extra files; return name -> member name."""
        files = extra_files_of(est)
        if not files:
            return {}
        self._parts += 1
        members = {name: f"part{self._parts}-{name}" for name in files}
        for name, data in files.items():
            self.nested_files[members[name]] = data
        return members

    def encode(self, value: Any, where: str) -> Any:
        """Return the JSON node for ``value`` (arrays go to :attr:`arrays`)."""
        if value is None or type(value) in JSON_SCALARS:
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
        raise ModelFileError(unsavable(value, where))

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
                info = zipfile.ZipInfo(f"{key}.npy", date_time=FIXED_TIME)
                with archive.open(info, "w", force_zip64=True) as handle:
                    np.lib.format.write_array(handle, array, allow_pickle=False)
        return buffer.getvalue()


def generic_state(est: BaseEstimator) -> dict[str, Any]:
    """Every ``_``-suffixed attribute: the fitted state of the contract."""
    return {
        name: value
        for name, value in vars(est).items()
        if name.endswith("_") and not name.startswith("__")
    }


def unsavable(value: Any, where: str) -> str:
    """Return the message for a value a model file cannot hold."""
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
