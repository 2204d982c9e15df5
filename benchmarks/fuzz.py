"""Fuzz the model loader and every file reader with mutated inputs.

Each target starts from a few small valid files, mutates them with
:mod:`seqpred.testing.fuzz` (byte edits for every target; line and token
edits for text formats; a careful forger's edits for model files) and reads
each result. The contract: a result or a
:class:`~seqpred.exceptions.SeqpredError` subclass, never another exception
(``unexpected``), never a crash, within a time limit per input, and with
peak memory under the budget (``SEQPRED_MAX_BYTES``, set for the run).

Every target runs in its own subprocess, so ``peak_mb`` (the peak resident
memory of that process, the interpreter and the imports included) is per
target, and a crash (a Rust panic that aborts, a segfault in a compiled
kernel) or a stall (native code that ignores the time limit) is recorded
with its input and a new worker goes on with the inputs left. Distinct
unexpected failures (exception type and the last frame inside seqpred) are
listed with a count and one input, kept under ``--findings`` when given.

Usage::

    python benchmarks/fuzz.py                       # 100,000 inputs per target
    python benchmarks/fuzz.py --quick               # 2,000 per target
    python benchmarks/fuzz.py --inputs 20000 --targets model,spmf
    python benchmarks/fuzz.py --list                # the registered targets

Adding a target: write a function that returns the seed files as
``[(suffix, bytes), ...]`` and decorate it with :func:`target`, naming the
reader call and the mutator; it then runs with all the others.

The last line is ``RESULTS {"fuzz": {TARGET: {"inputs": n, "unexpected": k,
"peak_mb": m, "max_seconds": s}}}``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Seeds = list[tuple[str, bytes]]
BUDGET = "256M"  # SEQPRED_MAX_BYTES in the workers
TIME_LIMIT = 10  # seconds per input before it counts as a hang
TRAIN = [list("abcabcabd"), list("bcabca"), list("cabcab"), list("abdabd")]


@dataclass(frozen=True)
class Target:
    """A reader to fuzz: its seed files, how to read one, how to mutate one."""

    name: str
    seeds: Callable[[], Seeds]
    read: Callable[[Path], Any]
    mutate: Callable[[bytes, random.Random], bytes]


TARGETS: dict[str, Target] = {}
"""The registry: target name -> :class:`Target`."""


def target(
    name: str,
    read: Callable[[Path], Any],
    mutate: str = "lines",
) -> Callable[[Callable[[], Seeds]], Callable[[], Seeds]]:
    """Register a seeds function as the target ``name``.

    ``mutate`` is ``"bytes"``, ``"lines"`` (text formats) or ``"model"``.
    """

    def register(seeds: Callable[[], Seeds]) -> Callable[[], Seeds]:
        from seqpred.testing import fuzz

        mutator = {
            "bytes": fuzz.mutate_bytes,
            "lines": fuzz.mutate_lines,
            "model": fuzz.mutate_model,
        }[mutate]
        TARGETS[name] = Target(name, seeds, read, mutator)
        return seeds

    return register


# -- the targets -----------------------------------------------------------------------


def _load_model(path: Path) -> Any:
    from seqpred import io

    return io.load(path)


@target("model", _load_model, mutate="model")
def _model_seeds() -> Seeds:
    import seqpred
    from seqpred import io

    models = [
        seqpred.create("markov", order=2).fit(TRAIN),
        seqpred.create("ppm").fit(TRAIN),
        seqpred.create("cpt+").fit(TRAIN),
        seqpred.create("lz78").fit(TRAIN),
        seqpred.create("conditional").fit(TRAIN, ["x", "y", "x", "y"]),
        seqpred.create("blend").fit(TRAIN),
        seqpred.create("kmer").fit(TRAIN, ["x", "y", "x", "y"]),
    ]
    try:
        import torch

        torch.set_num_threads(1)
        models += [
            seqpred.create(
                "gru", embedding_dim=4, hidden_size=4, max_epochs=1, device="cpu"
            ).fit(TRAIN),
            seqpred.create(
                "transformer", d_model=8, n_heads=2, max_epochs=1, device="cpu"
            ).fit(TRAIN),
        ]
    except ImportError:
        pass
    seeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, model in enumerate(models):
            path = io.save(model, Path(tmp) / f"{i}.seqpred")
            seeds.append((".seqpred", path.read_bytes()))
    return seeds


def _reader(name: str) -> Callable[[Path], Any]:
    def read(path: Path) -> Any:
        from seqpred.data import readers

        return getattr(readers, name)(path)

    read.__name__ = name
    return read


@target("spmf", _reader("read_spmf"))
def _spmf_seeds() -> Seeds:
    return [
        (".txt", b"1 -1 2 -1 3 -1 -2\n4 -1 5 -1 -2\n1 -1 3 -1 5 -1 -2\n"),
        (".txt", b"1 2 -1 3 -1 -2\n7 -1 -2\n"),
    ]


@target("lines", _reader("read_lines"))
def _lines_seeds() -> Seeds:
    return [
        (".txt", b"home search cart\nhome search product\nsearch cart pay\n"),
        (".txt", "caf\u00e9 na\u00efve r\u00e9sum\u00e9\nabc\n".encode()),
    ]


@target("csv", _reader("read_csv"))
def _csv_seeds() -> Seeds:
    return [
        (".csv", b"sequence_id,timestamp,item\nu1,1,home\nu1,2,cart\nu2,1,search\n"),
        (".csv", b"sequence_id,time,value\ns1,1,0.5\ns1,2,1.5\ns2,1,2.0\n"),
    ]


@target("parquet", _reader("read_parquet"), mutate="bytes")
def _parquet_seeds() -> Seeds:
    import polars as pl

    frames = [
        pl.DataFrame(
            {
                "sequence_id": ["u1", "u1", "u2"],
                "timestamp": [1, 2, 1],
                "item": ["a", "b", "c"],
            }
        ),
        pl.DataFrame({"sequence_id": [1, 1, 2], "value": [0.5, 1.5, 2.0]}),
    ]
    seeds = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, frame in enumerate(frames):
            path = Path(tmp) / f"{i}.parquet"
            frame.write_parquet(path)
            seeds.append((".parquet", path.read_bytes()))
    return seeds


@target("fasta", _reader("read_fasta"))
def _fasta_seeds() -> Seeds:
    return [(".fasta", b">s1 a gene\nACGTTGCA\nACG\n>s2\nTTGA\n")]


@target("ucr", _reader("read_ucr"))
def _ucr_seeds() -> Seeds:
    return [
        (
            ".ts",
            b"@problemName toy\n@timeStamps false\n@univariate true\n"
            b"@equalLength true\n@seriesLength 3\n@classLabel true up down\n"
            b"@data\n1,2,3:up\n3,2.5,-1e-1:down\n",
        ),
        (
            ".ts",
            b"@univariate false\n@dimensions 2\n@equalLength false\n"
            b"@classLabel true a b\n@data\n1,2,3:10,20,30:a\n4:40:b\n",
        ),
        (".txt", b"1,1.0,2.0,3.5\n2,0.5,0.25,1.0\n"),
    ]


def _read_numpy_file(path: Path) -> Any:
    from seqpred.data.readers import read_numpy, read_sequences
    from seqpred.data.readers.arrays import load_array

    if path.suffix == ".npz":
        return read_numpy(load_array(path))
    return read_sequences(path, format="numpy")  # what 'seqpred fit x.npy' runs


@target("numpy", _read_numpy_file, mutate="bytes")
def _numpy_seeds() -> Seeds:
    import io as stdio

    import numpy as np

    seeds = []
    for array in (
        np.arange(12).reshape(3, 4),
        np.array([[1.0, 2.0, np.nan], [3.0, 4.0, 5.0]]),
        np.array([["a", "b"], ["c", "d"]]),
    ):
        buffer = stdio.BytesIO()
        np.save(buffer, array)
        seeds.append((".npy", buffer.getvalue()))
    buffer = stdio.BytesIO()
    np.savez(buffer, x=np.arange(6).reshape(2, 3))
    seeds.append((".npz", buffer.getvalue()))
    return seeds


@target("pairs", _reader("read_pairs"))
def _pairs_seeds() -> Seeds:
    return [
        (".tsv", b"892+176\t1068\n743+8\t751\n12+3\t15\n"),
        (".tsv", b"jump twice\tJUMP JUMP\nwait\t\n"),
    ]


# -- one worker: one target in its own process -----------------------------------------


class _Hang(Exception):
    """Raised by the alarm when one input takes too long."""


def _alarm(signum: int, frame: Any) -> None:
    raise _Hang


def _signature(exc: BaseException) -> str:
    """Exception type and the last frame inside seqpred (else the last frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if "/seqpred/" in f.filename] or frames
    where = ""
    if inside:
        frame = inside[-1]
        where = f"{frame.filename.split('/seqpred/')[-1]}:{frame.lineno} {frame.name}"
    return f"{type(exc).__name__} at {where}"


