"""Mini-batches for the trainer: windows, length buckets, padding and masks.

Everything works on flat ``values`` / ``offsets`` arrays (as in
:class:`~seqpred.data.SequenceSet`) with NumPy index arithmetic; tensors are
made only for the batch at hand.

* :func:`split_stream` takes the validation data in time order: the last
  fraction of the training *steps* (so, with many sequences, about the last
  sequences; with one long text, its end).
* :func:`causal_windows` cuts sequences into windows whose inputs ``w[:-1]``
  predict ``w[1:]``, each later step a target exactly once per epoch.
* :func:`bucket_batches` groups examples of similar length, so padding is
  small, and shuffles the order of the groups.
* :class:`WindowBatches` and :class:`SequenceBatches` yield padded batches
  with masks; :class:`SequenceBatches` also carries one target per sequence
  (for classifier heads).

Shape legend: N sequences (or windows) in a batch, L padded length,
F features per step.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data._ragged import ragged_ranges

__all__ = [
    "IGNORE_INDEX",
    "SequenceBatches",
    "WindowBatches",
    "bucket_batches",
    "causal_windows",
    "pad_gather",
    "split_stream",
]

IGNORE_INDEX = -100
"""Target value of padded steps (``torch.nn.functional.cross_entropy`` skips it)."""


def split_stream(
    values: Array, offsets: Array, fraction: float
) -> tuple[tuple[Array, Array], tuple[Array, Array] | None]:
    """Split ragged data in time order: the last ``fraction`` of steps validate.

    The sequences are read one after the other as one stream of steps and cut
    at step ``(1 - fraction) * n_steps``; a sequence that straddles the cut
    is split in two. Returns ``((values, offsets), (values, offsets) or
    None)``; None when the validation part would hold fewer than 2 steps of
    one sequence (nothing to predict).

    Examples
    --------
    >>> import numpy as np
    >>> (tv, to), (vv, vo) = split_stream(np.arange(10), np.array([0, 4, 10]), 0.3)
    >>> to.tolist(), vv.tolist(), vo.tolist()
    ([0, 4, 7], [7, 8, 9], [0, 3])
    """
    n_steps = int(offsets[-1])
    cut = int(round((1.0 - fraction) * n_steps))
    if fraction <= 0 or n_steps - cut < 2:
        return (values, offsets), None
    inner = offsets[(offsets > 0) & (offsets < cut)]
    train_offsets = np.concatenate([[0], inner, [cut]]).astype(np.int64)
    after = offsets[offsets > cut] - cut
    valid_offsets = np.concatenate([[0], after]).astype(np.int64)
    return (values[:cut], train_offsets), (values[cut:], valid_offsets)


def causal_windows(
    offsets: Array, width: int, rng: np.random.Generator | None = None
) -> tuple[Array, Array]:
    """Cut sequences into windows of at most ``width + 1`` steps, overlapping by one.

    A window ``w`` trains a causal model on ``w[:-1] -> w[1:]``; every step
    but a sequence's first is a target exactly once. With ``rng``, the cut
    points of each sequence longer than one window are shifted by a random
    amount (a fresh cut each epoch), so contexts start at varied places.
    Sequences of one step give no window.

    Returns
    -------
    starts, lengths : ndarray of int64
        Window starts in the flat array and window lengths (>= 2).

    Examples
    --------
    >>> import numpy as np
    >>> starts, lengths = causal_windows(np.array([0, 7, 8, 10]), 3)
    >>> starts.tolist(), lengths.tolist()
    ([0, 3, 8], [4, 4, 2])
    """
    seq_starts = offsets[:-1]
    n_targets = np.maximum(np.diff(offsets) - 1, 0)  # per sequence
    first = np.full(len(n_targets), width, dtype=np.int64)
    if rng is not None:
        long = n_targets > width
        first[long] = rng.integers(1, width + 1, size=int(long.sum()))
    first = np.minimum(first, n_targets)
    rest = n_targets - first
    n_windows = np.where(n_targets > 0, 1 + -(-rest // width), 0)
    seq = np.repeat(np.arange(len(n_targets)), n_windows)
    _, k = ragged_ranges(np.zeros(len(n_windows), dtype=np.int64), n_windows)
    # window k of a sequence starts at first + (k - 1) * width (k >= 1)
    begin = np.where(k == 0, 0, first[seq] + (k - 1) * width)
    end = np.where(k == 0, first[seq], np.minimum(begin + width, n_targets[seq]))
    return (seq_starts[seq] + begin).astype(np.int64), (end - begin + 1).astype(
        np.int64
    )


def bucket_batches(
    lengths: Array, batch_size: int, rng: np.random.Generator | None = None
) -> list[Array]:
    """Group example indices into batches of similar length.

    Without ``rng`` the batches follow increasing length (for prediction).
    With ``rng`` examples of equal length are shuffled among themselves and
    the order of the batches is shuffled, so each epoch differs.
    """
    n = len(lengths)
    if rng is None:
        order = np.argsort(lengths, kind="stable")
    else:
        order = np.lexsort((rng.random(n), lengths))
    batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def pad_gather(
    values: Array, starts: Array, lengths: Array, pad: float = 0
) -> tuple[Array, Array]:
    """Gather ``values[starts[i] : starts[i] + lengths[i]]`` into right-padded rows.

    Returns ``(array (N, L) or (N, L, F), mask (N, L))`` with
    ``L = max(lengths)`` and the mask True on real steps.

    Examples
    --------
    >>> import numpy as np
    >>> array, mask = pad_gather(np.arange(10, 20), np.array([2, 7]), np.array([3, 1]))
    >>> array.tolist(), mask.sum(axis=1).tolist()
    ([[12, 13, 14], [17, 0, 0]], [3, 1])
    """
    n = len(starts)
    width = int(lengths.max(initial=0))
    src, col = ragged_ranges(starts, lengths)
    row = np.repeat(np.arange(n), lengths)
    array = np.full((n, width) + values.shape[1:], pad, dtype=values.dtype)
    array[row, col] = values[src]  # (N, L) or (N, L, F)
    mask = np.zeros((n, width), dtype=bool)
    mask[row, col] = True
    return array, mask


class WindowBatches:
    """Batches of causal windows: ``inputs`` predict ``targets`` one step ahead.

    Each batch is a dict of tensors: ``inputs`` (N, L) ids, ``targets`` (N, L)
    ids with :data:`IGNORE_INDEX` on padding, ``mask`` (N, L) and the int
    ``n_targets``.

    Parameters
    ----------
    values, offsets : ndarray
        The ragged training ids.
    width : int
        Inputs per window (the context length, ``max_length``).
    batch_size : int
        Windows per batch.
    shuffle : bool
        Fresh random cuts and batch order each epoch (training); else fixed
        cuts in length order (validation).
    """

    def __init__(
        self, values: Array, offsets: Array, width: int, batch_size: int, shuffle: bool
    ) -> None:
        self.values = values
        self.offsets = offsets
        self.width = width
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.n_targets = int(np.maximum(np.diff(offsets) - 1, 0).sum())

    def __len__(self) -> int:
        """Approximate batches per epoch (exact without shuffling)."""
        starts, _ = causal_windows(self.offsets, self.width)
        return -(-len(starts) // self.batch_size)

    def batches(
        self, rng: np.random.Generator | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield one epoch of batches (``rng`` is used only when shuffling)."""
        import torch

        rng = rng if self.shuffle else None
        starts, lengths = causal_windows(self.offsets, self.width, rng)
        for index in bucket_batches(lengths, self.batch_size, rng):
            window, mask = pad_gather(self.values, starts[index], lengths[index])
            yield self._batch(window, mask, torch)

    def _batch(self, window: Array, mask: Array, torch: Any) -> dict[str, Any]:
        """Turn one padded window ``(N, L + 1)`` into inputs and next-id targets."""
        targets = np.where(mask[:, 1:], window[:, 1:], IGNORE_INDEX)
        return {
            "inputs": torch.from_numpy(window[:, :-1]),  # (N, L)
            "targets": torch.from_numpy(targets),  # (N, L)
            "mask": torch.from_numpy(mask[:, :-1]),  # (N, L)
            "n_targets": int(mask[:, 1:].sum()),
        }


