"""Input checks shared by every estimator: turn user input into a SequenceSet."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from seqpred._typing import Array
from seqpred.data._ragged import locate_step
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, EmptySequenceError

__all__ = ["as_features", "as_sequence_set", "check_finite", "check_pairs"]


def as_sequence_set(
    X: Any,
    *,
    vocabulary: Vocabulary | None = None,
    unknown: Literal["error", "unk", "add"] = "error",
    kind: Literal["auto", "discrete", "numeric"] = "auto",
    owner: str = "seqpred",
    allow_empty_input: bool = False,
    strict_kind: bool = False,
) -> SequenceSet:
    """Convert a batch of sequences to a :class:`SequenceSet`.

    Parameters
    ----------
    X : SequenceSet, list of lists, list of strings, list of arrays, or a table
        The sequences. A bare sequence (a string or a flat list of symbols)
        is rejected: wrap it in a list. A pandas or polars DataFrame (or an
        Arrow table) is read as a long table, one row per event, its
        columns' roles found from their names (see
        :func:`seqpred.data.readers.read_table`); a pandas or polars Series
        holds one sequence per row.
    vocabulary : Vocabulary, default=None
        Encode with this (fitted) vocabulary; ``None`` builds a new one.
    unknown : {"error", "unk", "add"}, default="error"
        Policy for symbols missing from ``vocabulary``.
    kind : {"auto", "discrete", "numeric"}, default="auto"
        Force discrete or numeric interpretation.
    owner : str, default="seqpred"
        Name used in error messages (the estimator's class).
    allow_empty_input : bool, default=False
        Accept a batch with no sequences.
    strict_kind : bool, default=False
        Refuse a :class:`SequenceSet` of the other kind than ``kind`` (a
        model of symbols given numeric series), instead of passing it on.

    Returns
    -------
    SequenceSet

    Examples
    --------
    >>> as_sequence_set(["abc", "ab"]).to_lists()
    [['a', 'b', 'c'], ['a', 'b']]
    >>> as_sequence_set("abc")
    Traceback (most recent call last):
    ...
    seqpred.exceptions.DataError: seqpred: expected a batch of sequences; got a \
single str. Wrap it in a list: ['abc'].
    """
    if _is_table(X):
        X = _read_table(X, kind, owner)
    elif _is_series(X):
        X = X.to_list() if hasattr(X, "to_list") else X.tolist()
    if isinstance(X, SequenceSet):
        if strict_kind and kind != "auto" and X.kind != kind:
            raise DataError(
                f"{owner}: expected {kind} sequences; got {X.kind} ones"
                + (
                    f" ({X.n_features} feature(s) per step). Use a model for "
                    "numeric series (see seqpred.available()), or discretise "
                    "the values into symbols first."
                    if X.kind == "numeric"
                    else ". Use a model for symbols, or read the file as numbers."
                )
            )
        ss = _reencode(X, vocabulary, unknown, owner)
    else:
        if isinstance(X, (str, bytes)):
            raise DataError(
                f"{owner}: expected a batch of sequences; got a single "
                f"{type(X).__name__}. Wrap it in a list: [{X!r}]."
            )
        if isinstance(X, np.ndarray) and X.ndim == 1 and X.dtype != object:
            raise DataError(
                f"{owner}: expected a batch of sequences; got a 1-D array of "
                f"shape {X.shape}. Wrap it in a list: [array]."
            )
        if X is None or not hasattr(X, "__len__"):
            raise DataError(
                f"{owner}: expected a list of sequences or a SequenceSet; got "
                f"{type(X).__name__}."
            )
        if (
            len(X)
            and not isinstance(X[0], (str, list, tuple, np.ndarray))
            and (_is_scalar(X[0]))
        ):
            raise DataError(
                f"{owner}: expected a batch of sequences; got a flat sequence "
                f"starting {list(X[:3])!r}. Wrap it in a list: [sequence]."
            )
        ss = SequenceSet.from_lists(
            X, vocabulary=vocabulary, unknown=unknown, kind=kind
        )
    if len(ss) == 0 and not allow_empty_input:
        raise EmptySequenceError(
            f"{owner}: got no sequences; pass at least one sequence."
        )
    if ss.kind == "numeric":
        check_finite(ss, owner)
    return ss


def _is_table(X: Any) -> bool:
    """Whether ``X`` is a pandas, polars or Arrow table (not imported to check)."""
    module = type(X).__module__.split(".")[0]
    name = type(X).__name__
    return (module == "pandas" and name == "DataFrame") or (
        module in ("polars", "pyarrow") and name in ("DataFrame", "LazyFrame", "Table")
    )


def _is_series(X: Any) -> bool:
    module = type(X).__module__.split(".")[0]
    return module in ("pandas", "polars") and type(X).__name__ == "Series"


def _read_table(
    X: Any, kind: Literal["auto", "discrete", "numeric"], owner: str
) -> SequenceSet:
    from seqpred.data.readers.tabular import read_table

    try:
        return read_table(X, kind=kind).sequences
    except DataError as exc:
        raise DataError(f"{owner}: {exc}") from None


def _is_scalar(value: Any) -> bool:
    return isinstance(value, (int, float, np.number, bool)) or value is None


def _reencode(
    ss: SequenceSet,
    vocabulary: Vocabulary | None,
    unknown: Literal["error", "unk", "add"],
    owner: str,
) -> SequenceSet:
    """Re-express ``ss`` in ``vocabulary`` when it was encoded with another one."""
    if vocabulary is None or ss.vocabulary is None or ss.vocabulary == vocabulary:
        return ss
    n_reserved = Vocabulary.n_reserved
    used = np.unique(ss.values)
    used_symbols = ss.vocabulary.decode(used[used >= n_reserved])
    vocabulary.encode(used_symbols, unknown=unknown)  # raises or adds as asked
    old_symbols = ss.vocabulary.decode(np.arange(n_reserved, ss.vocabulary.size))
    table = np.concatenate(
        [
            np.arange(n_reserved, dtype=np.int64),
            vocabulary.encode(old_symbols, unknown="unk"),
        ]
    )
    return ss.with_values(table[ss.values], vocabulary)


def as_features(features: Any, owner: str, *, allow_row: bool = False) -> Array:
    """Return ``features`` as a finite float64 array ``(N, D)``, or raise a clear error.

    With ``allow_row``, a 1-D array is read as one row ``(1, D)``.
    """
    try:
        array = np.asarray(features, dtype=np.float64)
    except (TypeError, ValueError):
        raise DataError(
            f"{owner}: features must be numbers, an array of shape (N, D) with "
            f"one row per sequence; got {type(features).__name__} that does not "
            "convert to floats. Pass a float array."
        ) from None
    if allow_row and array.ndim == 1:
        array = array[None, :]  # (D,) -> (1, D)
    if array.ndim != 2 or array.shape[1] == 0:
        hint = (
            " For one feature per sequence use features.reshape(-1, 1)."
            if array.ndim == 1
            else ""
        )
        raise DataError(
            f"{owner}: features must be a 2-D array of shape (N, D), one row "
            f"per sequence and D >= 1 columns; got shape {array.shape}.{hint}"
        )
    finite = np.isfinite(array).all(axis=1)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise DataError(
            f"{owner}: features must be finite; {len(bad)} row(s) hold NaN or "
            f"inf (first: row {int(bad[0])}). Impute those values or drop those "
            "sequences."
        )
    return array


def check_pairs(X: Any, y: Any, owner: str = "seqpred") -> None:
    """Raise :class:`DataError` unless ``y`` holds one output sequence per input.

    Examples
    --------
    >>> check_pairs(["ab", "c"], ["x", ""])
    >>> check_pairs(["ab", "c"], ["x"])
    Traceback (most recent call last):
    ...
    seqpred.exceptions.DataError: seqpred: pass y, one output sequence per input; \
got 1 for 2 inputs.
    """
    if y is None or isinstance(y, str) or len(y) != len(X):
        got = "none" if y is None else f"{len(y)} for {len(X)} inputs"
        raise DataError(f"{owner}: pass y, one output sequence per input; got {got}.")


def check_finite(ss: SequenceSet, owner: str = "seqpred") -> None:
    """Raise :class:`DataError` if numeric ``ss`` holds NaN or infinity."""
    bad = ~np.isfinite(ss.values)
    if bad.any():
        step = int(np.flatnonzero(bad.reshape(len(ss.values), -1).any(axis=1))[0])
        seq, _ = locate_step(ss.offsets, step)
        raise DataError(
            f"{owner}: sequence {seq} contains NaN or infinite values; impute or "
            "drop them first (for example a forward fill)."
        )
