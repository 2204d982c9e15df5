"""Cross-validation splitters that respect order, for scikit-learn's ``cv=``.

Both follow scikit-learn's splitter protocol (``split(X, y=None,
groups=None)`` yielding ``(train_idx, test_idx)``, and ``get_n_splits``)
without importing scikit-learn, and work in seqpred's own loops too:

- :class:`SequenceKFold` puts whole sequences in folds, so no sequence is
  in both parts. With next-item models (whose ``score`` predicts each test
  sequence's last item from the items before it), classifiers and seq2seq
  models this gives honest scores.
- :class:`ExpandingWindowSplit` splits the time steps of a
  :class:`~seqpred.data.panel.SeriesPanel`: each fold trains on every
  series' steps before a cut and tests on the ``horizon`` steps after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from seqpred._params import check_bool, check_int
from seqpred._typing import Array, RandomStateLike
from seqpred.base import check_random_state
from seqpred.data.panel import SeriesPanel
from seqpred.data.splits import kfold_sequences
from seqpred.exceptions import DataError

__all__ = ["ExpandingWindowSplit", "SequenceKFold"]


class SequenceKFold:
    """K-fold cross-validation over whole sequences.

    Every sequence lands in exactly one test fold; fold sizes differ by at
    most one (the first folds take the extra sequences).

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds, at least 2 and at most the number of sequences.
    shuffle : bool, default=False
        Assign sequences to folds at random; ``False`` uses contiguous blocks
        in input order (as scikit-learn's ``KFold``).
    random_state : None, int or numpy.random.Generator, default=None
        Seed of the shuffle. An int gives the same folds at every ``split``
        call, which ``GridSearchCV`` needs to compare its candidates on the
        same folds; ``None`` draws new folds each time. Ignored when
        ``shuffle=False``.

    Raises
    ------
    InvalidParameterError
        If a parameter is invalid (checked when the splitter is made).

    See Also
    --------
    seqpred.data.splits.kfold_sequences : the same folds as a function.

    Examples
    --------
    >>> cv = SequenceKFold(3)
    >>> [test.tolist() for _, test in cv.split(["ab", "bc", "ca", "ab", "bc"])]
    [[0, 1], [2, 3], [4]]
    >>> folds = SequenceKFold(2, shuffle=True, random_state=0).split(range(4))
    >>> sorted(test.tolist() for _, test in folds)
    [[0, 2], [1, 3]]

    With scikit-learn (next-item models score each test sequence's last
    item from the items before it)::

        GridSearchCV(seqpred.create("markov"), {"order": [1, 2, 3]},
                     cv=SequenceKFold(5)).fit(sessions)
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        shuffle: bool = False,
        random_state: RandomStateLike = None,
    ) -> None:
        check_int("SequenceKFold", "n_splits", n_splits, low=2, default=5)
        check_bool("SequenceKFold", "shuffle", shuffle, default=False)
        if shuffle:
            check_random_state(random_state)  # a bad seed fails here, not later
        self.n_splits = int(n_splits)
        self.shuffle = shuffle
        self.random_state = random_state

    def __repr__(self) -> str:
        return (
            f"SequenceKFold(n_splits={self.n_splits}, shuffle={self.shuffle}, "
            f"random_state={self.random_state!r})"
        )

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Return the number of folds."""
        return self.n_splits

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[Array, Array]]:
        """Yield ``(train_idx, test_idx)``: sorted int64 indices of whole sequences.

        Parameters
        ----------
        X : SequenceSet, list of sequences or array of shape (N, ...)
            The sequences; only their number is used.
        y, groups : ignored
            Present for scikit-learn's splitter protocol.

        Raises
        ------
        DataError
            If ``X`` is a :class:`~seqpred.data.panel.SeriesPanel` (its rows
            are time steps, not sequences) or has fewer sequences than folds.
        """
        if isinstance(X, SeriesPanel):
            raise DataError(
                "SequenceKFold: got a SeriesPanel, whose rows are time steps, not "
                "sequences; splitting them into folds would train on the future. "
                "Use ExpandingWindowSplit for a panel, or pass the series "
                "themselves (panel.series) to fold whole series."
            )
        n = len(X)
        if n < self.n_splits:
            raise DataError(
                f"SequenceKFold: n_splits={self.n_splits} needs at least "
                f"{self.n_splits} sequences; got {n}. Use n_splits={max(2, n)} or "
                "pass more sequences."
            )
        return kfold_sequences(
            n, self.n_splits, shuffle=self.shuffle, random_state=self.random_state
        )


class ExpandingWindowSplit:
    """Rolling-origin folds over the time steps of a :class:`SeriesPanel`.

    Fold ``i`` cuts the panel at a time step; its training part is every
    step before the cut (all of them, or the last ``max_train_size``), its
    test part the ``horizon`` steps after it. Cuts move forward by ``step``;
    the last fold tests on the panel's last ``horizon`` steps. Series are
    aligned at their ends (see :class:`SeriesPanel`), and every series must
    have at least one step before the first cut, so every fold trains and
    tests on every series. Nothing at or after a cut is ever in training.

    Parameters
    ----------
    n_splits : int, default=5
        Number of folds (cuts), at least 1.
    horizon : int, default=1
        Test steps after each cut; forecasters are scored on all of them.
    step : int or None, default=None
        Steps between cuts; ``None`` means ``horizon``, so test parts tile.
    max_train_size : int or None, default=None
        Keep only the last ``max_train_size`` steps before each cut (a
        sliding window); ``None`` keeps all of them (an expanding window).

    Raises
    ------
    InvalidParameterError
        If a parameter is invalid (checked when the splitter is made).

    See Also
    --------
    seqpred.evaluate.forecast.backtest : the same origins, with point metrics.

    Examples
    --------
    >>> from seqpred.data.panel import SeriesPanel
    >>> panel = SeriesPanel([np.arange(10.0), np.arange(6.0)])
    >>> cv = ExpandingWindowSplit(n_splits=2, horizon=2)
    >>> [(train.tolist(), test.tolist()) for train, test in cv.split(panel)]
    [([0, 1, 2, 3, 4, 5], [6, 7]), ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])]
    """

    def __init__(
        self,
        n_splits: int = 5,
        *,
        horizon: int = 1,
        step: int | None = None,
        max_train_size: int | None = None,
    ) -> None:
        who = "ExpandingWindowSplit"
        check_int(who, "n_splits", n_splits, low=1, default=5)
        check_int(who, "horizon", horizon, low=1, default=1)
        check_int(
            who, "step", step, low=1, default=None, optional=True, hint="(= horizon)"
        )
        check_int(
            who, "max_train_size", max_train_size, low=1, default=None, optional=True
        )
        self.n_splits = int(n_splits)
        self.horizon = int(horizon)
        self.step = None if step is None else int(step)
        self.max_train_size = None if max_train_size is None else int(max_train_size)

    def __repr__(self) -> str:
        return (
            f"ExpandingWindowSplit(n_splits={self.n_splits}, horizon={self.horizon}"
            f", step={self.step}, max_train_size={self.max_train_size})"
        )

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Return the number of folds."""
        return self.n_splits

    def cuts(self, n_steps: int) -> list[int]:
        """Return the cut positions (first test step of each fold), oldest first."""
        stride = self.horizon if self.step is None else self.step
        return [
            n_steps - self.horizon - (self.n_splits - 1 - i) * stride
            for i in range(self.n_splits)
        ]

    def split(
        self, X: Any, y: Any = None, groups: Any = None
    ) -> Iterator[tuple[Array, Array]]:
        """Yield ``(train_idx, test_idx)``: positions among the panel's steps.

        Parameters
        ----------
        X : SeriesPanel
            The series, indexed by time step (``panel[train_idx]``).
        y, groups : ignored
            Present for scikit-learn's splitter protocol.

        Raises
        ------
        DataError
            If ``X`` is not a :class:`SeriesPanel`, or a series is too short
            for the folds (the message gives the length needed).
        """
        if not isinstance(X, SeriesPanel):
            raise DataError(
                "ExpandingWindowSplit: expected a SeriesPanel, whose rows are time "
                f"steps; got {type(X).__name__}. Splitting a list of series this "
                "way would cut whole series, not time. Wrap them: "
                "SeriesPanel(series)."
            )
        cuts = self.cuts(len(X))
        # position (among the selected steps) of each series' first step
        first = np.searchsorted(X.steps, X.starts)
        shortest = int(np.argmax(first))
        need = len(X) - cuts[0] + 1
        if cuts[0] <= int(first[shortest]):
            have = len(X) - int(first[shortest])
            raise DataError(
                f"ExpandingWindowSplit: series {shortest} has {have} step(s) in the "
                f"panel; {self.n_splits} fold(s) with horizon {self.horizon} "
                f"{'' if self.step is None else f'and step {self.step} '}"
                f"need at least {need} in every series (one before the first "
                "cut). Use fewer splits or a shorter horizon, or drop the short "
                "series."
            )
        return self._folds(cuts)

    def _folds(self, cuts: list[int]) -> Iterator[tuple[Array, Array]]:
        for cut in cuts:
            low = (
                0 if self.max_train_size is None else max(0, cut - self.max_train_size)
            )
            train = np.arange(low, cut, dtype=np.int64)
            yield train, np.arange(cut, cut + self.horizon, dtype=np.int64)
