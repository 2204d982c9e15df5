"""Module ``__getattr__`` factories: names imported on first use, or moved names.

``import seqpred`` never imports torch, so a package that exports a torch
model names it here by import string and imports it when it is first used.
A module that moved keeps its old path for one release through
:func:`moved`, which warns with :class:`DeprecationWarning` at every use.

Examples
--------
>>> getattr_ = lazy({"sqrt": "math:sqrt"}, owner="demo")
>>> getattr_("sqrt")(9.0)
3.0
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["lazy", "moved"]


def _import(target: str) -> Any:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def lazy(targets: dict[str, str], *, owner: str) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` importing ``name`` from ``targets[name]``.

    Parameters
    ----------
    targets : dict of str to str
        Exported name -> ``"module:attribute"``.
    owner : str
        The module's ``__name__``, for the error message.
    """

    def __getattr__(name: str) -> Any:
        if name in targets:
            return _import(targets[name])
        raise AttributeError(f"module {owner!r} has no attribute {name!r}")

    return __getattr__


def moved(
    old: str, new: str, names: Iterable[str], *, until: str = "0.3"
) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` forwarding ``names`` from ``old`` to ``new``.

    Every access warns with :class:`DeprecationWarning` that names the new
    path. ``new`` is a module path; a name may also be given as
    ``"name=module"`` when it moved to a different module than the others.

    Examples
    --------
    >>> import warnings
    >>> getattr_ = moved("old.place", "math", ["pi"])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     value = getattr_("pi")
    >>> round(value, 2), caught[0].category.__name__
    (3.14, 'DeprecationWarning')
    """
    homes: dict[str, str] = {}
    for entry in names:
        name, _, module = entry.partition("=")
        homes[name] = module or new

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(
            f"{old}.{name} has moved: import it from {homes[name]} "
            f"(the old path will be removed in seqpred {until}).",
            DeprecationWarning,
            stacklevel=2,
        )
        return _import(f"{homes[name]}:{name}")

    return __getattr__