class SequenceBatches:
    """Batches of whole sequences (the last ``max_length`` steps) with targets.

    Each batch is a dict: ``inputs`` (N, L) ids or (N, L, F) float32, ``mask``
    (N, L), ``index`` (N,) positions in the data, ``targets`` (N, ...) when
    targets were given, and the int ``n_targets`` (N).

    Parameters
    ----------
    values, offsets : ndarray
        The ragged inputs.
    batch_size : int
        Sequences per batch.
    shuffle : bool
        Shuffle within equal lengths and shuffle the batch order each epoch.
    targets : ndarray, default=None
        One target per sequence (a label, a value, a vector).
    max_length : int, default=None
        Keep only each sequence's last ``max_length`` steps.
    """

    def __init__(
        self,
        values: Array,
        offsets: Array,
        batch_size: int,
        shuffle: bool,
        targets: Array | None = None,
        max_length: int | None = None,
    ) -> None:
        lengths = np.diff(offsets)
        if max_length is not None:
            lengths = np.minimum(lengths, max_length)
        self.values = values
        self.starts = offsets[1:] - lengths
        self.lengths = lengths
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.targets = targets

    def __len__(self) -> int:
        """Batches per epoch."""
        return -(-len(self.lengths) // self.batch_size)

    def batches(
        self, rng: np.random.Generator | None = None
    ) -> Iterator[dict[str, Any]]:
        """Yield one epoch of batches."""
        import torch

        rng = rng if self.shuffle else None
        for index in bucket_batches(self.lengths, self.batch_size, rng):
            array, mask = pad_gather(
                self.values, self.starts[index], self.lengths[index]
            )
            if array.dtype.kind == "f":
                array = array.astype(np.float32)  # training runs in float32
            batch: dict[str, Any] = {
                "inputs": torch.from_numpy(array),
                "mask": torch.from_numpy(mask),
                "index": torch.from_numpy(index),
                "n_targets": len(index),
            }
            if self.targets is not None:
                batch["targets"] = torch.from_numpy(np.asarray(self.targets[index]))
            yield batch
