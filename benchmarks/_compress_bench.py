"""Adaptive compression: seqpred's cm and ppm models against PPMd, bzip2 and xz.

Run:  .venv/bin/python benchmarks/_compress_bench.py [--quick]
      .venv/bin/python benchmarks/_compress_bench.py --ppm-star [--repeats 3]

Datasets (from ../shared/data/text, or $SEQPRED_SHARED_DATA/text):

* **tinyshakespeare**: first 90 % train, last 10 % validation (bytes; the
  file is ASCII, so bytes are characters). Adaptive protocol: the model
  first reads the training text (``seqpred compress --prime train``), then
  codes the validation text, learning as it reads. The figure is the size
  of the compressed file, header included, in bits per character. The
  references take no prime, so theirs is ``size(train + validation) -
  size(train)``: the same protocol.
* **book1** (Calgary corpus): the whole file, compressed from scratch.

A second table puts seqpred's frozen PPM-C order 5 (fitted on the training
text, then fixed) beside the adaptive figures on the validation text, each
row labelled with its protocol.

seqpred figures come from :func:`seqpred.compress.compress`, the function
behind ``seqpred compress``; every file is decompressed and compared byte for
byte (``roundtrip_ok``). References are measured in the same run: PPMd
variant I (``pyppmd``, order 6 and order 16, 16 MB), ``bz2`` (level 9) and
``lzma`` (xz preset 9). ``--quick`` uses slices (200 kB of training text,
30 kB of validation, the first 100 kB of book1) and says so in the results.

The last line is ``RESULTS {json}``. Timings are wall-clock seconds on one
core and depend on the machine's load.

``--ppm-star`` instead compares PPM* (``ppm-star``: unbounded contexts with
SEE and inheritance; ``ppm-star-c``: the plain PPM*C) with seqpred's order-5
PPM (SEE), PPM-C order 5 and ``cm`` on book1, the tinyshakespeare
validation text (primed as above) and repetitive data (Calgary ``progl``,
Lisp source; ``trans``, a terminal transcript; ``paper1`` twice in a row),
all in one process: bits per byte of the compressed file, compress and
decompress seconds (best of ``--repeats``, the models interleaved), and,
for book1 and tinyshakespeare, the peak memory that compress and decompress
add (each model in a fresh child process: its peak resident set, reset
through ``/proc/self/clear_refs`` after the warm-up, minus its resident set
before it ran; Linux only). It includes the input, output and code buffers
(a few MB), and for ``cm`` and the order-5 PPMs their fixed-size tables.
Its last line is ``RESULTS_PPM_STAR {json}``.
"""

from __future__ import annotations

import argparse
import bz2
import json
import lzma
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seqpred.compress import compare_adaptive_frozen, compress, decompress
from seqpred.models.next_item.markov.ppm import PPM

MODELS = {
    "cm": {"model": "cm"},
    "ppm": {"model": "ppm"},
    "ppm-d": {"model": "ppm-d"},
    "ppm-star": {"model": "ppm-star"},
}
STAR_MODELS = {
    "ppm-star": {"model": "ppm-star"},
    "ppm-star-c": {"model": "ppm-star-c"},
    "ppm-o5": {"model": "ppm", "order": 5},
    "ppm-c-o5": {"model": "ppm-c", "order": 5},
    "cm": {"model": "cm"},
}
TARGETS = {"tinyshakespeare": 2.00, "book1": 2.15}


