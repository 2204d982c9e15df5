"""Model choice by validation inside ``fit``: what every task's ``auto`` model shares.

``seqpred.create("auto", task=...)`` builds the task's auto model, registered
as ``"auto-<task>"``:

==============  ============================================  ===================
task            class                                         validation
==============  ============================================  ===================
next item       :class:`~seqpred.models.next_item.AutoNextItem`  last sequences
classification  :class:`~seqpred.models.classify.AutoClassifier`  stratified k-fold
forecasting     :class:`~seqpred.models.forecast.AutoForecaster`  expanding windows
==============  ============================================  ===================

Each lists :class:`~.search.Candidate` models best expected first, runs them
with :func:`~.search.run_candidates` under a :class:`~.search.Budget`
(``max_time``), picks one with :func:`~.search.choose` and keeps the table of
:func:`~.search.leaderboard` as ``leaderboard_``; the winner is refitted on
all the training data and is a nested estimator, saved with the model.
:func:`~.search.user_candidates` reads a user's ``models=`` list.

Adding a task's auto model takes a class in the task's
package deriving from its mixin, whose ``_fit`` builds the candidates, an
``evaluate(candidate) -> Trial`` on its own validation scheme (per-item
scores, higher is better, the same items for every candidate), and calls
these functions; a ``"auto-<task>"`` registry line makes
``seqpred.create("auto", task=...)`` and ``--model auto`` find it.
"""

from seqpred.models.auto.search import (
    Budget,
    Candidate,
    OverBudget,
    Trial,
    choose,
    leaderboard,
    paired_gain,
    run_candidates,
    user_candidates,
)

__all__ = [
    "Budget",
    "Candidate",
    "OverBudget",
    "Trial",
    "choose",
    "leaderboard",
    "paired_gain",
    "run_candidates",
    "user_candidates",
]
