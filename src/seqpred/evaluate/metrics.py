"""Metrics on NumPy arrays: ranking, probability, classification, forecasts, seq2seq.

Every function validates its input and raises
:class:`~seqpred.exceptions.DataError` on empty input, mismatched shapes or
NaN, with a message saying how to fix it. Scores where higher is better lie
in ``[0, 1]``; errors are ``>= 0``.

========================  ==================================================
family                    functions
========================  ==================================================
ranking (next item)       :func:`hit_rate_at_k`, :func:`mrr_at_k`,
                          :func:`ndcg_at_k`, :func:`coverage`,
                          :func:`no_match_rate`, :func:`success_in_set`
probabilistic             :func:`log_loss`, :func:`bits_per_symbol`,
                          :func:`bits_per_symbol_from_proba`, :func:`perplexity`
classification            :func:`accuracy`, :func:`balanced_accuracy`,
                          :func:`macro_f1`, :func:`confusion_matrix`,
                          :func:`classification_report`,
                          :func:`roc_auc`
regression / forecasting  :func:`mae`, :func:`mse`, :func:`rmse`,
                          :func:`smape`, :func:`mase`
sequence-to-sequence      :func:`exact_match`, :func:`token_accuracy`
========================  ==================================================

Examples
--------
>>> from seqpred.evaluate import metrics
>>> metrics.hit_rate_at_k([[3, 4], [5, 6]], [4, 7], k=2)
0.5
"""

from __future__ import annotations

from seqpred.evaluate._classification import (
    accuracy,
    balanced_accuracy,
    classification_report,
    confusion_matrix,
    macro_f1,
    roc_auc,
)
from seqpred.evaluate._probabilistic import (
    bits_per_symbol,
    bits_per_symbol_from_proba,
    log_loss,
    perplexity,
)
from seqpred.evaluate._ranking import (
    coverage,
    hit_rate_at_k,
    mrr_at_k,
    ndcg_at_k,
    no_match_rate,
    success_in_set,
)
from seqpred.evaluate._regression import mae, mase, mse, rmse, smape
from seqpred.evaluate._seq2seq import exact_match, token_accuracy

__all__ = [
    "accuracy",
    "balanced_accuracy",
    "bits_per_symbol",
    "bits_per_symbol_from_proba",
    "classification_report",
    "confusion_matrix",
    "coverage",
    "exact_match",
    "hit_rate_at_k",
    "log_loss",
    "macro_f1",
    "mae",
    "mase",
    "mrr_at_k",
    "mse",
    "ndcg_at_k",
    "no_match_rate",
    "perplexity",
    "rmse",
    "roc_auc",
    "smape",
    "success_in_set",
    "token_accuracy",
]
