"""The conformance suite: one contract, checked the same way for every estimator.

Run it on a model of your own::

    from seqpred.testing import check_estimator
    check_estimator(MyPredictor)          # or an instance, or a registry name

or parametrise pytest over it, one test per check::

    import pytest
    from seqpred.testing import yield_checks

    @pytest.mark.parametrize(
        "check_id, check, estimator",
        [pytest.param(*t, id=t[0]) for t in yield_checks(MyPredictor)],
    )
    def test_conformance(check_id, check, estimator):
        check(estimator)

Checks are chosen by the estimator's :class:`~seqpred.base.Tags` (the task,
the input kind, whether it is probabilistic); data come from the tags too. A
class skips a check by naming it, with a reason, in
``Tags(skip_checks={"save_load": "why"})``; the check then raises
:class:`SkipCheck`, which pytest and unittest report as a skip.

Estimators not in the registry are registered for the duration of the
``save_load`` check (they must be defined at module level).

Examples
--------
>>> from seqpred.testing import check_estimator, check_names
>>> check_names()[:3]
['constructor', 'get_set_params', 'clone']
>>> skipped = check_estimator("markov")
>>> sorted(skipped)
['markov:random_state', 'markov[1]:random_state']
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

from seqpred import _registry
from seqpred.base import BaseEstimator, Tags, clone
from seqpred.exceptions import InvalidParameterError
from seqpred.testing._checks_anomaly import ANOMALY_CHECKS
from seqpred.testing._checks_classify import CLASSIFY_CHECKS
from seqpred.testing._checks_common import COMMON_CHECKS
from seqpred.testing._checks_forecast import FORECAST_CHECKS
from seqpred.testing._checks_generate import GENERATE_CHECKS
from seqpred.testing._checks_next_item import NEXT_ITEM_CHECKS
from seqpred.testing._checks_seq2seq import SEQ2SEQ_CHECKS
from seqpred.testing._data import SkipCheck
from seqpred.testing._state import assert_same_fitted_state, fitted_state
from seqpred.testing._support import CHECK_NAMES

__all__ = [
    "CHECKS",
    "SkipCheck",
    "assert_same_fitted_state",
    "check_estimator",
    "check_names",
    "fitted_state",
    "registry_checks",
    "yield_checks",
]

Check = Callable[[BaseEstimator], None]

TASK_CHECKS: dict[str, list[Check]] = {
    "next-item": NEXT_ITEM_CHECKS,
    "classify": CLASSIFY_CHECKS,
    "seq2seq": SEQ2SEQ_CHECKS,
    "forecast": FORECAST_CHECKS,
    "generate": GENERATE_CHECKS,
    "anomaly": ANOMALY_CHECKS,
}
"""Extra checks per task, run after the common ones."""

CHECKS: list[Check] = COMMON_CHECKS + [c for cs in TASK_CHECKS.values() for c in cs]
"""Every check function, in the order they run."""


def check_names(task: str | None = None) -> list[str]:
    """Return the short names of all checks (the ``check`` part of the ids).

    With ``task``, only the checks that run for that task, in order.
    """
    checks = CHECKS if task is None else COMMON_CHECKS + TASK_CHECKS.get(task, [])
    return [_short(check) for check in checks]


def _short(check: Check) -> str:
    return check.__name__.removeprefix("check_")


CHECK_NAMES.update(_short(check) for check in CHECKS)  # read by check_tags


def _checks_for(tags: Tags) -> list[Check]:
    return COMMON_CHECKS + TASK_CHECKS.get(tags.task or "", [])


def _skipped(check: Check, reason: str) -> Check:
    @functools.wraps(check)
    def skip(estimator: BaseEstimator) -> None:
        raise SkipCheck(reason)

    return skip


def _label(cls: type[BaseEstimator], name: str | None) -> str:
    if name is not None:
        return name
    try:
        return _registry.name_of(cls)
    except InvalidParameterError:
        return cls.__name__


def yield_checks(
    estimator: BaseEstimator | type[BaseEstimator] | str, name: str | None = None
) -> Iterator[tuple[str, Check, BaseEstimator]]:
    """Yield ``(id, check, estimator)`` for each check that applies.

    Parameters
    ----------
    estimator : BaseEstimator, estimator class or str
        An instance (checked with its own parameters), a class (checked with
        each of its ``_test_params()``) or a registry name.
    name : str, default=None
        The name in the ids; default the registry name, else the class name.

    Yields
    ------
    tuple
        ``("name:check", check, estimator)``; with several ``_test_params()``
        sets the ids of the second and later read ``"name[i]:check"``.
        Checks the class skips in ``Tags.skip_checks`` raise :class:`SkipCheck`.
    """
    if isinstance(estimator, str):
        name = name or estimator.lower()
        estimator = _registry.get_class(estimator)
    if isinstance(estimator, BaseEstimator):
        cls, instances = type(estimator), [clone(estimator)]
    else:
        cls = estimator
        instances = [cls(**params) for params in cls._test_params()]
    label = _label(cls, name)
    tags = cls.get_tags()
    for i, instance in enumerate(instances):
        prefix = label if i == 0 else f"{label}[{i}]"
        for check in _checks_for(tags):
            reason = tags.skip_checks.get(_short(check))
            chosen = check if reason is None else _skipped(check, reason)
            yield f"{prefix}:{_short(check)}", chosen, instance


def registry_checks(task: str | None = None) -> Iterator[tuple[str, Check, Any]]:
    """Yield :func:`yield_checks` triples for every registered estimator.

    A model whose module cannot be imported (say, torch is missing) yields
    one ``"name:import"`` triple that skips with the import error.
    """
    for name in _registry.available(task):
        try:
            cls = _registry.get_class(name)
        except ImportError as exc:
            yield f"{name}:import", _skipped(_import_check, str(exc)), None
            continue
        yield from yield_checks(cls, name=name)


def _import_check(estimator: BaseEstimator) -> None:
    """Stand in for the checks of a model that cannot be imported here."""


def check_estimator(
    estimator: BaseEstimator | type[BaseEstimator] | str,
) -> dict[str, str]:
    """Run every applicable check; return the skipped ones.

    Parameters
    ----------
    estimator : BaseEstimator, estimator class or str
        What to check, as in :func:`yield_checks`.

    Returns
    -------
    dict
        ``{"name:check": reason}`` for each skipped check.

    Raises
    ------
    AssertionError
        At the first failing check, with its ``name:check`` id in the message.
    """
    skipped: dict[str, str] = {}
    for check_id, check, instance in yield_checks(estimator):
        try:
            check(instance)
        except SkipCheck as skip:
            skipped[check_id] = str(skip)
        except AssertionError as exc:
            raise AssertionError(f"{check_id}: {exc}") from exc
        except Exception as exc:
            raise AssertionError(
                f"{check_id}: raised {type(exc).__name__}: {exc}"
            ) from exc
    return skipped
