"""Declarative parameter constraints, checked once by ``BaseEstimator.fit``.

A model lists, for each constructor parameter, the constraints any one of
which the value must satisfy::

    _parameter_constraints = {
        "order": [Interval(int, 1, None)],
        "fallback": [None, Options({"most_frequent"}), Hashable],
    }

A constraint is ``None`` (the value ``None``), a type (``isinstance``), an
:class:`Interval`, an :class:`Options` set, or ``"random_state"``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqpred.exceptions import InvalidParameterError

__all__ = ["Interval", "Options", "validate_parameter"]


@dataclass(frozen=True)
class Interval:
    """Numbers of type ``kind`` between ``low`` and ``high`` (``None`` = unbounded).

    Examples
    --------
    >>> Interval(int, 1, None).accepts(3), Interval(int, 1, None).accepts(0)
    (True, False)
    >>> str(Interval(float, 0, 1, closed="right"))
    'a float in (0, 1]'
    """

    kind: type
    low: float | None
    high: float | None
    closed: str = "both"

    def accepts(self, value: Any) -> bool:
        """Return whether ``value`` lies in the interval and has the right type."""
        if isinstance(value, bool):
            return False
        if self.kind is int and not isinstance(value, numbers.Integral):
            return False
        if self.kind is float and not isinstance(value, numbers.Real):
            return False
        left_closed = self.closed in ("both", "left")
        right_closed = self.closed in ("both", "right")
        if self.low is not None and (
            value < self.low or (value == self.low and not left_closed)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not right_closed))
        )

    def __str__(self) -> str:
        name = "an int" if self.kind is int else "a float"
        if self.low is not None and self.high is None:
            op = ">=" if self.closed in ("both", "left") else ">"
            return f"{name} {op} {self.low}"
        if self.high is not None and self.low is None:
            op = "<=" if self.closed in ("both", "right") else "<"
            return f"{name} {op} {self.high}"
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        return f"{name} in {left}{self.low}, {self.high}{right}"


@dataclass(frozen=True)
class Options:
    """One of a fixed set of values (usually strings)."""

    values: frozenset[Any]

    def __init__(self, values: Any) -> None:
        object.__setattr__(self, "values", frozenset(values))

    def accepts(self, value: Any) -> bool:
        """Return whether ``value`` is one of the options."""
        try:
            return value in self.values
        except TypeError:  # unhashable
            return False

    def __str__(self) -> str:
        return "one of " + ", ".join(repr(v) for v in sorted(self.values, key=str))


def _accepts(constraint: Any, value: Any) -> bool:
    if constraint is None:
        return value is None
    if constraint == "random_state":
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            return int(value) >= 0
        return value is None or isinstance(value, np.random.Generator)
    if isinstance(constraint, type):
        if constraint in (int, float) and isinstance(value, bool):
            return False
        return isinstance(value, constraint)
    return bool(constraint.accepts(value))


def _describe(constraint: Any) -> str:
    if constraint is None:
        return "None"
    if constraint == "random_state":
        return "None, an int seed >= 0 or a numpy Generator"
    if isinstance(constraint, type):
        return f"a {constraint.__name__}"
    return str(constraint)


def validate_parameter(
    owner: str, name: str, value: Any, constraints: list[Any], default: Any
) -> None:
    """Raise :class:`InvalidParameterError` unless a constraint accepts ``value``.

    Examples
    --------
    >>> validate_parameter("PPM", "max_order", -2, [Interval(int, 1, None)], 3)
    Traceback (most recent call last):
    ...
    seqpred.exceptions.InvalidParameterError: PPM: max_order must be an int >= 1; \
got -2. Use max_order=3 (the default) or another valid value.
    """
    if any(_accepts(c, value) for c in constraints):
        return
    expected = " or ".join(_describe(c) for c in constraints)
    raise InvalidParameterError(
        f"{owner}: {name} must be {expected}; got {value!r}. "
        f"Use {name}={default!r} (the default) or another valid value."
    )
