"""Hashed k-mer and character n-gram keys of encoded sequences (all vectorised).

Every feature is a 64-bit key: ``k`` (and a tag telling word k-mers from
character n-grams) folded with the ids or characters of the window, and
optionally with a position bin. Keys are compared exactly (a feature table)
or reduced modulo a number of buckets (the hashing trick).
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array
from seqpred.data._ragged import offsets_from_lengths, ragged_gather, ragged_positions
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary

__all__ = ["char_keys", "kmer_keys"]

_PRIME = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio multiplier (Fibonacci hashing)
_MARK = -1  # the boundary symbol: no real id or character is negative
_CHAR_TAG = 1 << 44  # separates character n-gram keys from word k-mer keys
_WORD_START, _WORD_END = "\x02", "\x03"


def _mix(key: Array, value: Array) -> Array:
    """Fold ``value`` into the 64-bit ``key`` (wrapping multiply, xor-shift)."""
    with np.errstate(over="ignore"):
        key = (key ^ value.astype(np.uint64)) * _PRIME
        out: Array = key ^ (key >> np.uint64(29))
        return out


def _with_boundaries(values: Array, lengths: Array) -> tuple[Array, Array]:
    """Insert a boundary mark before and after every sequence."""
    new_lengths = lengths + 2
    offsets = offsets_from_lengths(new_lengths)
    out = np.full(int(offsets[-1]), _MARK, dtype=np.int64)
    inner = np.repeat(offsets[:-1] + 1, lengths) + ragged_positions(lengths)
    out[inner] = values
    return out, new_lengths


def _window_keys(
    values: Array, lengths: Array, min_k: int, max_k: int, *, tag: int = 0,
    n_position_bins: int = 1, skip_lone_marks: bool = False,
) -> tuple[Array, Array]:  # fmt: skip
    """``(rows, keys)`` of every window of ``min_k .. max_k`` consecutive values.

    Windows longer than the longest sequence do not exist, so ``k`` stops
    there: ``max_k=10**6`` costs what the sequences' own length costs.
    """
    seq_of = np.repeat(np.arange(len(lengths)), lengths)
    pos = ragged_positions(lengths)
    rows = [np.zeros(0, dtype=np.int64)]
    keys = [np.zeros(0, dtype=np.uint64)]
    for k in range(min_k, min(max_k, int(lengths.max(initial=0))) + 1):
        starts = np.flatnonzero(pos + k <= lengths[seq_of])  # windows inside a sequence
        if skip_lone_marks and k == 1:
            starts = starts[values[starts] != _MARK]
        key = np.full(len(starts), np.uint64(k + tag))
        for j in range(k):
            key = _mix(key, values[starts + j])
        if n_position_bins > 1:
            bins = pos[starts] * n_position_bins // lengths[seq_of[starts]]
            key = _mix(key, bins + np.int64(1 << 40))
        rows.append(seq_of[starts])
        keys.append(key)
    return np.concatenate(rows), np.concatenate(keys)


def kmer_keys(
    ss: SequenceSet,
    min_k: int,
    max_k: int,
    n_position_bins: int,
    *,
    boundaries: bool = False,
) -> tuple[Array, Array]:
    """Return ``(rows, keys)``: the sequence and 64-bit key of every k-mer occurrence.

    A key hashes ``k``, the symbols and (with ``n_position_bins > 1``) the
    bin of the k-mer's start, ``floor(start · bins / length)``. With
    ``boundaries``, a mark before and after each sequence makes k-mers at
    the start and end distinct (``<s> how many``).
    """
    values, lengths = ss.values.astype(np.int64), ss.lengths
    if boundaries:
        values, lengths = _with_boundaries(values, lengths)
    return _window_keys(
        values, lengths, min_k, max_k, n_position_bins=n_position_bins,
        skip_lone_marks=boundaries,
    )  # fmt: skip


def char_keys(ss: SequenceSet, min_n: int, max_n: int) -> tuple[Array, Array]:
    """Return ``(rows, keys)`` of the character n-grams inside each token.

    Each token is decoded to text, wrapped in word-boundary marks and cut
    into n-grams of ``min_n .. max_n`` characters (as in fastText), so
    tokens unseen in training still share features with known ones.
    """
    vocabulary = ss.vocabulary or Vocabulary()
    ids, occurrence = np.unique(ss.values, return_inverse=True)
    words = [_WORD_START + str(s) + _WORD_END for s in vocabulary.decode(ids)]
    lengths = np.array([len(w) for w in words], dtype=np.int64)
    codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32)
    word_rows, word_keys = _window_keys(
        codes.astype(np.int64), lengths, min_n, max_n, tag=_CHAR_TAG
    )
    order = np.argsort(word_rows, kind="stable")
    per_word = np.bincount(word_rows, minlength=len(ids))
    starts = offsets_from_lengths(per_word)[:-1]
    gather, _ = ragged_gather(starts[occurrence], per_word[occurrence])
    rows = np.repeat(ss.sequence_index, per_word[occurrence])
    return rows, word_keys[order][gather]
