"""Polyphonic piano rolls: read the standard benchmark files.

A piano roll is a ``(T, 88)`` array of 0/1: frame ``t`` holds the keys
sounding at step ``t`` (multi-hot). The standard benchmark files of
Boulanger-Lewandowski et al. (2012) -- JSB Chorales, Nottingham,
MuseData, Piano-midi.de -- are MATLAB files with ``traindata``,
``validdata`` and ``testdata`` lists of such arrays.

Their scores (negative log-likelihood per frame) are in
:mod:`seqpred.evaluate.generate`.
"""

from __future__ import annotations

import os

import numpy as np

from seqpred._typing import Array
from seqpred.exceptions import DataError

__all__ = ["N_KEYS", "read_piano_rolls"]

N_KEYS = 88
_SPLITS = {"train": "traindata", "valid": "validdata", "test": "testdata"}


def read_piano_rolls(path: str | os.PathLike[str]) -> dict[str, list[Array]]:
    """Read a ``.mat`` piano-roll benchmark file into train/valid/test pieces.

    Parameters
    ----------
    path : str or path
        A MATLAB file with ``traindata``, ``validdata`` and ``testdata``
        cell arrays of ``(T, 88)`` 0/1 matrices (e.g. ``JSB_Chorales.mat``).

    Returns
    -------
    dict
        ``{"train": [...], "valid": [...], "test": [...]}``: lists of
        ``uint8`` arrays of shape ``(T, 88)``.

    Raises
    ------
    ImportError
        If SciPy (needed to read MATLAB files) is not installed.
    DataError
        If a split is missing or a piece is not a ``(T, 88)`` 0/1 matrix.

    Examples
    --------
    >>> rolls = read_piano_rolls("JSB_Chorales.mat")  # doctest: +SKIP
    >>> len(rolls["train"]), rolls["train"][0].shape  # doctest: +SKIP
    (229, (129, 88))
    """
    try:
        from scipy.io import loadmat
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "read_piano_rolls needs SciPy to read MATLAB files; install it with "
            "pip install scipy."
        ) from None
    contents = loadmat(os.fspath(path))
    missing = [key for key in _SPLITS.values() if key not in contents]
    if missing:
        raise DataError(
            f"read_piano_rolls: {os.fspath(path)!r} has no {missing[0]!r}; expected "
            f"the keys {sorted(_SPLITS.values())} of a piano-roll benchmark file."
        )
    out: dict[str, list[Array]] = {}
    for split, key in _SPLITS.items():
        pieces = [np.asarray(p) for p in np.ravel(contents[key])]
        for i, piece in enumerate(pieces):
            if (
                piece.ndim != 2
                or piece.shape[1] != N_KEYS
                or not np.isin(piece, (0, 1)).all()
            ):
                raise DataError(
                    f"read_piano_rolls: {key}[{i}] in {os.fspath(path)!r} must be a "
                    f"(T, {N_KEYS}) matrix of 0 and 1; got shape {piece.shape}."
                )
        out[split] = [p.astype(np.uint8) for p in pieces]
    return out
