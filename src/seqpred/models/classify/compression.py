"""CompressionClassifier: one PPM model per class and Bayes' rule."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from seqpred._params import Interval, Options
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.models.classify._linear import fit_temperature
from seqpred.models.classify.base import ClassifierMixin
from seqpred.models.next_item.markov.ppm import PPM

__all__ = ["CompressionClassifier"]


class CompressionClassifier(ClassifierMixin):
    """Classify symbol sequences by which class's PPM model compresses them best.

    One variable-order Markov model (:class:`~seqpred.models.next_item.markov.PPM`) is
    fitted per class on a shared vocabulary. A sequence ``x`` gets the score
    ``log P(c) + log P(x | c) / T`` per class ``c`` (Bayes' rule with a
    tempered likelihood), and ``predict_proba`` is the softmax of the scores.

    Parameters
    ----------
    max_order : int, default=3
        Longest context of each class's PPM.
    escape : {"A", "B", "C", "D"}, default="C"
        PPM escape method (see :class:`~seqpred.models.next_item.markov.PPM`).
    exclusion : bool, default=True
        PPM exclusion; with ``escape="C"`` this is the PPM-C of compressors.
    prior : {"empirical", "uniform"}, default="empirical"
        Class priors: training frequencies, or equal.
    calibration : {"temperature", "none"}, default="temperature"
        ``"temperature"`` learns ``T`` on held-out training data: the
        sequences of each class are split by parity of their index, models
        fitted on one half score the other (both ways), and ``T`` minimises
        the cross-entropy of those out-of-sample posteriors. ``"none"`` keeps
        ``T = 1`` (plain Bayes' rule, usually overconfident on long inputs).

    Attributes
    ----------
    classes_ : ndarray of shape (C,)
        Sorted class labels.
    class_counts_ : ndarray of shape (C,)
        Training sequences per class.
    vocabulary_ : Vocabulary
        The training symbols, shared by the class models.
    models_ : list of PPM
        One fitted model per class, in ``classes_`` order.
    log_prior_ : ndarray of shape (C,)
        Log class priors.
    temperature_ : float
        The likelihood temperature ``T``.

    Notes
    -----
    Cost: ``C`` PPM fits (three times as many with calibration) and ``C``
    scoring passes per prediction, each ``O(steps · (V + max_order))``. A
    prefix is scored exactly like a whole sequence, so predictions on
    prefixes are honest posteriors given the symbols seen; the empty
    sequence gets the prior. Symbols unseen in training get each model's
    order -1 (uniform) share, so they do not favour a class.

    References
    ----------
    .. [1] E. Frank, C. Chui, I. Witten, "Text categorization using
       compression models", DCC 2000.
    .. [2] R. Begleiter, R. El-Yaniv, G. Yona, "On prediction using variable
       order Markov models", JAIR 22, 2004 (section 6, classification).

    Examples
    --------
    >>> X = ["abababab", "abababba", "aabbaabb", "aabbabab"] * 3
    >>> y = ["alt", "alt", "pairs", "pairs"] * 3
    >>> model = CompressionClassifier(max_order=2).fit(X, y)
    >>> model.predict(["abab", "aabbaa"]).tolist()
    ['alt', 'pairs']
    >>> model.predict_proba(["abab"]).shape
    (1, 2)
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "max_order": [Interval(int, 1, None)],
        "escape": [Options({"A", "B", "C", "D"})],
        "exclusion": [bool],
        "prior": [Options({"empirical", "uniform"})],
        "calibration": [Options({"temperature", "none"})],
    }
    _tags: ClassVar[Tags] = Tags()

    def __init__(
        self,
        max_order: int = 3,
        *,
        escape: str = "C",
        exclusion: bool = True,
        prior: str = "empirical",
        calibration: str = "temperature",
    ) -> None:
        self.max_order = max_order
        self.escape = escape
        self.exclusion = exclusion
        self.prior = prior
        self.calibration = calibration

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"max_order": 2}, {"max_order": 1, "calibration": "none"}]

    def _class_models(self, ss: SequenceSet, y: Array) -> list[PPM]:
        models = []
        for c in range(len(self.classes_)):
            model = PPM(self.max_order, escape=self.escape, exclusion=self.exclusion)
            model.fit(ss.take(np.flatnonzero(y == c)))
            models.append(model)
        return models

    @staticmethod
    def _log_likelihoods(models: list[PPM], ss: SequenceSet) -> Array:
        """``(N, C)`` natural-log likelihood of each sequence under each model."""
        out = np.zeros((len(ss), len(models)))
        starts = ss.offsets[:-1]
        nonempty = ss.lengths > 0
        for c, model in enumerate(models):
            per_step = np.concatenate([*model.log_proba(ss), np.zeros(0)])
            if per_step.size:
                sums = np.add.reduceat(per_step, starts[nonempty])
                out[nonempty, c] = sums
        return out

    def _fit(self, ss: SequenceSet, y: Array) -> None:
        counts = self.class_counts_
        if self.prior == "uniform":
            self.log_prior_ = np.full(len(counts), -np.log(len(counts)))
        else:
            self.log_prior_ = np.log(counts / counts.sum())
        self.temperature_ = 1.0
        if self.calibration == "temperature" and counts.min() >= 2:
            self.temperature_ = self._learn_temperature(ss, y)
        self.models_ = self._class_models(ss, y)

    def _learn_temperature(self, ss: SequenceSet, y: Array) -> float:
        rank = np.empty(len(y), dtype=np.int64)  # index of each sequence in its class
        for c in range(len(self.classes_)):
            members = np.flatnonzero(y == c)
            rank[members] = np.arange(len(members))
        half = rank % 2
        held_out = np.zeros((len(y), len(self.classes_)))
        for part in (0, 1):
            fit_on, score_on = (
                np.flatnonzero(half == part),
                np.flatnonzero(half != part),
            )
            models = self._class_models(ss.take(fit_on), y[fit_on])
            held_out[score_on] = self._log_likelihoods(models, ss.take(score_on))
        return fit_temperature(held_out, y, offset=self.log_prior_)

    def _decision(self, ss: SequenceSet) -> Array:
        loglik = self._log_likelihoods(self.models_, ss)
        out: Array = self.log_prior_ + loglik / self.temperature_
        return out