def _text_dir() -> Path:
    root = os.environ.get("SEQPRED_SHARED_DATA")
    base = (
        Path(root)
        if root
        else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
    return base / "text"


def _datasets(quick: bool) -> dict[str, tuple[bytes, bytes]]:
    """Return ``{name: (prime, data)}``."""
    text = _text_dir()
    shakespeare = (text / "tinyshakespeare.txt").read_bytes()
    cut = int(len(shakespeare) * 0.9)
    train, valid = shakespeare[:cut], shakespeare[cut:]
    book1 = (text / "calgary" / "book1").read_bytes()
    if quick:
        train, valid, book1 = train[-200_000:], valid[:30_000], book1[:100_000]
    return {"tinyshakespeare": (train, valid), "book1": (b"", book1)}


def _references() -> dict[str, Callable[[bytes], int]]:
    refs: dict[str, Callable[[bytes], int]] = {
        "bz2": lambda b: len(bz2.compress(b, 9)),
        "lzma": lambda b: len(lzma.compress(b, preset=9)),
    }
    try:
        import pyppmd
    except ImportError:  # reported as missing, not as a failure
        return refs
    refs["ppmd"] = lambda b: len(pyppmd.compress(b, max_order=6))
    refs["ppmd_o16"] = lambda b: len(pyppmd.compress(b, max_order=16))
    return refs


def _ours(prime: bytes, data: bytes, params: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    blob = compress(data, prime=prime, **params)
    t_compress = time.perf_counter() - start
    start = time.perf_counter()
    back = decompress(blob, prime=prime)
    t_decompress = time.perf_counter() - start
    return {
        "bpc": 8 * len(blob) / len(data),
        "bytes": len(blob),
        "compress_s": t_compress,
        "decompress_s": t_decompress,
        "roundtrip_ok": back == data,
    }


def run_adaptive(quick: bool) -> dict[str, Any]:
    """Measure adaptive bits per character of seqpred's models and references.

    Parameters
    ----------
    quick : bool
        Use slices of the data (a smoke test; figures not comparable).

    Returns
    -------
    dict
        ``{"bpc_adaptive": {dataset: {model: bpc}}, "roundtrip_ok": bool,
        "frozen_vs_adaptive": [{"model", "protocol", "bpc"}],
        "seconds": {dataset: {model: [compress, decompress]}}, "bytes": ...,
        "targets": ..., "quick": bool, "protocol": str}``; the references are
        the models ``ppmd``, ``ppmd_o16``, ``bz2`` and ``lzma``.
    """
    bpc: dict[str, dict[str, float]] = {}
    seconds: dict[str, dict[str, list[float]]] = {}
    sizes: dict[str, dict[str, int]] = {}
    ok = True
    for name, (prime, data) in _datasets(quick).items():
        bpc[name], seconds[name], sizes[name] = {}, {}, {}
        for model, params in MODELS.items():
            result = _ours(prime, data, params)
            ok = ok and bool(result["roundtrip_ok"])
            bpc[name][model] = round(result["bpc"], 4)
            sizes[name][model] = result["bytes"]
            seconds[name][model] = [
                round(result["compress_s"], 2),
                round(result["decompress_s"], 2),
            ]
        for ref, size_of in _references().items():
            start = time.perf_counter()
            size = size_of(prime + data) - (size_of(prime) if prime else 0)
            seconds[name][ref] = [round(time.perf_counter() - start, 2)]
            bpc[name][ref] = round(8 * size / len(data), 4)
            sizes[name][ref] = size
    return {
        "bpc_adaptive": bpc,
        "frozen_vs_adaptive": _frozen_vs_adaptive(quick, bpc["tinyshakespeare"]),
        "roundtrip_ok": ok,
        "seconds": seconds,
        "bytes": sizes,
        "targets": TARGETS,
        "quick": quick,
        "protocol": (
            "adaptive: tinyshakespeare codes the last 10% after reading the first "
            "90% (seqpred: --prime; references: size(all) - size(train)); book1 "
            "whole file from scratch"
        ),
    }


def _frozen_vs_adaptive(
    quick: bool, adaptive: dict[str, float]
) -> list[dict[str, Any]]:
    """Put seqpred's frozen PPM-C (order 5) beside the adaptive figures."""
    train, valid = _datasets(quick)["tinyshakespeare"]
    text_train, text_valid = train.decode("ascii"), valid.decode("ascii")
    frozen = PPM(max_order=5, escape="C", exclusion=True).fit([text_train])
    rows = compare_adaptive_frozen(
        text_train, text_valid, frozen={"PPM-C order 5": frozen}, adaptive=[]
    )
    labelled = [
        {"model": m, "protocol": "adaptive (learns while reading)", "bpc": adaptive[m]}
        for m in ("cm", "ppm")
    ]
    labelled += [
        {"model": r["model"], "protocol": r["protocol"], "bpc": r["bits_per_symbol"]}
        for r in rows
    ]
    return labelled


def _table(results: dict[str, Any]) -> str:
    bpc = results["bpc_adaptive"]
    names = list(bpc)
    models = list(dict.fromkeys(m for row in bpc.values() for m in row))
    lines = [
        f"{'model':<10}" + "".join(f"{n:>22}" for n in names),
        "-" * (10 + 22 * len(names)),
    ]
    for model in models:
        cells = []
        for n in names:
            value = bpc[n].get(model)
            secs = results["seconds"][n].get(model, [])
            timing = "/".join(f"{s:.1f}" for s in secs)
            cells.append(f"{value:.3f} ({timing} s)" if value is not None else "-")
        lines.append(f"{model:<10}" + "".join(f"{c:>22}" for c in cells))
    lines.append(
        f"{'target':<10}" + "".join(f"{'<= ' + str(TARGETS[n]):>22}" for n in names)
    )
    return "\n".join(lines)


def _star_datasets() -> dict[str, tuple[bytes, bytes]]:
    """Return ``{name: (prime, data)}`` for the PPM* comparison."""
    calgary = _text_dir() / "calgary"
    sets = _datasets(quick=False)
    paper1 = (calgary / "paper1").read_bytes()
    for name in ("progl", "trans"):
        sets[name] = (b"", (calgary / name).read_bytes())
    sets["paper1x2"] = (b"", paper1 + paper1)
    return sets


_CHILD = """
import json, sys
from seqpred.compress import compress, decompress


def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024


prime, data = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
params = json.loads(sys.argv[3])
decompress(compress(b"warm up " * 8, **params))
with open("/proc/self/clear_refs", "w") as handle:  # peak RSS := RSS (Linux)
    handle.write("5")
rss = status("VmRSS")
assert decompress(compress(data, prime=prime, **params), prime=prime) == data
print(status("VmHWM") - rss)
"""


def _peak_memory(prime: bytes, data: bytes, params: dict[str, Any]) -> int:
    """Return the peak memory, in bytes, that compress + decompress add."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = [Path(tmp) / "prime", Path(tmp) / "data"]
        paths[0].write_bytes(prime)
        paths[1].write_bytes(data)
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, *map(str, paths), json.dumps(params)],
            check=True,
            capture_output=True,
            text=True,
        )
    return int(out.stdout.split()[-1])


def run_ppm_star(repeats: int) -> dict[str, Any]:
    """Compare PPM* with the bounded PPMs and cm, in one process.

    Parameters
    ----------
    repeats : int
        Timing repeats (the best is kept); the models run interleaved.

    Returns
    -------
    dict
        ``{"bpc": {dataset: {model: bpc}}, "seconds": {dataset: {model:
        [compress, decompress]}}, "peak_mb": {dataset: {model: MB}},
        "roundtrip_ok": bool}``.
    """
    bpc: dict[str, dict[str, float]] = {}
    seconds: dict[str, dict[str, list[float]]] = {}
    peak: dict[str, dict[str, float]] = {}
    ok = True
    for name, (prime, data) in _star_datasets().items():
        bpc[name], seconds[name] = {}, {}
        best: dict[str, list[float]] = {m: [1e9, 1e9] for m in STAR_MODELS}
        for _ in range(repeats):
            for model, params in STAR_MODELS.items():
                result = _ours(prime, data, params)
                ok = ok and bool(result["roundtrip_ok"])
                bpc[name][model] = round(result["bpc"], 4)
                best[model][0] = min(best[model][0], result["compress_s"])
                best[model][1] = min(best[model][1], result["decompress_s"])
        seconds[name] = {m: [round(t, 2) for t in ts] for m, ts in best.items()}
        if name in ("book1", "tinyshakespeare"):
            peak[name] = {
                m: round(_peak_memory(prime, data, p) / 2**20, 1)
                for m, p in STAR_MODELS.items()
            }
    return {"bpc": bpc, "seconds": seconds, "peak_mb": peak, "roundtrip_ok": ok}


def _star_table(results: dict[str, Any]) -> str:
    lines = [
        f"{'dataset':<16}{'model':<12}{'bits/byte':>10}{'compress s':>12}"
        f"{'decompress s':>14}{'peak MB':>9}"
    ]
    for name, row in results["bpc"].items():
        for model, value in row.items():
            c, d = results["seconds"][name][model]
            mem = results["peak_mb"].get(name, {}).get(model)
            shown = f"{mem:.0f}" if mem is not None else "-"
            lines.append(
                f"{name:<16}{model:<12}{value:>10.3f}{c:>12.2f}{d:>14.2f}{shown:>9}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table and the RESULTS line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="Slices of the data.")
    parser.add_argument(
        "--ppm-star", action="store_true", help="PPM* against bounded PPM and cm."
    )
    parser.add_argument("--repeats", type=int, default=3, help="With --ppm-star.")
    args = parser.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.2f} (timings depend on it)")
    if args.ppm_star:
        star = run_ppm_star(args.repeats)
        print(_star_table(star))
        print(f"round trip byte for byte: {star['roundtrip_ok']}")
        print("RESULTS_PPM_STAR " + json.dumps(star))
        return 0 if star["roundtrip_ok"] else 1
    results = run_adaptive(args.quick)
    print("bits per character, adaptive (seconds: compress/decompress)")
    print(_table(results))
    print(f"round trip byte for byte: {results['roundtrip_ok']}")
    print("\ntinyshakespeare validation, adaptive and frozen:")
    for row in results["frozen_vs_adaptive"]:
        print(f"  {row['model']:<14} {row['bpc']:.3f}  {row['protocol']}")
    print("RESULTS " + json.dumps(results))
    return 0 if results["roundtrip_ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
