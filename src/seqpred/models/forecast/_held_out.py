"""What a forecaster fits on and is scored on when scikit-learn passes only ``X``.

scikit-learn's ``cross_val_score`` calls ``fit(X_train)`` and
``score(X_test)`` with no ``y`` when none was given. The future values then
come from ``X`` itself:

- a :class:`~seqpred.data.panel.SeriesPanel` selection (from
  :class:`~seqpred.data.cv.ExpandingWindowSplit`): ``fit`` reads the
  selected block of every series; ``score`` forecasts the selected steps
  from every step before them;
- a list of series (whole series split into folds by
  :class:`~seqpred.data.cv.SequenceKFold`): ``score`` forecasts the last
  ``h`` steps of each series from the steps before them, as a next-item
  model's ``score`` predicts each sequence's last item.
"""

from __future__ import annotations

from typing import Any

from seqpred._typing import Array
from seqpred.data.panel import SeriesPanel
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError, InvalidParameterError

__all__ = ["own_targets", "training_data", "unpanel"]


def _refuse_features(covariates: Any, static: Any, owner: str) -> None:
    if covariates is not None or static is not None:
        raise InvalidParameterError(
            f"{owner}: covariates and static features cannot follow a SeriesPanel "
            "through scikit-learn's splits; got them with a panel. Use "
            "seqpred.evaluate.forecast.backtest, or drop them."
        )


def training_data(X: Any, covariates: Any, static: Any, owner: str) -> Any:
    """Return what ``fit`` learns from: a panel's selected block, else ``X``."""
    if not isinstance(X, SeriesPanel):
        return X
    if X.is_whole:
        return X.series
    _refuse_features(covariates, static, owner)
    return X.training_series(owner)


def unpanel(X: Any, method: str, owner: str) -> Any:
    """Return the series of a whole panel; refuse a selection outside ``score``."""
    if not isinstance(X, SeriesPanel):
        return X
    if X.is_whole:
        return X.series
    raise DataError(
        f"{owner}: {method} got a selection of a SeriesPanel ({X!r}); only fit, "
        "and score without y, read selections (scikit-learn's folds: the "
        "selected steps are the targets). To forecast, pass the histories: "
        "panel.series, or a list of series."
    )


def own_targets(
    X: Any, horizon: int, covariates: Any, static: Any, owner: str
) -> tuple[SequenceSet, Array]:
    """Return ``(histories, targets (N, h, F))`` taken from ``X`` when ``y`` is None.

    A panel selection gives its steps as targets (``h`` = their number);
    anything else gives the last ``horizon`` steps of each series.
    """
    if isinstance(X, SeriesPanel) and not X.is_whole:
        _refuse_features(covariates, static, owner)
        return X.histories_and_targets(owner)
    ss = as_sequence_set(unpanel(X, "score", owner), kind="numeric", owner=owner)
    short = [i for i, n in enumerate(ss.lengths.tolist()) if n <= horizon]
    if short:
        raise DataError(
            f"{owner}.score: without y, the last {horizon} step(s) of each series "
            "are the targets and the steps before them the history; series "
            f"{short[0]} has only {int(ss.lengths[short[0]])} step(s). Pass longer "
            "series, or the future values as y."
        )
    histories = ss.slice_steps(0, -horizon)
    future = ss.slice_steps(-horizon, None)
    return histories, future.values.reshape(len(ss), horizon, ss.n_features)
