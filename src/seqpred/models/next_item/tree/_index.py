"""The structures of a compact prediction tree, built with vectorised NumPy.

The models store their training sequences flat (the *lookup table* is then
the offsets array) with an inverted index; the prediction tree is built on
request, for inspection and for CPT+'s compressions.

*Prediction tree*
    A trie of the training sequences stored as two arrays over nodes:
    ``parent`` (``-1`` for the root, node 0) and ``symbol`` (the symbol on the
    edge into the node). Symbols below ``n_items`` are item ids; larger ones
    name an entry of a *dictionary* of item runs (the CCF and CBS
    compressions of CPT+).
*Lookup table*
    ``lookup[s]`` is the node where training sequence ``s`` ends; walking up
    the parents from it spells the sequence backwards.
*Inverted index*
    For each item, the sorted ids of the training sequences that contain it,
    as a CSR matrix (``index_ptr``, ``index_sequences``). Items in more than
    1/32 of the sequences also get a bitset row (``dense_row``,
    ``dense_bits``), which is never larger than their id list and makes
    intersections a few word-wise ANDs.

The trie is built depth by depth: at depth ``d`` the key
``parent_node << 32 | symbol`` of every sequence still running is interned
with one :func:`numpy.unique`, so building costs ``O(n log n)`` for ``n``
items and no Python loop runs per item.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from seqpred._typing import Array
from seqpred.data.vocabulary import Vocabulary

__all__ = [
    "PredictionTree",
    "build_index",
    "expand_symbols",
    "index_from_pairs",
    "build_tree",
    "dense_rows",
    "tree_sequences",
]

_SHIFT = np.int64(32)
_LOW = np.int64(0xFFFFFFFF)


def build_tree(values: Array, offsets: Array) -> tuple[Array, Array, Array]:
    """Return ``(parent, symbol, lookup)`` of the trie of the given sequences.

    Parameters
    ----------
    values, offsets : ndarray of int64
        The sequences of symbols, stored flat (see :class:`SequenceSet`).

    Returns
    -------
    parent, symbol : ndarray of int32, shape (n_nodes,)
        Node 0 is the root (parent ``-1``, symbol ``-1``).
    lookup : ndarray of int32, shape (n_sequences,)
        The last node of each sequence (the root for an empty one).

    Examples
    --------
    >>> values = np.array([0, 1, 2, 0, 1, 3])
    >>> parent, symbol, lookup = build_tree(values, np.array([0, 3, 6]))
    >>> parent.tolist(), symbol.tolist(), lookup.tolist()
    ([-1, 0, 1, 2, 2], [-1, 0, 1, 2, 3], [3, 4])
    """
    lengths = np.diff(offsets)
    longest = int(lengths.max()) if lengths.size else 0
    node = np.zeros(len(lengths), dtype=np.int64)
    new_parent: list[Array] = [np.array([-1], dtype=np.int32)]
    new_symbol: list[Array] = [np.array([-1], dtype=np.int32)]
    next_id = 1
    for depth in range(longest):
        active = np.flatnonzero(lengths > depth)
        keys = (node[active] << _SHIFT) | values[offsets[active] + depth]
        unique, inverse = np.unique(keys, return_inverse=True)
        node[active] = next_id + inverse
        new_parent.append((unique >> _SHIFT).astype(np.int32))
        new_symbol.append((unique & _LOW).astype(np.int32))
        next_id += len(unique)
    return (
        np.concatenate(new_parent),
        np.concatenate(new_symbol),
        node.astype(np.int32),
    )


def tree_sequences(
    parent: Array,
    symbol: Array,
    lookup: Array,
    n_items: int,
    dictionary_ptr: Array,
    dictionary_items: Array,
) -> tuple[Array, Array]:
    """Spell every sequence of the lookup table; return flat ``(values, offsets)``.

    Dictionary symbols (``>= n_items``) are expanded to their items.
    """
    node = lookup.astype(np.int64)
    symbols: list[Array] = []
    owner: list[Array] = []
    alive = np.flatnonzero(node > 0)
    while alive.size:  # walk every path up one level at a time
        symbols.append(symbol[node[alive]].astype(np.int64))
        owner.append(alive)
        node[alive] = parent[node[alive]]
        alive = alive[node[alive] > 0]
    offsets = np.zeros(len(lookup) + 1, dtype=np.int64)
    if not symbols:
        return np.empty(0, dtype=np.int64), offsets
    sym = np.concatenate(symbols)
    seq = np.concatenate(owner)
    step = np.concatenate([np.full(len(a), i) for i, a in enumerate(owner)])
    order = np.lexsort((-step, seq))  # per sequence, root side first
    values, sizes = expand_symbols(
        sym[order], n_items, dictionary_ptr, dictionary_items
    )
    lengths = np.bincount(seq[order], weights=sizes, minlength=len(lookup))
    np.cumsum(lengths.astype(np.int64), out=offsets[1:])
    return values, offsets


def expand_symbols(
    symbols: Array, n_items: int, dictionary_ptr: Array, dictionary_items: Array
) -> tuple[Array, Array]:
    """Expand symbols to items; return the items and each symbol's item count."""
    is_entry = symbols >= n_items
    if not is_entry.any():
        return symbols.astype(np.int64), np.ones(len(symbols), dtype=np.int64)
    entry = np.where(is_entry, symbols - n_items, 0)
    sizes = np.where(is_entry, dictionary_ptr[entry + 1] - dictionary_ptr[entry], 1)
    start = np.where(is_entry, dictionary_ptr[entry], 0)
    total = int(sizes.sum())
    rank = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    from_entry = np.repeat(is_entry, sizes)
    items = np.repeat(symbols, sizes)
    if dictionary_items.size:
        picked = np.where(from_entry, np.repeat(start, sizes) + rank, 0)
        items = np.where(from_entry, dictionary_items[picked], items)
    return items.astype(np.int64), sizes.astype(np.int64)


