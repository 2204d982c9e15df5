"""KmerClassifier's text options: boundaries, sublinear tf, NB scaling, char n-grams."""

from __future__ import annotations

import numpy as np
import pytest

from seqpred.data import SequenceSet
from seqpred.exceptions import InvalidParameterError
from seqpred.models.classify import KmerClassifier
from seqpred.models.classify._kmer_features import char_keys, kmer_keys
from seqpred.models.classify._linear import CSR

QUESTIONS = [
    ("how many dogs are there", "number"),
    ("how many people live here", "number"),
    ("what is a dog", "definition"),
    ("what is many", "definition"),
    ("who is there", "person"),
    ("who wrote this book", "person"),
] * 4


def _xy():
    return [q.split() for q, _ in QUESTIONS], [c for _, c in QUESTIONS]


def test_boundaries_add_edge_kmers_but_no_lone_marks():
    ss = SequenceSet.from_lists([["a", "b"]])
    plain = kmer_keys(ss, 1, 2, 1)[1]
    marked = kmer_keys(ss, 1, 2, 1, boundaries=True)[1]
    assert len(plain) == 3  # a, b, ab
    assert len(marked) == 5  # a, b, <s>a, ab, b</s>
    assert set(plain) <= set(marked)


def test_char_ngrams_are_shared_by_related_words():
    ss = SequenceSet.from_lists([["dogs"], ["dog"], ["cat"]])
    rows, keys = char_keys(ss, 2, 3)
    per_row = [set(keys[rows == i].tolist()) for i in range(3)]
    assert len(per_row[0] & per_row[1]) >= 3  # ^d, do, og, ^do, dog
    assert not per_row[0] & per_row[2]
    assert len(per_row[2]) == 4 + 3  # "^cat$": 4 bigrams, 3 trigrams


def test_char_ngrams_classify_unseen_words():
    X = ["running", "jumping", "walking", "table", "chair", "bottle"] * 3
    y = ["verb"] * 3 + ["noun"] * 3
    words = [[w] for w in X]
    model = KmerClassifier(1, max_k=1, char_ngrams=(2, 4)).fit(words, y * 3)
    assert model.predict([["swimming"], ["cable"]]).tolist() == ["verb", "noun"]
    plain = KmerClassifier(1, max_k=1).fit(words, y * 3)
    proba = plain.predict_proba([["swimming"], ["cable"]])
    np.testing.assert_allclose(proba[0], proba[1])  # unseen words look alike


def test_all_text_options_together_fit_and_predict_prefixes():
    X, y = _xy()
    model = KmerClassifier(
        1, max_k=2, boundaries=True, sublinear_tf=True, nb_scaling=True,
        char_ngrams=(2, 4),
    ).fit(X, y)  # fmt: skip
    assert model.score(X, y) == 1.0
    assert model.predict([["how", "many"], ["who"], []]).shape == (3,)
    assert np.all(model.nb_scale_ >= 0) and model.nb_scale_.max() > 0


def test_nb_scaling_equals_abs_log_count_ratio_for_two_classes():
    X = [["good"], ["good", "fun"], ["bad"], ["bad", "fun"]]
    y = ["pos", "pos", "neg", "neg"]
    model = KmerClassifier(1, max_k=1, nb_scaling=True, tfidf=False).fit(X, y)
    scale = dict(zip(model.feature_keys_.tolist(), model.nb_scale_))
    good = kmer_keys(SequenceSet.from_lists([["good"]], vocabulary=model.vocabulary_),
                     1, 1, 1)[1][0]  # fmt: skip
    fun = kmer_keys(SequenceSet.from_lists([["fun"]], vocabulary=model.vocabulary_),
                    1, 1, 1)[1][0]  # fmt: skip
    # counts with +1 smoothing: good (neg 0+1, pos 2+1), fun (2, 2), bad (3, 1);
    # both classes total 6, so |r| = |log(p / q)|
    assert scale[int(good)] == pytest.approx(np.log(3.0))
    assert scale[int(fun)] == pytest.approx(0.0)


def test_sublinear_tf_damps_repeats():
    model = KmerClassifier(1, max_k=1, sublinear_tf=True, tfidf=False)
    model.fit([["a", "a", "a", "b"], ["b"]], ["x", "y"])
    counts = model._counts(
        SequenceSet.from_lists([["a", "a", "a", "b"]], vocabulary=model.vocabulary_)
    )
    assert sorted(counts.data.tolist()) == pytest.approx([1.0, 1.0 + np.log(3.0)])


@pytest.mark.parametrize("bad", [(0, 3), (4, 2), (2,), ("a", "b")])
def test_bad_char_ngrams_are_reported(bad):
    X, y = _xy()
    with pytest.raises(InvalidParameterError, match="char_ngrams"):
        KmerClassifier(char_ngrams=bad).fit(X, y)


def test_csr_products_handle_empty_rows():
    X = CSR(
        np.array([0, 0, 2, 2, 3]), np.array([0, 2, 1]), np.array([1.0, 2.0, 3.0]), 3
    )
    dense = np.array([[0, 0, 0], [1, 0, 2], [0, 0, 0], [0, 3, 0]], dtype=float)
    W = np.arange(6.0).reshape(3, 2)
    G = np.arange(8.0).reshape(4, 2)
    np.testing.assert_allclose(X.dot(W), dense @ W)
    np.testing.assert_allclose(X.tdot(G), dense.T @ G)
    np.testing.assert_allclose(X.transpose().dot(G), dense.T @ G)


def test_char_ngrams_accepts_a_list_as_from_json():
    X, y = _xy()
    model = KmerClassifier(1, max_k=1, char_ngrams=[2, 3]).fit(X, y)
    assert model.predict([["how", "many"]]).tolist() == ["number"]


@pytest.mark.filterwarnings("ignore::seqpred.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("nb_scaling", [True, False])
def test_documents_whose_kmers_all_weigh_zero_get_finite_probabilities(nb_scaling):
    # the same document under both labels: every naive-Bayes ratio is 1, so
    # every weighted k-mer is 0 and the row's norm is 0 (was 0 / 0 = NaN)
    model = KmerClassifier(char_ngrams=(1, 2), n_features=32, nb_scaling=nb_scaling,
                           sublinear_tf=True, tfidf=False, max_iter=30)  # fmt: skip
    model.fit([["ab"], ["ab"]], [False, True])
    proba = model.predict_proba([["ab"], ["c"]])
    assert np.isfinite(proba).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
