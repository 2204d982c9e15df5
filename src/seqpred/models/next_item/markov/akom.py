"""AKOM: the all-k-order Markov model of Pitkow and Pirolli."""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred.models.next_item.markov.markov import MarkovPredictor

__all__ = ["AKOM"]


class AKOM(MarkovPredictor):
    """Predict the next item from the highest-order Markov model whose context matches.

    All-k-order Markov keeps a Markov model of every order ``1..order``:
    for each context of up to ``order`` items seen in training, how often
    each item followed it. A query is answered by the longest of its
    suffixes that was seen (at least ``min_count`` times), with that
    context's most frequent followers. This is :class:`MarkovPredictor`
    with the reference implementation's default order.

    Parameters
    ----------
    order : int, default=5
        Highest order (longest context, in items). The default is the
        reference implementation's (IPredict / SPMF ``MarkovAllKPredictor``).
    min_count : int, default=1
        A context must have been followed by an item at least this many times
        to be used; rarer contexts back off to shorter ones (the reference
        has no threshold, which is 1).
    fallback : None, "most_frequent" or a symbol, default=None
        Answer of :meth:`predict` when no context of the query was seen:
        ``None`` reports *no match*; ``"most_frequent"`` returns the most
        frequent training item; a symbol returns that symbol.
    on_unknown : {"ignore", "error"}, default="ignore"
        Symbols unseen in training: ``"ignore"`` treats them as breaking the
        context (contexts containing them never match); ``"error"`` raises
        :class:`~seqpred.exceptions.UnknownSymbolError`.
    n_jobs : int or None, default=None
        Processes ``fit`` counts in: ``None`` or 1 is one process, ``-1``
        every core (see :class:`MarkovPredictor`).

    Attributes
    ----------
    vocabulary_ : Vocabulary
        The training symbols.
    item_counts_ : ndarray of shape (vocabulary_.size,)
        How often each id occurs in the training data.
    n_sequences_ : int
        Number of training sequences.
    order_ : int
        The order used: ``order``, clamped to the longest training sequence
        minus one (see :class:`MarkovPredictor`).
    longest_sequence_ : int
        Items in the longest training sequence.
    context_keys_ : list of ndarray
        Per order ``j``, the sorted keys ``parent_context * V + item`` of the
        contexts of length ``j`` (a context's id is its index here).
    row_ptr_, next_ids_, next_counts_ : list of ndarray
        Per order, the context → next-item counts as a CSR matrix whose rows
        are sorted by decreasing count, ties by increasing id.
    context_totals_ : list of ndarray
        Per order, how many training transitions leave each context.

    Notes
    -----
    Counting and querying are those of :class:`MarkovPredictor`: training
    costs ``O(order · n log n)`` for ``n`` training items and a batch of
    ``N`` queries ``O(order · N log n)``. Memory grows with the number of
    distinct contexts, up to ``order · n`` for data that rarely repeats.
    ``partial_fit`` counts the batch and merges its tables into the fitted
    ones, re-interning contexts order by order, so
    ``partial_fit(A).partial_fit(B)`` stores exactly the tables of
    ``fit(A + B)``; chunks counted apart merge the same way (mergeable
    statistics, see :mod:`seqpred.models.mergeable`). An ``order`` beyond
    the longest training sequence is clamped as in :class:`MarkovPredictor`
    (same predictions, ``order_``).

    The reference implementation breaks ties between equally frequent
    followers by hash order; here the follower with the smaller id (the one
    seen first in training) wins, so a few predictions differ from SPMF's.

    Limits: a context seen once already overrides all shorter ones (the
    noise that PPM's blending or TDAG's ``min_count`` avoid); memory is the
    largest of the family for high orders; no match when even the last item
    never preceded anything in training.

    References
    ----------
    .. [1] J. Pitkow, P. Pirolli, "Mining Longest Repeating Subsequences to
       Predict World Wide Web Surfing", USENIX Symposium on Internet
       Technologies and Systems, 1999, section 4 (all-k-order Markov).
    .. [2] M. Deshpande, G. Karypis, "Selective Markov Models for Predicting
       Web Page Accesses", ACM Trans. Internet Technology 4(2), 2004,
       section 2.
    .. [3] T. Gueniche, P. Fournier-Viger, R. Raman, V. S. Tseng, "CPT+:
       Decreasing the Time/Space Complexity of the Compact Prediction Tree",
       PAKDD 2015 (AKOM as a baseline; the IPredict implementation).

    Examples
    --------
    >>> from seqpred.models.next_item import AKOM
    >>> train = [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [0, 1, 2, 4]]
    >>> model = AKOM().fit(train)
    >>> model.predict([[0, 1, 2], [5, 1, 2], [9]])
    [4, 3, None]
    >>> model.predict_top_k([[5, 1, 2]], k=2)
    [[(3, 0.75), (4, 0.25)]]
    >>> model.partial_fit([[1, 2, 4, 5]]).predict([[5, 1, 2], [4]])
    [3, 5]
    """

    context_keys_: list[np.ndarray[Any, Any]]

    def __init__(
        self,
        order: int = 5,
        *,
        min_count: int = 1,
        fallback: Any = None,
        on_unknown: str = "ignore",
        n_jobs: int | None = None,
    ) -> None:
        super().__init__(
            order, min_count=min_count, fallback=fallback, on_unknown=on_unknown,
            n_jobs=n_jobs,
        )  # fmt: skip

    @classmethod
    def _test_params(cls) -> list[dict[str, Any]]:
        return [{"order": 3}, {"order": 2, "min_count": 2, "fallback": "most_frequent"}]
