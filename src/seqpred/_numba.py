"""Optional numba compilation for the few loops that cannot be vectorised.

A kernel is written once, as plain Python over NumPy arrays, and decorated
with :func:`maybe_njit`. When numba is importable the decorator compiles it
(``nopython`` mode, cached on disk); otherwise, or when the environment
variable ``SEQPRED_DISABLE_NUMBA`` is ``1``, the function runs as ordinary
Python and gives the same results, only more slowly. The variable is read
when a kernel module is imported. :func:`maybe_parallel` also lets
``prange`` loops run on numba's threads (``NUMBA_NUM_THREADS`` limits them).

Examples
--------
>>> import numpy as np
>>> @maybe_njit
... def total(x):
...     s = 0
...     for v in x:
...         s += v
...     return s
>>> int(total(np.arange(5)))
10
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["maybe_njit", "maybe_parallel", "n_threads", "numba_enabled", "prange"]

F = TypeVar("F", bound=Callable[..., Any])

_numba: Any
try:  # numba is an optional accelerator
    import numba as _numba
except ImportError:  # pragma: no cover - depends on the environment
    _numba = None


def numba_enabled() -> bool:
    """Return whether kernels decorated from now on are compiled by numba."""
    return _numba is not None and os.environ.get("SEQPRED_DISABLE_NUMBA") != "1"


def maybe_njit(func: F) -> F:
    """Compile ``func`` with ``numba.njit(cache=True)`` when numba is enabled.

    Parameters
    ----------
    func : callable
        A function using only NumPy arrays, scalars and other kernels.

    Returns
    -------
    callable
        The compiled function, or ``func`` itself without numba.
    """
    return _compile(func, parallel=False)


def _compile(func: F, parallel: bool) -> F:
    if not numba_enabled():
        return func
    try:
        compiled: F = _numba.njit(cache=True, nogil=True, parallel=parallel)(func)
    except RuntimeError:  # no cache locator, e.g. a function typed in a REPL
        compiled = _numba.njit(nogil=True, parallel=parallel)(func)
    return compiled


def maybe_parallel(func: F) -> F:
    """Like :func:`maybe_njit`, with ``parallel=True`` so :data:`prange` loops split.

    Parameters
    ----------
    func : callable
        A function whose outer loop is ``for i in prange(n)`` over independent
        pieces of work.

    Returns
    -------
    callable
        The compiled function, or ``func`` itself without numba.
    """
    return _compile(func, parallel=True)


def n_threads() -> int:
    """Return how many threads :func:`maybe_parallel` kernels use (1 without numba)."""
    if not numba_enabled():
        return 1
    return int(_numba.get_num_threads())


prange: Any = _numba.prange if numba_enabled() else range
"""``numba.prange`` when kernels are compiled, else ``range``."""
