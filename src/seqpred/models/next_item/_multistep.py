"""Several steps ahead: the multi-step methods every next-item model inherits.

:class:`MultiStepMixin` is a base of
:class:`~seqpred.models.next_item.base.NextItemMixin`. It answers two
questions from a model's own next-step distribution (its ``_proba`` hook, or
``_next_step_proba`` where the model's ``_proba`` answers something else):

* :meth:`~MultiStepMixin.predict_next`: the ``k`` most probable
  continuations of ``steps`` items, with their joint probabilities (beam
  search, greedy or sampling; :mod:`~seqpred.models.next_item._continuation`);
* :meth:`~MultiStepMixin.predict_within`: the items most likely to appear
  anywhere in the next ``steps`` items (path enumeration with a bound, or
  Monte Carlo; :mod:`~seqpred.models.next_item._within`).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np

from seqpred._params import check_bool, check_int
from seqpred._typing import Array
from seqpred.base import check_random_state
from seqpred.data.sequence_set import SequenceSet
from seqpred.data.vocabulary import Vocabulary
from seqpred.exceptions import InvalidParameterError
from seqpred.models.next_item._continuation import (
    beam_search,
    greedy_search,
    sample_paths,
)
from seqpred.models.next_item._rollout import Rollout
from seqpred.models.next_item._within import within_enumerate, within_sample

__all__ = ["MultiStepMixin"]

_NEXT_METHODS = ("beam", "greedy", "sample")
_WITHIN_METHODS = ("auto", "enumerate", "sample")


def _check_method(owner: str, method: Any, allowed: tuple[str, ...]) -> None:
    if method not in allowed:
        raise InvalidParameterError(
            f"{owner}: method must be one of {list(allowed)}; got {method!r}. "
            f"Use method={allowed[0]!r}."
        )


class MultiStepMixin:
    """Multi-step predictions from a next-item model (see the module docstring)."""

    vocabulary_: Vocabulary

    def _queries(self, X: Any, method: str) -> SequenceSet:
        raise NotImplementedError  # NextItemMixin provides it

    def _multistep_args(
        self, method_name: str, steps: Any, k: Any, width: Any, n_samples: Any
    ) -> str:
        owner = f"{type(self).__name__}.{method_name}"
        check_int(owner, "steps", steps, low=1, default=3)
        check_int(owner, "k", k, low=1, default=5)
        check_int(
            owner, "beam_width", width, low=1, default=None, optional=True,
            hint="for the default",
        )  # fmt: skip
        check_int(
            owner, "n_samples", n_samples, low=1, default=None, optional=True,
            hint="for the default",
        )  # fmt: skip
        return owner

    # -- continuations
    def predict_next_ids(
        self,
        X: Any,
        steps: int = 3,
        k: int = 5,
        *,
        method: str = "beam",
        beam_width: int | None = None,
        n_samples: int | None = None,
        random_state: Any = None,
    ) -> tuple[Array, Array]:
        """Return the ``k`` most probable continuations as ids: ``(paths, probs)``.

        The fast path of :meth:`predict_next` (nothing decoded): ``paths`` of
        shape ``(N, k, steps)`` holds ids of ``vocabulary_`` (``-1`` where a
        query has fewer than ``k`` continuations) and ``probs`` of shape
        ``(N, k)`` their joint probabilities, sorted from most to least
        probable. The parameters are those of :meth:`predict_next`.
        """
        owner = self._multistep_args("predict_next", steps, k, beam_width, n_samples)
        _check_method(owner, method, _NEXT_METHODS)
        queries = self._queries(X, "predict_next")
        rollout = Rollout(self, queries)
        steps, k = int(steps), int(k)
        if method == "beam":
            width = max(int(beam_width or 0), k) if beam_width else max(4 * k, 20)
            return beam_search(rollout, steps, k, width)
        if method == "greedy":
            return greedy_search(rollout, steps, k)
        rng = check_random_state(random_state)
        samples = int(n_samples) if n_samples else max(100, 20 * k)
        return sample_paths(rollout, steps, k, samples, rng)

    def predict_next(
        self,
        X: Any,
        steps: int = 3,
        k: int = 5,
        *,
        method: str = "beam",
        beam_width: int | None = None,
        n_samples: int | None = None,
        random_state: Any = None,
    ) -> list[list[tuple[list[Hashable], float]]]:
        """Return the ``k`` most probable continuations of ``steps`` items per query.

        The probability of a continuation ``x_1 .. x_n`` is the chain rule
        over the model's own next-step distribution, each step conditioned
        on the query and the items chosen before it:
        ``P(x_1 | q) P(x_2 | q x_1) ... P(x_n | q x_1 .. x_{n-1})``.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The queries (prefixes) to continue.
        steps : int, default=3
            Items in each continuation.
        k : int, default=5
            Continuations per query.
        method : {"beam", "greedy", "sample"}, default="beam"
            ``"beam"``: beam search keeping the ``beam_width`` most probable
            partial continuations of each query (exact when the beam holds
            every path of non-zero probability). ``"greedy"``: each of the
            ``k`` likeliest first items continued by the likeliest next item
            at every step (``k=1`` is plain greedy decoding). ``"sample"``:
            ``n_samples`` continuations drawn from the model, the ``k`` most
            probable distinct ones kept.
        beam_width : int or None, default=None
            Paths kept per query by the beam (at least ``k``); ``None`` means
            ``max(4 * k, 20)``.
        n_samples : int or None, default=None
            Paths drawn per query with ``method="sample"``; ``None`` means
            ``max(100, 20 * k)``.
        random_state : None, int or numpy Generator, default=None
            Seed of ``method="sample"``; an int gives the same paths each call.

        Returns
        -------
        list of list of (list, float)
            Per query, up to ``k`` pairs ``(items, probability)``, most
            probable first. A query the model cannot answer (``predict_top_k``
            gives it no item) gets an empty list.

        Notes
        -----
        With ``steps=1`` the items are those of :meth:`predict_top_k` (in the
        same order, but for ties) and the probabilities those of
        :meth:`predict_proba`. A context reached during the search in which
        the model has no evidence gets the training frequencies of the items,
        as in :meth:`predict_proba`. All paths of all queries go through the
        model together, one call per step (in chunks of at most 16 MiB of
        probabilities); the cost is about ``steps * beam_width`` one-step
        predictions per query.

        Examples
        --------
        >>> from seqpred.models.next_item import MarkovPredictor
        >>> model = MarkovPredictor(order=1).fit(["abcab", "abd", "acd"])
        >>> for items, p in model.predict_next(["a"], steps=2, k=3)[0]:
        ...     print(items, round(p, 3))
        ['b', 'c'] 0.375
        ['b', 'd'] 0.375
        ['c', 'a'] 0.125
        """
        paths, probs = self.predict_next_ids(
            X,
            steps,
            k,
            method=method,
            beam_width=beam_width,
            n_samples=n_samples,
            random_state=random_state,
        )
        decoded = self.vocabulary_.decode(np.maximum(paths, 0).ravel())
        n, k, steps = paths.shape
        ok = (paths[:, :, 0] >= 0).tolist()
        flat_probs = probs.tolist()
        return [
            [
                (
                    decoded[(q * k + r) * steps : (q * k + r + 1) * steps],
                    flat_probs[q][r],
                )
                for r in range(k)
                if ok[q][r]
            ]
            for q in range(n)
        ]

    # -- items within the next steps
    def predict_within_ids(
        self,
        X: Any,
        steps: int = 3,
        k: int = 5,
        *,
        method: str = "auto",
        beam_width: int | None = None,
        n_samples: int | None = None,
        random_state: Any = None,
        return_missing: bool = False,
    ) -> tuple[Array, ...]:
        """Return ``(ids, scores)`` (and ``missing``) of :meth:`predict_within`.

        ``ids`` and ``scores`` have shape ``(N, k)``, ``-1`` and 0 where a
        query has fewer than ``k`` items of non-zero probability; with
        ``return_missing``, also ``missing`` of shape ``(N,)``. The
        parameters are those of :meth:`predict_within`.
        """
        owner = self._multistep_args("predict_within", steps, k, beam_width, n_samples)
        _check_method(owner, method, _WITHIN_METHODS)
        check_bool(owner, "return_missing", return_missing, default=False)
        queries = self._queries(X, "predict_within")
        rollout = Rollout(self, queries)
        if method == "auto":
            method = "sample" if self._tags_stochastic() else "enumerate"
        if method == "enumerate":
            width = int(beam_width) if beam_width else 256
            scores, missing = within_enumerate(rollout, int(steps), width)
        else:
            rng = check_random_state(random_state)
            samples = int(n_samples) if n_samples else 256
            scores, missing = within_sample(rollout, int(steps), samples, rng)
        ids, top = _top_k(scores, int(k))
        return (ids, top, missing) if return_missing else (ids, top)

    def _tags_stochastic(self) -> bool:
        get_tags = getattr(self, "get_tags", None)
        return bool(get_tags is not None and get_tags().stochastic)

    def predict_within(
        self,
        X: Any,
        steps: int = 3,
        k: int = 5,
        *,
        method: str = "auto",
        beam_width: int | None = None,
        n_samples: int | None = None,
        random_state: Any = None,
        return_missing: bool = False,
    ) -> Any:
        """Rank items by the probability that they appear within the next ``steps``.

        Parameters
        ----------
        X : SequenceSet, list of lists or list of strings
            The queries (prefixes).
        steps : int, default=3
            How many next items count.
        k : int, default=5
            Items per query.
        method : {"auto", "enumerate", "sample"}, default="auto"
            ``"enumerate"``: sum over the continuations, keeping the
            ``beam_width`` most probable partial paths of each query; the
            result is a lower bound, exact when no path of non-zero
            probability was dropped, and the true value is at most the
            score plus the ``missing`` mass. ``"sample"``: Monte Carlo over
            ``n_samples`` continuations drawn from the model (seeded by
            ``random_state``; standard error at most ``0.5 /
            sqrt(n_samples)``). ``"auto"``: enumeration for the counting
            models (Markov family, CPT, their ensembles), whose sparse
            distributions it usually covers exactly; sampling for models
            tagged stochastic (neural networks), whose softmax gives every
            path some probability.
        beam_width : int or None, default=None
            Paths kept per query by the enumeration (None: 256). For
            example, a first-order model over 16 items has at most
            ``16 ** (steps - 1)`` paths to sum over, so 256 is exact for
            ``steps <= 3``.
        n_samples : int or None, default=None
            Paths drawn per query when sampling (None: 256).
        random_state : None, int or numpy Generator, default=None
            Seed of the sampling.
        return_missing : bool, default=False
            Also return, per query, the path probability the enumeration
            left out (0 where it is exact; NaN for sampling).

        Returns
        -------
        list of list of (symbol, float)
            Per query, up to ``k`` pairs ``(item, probability)``, most
            probable first; empty for a query the model cannot answer. With
            ``return_missing``, a pair ``(rows, missing)``.

        Notes
        -----
        With ``steps=1`` this is the next-step distribution: its items and
        probabilities are those of :meth:`predict_next` with ``steps=1``.

        Examples
        --------
        >>> from seqpred.models.next_item import MarkovPredictor
        >>> model = MarkovPredictor(order=1).fit(["abcab", "abd", "acd"])
        >>> rows, missing = model.predict_within(["a"], steps=2, k=3,
        ...                                      return_missing=True)
        >>> [(item, round(p, 3)) for item, p in rows[0]], missing.tolist()
        ([('b', 0.75), ('c', 0.625), ('d', 0.5)], [0.0])
        """
        out = self.predict_within_ids(
            X,
            steps,
            k,
            method=method,
            beam_width=beam_width,
            n_samples=n_samples,
            random_state=random_state,
            return_missing=return_missing,
        )
        ids, scores = out[0], out[1]
        decoded = self.vocabulary_.decode(np.maximum(ids, 0).ravel())
        ok = (ids >= 0).ravel().tolist()
        flat = scores.ravel().tolist()
        k = ids.shape[1]
        rows = [
            [(decoded[j], flat[j]) for j in range(q * k, (q + 1) * k) if ok[j]]
            for q in range(ids.shape[0])
        ]
        return (rows, out[2]) if return_missing else rows


def _top_k(scores: Array, k: int) -> tuple[Array, Array]:
    """Return each row's ``k`` best ids with score > 0 (ties: lower id first)."""
    n, size = scores.shape
    take = min(k, size)
    order = np.argsort(-scores, axis=1, kind="stable")[:, :take]  # (N, take)
    top = np.take_along_axis(scores, order, axis=1)
    ids = np.where(top > 0, order, -1)
    top = np.where(top > 0, top, 0.0)
    pad = k - take
    return (
        np.pad(ids, ((0, 0), (0, pad)), constant_values=-1),
        np.pad(top, ((0, 0), (0, pad))),
    )
