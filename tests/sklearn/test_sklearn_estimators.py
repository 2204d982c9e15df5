"""Every registered estimator inside scikit-learn: clone, tags, cross_val_score.

Issue 14: with scikit-learn >= 1.6 these failed with ``AttributeError: ...
__sklearn_tags__``, and forecasters scored NaN inside ``cross_val_score``.
Scores are checked against a hand-written loop over the same folds.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn.base import clone, is_classifier  # noqa: E402
from sklearn.model_selection import (  # noqa: E402
    StratifiedKFold,
    cross_val_score,
    cross_validate,
)
from sklearn.utils.validation import check_is_fitted  # noqa: E402

import seqpred  # noqa: E402
from seqpred._registry import REGISTRY, get_class  # noqa: E402
from seqpred.data import SequenceKFold  # noqa: E402
from seqpred.testing._data import make_data  # noqa: E402

SKLEARN_VERSION = tuple(int(p) for p in sklearn.__version__.split(".")[:2])
TORCH_MODELS = {
    "gru", "transformer", "neural-lm", "neural-classifier", "seq2seq-rnn",
    "seq2seq-transformer", "mlp-forecaster", "encoder-decoder", "neural-forecaster",
}  # fmt: skip


def make(name):
    """An estimator with its first (small) test settings, and data for its task."""
    if name in TORCH_MODELS:
        pytest.importorskip("torch")
    cls = get_class(name)
    estimator = cls(**cls._test_params()[0])
    data = make_data(cls.get_tags())
    y = data.train_labels if cls.get_tags().task != "forecast" else None
    return estimator, data.train, y


def test_importing_seqpred_does_not_import_sklearn():
    code = (
        "import sys, seqpred, seqpred.data, seqpred.data.cv\n"
        "import seqpred.models.forecast, seqpred.models.next_item\n"
        "seqpred.create('markov').fit(['abc'])\n"
        "print('sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_every_model_class_is_checked():
    assert TORCH_MODELS <= set(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_sklearn_clone_gives_an_unfitted_twin(name):
    estimator, X, y = make(name)
    twin = clone(estimator)
    assert type(twin) is type(estimator) and twin is not estimator
    assert repr(twin) == repr(estimator)
    assert not twin.is_fitted
    with pytest.raises(sklearn.exceptions.NotFittedError):
        check_is_fitted(twin)
    if name in TORCH_MODELS:
        return  # fitted by test_cross_val_score_equals_a_manual_loop
    fitted = estimator.fit(X) if y is None else estimator.fit(X, y)
    check_is_fitted(fitted)
    assert not clone(fitted).is_fitted


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_cross_val_score_equals_a_manual_loop(name, manual_scores):
    estimator, X, y = make(name)
    cv = SequenceKFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # sklearn's "scoring failed"
        scores = cross_val_score(estimator, X, y, cv=cv, error_score="raise")
    expected = manual_scores(estimator, X, y, cv.split(X))
    assert np.isfinite(scores).all(), scores
    np.testing.assert_allclose(scores, expected, rtol=1e-9)


@pytest.mark.parametrize(
    "name, estimator_type, required",
    [
        ("markov", None, False),
        ("kmer", "classifier", True),
        ("minirocket", "classifier", True),
        ("naive", None, False),
        ("seq2seq-ppm", None, True),
        ("conditional", None, False),
    ],
)
def test_scikit_learn_reads_the_kind_of_estimator(name, estimator_type, required):
    estimator = seqpred.create(name)
    assert is_classifier(estimator) == (estimator_type == "classifier")
    assert estimator._estimator_type == estimator_type  # scikit-learn <= 1.5
    if SKLEARN_VERSION < (1, 6):
        return
    from sklearn.utils import get_tags

    tags = get_tags(estimator)
    assert tags.estimator_type == estimator_type
    assert tags.target_tags.required is required
    assert tags.input_tags.two_d_array is False
    assert tags.input_tags.string is (estimator.get_tags().input_kind == "discrete")
    assert tags.requires_fit


def test_a_classifier_gets_stratified_folds_from_cv_int(manual_scores):
    estimator, X, y = make("compression")
    scores = cross_val_score(estimator, X, y, cv=3)
    folds = StratifiedKFold(3).split(X, y)
    np.testing.assert_allclose(scores, manual_scores(estimator, X, y, folds))
    accuracy = cross_val_score(estimator, X, y, cv=3, scoring="accuracy")
    np.testing.assert_allclose(accuracy, scores)


def test_cross_validate_returns_train_and_test_scores(manual_scores):
    estimator, X, _ = make("ppm")
    cv = SequenceKFold(4)
    result = cross_validate(estimator, X, cv=cv, return_train_score=True)
    np.testing.assert_allclose(
        result["test_score"], manual_scores(estimator, X, None, cv.split(X))
    )
    in_sample = [
        seqpred.clone(estimator).fit([X[i] for i in train]).score([X[i] for i in train])
        for train, _ in cv.split(X)
    ]
    np.testing.assert_allclose(result["train_score"], in_sample)


def test_a_fold_of_length_one_sequences_is_a_loud_failure():
    X = ["abc", "abd", "a", "b"]
    with pytest.raises(seqpred.DataError, match="length >= 2"):
        cross_val_score(
            seqpred.create("markov"), X, cv=SequenceKFold(2), error_score="raise"
        )
