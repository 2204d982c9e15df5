"""Blend: a weighted vote of next-item models, weights chosen on held-out data."""

from __future__ import annotations

from typing import Any, ClassVar, cast

import numpy as np

from seqpred._params import Interval, Options
from seqpred._registry import available, create
from seqpred._typing import Array
from seqpred.base import Tags
from seqpred.data.sequence_set import SequenceSet
from seqpred.exceptions import InvalidParameterError
from seqpred.models.next_item.base import NextItemMixin
from seqpred.models.next_item.ensemble._combine import (
    candidate_scores,
    simplex_grid,
    top_k_from_scores,
)

__all__ = ["Blend"]

DEFAULT_MODELS = ("markov", "ppm", "dg", "cpt+")


def _create(name: str) -> NextItemMixin:
    return cast(NextItemMixin, create(name))


class Blend(NextItemMixin):
    """Combine the ranked predictions of several next-item models.

    Each model proposes its ``n_candidates`` best next items with scores
    (normalised to sum to 1); a candidate's blended score is the weighted sum
    of its scores. The weights are chosen in ``fit`` to maximise top-1
    accuracy on held-out training sequences (every ``1 / validation_fraction``
    -th one, so no randomness is involved), then every model is refitted on
    all the training data.

    Parameters
    ----------
    models : tuple of str, default=None
        Registry names of the models to blend (``seqpred.available()``);
        ``None`` uses ``("markov", "ppm", "dg", "cpt+")``: contexts of
        several lengths, a look-ahead graph and similar-sequence voting.
    validation_fraction : float, default=0.2
        Share of training sequences held out to choose the weights.
    context_length : int, default=10
        Items before each held-out last item that form a validation query.
    n_candidates : int, default=20
        Candidates taken from each model per query.
    weight_steps : int, default=10
        Resolution of the weight grid: weights are multiples of
        ``1 / weight_steps`` that sum to 1.
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when no model proposes anything.
    on_unknown : {"ignore", "error"}, default="ignore"
        Unseen symbols in queries: passed to the models, or raise.

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        How often each id occurs in the training data.
    n_sequences_ : int
        Number of training sequences.
    models_ : list of estimators
        The fitted models, in the order of ``models``.
    weights_ : ndarray of shape (n_models,)
        The chosen weights.
    validation_accuracy_ : float
        Top-1 accuracy of the chosen blend on the held-out sequences (NaN
        when there were too few to hold any out; the weights are then equal).

    Notes
    -----
    ``fit`` costs about twice the models' fits (once on the reduced training
    set, once on all of it) plus one prediction per held-out sequence and a
    search over ``C(weight_steps + M - 1, M - 1)`` weight vectors, done with
    one matrix product. Prediction costs the sum of the models' predictions.
    A blend can only rank items that some model proposes.

    Examples
    --------
    >>> from seqpred.models.next_item import Blend
    >>> data = [["a", "b", "c"], ["a", "b", "d"], ["a", "b", "c"]] * 5
    >>> model = Blend(models=("markov", "dg")).fit(data)
    >>> model.predict([["a", "b"]])
    ['c']
    >>> float(model.weights_.sum())
    1.0
    """

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "models": [None, tuple, list],
        "validation_fraction": [Interval(float, 0, 0.5, closed="neither")],
        "context_length": [Interval(int, 1, None)],
        "n_candidates": [Interval(int, 1, None)],
        "weight_steps": [Interval(int, 1, 100)],
        "fallback": [None, str, int],
        "on_unknown": [Options({"ignore", "error"})],
    }
    _tags: ClassVar[Tags] = Tags()

    def __init__(
        self,
        models: tuple[str, ...] | None = None,
        *,
        validation_fraction: float = 0.2,
        context_length: int = 10,
        n_candidates: int = 20,
        weight_steps: int = 10,
        fallback: Any = None,
        on_unknown: str = "ignore",
    ) -> None:
        self.models = models
        self.validation_fraction = validation_fraction
        self.context_length = context_length
        self.n_candidates = n_candidates
        self.weight_steps = weight_steps
        self.fallback = fallback
        self.on_unknown = on_unknown

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"models": ("markov", "dg")}]

    def _model_names(self) -> tuple[str, ...]:
        names = tuple(DEFAULT_MODELS if self.models is None else self.models)
        known = available("next-item")
        bad = [n for n in names if not isinstance(n, str) or n not in known]
        if not names or bad or "blend" in names:
            raise InvalidParameterError(
                f"Blend: models must be a non-empty tuple of next-item model names "
                f"other than 'blend'; got {self.models!r}. Choose from "
                f"{sorted(set(known) - {'blend'})}."
            )
        return names

    # -- learning
    def _fit(self, ss: SequenceSet) -> None:
        names = self._model_names()
        step = max(2, round(1 / self.validation_fraction))
        held = np.zeros(len(ss), dtype=bool)
        held[::step] = True
        held &= ss.lengths >= 2
        self.weights_ = np.full(len(names), 1.0 / len(names))
        self.validation_accuracy_ = float("nan")
        if held.sum() >= 10 and (~held).sum() >= 10:
            self._choose_weights(names, ss[~held], ss[held])
        self.models_ = [_create(n).fit(ss) for n in names]

    def _choose_weights(
        self, names: tuple[str, ...], train: SequenceSet, held: SequenceSet
    ) -> None:
        """Grid-search the weights for top-1 accuracy on ``held``'s last items."""
        queries = held.slice_steps(-1 - self.context_length, -1)
        targets = held.values[held.offsets[1:] - 1]
        ids, scores = [], []
        for name in names:
            model = _create(name).fit(train)
            top, top_scores = model.predict_top_k_ids(queries, self.n_candidates)
            ids.append(top)
            scores.append(top_scores)
        candidates, per_model = candidate_scores(ids, scores)
        grid = simplex_grid(len(names), self.weight_steps)  # (G, M)
        combined = per_model @ grid.T  # (Q, C, G)
        combined = np.where((candidates >= 0)[:, :, None], combined, -1.0)
        best = np.take_along_axis(
            candidates[:, :, None], combined.argmax(axis=1)[:, None, :], axis=1
        )[:, 0, :]  # (Q, G)
        hits = (best == targets[:, None]).mean(axis=0)
        # prefer the most even weights among the best (a steadier choice)
        spread = grid.max(axis=1)
        choice = np.lexsort((spread, -hits))[0]
        self.weights_ = grid[choice]
        self.validation_accuracy_ = float(hits[choice])

    # -- the mixin's hooks
    def _top_k_ids(self, queries: SequenceSet, k: int) -> tuple[Array, Array]:
        ids, scores = [], []
        for model, weight in zip(self.models_, self.weights_):
            if weight == 0:
                continue
            top, top_scores = model.predict_top_k_ids(
                queries, max(k, self.n_candidates)
            )
            ids.append(top)
            scores.append(top_scores)
        used = self.weights_[self.weights_ > 0]
        candidates, per_model = candidate_scores(ids, scores)
        return top_k_from_scores(candidates, per_model @ used, k)

    def _proba(self, queries: SequenceSet) -> Array:
        proba = np.zeros((len(queries), self.vocabulary_.size))
        for model, weight in zip(self.models_, self.weights_):
            if weight > 0:
                proba[:, self.vocabulary_.n_reserved :] += weight * (
                    model.predict_proba(queries)
                )
        return proba

    def memory_bytes(self) -> int:
        """Bytes held by the fitted models' arrays."""
        return sum(m.memory_bytes() for m in self.models_) + super().memory_bytes()
