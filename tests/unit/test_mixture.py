"""OnlineMixture: per-symbol mixing of sequence models with online weights."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from seqpred.exceptions import InvalidParameterError, NotFittedError
from seqpred.models.next_item import PPM
from seqpred.models.next_item.ensemble.mixture import OnlineMixture


def _source(transitions: dict[str, str], n: int, seed: int) -> str:
    """A text from a first-order source: each symbol picks among its followers."""
    rng = np.random.default_rng(seed)
    out = ["a"]
    for _ in range(n - 1):
        followers = transitions[out[-1]]
        out.append(followers[rng.integers(len(followers))])
    return "".join(out)


ONE = {"a": "b", "b": "cd", "c": "a", "d": "a"}  # a b (c|d) a ...
TWO = {"a": "ad", "b": "b", "c": "b", "d": "c"}  # another grammar, same symbols


@pytest.fixture(scope="module")
def experts() -> tuple[PPM, PPM, str]:
    first, second = PPM(max_order=2), PPM(max_order=2)
    first.fit([_source(ONE, 3000, 0)])
    second.fit([_source(TWO, 3000, 1)])
    text = _source(ONE, 800, 2) + _source(TWO, 800, 3)  # each model wins a half
    return first, second, text


def _bits(log_p: np.ndarray) -> float:
    return float(-log_p.sum() / np.log(2.0))


def test_each_model_wins_one_half(experts: tuple[PPM, PPM, str]) -> None:
    first, second, text = experts
    a, b = first.log_proba([text])[0], second.log_proba([text])[0]
    assert _bits(a[:800]) < _bits(b[:800]) and _bits(b[800:]) < _bits(a[800:])


@pytest.mark.parametrize(
    ("learning_rate", "share"), [(1.0, 0.0), (1.0, 0.001), (0.5, 0.01), (1.0, 0.05)]
)
def test_never_worse_than_the_better_model_beyond_the_regret_bound(
    experts: tuple[PPM, PPM, str], learning_rate: float, share: float
) -> None:
    first, second, text = experts
    best = min(_bits(first.log_proba([text])[0]), _bits(second.log_proba([text])[0]))
    mixture = OnlineMixture(
        [first, second], learning_rate=learning_rate, share=share
    ).fit()
    bits = _bits(mixture.log_proba([text])[0])
    n = len(text)
    # -log sum w p <= -(1/rate) log sum w p**rate, so the loss exceeds the
    # best model's by at most (log2 M + (n - 1) log2(1 / (1 - share))) / rate;
    # the 1e-6 uniform floor costs each model at most n log2(1 / (1 - 1e-6)).
    bound = (np.log2(2) + (n - 1) * np.log2(1 / (1 - share))) / learning_rate
    bound += n * np.log2(1 / (1 - 1e-6)) + 1e-9
    assert bits <= best + bound
    if share > 0:  # it follows the switch: better than either model alone
        assert bits < best - 100


def test_bits_per_symbol_matches_log_proba_and_weights_stay(
    experts: tuple[PPM, PPM, str],
) -> None:
    first, second, text = experts
    mixture = OnlineMixture([first, second]).fit()
    log_p = mixture.log_proba([text, text[:50]])
    assert [len(s) for s in log_p] == [len(text), 50]
    expected = -(log_p[0].sum() + log_p[1].sum()) / np.log(2.0) / (len(text) + 50)
    assert mixture.bits_per_symbol([text, text[:50]]) == pytest.approx(expected)
    assert mixture.weights_.tolist() == [0.5, 0.5]  # scoring does not move them


def test_partial_fit_moves_the_weights_to_the_better_model(
    experts: tuple[PPM, PPM, str],
) -> None:
    first, second, text = experts
    mixture = OnlineMixture([first, second], share=0.0).fit()
    mixture.partial_fit([text[800:1200]])  # the second model's grammar
    assert mixture.weights_[1] > 0.99
    proba = mixture.predict_proba(["ab", "a"])
    order = [second.vocabulary_.symbols.index(s) for s in mixture.vocabulary_.symbols]
    expected = second.predict_proba(["ab", "a"])[:, order]  # matched by symbol
    np.testing.assert_allclose(proba, expected, atol=0.01)


def test_vocabularies_are_matched_by_symbol() -> None:
    left = PPM(max_order=1).fit(["abcabc"])
    right = PPM(max_order=1).fit(["cdcd"])
    mixture = OnlineMixture([left, right]).fit()
    assert mixture.vocabulary_.symbols == ["a", "b", "c", "d"]
    proba = mixture.predict_proba(["c", "zz"])
    assert proba.shape == (2, 4)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    mapped = 0.5 * np.pad(left.predict_proba(["c"])[0], (0, 1))
    mapped += 0.5 * np.pad(right.predict_proba(["c"])[0], (2, 0))
    np.testing.assert_allclose(proba[0], mapped, atol=1e-5)
    assert mixture.predict(["c"]) == [["a", "b", "c", "d"][int(mapped.argmax())]]
    scores = mixture.log_proba(["abcdx"])[0]  # x: in no vocabulary
    assert np.isfinite(scores).all()


def test_fit_on_data_fits_clones_and_errors_are_clear() -> None:
    unfitted = PPM(max_order=2)
    with pytest.raises(NotFittedError):
        OnlineMixture([unfitted]).fit()
    mixture = OnlineMixture([unfitted, PPM(max_order=1)]).fit(["abcab", "bca"])
    assert not unfitted.is_fitted and all(m.is_fitted for m in mixture.models_)
    assert mixture.context_length_ == 2
    with pytest.raises(InvalidParameterError, match="at least one"):
        OnlineMixture([]).fit()
    with pytest.raises(InvalidParameterError, match="share"):
        OnlineMixture([unfitted], share=1.5).fit()
    with pytest.raises(NotFittedError):
        OnlineMixture([unfitted]).predict_proba(["a"])


def test_a_mixture_compresses_with_the_model_coder(
    experts: tuple[PPM, PPM, str],
) -> None:
    from seqpred.compress.model_coder import (
        compress_with_model,
        decompress_with_model,
    )

    first, second, text = experts
    mixture = OnlineMixture([first, second]).fit()
    digest = hashlib.sha256(b"mixture").digest()
    data = text[:300].encode()
    blob = compress_with_model(data, mixture, fingerprint=digest)
    assert decompress_with_model(blob, mixture, fingerprint=digest) == data


def test_tinyshakespeare_ppm_alone_and_mixed(shared_data: Path) -> None:
    """PPM-C order 5 alone vs mixed with PPM-D order 3 (frozen models, adaptive mix).

    Measured: 2.3468 alone, 2.3343 mixed (bits per character on the last 10%).
    """
    text = (shared_data / "text" / "tinyshakespeare.txt").read_text(encoding="utf-8")
    cut = int(len(text) * 0.9)
    train, valid = [text[:cut]], [text[cut:]]
    ppm = PPM(max_order=5, escape="C", exclusion=True)
    low = PPM(max_order=3, escape="D", exclusion=True)
    ppm.fit(train)
    low.fit(train)
    alone = _bits(ppm.log_proba(valid)[0]) / len(valid[0])
    mixed = OnlineMixture([ppm, low], learning_rate=0.5, share=0.01).fit()
    bits = mixed.bits_per_symbol(valid)
    assert alone == pytest.approx(2.347, abs=0.01)
    assert bits < alone - 0.005
