"""Cost blow-ups get a guard (issue 15, item 5): an answer or an error, in seconds.

Before, DTW on two series of 1.75 million steps ran for hours with no limit
(its envelopes alone cost ``O(L · w)`` in ``fit``, and every row of the
dynamic programme was reset whole, ``O(L²)`` even in a narrow band). The long
runs happen in a child process with a timeout, so such code fails in a minute.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from seqpred.exceptions import ComputeBudgetError, MemoryBudgetError, SeqpredError
from seqpred.models.classify import DTWClassifier
from seqpred.models.classify._dtw_kernels import dtw_distance, envelope


def _walks(n: int, length: int, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.cumsum(rng.normal(size=length)) for _ in range(n)]


def _run(code: str, seconds: float) -> str:
    """Run ``code`` in a fresh interpreter, killed after ``seconds``; its stdout.

    Compiled kernels do not see SIGALRM, so a former hang inside one is
    bounded from outside the process.
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=seconds,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_dtw_on_two_huge_series_fails_at_once_with_the_estimate():
    out = _run(
        """
        import numpy as np
        from seqpred.exceptions import ComputeBudgetError
        from seqpred.models.classify import DTWClassifier
        rng = np.random.default_rng(0)
        X = [np.cumsum(rng.normal(size=1_750_000)) for _ in range(3)]
        model = DTWClassifier().fit(X[:2], ["a", "b"])
        try:
            model.predict(X[2:])
        except ComputeBudgetError as exc:
            print(exc)
        """,
        60,
    )
    assert "query 0 (1750000 steps)" in out
    assert "6.1e+12 DTW cells" in out and "max_cells=1e+10" in out
    assert "window=0.0005" in out  # a band that fits the limit
    assert issubclass(ComputeBudgetError, SeqpredError)


def test_a_narrow_band_on_long_series_answers_in_time():
    out = _run(
        """
        import numpy as np
        from seqpred.models.classify import DTWClassifier
        rng = np.random.default_rng(1)
        X = [np.cumsum(rng.normal(size=200_000)) for _ in range(3)]
        model = DTWClassifier(window=0.001).fit(X[:2], ["a", "b"])
        print(model._cells(200_000, model.band_), model.predict(X[2:]).tolist())
        """,
        60,
    )
    assert out.split() == [str(2 * 200_000 * 401), "['b']"]


def test_max_cells_none_runs_anything_and_a_low_limit_refuses():
    X = _walks(4, 50)
    model = DTWClassifier(max_cells=None).fit(X[:2], ["a", "b"])
    assert model.predict(X[2:]).shape == (2,)
    low = DTWClassifier(max_cells=1000).fit(X[:2], ["a", "b"])
    with pytest.raises(ComputeBudgetError, match="needs up to 5e\\+03 DTW cells"):
        low.predict(X[2:])
    assert low.set_params(max_cells=5000).predict(X[2:]).shape == (2,)


@pytest.mark.parametrize("window", [0, 1, 3, 40, 10**6])
def test_streaming_envelopes_equal_the_running_min_and_max(window):
    rng = np.random.default_rng(window)
    x = rng.integers(0, 4, size=(60, 2)).astype(float)  # many ties
    lower, upper = envelope(x, window)
    for i in range(len(x)):
        part = x[max(0, i - window) : i + window + 1]
        np.testing.assert_array_equal(lower[i], part.min(axis=0))
        np.testing.assert_array_equal(upper[i], part.max(axis=0))


def test_band_only_dtw_equals_the_full_table():
    rng = np.random.default_rng(3)
    for _ in range(50):
        n, m, w = rng.integers(1, 30), rng.integers(1, 30), int(rng.integers(0, 8))
        a, b = rng.normal(size=(n, 1)), rng.normal(size=(m, 1))
        band = max(w, abs(n - m))
        table = np.full((n + 1, m + 1), np.inf)
        table[0, 0] = 0.0
        for i in range(1, n + 1):
            for j in range(max(1, i - band), min(m, i + band) + 1):
                step = min(table[i - 1, j - 1], table[i - 1, j], table[i, j - 1])
                table[i, j] = (a[i - 1, 0] - b[j - 1, 0]) ** 2 + step
        assert dtw_distance(a, b, w, np.inf) == pytest.approx(table[n, m], rel=1e-12)


def test_a_network_too_large_to_train_is_refused_before_it_is_built(monkeypatch):
    # max_length=10**9 learned positions asked torch for 256 GB and ended in
    # "unexpected RuntimeError ... this is a bug"
    pytest.importorskip("torch")
    from seqpred.models.next_item import TransformerNextItem

    monkeypatch.setenv("SEQPRED_MAX_BYTES", "1G")
    model = TransformerNextItem(max_length=10**9, max_epochs=1, device="cpu")
    with pytest.raises(MemoryBudgetError, match=r"shape \(1000000000, 64\)"):
        model.fit(["abcab", "bca"])
