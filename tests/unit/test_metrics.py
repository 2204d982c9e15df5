"""Unit tests of seqpred.evaluate.metrics: known values and loud failures."""

from __future__ import annotations

import math

import numpy as np
import pytest

import seqpred.evaluate as evaluate
from seqpred.data import SequenceSet
from seqpred.evaluate import metrics as m
from seqpred.exceptions import DataError, EmptySequenceError, InvalidParameterError

# -- ranking ------------------------------------------------------------------------


RANKED = np.array([[3, 4, 5], [5, -1, -1], [-1, -1, -1], [6, 3, 7]])
TARGETS = np.array([4, 5, 3, 7])


def test_ranking_known_values():
    assert m.hit_rate_at_k(RANKED, TARGETS, k=1) == 0.25
    assert m.hit_rate_at_k(RANKED, TARGETS, k=2) == 0.5
    assert m.hit_rate_at_k(RANKED, TARGETS) == 0.75  # k=None: all columns
    assert m.mrr_at_k(RANKED, TARGETS, k=3) == pytest.approx((1 / 2 + 1 + 1 / 3) / 4)
    expected = (1 / math.log2(3) + 1 + 1 / math.log2(4)) / 4
    assert m.ndcg_at_k(RANKED, TARGETS, k=3) == pytest.approx(expected)


def test_ranking_uses_first_occurrence_of_repeated_id():
    assert m.mrr_at_k([[2, 4, 4]], [4]) == 0.5


def test_minus_one_never_matches():
    assert m.hit_rate_at_k([[-1, -1]], [0]) == 0.0


def test_coverage_and_no_match():
    assert m.coverage(RANKED) == 0.75
    assert m.no_match_rate(RANKED) == 0.25
    assert m.coverage([[-1], [2]]) + m.no_match_rate([[-1], [2]]) == 1.0


@pytest.mark.parametrize("k", [0, -1, 4, 1.5, True])
def test_ranking_bad_k(k):
    with pytest.raises(InvalidParameterError, match="hit_rate_at_k: k"):
        m.hit_rate_at_k(RANKED, TARGETS, k=k)


@pytest.mark.parametrize(
    ("ranked", "targets", "message"),
    [
        (RANKED, [1, 2], "different lengths"),
        ([], [], "empty"),
        (np.zeros((0, 2), dtype=int), [], "empty"),
        ([[1.0, 2.0]], [1], "integer ids"),
        ([1, 2], [1, 2], "2-D"),
        ([[1, -2]], [1], "below -1"),
        ([[1, 2]], [-1], "below 0"),
        ([[1, 2]], [[1]], "1-D"),
        ([[1, 2], [3]], [1, 2], "ragged"),
    ],
)
def test_ranking_bad_input(ranked, targets, message):
    with pytest.raises(DataError, match=message):
        m.mrr_at_k(ranked, targets)


def test_success_in_set_ragged_and_dense():
    assert m.success_in_set([3, 4, -1], [[5, 3], [6], [7, 8]]) == pytest.approx(1 / 3)
    dense = np.array([[5, 3], [6, -1], [-1, -1]])
    assert m.success_in_set(np.array([3, -1, -1]), dense) == pytest.approx(1 / 3)
    assert m.success_in_set([3], [[]]) == 0.0


def test_success_in_set_bad_input():
    with pytest.raises(DataError, match="different lengths"):
        m.success_in_set([1, 2], [[1]])
    with pytest.raises(DataError, match="list of id lists"):
        m.success_in_set([1], "abc")
    with pytest.raises(DataError, match="empty"):
        m.success_in_set([1], [])
    with pytest.raises(DataError, match="integer ids"):
        m.success_in_set([1], [["a"]])
    with pytest.raises(DataError, match="list of ids"):
        m.success_in_set([1], [1])


# -- probabilistic ------------------------------------------------------------------


def test_log_loss_known_and_perfect():
    proba = [[0.5, 0.5], [0.25, 0.75]]
    expected = -(math.log(0.5) + math.log(0.75)) / 2
    assert m.log_loss(proba, [0, 1]) == pytest.approx(expected)
    assert m.bits_per_symbol_from_proba(proba, [0, 1]) == pytest.approx(
        expected / math.log(2)
    )
    assert m.log_loss(np.eye(3), [0, 1, 2]) == pytest.approx(0.0)


def test_log_loss_zero_probability_is_finite_with_eps():
    loss = m.log_loss([[1.0, 0.0]], [1])
    assert loss == pytest.approx(-math.log(1e-15))


@pytest.mark.parametrize(
    ("proba", "targets", "message"),
    [
        ([[0.5, 0.4]], [0], "sum to 1"),
        ([[1.5, -0.5]], [0], r"\[0, 1\]"),
        ([0.5, 0.5], [0], "2-D"),
        ([[0.5, 0.5]], [2], "ids < 2"),
        ([[np.nan, 1.0]], [0], "NaN"),
        ([[0.5, 0.5]], [0, 1], "different lengths"),
        ([["a", "b"]], [0], "numbers"),
    ],
)
def test_log_loss_bad_input(proba, targets, message):
    with pytest.raises(DataError, match=message):
        m.log_loss(proba, targets)


