"""The two lossless compressions of CPT+: frequent runs (CCF) and single branches (CBS).

Both replace runs of items in the prediction tree by one symbol that names
an entry of a dictionary (a CSR list of item runs); spelling a sequence
expands the entries again, so predictions are unchanged and only the
tree shrinks.

*Compression of frequent subsequences (CCF)*
    Contiguous runs of ``min_length..max_length`` items that occur at least
    ``min_support`` times in the training sequences become dictionary
    entries; each sequence is then encoded greedily, left to right, with the
    longest entry that starts at each position (as the reference encoder).
*Compression of simple branches (CBS)*
    A chain of nodes that each have one child and end no sequence is merged
    into the node below it, whose symbol becomes the entry of the chain's
    items. The reference implementation merges only the chains that end in
    a leaf; merging every such chain is a superset and stays lossless.
"""

from __future__ import annotations

import numpy as np

from seqpred._numba import maybe_njit
from seqpred._typing import Array
from seqpred.models.next_item.tree._index import expand_symbols

__all__ = ["collapse_branches", "encode_frequent_runs"]


def _frequent_ends(
    values: Array, offsets: Array, min_length: int, max_length: int, min_support: int
) -> tuple[Array, Array]:
    """Per position, the longest frequent run starting there: its length and id.

    The length is 0 where no run is frequent; ids are unique per length.

    Runs are interned length by length: the id of the run of length ``L`` at
    position ``i`` is the rank of (id of the run of length ``L - 1`` at
    ``i``, the item at ``i + L - 1``).
    """
    n = len(values)
    end = np.repeat(offsets[1:], np.diff(offsets))  # past each position's sequence
    longest = np.zeros(n, dtype=np.int64)
    longest_id = np.zeros(n, dtype=np.int64)
    width = int(values.max()) + 1 if n else 1
    run_id = values.astype(np.int64)  # runs of length 1 are the items
    alive = np.arange(n, dtype=np.int64)
    for length in range(2, max_length + 1):
        alive = alive[alive + length <= end[alive]]
        if alive.size == 0:
            break
        keys = run_id[alive] * width + values[alive + length - 1]
        _, ids = np.unique(keys, return_inverse=True)
        run_id[alive] = ids
        if length >= min_length:
            frequent = np.bincount(ids)[ids] >= min_support
            longest[alive[frequent]] = length
            longest_id[alive[frequent]] = ids[frequent]
    return longest, longest_id


@maybe_njit
def _greedy_starts(longest: Array, offsets: Array, chosen: Array) -> None:
    """Mark where the greedy left-to-right encoding starts a run of length > 1."""
    for s in range(offsets.shape[0] - 1):
        i = offsets[s]
        while i < offsets[s + 1]:
            if longest[i] > 1:
                chosen[i] = longest[i]
                i += longest[i]
            else:
                chosen[i] = 1
                i += 1


def encode_frequent_runs(
    values: Array,
    offsets: Array,
    n_items: int,
    min_length: int,
    max_length: int,
    min_support: int,
) -> tuple[Array, Array, Array, Array]:
    """Encode sequences with a dictionary of their frequent runs.

    Returns
    -------
    symbols, symbol_offsets : ndarray of int64
        The encoded sequences; a symbol ``>= n_items`` names dictionary entry
        ``symbol - n_items``.
    dictionary_ptr, dictionary_items : ndarray of int64
        The entries actually used, as a CSR list of item runs.

    Examples
    --------
    >>> values = np.array([3, 4, 5, 3, 4, 3, 4, 6])
    >>> out = encode_frequent_runs(values, np.array([0, 3, 5, 8]), 7, 2, 3, 2)
    >>> [a.tolist() for a in out]
    [[7, 5, 7, 7, 6], [0, 2, 3, 5], [0, 2], [3, 4]]
    """
    longest, longest_id = _frequent_ends(
        values, offsets, max(2, min_length), max_length, min_support
    )
    chosen = np.zeros(len(values), dtype=np.int64)
    _greedy_starts(longest, offsets, chosen)
    starts = np.flatnonzero(chosen)
    run = chosen[starts]
    multi = run > 1
    # the runs used, interned by (length, id of the run at that length)
    multi_starts = starts[multi]
    keys = run[multi] * (len(values) + 1) + longest_id[multi_starts]
    _, first, entry_of = np.unique(keys, return_index=True, return_inverse=True)
    symbols = values[starts].astype(np.int64)
    symbols[multi] = n_items + entry_of.reshape(-1)
    owner = np.searchsorted(offsets, starts, side="right") - 1
    symbol_offsets = np.zeros(len(offsets), dtype=np.int64)
    np.cumsum(np.bincount(owner, minlength=len(offsets) - 1), out=symbol_offsets[1:])
    entry_length = run[multi][first]
    dictionary_ptr = np.zeros(len(first) + 1, dtype=np.int64)
    np.cumsum(entry_length, out=dictionary_ptr[1:])
    rank = np.arange(int(dictionary_ptr[-1])) - np.repeat(
        dictionary_ptr[:-1], entry_length
    )
    items = values[np.repeat(multi_starts[first], entry_length) + rank]
    return symbols, symbol_offsets, dictionary_ptr, items.astype(np.int64)


