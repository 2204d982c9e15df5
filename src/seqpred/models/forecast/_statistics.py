"""Mergeable statistics of the naive forecasters (see :mod:`seqpred.models.mergeable`).

Naive, seasonal naive, drift and mean forecasts continue each training
series from its own history, and the models store those series
(``train_values_``): nothing smaller reproduces their state. Their
statistics are therefore per-series: each chunk keeps its series (values,
ids, time stamps) with their sort keys, the merge concatenates them, and
``from_statistics`` fits on the series in key order. Many-series
forecasting on a cluster does not need the merge at all: every series is
fitted and forecast where it lives (:func:`seqpred.spark.forecast`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError
from seqpred.models.mergeable import MergeableMixin, merge_keyed, ordered_blocks

__all__ = ["SeriesStatistics"]


class SeriesStatistics(MergeableMixin):
    """``statistics`` / ``from_statistics`` of a forecaster that stores its series."""

    _statistics_kind: ClassVar[str] = "numeric"

    def _count(self, ss: SequenceSet, y: Any, keys: Array) -> dict[str, Any]:
        block = (ss.values, ss.lengths, ss.ids, ss.timestamps)
        return {"n_sequences": len(ss), "keys": [keys], "blocks": [block]}

    @classmethod
    def _merge_counts(cls, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
        return {"n_sequences": a["n_sequences"] + b["n_sequences"], **merge_keyed(a, b)}

    def _restore(
        self, counts: dict[str, Any], vocabulary: Vocabulary | None, stacklevel: int
    ) -> None:
        owner = type(self).__name__
        order, blocks = ordered_blocks(counts, owner)
        blocks = [b for b in blocks if len(b[1])]
        if not blocks:
            raise DataError(
                f"{owner}: the statistics hold no series; expected at least one. "
                "Count chunks that hold series."
            )
        for name, at in (("ids", 2), ("timestamps", 3)):
            given = [b[at] is not None for b in blocks]
            if any(given) and not all(given):
                raise DataError(
                    f"{owner}.from_statistics: some chunks have series {name} and "
                    f"some do not; expected all or none. Pass {name} in every chunk."
                )
        lengths = np.concatenate([b[1] for b in blocks])
        parts = SequenceSet(
            np.concatenate([b[0] for b in blocks]),
            np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64),
            ids=None
            if blocks[0][2] is None
            else np.concatenate([b[2] for b in blocks]),
            timestamps=(
                None if blocks[0][3] is None else np.concatenate([b[3] for b in blocks])
            ),
        )
        model: Any = self
        model.fit(parts.take(order))  # empty chunks hold no keys
