"""Several steps ahead: scores of continuations on order-respecting hold-outs.

Each test sequence of at least ``steps + 1`` items is cut into a *query*
(every item but the last ``steps``, or the ``window`` items before them) and
its *answer*, the last ``steps`` items, never seen by the model. From the
query the model gives

* its most probable continuation of ``steps`` items
  (``predict_next_ids(queries, steps, k=1)``), scored by **exact match** (all
  ``steps`` items right, in order) and **per-position accuracy** (item ``j``
  right);
* its ranking of the items most likely to appear within the next ``steps``
  items (``predict_within_ids(queries, steps, k)``), scored against the set
  of answer items by **HR@k** (at least one answer item in the top ``k``)
  and **NDCG@k** (binary relevance of each distinct answer item; the ideal
  ranking puts them all first).

``method="repeat"`` scores the baseline that repeats the one-step
prediction: the top-1 item ``steps`` times as the path, and the one-step
top-``k`` as the ranking. A query the model cannot answer counts as a miss
everywhere (its rate is ``no_match_rate``).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from seqpred._params import check_int
from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import DataError, InvalidParameterError, NotFittedError

__all__ = ["MultiStepReport", "evaluate_multistep", "multistep_scores"]

_METHODS = ("beam", "greedy", "sample", "repeat")


class MultiStepModel(Protocol):
    """What the evaluator needs from a next-item model."""

    vocabulary_: Vocabulary

    def predict_top_k_ids(self, X: Any, k: int) -> tuple[Array, Array]:
        """Return ``(ids, scores)`` of shape ``(N, k)``."""

    def predict_next_ids(self, X: Any, steps: int, k: int, **kw: Any) -> Any:
        """Return ``(paths (N, k, steps), probs (N, k))``."""

    def predict_within_ids(self, X: Any, steps: int, k: int, **kw: Any) -> Any:
        """Return ``(ids (N, k), scores (N, k))``."""


@dataclass(frozen=True)
class MultiStepReport:
    """Scores of a next-item model several steps ahead (see the module docstring).

    Parameters
    ----------
    n_queries : int
        Queries scored.
    n_skipped : int
        Test sequences shorter than ``steps + 1``, not scored.
    steps : int
        Items held out and predicted per query.
    k : int
        Cut-off of HR@k and NDCG@k.
    exact_match : float
        Share of queries whose most probable continuation is the answer.
    position_accuracy : tuple of float
        Per position ``1..steps``: share of queries whose continuation has
        the answer's item there.
    hit_rate : float
        HR@k of the within-``steps`` ranking against the answer's items.
    ndcg : float
        NDCG@k of that ranking.
    no_match_rate : float
        Share of queries the model gave nothing for.
    method : str
        How continuations were found (``"beam"``, ``"greedy"``, ``"sample"``
        or the ``"repeat"`` baseline).
    fit_seconds, predict_seconds : float, default=0.0
        Wall times of fitting (0 when fitted elsewhere) and predicting.

    Examples
    --------
    >>> r = MultiStepReport(4, 1, 2, 10, 0.25, (0.5, 0.25), 0.75, 0.6, 0.0, "beam")
    >>> print(r)
    multi-step evaluation (steps=2, k=10, method=beam)
      queries             4
      skipped             1
      exact match    0.2500
      accuracy@1     0.5000
      accuracy@2     0.2500
      HR@10 within   0.7500
      NDCG@10 within 0.6000
      no match       0.0000
      fit time       0.000 s
      predict time   0.000 s
    """

    n_queries: int
    n_skipped: int
    steps: int
    k: int
    exact_match: float
    position_accuracy: tuple[float, ...]
    hit_rate: float
    ndcg: float
    no_match_rate: float
    method: str
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """Return the scores as a flat ``dict`` (``accuracy@j`` per position)."""
        out: dict[str, Any] = {}
        for name, value in dataclasses.asdict(self).items():
            if name == "position_accuracy":
                out.update({f"accuracy@{j + 1}": v for j, v in enumerate(value)})
            else:
                out[name] = value
        return out

    def __str__(self) -> str:
        k = self.k
        rows = [
            ("queries", f"{self.n_queries:>6d}"),
            ("skipped", f"{self.n_skipped:>6d}"),
            ("exact match", f"{self.exact_match:.4f}"),
        ]
        rows += [
            (f"accuracy@{j + 1}", f"{v:.4f}")
            for j, v in enumerate(self.position_accuracy)
        ]
        rows += [
            (f"HR@{k} within", f"{self.hit_rate:.4f}"),
            (f"NDCG@{k} within", f"{self.ndcg:.4f}"),
            ("no match", f"{self.no_match_rate:.4f}"),
            ("fit time", f"{self.fit_seconds:.3f} s"),
            ("predict time", f"{self.predict_seconds:.3f} s"),
        ]
        title = (
            f"multi-step evaluation (steps={self.steps}, k={k}, method={self.method})"
        )
        return "\n".join([title] + [f"  {name:<14} {value}" for name, value in rows])

    @classmethod
    def combine(cls, reports: Sequence[MultiStepReport]) -> MultiStepReport:
        """Sum fold reports: counts and times add, rates average by ``n_queries``.

        Examples
        --------
        >>> a = MultiStepReport(1, 0, 2, 5, 1.0, (1.0, 1.0), 1.0, 1.0, 0.0, "beam")
        >>> b = MultiStepReport(3, 2, 2, 5, 0.0, (1.0, 0.0), 0.0, 0.0, 0.0, "beam")
        >>> total = MultiStepReport.combine([a, b])
        >>> total.n_queries, total.exact_match, total.position_accuracy
        (4, 0.25, (1.0, 0.25))
        """
        if not reports or len({(r.steps, r.k, r.method) for r in reports}) != 1:
            raise DataError(
                "MultiStepReport.combine: expected at least one report, all with "
                "the same steps, k and method; got "
                f"{sorted({(r.steps, r.k, r.method) for r in reports})}. Evaluate "
                "every fold with the same settings."
            )
        weights = np.array([r.n_queries for r in reports], dtype=np.float64)
        total = weights.sum()

        def mean(values: Sequence[float]) -> float:
            return float(np.dot(weights, values) / total) if total else float("nan")

        first = reports[0]
        return cls(
            n_queries=int(total),
            n_skipped=sum(r.n_skipped for r in reports),
            steps=first.steps,
            k=first.k,
            exact_match=mean([r.exact_match for r in reports]),
            position_accuracy=tuple(
                mean([r.position_accuracy[j] for r in reports])
                for j in range(first.steps)
            ),
            hit_rate=mean([r.hit_rate for r in reports]),
            ndcg=mean([r.ndcg for r in reports]),
            no_match_rate=mean([r.no_match_rate for r in reports]),
            method=first.method,
            fit_seconds=sum(r.fit_seconds for r in reports),
            predict_seconds=sum(r.predict_seconds for r in reports),
        )


def multistep_scores(path: Array, ranking: Array, answers: Array) -> dict[str, Any]:
    """Score top paths and within-N rankings against held-out answers.

    Parameters
    ----------
    path : ndarray of int, shape (N, steps)
        Each query's most probable continuation (``-1``: none).
    ranking : ndarray of int, shape (N, k)
        Each query's items ranked by the probability of appearing within the
        next ``steps`` (``-1`` pads).
    answers : ndarray of int, shape (N, steps)
        The held-out items.

    Returns
    -------
    dict
        ``exact_match``, ``position_accuracy`` (a tuple), ``hit_rate``,
        ``ndcg`` and ``no_match_rate``.

    Examples
    --------
    >>> import numpy as np
    >>> path = np.array([[3, 4], [5, 5], [-1, -1]])
    >>> ranking = np.array([[3, 9], [9, 4], [-1, -1]])
    >>> answers = np.array([[3, 4], [5, 4], [3, 3]])
    >>> scores = multistep_scores(path, ranking, answers)
    >>> scores["exact_match"], scores["position_accuracy"]
    (0.3333333333333333, (0.6666666666666666, 0.3333333333333333))
    >>> round(scores["hit_rate"], 3), round(scores["ndcg"], 3)
    (0.667, 0.333)
    """
    n, steps = answers.shape
    right = path == answers  # (N, steps); -1 never equals an answer
    k = ranking.shape[1]
    relevant = (ranking[:, :, None] == answers[:, None, :]).any(axis=2)  # (N, k)
    relevant &= ranking >= 0
    gains = 1.0 / np.log2(np.arange(2, k + 2))  # (k,)
    n_distinct = np.array([len(set(row)) for row in answers.tolist()])
    ideal = np.cumsum(gains)[np.minimum(n_distinct, k) - 1]  # (N,)
    return {
        "exact_match": float(right.all(axis=1).mean()),
        "position_accuracy": tuple(float(v) for v in right.mean(axis=0)),
        "hit_rate": float(relevant.any(axis=1).mean()),
        "ndcg": float(((relevant * gains).sum(axis=1) / ideal).mean()),
        "no_match_rate": float((path[:, 0] < 0).mean()) if n else float("nan"),
    }


def _check(model: Any, steps: Any, k: Any, window: Any, method: Any) -> None:
    who = "evaluate_multistep"
    check_int(who, "steps", steps, low=1, default=3)
    check_int(who, "k", k, low=1, default=10)
    check_int(
        who, "window", window, low=1, default=None, optional=True,
        hint="for the whole prefix",
    )  # fmt: skip
    if method not in _METHODS:
        raise InvalidParameterError(
            f"{who}: method must be one of {list(_METHODS)}; got {method!r}. Use "
            "method='beam' (or 'repeat' for the one-step baseline)."
        )
    if not callable(getattr(model, "predict_next_ids", None)):
        raise InvalidParameterError(
            f"{who}: model must be a next-item model with predict_next_ids; got "
            f"{type(model).__name__}. Use a registered next-item model."
        )
    if getattr(model, "vocabulary_", None) is None:
        raise NotFittedError(
            f"{who}: the model {type(model).__name__} is not fitted (it has no "
            "vocabulary_). Call model.fit(train_sequences) first."
        )


def _predict(
    model: MultiStepModel,
    queries: SequenceSet,
    steps: int,
    k: int,
    method: str,
    options: dict[str, Any],
) -> tuple[Array, Array]:
    """Return the top paths ``(N, steps)`` and the within rankings ``(N, k)``."""
    if method == "repeat":
        ids, _ = model.predict_top_k_ids(queries, k)
        ids = np.asarray(ids)
        return np.repeat(ids[:, :1], steps, axis=1), ids
    within = dict(options)
    within["method"] = within.pop("within_method", "auto")
    nxt = {key: v for key, v in options.items() if key != "within_method"}
    paths, _ = model.predict_next_ids(queries, steps, 1, method=method, **nxt)
    ranking = model.predict_within_ids(queries, steps, k, **within)[0]
    return np.asarray(paths)[:, 0, :], np.asarray(ranking)


def evaluate_multistep(
    model: MultiStepModel,
    sequences: Any,
    *,
    steps: int = 3,
    k: int = 10,
    window: int | None = None,
    method: str = "beam",
    beam_width: int | None = None,
    within_method: str = "auto",
    n_samples: int | None = None,
    random_state: Any = None,
) -> MultiStepReport:
    """Score a fitted next-item model on the last ``steps`` items of test sequences.

    Parameters
    ----------
    model : fitted next-item model
        Anything with ``vocabulary_``, ``predict_next_ids``,
        ``predict_within_ids`` and ``predict_top_k_ids``.
    sequences : SequenceSet, list of lists or list of strings
        Test sequences (never seen in training); symbols the model has never
        seen become ``<unk>``.
    steps : int, default=3
        Items held out at the end of each sequence, and predicted.
    k : int, default=10
        Cut-off of HR@k and NDCG@k.
    window : int, default=None
        Items of the query before the held-out ones; ``None`` uses all.
    method : {"beam", "greedy", "sample", "repeat"}, default="beam"
        How to find the continuation (see ``predict_next``), or ``"repeat"``
        for the baseline that repeats the one-step prediction.
    beam_width, n_samples, random_state
        Passed to ``predict_next`` and ``predict_within``.
    within_method : {"auto", "enumerate", "sample"}, default="auto"
        The ``method`` of ``predict_within``.

    Returns
    -------
    MultiStepReport

    Raises
    ------
    DataError
        No test sequence has ``steps + 1`` items.

    Examples
    --------
    >>> import seqpred
    >>> train = ["abcd", "abcd", "abce", "bcda"]
    >>> model = seqpred.create("markov", order=1).fit(train)
    >>> report = evaluate_multistep(model, ["xabcd", "abce", "a"], steps=2, k=3)
    >>> report.n_queries, report.n_skipped, report.exact_match
    (2, 1, 0.5)
    >>> report.position_accuracy
    (1.0, 0.5)
    """
    who = "evaluate_multistep"
    _check(model, steps, k, window, method)
    ss = as_sequence_set(
        sequences, vocabulary=model.vocabulary_, unknown="unk", kind="discrete",
        owner=who,
    )  # fmt: skip
    kept = ss.filter_length(int(steps) + 1)
    if len(kept) == 0:
        raise DataError(
            f"{who}: no test sequence has at least steps + 1 = {steps + 1} items; "
            f"got lengths up to {int(ss.lengths.max(initial=0))}. Pass longer "
            "sequences or lower steps."
        )
    start = None if window is None else -(steps + window)
    queries = kept.slice_steps(start, -steps)
    answers = kept.slice_steps(-steps, None).values.reshape(len(kept), steps)
    options = {
        "beam_width": beam_width,
        "n_samples": n_samples,
        "random_state": random_state,
        "within_method": within_method,
    }
    tic = time.perf_counter()
    path, ranking = _predict(model, queries, int(steps), int(k), method, options)
    seconds = time.perf_counter() - tic
    return MultiStepReport(
        n_queries=len(kept),
        n_skipped=len(ss) - len(kept),
        steps=int(steps),
        k=int(k),
        method=method,
        predict_seconds=seconds,
        **multistep_scores(path, ranking, answers),
    )
