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
name (no module named in the file is imported), arrays are read without
pickle, and the format name, version, member list and checksums are
verified first. A corrupt, truncated or foreign file raises
:class:`ModelFileError` naming the path and the fix.

**Loading untrusted files.** :func:`load` opens only regular files (a FIFO
or a device is refused at once), refuses members the manifest does not
list, bounds the manifest's JSON nesting, and checks every size the file
declares (zip members, ``.npy`` headers, a neural network's configuration
and weights) against a memory budget *before* allocating: ``max_bytes=``,
else ``SEQPRED_MAX_BYTES``, else half of the machine's memory (see
:mod:`seqpred.data.budget`). Restored fitted attributes must have the types
their class annotates. Too large a file raises :class:`ModelTooLargeError`.

**Signing.** ``save(model, path, key=...)`` adds an HMAC-SHA256 of the
manifest (which holds the SHA-256 of every other member);
``load(path, key=...)`` refuses a file that is unsigned or whose signature
does not match with :class:`ModelSignatureError`, before parsing anything
in it. Without a key, files load as before, signed or not: the unkeyed
checksums catch corruption, not tampering. The command line reads the key
from ``SEQPRED_MODEL_KEY``.

**Bytes.** :func:`dumps` and :func:`loads` write and read the same format
in memory (a model broadcast to the workers of a cluster, a model in a
database), with the same checks, budget and signing.

**Saving never destroys.** :func:`save` writes a temporary file next to
the destination, ``fsync``-s it and renames it over the destination, which
must be a regular file or a new path (a directory, FIFO, device or socket
is refused); a symbolic link is followed and kept, and the file it names is
replaced. ``overwrite=False`` refuses an existing file. Temporary files
that a killed save left (``.NAME.XXXXXXXX.tmp``) are removed by the next
save to the same path.

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

Signed files, for a service that must refuse files it did not write:

