"""Neural models that read the fields of events (next item, classifier, seq2seq)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")

from seqpred import io  # noqa: E402
from seqpred.data import SequenceSet  # noqa: E402
from seqpred.data.synthetic import FieldMarkovSource  # noqa: E402
from seqpred.exceptions import DataError  # noqa: E402
from seqpred.models.classify.neural import NeuralSequenceClassifier  # noqa: E402
from seqpred.models.next_item import RNNNextItem, TransformerNextItem  # noqa: E402
from seqpred.models.seq2seq.rnn import Seq2SeqNetwork  # noqa: E402
from seqpred.nn.fields import FieldCausalModel  # noqa: E402
from seqpred.nn.heads import CausalSequenceModel  # noqa: E402

TINY = {"hidden_size": 16, "embedding_dim": 8, "random_state": 0, "device": "cpu"}


@pytest.fixture(scope="module")
def source():
    return FieldMarkovSource(
        n_items=5, n_categories=3, n_segments=2, concentration=0.05, random_state=0
    )


@pytest.fixture(scope="module")
def data(source):
    return source.sample(300, 12, random_state=1), source.sample(80, 12, random_state=2)


def _expected_accuracy(model, source, test):
    queries = test.slice_steps(0, -1)
    truth = source.next_proba(queries)
    index = [int(p[1:]) for p in model.predict(queries)]
    return float(truth[np.arange(len(queries)), index].mean())


def test_fields_pay_when_they_matter(source, data):
    train, test = data
    fitted = {
        use: RNNNextItem(**TINY, max_epochs=15, learning_rate=0.02, use_fields=use).fit(
            train
        )
        for use in (True, False)
    }
    with_fields = _expected_accuracy(fitted[True], source, test)
    without = _expected_accuracy(fitted[False], source, test)
    assert with_fields > without + 0.15
    assert "fields_" in vars(fitted[True]) and "fields_" not in vars(fitted[False])


def test_save_load_and_missing_fields(data, tmp_path):
    train, test = data
    model = TransformerNextItem(
        d_model=8, n_layers=1, max_epochs=1, random_state=0, device="cpu"
    ).fit(train)
    io.save(model, tmp_path / "m.seqpred")
    back = io.load(tmp_path / "m.seqpred")
    np.testing.assert_allclose(back.predict_proba(test), model.predict_proba(test))
    with pytest.raises(DataError, match="lacks \\['category'\\]"):
        model.predict(test.with_fields(None, test.static))
    with pytest.raises(DataError, match="static fields"):
        model.predict(test.with_fields(test.fields, None))


def test_unseen_field_values_and_missing_numbers():
    train = SequenceSet.from_lists(
        ["abab", "baba"] * 5,
        fields={"kind": [list("xyxy"), list("yxyx")] * 5,
                "price": [[1.0, 2.0, None, 4.0]] * 10},
    )  # fmt: skip
    model = RNNNextItem(**TINY, max_epochs=1).fit(train)
    queries = SequenceSet.from_lists(
        ["ab"], fields={"kind": [["x", "new"]], "price": [[None, 3.0]]}
    )
    assert model.predict(queries)[0] in {"a", "b"}


def test_continuations_with_fields(data):
    train, test = data
    model = RNNNextItem(**TINY, max_epochs=1).fit(train)
    rows = model.predict_next(test[:3], steps=3, k=2)
    assert [len(r) for r in rows] == [2, 2, 2]
    assert all(len(items) == 3 for row in rows for items, _ in row)
    within = model.predict_within(test[:3], steps=2, k=3, random_state=0)
    assert [len(r) for r in within] == [3, 3, 3]


def test_target_predicts_another_field(data):
    train, test = data
    model = RNNNextItem(**TINY, max_epochs=1, target="category").fit(train)
    assert set(model.vocabulary_.symbols) == {"c0", "c1", "c2"}
    assert set(model.predict(test[:5])) <= {"c0", "c1", "c2"}
    with pytest.raises(DataError, match="target='category'"):
        model.predict([["i0", "i1"]])


def test_networks_without_fields_are_unchanged():
    config = {"vocab_size": 7, "encoder": "gru", "embedding_dim": 4, "hidden_size": 4}
    plain, field = CausalSequenceModel(**config), FieldCausalModel(**config)
    assert list(plain.state_dict()) == list(field.state_dict())


def test_classifier_reads_fields():
    rng = np.random.default_rng(0)
    seqs, marks, labels = [], [], []
    for _ in range(120):
        mark = rng.integers(2, size=4)
        seqs.append(list(rng.choice(list("ab"), 4)))
        marks.append([f"m{v}" for v in mark])
        labels.append(int(mark[-1]))  # the label is the last step's mark
    X = SequenceSet.from_lists(seqs, fields={"mark": marks})
    fitted = {
        use: NeuralSequenceClassifier(
            **TINY, max_epochs=25, learning_rate=0.02, validation_fraction=0.0,
            use_fields=use,
        ).fit(X, labels)
        for use in (True, False)
    }  # fmt: skip
    scores = {use: m.score(X, labels) for use, m in fitted.items()}
    assert scores[True] > 0.9 and scores[True] > scores[False] + 0.2


def test_seq2seq_reads_fields(tmp_path):
    rng = np.random.default_rng(0)
    X, marks, Y = [], [], []
    for _ in range(150):
        x = list(rng.choice(list("ab"), 3))
        up = rng.integers(2, size=3)
        X.append(x)
        marks.append([f"u{v}" for v in up])
        Y.append("".join(c.upper() if u else c for c, u in zip(x, up)))
    inputs = SequenceSet.from_lists(X, fields={"case": marks})
    model = Seq2SeqNetwork(
        **TINY, max_epochs=25, learning_rate=0.02, validation_fraction=0.0,
        reverse_input=True,
    ).fit(inputs, Y)  # fmt: skip
    accuracy = np.mean([p == y for p, y in zip(model.predict(inputs), Y)])
    assert accuracy > 0.8
    io.save(model, tmp_path / "s.seqpred")
    assert io.load(tmp_path / "s.seqpred").predict(inputs[:5]) == model.predict(
        inputs[:5]
    )
