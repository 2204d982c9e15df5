"""A reader for the Numenta Anomaly Benchmark (NAB) corpus and its labelled windows.

The scoring rules are in :mod:`seqpred.evaluate.nab`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from seqpred._typing import Array
from seqpred.exceptions import DataError

__all__ = ["NABSeries", "read_nab"]


@dataclass(frozen=True)
class NABSeries:
    """One NAB data file: its name, time stamps, values and labelled windows."""

    name: str
    timestamps: Array
    values: Array
    windows: list[tuple[int, int]]


def _read_series(path: Path) -> tuple[Array, Array]:
    lines = path.read_text().splitlines()
    if not lines or lines[0].strip().split(",")[:2] != ["timestamp", "value"]:
        raise DataError(f"read_nab: {path}: expected the header 'timestamp,value'.")
    stamps, values = [], []
    for number, line in enumerate(lines[1:], start=2):
        stamp, _, value = line.partition(",")
        try:
            values.append(float(value))
        except ValueError:
            raise DataError(
                f"read_nab: {path}, line {number}: value {value!r} is not a number."
            ) from None
        stamps.append(stamp.strip())
    return np.array(stamps, dtype="datetime64[s]"), np.array(values)


def read_nab(root: str | Path) -> list[NABSeries]:
    """Read the NAB corpus: ``data/<group>/<file>.csv`` and the labelled windows.

    Parameters
    ----------
    root : str or Path
        The NAB folder holding ``data/`` and ``labels/combined_windows.json``.

    Returns
    -------
    list of NABSeries
        In the order of the windows file (sorted file names), each with its
        windows as inclusive step indices.

    Raises
    ------
    DataError
        If a file is missing or malformed, or a window edge is not a time
        stamp of its series (NAB requires exact matches).
    """
    root = Path(root)
    labels = root / "labels" / "combined_windows.json"
    if not labels.is_file():
        raise DataError(
            f"read_nab: {labels} not found; pass the NAB folder that holds data/ "
            "and labels/."
        )
    table: dict[str, list[list[str]]] = json.loads(labels.read_text())
    corpus = []
    for name in sorted(table):
        stamps, values = _read_series(root / "data" / name)
        windows = []
        for edges in table[name]:
            ends = np.array([e.strip() for e in edges], dtype="datetime64[s]")
            at = np.searchsorted(stamps, ends)
            if np.any(at >= len(stamps)) or np.any(
                stamps[np.minimum(at, len(stamps) - 1)] != ends
            ):
                raise DataError(
                    f"read_nab: {name}: window {edges} does not start and end on "
                    "time stamps of the series."
                )
            windows.append((int(at[0]), int(at[1])))
        corpus.append(NABSeries(name, stamps, values, windows))
    return corpus