>>> with tempfile.TemporaryDirectory() as tmp:
...     path = io.save(model, pathlib.Path(tmp) / "model.seqpred", key=b"secret")
...     twin = io.load(path, key=b"secret")
...     io.load(path, key=b"another key")
Traceback (most recent call last):
...
seqpred.exceptions.ModelSignatureError: ...: its signature does not match the key...
"""

from __future__ import annotations

import io as _bytes_io
import os
from pathlib import Path
from typing import Any

from seqpred.base import BaseEstimator
from seqpred.data.budget import Budget, resolve_max_bytes
from seqpred.data.budget import using_budget as _using_budget
from seqpred.exceptions import ModelFileError, ModelTooLargeError
from seqpred.io._archive import Archive, read_archive, read_archive_from
from seqpred.io._files import check_destination, write_atomically, write_zip
from seqpred.io._format import ARRAYS, FORMAT_NAME, FORMAT_VERSION, MANIFEST
from seqpred.io._read import Reader, read_arrays
from seqpred.io._sign import ENV_KEY, SIGNATURE, KeyLike, as_key, sign
from seqpred.io._write import encode_members

__all__ = [
    "ENV_KEY",
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "check_save_path",
    "dumps",
    "load",
    "loads",
    "read_manifest",
    "save",
]

PathLike = str | os.PathLike[str]


# -- saving -----------------------------------------------------------------------


def save(
    estimator: BaseEstimator,
    path: PathLike,
    *,
    key: KeyLike | None = None,
    overwrite: bool = True,
) -> Path:
    """Write ``estimator`` to the model file ``path``, atomically; return the path.

    The file is first written to a temporary file in the same directory,
    flushed to disk and then moved over ``path``, so an interrupted save
    never leaves a half written file in place of a good one.

    Parameters
    ----------
    estimator : BaseEstimator
        A registered seqpred estimator, fitted or not.
    path : str or path-like
        Destination, conventionally ending in ``.seqpred``: a new path in
        an existing directory, or a regular file to replace. A symbolic
        link is followed (the link stays, the file it names is replaced).
    key : bytes or str, default=None
        Sign the file with this secret (HMAC-SHA256), so that
        ``load(path, key=key)`` can tell it was written by a holder of the
        key. ``None`` writes an unsigned file.
    overwrite : bool, default=True
        Replace an existing regular file; ``False`` refuses.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    ModelFileError
        If a parameter or fitted attribute cannot be stored safely, or the
        destination is not a regular file or new path in a writable
        directory (or exists and ``overwrite=False``).
    InvalidParameterError
        If the estimator's class is not registered, or ``key`` is empty.
    """
    members = _members(estimator, key, "io.save")
    target = Path(path)
    write_atomically(target, members, overwrite=overwrite)
    return target


def dumps(estimator: BaseEstimator, *, key: KeyLike | None = None) -> bytes:
    """Return the model file of ``estimator`` as bytes (what :func:`save` writes).

    Parameters
    ----------
    estimator : BaseEstimator
        A registered seqpred estimator, fitted or not.
    key : bytes or str, default=None
        Sign the bytes as :func:`save` signs a file.

    Returns
    -------
    bytes
        A model file; :func:`loads` reads it, and so does :func:`load` once
        written to disk.

    Raises
    ------
    ModelFileError
        If a parameter or fitted attribute cannot be stored safely.

    Examples
    --------
    >>> import seqpred
    >>> from seqpred import io
    >>> model = seqpred.create("markov", order=1).fit(["abcab", "abd"])
    >>> data = io.dumps(model)
    >>> io.loads(data).predict(["ab"]) == model.predict(["ab"])
    True
    >>> data == io.dumps(model)  # identical models give identical bytes
    True
    """
    handle = _bytes_io.BytesIO()
    write_zip(handle, _members(estimator, key, "io.dumps"))
    return handle.getvalue()


def _members(
    estimator: BaseEstimator, key: KeyLike | None, who: str
) -> dict[str, bytes]:
    if not isinstance(estimator, BaseEstimator):
        raise ModelFileError(
            f"{who}: expected a seqpred estimator; got {type(estimator).__name__}. "
            "Pass a fitted model such as seqpred.create('markov').fit(data)."
        )
    secret = None if key is None else as_key(key, who)
    members = encode_members(estimator)
    if secret is not None:
        signature = {SIGNATURE: sign(members[MANIFEST], secret)}
        members = {MANIFEST: members[MANIFEST], **signature, **members}
    return members


def check_save_path(path: PathLike, *, overwrite: bool = True) -> Path:
    """Check that :func:`save` could write ``path``, without writing; return its file.

    Run it before a long fit, so a bad destination fails in a second rather
    than after the work. It applies :func:`save`'s rules (a regular file or
    a new path; a symbolic link is followed) and probes the directory by
    creating and deleting a temporary file.

    Parameters
    ----------
    path : str or path-like
        The destination a later :func:`save` will get.
    overwrite : bool, default=True
        Whether an existing regular file may be replaced.

    Returns
    -------
    pathlib.Path
        The file a save would write (``path`` with symbolic links resolved).

    Raises
    ------
    ModelFileError
        Naming why a save would fail: the directory is missing, not a
        directory or not writable (with the reason: permissions, a
        read-only or virtual file system), the path is a directory, FIFO,
        device or socket, or it exists and ``overwrite=False``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> check_save_path(tmp / "model.seqpred") == (tmp / "model.seqpred").resolve()
    True
    >>> check_save_path(tmp)
    Traceback (most recent call last):
    ...
    seqpred.exceptions.ModelFileError: io.save: ... is a directory, not a regular...
    """
    return check_destination(Path(path), overwrite=overwrite)


# -- loading ----------------------------------------------------------------------


def load(
    path: PathLike,
    *,
    key: KeyLike | None = None,
    max_bytes: int | str | None = None,
) -> BaseEstimator:
    """Read an estimator written by :func:`save`.

    Parameters
    ----------
    path : str or path-like
        A model file (a regular file).
    key : bytes or str, default=None
        Accept only files signed with this key by ``save(..., key=key)``.
        ``None`` loads signed and unsigned files alike without checking a
        signature.
    max_bytes : int or str, default=None
        Memory budget for loading (``2**30`` or ``"1G"``); ``None`` takes
        ``SEQPRED_MAX_BYTES``, else half of the machine's memory. Sizes the
        file declares are checked against it before anything is allocated.

    Returns
    -------
    BaseEstimator
        The estimator, fitted if it was fitted when saved.

    Raises
    ------
    ModelFileError
        If the file is missing or not a regular file, is not a seqpred
        model file, is corrupt or truncated, names a model this version
        does not register, or comes from a newer format version.
    ModelSignatureError
        With ``key``: if the file is unsigned or its signature does not
        match.
    ModelTooLargeError
        If loading would pass the memory budget.
    """
    source = Path(path)
    budget = _budget(source, max_bytes)
    secret = None if key is None else as_key(key, "io.load")
    return _build(read_archive(source, budget, secret), source, budget)


def loads(
    data: bytes,
    *,
    key: KeyLike | None = None,
    max_bytes: int | str | None = None,
) -> BaseEstimator:
    """Read an estimator from the bytes of a model file (:func:`dumps`, :func:`save`).

    Parameters
    ----------
    data : bytes
        The model file's bytes.
    key : bytes or str, default=None
        As :func:`load`.
    max_bytes : int or str, default=None
        As :func:`load`.

    Returns
    -------
    BaseEstimator

    Raises
    ------
    ModelFileError, ModelSignatureError, ModelTooLargeError
        As :func:`load` (messages name the source ``<bytes>``).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ModelFileError(
            f"io.loads: expected the bytes of a model file; got "
            f"{type(data).__name__}. Pass io.dumps(model), or use io.load(path)."
        )
    source = Path("<bytes>")
    budget = _budget(source, max_bytes)
    secret = None if key is None else as_key(key, "io.loads")
    handle = _bytes_io.BytesIO(bytes(data))
    return _build(read_archive_from(handle, source, budget, secret), source, budget)


def _build(archive: Archive, source: Path, budget: Budget) -> BaseEstimator:
    manifest, members = archive.manifest, archive.members
    arrays = read_arrays(members.pop(ARRAYS), source, budget)
    extra = {name: members[name] for name in manifest.get("extra_files", [])}
    nested = {name: members[name] for name in manifest.get("nested_files", [])}
    with _using_budget(budget):
        return Reader(arrays, source, nested).build(manifest, "model", extra)


def read_manifest(
    path: PathLike,
    *,
    key: KeyLike | None = None,
    max_bytes: int | str | None = None,
) -> dict[str, Any]:
    """Return the verified manifest of a model file, without building the model.

    Parameters
    ----------
    path : str or path-like
        A model file written by :func:`save`.
    key : bytes or str, default=None
        As :func:`load`.
    max_bytes : int or str, default=None
        As :func:`load`.

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
    budget = _budget(source, max_bytes)
    secret = None if key is None else as_key(key, "io.read_manifest")
    return read_archive(source, budget, secret).manifest


def _budget(source: Path, max_bytes: int | str | None) -> Budget:
    return Budget(
        resolve_max_bytes(max_bytes), f"{source}: loading", ModelTooLargeError
    )
