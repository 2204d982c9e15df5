"""Deprecated: import from :mod:`seqpred.models.next_item` (goes in seqpred 0.3)."""

from typing import Any

from seqpred._lazy import moved

__getattr__: Any = moved(
    __name__,
    "seqpred.models.next_item",
    ["AKOM", "DG", "LZ78", "PPM", "TDAG", "MarkovPredictor"],
)
