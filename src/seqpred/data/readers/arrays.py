"""Dense NumPy arrays, padded or not, to ragged sequences; ``.npy``/``.npz`` files.

:func:`load_array` reads an untrusted ``.npy`` or ``.npz`` file: never with
pickle, only from a regular file, and with every header's shape and dtype
checked against the file's real size and the memory budget (see
:mod:`seqpred.data.budget`) before anything is allocated, so a header
claiming ``shape=(10**12,)`` is a :class:`~seqpred.exceptions.DataError`,
not a ``MemoryError``.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from seqpred.data._ragged import locate_step, offsets_from_lengths
from seqpred.data._untrusted import (
    ZIP_ERRORS,
    check_zip_directory,
    describe,
    open_regular,
    read_npy_data,
    read_npy_header,
    read_npz,
)
from seqpred.data.budget import Budget, resolve_max_bytes
from seqpred.data.readers._common import Array, Unknown, encode_first_seen
from seqpred.data.readers._common import to_sequence_set as _build
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, DataTooLargeError, SeqpredError

__all__ = ["load_array", "read_numpy"]

_MAX_NPZ_MEMBERS = 1 << 16

_WHO = "read_numpy"


def read_numpy(
    array: Any,
    *,
    lengths: Any = None,
    vocabulary: Vocabulary | None = None,
    unknown: Unknown | None = None,
) -> SequenceSet:
    """Turn a dense ``(N, L)`` or ``(N, L, F)`` array into a :class:`SequenceSet`.

    Parameters
    ----------
    array : array-like
        ``(N, L)`` integers, strings or booleans give discrete sequences (the
        values are the symbols); ``(N, L)`` or ``(N, L, F)`` floats give numeric
        sequences with ``F`` features (1 for 2-D input).
    lengths : array-like of int, shape (N,), default=None
        The true length of each row; the rest of the row is padding. With
        ``None``, discrete rows are used whole and float rows lose their
        trailing all-NaN steps (NaN padding marks variable length).
    vocabulary : Vocabulary, default=None
        Encode discrete values with this vocabulary; ``None`` builds one in
        first-seen (row-major) order.
    unknown : {"error", "unk", "add"}, default=None
        Policy for values missing from ``vocabulary``.

    Returns
    -------
    SequenceSet

    Raises
    ------
    DataError
        For an array that is not 2-D or 3-D, a 3-D non-float array, object
        arrays, bad ``lengths``, or NaN inside a numeric sequence.

    Examples
    --------
    >>> import numpy as np
    >>> read_numpy(np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]])).lengths.tolist()
    [2, 3]
    >>> read_numpy(np.array([[7, 8, 0], [9, 0, 0]]), lengths=[2, 1]).to_lists()
    [[7, 8], [9]]
    """
    arr = np.asarray(array)
    _check_array(arr)
    numeric = arr.dtype.kind == "f"
    if numeric and arr.ndim == 2:
        arr = arr[:, :, None]  # (N, L) -> (N, L, 1)
    if lengths is None:
        row_lengths = _unpadded_lengths(arr) if numeric else _full(arr)
    else:
        row_lengths = _check_lengths(lengths, arr)
    keep = np.arange(arr.shape[1]) < row_lengths[:, None]  # (N, L)
    values = arr[keep]  # row-major: sequence by sequence
    if numeric:
        _check_finite(values, row_lengths)
        return _build(values.astype(np.float64), row_lengths)
    codes, vocabulary = encode_first_seen(values, vocabulary, unknown)
    return _build(codes, row_lengths, vocabulary=vocabulary)


def _check_array(arr: Array) -> None:
    if arr.ndim not in (2, 3):
        raise DataError(
            f"{_WHO}: expected a 2-D (N, L) or 3-D (N, L, F) array; got shape "
            f"{arr.shape}. Reshape it, e.g. array[None, :] for one sequence."
        )
    if arr.dtype.kind not in "biufUS":
        raise DataError(
            f"{_WHO}: expected a numeric, boolean or string array; got dtype "
            f"{arr.dtype}. Use SequenceSet.from_lists for other objects."
        )
    if arr.ndim == 3 and arr.dtype.kind != "f":
        raise DataError(
            f"{_WHO}: a 3-D array means numeric features and must be float; got "
            f"dtype {arr.dtype}. Cast it with array.astype(float)."
        )


def _full(arr: Array) -> Array:
    return np.full(arr.shape[0], arr.shape[1], dtype=np.int64)


def _unpadded_lengths(arr: Array) -> Array:
    """Length of each row once its trailing all-NaN steps are dropped."""
    real = np.asarray(~np.isnan(arr).all(axis=2))  # (N, L): step has some value
    last = arr.shape[1] - np.argmax(real[:, ::-1], axis=1)
    return np.where(real.any(axis=1), last, 0).astype(np.int64)


def _check_lengths(lengths: Any, arr: Array) -> Array:
    out = np.asarray(lengths)
    n, width = arr.shape[0], arr.shape[1]
    if (
        out.shape != (n,)
        or out.dtype.kind not in "iu"
        or (out.size and (out.min() < 0 or out.max() > width))
    ):
        raise DataError(
            f"{_WHO}: lengths must be {n} integers in [0, {width}]; got "
            f"{np.asarray(lengths)!r}. Pass one length per row."
        )
    return out.astype(np.int64)


def _check_finite(values: Array, lengths: Array) -> None:
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        step = int(np.flatnonzero(bad)[0])
        row, position = locate_step(offsets_from_lengths(lengths), step)
        raise DataError(
            f"{_WHO}: row {row} has NaN or infinity at step {position}, inside the "
            "sequence; expected NaN only as trailing padding. Impute it first, "
            "or pass lengths= to mark the padding."
        )


# -- files -------------------------------------------------------------------------


def load_array(
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    max_bytes: int | str | None = None,
) -> Array:
    """Read one array from a ``.npy`` or ``.npz`` file, safely.

    Parameters
    ----------
    path : str or path-like
        A regular file written by ``numpy.save`` (``.npy``) or
        ``numpy.savez`` / ``savez_compressed`` (``.npz``); the content, not
        the extension, decides.
    name : str, default=None
        The array to take from an ``.npz`` file; ``None`` takes its only
        array.
    max_bytes : int or str, default=None
        Memory budget (``2**30`` or ``"1G"``); ``None`` takes
        ``SEQPRED_MAX_BYTES``, else half of the machine's memory.

    Returns
    -------
    numpy.ndarray

    Raises
    ------
    DataError
        For a missing or non-regular file, a malformed or truncated file, an
        array of Python objects (which only pickle could read), or an
        ``.npz`` without the array asked for.
    DataTooLargeError
        If the array would need more memory than the budget.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x.npy"
    >>> np.save(path, np.array([[1, 2, 3], [4, 5, 6]]))
    >>> load_array(path).tolist()
    [[1, 2, 3], [4, 5, 6]]
    >>> _ = path.write_bytes(path.read_bytes()[:-8])
    >>> load_array(path)
    Traceback (most recent call last):
    ...
    seqpred.exceptions.DataError: load_array: ...x.npy is truncated: its header \
