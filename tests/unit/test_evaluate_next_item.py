"""Tests of the next-item evaluation protocol and its cross-validation."""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from seqpred.data import UNK_ID, SequenceSet, as_sequence_set
from seqpred.evaluate import metrics
from seqpred.evaluate.next_item import (
    NextItemReport,
    cross_validate_next_item,
    evaluate_next_item,
)
from seqpred.exceptions import DataError, InvalidParameterError, NotFittedError


class FakeModel:
    """Predict the last (or first) item of the query; unknown items give no match.

    The second column is the item before, so ranking metrics see rank 2.
    """

    def __init__(self, pick="last"):
        self.pick = pick
        self.calls = []
        self.fitted_on = None

    def fit(self, X):
        ss = as_sequence_set(X, kind="discrete", unknown="add")
        self.vocabulary_ = ss.vocabulary.copy().freeze()
        self.fitted_on = ss.to_lists()
        return self

    def predict_top_k_ids(self, X, k):
        ss = as_sequence_set(
            X, vocabulary=self.vocabulary_, unknown="unk", allow_empty_input=True
        )
        self.calls.append(ss.to_lists())
        ids = np.full((len(ss), k), -1, dtype=np.int64)
        lengths = ss.lengths
        ok = lengths > 0
        if self.pick == "last":
            at = ss.offsets[1:] - 1
            before = ss.offsets[1:] - 2
        else:
            at = ss.offsets[:-1]
            before = ss.offsets[:-1] + 1
        best = np.where(ok, ss.values[np.maximum(at, 0)], -1)
        best = np.where(best == UNK_ID, -1, best)
        ids[:, 0] = best
        if k > 1:
            second = np.where(lengths > 1, ss.values[np.clip(before, 0, None)], -1)
            ids[:, 1] = np.where(best >= 0, second, -1)
        return ids, np.where(ids >= 0, 1.0, 0.0)


TRAIN = [["a", "b", "c", "d"], ["b", "c", "d", "e"]]


def fitted(pick="last"):
    return FakeModel(pick).fit(TRAIN)


# -- evaluate_next_item ----------------------------------------------------------------


def test_counts_success_failure_and_no_match():
    model = fitted()
    test = [
        ["a", "b", "b"],  # predicts b, consequent b: success
        ["a", "c", "a"],  # predicts c, consequent a (rank 2): failure
        ["a", "z", "b"],  # z unknown: no match
        ["d", "e", "e"],  # success
        ["a"],  # too short: skipped
    ]
    report = evaluate_next_item(model, test, k=2)
    assert report.n_queries == 4
    assert report.n_skipped == 1
    assert report.accuracy == 0.5
    assert report.no_match_rate == 0.25
    assert report.failure_rate == 0.25
    assert report.hit_rate == 0.75
    assert report.mrr == pytest.approx((1 + 0.5 + 0 + 1) / 4)
    assert report.k == 2
    assert report.fit_seconds == 0.0
    assert report.predict_seconds >= 0.0
    assert len(model.calls) == 1  # one call for all queries
    assert model.calls[0] == [["a", "b"], ["a", "c"], ["a", "<unk>"], ["d", "e"]]


def test_ranking_fields_match_metric_functions():
    model = fitted()
    test = [["a", "b", "c", "d"], ["c", "d", "c"], ["b", "e", "d"], ["d", "b"]]
    report = evaluate_next_item(model, test, k=2)
    ss = as_sequence_set(test, vocabulary=model.vocabulary_, unknown="unk")
    ids, _ = model.predict_top_k_ids(ss.slice_steps(None, -1), 2)
    targets = ss.values[ss.offsets[1:] - 1]
    assert report.hit_rate == metrics.hit_rate_at_k(ids, targets, 2)
    assert report.mrr == metrics.mrr_at_k(ids, targets, 2)
    assert report.ndcg == metrics.ndcg_at_k(ids, targets, 2)
    assert report.no_match_rate == metrics.no_match_rate(ids)
    assert report.accuracy + report.no_match_rate + report.failure_rate == 1.0


