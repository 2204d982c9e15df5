"""seqpred.spark on a local[2] session: fits equal local fits, scoring equals local.

Marked ``spark``: ``make test-spark`` runs them (it installs Java 17 and
PySpark when missing); without PySpark or Java they skip with the reason.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import pytest

import seqpred
from seqpred import io
from seqpred.data.synthetic import click_sessions
from seqpred.exceptions import DataError, InvalidParameterError
from seqpred.testing import assert_same_fitted_state

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
]

SESSIONS = click_sessions(300, random_state=7)


@pytest.fixture(scope="module")
def events(spark_session):
    """The sessions as shuffled events in 3 partitions (ids sort as the list)."""
    rows = [
        (f"s{i:04d}", t, page, "confirmation" in s)
        for i, s in enumerate(SESSIONS)
        for t, page in enumerate(s)
    ]
    random.Random(0).shuffle(rows)
    df = spark_session.createDataFrame(
        rows, "session_id string, timestamp long, page string, label boolean"
    )
    return df.repartition(3)


@pytest.mark.parametrize(
    "name, params",
    [
        ("markov", {"order": 2}),
        ("ppm", {"max_order": 3}),
        ("akom", {"order": 4}),
        ("tdag", {}),
        ("dg", {"lookahead": 3}),
    ],
)
def test_fit_equals_the_local_fit(events, name, params):
    from seqpred import spark

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        distributed = spark.fit(name, events, **params)
        local = seqpred.create(name, **params).fit(SESSIONS)
    assert_same_fitted_state(distributed, local)
    queries = [s[:3] for s in SESSIONS[:100]]
    assert distributed.predict_top_k(queries) == local.predict_top_k(queries)


def test_kmer_fit_equals_the_local_fit(events):
    from seqpred import spark

    model = seqpred.create("kmer", max_k=2, max_iter=50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        distributed = spark.fit(model, events, label_col="label")
        labels = ["confirmation" in s for s in SESSIONS]
        local = seqpred.create("kmer", max_k=2, max_iter=50).fit(SESSIONS, labels)
    assert not model.is_fitted  # the given estimator is not modified
    assert_same_fitted_state(distributed, local)


def test_cpt_plus_is_fitted_on_the_driver(events, tmp_path):
    from seqpred import spark

    distributed = spark.fit("cpt+", events)
    local = seqpred.create("cpt+").fit(SESSIONS)
    queries = [s[:4] for s in SESSIONS[:100]]
    assert distributed.predict_top_k(queries) == local.predict_top_k(queries)
    twin = io.load(io.save(distributed, tmp_path / "cpt.seqpred"))
    assert twin.predict_top_k(queries) == local.predict_top_k(queries)


def test_sessionize_then_fit_and_predict(spark_session):
    from seqpred import spark

    rows = [
        ("u1", 0, "home"), ("u1", 60, "search"), ("u1", 60, "cart"),
        ("u1", 4000, "home"), ("u2", 10, "search"), ("u2", 20, "home"),
        ("u1", 4100, "search"),
    ]  # fmt: skip
    events = spark_session.createDataFrame(rows, "user_id string, ts long, page string")
    sessions = spark.sessionize(events, time="ts", item="page", gap="30 minutes")
    got = sorted(tuple(r) for r in sessions.collect())
    assert got == [
        ("u1", "u1#0", 0, ["home", "cart", "search"]),  # equal times: by item
        ("u1", "u1#1", 4000, ["home", "search"]),
        ("u2", "u2#0", 10, ["search", "home"]),
    ]
    model = spark.fit("markov", sessions, order=1)
    local = seqpred.create("markov", order=1).fit([row[3] for row in sorted(got)])
    assert_same_fitted_state(model, local)
    scored = spark.predict(model, sessions, k=2).orderBy("session_id").collect()
    expected = local.predict_top_k([row[3] for row in got], k=2)
    assert [[(p.item, p.score) for p in r.prediction] for r in scored] == expected
    with pytest.raises(InvalidParameterError, match="gap"):
        spark.sessionize(events, time="ts", item="page", gap="soon")


def test_predict_and_score_equal_local_predictions(events, tmp_path):
    from seqpred import spark

    local = seqpred.create("ppm", max_order=2).fit(SESSIONS[:200])
    sequences = spark.sequences(events)
    path = io.save(local, tmp_path / "ppm.seqpred")
    for given in (local, path, io.dumps(local)):
        rows = spark.predict(given, sequences, k=3).orderBy("session_id").collect()
        got = [[(p.item, p.score) for p in row.prediction] for row in rows]
        assert got == local.predict_top_k(SESSIONS, k=3)
    metrics = spark.score(local, sequences, k=3)
    ids, _ = local.predict_top_k_ids([s[:-1] for s in SESSIONS], 3)
    targets = local.vocabulary_.encode([s[-1] for s in SESSIONS], unknown="unk")
    assert metrics["n"] == len(SESSIONS)
    assert metrics["accuracy"] == pytest.approx(np.mean(ids[:, 0] == targets))
    assert metrics["hit@3"] == pytest.approx(np.mean((ids == targets[:, None]).any(1)))


def test_classifier_predictions_and_accuracy(events):
    from seqpred import spark

    labels = ["confirmation" in s for s in SESSIONS]
    local = seqpred.create("kmer", max_k=2, max_iter=50).fit(SESSIONS, labels)
    sequences = spark.sequences(events, label_col="label")
    rows = spark.predict(local, sequences).orderBy("session_id").collect()
    assert [row.prediction for row in rows] == local.predict(SESSIONS).tolist()
    metrics = spark.score(local, sequences, label_col="label")
    assert metrics["accuracy"] == pytest.approx(local.score(SESSIONS, labels))


@pytest.fixture(scope="module")
def series(spark_session):
    rng = np.random.default_rng(0)
    values = {f"id{i}": rng.normal(size=8 + i).cumsum() for i in range(5)}
    rows = [(k, t, float(v)) for k, ys in values.items() for t, v in enumerate(ys)]
    random.Random(1).shuffle(rows)
    df = spark_session.createDataFrame(rows, "unique_id string, ds long, y double")
    return values, df.repartition(2)


def test_forecasters_fit_forecast_and_predict(series):
    from seqpred import spark

    values, df = series
    ordered = [values[k] for k in sorted(values)]
    local = seqpred.create("drift").fit(ordered)
    distributed = spark.fit("drift", df)
    assert np.array_equal(distributed.predict(horizon=3), local.predict(horizon=3))
    assert distributed.train_ids_.tolist() == sorted(values)
    out = spark.forecast("naive", df, horizon=2).orderBy("unique_id", "step").collect()
    naive = seqpred.create("naive").fit(ordered).predict(horizon=2)[:, :, 0]
    assert [row.mean for row in out] == naive.ravel().tolist()
    grouped = spark.forecast("naive", df, horizon=2, n_groups=2)
    assert sorted(r.mean for r in grouped.collect()) == sorted(naive.ravel().tolist())
    sequences = spark.sequences(df)
    rows = spark.predict(local, sequences, horizon=2).orderBy("unique_id").collect()
    expected = local.predict([values[k] for k in sorted(values)], horizon=2)
    assert [row.prediction for row in rows] == expected[:, :, 0].tolist()
    assert spark.score(local, sequences, horizon=2)["n"] == 5


def test_refusals(events, spark_session):
    from seqpred import spark

    no_time = events.drop("timestamp")
    with pytest.raises(DataError, match="no time column"):
        spark.fit("markov", no_time)
    with pytest.raises(InvalidParameterError, match="registered"):
        spark.fit(3, events)
    with pytest.raises(InvalidParameterError, match="only with a model name"):
        spark.fit(seqpred.create("markov"), events, order=2)
    with pytest.raises(InvalidParameterError, match="not a forecaster"):
        spark.forecast("markov", events, horizon=2)
    empty = spark_session.createDataFrame([], "session_id string, ts long, page string")
    with pytest.raises(DataError, match="no sequences"):
        spark.fit("markov", empty)
