"""NextItemReport: the scores of one next-item evaluation, and their sum over folds."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from seqpred.exceptions import DataError

__all__ = ["NextItemReport"]

_RATES = ("accuracy", "no_match_rate", "failure_rate", "hit_rate", "mrr", "ndcg")


@dataclass(frozen=True)
class NextItemReport:
    """Scores of a next-item model on held-out queries.

    Parameters
    ----------
    n_queries : int
        Queries scored (test sequences long enough to cut).
    n_skipped : int
        Test sequences shorter than ``consequent + 1``, not scored.
    accuracy : float
        Successes over all queries.
    no_match_rate : float
        Queries with no prediction, over all queries.
    failure_rate : float
        Wrong top predictions over all queries; the three rates sum to 1.
    hit_rate : float
        HR@k against the first consequent item.
    mrr : float
        MRR@k against the first consequent item.
    ndcg : float
        NDCG@k against the first consequent item.
    k : int
        Cut-off of the ranking metrics.
    fit_seconds : float, default=0.0
        Wall time of ``fit`` (0.0 when the model was fitted elsewhere).
    predict_seconds : float, default=0.0
        Wall time of the prediction call.

    Examples
    --------
    >>> r = NextItemReport(10, 0, 0.5, 0.1, 0.4, 0.7, 0.55, 0.6, k=5)
    >>> r.as_dict()["accuracy"]
    0.5
    >>> print(r)
    next-item evaluation (k=5)
      queries          10
      skipped           0
      accuracy     0.5000
      no match     0.1000
      failure      0.4000
      HR@5         0.7000
      MRR@5        0.5500
      NDCG@5       0.6000
      fit time     0.000 s
      predict time 0.000 s
    """

    n_queries: int
    n_skipped: int
    accuracy: float
    no_match_rate: float
    failure_rate: float
    hit_rate: float
    mrr: float
    ndcg: float
    k: int
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        """Return the fields as a plain ``dict`` (JSON-ready)."""
        return dataclasses.asdict(self)

    def __str__(self) -> str:
        k = self.k
        rows = [
            ("queries", f"{self.n_queries:>6d}"),
            ("skipped", f"{self.n_skipped:>6d}"),
            ("accuracy", f"{self.accuracy:.4f}"),
            ("no match", f"{self.no_match_rate:.4f}"),
            ("failure", f"{self.failure_rate:.4f}"),
            (f"HR@{k}", f"{self.hit_rate:.4f}"),
            (f"MRR@{k}", f"{self.mrr:.4f}"),
            (f"NDCG@{k}", f"{self.ndcg:.4f}"),
            ("fit time", f"{self.fit_seconds:.3f} s"),
            ("predict time", f"{self.predict_seconds:.3f} s"),
        ]
        lines = [f"next-item evaluation (k={k})"]
        lines += [f"  {name:<12} {value}" for name, value in rows]
        return "\n".join(lines)

    @classmethod
    def combine(cls, reports: Sequence[NextItemReport]) -> NextItemReport:
        """Sum fold reports: counts and times add, rates average by ``n_queries``.

        Examples
        --------
        >>> a = NextItemReport(1, 0, 1.0, 0.0, 0.0, 1.0, 1.0, 1.0, k=3)
        >>> b = NextItemReport(3, 1, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, k=3)
        >>> total = NextItemReport.combine([a, b])
        >>> total.n_queries, total.n_skipped, total.accuracy
        (4, 1, 0.25)
        """
        if not reports:
            raise DataError(
                "NextItemReport.combine: got no reports; expected at least one. "
                "Pass the list of fold reports."
            )
        ks = {r.k for r in reports}
        if len(ks) != 1:
            raise DataError(
                f"NextItemReport.combine: reports use different k; expected one k; "
                f"got {sorted(ks)}. Evaluate every fold with the same k."
            )
        scored = [r for r in reports if r.n_queries > 0]
        n_queries = sum(r.n_queries for r in scored)
        weights = np.array([r.n_queries for r in scored], dtype=np.float64)
        rates = {
            name: float(np.dot(weights, [getattr(r, name) for r in scored]) / n_queries)
            if n_queries
            else float("nan")
            for name in _RATES
        }
        return cls(
            n_queries=n_queries,
            n_skipped=sum(r.n_skipped for r in reports),
            k=reports[0].k,
            fit_seconds=sum(r.fit_seconds for r in reports),
            predict_seconds=sum(r.predict_seconds for r in reports),
            **rates,
        )