def test_bits_and_perplexity():
    log_probs = np.log([0.5, 0.25])
    assert m.bits_per_symbol(log_probs) == pytest.approx(1.5)
    assert m.perplexity(log_probs) == pytest.approx(2**1.5)
    assert m.bits_per_symbol(np.log([[1.0, 1.0]])) == 0.0
    assert m.bits_per_symbol([-np.inf, 0.0]) == math.inf


def test_bits_rejects_probabilities():
    with pytest.raises(DataError, match="natural-log probabilities"):
        m.bits_per_symbol([0.5, 0.25])
    with pytest.raises(DataError, match="NaN"):
        m.perplexity([np.nan])


# -- classification -----------------------------------------------------------------


def test_accuracy_and_confusion():
    y_true = ["a", "b", "b", "c"]
    y_pred = ["a", "b", "c", "c"]
    assert m.accuracy(y_true, y_pred) == 0.75
    cm = m.confusion_matrix(y_true, y_pred)
    assert cm.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 1]]
    assert cm.dtype == np.int64
    cm = m.confusion_matrix(y_true, y_pred, labels=["c", "b", "a"])
    assert cm.tolist() == [[1, 0, 0], [1, 1, 0], [0, 0, 1]]


def test_confusion_matrix_bad_labels():
    with pytest.raises(DataError, match="missing from labels.*'c'"):
        m.confusion_matrix(["a", "c"], ["a", "a"], labels=["a", "b"])
    with pytest.raises(DataError, match="unique"):
        m.confusion_matrix(["a"], ["a"], labels=["a", "a"])


def test_balanced_accuracy_and_macro_f1():
    assert m.balanced_accuracy([0, 0, 0, 1], [0, 0, 0, 0]) == 0.5
    # class 2 is predicted but never true: it adds no recall term
    assert m.balanced_accuracy([0, 1], [0, 2]) == 0.5
    assert m.macro_f1(["a", "a", "b", "b"], ["a", "b", "b", "b"]) == pytest.approx(
        (2 / 3 + 4 / 5) / 2
    )
    # a listed class that never occurs scores 0
    assert m.macro_f1([0, 1], [0, 1], labels=[0, 1, 2]) == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "fn", [m.accuracy, m.balanced_accuracy, m.macro_f1, m.confusion_matrix]
)
def test_classification_bad_input(fn):
    with pytest.raises(DataError, match="different lengths"):
        fn([0, 1], [0])
    with pytest.raises(DataError, match="empty"):
        fn([], [])
    with pytest.raises(DataError, match="NaN"):
        fn([0.0, np.nan], [0.0, 1.0])
    with pytest.raises(DataError, match="1-D"):
        fn([[0, 1]], [[0, 1]])


def test_roc_auc_binary():
    assert m.roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    assert m.roc_auc([False, True], [0.2, 0.9]) == 1.0
    assert m.roc_auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5  # ties count 1/2
    assert m.roc_auc([1, 0, 1], [0.3, 0.3, 0.9]) == 0.75
    assert m.roc_auc([0, 1], [-np.inf, np.inf]) == 1.0


def test_roc_auc_multiclass_with_labels():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.4, 0.6]])
    assert m.roc_auc(["y", "x", "y"], scores, labels=["x", "y"]) == 1.0
    # two columns that sum to 1 give the binary AUC
    y = np.array([1, 0, 0, 1])
    p1 = np.array([0.9, 0.6, 0.2, 0.4])
    two_col = np.column_stack([1 - p1, p1])
    assert m.roc_auc(y, two_col) == pytest.approx(m.roc_auc(y, p1))


@pytest.mark.parametrize(
    ("y", "scores", "kwargs", "message"),
    [
        ([1, 1], [0.1, 0.2], {}, "only one class"),
        ([0, 2], [0.1, 0.2], {}, "0/1 or bools"),
        (["a", "b"], [0.1, 0.2], {}, "0/1 or bools"),
        ([0, 1], [0.1, np.nan], {}, "NaN"),
        ([0, 1], [[0.5], [0.5]], {}, "C >= 2"),
        ([0, 1], [[0.5, 0.5], [0.5, 0.5]], {"labels": [0]}, "one label per column"),
        ([0, 0], [[0.5, 0.5], [0.5, 0.5]], {}, "y_true == 0 has only one"),
        ([0, 3], [[0.5, 0.5], [0.5, 0.5]], {}, "missing from labels"),
    ],
)
def test_roc_auc_bad_input(y, scores, kwargs, message):
    with pytest.raises(DataError, match=message):
        m.roc_auc(y, scores, **kwargs)


