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
    names are plain file names (letters, digits, ``._-``). Nested
    estimators may have them too (a neural model inside a conditional model
    or an ensemble): their files are stored under a ``partN-`` prefix and
    handed back to the estimator they came from.

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
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from seqpred.base import BaseEstimator
from seqpred.exceptions import ModelFileError
from seqpred.io._format import ARRAYS, FIXED_TIME, FORMAT_NAME, FORMAT_VERSION
from seqpred.io._read import Reader, checked_manifest, read_arrays, read_members
from seqpred.io._write import encode_members

__all__ = ["FORMAT_NAME", "FORMAT_VERSION", "load", "read_manifest", "save"]

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
    members = encode_members(estimator)
    target = Path(path)
    _write_atomically(target, members)
    return target


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
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def _file_mode(target: Path) -> int:
    """Keep the mode of a file being replaced; else the usual ``rw-r--r--``."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o644


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
    members = read_members(source)
    manifest = checked_manifest(members, source)
    arrays = read_arrays(members[ARRAYS], source)
    extra = {name: members[name] for name in manifest.get("extra_files", [])}
    nested = {name: members[name] for name in manifest.get("nested_files", [])}
    return Reader(arrays, source, nested).build(manifest, "model", extra)


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
    return checked_manifest(read_members(source), source)