def test_consequent_is_a_set_and_window_cuts_the_query():
    model = fitted("first")
    test = [["a", "b", "c", "d", "b", "c"]]
    # whole prefix: the query is a b c d, its first item a is not in {b, c}
    assert evaluate_next_item(model, test, consequent=2).accuracy == 0.0
    # window 3: the query is b c d, whose first item b is in {b, c}
    report = evaluate_next_item(model, test, consequent=2, window=3)
    assert report.accuracy == 1.0
    assert model.calls[-1] == [["b", "c", "d"]]
    # a window longer than the prefix uses the whole prefix
    evaluate_next_item(model, test, consequent=2, window=50)
    assert model.calls[-1] == [["a", "b", "c", "d"]]


def test_ranking_metrics_use_first_consequent_item():
    model = fitted()
    report = evaluate_next_item(model, [["a", "b", "c", "b"]], consequent=2, k=2)
    # query a b -> predicts b then a; consequent (c, b): success in the set,
    # but the first consequent item c is not ranked
    assert report.accuracy == 1.0
    assert report.hit_rate == 0.0


def test_sequence_set_with_another_vocabulary():
    model = fitted()
    test = SequenceSet.from_lists([["z", "d", "d"], ["c", "c"]])
    report = evaluate_next_item(model, test)
    assert (report.n_queries, report.accuracy) == (2, 1.0)


def test_string_sequences():
    model = FakeModel().fit(["abcd", "bcde"])
    assert evaluate_next_item(model, ["abb", "acd"]).accuracy == 0.5


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"window": 0}, "window"),
        ({"window": 1.5}, "window"),
        ({"consequent": 0}, "consequent"),
        ({"k": 0}, "k"),
        ({"k": True}, "k"),
    ],
)
def test_bad_settings(kwargs, name):
    with pytest.raises(InvalidParameterError, match=f"evaluate_next_item: {name}"):
        evaluate_next_item(fitted(), [["a", "b"]], **kwargs)


def test_unfitted_model_and_non_model():
    with pytest.raises(NotFittedError, match="not fitted"):
        evaluate_next_item(FakeModel(), [["a", "b"]])
    with pytest.raises(InvalidParameterError, match="predict_top_k_ids"):
        evaluate_next_item(object(), [["a", "b"]])


def test_no_query_left_raises():
    with pytest.raises(DataError, match="consequent \\+ 1 = 3"):
        evaluate_next_item(fitted(), [["a", "b"], ["c"]], consequent=2)


def test_model_returning_wrong_shape_raises():
    class Narrow(FakeModel):
        def predict_top_k_ids(self, X, k):
            ids, scores = super().predict_top_k_ids(X, k)
            return ids[:, :1], scores[:, :1]

    with pytest.raises(DataError, match="shape"):
        evaluate_next_item(Narrow().fit(TRAIN), [["a", "b"]], k=3)


# -- NextItemReport --------------------------------------------------------------------


def _report(n, acc, **extra):
    fields = dict(
        n_queries=n,
        n_skipped=1,
        accuracy=acc,
        no_match_rate=0.0,
        failure_rate=1 - acc,
        hit_rate=acc,
        mrr=acc,
        ndcg=acc,
        k=5,
        fit_seconds=1.0,
        predict_seconds=0.5,
    )
    fields.update(extra)
    return NextItemReport(**fields)


def test_report_dict_str_and_frozen():
    report = _report(10, 0.5)
    assert list(report.as_dict()) == [f.name for f in dataclasses.fields(report)]
    text = str(report)
    for part in ("accuracy", "0.5000", "HR@5", "MRR@5", "NDCG@5", "no match"):
        assert part in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.accuracy = 1.0


def test_combine_weights_by_queries():
    total = NextItemReport.combine([_report(1, 1.0), _report(3, 0.0), _report(0, 0.3)])
    assert total.n_queries == 4
    assert total.n_skipped == 3
    assert total.accuracy == 0.25
    assert total.failure_rate == 0.75
    assert total.fit_seconds == 3.0
    assert total.predict_seconds == 1.5


def test_combine_edge_cases():
    with pytest.raises(DataError, match="no reports"):
        NextItemReport.combine([])
    with pytest.raises(DataError, match="different k"):
        NextItemReport.combine([_report(1, 1.0), _report(1, 1.0, k=3)])
    empty = NextItemReport.combine([_report(0, 0.0)])
    assert empty.n_queries == 0 and np.isnan(empty.accuracy)


# -- cross_validate_next_item ----------------------------------------------------------


