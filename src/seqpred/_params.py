"""Declarative parameter constraints, checked once by ``BaseEstimator.fit``.

A model lists, for each constructor parameter, the constraints any one of
which the value must satisfy::

    _parameter_constraints = {
        "order": [Interval(int, 1, None)],
        "fallback": [None, Options({"most_frequent"}), Hashable],
    }

A constraint is ``None`` (the value ``None``), a type (``isinstance``), an
:class:`Interval`, a :class:`Finite` range, an :class:`Options` set, or
``"random_state"``.

Functions outside the estimators check their arguments with the same
machinery through :func:`check_int`, :func:`check_real` and
:func:`check_bool`, so every message has one shape:
``"owner: name must be <expected>; got <value>. Use name=<value>."``
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any, NoReturn, TypeGuard

import numpy as np

from seqpred.exceptions import InvalidParameterError

__all__ = [
    "Finite",
    "Interval",
    "Options",
    "check_bool",
    "check_int",
    "check_parameter",
    "check_real",
    "check_sampling_args",
    "is_int",
    "is_real",
    "validate_parameter",
]


def is_int(value: object) -> TypeGuard[numbers.Integral]:
    """Return whether ``value`` is an integer (Python or NumPy), but not a bool.

    Examples
    --------
    >>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
    (True, True, False, False)
    """
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_real(value: object) -> TypeGuard[numbers.Real]:
    """Return whether ``value`` is a real number (int or float), but not a bool.

    Examples
    --------
    >>> is_real(3), is_real(2.5), is_real(True), is_real("1")
    (True, True, False, False)
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_sampling_args(
    owner: str,
    n: Any,
    max_length: Any,
    temperature: Any,
    top_k: Any,
    top_p: Any,
) -> None:
    """Check the arguments of a ``sample`` method (n, length, temperature, top-k/p).

    Raises :class:`InvalidParameterError` naming the first bad argument and
    a fix.

    Examples
    --------
    >>> check_sampling_args("demo", 2, 10, 1.0, None, 0.9)
    >>> try:
    ...     check_sampling_args("demo", 2, 10, 0.0, None, None)
    ... except InvalidParameterError as error:
    ...     print(str(error)[:50])
    demo: temperature must be a finite float > 0; got
    """
    checks = [
        ("n", n, is_int(n) and int(n) >= 1, "an int >= 1", "n=5"),
        ("max_length", max_length, is_int(max_length) and int(max_length) >= 1,
         "an int >= 1", "max_length=100"),
        ("temperature", temperature,
         is_real(temperature) and np.isfinite(float(temperature))
         and float(temperature) > 0,
         "a finite float > 0", "temperature=1.0 (or 0.8 for safer samples)"),
        ("top_k", top_k, top_k is None or (is_int(top_k) and int(top_k) >= 1),
         "None or an int >= 1", "top_k=None (no cut) or top_k=10"),
        ("top_p", top_p,
         top_p is None or (is_real(top_p) and 0 < float(top_p) <= 1),
         "None or a float in (0, 1]", "top_p=None (no cut) or top_p=0.9"),
    ]  # fmt: skip
    for name, value, ok, expected, fix in checks:
        if not ok:
            raise InvalidParameterError(
                f"{owner}: {name} must be {expected}; got {value!r}. Use {fix}."
            )


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
class Finite:
    """Finite real numbers (not bools), optionally bounded below by ``low``.

    Examples
    --------
    >>> Finite(0, strict=True).accepts(0.5), Finite(0, strict=True).accepts(0)
    (True, False)
    >>> Finite().accepts(float("nan")), str(Finite(0.0))
    (False, 'a finite number >= 0.0')
    """

    low: float | None = None
    strict: bool = False

    def accepts(self, value: Any) -> bool:
        """Return whether ``value`` is a finite number above the bound."""
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (real and np.isfinite(value)):
            return False
        if self.low is None:
            return True
        return bool(value > self.low) if self.strict else bool(value >= self.low)

    def __str__(self) -> str:
        if self.low is None:
            return "a finite number"
        return f"a finite number {'>' if self.strict else '>='} {self.low}"


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
    check_parameter(
        owner,
        name,
        value,
        constraints,
        fix=f"Use {name}={default!r} (the default) or another valid value.",
    )


def check_parameter(
    owner: str, name: str, value: Any, constraints: list[Any], *, fix: str
) -> None:
    """Raise :class:`InvalidParameterError` unless a constraint accepts ``value``.

    The message lists what the constraints accept and ends with ``fix``.
    """
    if any(_accepts(c, value) for c in constraints):
        return
    expected = " or ".join(_describe(c) for c in constraints)
    _fail(owner, name, expected, value, fix)


def check_int(
    owner: str,
    name: str,
    value: Any,
    *,
    low: int,
    high: int | None = None,
    default: Any,
    optional: bool = False,
    hint: str = "",
) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is an int in range.

    Parameters
    ----------
    owner, name : str
        Who checks, and the argument's name, for the message.
    value : object
        The argument.
    low, high : int
        Inclusive bounds; ``high=None`` is unbounded.
    default : object
        The value the message suggests (the default, where there is one).
    optional : bool, default=False
        Also accept ``None``.
    hint : str, default=""
        Words after the suggestion, such as ``"for no limit"``.

    Examples
    --------
    >>> check_int("holdout_last", "k", 0, low=1, default=1)
    Traceback (most recent call last):
    ...
    seqpred.exceptions.InvalidParameterError: holdout_last: k must be an int >= 1; \
got 0. Use k=1.
    >>> check_int("f", "n", -1, low=0, default=None, optional=True, hint="for all")
    Traceback (most recent call last):
    ...
    seqpred.exceptions.InvalidParameterError: f: n must be None or an int >= 0; \
got -1. Use n=None for all.
    """
    constraints: list[Any] = [None] if optional else []
    constraints.append(Interval(int, low, high))
    check_parameter(owner, name, value, constraints, fix=_fix(name, default, hint))


def check_real(
    owner: str,
    name: str,
    value: Any,
    *,
    low: float | None = None,
    strict: bool = False,
    default: Any,
    hint: str = "",
) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is a finite number.

    ``low`` bounds it below (excluded when ``strict``); the other parameters
    are as in :func:`check_int`.

    Examples
    --------
    >>> check_real("f", "scale", 0.0, low=0, strict=True, default=1.0)
    Traceback (most recent call last):
    ...
    seqpred.exceptions.InvalidParameterError: f: scale must be a finite number > 0; \
got 0.0. Use scale=1.0.
    """
    constraint = Finite(low, strict)
    check_parameter(owner, name, value, [constraint], fix=_fix(name, default, hint))


def check_bool(owner: str, name: str, value: Any, *, default: bool) -> None:
    """Raise :class:`InvalidParameterError` unless ``value`` is a (NumPy) bool.

    Examples
    --------
    >>> check_bool("kfold_sequences", "shuffle", "yes", default=True)
    Traceback (most recent call last):
    ...
    seqpred.exceptions.InvalidParameterError: kfold_sequences: shuffle must be \
True or False; got 'yes'. Use shuffle=True.
    """
    if not isinstance(value, (bool, np.bool_)):
        _fail(owner, name, "True or False", value, _fix(name, default, ""))


def _fix(name: str, default: Any, hint: str) -> str:
    return f"Use {name}={default!r}{' ' + hint if hint else ''}."


def _fail(owner: str, name: str, expected: str, value: Any, fix: str) -> NoReturn:
    raise InvalidParameterError(
        f"{owner}: {name} must be {expected}; got {value!r}. {fix}"
    )
