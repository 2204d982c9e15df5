"""Golden checks: Bayes-optimal PPM classification and MiniRocket sizes."""

from __future__ import annotations

import numpy as np

from seqpred.data.synthetic import MarkovSource
from seqpred.models.classify import CompressionClassifier, MiniRocketClassifier
from seqpred.models.classify._minirocket import INDICES, fit_dilations


def _two_sources(n: int, length: int, seed: int):
    """Two first-order chains over 'ab' with known transition matrices."""
    rng = np.random.default_rng(seed)
    stay = {0: 0.7, 1: 0.4}  # P(repeat the last symbol) per class
    labels = rng.integers(2, size=n)
    seqs = []
    for c in labels:
        s = [int(rng.integers(2))]
        for _ in range(length - 1):
            s.append(s[-1] if rng.random() < stay[int(c)] else 1 - s[-1])
        seqs.append("".join("ab"[v] for v in s))
    return seqs, labels, stay


def _bayes(seqs, stay):
    """Bayes-optimal class from the true likelihoods (equal priors)."""
    out = []
    for s in seqs:
        repeats = sum(a == b for a, b in zip(s, s[1:]))
        changes = len(s) - 1 - repeats
        ll = [repeats * np.log(p) + changes * np.log(1 - p) for p in (stay[0], stay[1])]
        out.append(int(np.argmax(ll)))
    return np.array(out)


def test_compression_classifier_reaches_bayes_optimal_accuracy():
    train, y_train, stay = _two_sources(400, 20, seed=0)
    test, y_test, _ = _two_sources(2000, 20, seed=1)
    bayes = float(np.mean(_bayes(test, stay) == y_test))
    model = CompressionClassifier(max_order=2).fit(train, y_train)
    ours = model.score(test, y_test)
    assert ours >= bayes - 0.02, (ours, bayes)


def test_markov_source_two_class_problem():
    # the same with the library's MarkovSource generator (random sources)
    sources = [MarkovSource(4, order=1, random_state=s) for s in (3, 4)]
    draws = [
        src.sample(300, length=15, random_state=10 + i) for i, src in enumerate(sources)
    ]
    X = [s for d in draws for s in d]
    y = np.repeat([0, 1], 300)
    model = CompressionClassifier(max_order=1).fit(X[::2], y[::2])
    assert model.score(X[1::2], y[1::2]) > 0.8


def test_minirocket_default_sizes():
    assert len(INDICES) == 84
    dilations, per_dilation = fit_dilations(150, 10_000, 32)
    assert per_dilation.sum() * 84 == 9_996
    X = [np.sin(np.arange(150) / 10.0 * f) for f in (1.0, 2.0, 1.1, 2.1)]
    model = MiniRocketClassifier(random_state=0).fit(X, [0, 1, 0, 1])
    assert model.biases_.shape == (9_996,)
    assert model.coef_.shape == (9_996, 2)
