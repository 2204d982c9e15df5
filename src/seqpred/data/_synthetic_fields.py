"""A synthetic source of events with fields, where the fields matter.

:class:`FieldMarkovSource` draws sessions whose next item depends on the
current item, the current step's category (a per-step field, drawn afresh at
every step, so the items alone cannot tell it) and the session's segment (a
static field). The exact next-item law of any prefix is known, hence the
Bayes-optimal accuracy with and without the fields. Re-exported by
:mod:`seqpred.data.synthetic`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._params import check_int, check_real
from seqpred._typing import Array, RandomStateLike
from seqpred.base import check_random_state
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import DataError

__all__ = ["FieldMarkovSource"]


class FieldMarkovSource:
    """Sessions whose next item depends on the item, its category and a segment.

    A session has a **segment** ``s`` (a static field, uniform over
    ``n_segments``); each step has an **item** ``x_t`` and a **category**
    ``c_t`` (a per-step field, uniform over ``n_categories`` and independent
    of everything before it). The next item is drawn from
    ``P(x_{t+1} | x_t, c_t, s)``, one Dirichlet(``concentration``) row per
    ``(s, x, c)``: with a small concentration, knowing the category and the
    segment makes the next item nearly certain, while the item history alone
    leaves it spread over the categories' choices.

    Parameters
    ----------
    n_items : int, default=8
        Items ``"i0" .. "i{n-1}"`` (>= 2).
    n_categories : int, default=4
        Categories ``"c0" ..`` of the per-step field ``"category"`` (>= 1).
    n_segments : int, default=2
        Segments ``"s0" ..`` of the static field ``"segment"`` (>= 1).
    concentration : float, default=0.1
        Dirichlet concentration (> 0); smaller is more peaked.
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the transition table (and of :meth:`sample` without a seed).

    Attributes
    ----------
    transition_table : ndarray of shape (S, n_items, C, n_items)
        Read-only ``P(next item | segment, item, category)``.

    Examples
    --------
    >>> source = FieldMarkovSource(n_items=4, n_categories=2, random_state=0)
    >>> ss = source.sample(3, 5, random_state=1)
    >>> ss.lengths.tolist(), list(ss.fields), list(ss.static)
    ([5, 5, 5], ['category'], ['segment'])
    >>> source.next_proba(ss).shape
    (3, 4)
    >>> source.bayes_accuracy() > source.bayes_accuracy(fields=False)
    True
    """

    def __init__(
        self,
        n_items: int = 8,
        n_categories: int = 4,
        n_segments: int = 2,
        concentration: float = 0.1,
        random_state: RandomStateLike = None,
    ) -> None:
        who = "FieldMarkovSource"
        check_int(who, "n_items", n_items, low=2, default=8)
        check_int(who, "n_categories", n_categories, low=1, default=4)
        check_int(who, "n_segments", n_segments, low=1, default=2)
        check_real(who, "concentration", concentration, low=0, strict=True, default=0.1)
        self.n_items = int(n_items)
        self.n_categories = int(n_categories)
        self.n_segments = int(n_segments)
        self.concentration = float(concentration)
        self._rng = check_random_state(random_state)
        shape = (self.n_segments, self.n_items, self.n_categories)
        alpha = np.full(self.n_items, self.concentration)
        table = self._rng.dirichlet(alpha, size=shape)  # (S, X, C, X)
        table = np.maximum(table, 1e-12)
        table /= table.sum(axis=-1, keepdims=True)
        table.flags.writeable = False
        self._table = table

    def __repr__(self) -> str:
        return (
            f"FieldMarkovSource(n_items={self.n_items}, n_categories="
            f"{self.n_categories}, n_segments={self.n_segments}, "
            f"concentration={self.concentration!r})"
        )

    @property
    def transition_table(self) -> Array:
        """``P(next item | segment, item, category)``, shape ``(S, X, C, X)``."""
        return self._table

    def sample(
        self,
        n_sequences: int,
        length: int,
        *,
        random_state: RandomStateLike = None,
    ) -> SequenceSet:
        """Draw sessions: items with a ``category`` field and a ``segment`` static.

        Parameters
        ----------
        n_sequences : int
            Number of sessions (>= 1).
        length : int
            Steps per session (>= 1).
        random_state : None, int or numpy.random.Generator, default=None
            Seed; ``None`` continues the source's own stream.

        Returns
        -------
        SequenceSet
            Items ``"i0" ..``, the per-step field ``"category"`` and the
            static field ``"segment"``.
        """
        who = "FieldMarkovSource.sample"
        check_int(who, "n_sequences", n_sequences, low=1, default=100)
        check_int(who, "length", length, low=1, default=20)
        rng = self._rng if random_state is None else check_random_state(random_state)
        n = int(n_sequences)
        segment = rng.integers(self.n_segments, size=n)
        category = rng.integers(self.n_categories, size=(n, length))
        items = np.empty((n, length), dtype=np.int64)
        items[:, 0] = rng.integers(self.n_items, size=n)
        cdf = np.cumsum(self._table, axis=-1)
        for t in range(1, length):  # vectorised over the sessions
            rows = cdf[segment, items[:, t - 1], category[:, t - 1]]  # (N, X)
            drawn = (rows <= rng.random(n)[:, None]).sum(axis=1)
            items[:, t] = np.minimum(drawn, self.n_items - 1)
        return SequenceSet.from_lists(
            [[f"i{x}" for x in row] for row in items.tolist()],
            fields={"category": [[f"c{c}" for c in row] for row in category.tolist()]},
            static={"segment": [f"s{s}" for s in segment.tolist()]},
        )

    def _codes(self, ss: SequenceSet) -> tuple[Array, Array, Array]:
        """Return each sequence's last item, last category and segment as ints."""
        if ss.fields is None or ss.static is None or len(ss) == 0:
            raise DataError(
                "FieldMarkovSource: expected non-empty sessions from sample(), with "
                "the field 'category' and the static field 'segment'."
            )
        if (ss.lengths == 0).any():
            raise DataError("FieldMarkovSource: every session needs an item.")
        last = ss.offsets[1:] - 1

        def code(symbols: list[Any]) -> Array:
            return np.array([int(str(s)[1:]) for s in symbols], dtype=np.int64)

        assert ss.vocabulary is not None
        items = code(ss.vocabulary.decode(ss.values[last]))
        categories = code([ss.fields.decode("category")[i] for i in last.tolist()])
        segments = code(ss.static.decode("segment"))
        return items, categories, segments

    def next_proba(self, ss: SequenceSet) -> Array:
        """Return the true law of the next item after each session, ``(N, n_items)``.

        Columns are the items ``"i0" .. "i{n-1}"`` in order.
        """
        items, categories, segments = self._codes(ss)
        return np.asarray(self._table[segments, items, categories])

    def _stationary(self) -> Array:
        """Return the stationary law of the item for each segment, ``(S, X)``."""
        chain = self._table.mean(axis=2)  # (S, X, X): categories averaged out
        out = np.empty((self.n_segments, self.n_items))
        for s in range(self.n_segments):
            values, vectors = np.linalg.eig(chain[s].T)
            v = np.real(vectors[:, np.argmin(np.abs(values - 1.0))])
            out[s] = v / v.sum()
        return out

    def bayes_accuracy(self, *, fields: bool = True) -> float:
        """Return the best achievable next-item accuracy (stationary, exact).

        With ``fields``, the predictor knows the item, its category and the
        segment: ``E[max_x P(x | item, category, segment)]``. Without, it
        knows the item and the segment only (a bound that a model of the
        item history alone cannot beat, as it can at best infer the segment):
        ``E[max_x mean_c P(x | item, c, segment)]``.
        """
        pi = self._stationary() / self.n_segments  # (S, X): P(segment, item)
        if fields:
            best = self._table.max(axis=-1).mean(axis=2)  # (S, X)
        else:
            best = self._table.mean(axis=2).max(axis=-1)  # (S, X)
        return float((pi * best).sum())
