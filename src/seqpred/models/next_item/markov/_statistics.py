"""Mergeable statistics of the counting next-item models (Markov, AKOM, PPM, TDAG, DG).

The contract is :mod:`seqpred.models.mergeable`. Here: the part every
counting next-item model shares (the vocabulary, item counts and sequence
count, and ``fit`` in ``n_jobs`` processes), and the context tables of the
Markov family, merged with
:func:`~seqpred.models.next_item.markov._incremental.merge_tables` (the
merge ``partial_fit`` uses, which equals counting both parts together).

A chunk counts its tables up to the order *its* longest sequence can fill
(without warning); the merged tables hold the orders of the longest
sequence of all chunks, which is what ``fit`` counts, and
``from_statistics`` clamps and warns as ``fit`` does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError
from seqpred.models.mergeable import (
    MIN_STEPS_PER_PROCESS,
    MergeableMixin,
    add_padded,
    resolve_n_jobs,
    statistics_in_processes,
)
from seqpred.models.next_item.markov._contexts import (
    clamp_order,
    count_contexts,
    store_tables,
)
from seqpred.models.next_item.markov._incremental import empty_table, merge_tables

__all__ = ["ContextTableStatistics", "NextItemStatistics"]


class NextItemStatistics(MergeableMixin):
    """The shared part: ``vocabulary_``, ``item_counts_``, ``n_sequences_``, ``n_jobs``.

    A model adds ``_count_model(ss)``, ``_merge_model(a, b)`` (a
    classmethod) and ``_restore_model(counts, stacklevel)``, and calls
    :meth:`_fit_in_processes` first in its ``_fit``.
    """

    n_jobs: int | None

    # -- the model's part
    def _count_model(self, ss: SequenceSet) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def _merge_model(cls, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _restore_model(self, counts: dict[str, Any], stacklevel: int) -> None:
        raise NotImplementedError

    # -- the mixin's hooks
    def _count(self, ss: SequenceSet, y: Any, keys: Any) -> dict[str, Any]:
        width = (ss.vocabulary or Vocabulary()).size
        return {
            "n_sequences": len(ss),
            "item_counts": np.bincount(ss.values, minlength=width),
            **self._count_model(ss),
        }

    @classmethod
    def _merge_counts(cls, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        return {
            "n_sequences": a["n_sequences"] + b["n_sequences"],
            "item_counts": add_padded(a["item_counts"], b["item_counts"]),
            **cls._merge_model(a, b),
        }

    def _restore(
        self, counts: dict[str, Any], vocabulary: Vocabulary | None, stacklevel: int
    ) -> None:
        model: Any = self
        owner = type(self).__name__
        if int(counts["item_counts"].sum()) == 0:
            raise DataError(
                f"{owner}: all training sequences are empty; pass sequences with "
                "at least one item."
            )
        model.vocabulary_ = (vocabulary or Vocabulary()).copy().freeze()
        model.item_counts_ = counts["item_counts"]
        model.n_sequences_ = int(counts["n_sequences"])
        model._check_fallback()
        self._restore_model(counts, stacklevel + 1)

    # -- fit in processes
    def _fit_in_processes(self, ss: SequenceSet, stacklevel: int) -> bool:
        """Count ``ss`` in ``n_jobs`` processes when it is large; return whether done.

        Called by ``_fit`` once ``vocabulary_``, ``item_counts_`` and
        ``n_sequences_`` are set; it sets the model's own fitted state.
        """
        jobs = min(resolve_n_jobs(self.n_jobs), ss.n_steps // MIN_STEPS_PER_PROCESS)
        if jobs < 2 or len(ss) < 2:
            return False
        model: Any = self
        shared = SequenceSet(ss.values, ss.offsets, vocabulary=model.vocabulary_)
        merged = statistics_in_processes(self, shared, None, jobs)
        self._restore_model(merged.counts, stacklevel + 1)
        return True


class ContextTableStatistics(NextItemStatistics):
    """Statistics of the models whose state is interned context tables.

    The class names its order parameter in ``_order_parameter`` (``"order"``,
    ``"max_order"``, ``"max_height"``) and its offset (1 for TDAG's height)
    in ``_order_offset``.
    """

    _order_parameter = "order"
    _order_offset = 0

    def _counting_values(self) -> dict[str, Any]:
        name = self._order_parameter
        return {name: getattr(self, name)}

    def _chunk_order(self, ss: SequenceSet) -> int:
        """Return the orders this chunk can fill (``fit``'s clamp, without warning)."""
        longest = int(ss.lengths.max(initial=0))
        asked = int(getattr(self, self._order_parameter)) - self._order_offset
        return max(1, min(asked, longest - 1))

    def _count_model(self, ss: SequenceSet) -> dict[str, Any]:
        width = (ss.vocabulary or Vocabulary()).size
        return {
            "longest": int(ss.lengths.max(initial=0)),
            "tables": count_contexts(ss, self._chunk_order(ss), width),
        }

    @classmethod
    def _merge_model(cls, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        width = max(len(a["item_counts"]), len(b["item_counts"]))
        return {
            "longest": max(a["longest"], b["longest"]),
            "tables": merge_tables(a["tables"], width, b["tables"], width),
        }

    def _restore_model(self, counts: dict[str, Any], stacklevel: int) -> None:
        model: Any = self
        name, offset = self._order_parameter, self._order_offset
        longest = int(counts["longest"])
        order = clamp_order(
            type(self).__name__, name, getattr(self, name), longest, offset=offset,
            stacklevel=stacklevel + 1,
        )  # fmt: skip
        tables = list(counts["tables"][:order])
        tables += [empty_table() for _ in range(order - len(tables))]
        setattr(model, f"{name}_", order + offset)
        model.longest_sequence_ = longest
        store_tables(model, tables)
