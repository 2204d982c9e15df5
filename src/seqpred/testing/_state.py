"""Compare two fitted models' learned state (the ``_``-suffixed attributes)."""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred.data.vocabulary import Vocabulary

__all__ = ["assert_same_fitted_state", "fitted_state"]


def fitted_state(model: Any) -> dict[str, Any]:
    """Return the learned attributes of ``model`` (names ending in ``_``)."""
    return {k: v for k, v in vars(model).items() if k.endswith("_")}


def assert_same_fitted_state(a: Any, b: Any) -> None:
    """Assert that two fitted models hold the same learned state, exactly.

    Arrays must match in dtype, shape and values; vocabularies in their
    symbols (in order); lists, tuples and dicts item by item; anything else
    in type and ``==``. The message names the first attribute that differs.

    Examples
    --------
    >>> from seqpred.models.next_item import MarkovPredictor
    >>> data = [list("abcab"), list("abd")]
    >>> assert_same_fitted_state(MarkovPredictor(order=2).fit(data),
    ...                          MarkovPredictor(order=2).fit(data))
    """
    _assert_same(fitted_state(a), fitted_state(b), "state")


def _assert_same(a: Any, b: Any, where: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (
            where,
            a.keys() ^ b.keys(),
        )
        for key in a:
            _assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            _assert_same(x, y, f"{where}[{i}]")
    elif isinstance(a, np.ndarray):
        assert isinstance(b, np.ndarray), where
        assert a.dtype == b.dtype and a.shape == b.shape, where
        assert np.array_equal(a, b), where
    elif isinstance(a, Vocabulary):
        assert isinstance(b, Vocabulary) and a.symbols == b.symbols, where
    else:
        assert type(a) is type(b) and a == b, (where, a, b)
