"""The MiniRocket transform in PyTorch, for a GPU (`MiniRocketClassifier(device=)`).

The same float32 operations in the same order as
:func:`seqpred.models.classify._minirocket.transform_numpy` (nine shifted
taps summed one at a time, ``((A + G_a) + G_b) + G_c`` per kernel, channels
added in order), so on any device it gives the NumPy path's features bit for
bit. The counts compare the outputs of all 84 kernels with one bias of each
at a time: ``O(N L F)`` comparisons, which a GPU does in parallel. On an
H200 it transforms 10,000 series of 500 steps in 1.0 s, 2.8× a 2-thread
CPU but 0.6× the compiled path on 16 cores (``benchmarks/minirocket_device.py``).
torch is imported only when this module's function runs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqpred._typing import Array
from seqpred.models.classify._minirocket import INDICES

__all__ = ["transform_torch"]

_CELLS = 32_000_000  # kernel-output cells per chunk of series (memory bound)


def transform_torch(
    X: Array, lengths: Array, params: dict[str, Array], device: Any
) -> Array:
    """Return float32 PPV features ``(N, F)`` computed with torch on ``device``.

    Parameters
    ----------
    X : ndarray of shape (N, channels, L)
        Zero-padded series.
    lengths : ndarray of shape (N,)
        Each series' own length.
    params : dict
        The fitted transform (``dilations``, ``features_per_dilation``,
        ``channels``, ``biases``), as :func:`._minirocket.transform` takes.
    device : str or torch.device
        Where to compute ("cpu", "cuda", ...).

    Examples
    --------
    >>> import numpy as np
    >>> from seqpred.models.classify._minirocket import fit_minirocket, transform
    >>> X = np.random.default_rng(0).normal(size=(6, 1, 30)).astype(np.float32)
    >>> lengths = np.full(6, 30)
    >>> params = fit_minirocket(X, lengths, 168, 32, np.random.default_rng(0))
    >>> bool((transform_torch(X, lengths, params, "cpu") == transform(X, lengths,
    ...     params)).all())
    True
    """
    import torch

    dev = torch.device(device)
    Xt = torch.as_tensor(np.ascontiguousarray(X, dtype=np.float32), device=dev)
    lens = torch.as_tensor(np.asarray(lengths, dtype=np.int64), device=dev)
    biases = torch.as_tensor(np.asarray(params["biases"], dtype=np.float32), device=dev)
    indices = torch.as_tensor(INDICES, device=dev)
    n, n_channels, L = Xt.shape
    out = torch.zeros((n, len(biases)), dtype=torch.float32, device=dev)
    positions = torch.arange(L, device=dev)
    per_dilation = np.asarray(params["features_per_dilation"], dtype=np.int64)
    # each dilation's channel subsets, (84, ch) bool, copied to the device once
    picked = torch.as_tensor(np.asarray(params["channels"]) > 0, device=dev)
    cells = _CELLS * (16 if dev.type == "cuda" else 1)  # a GPU has room for more
    step = max(1, cells // (len(INDICES) * L * n_channels))  # C: (84, n, ch, L)
    for lo in range(0, n, step):
        chunk, chunk_lens = Xt[lo : lo + step], lens[lo : lo + step]
        start = 0
        for d, dilation in enumerate(np.asarray(params["dilations"], dtype=np.int64)):
            f = int(per_dilation[d])
            C = _convolve(chunk, int(dilation), picked[d], indices)
            mask = _masks(positions, chunk_lens, int(dilation), d)  # (84, n, L)
            b = biases[start : start + len(INDICES) * f].reshape(len(INDICES), f)
            counts = torch.empty((len(INDICES), len(chunk), f), device=dev)
            for j in range(f):  # (84, n, L) comparisons, one bias of each kernel
                above = (C > b[:, j, None, None]) & mask
                counts[..., j] = above.sum(dim=2)  # exact: counts <= L < 2**24
            counts = counts.double()
            denom = mask.sum(dim=2).clamp(min=1).double()[..., None]  # (84, n, 1)
            ppv = (counts / denom).float().permute(1, 0, 2)  # (n, 84, f)
            out[lo : lo + step, start : start + len(INDICES) * f] = ppv.reshape(
                len(chunk), -1
            )
            start += len(INDICES) * f
    result: Array = out.cpu().numpy()
    return result


def _convolve(X: Any, dilation: int, picked: Any, indices: Any) -> Any:
    """All 84 kernel outputs, ``picked`` (84, ch) channels summed: (84, n, L)."""
    import torch

    L = X.shape[-1]
    G = torch.zeros((9, *X.shape), dtype=torch.float32, device=X.device)
    for j in range(9):
        s = (j - 4) * dilation
        if 0 <= s < L:
            G[j, ..., : L - s] = X[..., s:]
        elif s < 0 and -s < L:
            G[j, ..., -s:] = X[..., : L + s]
    total = torch.zeros(X.shape, dtype=torch.float32, device=X.device)
    for j in range(9):
        total += G[j]
    G *= 3.0
    C = -total[None] + G[indices[:, 0]]  # (84, n, ch, L)
    C += G[indices[:, 1]]
    C += G[indices[:, 2]]
    if C.shape[2] == 1:
        return C[:, :, 0, :]
    out = torch.zeros((C.shape[0], C.shape[1], L), dtype=torch.float32, device=X.device)
    for c in range(C.shape[2]):
        rows = picked[:, c]
        out[rows] += C[rows, :, c, :]
    return out


def _masks(positions: Any, lengths: Any, dilation: int, d: int) -> Any:
    """Positions each kernel counts: all of a series, or where it fits (alternating).

    Kernel ``k`` of dilation index ``d`` uses zero padding (every position of
    the series) when ``d + k`` is even, else only the positions where the
    kernel lies inside the series (all of them if there are none).
    """
    import torch

    pad = 4 * dilation
    full = positions[None, :] < lengths[:, None]  # (n, L)
    inner = full & (positions[None, :] >= pad)
    inner &= positions[None, :] < (lengths - pad)[:, None]
    inner = torch.where(inner.any(dim=1, keepdim=True), inner, full)
    padded = (torch.arange(len(INDICES), device=positions.device) + d) % 2 == 0
    padded = padded[:, None, None]  # (84, 1, 1)
    return torch.where(padded, full[None], inner[None])  # (84, n, L)
