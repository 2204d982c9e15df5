"""MiniRocket's transform on the CPU path (numba) against torch on a GPU, one process.

Run: ``python benchmarks/minirocket_device.py [--n 2000] [--length 500] [--channels 1]``

Synthetic random-walk series; the transform is fitted once on the CPU, then
both paths transform the same series (each warmed up first, best of 3). The
table gives seconds and whether the features are identical; the last line is
``RESULTS {json}``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from seqpred._numba import n_threads
from seqpred.models.classify import _minirocket as mr


def best_of(run, repeats: int = 3) -> tuple[np.ndarray, float]:
    """Return the output of ``run()`` and its fastest time of ``repeats``."""
    out, best = run(), float("inf")  # the first call warms up (compiles)
    for _ in range(repeats):
        tic = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - tic)
    return out, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--length", type=int, default=500)
    parser.add_argument("--channels", type=int, default=1)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n, args.channels, args.length)).cumsum(axis=-1)
    X = X.astype(np.float32)
    lengths = np.full(args.n, args.length)
    params = mr.fit_minirocket(X, lengths, 10_000, 32, np.random.default_rng(0))
    cpu, cpu_s = best_of(lambda: mr.transform(X, lengths, params))
    results = {"n": args.n, "length": args.length, "channels": args.channels,
               "cpu_threads": n_threads(), "cpu_seconds": round(cpu_s, 3)}  # fmt: skip
    print(f"cpu (numba, {n_threads()} threads): {cpu_s:8.3f} s")
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None and torch.cuda.is_available():
        from seqpred.models.classify._minirocket_torch import transform_torch

        def on_gpu() -> np.ndarray:
            out = transform_torch(X, lengths, params, "cuda")
            torch.cuda.synchronize()
            return out

        gpu, gpu_s = best_of(on_gpu)
        same = bool(np.array_equal(gpu, cpu))
        name = torch.cuda.get_device_name()
        ratio = cpu_s / gpu_s
        print(f"cuda ({name}): {gpu_s:8.3f} s, {ratio:.1f}x the CPU path; "
              f"identical features: {same}")  # fmt: skip
        results.update(gpu_seconds=round(gpu_s, 3), identical=same)
    else:
        print("no CUDA device: the GPU path was not run")
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
