"""The memory budget that bounds what reading an untrusted file may allocate.

Readers of untrusted files (:func:`seqpred.io.load`, NumPy files given to
``fit``) check every size a file declares (a zip member's size, a ``.npy``
header's shape, a network's configuration) against a :class:`Budget`
**before** allocating, and fail with a
:class:`~seqpred.exceptions.MemoryBudgetError` subclass naming what was too
large, instead of a ``MemoryError`` or an out-of-memory kill.

The budget is, first found wins:

1. ``max_bytes=`` where a function takes it (``seqpred.io.load(path,
   max_bytes=2**30)``);
2. the environment variable ``SEQPRED_MAX_BYTES`` (a number of bytes, or
   with a unit: ``512M``, ``2G``, ``1.5GiB``), which is how the command
   line sets it;
3. half of the machine's physical memory (or of the cgroup's memory limit,
   when a container sets a smaller one).

The budget counts what the reader itself holds: the bytes read from the
file and the arrays and weights built from them. It is an estimate, meant to
turn "this file asks for 3 TB" into a clear error; it does not bound the
memory a model later uses to predict.

Examples
--------
>>> parse_bytes("512M"), parse_bytes("2GiB"), parse_bytes("1000")
(536870912, 2147483648, 1000)
>>> budget = Budget(1000, what="reading x.npy")
>>> budget.charge(600, "the array")
>>> budget.charge(600, "a second array")
Traceback (most recent call last):
...
seqpred.exceptions.MemoryBudgetError: reading x.npy: a second array needs 600 bytes \
but only 400 bytes of the 1000-byte memory budget are left. Raise the budget with \
max_bytes= or SEQPRED_MAX_BYTES (e.g. SEQPRED_MAX_BYTES=8G) if you trust the input.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from seqpred.exceptions import InvalidParameterError, MemoryBudgetError

__all__ = [
    "DEFAULT_FRACTION",
    "ENV_MAX_BYTES",
    "Budget",
    "active_budget",
    "default_max_bytes",
    "format_bytes",
    "parse_bytes",
    "physical_memory",
    "resolve_max_bytes",
    "using_budget",
]

ENV_MAX_BYTES = "SEQPRED_MAX_BYTES"
"""The environment variable that sets the default budget (bytes, or ``2G``)."""

DEFAULT_FRACTION = 0.5
"""The share of physical memory the default budget allows."""

_FALLBACK_MEMORY = 8 << 30  # when the platform does not say
_SIZE = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([KMGT]?)(I?B?)\s*$", re.IGNORECASE)

ErrorFactory = Callable[[str], Exception]


def parse_bytes(text: str | int) -> int:
    """Return the number of bytes ``text`` names (``"2G"``, ``"512MiB"``, ``"100"``).

    ``K``, ``M``, ``G`` and ``T`` are binary units (1024-based), as in
    ``free -h``; an optional ``B`` or ``iB`` follows.

    Raises
    ------
    InvalidParameterError
        If ``text`` is not a positive size.
    """
    if isinstance(text, int) and not isinstance(text, bool):
        value: float = text
    else:
        match = _SIZE.match(str(text))
        if match is None:
            raise InvalidParameterError(
                f"memory budget: expected a size such as 2G, 512M or 1000000; got "
                f"{text!r}. Set {ENV_MAX_BYTES}=2G (or pass max_bytes=2**31)."
            )
        unit = match.group(2).upper()
        scale = 1024 ** ("KMGT".index(unit) + 1) if unit else 1
        value = float(match.group(1)) * scale
    if value < 1:
        raise InvalidParameterError(
            f"memory budget: must be at least 1 byte; got {text!r}. Set "
            f"{ENV_MAX_BYTES}=2G (or pass max_bytes=2**31)."
        )
    return int(value)


def format_bytes(n: int) -> str:
    """Return ``n`` bytes in a short human form (``'1.5 GiB'``)."""
    size = float(n)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{n} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"  # pragma: no cover


def physical_memory() -> int:
    """Return the memory this process may use: RAM, or a smaller cgroup limit."""
    total = _FALLBACK_MEMORY
    with contextlib.suppress(ValueError, OSError, AttributeError):
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    for limit_file in (
        "/sys/fs/cgroup/memory.max",  # cgroup v2
        "/sys/fs/cgroup/memory/memory.limit_in_bytes",  # cgroup v1
    ):
        with contextlib.suppress(OSError, ValueError):
            text = Path(limit_file).read_text().strip()
            if text.isdigit() and 0 < int(text) < total:
                total = int(text)
    return int(total)


def default_max_bytes() -> int:
    """Return the default budget: ``SEQPRED_MAX_BYTES`` if set, else half the memory."""
    text = os.environ.get(ENV_MAX_BYTES, "").strip()
    if text:
        return parse_bytes(text)
    return int(physical_memory() * DEFAULT_FRACTION)


def resolve_max_bytes(max_bytes: int | str | None) -> int:
    """Return ``max_bytes`` checked, or the default budget when it is ``None``."""
    if max_bytes is None:
        return default_max_bytes()
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, (int, str)):
        raise InvalidParameterError(
            f"max_bytes must be None, an int or a size such as '2G'; got "
            f"{max_bytes!r}. Pass max_bytes=2**31 for 2 GiB."
        )
    return parse_bytes(max_bytes)


class Budget:
    """Count the bytes a reader is about to hold against a limit.

    Parameters
    ----------
    max_bytes : int
        The limit.
    what : str
        What is being read, for messages (``"loading model.seqpred"``).
    error : callable, default=MemoryBudgetError
        Builds the exception from a message, so a model loader raises a
        :class:`~seqpred.exceptions.ModelTooLargeError` and a data reader a
        :class:`~seqpred.exceptions.DataTooLargeError`.
    """

    def __init__(
        self, max_bytes: int, what: str, error: ErrorFactory = MemoryBudgetError
    ) -> None:
        self.max_bytes = int(max_bytes)
        self.what = what
        self.error = error
        self.used = 0

    @property
    def left(self) -> int:
        """Bytes still available."""
        return max(self.max_bytes - self.used, 0)

    def check(self, nbytes: int, item: str) -> None:
        """Raise unless ``nbytes`` more would fit (without counting them)."""
        if nbytes > self.left:
            raise self.error(
                f"{self.what}: {item} needs {_amount(nbytes)} but only "
                f"{_amount(self.left)} of the {_amount(self.max_bytes, '-byte')} "
                f"memory budget are left. Raise the budget with max_bytes= or "
                f"{ENV_MAX_BYTES} (e.g. {ENV_MAX_BYTES}=8G) if you trust the input."
            )

    def charge(self, nbytes: int, item: str) -> None:
        """Count ``nbytes`` more, or raise if they would pass the limit."""
        self.check(nbytes, item)
        self.used += int(nbytes)


def _amount(n: int, unit: str = " bytes") -> str:
    return f"{n}{unit}" if n < 1024 else f"{n}{unit} ({format_bytes(n)})"


_ACTIVE: contextvars.ContextVar[Budget | None] = contextvars.ContextVar(
    "seqpred_budget", default=None
)


def active_budget() -> Budget | None:
    """Return the budget of the read in progress (set by :func:`using_budget`)."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using_budget(budget: Budget) -> Iterator[Budget]:
    """Make ``budget`` the :func:`active_budget` inside the block.

    The model loader sets it while estimators' load hooks run, so a hook
    (a neural model rebuilding its network) charges the same budget.
    """
    token = _ACTIVE.set(budget)
    try:
        yield budget
    finally:
        _ACTIVE.reset(token)