def build_index(
    values: Array, offsets: Array, n_items: int
) -> tuple[Array, Array, Array]:
    """Return the inverted index ``(index_ptr, index_sequences, support)``.

    ``index_sequences[index_ptr[i]:index_ptr[i + 1]]`` lists, in increasing
    order, the sequences containing item ``i``; ``support[i]`` is their
    number.

    Examples
    --------
    >>> ptr, seqs, support = build_index(np.array([1, 2, 1, 2]), np.array([0, 3, 4]), 3)
    >>> ptr.tolist(), seqs.tolist(), support.tolist()
    ([0, 0, 1, 3], [0, 0, 1], [0, 1, 2])
    """
    n_sequences = len(offsets) - 1
    owner = np.repeat(np.arange(n_sequences, dtype=np.int64), np.diff(offsets))
    return index_from_pairs(values, owner, n_items, n_sequences)[:3]


def index_from_pairs(
    items: Array,
    sequences: Array,
    n_items: int,
    n_sequences: int,
    positions: Array | None = None,
) -> tuple[Array, Array, Array, Array]:
    """Build the inverted index from (item, sequence) occurrences (see build_index).

    Also returns, aligned with the sequence ids, the first position of the
    item in each sequence (``positions`` gives each occurrence's position;
    zeros when it is None).
    """
    width = max(n_sequences, 1)
    keys = items.astype(np.int64) * width + sequences
    if positions is None:
        positions = np.zeros(len(keys), dtype=np.int64)
    order = np.lexsort((positions, keys))  # by pair, earliest occurrence first
    keys, positions = keys[order], positions[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    items, sequences = np.divmod(keys[first], width)
    support = np.bincount(items, minlength=n_items).astype(np.int64)
    index_ptr = np.zeros(n_items + 1, dtype=np.int64)
    np.cumsum(support, out=index_ptr[1:])
    return (
        index_ptr,
        sequences.astype(np.int32),
        support,
        positions[first].astype(np.int32),
    )


def dense_rows(
    index_ptr: Array, index_sequences: Array, n_sequences: int
) -> tuple[Array, Array]:
    """Bitset rows for the items in more than 1/32 of the sequences.

    Returns ``(dense_row, dense_bits)``: ``dense_row[i]`` is the row of item
    ``i`` in ``dense_bits`` (``-1`` when the item keeps only its id list);
    ``dense_bits`` has shape ``(n_dense, ceil(n_sequences / 64))``.
    """
    support = np.diff(index_ptr)
    dense = np.flatnonzero(support * 32 > n_sequences)
    dense_row = np.full(len(support), -1, dtype=np.int32)
    dense_row[dense] = np.arange(len(dense), dtype=np.int32)
    n_words = max(1, (n_sequences + 63) // 64)
    flags = np.zeros((len(dense), n_words * 64), dtype=bool)
    lengths = support[dense]
    rows = np.repeat(np.arange(len(dense)), lengths)
    starts = index_ptr[dense]
    rank = np.arange(int(lengths.sum())) - np.repeat(
        np.cumsum(lengths) - lengths, lengths
    )
    flags[rows, index_sequences[np.repeat(starts, lengths) + rank]] = True
    bits = np.packbits(flags, axis=1, bitorder="little")
    return dense_row, np.ascontiguousarray(bits).view(np.uint64).reshape(
        len(dense), n_words
    )


@dataclass(frozen=True)
class PredictionTree:
    """A prediction tree (trie of the training sequences) with its lookup table.

    Node 0 is the root. Symbols below ``vocabulary.size`` are item ids; a
    larger symbol ``s`` names the run of items
    ``dictionary_items[dictionary_ptr[e]:dictionary_ptr[e + 1]]`` with
    ``e = s - vocabulary.size`` (made by CCF or CBS).

    Attributes
    ----------
    parent : ndarray of int32, shape (n_nodes,)
        Each node's parent (``-1`` for the root).
    symbol : ndarray of int32, shape (n_nodes,)
        The symbol on the edge into each node (``-1`` for the root).
    lookup : ndarray of int32, shape (n_sequences,)
        The node where each training sequence ends (the lookup table).
    dictionary_ptr, dictionary_items : ndarray
        The runs named by compressed symbols, as CSR.
    vocabulary : Vocabulary
        Decodes item ids.
    """

    parent: Array
    symbol: Array
    lookup: Array
    dictionary_ptr: Array
    dictionary_items: Array
    vocabulary: Vocabulary

    @property
    def n_nodes(self) -> int:
        """Number of nodes, the root included."""
        return len(self.parent)

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays (nodes, lookup table and dictionary)."""
        arrays = (self.parent, self.symbol, self.lookup)
        extra = (self.dictionary_ptr, self.dictionary_items)
        return sum(a.nbytes for a in arrays + extra)

    def label(self, node: int) -> list[Hashable]:
        """Return the items on the edge into ``node`` (one, or a compressed run)."""
        s = int(self.symbol[node])
        if s < 0:
            return []
        n_items = self.vocabulary.size
        if s < n_items:
            return list(self.vocabulary.decode([s]))
        e = s - n_items
        run = self.dictionary_items[self.dictionary_ptr[e] : self.dictionary_ptr[e + 1]]
        return list(self.vocabulary.decode(run))

    def edges(self) -> list[tuple[int, int, list[Hashable]]]:
        """Return ``(node, parent, items on the edge)`` for every node but the root."""
        return [
            (node, int(self.parent[node]), self.label(node))
            for node in range(1, self.n_nodes)
        ]

    def sequences(self) -> list[list[Hashable]]:
        """Spell every sequence back from the tree and the lookup table."""
        values, offsets = tree_sequences(
            self.parent,
            self.symbol,
            self.lookup,
            self.vocabulary.size,
            self.dictionary_ptr,
            self.dictionary_items,
        )
        decoded = self.vocabulary.decode(values)
        return [decoded[offsets[i] : offsets[i + 1]] for i in range(len(self.lookup))]
