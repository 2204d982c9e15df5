"""Metrics and evaluation protocols.

:mod:`seqpred.evaluate.metrics` holds plain metric functions on NumPy arrays;
:mod:`seqpred.evaluate.next_item` the next-item protocols (hold-out queries
and k-fold cross-validation by sequence); :mod:`seqpred.evaluate.multistep`
the scores of continuations several steps ahead.
"""

from seqpred.evaluate.metrics import (
    accuracy,
    balanced_accuracy,
    bits_per_symbol,
    bits_per_symbol_from_proba,
    classification_report,
    confusion_matrix,
    coverage,
    exact_match,
    hit_rate_at_k,
    log_loss,
    macro_f1,
    mae,
    mase,
    mrr_at_k,
    mse,
    ndcg_at_k,
    no_match_rate,
    perplexity,
    rmse,
    roc_auc,
    smape,
    success_in_set,
    token_accuracy,
)
from seqpred.evaluate.multistep import MultiStepReport, evaluate_multistep
from seqpred.evaluate.next_item import (
    NextItemReport,
    cross_validate_next_item,
    evaluate_next_item,
)

__all__ = [
    "MultiStepReport",
    "NextItemReport",
    "accuracy",
    "balanced_accuracy",
    "bits_per_symbol",
    "bits_per_symbol_from_proba",
    "classification_report",
    "confusion_matrix",
    "coverage",
    "cross_validate_next_item",
    "evaluate_multistep",
    "evaluate_next_item",
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