def run_worker(
    name: str, n: int, seed: int, findings: Path | None, scratch: Path
) -> dict[str, Any]:
    """Run ``n`` mutated inputs through target ``name``; return its record.

    Before each read the input goes to ``scratch/input.SUFFIX`` and its
    number to ``scratch/current``, so the parent can name the input that
    killed or hung this process.
    """
    from seqpred.exceptions import SeqpredError

    spec = TARGETS[name]
    seeds = spec.seeds()
    rng = random.Random(seed)
    failures: dict[str, dict[str, Any]] = {}
    slowest = 0.0
    signal.signal(signal.SIGALRM, _alarm)
    current = scratch / "current"
    for i in range(n):
        suffix, valid = seeds[rng.randrange(len(seeds))]
        data = spec.mutate(valid, rng)
        for old in scratch.glob("input*"):
            old.unlink()
        path = scratch / f"input{suffix}"
        path.write_bytes(data)
        current.write_text(str(i))
        start = time.perf_counter()
        signal.alarm(TIME_LIMIT)
        try:
            spec.read(path)
        except SeqpredError:
            pass
        except _Hang:
            _record(failures, f"hang over {TIME_LIMIT} s", "", data, findings, name)
        except Exception as exc:  # the finding
            _record(failures, _signature(exc), str(exc), data, findings, name)
        except BaseException as exc:  # a Rust panic is not an Exception
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            _record(failures, _signature(exc), str(exc), data, findings, name)
        finally:
            signal.alarm(0)
        slowest = max(slowest, time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "inputs": n,
        "unexpected": sum(f["count"] for f in failures.values()),
        "peak_mb": round(peak, 1),
        "max_seconds": round(slowest, 3),
        "failures": failures,
    }