def _data(n=10):
    return [[f"s{i}", "x", "y", "y"] for i in range(n)]


def recording_factory():
    """Return a factory of fresh FakeModels and the list of those it made."""
    models = []

    def make():
        models.append(FakeModel())
        return models[-1]

    return make, models


def test_folds_are_contiguous_blocks_with_remainder_last():
    make, models = recording_factory()
    data = _data(10)
    total, folds = cross_validate_next_item(make, data, n_folds=3, shuffle_seed=None)
    assert [f.n_queries for f in folds] == [3, 3, 4]
    # each model trains on the other folds and sees its own fold's queries,
    # whose fold-only symbol s<i> is unknown to it
    assert [m.fitted_on for m in models] == [data[3:], data[:3] + data[6:], data[:6]]
    assert [len(m.calls[0]) for m in models] == [3, 3, 4]
    assert models[0].calls[0][0] == ["<unk>", "x", "y"]
    assert total.n_queries == 10
    assert total.accuracy == 1.0
    assert total.fit_seconds == pytest.approx(sum(f.fit_seconds for f in folds))


def test_shuffle_matches_python_random():
    make, models = recording_factory()
    data = _data(9)
    cross_validate_next_item(make, data, n_folds=3, shuffle_seed=7)
    expected = list(data)
    random.Random(7).shuffle(expected)
    assert [m.fitted_on for m in models] == [
        expected[3:],
        expected[:3] + expected[6:],
        expected[:6],
    ]


def test_training_vocabulary_excludes_test_symbols():
    make, models = recording_factory()
    cross_validate_next_item(make, _data(4), n_folds=4, shuffle_seed=None)
    symbols = models[0].vocabulary_.symbols
    assert "s0" not in symbols
    assert symbols == ["s1", "x", "y", "s2", "s3"]  # first-seen order


def test_short_sequences_are_skipped_and_counted():
    data = _data(6) + [["q"], ["r"]]
    total, _ = cross_validate_next_item(FakeModel, data, n_folds=2, shuffle_seed=1)
    assert (total.n_queries, total.n_skipped) == (6, 2)


def test_progress_bar_goes_to_stderr(capsys):
    cross_validate_next_item(FakeModel, _data(4), n_folds=2, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "cross_validate_next_item" in captured.err


def test_cross_validation_bad_input():
    with pytest.raises(DataError, match="n_folds=5"):
        cross_validate_next_item(FakeModel, _data(4), n_folds=5)
    with pytest.raises(InvalidParameterError, match="n_folds"):
        cross_validate_next_item(FakeModel, _data(4), n_folds=1)
    with pytest.raises(InvalidParameterError, match="make_model"):
        cross_validate_next_item("markov", _data(4), n_folds=2)
    with pytest.raises(InvalidParameterError, match="shuffle_seed"):
        cross_validate_next_item(FakeModel, _data(4), n_folds=2, shuffle_seed=-1)
    with pytest.raises(DataError, match="no sequence"):
        cross_validate_next_item(FakeModel, [["a"]] * 4, n_folds=2)
    with pytest.raises(DataError, match="discrete"):
        cross_validate_next_item(
            FakeModel, SequenceSet.from_lists([[1.0, 2.0]] * 4), n_folds=2
        )


# -- with the real Markov model ---------------------------------------------------


def test_markov_predictor():
    from seqpred.models.next_item import MarkovPredictor

    train = [[1, 2, 3], [1, 2, 3], [2, 4]]
    model = MarkovPredictor(order=1).fit(train)
    report = evaluate_next_item(model, [[1, 2], [2, 4], [7, 3]], k=2)
    # 1 -> 2 success; 2 -> 3 then 4: failure at rank 2; 7 unseen: no match
    assert report.accuracy == pytest.approx(1 / 3)
    assert report.no_match_rate == pytest.approx(1 / 3)
    assert report.hit_rate == pytest.approx(2 / 3)
    assert report.mrr == pytest.approx(0.5)

    data = [[1, 2, 3]] * 6 + [[2, 3, 4]] * 6
    template = MarkovPredictor(order=2)
    total, folds = cross_validate_next_item(template, data, n_folds=4, k=3)
    assert len(folds) == 4 and total.n_queries == 12
    assert total.accuracy == 1.0
    assert not template.is_fitted  # the estimator was cloned, never fitted