def collapse_branches(
    parent: Array,
    symbol: Array,
    lookup: Array,
    n_items: int,
    dictionary_ptr: Array,
    dictionary_items: Array,
) -> tuple[Array, Array, Array, Array, Array]:
    """Merge single-child chains of the tree; return the new tree and dictionary.

    Returns ``(parent, symbol, lookup, dictionary_ptr, dictionary_items)``;
    the new entries are appended to the given dictionary and hold plain
    items (entries inside a chain are expanded).
    """
    n_nodes = len(parent)
    children = np.bincount(parent[1:], minlength=n_nodes)
    absorbed = children == 1
    absorbed[0] = False
    absorbed[lookup] = False
    kept = np.flatnonzero(~absorbed)
    new_id = np.cumsum(~absorbed) - 1
    # walk up from every kept node through its absorbed ancestors
    owner_parts = [np.arange(1, len(kept))]
    symbol_parts = [symbol[kept[1:]].astype(np.int64)]
    step_parts = [np.zeros(len(kept) - 1, dtype=np.int64)]
    top = parent[kept[1:]].astype(np.int64)
    alive = np.flatnonzero(absorbed[top])
    step = 1
    while alive.size:
        owner_parts.append(alive + 1)
        symbol_parts.append(symbol[top[alive]].astype(np.int64))
        step_parts.append(np.full(len(alive), step))
        top[alive] = parent[top[alive]]
        alive = alive[absorbed[top[alive]]]
        step += 1
    owner = np.concatenate(owner_parts)
    chain = np.concatenate(symbol_parts)
    order = np.lexsort((-np.concatenate(step_parts), owner))  # root side first
    owner, chain = owner[order], chain[order]
    chain_length = np.bincount(owner, minlength=len(kept))
    new_symbol = np.full(len(kept), -1, dtype=np.int64)
    single = chain_length == 1
    new_symbol[single] = chain[np.searchsorted(owner, np.flatnonzero(single))]
    # chains of several symbols become entries of their expanded items
    multi = np.flatnonzero(chain_length > 1)
    in_multi = np.repeat(chain_length > 1, chain_length)
    items, sizes = expand_symbols(
        chain[in_multi], n_items, dictionary_ptr, dictionary_items
    )
    per_chain = np.bincount(np.repeat(owner[in_multi], sizes), minlength=len(kept))[
        multi
    ]
    n_old = len(dictionary_ptr) - 1
    new_symbol[multi] = n_items + n_old + np.arange(len(multi))
    ptr = np.concatenate([dictionary_ptr, dictionary_ptr[-1] + np.cumsum(per_chain)])
    new_parent = np.full(len(kept), -1, dtype=np.int64)
    new_parent[1:] = new_id[top]
    return (
        new_parent.astype(np.int32),
        new_symbol.astype(np.int32),
        new_id[lookup].astype(np.int32),
        ptr.astype(np.int64),
        np.concatenate([dictionary_items, items]).astype(np.int64),
    )
