"""``seqpred demo``: a guided tour on synthetic click sessions, needing no files.

The tour is a list of parts (:data:`PARTS`); each part reads and extends one
:class:`DemoState`. A new task adds its part to the list. Results go to
stdout, progress to stderr.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import seqpred
from seqpred.cli.demo.classify import part_classify
from seqpred.cli.demo.forecast import part_forecast
from seqpred.cli.demo.generate import part_generate
from seqpred.cli.demo.seq2seq import part_seq2seq
from seqpred.cli.output import (
    OutputFormat,
    emit,
    format_seconds,
    format_size,
    say,
    step,
)
from seqpred.data import SequenceSet

__all__ = ["PARTS", "DemoState", "run_demo"]

TOP_K = 10  # the cut-off of the ranking metrics


@dataclass
class DemoState:
    """What the parts of the demo share: settings, data and fitted models."""

    quick: bool = False
    seed: int = 0
    sessions: list[list[str]] = field(default_factory=list)
    data: SequenceSet | None = None
    train: SequenceSet | None = None
    test: SequenceSet | None = None
    model: Any = None


def _path(items: list[Any], last: int = 4) -> str:
    """Show the last ``last`` items of a session as ``... > a > b > c``."""
    shown = " > ".join(str(item) for item in items[-last:])
    return ("... > " if len(items) > last else "") + shown


def _head(items: list[Any], first: int = 8) -> str:
    """Show the first ``first`` items of a session as ``a > b > ... (n clicks)``."""
    shown = " > ".join(str(item) for item in items[:first])
    return shown + (f" > ... ({len(items)} clicks)" if len(items) > first else "")


# -- the parts ------------------------------------------------------------------------


def part_data(state: DemoState) -> None:
    """Generate web click sessions over named pages."""
    from seqpred.data.synthetic import click_sessions

    n = 400 if state.quick else 2000
    with step(f"generating {n} click sessions (seed {state.seed})"):
        state.sessions = click_sessions(n_sessions=n, random_state=state.seed)
        state.data = SequenceSet.from_lists(state.sessions)
    lengths = state.data.lengths
    assert state.data.vocabulary is not None
    say(
        f"{len(state.data):,} sessions, {state.data.n_steps:,} clicks on "
        f"{len(state.data.vocabulary)} pages; length {lengths.min()}-"
        f"{lengths.max()} (mean {lengths.mean():.1f})."
    )
    for session in state.sessions[:3]:
        say(f"  {_head(session)}")


def part_split(state: DemoState) -> None:
    """Split whole sessions into training and test sets."""
    from seqpred.data.splits import train_test_split_sequences

    assert state.data is not None
    state.train, state.test = train_test_split_sequences(
        state.data, test_size=0.2, random_state=state.seed
    )
    say(
        f"{len(state.train):,} training sessions, {len(state.test):,} test sessions "
        "(whole sessions: no session is in both)."
    )


def part_fit(state: DemoState) -> None:
    """Fit a Markov model with back-off on the training sessions."""
    state.model = seqpred.create("markov", order=3)
    with step(f"fitting {state.model!r}"):
        start = time.perf_counter()
        state.model.fit(state.train)
        seconds = time.perf_counter() - start
    say(
        "model = seqpred.create('markov', order=3).fit(train)  "
        f"# {format_seconds(seconds)}"
    )
    say("It counts which page follows each context of up to 3 pages and answers")
    say("from the longest context of the query that it has seen.")


def part_predict(state: DemoState) -> None:
    """Show the top-3 next pages for a few test sessions."""
    from seqpred.data.splits import holdout_last

    assert state.test is not None
    _, queries, targets = holdout_last(state.test[:5])
    contexts = queries.to_lists()
    ranked = state.model.predict_top_k(contexts, k=3)
    rows = []
    for context, (actual,), top in zip(contexts, targets.to_lists(), ranked):
        shown = "  ".join(f"{page} {p:.0%}" for page, p in top) or "(no match)"
        hit = "yes" if actual in [page for page, _ in top] else "no"
        rows.append([_path(context, last=3), actual, shown, hit])
    say("model.predict_top_k(sessions, k=3): the last page of each test session")
    say("is hidden; the model ranks candidates from the pages before it.\n")
    emit(
        OutputFormat.table,
        header=["session so far", "actual next", "top-3 (probability)", "in top-3"],
        rows=rows,
    )
    unseen = [["home", "careers"]]
    say(f"\nmodel.predict({unseen}) -> {state.model.predict(unseen)}")
    say("'careers' never occurs in training, so the model reports no match instead")
    say("of guessing; pass fallback='most_frequent' to always get an answer.")


def part_evaluate(state: DemoState) -> None:
    """Evaluate against always ranking the most frequent pages."""
    from seqpred.data.splits import holdout_last
    from seqpred.evaluate import evaluate_next_item

    assert state.train is not None and state.test is not None
    with step("evaluating on the test sessions"):
        report = evaluate_next_item(state.model, state.test, k=TOP_K).as_dict()
    baseline = _most_frequent_baseline(state.train, *holdout_last(state.test)[1:])
    names = {
        "accuracy": "accuracy (top-1)",
        "no_match_rate": "no match",
        "hit_rate": f"HR@{TOP_K}",
        "mrr": f"MRR@{TOP_K}",
    }
    rows = [[label, report.get(key), baseline[key]] for key, label in names.items()]
    say(
        f"Predict the last page of each of {report.get('n_queries', '?')} test "
        "sessions from the pages before it:\n"
    )
    emit(OutputFormat.table, header=["metric", "markov", "most frequent"], rows=rows)


def _most_frequent_baseline(
    train: SequenceSet, queries: SequenceSet, targets: SequenceSet
) -> dict[str, float]:
    """Score a baseline that always ranks the most frequent training pages."""
    from seqpred.evaluate import metrics

    counts = np.bincount(train.values)
    top = np.argsort(-counts, kind="stable")[:TOP_K]
    ranked = np.tile(top, (len(queries), 1))
    truth = targets.values
    return {
        "accuracy": float(np.mean(ranked[:, 0] == truth)),
        "no_match_rate": 0.0,
        "hit_rate": metrics.hit_rate_at_k(ranked, truth, k=TOP_K),
        "mrr": metrics.mrr_at_k(ranked, truth, k=TOP_K),
    }


def part_save_load(state: DemoState) -> None:
    """Save the model, load it back and check it predicts the same."""
    from seqpred.io import load, save

    assert state.test is not None
    contexts = [session[:-1] for session in state.test.to_lists()]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "clicks.seqpred"
        save(state.model, path)
        size = path.stat().st_size
        reloaded: Any = load(path)
    same = reloaded.predict_top_k(contexts, k=TOP_K) == state.model.predict_top_k(
        contexts, k=TOP_K
    )
    if not same:
        raise RuntimeError("demo: the reloaded model predicts differently")
    say(
        f"seqpred.io.save(model, 'clicks.seqpred') wrote {format_size(size)} "
        "(JSON + arrays, no pickle);"
    )
    say(
        f"seqpred.io.load gives identical top-{TOP_K} predictions on "
        f"{len(contexts):,} test sessions."
    )


def part_next_steps(state: DemoState) -> None:
    """Point at the commands to run on one's own data."""
    say(
        "On your own data (one sequence per line; SPMF, CSV, Parquet, FASTA too):\n"
        "  seqpred datasets                                  # formats and models\n"
        "  seqpred fit sessions.txt -p order=2 -o my.seqpred\n"
        "  seqpred predict my.seqpred -i 'home search' --top-k 3\n"
        "  seqpred evaluate my.seqpred test_sessions.txt --k 10 --format json\n"
        "In Python: seqpred.create('markov').fit(list_of_lists).predict_top_k(...)."
        "\nMore: README.md and docs/ (user guide, CLI, formats)."
    )


DemoPart = tuple[str, Callable[[DemoState], None]]

PARTS: list[DemoPart] = [
    ("Data: synthetic web click sessions", part_data),
    ("Split by whole sessions", part_split),
    ("Fit a Markov model", part_fit),
    ("Predict the next page", part_predict),
    ("Evaluate against a baseline", part_evaluate),
    ("Save and reload", part_save_load),
    ("Classify sequences: which motif does a string carry?", part_classify),
    ("Generate sequences like a corpus", part_generate),
    ("Forecast a seasonal series", part_forecast),
    ("Sequence to sequence: learn to add", part_seq2seq),
    ("Next steps", part_next_steps),
]
"""The tour, in order: (title, part). Later tasks append their parts."""


def run_demo(*, quick: bool = False, seed: int = 0) -> DemoState:
    """Run every part of :data:`PARTS` in order and return the final state."""
    state = DemoState(quick=quick, seed=seed)
    start = time.perf_counter()
    for number, (title, part) in enumerate(PARTS, 1):
        say(f"{'' if number == 1 else chr(10)}== {number}. {title} ==")
        part(state)
    sys.stderr.write(f"demo finished in {time.perf_counter() - start:.1f} s\n")
    return state
