"""SeriesPanel: numeric series that scikit-learn indexes by time step.

scikit-learn's ``cross_val_score`` and ``GridSearchCV`` cut ``X`` along its
first axis. For a list of series that axis is the series, so a forecaster
could only be validated on whole unseen series. A :class:`SeriesPanel`
turns the first axis into **time**: ``len(panel)`` is the number of time
steps and ``panel[steps]`` keeps every series but only those steps, so a
splitter over time steps (:class:`~seqpred.data.cv.ExpandingWindowSplit`,
or scikit-learn's ``TimeSeriesSplit``) gives each fold a training block and
the steps that follow it. Forecasters read a panel in ``fit`` (the selected
block is the training data) and in ``score`` (the selected steps are the
targets, every step before them the history).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError

__all__ = ["SeriesPanel"]


class SeriesPanel:
    """Numeric series seen by scikit-learn as rows of time steps.

    Series of different lengths are aligned at their **ends** (their last
    steps are simultaneous, as in a panel observed up to today): with ``T``
    the length of the longest series, series ``i`` of length ``L_i`` covers
    time steps ``[T - L_i, T)``.

    Parameters
    ----------
    series : list of arrays or lists, or SequenceSet
        Numeric series, each 1-D or ``(steps, features)``; ids travel along.

    Attributes
    ----------
    series : SequenceSet
        All the series, whatever is selected.
    steps : ndarray of int64
        The selected time steps (indices into ``[0, T)``), sorted; all of them
        for a new panel.
    n_steps : int
        ``T``, the length of the longest series.

    Notes
    -----
    Indexing follows NumPy (ints, slices, integer arrays, boolean masks), so
    scikit-learn's ``_safe_indexing`` treats a panel like a 1-D array;
    indices are positions among the selected steps, so a selection of a
    selection (nested cross-validation) works. Rules that keep the future
    out of training, checked when a forecaster reads a selection:

    - ``fit`` needs one contiguous block of steps, and a block that is not
      the whole panel it was taken from must end before that panel's last
      step (so the test steps can follow it). A shuffled or k-fold split of
      time steps is refused.
    - ``score`` needs one contiguous block in which every series has started,
      with at least one step of every series before it (the history).

    Examples
    --------
    >>> panel = SeriesPanel([[1.0, 2.0, 3.0, 4.0, 5.0], [10.0, 20.0, 30.0]])
    >>> len(panel), panel.n_steps
    (5, 5)
    >>> train, test = panel[:3], panel[3:5]
    >>> train
    SeriesPanel(2 series, steps 0..2 of 5)
    >>> train.training_series().to_lists()
    [[1.0, 2.0, 3.0], [10.0]]
    >>> histories, targets = test.histories_and_targets()
    >>> histories.to_lists(), targets[:, :, 0].tolist()
    ([[1.0, 2.0, 3.0], [10.0]], [[4.0, 5.0], [20.0, 30.0]])
    """

    __slots__ = ("series", "steps", "n_steps", "_parent")

    def __init__(self, series: Any) -> None:
        ss = as_sequence_set(series, kind="numeric", owner="SeriesPanel")
        if len(ss) == 0 or ss.n_steps == 0:
            raise DataError(
                "SeriesPanel: expected at least one non-empty numeric series; got "
                f"{len(ss)} series with {ss.n_steps} steps in all. Pass [series, ...]."
            )
        self.series = ss
        self.n_steps = int(ss.lengths.max())
        self.steps = np.arange(self.n_steps, dtype=np.int64)
        self._parent = (0, self.n_steps)

    @classmethod
    def _selected(
        cls, of: SeriesPanel, steps: Array, parent: tuple[int, int]
    ) -> SeriesPanel:
        panel = cls.__new__(cls)
        panel.series = of.series
        panel.n_steps = of.n_steps
        panel.steps = steps
        panel._parent = parent
        return panel

    # -- the array-like face scikit-learn sees
    @property
    def shape(self) -> tuple[int]:
        """``(number of selected steps,)``: scikit-learn counts samples from it."""
        return (len(self.steps),)

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, key: Any) -> SeriesPanel:
        """Return the panel restricted to the selected steps at positions ``key``."""
        if isinstance(key, tuple):  # scikit-learn indexes arrays as X[key, ...]
            if len(key) != 2 or key[1] is not Ellipsis:
                raise IndexError(
                    f"SeriesPanel: a panel is indexed along time only; got {key!r}."
                )
            key = key[0]
        picked = np.atleast_1d(self.steps[key]).astype(np.int64)
        parent = (int(self.steps[0]), int(self.steps[-1]) + 1) if len(self) else (0, 0)
        return SeriesPanel._selected(self, np.sort(picked), parent)

    def __repr__(self) -> str:
        if not len(self):
            chosen = "no steps"
        elif self.is_contiguous:
            chosen = f"steps {self.steps[0]}..{self.steps[-1]}"
        else:
            chosen = f"{len(self)} scattered steps"
        return f"SeriesPanel({len(self.series)} series, {chosen} of {self.n_steps})"

    # -- what forecasters read
    @property
    def is_whole(self) -> bool:
        """Whether every time step is selected (the panel is just its series)."""
        return len(self.steps) == self.n_steps and self.is_contiguous

    @property
    def is_contiguous(self) -> bool:
        """Whether the selected steps form one block without gaps or repeats."""
        return len(self.steps) > 0 and bool(np.all(np.diff(self.steps) == 1))

    @property
    def starts(self) -> Array:
        """The time step at which each series starts (``T - L_i``)."""
        starts: Array = self.n_steps - self.series.lengths
        return starts

    def _block(self, owner: str, use: str) -> tuple[int, int]:
        if not self.is_contiguous:
            raise DataError(
                f"{owner}: {use} needs one contiguous block of time steps; got "
                f"{self!r}. Split a SeriesPanel with ExpandingWindowSplit (or "
                "scikit-learn's TimeSeriesSplit), not with a shuffled or k-fold "
                "splitter."
            )
        return int(self.steps[0]), int(self.steps[-1]) + 1

    def training_series(self, owner: str = "SeriesPanel") -> SequenceSet:
        """Return every series cut to the selected block: the data to fit on.

        Raises
        ------
        DataError
            If the selection is not one block, if it ends at the last step of
            the panel it was taken from without being all of it (its test
            steps would lie in the past), or if a series has no step in it.
        """
        if self.is_whole:
            return self.series
        start, stop = self._block(owner, "fit")
        if stop == self._parent[1] and start != self._parent[0]:
            raise DataError(
                f"{owner}: the training steps {start}..{stop - 1} reach the end of "
                f"the data (step {stop - 1}), so the test steps would come before "
                "them; got a k-fold style split of time. Use ExpandingWindowSplit "
                "(or scikit-learn's TimeSeriesSplit) so training always precedes "
                "testing."
            )
        return self._cut(start, stop, owner, "training")

    def histories_and_targets(
        self, owner: str = "SeriesPanel"
    ) -> tuple[SequenceSet, Array]:
        """Return each series' steps before the block and the block's values.

        Returns
        -------
        histories : SequenceSet
            Every step of each series before the selected block.
        targets : ndarray of shape (N, h, F)
            The ``h`` selected steps of each of the ``N`` series.

        Raises
        ------
        DataError
            If the selection is not one block, or a series has no step before
            it (so no history to forecast from).
        """
        start, stop = self._block(owner, "score")
        late = np.flatnonzero(self.starts >= start)
        if len(late):
            i = int(late[0])
            raise DataError(
                f"{owner}: series {i} starts at time step {int(self.starts[i])}, so "
                f"it has no history before the test steps {start}..{stop - 1}. "
                "Use ExpandingWindowSplit with fewer splits or a shorter horizon "
                "(it checks every series), or drop the short series."
            )
        histories = self.series.slice_steps(0, start - self.starts)
        block = self._cut(start, stop, owner, "test")
        targets = block.values.reshape(len(block), stop - start, block.n_features)
        return histories, targets

    def _cut(self, start: int, stop: int, owner: str, part: str) -> SequenceSet:
        """Each series restricted to time steps ``[start, stop)``."""
        lo = np.maximum(start - self.starts, 0)
        hi = stop - self.starts
        empty = np.flatnonzero(hi <= lo)
        if len(empty):
            i = int(empty[0])
            raise DataError(
                f"{owner}: series {i} has no step in the {part} steps "
                f"{start}..{stop - 1} (it starts at time step "
                f"{int(self.starts[i])}). Use ExpandingWindowSplit, which keeps "
                "every series in every block, or drop the short series."
            )
        return self.series.slice_steps(lo, hi)
