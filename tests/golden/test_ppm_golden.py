"""PPM escape probabilities on "abracadabra", worked by hand (Cleary & Witten 1984).

Order-0 counts: a 5, b 2, r 2, c 1, d 1 (n = 11, q = 5 distinct).
Context "a" is followed by b 2, c 1, d 1 (n = 4, q = 3).
"""

import math

import numpy as np
import pytest

from seqpred.models.next_item import PPM

WORD = "abracadabra"


def _p(model, context, symbol):
    proba = model.predict_proba([context])[0]
    return proba[model.vocabulary_.symbols.index(symbol)]


@pytest.mark.parametrize(
    "escape, p_b, p_r, p_unknown",
    [
        # P(b | a) = share of b in context "a";
        # P(r | a) = escape from "a" * share of r at order 0, where b, c, d are
        # excluded (a 5, r 2 remain: n = 7, q = 2); what escapes order 0 goes
        # to the "unknown" slot, the only symbol left at order -1.
        ("A", 2 / 5, (1 / 5) * (2 / 8), (1 / 5) * (1 / 8)),
        ("C", 2 / 7, (3 / 7) * (2 / 9), (3 / 7) * (2 / 9)),
        ("D", 1.5 / 4, (3 / 8) * (1.5 / 7), (3 / 8) * (2 / 14)),
    ],
)
def test_escape_methods_with_exclusion(escape, p_b, p_r, p_unknown):
    model = PPM(max_order=1, escape=escape, exclusion=True).fit([WORD])
    # predict_proba covers known symbols only, so it renormalises
    assert _p(model, "a", "b") == pytest.approx(p_b / (1 - p_unknown))
    assert _p(model, "a", "r") == pytest.approx(p_r / (1 - p_unknown))


def test_blending_without_exclusion_method_c():
    model = PPM(max_order=1, escape="C", exclusion=False).fit([WORD])
    # order 1 gives b 2/7; escape 3/7 goes to order 0 where b has 2/16
    order0_b = 2 / 16
    escape0 = 5 / 16
    uniform = 1 / 6  # five symbols plus the "unknown" slot
    expected = 2 / 7 + 3 / 7 * (order0_b + escape0 * uniform)
    # predict_proba drops the unknown slot and renormalises
    unknown = 3 / 7 * escape0 * uniform
    assert _p(model, "a", "b") == pytest.approx(expected / (1 - unknown))


def test_log_proba_matches_hand_computation():
    model = PPM(max_order=2, escape="C", exclusion=True).fit([WORD])
    logs = model.log_proba(["abra"])[0]
    expected = [5 / 16, 2 / 7, 2 / 3, 2 / 3]
    np.testing.assert_allclose(np.exp(logs), expected)
    assert math.isfinite(model.log_proba(["zz"])[0].sum())


def test_rows_sum_to_one_for_every_method():
    for escape in "ABCD":
        for exclusion in (True, False):
            model = PPM(max_order=3, escape=escape, exclusion=exclusion)
            proba = model.fit([WORD, "cadabra", "abba"]).predict_proba(
                ["", "a", "ab", "zzz", "dab"]
            )
            np.testing.assert_allclose(proba.sum(axis=1), 1.0)
            assert (proba >= 0).all()