def _scratch() -> str | None:
    return "/dev/shm" if os.path.isdir("/dev/shm") else None


def _record(
    failures: dict[str, dict[str, Any]],
    key: str,
    message: str,
    data: bytes,
    findings: Path | None,
    name: str,
) -> None:
    entry = failures.setdefault(key, {"count": 0, "message": message[:300]})
    entry["count"] += 1
    if entry["count"] == 1:
        entry["input"] = data[:200].decode("latin-1")
        if findings is not None:
            findings.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256(data).hexdigest()[:12]
            file = findings / f"{name}-{digest}.bin"
            file.write_bytes(data)
            entry["file"] = str(file)


# -- the parent: a subprocess per target -----------------------------------------------


STALL = 6 * TIME_LIMIT  # seconds without a new input before the parent kills
MAX_RESTARTS = 50


def run_target(name: str, n: int, seed: int, findings: Path | None) -> dict[str, Any]:
    """Run one target in subprocesses; a crash or a stall becomes a finding.

    A worker that dies (a Rust panic aborting, a segfault) or stops taking
    new inputs (native code ignoring the alarm) is recorded with the input
    it was reading, and a new worker goes on with the inputs left.
    """
    total: dict[str, Any] = {"inputs": 0, "unexpected": 0, "peak_mb": 0.0}
    total.update(max_seconds=0.0, failures={})
    with tempfile.TemporaryDirectory(dir=_scratch()) as tmp:
        scratch = Path(tmp)
        for attempt in range(MAX_RESTARTS):
            left = n - total["inputs"]
            if left <= 0:
                break
            record = _run_worker_process(name, left, seed + attempt, findings, scratch)
            _merge(total, record)
    return total


