"""Roll a next-item model forward: queries extended by paths, next-step laws.

The multi-step methods of :class:`~seqpred.models.next_item.base.NextItemMixin`
(:mod:`~seqpred.models.next_item._continuation`) ask one question many times:
*given query* ``q`` *followed by the path* ``p`` *of items chosen so far, what
is the distribution of the next item?* :class:`Rollout` answers it for many
``(q, p)`` pairs at once. It builds every extended context as one encoded
:class:`~seqpred.data.SequenceSet` and sends it through the model's own
encoded hook (``_next_step_proba`` where a model has one, else ``_proba``)
in chunks of rows, so memory stays bounded whatever the number of paths and
the vocabulary size.

A row is normalised as :meth:`NextItemMixin.predict_proba` does: reserved ids
get probability 0, and a context without evidence gets the training
frequencies of the items, so every row is a distribution.

Shape legend: N queries, M paths (rows), t items on each path, V ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data._ragged import offsets_from_lengths, ragged_ranges
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary

__all__ = ["CHUNK_CELLS", "Rollout", "extend_queries"]

CHUNK_CELLS = 1 << 21
"""Float64 cells of distributions held at once (16 MiB): rows per chunk = this / V."""


def extend_queries(queries: SequenceSet, owner: Array, paths: Array) -> SequenceSet:
    """Return query ``owner[i]`` followed by the items ``paths[i]``, for each ``i``.

    Per-step fields of the queries (:class:`~seqpred.data.fields.Fields`)
    are carried, and the appended steps get missing values (``<unk>`` for a
    categorical field, NaN for a numeric one): what happens then is not
    known yet. Static fields follow ``owner``; time stamps and itemset marks
    are dropped.

    Examples
    --------
    >>> import numpy as np
    >>> ss = SequenceSet.from_lists([["a", "b"], ["c"]])
    >>> paths = ss.vocabulary.encode(["c", "a", "b", "b"]).reshape(2, 2)
    >>> extend_queries(ss, np.array([0, 1]), paths).to_lists()
    [['a', 'b', 'c', 'a'], ['c', 'b', 'b']]
    """
    owner = np.asarray(owner, dtype=np.int64)
    steps = paths.shape[1]
    lengths = queries.lengths[owner]
    offsets = offsets_from_lengths(lengths + steps)
    old = np.zeros(int(offsets[-1]), dtype=bool)  # the queries' own steps
    at, _ = ragged_ranges(offsets[:-1], lengths)
    old[at] = True
    src, _ = ragged_ranges(queries.offsets[owner], lengths)
    values = np.empty(int(offsets[-1]), dtype=np.int64)
    values[old] = queries.values[src]
    values[~old] = paths.ravel()  # the appended steps, row by row
    fields = None
    if queries.fields is not None:
        fields = queries.fields.take(src).spread(old)
    static = None if queries.static is None else queries.static.take(owner)
    return SequenceSet(
        values, offsets, vocabulary=queries.vocabulary, fields=fields, static=static
    )


class Rollout:
    """Next-step distributions of a fitted model after queries extended by paths.

    Parameters
    ----------
    model : fitted NextItemMixin
        The model; its ``_next_step_proba`` hook (or ``_proba``) is called
        on encoded contexts.
    queries : SequenceSet
        The encoded queries (N).
    """

    def __init__(self, model: Any, queries: SequenceSet) -> None:
        self.model = model
        self.queries = queries
        self.size = int(model.vocabulary_.size)
        counts = np.asarray(model.item_counts_, dtype=np.float64).copy()
        counts[: Vocabulary.n_reserved] = 0.0
        self.prior = counts / max(float(counts.sum()), 1.0)
        hook = getattr(model, "_next_step_proba", None)
        self._hook = hook if callable(hook) else model._proba

    @property
    def rows_per_chunk(self) -> int:
        """How many rows of distributions one chunk holds."""
        return max(1, CHUNK_CELLS // self.size)

    def matched(self) -> Array:
        """Return, per query, whether the model predicts anything (its top-1 exists).

        A query without a match gets no continuation, as it gets an empty row
        from ``predict_top_k``.
        """
        if len(self.queries) == 0:
            return np.zeros(0, dtype=bool)
        ids, _ = self.model._top_k_ids(self.queries, 1)
        first = np.asarray(ids)[:, 0]
        return np.asarray(first >= Vocabulary.n_reserved)

    def normalise(self, proba: Array) -> Array:
        """Return rows as distributions over user ids (no evidence: the prior)."""
        proba = np.array(proba, dtype=np.float64)  # a copy: models may cache rows
        proba[:, : Vocabulary.n_reserved] = 0.0
        np.maximum(proba, 0.0, out=proba)
        total = proba.sum(axis=1, keepdims=True)
        empty = total[:, 0] <= 0
        proba = np.divide(proba, total, out=proba, where=total > 0)
        if empty.any():
            proba[empty] = self.prior
        return proba

    def distributions(
        self, owner: Array, paths: Array
    ) -> Iterator[tuple[int, int, Array]]:
        """Yield ``(lo, hi, proba)``: rows ``lo:hi`` of the next-step distributions.

        Row ``i`` is the distribution after query ``owner[i]`` followed by
        ``paths[i]``; ``proba`` has shape ``(hi - lo, V)``.
        """
        step = self.rows_per_chunk
        for lo in range(0, len(owner), step):
            hi = min(lo + step, len(owner))
            contexts = extend_queries(self.queries, owner[lo:hi], paths[lo:hi])
            yield lo, hi, self.normalise(self._hook(contexts))
