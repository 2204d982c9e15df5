"""The Numenta Anomaly Benchmark (NAB) scoring rules.

NAB scores a detector's per-step anomaly scores against labelled anomaly
windows. With a threshold, the steps scoring at or above it are detections:

* the **first** detection in a window earns ``A_TP · σ(y) / σ(-1)``, where
  ``y = -(right - i + 1) / width`` is its relative position, so the left edge
  earns ``A_TP`` and later detections less (σ is the scaled sigmoid
  ``2 / (1 + exp(5y)) - 1``, and ``-1`` from ``y >= 3``); later detections in
  the same window count nothing;
* a window without a detection costs ``A_FN``;
* a detection outside every window costs ``A_FP · σ(y)`` with
  ``y = (i - right) / (width - 1)`` measured from the end of the previous
  window (σ is negative there), or ``A_FP`` before any window;
* the first 15% of each file (at most 750 steps) is a probationary period
  that is not scored.

The threshold is the one maximising the raw score summed over the whole
corpus, and the reported score is normalised,
``100 · (raw - null) / (perfect - null)``, where the null detector never
fires (its raw score is ``-A_FN`` per window) and the perfect detector fires
on the first step of every window (``A_TP`` per window). This follows
``nab/sweeper.py`` and ``nab/runner.py`` of numenta/NAB (v1.1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred._lazy import moved
from seqpred._typing import Array
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = [
    "NAB_PROFILES",
    "NABResult",
    "nab_score",
    "scaled_sigmoid",
]

__getattr__: Any = moved(
    __name__, "seqpred.data.readers.nab", ["NABSeries", "read_nab"]
)

Windows = Sequence[tuple[int, int]]

NAB_PROFILES: dict[str, dict[str, float]] = {
    "standard": {"tp": 1.0, "fp": 0.11, "fn": 1.0},
    "reward_low_fp_rate": {"tp": 1.0, "fp": 0.22, "fn": 1.0},
    "reward_low_fn_rate": {"tp": 1.0, "fp": 0.11, "fn": 2.0},
}
"""NAB's application profiles: the weights A_TP, A_FP and A_FN."""


def scaled_sigmoid(position: Array | float) -> Array:
    """Return NAB's ``2 / (1 + exp(5 y)) - 1``, and ``-1`` where ``y >= 3``.

    Examples
    --------
    >>> [round(float(v), 5) for v in scaled_sigmoid(np.array([-1.0, 0.0, 1.0, 3.0]))]
    [0.98661, 0.0, -0.98661, -1.0]
    """
    y = np.asarray(position, dtype=np.float64)
    out: Array = np.where(y >= 3.0, -1.0, 2.0 / (1.0 + np.exp(5.0 * y)) - 1.0)
    return out


@dataclass(frozen=True)
class NABResult:
    """A NAB score, raw and normalised, and what the detector did.

    Attributes
    ----------
    score : float
        Normalised score: 0 for the null detector, 100 for the perfect one.
    raw : float
        Sum of the rewards and costs at ``threshold``.
    null, perfect : float
        Raw scores of the null and the perfect detectors.
    threshold : float
        Scores at or above this are detections (``inf``: none).
    detected_windows, missed_windows, false_positives : int
        Windows with a detection, without one, and detections outside
        every window (probationary steps excluded).
    """

    score: float
    raw: float
    null: float
    perfect: float
    threshold: float
    detected_windows: int
    missed_windows: int
    false_positives: int


def probation_length(n: int, fraction: float = 0.15) -> int:
    """NAB's probationary period: ``min(floor(fraction · n), fraction · 5000)``."""
    return int(min(math.floor(fraction * n), fraction * 5000))


def _profile(profile: str | dict[str, float]) -> dict[str, float]:
    if isinstance(profile, dict):
        if set(profile) != {"tp", "fp", "fn"}:
            raise InvalidParameterError(
                f"nab_score: a custom profile needs the keys 'tp', 'fp' and 'fn'; "
                f"got {sorted(profile)}. Use profile='standard'."
            )
        return profile
    if profile not in NAB_PROFILES:
        raise InvalidParameterError(
            f"nab_score: profile must be one of {sorted(NAB_PROFILES)} or a dict; "
            f"got {profile!r}. Use profile='standard'."
        )
    return NAB_PROFILES[profile]


def _row_rewards(
    n: int, windows: Windows, weights: dict[str, float], fraction: float
) -> tuple[Array, Array, Array]:
    """Per step: reward if detected, window number (-1 outside) and scorable flag."""
    index = np.arange(n)
    reward = np.full(n, -weights["fp"])  # outside, before any window
    window_of = np.full(n, -1, dtype=np.int64)
    max_tp = float(scaled_sigmoid(-1.0))
    bounds = sorted(windows)
    for k, (left, right) in enumerate(bounds):
        if not 0 <= left <= right < n:
            raise DataError(
                f"nab_score: window {(left, right)} does not fit a series of {n} "
                "steps; windows are (first, last) step indices, inclusive."
            )
        width = right - left + 1
        inside = slice(left, right + 1)
        position = -(right - index[inside] + 1) / width
        reward[inside] = scaled_sigmoid(position) * weights["tp"] / max_tp
        window_of[inside] = k
        stop = bounds[k + 1][0] if k + 1 < len(bounds) else n
        after = slice(right + 1, stop)
        position = (index[after] - right) / max(width - 1, 1)
        reward[after] = scaled_sigmoid(position) * weights["fp"]
    scorable = index >= probation_length(n, fraction)
    return reward, window_of, scorable


