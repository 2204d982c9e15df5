"""Incremental learning for the counting models: grow the vocabulary, merge counts.

``partial_fit`` of the Markov models (Markov, AKOM, PPM), DG, LZ78 and TDAG
encodes the new batch with the fitted vocabulary extended by the batch's new
symbols (existing ids never change: new symbols get the next free ids), then
adds the batch's counts to the fitted ones. For the interned context tables of
:mod:`seqpred.models.next_item.markov._contexts` the merge re-interns both sides order
by order, so ``partial_fit(A)`` then ``partial_fit(B)`` stores exactly the
tables of ``fit(A + B)``. Tables are counted only up to the order the data
can fill (see :func:`~seqpred.models.next_item.markov._contexts.clamp_order`):
when a batch holds a longer sequence than the data before, the tables grow
new orders, exactly as ``fit(A + B)`` would count them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.next_item.markov._contexts import (
    ContextCounts,
    clamp_order,
    count_contexts,
    load_tables,
    store_tables,
)

__all__ = [
    "ContextCountsPartialFit",
    "add_context_counts",
    "check_same_structure",
    "csr_from_triples",
    "empty_table",
    "check_order",
    "fitted_order",
    "grow",
    "merge_batch",
    "merge_tables",
]


def grow(model: Any, X: Any) -> tuple[SequenceSet, int]:
    """Encode ``X`` for ``partial_fit`` of a fitted ``model`` and update its totals.

    Extends ``model.vocabulary_`` with the new symbols of ``X`` and updates
    ``item_counts_`` and ``n_sequences_``. Returns the encoded batch and the
    vocabulary size *before* the call (the width of the fitted tables).
    """
    model._validate_params()
    owner = type(model).__name__
    old_width = int(model.vocabulary_.size)
    vocabulary = model.vocabulary_.copy()
    ss = as_sequence_set(
        X, vocabulary=vocabulary, unknown="add", kind="discrete", owner=owner
    )
    if ss.n_steps == 0:
        raise DataError(
            f"{owner}.partial_fit: all sequences of the batch are empty; pass "
            "sequences with at least one item."
        )
    model.vocabulary_ = vocabulary.freeze()
    counts = np.bincount(ss.values, minlength=vocabulary.size)
    counts[:old_width] += model.item_counts_
    model.item_counts_ = counts
    model.n_sequences_ = int(model.n_sequences_) + len(ss)
    model._check_fallback()
    return ss, old_width


def check_same_structure(model: Any, name: str, fitted: int) -> None:
    """Refuse ``partial_fit`` when a structural parameter changed since ``fit``."""
    value = getattr(model, name)
    if value != fitted:
        raise InvalidParameterError(
            f"{type(model).__name__}.partial_fit: {name} is {value!r} but the model "
            f"was fitted with {name}={fitted!r}; expected the same value. Call "
            "fit to start over with new parameters."
        )


def fitted_order(model: Any, name: str, *, offset: int = 0) -> tuple[int, int | None]:
    """Return ``(orders in the tables, longest training sequence)`` of ``model``.

    Read from the fitted attributes ``<name>_`` and ``longest_sequence_``.
    Files saved before these existed hold one table per order up to the
    parameter: trailing empty tables show the longest sequence exactly;
    otherwise it is unknown (``None``) and the tables hold exactly the
    parameter's orders.
    """
    keys = model.context_keys_
    if hasattr(model, "longest_sequence_") and hasattr(model, f"{name}_"):
        return int(getattr(model, f"{name}_")) - offset, int(model.longest_sequence_)
    filled = sum(1 for k in keys if len(k))  # tables fill from order 1 up
    if filled < len(keys):
        return max(1, filled), filled + 1
    return len(keys), None


def check_order(model: Any, name: str, *, offset: int = 0) -> int:
    """Refuse ``partial_fit`` when parameter ``name`` changed since ``fit``.

    The parameter changed when its clamped value (see
    :func:`~seqpred.models.next_item.markov._contexts.clamp_order`) differs
    from the orders the tables hold. Returns the longest training sequence
    so far (for an old file without ``longest_sequence_``, a lower bound at
    which its tables hold every order of the parameter).
    """
    value = getattr(model, name)
    order, longest = fitted_order(model, name, offset=offset)
    if longest is None:  # an old file: its tables hold every order of the parameter
        expected = value - offset
    else:
        expected = max(1, min(value - offset, longest - 1))
    if expected != order:
        raise InvalidParameterError(
            f"{type(model).__name__}.partial_fit: {name}={value!r} does not match "
            f"the fitted tables, which hold contexts of up to {order} items "
            f"({name}_={order + offset}); expected the {name} used by fit. Call "
            "fit to start over with new parameters."
        )
    return order + 1 if longest is None else longest


def merge_batch(
    model: Any,
    ss: SequenceSet,
    old: list[ContextCounts],
    old_width: int,
    name: str,
    longest: int,
    *,
    offset: int = 0,
    stacklevel: int = 5,
) -> None:
    """Count the encoded batch ``ss`` and merge it into the ``old`` tables.

    The batch is counted up to the order all the data so far can fill (the
    tables grow new orders when it holds a longer sequence than before), so
    the stored tables are those of ``fit(A + B)``; updates ``<name>_`` and
    ``longest_sequence_``, and warns as ``fit`` would on all the data.
    """
    width = model.vocabulary_.size
    longest = max(longest, int(ss.lengths.max(initial=0)))
    value = getattr(model, name)
    order = clamp_order(
        type(model).__name__, name, value, longest, offset=offset,
        stacklevel=stacklevel,
    )  # fmt: skip
    batch = count_contexts(
        ss, order, width, owner=type(model).__name__, name=name, offset=offset
    )
    store_tables(model, merge_tables(old, old_width, batch, width)[:order])
    setattr(model, f"{name}_", order + offset)
    model.longest_sequence_ = longest


def csr_from_triples(
    n_rows: int, rows: Array, cols: Array, counts: Array, width: int
) -> tuple[Array, Array, Array, Array]:
    """Sum duplicate ``(row, col)`` counts into a CSR matrix.

    Returns ``(row_ptr, cols, counts, row_sums)``; each row is sorted by
    decreasing count, ties by increasing column (as
    :func:`~seqpred.models.next_item.markov._contexts.count_contexts` sorts).

    Examples
    --------
    >>> ptr, cols, counts, sums = csr_from_triples(
    ...     2, np.array([0, 1, 0, 0]), np.array([4, 3, 5, 4]),
    ...     np.array([1, 2, 3, 1]), width=6)
    >>> ptr.tolist(), cols.tolist(), counts.tolist(), sums.tolist()
    ([0, 2, 3], [5, 4, 3], [3, 2, 2], [5, 2])
    """
    pairs, inverse = np.unique(rows * width + cols, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=counts).astype(np.int64)
    row, col = np.divmod(pairs, width)
    order = np.lexsort((col, -summed, row))
    row_ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n_rows), out=row_ptr[1:])
    row_sums = np.bincount(row, weights=summed, minlength=n_rows).astype(np.int64)
    return row_ptr, col[order], summed[order], row_sums


def merge_tables(
    old: list[ContextCounts], old_width: int, new: list[ContextCounts], width: int
) -> list[ContextCounts]:
    """Add the counts of ``new`` (ids of width ``width``) to ``old`` (``old_width``).

    Contexts are re-interned order by order: a context's key is
    ``parent * width + item`` with ``parent`` its suffix's merged id, so the
    result equals counting both batches together. The shorter list is
    padded with empty tables (orders its data could not fill).
    """
    merged = []
    old_map = np.zeros(1, dtype=np.int64)  # the empty context keeps id 0
    new_map = np.zeros(1, dtype=np.int64)
    n_orders = max(len(old), len(new))
    old = old + [empty_table()] * (n_orders - len(old))
    new = new + [empty_table()] * (n_orders - len(new))
    for a, b in zip(old, new):
        a_parent, a_item = np.divmod(a.keys, old_width)
        b_parent, b_item = np.divmod(b.keys, width)
        a_keys = old_map[a_parent] * width + a_item
        b_keys = new_map[b_parent] * width + b_item
        keys = np.union1d(a_keys, b_keys)
        old_map = np.searchsorted(keys, a_keys)
        new_map = np.searchsorted(keys, b_keys)
        rows = np.concatenate(
            [
                np.repeat(old_map, np.diff(a.row_ptr)),
                np.repeat(new_map, np.diff(b.row_ptr)),
            ]
        )
        cols = np.concatenate([a.next_ids, b.next_ids])
        counts = np.concatenate([a.next_counts, b.next_counts])
        row_ptr, cols, counts, totals = csr_from_triples(
            len(keys), rows, cols, counts, width
        )
        merged.append(ContextCounts(keys, row_ptr, cols, counts, totals))
    return merged


def empty_table() -> ContextCounts:
    """Return a table of no contexts."""
    none = np.zeros(0, dtype=np.int64)
    return ContextCounts(none, np.zeros(1, dtype=np.int64), none, none, none)


def add_context_counts(model: Any, X: Any, order_name: str) -> None:
    """``partial_fit`` of a model whose state is interned context tables.

    ``order_name`` names the parameter that sets the longest context
    (``"order"``, ``"max_order"``); it must not change between calls.
    """
    longest = check_order(model, order_name)
    old = load_tables(model)
    ss, old_width = grow(model, X)
    merge_batch(model, ss, old, old_width, order_name, longest, stacklevel=5)


class ContextCountsPartialFit:
    """``partial_fit`` for models whose only state is interned context tables.

    The class names the parameter that sets the longest context in
    ``_order_parameter``; it must not change between calls.
    """

    _order_parameter = "order"

    def partial_fit(self, X: Any, y: None = None) -> Any:
        """Add the counts of more training sequences; return ``self``.

        The first call (on an unfitted model) is ``fit``. Later calls extend
        ``vocabulary_`` with new symbols and merge the batch's counts, so
        ``partial_fit(A).partial_fit(B)`` equals ``fit(A + B)``.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            More training sequences.
        y : None
            Ignored; present for API consistency.

        Returns
        -------
        self
        """
        model: Any = self
        if not model.is_fitted:
            model.fit(X)
        else:
            add_context_counts(model, X, self._order_parameter)
        return self
