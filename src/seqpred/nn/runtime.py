"""PyTorch plumbing: the lazy import, devices, CPU threads and seeding.

torch is imported only when a neural model is used. Nothing here imports it
at module level, so ``import seqpred`` (and this module) work without torch.

**Threads.** On a 2-core machine that other processes also use, one
intra-op thread was 3–24× faster than two (OpenMP threads spin against the
other load; measured for a GRU step: 0.15 s with 1 thread, 0.85 s with 2).
On an idle machine two threads are 1.6–1.9× faster. ``n_threads=None``
therefore means **1 thread** on the CPU: the safe choice, and the same
number on every machine, so results do not depend on the host's core count.

**Seeds.** Batches are shuffled with a local NumPy generator and parameter
initialisation and dropout need torch's random numbers. torch draws those
from its *global* generator (``nn.init`` and ``F.dropout`` take no
generator argument), so :func:`seeded` runs the whole fit inside
``torch.random.fork_rng``: it seeds the forked global state from the
estimator's ``random_state`` and restores the caller's global state on exit.
Sampling uses an explicit local ``torch.Generator``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from seqpred.exceptions import InvalidParameterError

if TYPE_CHECKING:
    import torch

__all__ = [
    "INSTALL_HINT",
    "require_safetensors",
    "require_torch",
    "resolve_device",
    "seeded",
    "threads",
    "torch_seed",
]

INSTALL_HINT = "install it with pip install 'seqpred[neural]' (torch==2.13.0)"
"""What to install for the neural models."""


def require_torch(owner: str = "seqpred neural models") -> Any:
    """Import and return :mod:`torch`, or raise an ImportError saying what to install.

    Parameters
    ----------
    owner : str, default="seqpred neural models"
        Who needs torch (named in the message).

    Returns
    -------
    module
        The ``torch`` module.

    Raises
    ------
    ImportError
        If PyTorch is not installed.
    """
    try:
        import torch
    except ImportError as exc:
        raise ImportError(
            f"{owner} need PyTorch, which is missing; {INSTALL_HINT}."
        ) from exc
    return torch


def require_safetensors(owner: str) -> Any:
    """Import and return :mod:`safetensors.torch` (weights files), or explain."""
    try:
        import safetensors.torch
    except ImportError as exc:
        raise ImportError(
            f"{owner}: saving and loading weights needs safetensors, which is "
            "missing; install it with pip install 'seqpred[neural]'."
        ) from exc
    return safetensors.torch


def resolve_device(device: str, owner: str) -> torch.device:
    """Turn ``"auto"``, ``"cpu"``, ``"cuda"``, ``"cuda:1"`` or ``"mps"`` into a device.

    ``"auto"`` picks CUDA, then Apple's MPS, then the CPU.

    Raises
    ------
    InvalidParameterError
        If the named device is not available here.
    """
    require_torch()
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise InvalidParameterError(
            f"{owner}: device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps'; got "
            f"{device!r}. Use device='auto'."
        ) from None
    available = {
        "cpu": True,
        "cuda": torch.cuda.is_available(),
        "mps": bool(getattr(torch.backends, "mps", None))
        and torch.backends.mps.is_available(),
    }
    if not available.get(resolved.type, False):
        raise InvalidParameterError(
            f"{owner}: device {device!r} is not available on this machine; use "
            "device='auto' or device='cpu' (for example "
            "model.set_params(device='cpu') after loading a GPU-trained model)."
        )
    return resolved


@contextlib.contextmanager
def threads(n_threads: int | None, device: torch.device) -> Iterator[None]:
    """Run the block with ``n_threads`` intra-op CPU threads (None: 1), then restore.

    torch's thread count is process-wide; the previous value comes back on
    exit. On a GPU the CPU only feeds the device, so the count is left alone.
    """
    torch = require_torch()
    if device.type != "cpu":
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(1 if n_threads is None else int(n_threads))
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def torch_seed(rng: np.random.Generator) -> int:
    """Draw a 63-bit seed for torch from a NumPy generator."""
    return int(rng.integers(0, 2**63 - 1))


@contextlib.contextmanager
def seeded(seed: int, device: torch.device) -> Iterator[None]:
    """Seed torch's global generators inside ``fork_rng``; restore them on exit.

    torch's initialisers and dropout draw from the global generator only, so
    this is the one place seqpred touches it, and the caller's state is put
    back afterwards.
    """
    torch = require_torch()
    on_cpu = device.type == "cpu"
    # devices=[] forks only the CPU generator; device_type must still name a
    # device module on older torch versions, hence "cuda" for the CPU.
    with torch.random.fork_rng(
        devices=[] if on_cpu else [device],
        device_type="cuda" if on_cpu else device.type,
    ):
        torch.random.default_generator.manual_seed(seed)
        if device.type == "cuda":
            with torch.cuda.device(device):
                torch.cuda.manual_seed(seed)
        elif device.type == "mps":
            torch.mps.manual_seed(seed)
        yield