declares shape (2, 3) of dtype int64 (48 bytes) but 40 bytes of data follow. ...
    """
    p = Path(path)
    budget = Budget(resolve_max_bytes(max_bytes), "load_array", DataTooLargeError)

    def problem(message: str) -> DataError:
        return DataError(
            f"load_array: {message}. Expected an array written by numpy.save or "
            "numpy.savez; write the file again."
        )

    with open_regular(p, lambda m: DataError(f"load_array: {m}")) as handle:
        magic = handle.read(6)
        handle.seek(0)
        if magic == b"\x93NUMPY":
            size = os.fstat(handle.fileno()).st_size
            header = read_npy_header(handle, str(p), problem)
            available = size - header.offset
            return read_npy_data(handle, header, available, budget, str(p), problem)
        if not magic.startswith(b"PK"):
            raise problem(f"{p} is neither a .npy nor a .npz file")
        check_zip_directory(handle, budget, _MAX_NPZ_MEMBERS, problem)
        try:
            with zipfile.ZipFile(handle) as archive:
                arrays = read_npz(archive, str(p), budget, problem)
        except SeqpredError:
            raise
        except ZIP_ERRORS as exc:
            reason = describe(exc)
            raise problem(f"{p} is not a readable .npz archive ({reason})") from None
    return _pick(arrays, name, p)


def _pick(arrays: dict[str, Array], name: str | None, path: Path) -> Array:
    if name is None and len(arrays) == 1:
        return next(iter(arrays.values()))
    if name is not None and name in arrays:
        return arrays[name]
    wanted = "one array" if name is None else f"an array named {name!r}"
    raise DataError(
        f"load_array: {path} holds the arrays {sorted(arrays)}; expected {wanted}. "
        "Pass name= with one of them."
    )
