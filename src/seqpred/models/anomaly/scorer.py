"""SequenceAnomalyScorer: surprise under a sequence model, or forecast residuals."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import BaseEstimator, Tags, check_is_fitted, clone
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.validation import as_sequence_set
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.models.anomaly._residuals import fit_ar, standardised_residuals
from seqpred.models.anomaly._surprise import check_model, surprise
from seqpred.models.anomaly.base import AnomalyMixin

__all__ = ["SequenceAnomalyScorer"]


class SequenceAnomalyScorer(AnomalyMixin):
    """Score how surprising each sequence, and each position, is; flag outliers.

    Unsupervised: ``fit`` learns what normal looks like from (mostly) normal
    sequences and sets thresholds from their scores.

    * **Discrete event logs**: a probabilistic sequence model is fitted on
      the training logs; the score of a position is its surprise
      ``-log P(x_t | x_<t)`` in nats. Any model with ``log_proba`` (PPM,
      NeuralLanguageModel) or a next-symbol ``predict_proba``
      (MarkovPredictor, CPT, ...) serves.
    * **Numeric streams**: a one-step forecast (last value, rolling mean or
      an AR model) gives a residual at every step; the residual is
      standardised online by the mean and standard deviation of the previous
      ``window`` residuals, and the score is its absolute z-score.

    A sequence's score is the mean or the maximum of its position scores.

    Parameters
    ----------
    model : seqpred estimator or None, default=None
        The sequence model for discrete data; ``None`` uses
        ``PPM(max_order=3, escape="C", exclusion=True)``. Must be ``None``
        for numeric data (use ``forecaster``).
    prefit : bool, default=False
        Use ``model`` as already fitted (``fit`` then only sets thresholds);
        otherwise ``fit`` trains a clone of it.
    aggregate : {"mean", "max"}, default="mean"
        How :meth:`score_samples` summarises a sequence's position scores.
    contamination : float in (0, 0.5] or None, default=None
        Expected fraction of anomalies in the training data: the thresholds
        flag that fraction of the training scores. ``None`` uses
        ``false_positive_rate``.
    false_positive_rate : float in (0, 0.5], default=0.01
        With ``contamination=None``: the training data are taken as normal
        and the thresholds flag this fraction of them (the target false
        positive rate).
    forecaster : {"last", "rolling_mean", "ar"}, default="ar"
        Numeric one-step forecast: the previous value, the mean of the
        previous ``window`` values, or an AR(``ar_order``) model with
        intercept fitted by least squares on the training series.
    window : int, default=100
        Steps of history for the rolling mean forecast and for the online
        standardisation of residuals.
    ar_order : int, default=5
        Lags of the AR forecaster.

    Attributes
    ----------
    kind_ : {"discrete", "numeric"}
        The kind of the training data.
    model_ : estimator
        The fitted sequence model (discrete data).
    ar_coef_ : ndarray of shape (ar_order + 1, F)
        Intercept and lag weights (numeric data, ``forecaster="ar"``).
    residual_floor_ : ndarray of shape (F,)
        Smallest standard deviation used to standardise residuals.
    n_features_ : int
        Channels of the training series (numeric data).
    threshold_ : float
        Sequence scores above this are flagged by :meth:`predict`.
    position_threshold_ : float
        Position scores above this are flagged by :meth:`predict_positions`.
    train_scores_ : ndarray of shape (N,)
        The sequence scores of the training data.

    Notes
    -----
    Surprise needs one pass of the model over the data (with
    ``predict_proba`` only, one query per position: quadratic in sequence
    length for models that read the whole prefix). The numeric path costs
    ``O(T · window)`` per series and only looks backwards, so its scores can
    be computed online. Thresholds are quantiles of training scores, so a
    training set with more anomalies than ``contamination`` says moves them
    up. Probabilities are floored at ``1e-9`` (20.7 nats): an impossible
    symbol is very surprising, not infinitely so.

    References
    ----------
    .. [1] V. Chandola, A. Banerjee, V. Kumar, "Anomaly detection for
       discrete sequences: a survey", IEEE TKDE 24(5), 2012 (section 5,
       Markovian techniques).
    .. [2] A. Lavin, S. Ahmad, "Evaluating real-time anomaly detection
       algorithms: the Numenta Anomaly Benchmark", ICMLA 2015.

    Examples
    --------
    >>> normal = ["abcabcabcabc", "abcabcabc", "abcabcabcabcabc"] * 5
    >>> scorer = SequenceAnomalyScorer(contamination=0.1).fit(normal)
    >>> scores = scorer.score_samples(["abcabcabc", "abccbaacb"])
    >>> bool(scores[1] > scores[0])
    True
    >>> scorer.predict(["abcabcabc", "abccbaacb"]).tolist()
    [0, 1]
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "model": [None, BaseEstimator],
        "prefit": [bool],
        "aggregate": [Options({"mean", "max"})],
        "contamination": [None, Interval(float, 0, 0.5, closed="right")],
        "false_positive_rate": [Interval(float, 0, 0.5, closed="right")],
        "forecaster": [Options({"last", "rolling_mean", "ar"})],
        "window": [Interval(int, 2, None)],
        "ar_order": [Interval(int, 1, None)],
    }
    _tags: ClassVar[Tags] = Tags(probabilistic=False)

    def __init__(
        self,
        model: Any = None,
        *,
        prefit: bool = False,
        aggregate: str = "mean",
        contamination: float | None = None,
        false_positive_rate: float = 0.01,
        forecaster: str = "ar",
        window: int = 100,
        ar_order: int = 5,
    ) -> None:
        self.model = model
        self.prefit = prefit
        self.aggregate = aggregate
        self.contamination = contamination
        self.false_positive_rate = false_positive_rate
        self.forecaster = forecaster
        self.window = window
        self.ar_order = ar_order

    # -- fitting
    def fit(self, X: Any, y: None = None) -> SequenceAnomalyScorer:
        """Learn normal behaviour from training sequences and set thresholds.

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or list of arrays
            Training sequences: event logs (symbols) or numeric series.
        y : None
            Ignored (unsupervised).

        Returns
        -------
        self
        """
        self._validate_params()
        owner = type(self).__name__
        if self.model is not None:
            check_model(self.model, owner)
        ss = as_sequence_set(X, kind="auto", unknown="add", owner=owner)
        if ss.kind == "numeric" and self.model is not None:
            raise InvalidParameterError(
                f"{owner}: model={type(self.model).__name__} scores symbol "
                "sequences, but X holds numbers; numeric streams are scored by "
                "forecast residuals: leave model=None and choose forecaster."
            )
        if ss.n_steps == 0:
            raise DataError(
                f"{owner}: all training sequences are empty; pass sequences with "
                "at least one step."
            )
        self._reset()
        self.kind_ = ss.kind
        if ss.kind == "discrete":
            self._fit_discrete(X if self.prefit else ss)
        else:
            self._fit_numeric(ss)
        positions = self._position_scores(ss)
        self.train_scores_ = self._aggregate(positions)
        rate = (
            self.false_positive_rate
            if self.contamination is None
            else self.contamination
        )
        self.threshold_ = _upper_quantile(self.train_scores_, rate)
        self.position_threshold_ = _upper_quantile(np.concatenate(positions), rate)
        self._mark_fitted()
        return self

    def _fit_discrete(self, X: Any) -> None:
        if self.model is None:
            from seqpred.models.next_item.markov.ppm import PPM

            self.model_ = PPM(3, escape="C", exclusion=True).fit(X)
        elif self.prefit:
            check_is_fitted(self.model, "SequenceAnomalyScorer(prefit=True)")
            self.model_ = self.model
        else:
            self.model_ = clone(self.model).fit(X)  # type: ignore[attr-defined]

    def _fit_numeric(self, ss: SequenceSet) -> None:
        series = [np.asarray(ss[i], dtype=np.float64) for i in range(len(ss))]
        series = [s.reshape(len(s), -1) for s in series if len(s)]
        self.n_features_ = ss.n_features
        if self.forecaster == "ar":
            self.ar_coef_ = fit_ar(series, self.ar_order)
        flat = np.concatenate(series)  # (steps, F)
        spread = np.std(flat, axis=0)
        self.residual_floor_ = np.maximum(1e-3 * spread, 1e-9)

    # -- scoring
    def _queries(self, X: Any, method: str) -> SequenceSet:
        check_is_fitted(self, method)
        owner = type(self).__name__
        if self.kind_ == "discrete":
            return as_sequence_set(
                X, kind="discrete", unknown="add", owner=owner,
                allow_empty_input=True,
            )  # fmt: skip
        ss = as_sequence_set(X, kind="numeric", owner=owner, allow_empty_input=True)
        if len(ss) and ss.n_features != self.n_features_:
            raise DataError(
                f"{owner}: the scorer was fitted on {self.n_features_} channel(s); "
                f"got {ss.n_features}. Pass series with the training channels."
            )
        return ss

    def _position_scores(self, ss: SequenceSet) -> list[Array]:
        if len(ss) == 0:
            return []
        if self.kind_ == "discrete":
            return surprise(self.model_, ss.to_lists(), type(self).__name__)
        coef = getattr(self, "ar_coef_", None)
        out = []
        for i in range(len(ss)):
            x = np.asarray(ss[i], dtype=np.float64).reshape(int(ss.lengths[i]), -1)
            out.append(
                standardised_residuals(
                    x, self.forecaster, self.window, coef, self.residual_floor_
                )
                if len(x)
                else np.zeros(0)
            )
        return out

    def _aggregate(self, positions: list[Array]) -> Array:
        reduce = np.mean if self.aggregate == "mean" else np.max
        return np.array([float(reduce(p)) if len(p) else 0.0 for p in positions])

    def score_positions(self, X: Any) -> list[Array]:
        """Return, per sequence, the anomaly score of every position (higher = odder).

        Parameters
        ----------
        X : SequenceSet, list of lists, list of strings or list of arrays
            Sequences of the kind seen in training.

        Returns
        -------
        list of ndarray
            One float array per sequence, as long as the sequence: surprise in
            nats (discrete) or the absolute residual z-score (numeric).
        """
        return self._position_scores(self._queries(X, "score_positions"))

    def score_samples(self, X: Any) -> Array:
        """Return ``(N,)`` sequence scores: the mean or max of position scores.

        An empty sequence scores 0.
        """
        return self._aggregate(self.score_positions(X))

    def predict_positions(self, X: Any) -> list[Array]:
        """Return, per sequence, 0/1 flags: 1 above ``position_threshold_``."""
        return [
            (s > self.position_threshold_).astype(np.int64)
            for s in self.score_positions(X)
        ]


def _upper_quantile(scores: Array, rate: float) -> float:
    """Return the score above which at most a fraction ``rate`` of ``scores`` lies."""
    if scores.size == 0:
        raise InvalidParameterError(
            "SequenceAnomalyScorer: no training scores to set a threshold from; "
            "pass non-empty training sequences."
        )
    return float(np.quantile(scores, 1.0 - rate, method="higher"))
