"""Scores of generative models of polyphonic music (piano rolls).

Negative log-likelihood (NLL) is counted in nats per frame, each frame
predicted from the frames before it, summed over the 88 keys (independent
Bernoulli terms), as in Bai et al. (2018); by default the first frame of
each piece, which has no context, is not scored. Sequence scores of
symbolic generators (log-probabilities, bits per symbol) are methods of
:class:`~seqpred.models.generate.SequenceGenerator`.
"""

from __future__ import annotations

import numpy as np

from seqpred._typing import Array

__all__ = ["bernoulli_nll", "per_key_baseline_nll"]


def bernoulli_nll(proba: Array, frames: Array) -> Array:
    """Return per-frame NLL (nats) of 0/1 ``frames`` under key probabilities.

    ``proba`` and ``frames`` are ``(T, K)``; the result is ``(T,)``, the sum
    over keys of ``-log p`` (key on) or ``-log (1 - p)`` (key off).
    """
    p = np.clip(proba, 1e-12, 1 - 1e-12)
    terms = frames * np.log(p) + (1 - frames) * np.log1p(-p)
    return -terms.sum(axis=1)  # type: ignore[no-any-return]


def per_key_baseline_nll(
    train: list[Array], test: list[Array], *, skip_first: bool = True
) -> float:
    """NLL per frame of independent keys, each on with its training frequency.

    The reference floor of the benchmark (JSB Chorales: about 11.06 nats).

    Examples
    --------
    >>> import numpy as np
    >>> train = [np.array([[1, 0], [1, 1]])]
    >>> round(per_key_baseline_nll(train, [np.array([[1, 0], [1, 0]])]), 4)
    0.8755
    """
    frames = np.concatenate(train).astype(np.float64)
    proba = (frames.sum(axis=0) + 0.5) / (len(frames) + 1.0)  # (K,) smoothed
    scored = [piece[1:] if skip_first else piece for piece in test]
    stacked = np.concatenate(scored).astype(np.float64)
    nll = bernoulli_nll(np.broadcast_to(proba, stacked.shape), stacked)
    return float(nll.mean())
