"""Reading speed of seqpred's readers against naive pure-Python readers.

Cases (each runs in its own subprocess, so peak memory is per case):

- every SPMF file of ``../shared/data/next_item`` with ``read_spmf``, and the
  same file with a naive reader (split lines, ``int()`` each token, Python
  lists, ``SequenceSet.from_lists``);
- a generated long-format CSV (``sequence_id,timestamp,item``; rows in random
  order, about ten events per session) with ``read_csv(time_col=...)``, and a
  smaller one (``--naive-events``) with a naive ``csv``-module reader that
  groups rows in a dict and sorts each session; the ratio compares events per
  second;
- the same 10M-event table already in memory as a polars and as a pandas
  DataFrame (loaded before the clock starts, as a user holds it), read with
  ``from_polars`` / ``from_pandas`` (column roles found from the names,
  sorted by time). Peak MB includes the frame itself.

Prints a table (what, seconds, rows, peak MB, speed-up) and a last line
``RESULTS {json}``. Generated files live in a temporary directory that is
removed at the end.

Usage::

    python benchmarks/read_speed.py                 # 10M-event CSV
    python benchmarks/read_speed.py --events 200000 # quick check
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SPMF_FILES = ["MSNBC", "BMS", "SIGN", "BIBLE_WORD", "LEVIATHAN"]


def default_data_dir() -> Path:
    env = os.environ.get("SEQPRED_SHARED_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


# -- the cases, run inside a subprocess ---------------------------------------------


def naive_spmf(path: str):
    from seqpred.data import SequenceSet

    sequences = []
    with open(path) as handle:
        for line in handle:
            if not line.strip() or line[0] in "#%@":
                continue
            sequences.append([int(t) for t in line.split() if int(t) >= 0])
    return SequenceSet.from_lists(sequences)


def naive_csv(path: str):
    from seqpred.data import SequenceSet

    groups: dict[str, list[tuple[int, int, str]]] = {}
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        for row_number, (sid, stamp, item) in enumerate(reader):
            groups.setdefault(sid, []).append((int(stamp), row_number, item))
    sequences = [[item for _, _, item in sorted(rows)] for rows in groups.values()]
    return SequenceSet.from_lists(sequences, ids=list(groups))


def run_case(kind: str, path: str) -> dict[str, object]:
    import polars  # noqa: F401  (imported before timing, as in a running program)

    from seqpred.data.readers import from_pandas, from_polars, read_csv, read_spmf

    readers = {
        "spmf": read_spmf,
        "naive_spmf": naive_spmf,
        "csv": lambda p: read_csv(p, time_col="timestamp"),
        "naive_csv": naive_csv,
        "polars_frame": from_polars,
        "pandas_frame": from_pandas,
    }
    source: object = path
    if kind.endswith("_frame"):  # the frame a user already holds: not timed
        source = polars.read_csv(path)
        if kind == "pandas_frame":
            source = source.to_pandas()  # type: ignore[attr-defined]
    start = time.perf_counter()
    ss = readers[kind](source)
    seconds = time.perf_counter() - start
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "seconds": seconds,
        "sequences": len(ss),
        "rows": ss.n_steps,
        "peak_mb": peak_kb / 1024,
    }


def in_subprocess(kind: str, path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--case", kind, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        tail = (out.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": tail}
    return json.loads(out.stdout.strip().splitlines()[-1])


# -- data generation ------------------------------------------------------------------


def generate_csv(path: Path, n_events: int, seed: int = 0) -> None:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    n_sessions = max(1, n_events // 10)
    items = rng.zipf(1.3, n_events) % 20_000
    pl.DataFrame(
        {
            "sequence_id": rng.integers(0, n_sessions, n_events),
            "timestamp": rng.integers(1_600_000_000, 1_700_000_000, n_events),
            "item": "p" + pl.Series(items).cast(pl.String),
        }
    ).write_csv(path)


# -- driver ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--naive-events", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=default_data_dir())
    parser.add_argument("--case", nargs=2, metavar=("KIND", "PATH"), help="internal")
    args = parser.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(*args.case)))
        return 0

    results: list[dict[str, object]] = []
    next_item = args.data / "next_item"
    for name in SPMF_FILES if next_item.is_dir() else []:
        path = next_item / f"{name}.txt"
        fast = in_subprocess("spmf", path)
        slow = in_subprocess("naive_spmf", path)
        results.append({"what": f"read_spmf {name}", **fast})
        results.append(
            {"what": f"naive spmf {name}", **slow, "speedup": _ratio(slow, fast)}
        )
    if not next_item.is_dir():
        print(f"(no {next_item}: SPMF cases skipped)", file=sys.stderr)

    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "events.csv", Path(tmp) / "events_small.csv"
        generate_csv(big, args.events)
        fast = in_subprocess("csv", big)
        results.append({"what": f"read_csv {args.events:,} events", **fast})
        for kind in ("polars_frame", "pandas_frame"):
            frame = in_subprocess(kind, big)
            name = kind.replace("_frame", "")
            results.append({"what": f"from_{name} {args.events:,} events", **frame})
        n_small = min(args.naive_events, args.events)
        generate_csv(small, n_small)
        small_fast = in_subprocess("csv", small)
        slow = in_subprocess("naive_csv", small)
        results.append({"what": f"read_csv {n_small:,} events", **small_fast})
        results.append(
            {"what": f"naive csv {n_small:,} events", **slow,
             "speedup": _ratio(slow, small_fast)}
        )  # fmt: skip
    print_table(results)
    print("RESULTS " + json.dumps({"cases": results}))
    return 0


def _ratio(slow: dict[str, object], fast: dict[str, object]) -> float | None:
    """Speed-up in rows per second (fast over slow)."""
    try:
        slow_rate = float(slow["rows"]) / float(slow["seconds"])  # type: ignore[arg-type]
        fast_rate = float(fast["rows"]) / float(fast["seconds"])  # type: ignore[arg-type]
    except (KeyError, ZeroDivisionError, TypeError):
        return None
    return round(fast_rate / slow_rate, 1)


def print_table(results: list[dict[str, object]]) -> None:
    header = f"{'what':<34} {'seconds':>9} {'rows':>12} {'peak MB':>9} {'speed-up':>9}"
    print(header)
    print("-" * len(header))
    for r in results:
        if "error" in r:
            print(f"{r['what']:<34} error: {r['error']}")
            continue
        speedup = f"{r['speedup']}x" if r.get("speedup") else ""
        print(
            f"{r['what']:<34} {r['seconds']:>9.3f} {r['rows']:>12,} "
            f"{r['peak_mb']:>9.0f} {speedup:>9}"
        )


if __name__ == "__main__":
    sys.exit(main())
