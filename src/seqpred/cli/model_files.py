"""Model files on the command line: the signing key, loading, the output path.

Every command that loads or saves a model goes through here, so they all
read the same environment:

``SEQPRED_MODEL_KEY``
    A secret; when set, ``fit`` signs the model it saves and ``predict``,
    ``evaluate``, ``generate`` and ``compress --with`` refuse model files
    not signed with it (see :func:`seqpred.io.load`).
``SEQPRED_MAX_BYTES``
    The memory budget for reading model and NumPy files (``2G``, ``512M``);
    default half of the machine's memory.

:func:`check_output` runs before ``fit`` reads any data, so a bad ``-o``
fails at once, not after the work: ``-`` is refused (a model file is
binary), an existing file needs ``--force``, an input of the command is
never replaced (not even with ``--force``), and a directory that cannot
take the file says why.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import typer

from seqpred.base import BaseEstimator
from seqpred.exceptions import ModelFileError
from seqpred.io import ENV_KEY, check_save_path, load, save

__all__ = ["ENV_KEY", "check_output", "load_model", "model_key", "save_model"]

_OUTPUT = "'--output' / '-o'"


def model_key() -> bytes | None:
    """Return the signing key from ``SEQPRED_MODEL_KEY``, or None when unset."""
    value = os.environ.get(ENV_KEY, "")
    return value.encode("utf-8") if value else None


def load_model(path: Path) -> BaseEstimator:
    """Load a model file, checking its signature when ``SEQPRED_MODEL_KEY`` is set."""
    return load(path, key=model_key())


def save_model(estimator: BaseEstimator, path: Path, *, force: bool) -> Path:
    """Save a model, signed when ``SEQPRED_MODEL_KEY`` is set."""
    return save(estimator, path, key=model_key(), overwrite=force)


def check_output(output: Path, *, force: bool, inputs: Sequence[Path]) -> None:
    """Refuse an ``-o`` path a later save would fail on or must not replace.

    Raises
    ------
    typer.BadParameter
        A usage error (exit code 2) naming the problem and the fix.
    """
    if str(output) == "-":
        raise typer.BadParameter(
            "a model file is binary and cannot be written to stdout; give a file "
            "path such as -o model.seqpred",
            param_hint=_OUTPUT,
        )
    for source in inputs:
        if _same_file(output, source):
            raise typer.BadParameter(
                f"{str(output)!r} is the input file {str(source)!r}; saving the "
                "model there would destroy the data. Give another path, such as "
                "-o model.seqpred",
                param_hint=_OUTPUT,
            )
    if os.path.lexists(output) and not force and _is_file(output):
        raise typer.BadParameter(
            f"{str(output)!r} exists; pass --force to replace it, or give another path",
            param_hint=_OUTPUT,
        )
    try:
        check_save_path(output, overwrite=True)
    except ModelFileError as exc:
        raise typer.BadParameter(
            str(exc).removeprefix("io.save: "), param_hint=_OUTPUT
        ) from None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _is_file(path: Path) -> bool:
    """Return whether ``path`` is (or links to) a regular file --force may replace."""
    try:
        return Path(os.path.realpath(path)).is_file()
    except OSError:
        return False