def _run_worker_process(
    name: str, n: int, seed: int, findings: Path | None, scratch: Path
) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", name, "--inputs", str(n)]
    command += ["--seed", str(seed), "--scratch", str(scratch)]
    if findings is not None:
        command += ["--findings", str(findings)]
    env = {**os.environ, "SEQPRED_MAX_BYTES": BUDGET, "PYTHONWARNINGS": "ignore"}
    out_path, err_path = scratch / "stdout", scratch / "stderr"
    (scratch / "current").unlink(missing_ok=True)
    with open(out_path, "w") as out, open(err_path, "w") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        peak, stalled = _watch(child, scratch / "current")
    for line in reversed(out_path.read_text().splitlines()):
        if line.startswith("WORKER "):
            return dict(json.loads(line[len("WORKER ") :]))
    done = _int_or(scratch / "current", -1) + 1  # the input in flight counts
    inputs = sorted(scratch.glob("input*"))
    data = inputs[0].read_bytes() if inputs else b""
    if stalled:
        key = f"stall: no new input for {STALL} s (killed)"
    else:
        key = f"worker died (exit {child.returncode})"
    failures: dict[str, dict[str, Any]] = {}
    _record(failures, key, err_path.read_text()[-300:], data, findings, name)
    return {
        "inputs": max(done, 1),
        "unexpected": 1,
        "peak_mb": peak,
        "max_seconds": float(STALL) if stalled else 0.0,
        "failures": failures,
    }


def _watch(child: subprocess.Popen[bytes], current: Path) -> tuple[float, bool]:
    """Wait for ``child``; kill it when ``current`` stops changing. Return its peak."""
    peak, last, seen = 0.0, time.monotonic(), None
    while child.poll() is None:
        time.sleep(0.5)
        peak = max(peak, _peak_mb(child.pid))
        mark = _int_or(current, -1)
        if mark != seen:
            seen, last = mark, time.monotonic()
        elif mark >= 0 and time.monotonic() - last > STALL:
            child.kill()
            child.wait()
            return peak, True
    return peak, False


def _peak_mb(pid: int) -> float:
    """Peak resident memory of a running process (Linux), else 0."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return 0.0


def _int_or(path: Path, default: int) -> int:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return default


def _merge(total: dict[str, Any], record: dict[str, Any]) -> None:
    total["inputs"] += record["inputs"]
    total["unexpected"] += record["unexpected"]
    total["peak_mb"] = round(max(total["peak_mb"], record["peak_mb"] or 0.0), 1)
    total["max_seconds"] = max(total["max_seconds"], record["max_seconds"] or 0.0)
    for key, failure in record["failures"].items():
        entry = total["failures"].setdefault(key, {**failure, "count": 0})
        entry["count"] += failure["count"]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen targets and print a summary and the RESULTS line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="inputs per target")
    parser.add_argument("--quick", action="store_true", help="2,000 inputs per target")
    parser.add_argument("--targets", default="", help="comma-separated target names")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--findings", type=Path, default=None)
    parser.add_argument("--list", action="store_true", help="list the targets")
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else args.inputs
    if args.worker is not None:
        scratch = args.scratch or Path(tempfile.mkdtemp(dir=_scratch()))
        record = run_worker(args.worker, n, args.seed, args.findings, scratch)
        print("WORKER " + json.dumps(record), flush=True)
        return 0
    names = [t for t in args.targets.split(",") if t] or list(TARGETS)
    unknown = sorted(set(names) - set(TARGETS))
    if args.list or unknown:
        print("targets: " + ", ".join(TARGETS))
        return 2 if unknown else 0
    results = {}
    for name in names:
        start = time.perf_counter()
        record = run_target(name, n, args.seed, args.findings)
        failures = record.pop("failures")
        results[name] = record
        print(
            f"{name:8s} {record['inputs']:>7d} inputs  {record['unexpected']:>5d} "
            f"unexpected  peak {record['peak_mb']} MB  slowest "
            f"{record['max_seconds']} s  ({time.perf_counter() - start:.0f} s)",
            flush=True,
        )
        for key, failure in sorted(failures.items(), key=lambda kv: -kv[1]["count"]):
            print(f"    {failure['count']:>6d} x {key}: {failure['message'][:160]!r}")
            if "input" in failure:
                print(f"             input: {failure['input'][:120]!r}")
    print("RESULTS " + json.dumps({"fuzz": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
