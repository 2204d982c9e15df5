"""The CPT+ papers' datasets and protocol profiles (see ../shared/anchors/next_item.md).

Each profile reads one file of ``../shared/data/next_item`` exactly as the
authors' evaluator did: drop consecutive repeats where the profile says so,
keep sequences with ``min_length <= len <= 999``, stop after ``max_count``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from seqpred.data.readers import read_spmf

MAX_LENGTH = 999


def data_dir() -> Path:
    """Return the shared next-item data folder (``SEQPRED_SHARED_DATA`` overrides)."""
    root = os.environ.get("SEQPRED_SHARED_DATA")
    base = (
        Path(root) if root else Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    return base / "next_item"


@dataclass(frozen=True)
class Profile:
    """How the authors' evaluator reads and queries one dataset."""

    name: str
    file: str
    min_length: int
    consequent: int
    window: int
    max_count: int
    drop_repeats: bool
    raw_sign: bool = False


PROFILES = {
    p.name: p
    for p in [
        Profile("BMS", "BMS.txt", 6, 1, 5, 5000, False),
        Profile("SIGN", "SIGN.txt", 10, 3, 7, 1000, True),
        Profile("SIGN_RAW", "SIGN_IPREDICT_raw.txt", 10, 3, 7, 1000, True, True),
        Profile("MSNBC", "MSNBC.txt", 7, 2, 5, 5000, True),
        Profile("BIBLE_WORD", "BIBLE_WORD.txt", 4, 1, 3, 5000, False),
        Profile("LEVIATHAN", "LEVIATHAN.txt", 6, 1, 5, 5000, False),
    ]
}


def load(profile: Profile) -> list[list[int]]:
    """Return the kept sequences of ``profile``, in file order."""
    path = data_dir() / profile.file
    if profile.raw_sign:
        sequences = _read_raw_sign(path)
    else:
        sequences = read_spmf(path).to_lists()
        if profile.drop_repeats:
            sequences = [_drop_repeats(s) for s in sequences]
    kept = [s for s in sequences if profile.min_length <= len(s) <= MAX_LENGTH]
    return kept[: profile.max_count]


def _drop_repeats(sequence: list[int]) -> list[int]:
    return [x for i, x in enumerate(sequence) if i == 0 or x != sequence[i - 1]]


def _read_raw_sign(path: Path) -> list[list[int]]:
    """The raw SIGN file: ``utterance item item ...`` per frame line.

    Tokens -11 and -12 are skipped and consecutive repeats are dropped across
    the whole file (the previous item is not reset between utterances), as in
    the authors' loader.
    """
    sequences: list[list[int]] = []
    current: str | None = None
    last = None
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        utterance, *tokens = line.split()
        if utterance != current:
            sequences.append([])
            current = utterance
        for token in tokens:
            item = int(token)
            if item in (-11, -12) or item == last:
                continue
            last = item
            sequences[-1].append(item)
    return sequences
