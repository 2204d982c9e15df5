"""Context counting shared by the Markov family (Markov, AKOM, PPM).

For every order ``j = 1..max_order`` the contexts of length ``j`` that were
followed by an item are *interned*: a context's id is the rank of the pair
(id of its length ``j - 1`` suffix, the item ``j`` steps back), encoded as
``parent * width + item``. Its followers are stored as a CSR matrix whose rows
are sorted by decreasing count. Building and matching are a few
``np.unique`` / ``np.searchsorted`` calls over all positions at once.

Only orders up to the longest training sequence minus one are counted: a
longer context is never followed by an item, so its table would be empty.
:func:`fit_context_tables` clamps the order parameter there (losslessly,
keeping the value used as a fitted attribute such as ``order_``) and warns
when the parameter is longer than every training sequence, so
``order=10**6`` on short sequences costs what their real order costs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data._ragged import ragged_gather, ragged_ranges
from seqpred.data.budget import ENV_MAX_BYTES, default_max_bytes, format_bytes
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import MemoryBudgetError, SeqpredWarning

__all__ = [
    "ContextCounts",
    "clamp_order",
    "count_contexts",
    "fit_context_tables",
    "load_tables",
    "match_contexts",
    "ragged_rows",
    "store_tables",
    "suffix_queries",
]

_FIELDS = ("keys", "row_ptr", "next_ids", "next_counts", "totals")
_ATTRIBUTES = (
    "context_keys_",
    "row_ptr_",
    "next_ids_",
    "next_counts_",
    "context_totals_",
)


@dataclass
class ContextCounts:
    """Follower counts of the contexts of one order (a CSR matrix).

    Attributes
    ----------
    keys : ndarray of int64, shape (n_contexts,)
        Sorted ``parent * width + item`` keys; a context's id is its index.
    row_ptr : ndarray of int64, shape (n_contexts + 1,)
        Row boundaries into ``next_ids`` / ``next_counts``.
    next_ids, next_counts : ndarray of int64
        Follower ids and counts, each row sorted by decreasing count.
    totals : ndarray of int64, shape (n_contexts,)
        Transitions out of each context (row sums).
    """

    keys: Array
    row_ptr: Array
    next_ids: Array
    next_counts: Array
    totals: Array


def count_contexts(
    ss: SequenceSet,
    max_order: int,
    width: int,
    *,
    owner: str = "count_contexts",
    name: str = "max_order",
    offset: int = 0,
) -> list[ContextCounts]:
    """Count followers of every context of length ``1..max_order`` in ``ss``.

    The list stops after the first empty table (no longer context has a
    follower either).

    Once no context of some length ``j`` occurs twice, every longer one is
    unique too and adds exactly one context per position: the memory of the
    remaining tables is then known, and a total past the memory budget
    raises a :class:`~seqpred.exceptions.MemoryBudgetError` naming the
    largest ``name`` that fits (``owner``, ``name`` and ``offset`` word the
    message, as in :func:`clamp_order`), instead of filling the memory.

    Examples
    --------
    >>> ss = SequenceSet(np.array([3, 4, 3, 4, 5]), np.array([0, 5]))
    >>> first = count_contexts(ss, 1, width=6)[0]
    >>> first.keys.tolist(), first.next_ids.tolist(), first.totals.tolist()
    ([3, 4], [4, 3, 5], [2, 2])
    """
    values = ss.values
    lengths = ss.lengths
    position = np.arange(len(values), dtype=np.int64)
    seq_start = np.repeat(ss.offsets[:-1], lengths)
    valid = position < np.repeat(ss.offsets[1:], lengths) - 1  # has a follower
    parent = np.zeros(len(values), dtype=np.int64)  # the empty context
    tables: list[ContextCounts] = []
    checked = False
    for j in range(1, max_order + 1):
        valid &= position - j + 1 >= seq_start
        at = np.flatnonzero(valid)
        keys, context_of = np.unique(
            parent[at] * width + values[at - j + 1], return_inverse=True
        )
        tables.append(_csr(keys, context_of, values[at + 1], width))
        if at.size == 0:
            break  # no longer context has a follower either
        if not checked and j < max_order and len(keys) == len(at):
            checked = True  # every longer context is unique: the rest is known
            _check_memory(tables, lengths, max_order, (owner, name, offset))
        parent = np.zeros(len(values), dtype=np.int64)
        parent[at] = context_of
    return tables


_BYTES_PER_CONTEXT = 40  # its key, row pointer, follower, count and total (int64)


def _check_memory(
    tables: list[ContextCounts],
    lengths: Array,
    max_order: int,
    who: tuple[str, str, int],
) -> None:
    """Raise if the tables up to ``max_order`` would pass the memory budget.

    Called when the last table's contexts are all unique, so each longer
    order holds one context per position with a follower: in order ``o``,
    ``sum(max(0, L - o))`` over the sequence lengths ``L``.
    """
    j = len(tables)
    ascending = np.sort(lengths)
    above = np.concatenate([np.cumsum(ascending[::-1])[::-1], [0]])
    orders = np.arange(j + 1, max_order + 1, dtype=np.int64)
    longer = np.searchsorted(ascending, orders, side="right")
    contexts = above[longer] - orders * (len(ascending) - longer)
    used = sum(
        sum(a.nbytes for a in (t.keys, t.row_ptr, t.next_ids, t.next_counts, t.totals))
        for t in tables
    )
    total = used + np.cumsum(_BYTES_PER_CONTEXT * contexts + 8)
    budget = default_max_bytes()
    if total[-1] <= budget:
        return
    owner, name, offset = who
    fits = max(1, j + int(np.searchsorted(total, budget, side="right")))
    raise MemoryBudgetError(
        f"{owner}: contexts of up to {max_order} items would need context tables "
        f"of at least {format_bytes(int(total[-1]))}: no context of {j} items "
        "occurs twice in the training data, so every longer order adds one "
        "context per position. That passes the memory budget of "
        f"{format_bytes(budget)}. "
        f"Pass {name}={fits + offset} or less (the most that fits), or raise "
        f"{ENV_MAX_BYTES} if the machine has the memory."
    )


def clamp_order(
    owner: str,
    name: str,
    value: int,
    longest: int,
    *,
    offset: int = 0,
    stacklevel: int = 4,
) -> int:
    """Return how many context orders are worth counting for parameter ``value``.

    ``value - offset`` is the longest context the parameter asks for
    (``offset=1`` for TDAG's ``max_height``). A context of ``j`` items has a
    follower only in a sequence of at least ``j + 1`` items, so orders above
    ``longest - 1`` would count nothing: the result is
    ``max(1, min(value - offset, longest - 1))`` and predictions do not
    change. A :class:`~seqpred.exceptions.SeqpredWarning` says so when the
    context asked for is longer than the longest sequence itself.

    Examples
    --------
    >>> clamp_order("MarkovPredictor", "order", 3, longest=10)
    3
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     clamp_order("MarkovPredictor", "order", 10**6, longest=5)
    4
    >>> print(caught[0].message)  # doctest: +ELLIPSIS
    MarkovPredictor: order=1000000 asks for contexts longer than the longest \
training sequence (5 items); contexts of up to 4 items are counted (order_=4), \
which predicts exactly as order=1000000 would. Pass order=4 or less to ...
    """
    asked = value - offset
    order = max(1, min(asked, longest - 1))
    if asked > longest:
        used = order + offset
        warnings.warn(
            f"{owner}: {name}={value} asks for contexts longer than the longest "
            f"training sequence ({longest} items); contexts of up to {order} "
            f"items are counted ({name}_={used}), which predicts exactly as "
            f"{name}={value} would. Pass {name}={used} or less to silence "
            "this warning.",
            SeqpredWarning,
            stacklevel=stacklevel,
        )
    return order


def fit_context_tables(
    estimator: Any, ss: SequenceSet, name: str, *, offset: int = 0
) -> list[ContextCounts]:
    """Count the tables ``fit`` of a Markov-family model stores, order clamped.

    Sets the fitted attributes ``<name>_`` (the parameter as used, see
    :func:`clamp_order`) and ``longest_sequence_``, and returns
    ``count_contexts(ss, order, V)``. Called from ``_fit``, so a warning
    points at the user's call of ``fit``.
    """
    longest = int(ss.lengths.max(initial=0))
    order = clamp_order(
        type(estimator).__name__, name, getattr(estimator, name), longest,
        offset=offset, stacklevel=5,
    )  # fmt: skip
    setattr(estimator, f"{name}_", order + offset)
    estimator.longest_sequence_ = longest
    return count_contexts(
        ss, order, estimator.vocabulary_.size, owner=type(estimator).__name__,
        name=name, offset=offset,
    )  # fmt: skip


def _csr(keys: Array, context_of: Array, nexts: Array, width: int) -> ContextCounts:
    pairs, counts = np.unique(context_of * width + nexts, return_counts=True)
    rows, cols = np.divmod(pairs, width)
    order = np.lexsort((cols, -counts, rows))
    row_ptr = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=len(keys)), out=row_ptr[1:])
    counts = counts[order].astype(np.int64)
    cumulative = np.concatenate([[0], np.cumsum(counts)])
    return ContextCounts(
        keys, row_ptr, cols[order], counts, np.diff(cumulative[row_ptr])
    )


def match_contexts(
    tables: list[ContextCounts], queries: SequenceSet, width: int
) -> Array:
    """Return ``(N, max_order)`` context ids of each query's suffixes (``-1`` = unseen).

    Column ``j - 1`` holds the id of the query's last ``j`` items at order
    ``j``; once a suffix is unseen, all longer ones are too.
    """
    values = queries.values
    lengths = queries.lengths
    ends = queries.offsets[1:] - 1
    n = len(queries)
    rows = np.full((n, len(tables)), -1, dtype=np.int64)
    context = np.zeros(n, dtype=np.int64)
    alive = lengths >= 1
    for j, table in enumerate(tables, start=1):
        alive &= lengths >= j
        at = np.flatnonzero(alive)
        if at.size == 0 or table.keys.size == 0:
            break
        keys = context[at] * width + values[ends[at] - j + 1]
        row = np.minimum(np.searchsorted(table.keys, keys), len(table.keys) - 1)
        found = table.keys[row] == keys
        alive[at[~found]] = False
        at, row = at[found], row[found]
        context[at] = row
        rows[at, j - 1] = row
    return rows


def ragged_rows(
    table: ContextCounts, rows: Array, limit: int | None = None
) -> tuple[Array, Array, Array]:
    """Flat CSR positions of ``rows`` (at most ``limit`` each), lengths and ranks.

    Returns ``(flat, lengths, rank)``: ``table.next_ids[flat]`` lists the
    followers of ``rows[0]``, then ``rows[1]``, ...; ``rank`` is each entry's
    position within its row.
    """
    start = table.row_ptr[rows]
    length = table.row_ptr[rows + 1] - start
    if limit is not None:
        length = np.minimum(length, limit)
    flat, rank = ragged_ranges(start, length)
    return flat, length, rank


def store_tables(estimator: Any, tables: list[ContextCounts]) -> None:
    """Keep ``tables`` on ``estimator`` as lists of arrays (what ``io.save`` stores)."""
    for field, attribute in zip(_FIELDS, _ATTRIBUTES):
        setattr(estimator, attribute, [getattr(t, field) for t in tables])


def load_tables(estimator: Any) -> list[ContextCounts]:
    """Rebuild the tables kept by :func:`store_tables`."""
    columns = [getattr(estimator, attribute) for attribute in _ATTRIBUTES]
    return [ContextCounts(*arrays) for arrays in zip(*columns)]


def suffix_queries(ss: SequenceSet, max_order: int) -> SequenceSet:
    """For every step of ``ss``, the (up to ``max_order``) items before it.

    Examples
    --------
    >>> ss = SequenceSet(np.array([3, 4, 5]), np.array([0, 3]))
    >>> suffix_queries(ss, 2).to_lists(decode=False)
    [[], [3], [3, 4]]
    """
    length = np.minimum(ss.positions, max_order)
    starts = np.arange(ss.n_steps, dtype=np.int64) - length
    gather, offsets = ragged_gather(starts, length)
    return SequenceSet(ss.values[gather], offsets, vocabulary=ss.vocabulary)
