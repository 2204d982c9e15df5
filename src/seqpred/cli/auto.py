"""``--model auto`` on the command line: the task read from the data, the choice said.

``seqpred fit DATA --model auto`` fits the task's auto model
(``seqpred.create("auto", task=...)``). Without ``--task`` the task comes
from the data, read once: sequences with class labels (``--data-option
labels=first``, a label column) are **classify**; numeric series are
**forecast**; anything else is **next-item**. After fitting, one line says
what was chosen.

Examples
--------
>>> from seqpred.data import SequenceSet
>>> task_of_data(SequenceSet.from_lists([["a", "b"]], labels=["x"]))
'classify'
>>> task_of_data(SequenceSet.from_lists([["a", "b"]]))
'next-item'
"""

from __future__ import annotations

from typing import Any

from seqpred._registry import auto_name
from seqpred.cli.output import format_seconds
from seqpred.cli.tasks import DataSource, handler_for
from seqpred.data.sequence_set import SequenceSet

__all__ = ["describe_choice", "is_auto", "read_for_auto", "task_of_data"]


def is_auto(model: str | None) -> bool:
    """Whether ``--model`` asks for the task's auto model."""
    return isinstance(model, str) and model.lower() == "auto"


def task_of_data(sequences: SequenceSet) -> str:
    """Return the task the data asks for: labels, numbers, or symbols."""
    if sequences.labels is not None:
        return "classify"
    if sequences.kind == "numeric":
        return "forecast"
    return "next-item"


def read_for_auto(source: DataSource) -> tuple[str, tuple[tuple[Any, ...], str] | None]:
    """Read the data once; return its task and the ``fit`` arguments.

    The arguments come with the data's description, or are ``None`` when
    the task's handler reads files its own way (forecast: it reads again).

    Raises
    ------
    InvalidParameterError
        When the data's task has no auto model (the message lists those that
        do and says to pass ``--task``).
    """
    sequences, roles = source.read_with_roles()
    task = task_of_data(sequences)
    auto_name(task)  # a usage error when the task has no auto model
    if task == "forecast":  # the forecast handler reads tables its own way
        return task, None
    description = handler_for(task).describe(sequences)
    if roles is not None:
        description += f" from columns {roles}"
    return task, ((sequences,), description)


def describe_choice(estimator: Any) -> str:
    """One line: the chosen model, its validation score, the search's size.

    Examples
    --------
    >>> class Fitted:
    ...     best_name_, best_params_ = "ppm", {"max_order": 3}
    ...     validation_score_ = 0.5
    ...     leaderboard_ = [{"model": "ppm", "status": "ok", "fit_seconds": 0.2,
    ...                      "predict_seconds": 0.05}] * 3
    >>> print(describe_choice(Fitted()))
    chose ppm(max_order=3) by validation (score 0.5000; 3 of 3 candidates run, 750.0 ms)
    """
    params = estimator.best_params_
    if estimator.best_name_ == "blend":
        members = [f"{name}{_params(p)}" for name, p in params["models"]]
        weights = ", ".join(f"{w:.2f}" for w in params["weights"])
        shown = f"blend of {' + '.join(members)} (weights {weights})"
    elif estimator.best_name_ in ("mean", "median") and "models" in params:
        labels = ", ".join(f"{name}{_params(p)}" for name, p in params["models"])
        shown = f"{estimator.best_name_}({labels})"
    else:
        shown = f"{estimator.best_name_}{_params(params)}"
    rows = [  # candidates: blends and combinations reuse their fits
        r
        for r in estimator.leaderboard_
        if r["model"] != "blend" and r.get("stage", "candidate") == "candidate"
    ]
    ran = [r for r in rows if r["status"] == "ok"]
    seconds = sum(r["fit_seconds"] + r["predict_seconds"] for r in ran)
    score = estimator.validation_score_
    if score != score:  # NaN: nothing was validated
        return f"chose {shown} without validation (the budget ran out)"
    return (
        f"chose {shown} by validation (score {score:.4f}; {len(ran)} of "
        f"{len(rows)} candidates run, {format_seconds(seconds)})"
    )


def _params(params: dict[str, Any]) -> str:
    inside = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return f"({inside})" if inside else ""