# -- regression ---------------------------------------------------------------------


def test_regression_known_values():
    y, f = [1.0, 2.0, 3.0], [1.5, 2.0, 2.0]
    assert m.mae(y, f) == 0.5
    assert m.mse(y, f) == pytest.approx(1.25 / 3)
    assert m.rmse(y, f) == pytest.approx(math.sqrt(1.25 / 3))
    assert m.smape([100.0, 0.0], [110.0, 0.0]) == pytest.approx(200 * 10 / 210 / 2)
    assert m.smape([1.0], [-1.0]) == 200.0
    assert m.mae([[1, 2]], [[1, 4]]) == 1.0  # ints and 2-D are accepted


def test_mase():
    assert m.mase([5.0, 6.0], [5.5, 5.5], [1.0, 2.0, 3.0, 4.0]) == 0.5
    # season 2: scale = mean(|3-1|, |4-2|) = 2
    assert m.mase([5.0], [4.0], [1.0, 2.0, 3.0, 4.0], season=2) == 0.5


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"y_train": [1.0, 1.0, 1.0]}, DataError, "constant"),
        ({"y_train": [1.0]}, DataError, "more than season"),
        ({"y_train": [1.0, 2.0], "season": 0}, InvalidParameterError, "season"),
        ({"y_train": [1.0, np.nan]}, DataError, "NaN"),
    ],
)
def test_mase_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        m.mase([1.0], [2.0], **kwargs)


@pytest.mark.parametrize("fn", [m.mae, m.mse, m.rmse, m.smape])
def test_regression_bad_input(fn):
    with pytest.raises(DataError, match="different shapes"):
        fn([1.0, 2.0], [1.0])
    with pytest.raises(DataError, match="empty"):
        fn([], [])
    with pytest.raises(DataError, match="NaN"):
        fn([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(DataError, match="infinite"):
        fn([1.0, np.inf], [1.0, 2.0])
    with pytest.raises(DataError, match="numbers"):
        fn(["a"], ["b"])


# -- seq2seq ------------------------------------------------------------------------


def test_seq2seq_strings_and_lists():
    assert m.exact_match(["abc", "ab", "x"], ["abc", "abd", "x"]) == pytest.approx(
        2 / 3
    )
    assert m.token_accuracy(["abc", "a"], ["abd", "ab"]) == pytest.approx(3 / 5)
    assert m.exact_match([[1, 2], [3]], [[1, 2], [3, 4]]) == 0.5
    # extra predicted tokens: fine for token accuracy, not an exact match
    assert m.token_accuracy([[1, 2, 9]], [[1, 2]]) == 1.0
    assert m.exact_match([[1, 2, 9]], [[1, 2]]) == 0.0


def test_seq2seq_empty_sequences():
    assert m.exact_match([[], [1]], [[], [1]]) == 1.0
    assert m.exact_match([[], []], [[1], []]) == 0.5
    assert m.token_accuracy([[], []], [[1, 2], [3]]) == 0.0
    with pytest.raises(DataError, match="every true sequence is empty"):
        m.token_accuracy([[1]], [[]])


def test_seq2seq_sequence_sets_with_different_vocabularies():
    true = SequenceSet.from_lists([["a", "b"], ["c"]])
    pred = SequenceSet.from_lists([["z"], ["a", "b"], ["c", "c"]])[[1, 2]]
    assert pred.values.tolist() != true.values.tolist()[:2]  # other ids
    assert m.exact_match(pred, true) == 0.5
    assert m.token_accuracy(pred, true) == 1.0
    # the caller's vocabulary is left alone
    assert true.vocabulary.symbols == ["a", "b", "c"]


def test_seq2seq_numeric_sequence_sets():
    true = SequenceSet.from_lists([[1.0, 2.0], [3.0]])
    assert m.exact_match([[1.0, 2.0], [3.5]], true) == 0.5


def test_seq2seq_bad_input():
    with pytest.raises(DataError, match="different lengths"):
        m.exact_match(["ab"], ["ab", "c"])
    with pytest.raises(EmptySequenceError):
        m.token_accuracy([], [])
    with pytest.raises(DataError, match="encoded differently"):
        m.exact_match(SequenceSet(np.array([3]), np.array([0, 1])), ["a"])


# -- public surface -----------------------------------------------------------------


def test_metrics_are_reexported():
    for name in m.__all__:
        assert getattr(evaluate, name) is getattr(m, name)
        assert getattr(m, name).__doc__
    assert set(m.__all__) <= set(evaluate.__all__)


def test_mixed_label_kinds_fail_loudly():
    with pytest.raises(DataError, match="different kinds of labels"):
        m.accuracy([1, 2], ["1", "2"])
    with pytest.raises(DataError, match="got 'a'"):
        m.confusion_matrix(["a"], ["a"], labels=["b"])