def _corpus_rows(
    scores: Sequence[Array], windows: Sequence[Windows], weights: dict[str, float],
    fraction: float,
) -> tuple[Array, Array, Array, int]:  # fmt: skip
    """Scorable steps of every file: detector score, reward, global window id."""
    if len(scores) != len(windows):
        raise DataError(
            f"nab_score: got {len(scores)} score arrays and {len(windows)} window "
            "lists; pass one list of windows per series."
        )
    parts: list[tuple[Array, Array, Array]] = []
    n_windows = 0
    for s, w in zip(scores, windows):
        s = np.asarray(s, dtype=np.float64)
        if s.ndim != 1 or not np.isfinite(s).all():
            raise DataError(
                "nab_score: each score array must be 1-D and finite; replace NaN "
                "by 0 (no anomaly)."
            )
        reward, window_of, scorable = _row_rewards(len(s), w, weights, fraction)
        window_of = np.where(window_of >= 0, window_of + n_windows, -1)
        n_windows += len(w)
        parts.append((s[scorable], reward[scorable], window_of[scorable]))
    if not parts:
        raise DataError("nab_score: got no series; pass at least one.")
    detector = np.concatenate([p[0] for p in parts])
    reward = np.concatenate([p[1] for p in parts])
    window_of = np.concatenate([p[2] for p in parts])
    return detector, reward, window_of, n_windows


def _sweep(
    detector: Array, reward: Array, window_of: Array, fn_weight: float
) -> tuple[Array, Array]:
    """Raw score at every distinct threshold, highest threshold first.

    Returns ``(thresholds, raw)``; the first entry, threshold ``inf``, is the
    score with no detection.
    """
    order = np.argsort(-detector, kind="stable")
    s, r, w = detector[order], reward[order], window_of[order]
    scored_windows = np.unique(w[w >= 0])
    delta = np.where(w < 0, r, 0.0)
    best = dict.fromkeys(scored_windows.tolist(), -fn_weight)
    for i in np.flatnonzero(w >= 0).tolist():  # a window counts its best detection
        k = int(w[i])
        if r[i] > best[k]:
            delta[i] = r[i] - best[k]
            best[k] = float(r[i])
    total = -fn_weight * len(scored_windows) + np.cumsum(delta)
    last_of_run = np.flatnonzero(np.append(s[1:] != s[:-1], True))
    thresholds = np.concatenate([[np.inf], s[last_of_run]])
    raw = np.concatenate([[-fn_weight * len(scored_windows)], total[last_of_run]])
    return thresholds, raw


def _counts(detector: Array, window_of: Array, threshold: float) -> tuple[int, int]:
    hit = detector >= threshold
    detected = len(np.unique(window_of[hit & (window_of >= 0)]))
    return detected, int(np.sum(hit & (window_of < 0)))


def nab_score(
    scores: Sequence[Array],
    windows: Sequence[Windows],
    *,
    profile: str | dict[str, float] = "standard",
    threshold: float | None = None,
    probation_fraction: float = 0.15,
) -> NABResult:
    """Score anomaly scores over a corpus of series with NAB's rules.

    Parameters
    ----------
    scores : sequence of 1-D arrays
        The detector's score at every step of each series.
    windows : sequence of lists of (int, int)
        Each series' labelled anomaly windows, as inclusive (first, last)
        step indices.
    profile : str or dict, default="standard"
        A name in :data:`NAB_PROFILES` or a dict of weights ``tp``, ``fp``,
        ``fn``.
    threshold : float or None, default=None
        Detections are steps scoring ``>= threshold``; ``None`` picks the
        threshold maximising the corpus score, as NAB's optimiser does.
    probation_fraction : float, default=0.15
        Leading fraction of each series left unscored.

    Returns
    -------
    NABResult

    Examples
    --------
    One series of 100 steps with one window, steps 40 to 49 (the first 15
    steps are probationary): a detection on the window's first step is
    perfect, no detection scores as the null detector.

    >>> perfect = np.zeros(100); perfect[40] = 1.0
    >>> result = nab_score([perfect], [[(40, 49)]])
    >>> result.score, result.raw, result.null
    (100.0, 1.0, -1.0)
    >>> nab_score([np.zeros(100)], [[(40, 49)]]).score
    0.0
    """
    weights = _profile(profile)
    detector, reward, window_of, n_windows = _corpus_rows(
        scores, windows, weights, probation_fraction
    )
    thresholds, raw = _sweep(detector, reward, window_of, weights["fn"])
    if threshold is None:
        pick = int(np.argmax(raw))
    else:
        pick = int(np.searchsorted(-thresholds, -threshold, side="right")) - 1
    null_raw = float(
        _sweep(np.zeros_like(detector), reward, window_of, weights["fn"])[1].max()
    )
    perfect = n_windows * weights["tp"]
    chosen = float(thresholds[pick]) if threshold is None else float(threshold)
    detected, false_positives = _counts(detector, window_of, chosen)
    n_scored = len(np.unique(window_of[window_of >= 0]))
    denominator = perfect - null_raw
    return NABResult(
        score=float(100.0 * (raw[pick] - null_raw) / denominator)
        if denominator
        else 0.0,
        raw=float(raw[pick]),
        null=null_raw,
        perfect=perfect,
        threshold=chosen,
        detected_windows=detected,
        missed_windows=n_scored - detected,
        false_positives=false_positives,
    )
