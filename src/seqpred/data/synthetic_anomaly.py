"""Synthetic event logs with planted anomalies, for anomaly-detection tests.

Normal logs follow a sparse first-order workflow: each event type has a few
likely successors. An anomalous log has one stretch of events replaced by
events drawn at random, which mostly breaks the workflow's transitions. The
generator returns which logs and which positions were altered, so detectors
can be scored per sequence (ROC AUC) and per position.
"""

from __future__ import annotations

import numpy as np

from seqpred._params import check_int, check_real
from seqpred._typing import Array, RandomStateLike
from seqpred.base import check_random_state
from seqpred.data.synthetic import _draw, _int_range
from seqpred.exceptions import InvalidParameterError

__all__ = ["event_logs"]


def event_logs(
    n: int,
    *,
    n_events: int = 20,
    length: int | tuple[int, int] = (30, 60),
    branching: int = 2,
    anomaly_rate: float = 0.1,
    anomaly_length: int = 5,
    random_state: RandomStateLike = None,
) -> tuple[list[list[str]], Array, list[Array]]:
    """Draw event logs from a random workflow and plant anomalies in some.

    The workflow is a first-order Markov chain over ``n_events`` event types
    (named ``"e00"``, ``"e01"``, ...): each type is followed by one of
    ``branching`` successors, with Dirichlet(1) weights. A fraction
    ``anomaly_rate`` of the logs get ``anomaly_length`` consecutive events,
    at a random place, replaced by uniformly random event types.

    Parameters
    ----------
    n : int
        Number of logs (>= 0).
    n_events : int, default=20
        Number of event types (>= 2).
    length : int or (int, int), default=(30, 60)
        Length of each log, or an inclusive range to draw it from
        (>= ``anomaly_length``).
    branching : int, default=2
        Successors per event type (1 .. ``n_events``); fewer make the
        workflow more predictable and anomalies easier to see.
    anomaly_rate : float in [0, 1], default=0.1
        Expected fraction of anomalous logs (each log independently).
    anomaly_length : int, default=5
        Events replaced in an anomalous log (>= 1).
    random_state : None, int or numpy.random.Generator, default=None
        Seed.

    Returns
    -------
    logs : list of list of str
    is_anomaly : ndarray of int64, shape (n,)
        1 for a log with a planted anomaly, else 0.
    altered : list of ndarray of bool
        Per log, which positions were replaced (all False for normal logs).

    Notes
    -----
    Each call draws a new workflow, so draw training and test logs in one
    call and split them (for example, train on the first half's normal logs).
    A replaced event can by chance equal the original or follow a valid
    transition, so a planted stretch is not always detectable everywhere;
    with ``branching=2`` over 20 types, a random transition is valid with
    probability about 0.1.

    Examples
    --------
    >>> logs, is_anomaly, altered = event_logs(5, length=8, random_state=0)
    >>> len(logs), [len(log) for log in logs], logs[0][0][:1]
    (5, [8, 8, 8, 8, 8], 'e')
    >>> is_anomaly.shape, altered[0].shape
    ((5,), (8,))
    """
    owner = "event_logs"
    check_int(owner, "n", n, low=0, default=100)
    check_int(owner, "n_events", n_events, low=2, default=20)
    check_int(owner, "anomaly_length", anomaly_length, low=1, default=5)
    check_int(owner, "branching", branching, low=1, high=n_events, default=2)
    check_real(owner, "anomaly_rate", anomaly_rate, low=0, default=0.1)
    if anomaly_rate > 1:
        raise InvalidParameterError(
            f"{owner}: anomaly_rate must be in [0, 1]; got {anomaly_rate!r}. "
            "Use anomaly_rate=0.1."
        )
    bounds = _int_range(owner, "length", length, low=anomaly_length)
    rng = check_random_state(random_state)
    successors = np.stack(
        [rng.choice(n_events, size=branching, replace=False) for _ in range(n_events)]
    )  # (E, branching)
    cumulative = np.cumsum(rng.dirichlet(np.ones(branching), size=n_events), axis=1)
    lengths = _draw(rng, bounds, n)
    width = int(bounds[1])
    grid = np.empty((n, width), dtype=np.int64)  # (N, L) event codes
    grid[:, 0] = rng.integers(n_events, size=n)
    for t in range(1, width):
        state = grid[:, t - 1]
        branch = (rng.random(n)[:, None] > cumulative[state]).sum(axis=1)
        grid[:, t] = successors[state, np.minimum(branch, branching - 1)]
    is_anomaly = (rng.random(n) < anomaly_rate).astype(np.int64)
    starts = rng.integers(0, lengths - anomaly_length + 1)  # one per log
    altered = np.zeros((n, width), dtype=bool)
    rows = np.flatnonzero(is_anomaly)
    cols = starts[rows, None] + np.arange(anomaly_length)  # (A, anomaly_length)
    altered[rows[:, None], cols] = True
    grid[altered] = rng.integers(n_events, size=int(altered.sum()))
    names = np.array([f"e{i:02d}" for i in range(n_events)], dtype=object)
    logs = [names[row[:k]].tolist() for row, k in zip(grid, lengths.tolist())]
    masks = [row[:k].copy() for row, k in zip(altered, lengths.tolist())]
    return logs, is_anomaly, masks
