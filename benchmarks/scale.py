"""Beyond one process: mergeable fits on local processes and on Spark local[2] (#18).

Run:  .venv/bin/python benchmarks/scale.py [--parts data,exact,fit,cpt,score]
      [--fit-events 10000000,100000000] [--score-events 10000000]
      [--workdir /tmp/seqpred-scale]

Data: synthetic click logs (``seqpred.data.synthetic.click_sessions``, 16
pages, ~11 clicks a session), written first to Parquet in ``--workdir`` (kept
between runs): ``events_<N>.parquet`` with one row per click (``session_id``,
``user_id``, ``timestamp``, ``page``, ``dwell`` seconds, ``label`` = the
session reached "confirmation"), sorted by session and time, and
``sessions_<N>.parquet`` with one row per session (``session_id``, ``pages``
as a list).

Parts (each case runs in its own subprocess, so peak memory is per case):

exact
    On 10^6 events, every model with mergeable statistics fitted in one
    process (the Parquet read with ``read_table``) and on Spark ``local[2]``
    (``seqpred.spark.fit`` on the same Parquet): identical fitted arrays
    ("statistics") and identical ``predict_top_k`` on 10,000 queries (the
    first 3 items of 10,000 sessions); for kmer ``predict_proba`` on
    10,000 sessions, for the forecasters (dwell-time series per session)
    ``predict(horizon=3)`` of every series.
fit
    MarkovPredictor(order=3) at each ``--fit-events``: one process
    (``n_jobs=1``), local processes (``n_jobs=2``) from the SequenceSet in
    memory (the Parquet read is timed apart), and Spark ``local[2]`` from
    the Parquet file (read, group, vocabulary, statistics, merge). Events/s
    per core; the peak RSS of the Python driver and of the JVM.
cpt
    CPT+ on Spark: fitted on the driver from the sequences the executors
    encode to int ids (zstd-compressed Arrow), against the local fit; 10^6
    and 10^7 events.
score
    MarkovPredictor(order=3) and CPT+ fitted on 10^6 events, then
    ``predict_top_k(k=5)`` of every session of ``sessions_<N>.parquet``
    (``--score-events`` N; 10^8 events are about 9 x 10^6 sessions):
    in process (one batch call on the SequenceSet in memory; per core: over
    its CPU seconds, since CPT+ batches run on numba's threads) and Spark
    ``spark.predict`` over the Parquet (noop sink), events/s per core. The
    Spark job runs twice: the first (``cold_seconds``) also starts the
    Python workers and loads the model in each, a fixed cost; the second is
    the rate reported. ``arrow_round_trip_seconds``: the same columns sent
    to the Python workers and back with no model (Spark's floor).

The machine has 2 cores shared with other work: the load average is
recorded with each case. The last line is ``RESULTS {"exact": {MODEL:
true}, "fit_seconds": {EVENTS: {"single": s, "local_processes": s,
"spark_local2": s}}, "score_events_per_s": {MODEL: {"in_process": r,
"spark_local2": r}}, "driver_peak_mb": m, ...}`` (``driver_peak_mb``: the
Spark fit at the largest size; more keys after those).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve()
SESSIONS_PER_BLOCK = 100_000
QUERIES = 10_000
MEAN_DWELL = 30.0


# -- data -------------------------------------------------------------------------


def events_path(workdir: Path, n: int) -> Path:
    return workdir / f"events_{n}.parquet"


def sessions_path(workdir: Path, n: int) -> Path:
    return workdir / f"sessions_{n}.parquet"


def write_data(workdir: Path, n_events: int) -> dict[str, Any]:
    """Write ``events_<N>.parquet`` and ``sessions_<N>.parquet`` (about N events)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from seqpred.data.synthetic import click_sessions

    events, sessions = events_path(workdir, n_events), sessions_path(workdir, n_events)
    if events.exists() and sessions.exists():
        return {"events": n_events, "cached": True}
    workdir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    written, block, first_id = 0, 0, 0
    ev_writer = ses_writer = None
    while written < n_events:
        pages = click_sessions(SESSIONS_PER_BLOCK, random_state=1000 + block)
        lengths = np.array([len(p) for p in pages])
        keep = np.searchsorted(np.cumsum(lengths), n_events - written, side="left") + 1
        pages, lengths = pages[:keep], lengths[:keep]
        ids = np.arange(first_id, first_id + len(pages), dtype=np.int64)
        rng = np.random.default_rng(block)
        dwell = np.maximum(1.0, np.round(rng.exponential(MEAN_DWELL, lengths.sum())))
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        before = np.cumsum(dwell) - dwell  # dwell of the earlier clicks of the block
        within = before - np.repeat(before[offsets[:-1]], lengths)
        starts = np.repeat(ids * 7200, lengths)  # sessions 2 h apart: gap >> 30 min
        flat = pa.array([p for s in pages for p in s], pa.string())
        label = np.repeat(np.array(["confirmation" in s for s in pages]), lengths)
        table = pa.table(
            {
                "session_id": np.repeat(ids, lengths),
                "user_id": np.repeat(ids // 4, lengths),
                "timestamp": (starts + within).astype(np.int64),
                "page": flat,
                "dwell": dwell,
                "label": label,
            }
        )
        offsets_arrow = pa.array(offsets.astype(np.int32))
        grouped = pa.table(
            {
                "session_id": ids,
                "pages": pa.ListArray.from_arrays(offsets_arrow, flat),
            }
        )
        if ev_writer is None:
            ev_writer = pq.ParquetWriter(events, table.schema)
            ses_writer = pq.ParquetWriter(sessions, grouped.schema)
        ev_writer.write_table(table, row_group_size=1 << 20)
        ses_writer.write_table(grouped, row_group_size=1 << 17)
        written += int(lengths.sum())
        first_id += len(pages)
        block += 1
    ev_writer.close()
    ses_writer.close()
    return {
        "events": written,
        "sessions": first_id,
        "seconds": round(time.perf_counter() - start, 1),
        "mb": round(events.stat().st_size / 2**20, 1),
    }


# -- helpers run in the children ---------------------------------------------------


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def jvm_peak_mb(spark: Any) -> float | None:
    try:
        pid = spark.sparkContext._gateway.proc.pid
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except Exception:  # not local mode, or no /proc
        return None
    return None


def read_events(path: Path, **options: Any) -> Any:
    from seqpred.data import read_table

    options.setdefault("item_col", "page")
    return read_table(
        path, sequence_col="session_id", time_col="timestamp", **options
    ).sequences


def read_stream(path: Path) -> Any:
    """Read ``session_id, page`` row group by row group into a SequenceSet.

    The Parquet is sorted by session and time, so sequences are runs of one
    session id; symbols get ids by first appearance in file order, as
    ``read_table`` numbers them. Memory: the int64 ids and the session ids,
    never a frame of all the events (``read_table`` peaks at ~160 bytes an
    event, 16 GB at 10^8).
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from seqpred.data.sequence_set import SequenceSet
    from seqpred.data.vocabulary import Vocabulary

    source = pq.ParquetFile(path)
    n = source.metadata.num_rows
    values = np.empty(n, dtype=np.int64)
    sessions = np.empty(n, dtype=np.int64)
    vocabulary = Vocabulary()
    at = 0
    for batch in source.iter_batches(
        batch_size=1 << 20, columns=["session_id", "page"]
    ):
        encoded = pc.dictionary_encode(batch.column("page"))
        table = vocabulary.encode(encoded.dictionary.to_pylist(), unknown="add")
        size = batch.num_rows
        values[at : at + size] = table[encoded.indices.to_numpy()]
        sessions[at : at + size] = batch.column("session_id").to_numpy()
        at += size
    starts = np.flatnonzero(np.concatenate([[True], sessions[1:] != sessions[:-1]]))
    del sessions
    offsets = np.concatenate([starts, [n]]).astype(np.int64)
    return SequenceSet(values, offsets, vocabulary=vocabulary.freeze())


PLAIN_FIT_EVENTS = 20_000_000
"""Above this "single" counts chunks in one process (plain fit: ~13 GB at 10^8)."""


def spark_session(memory: str = "2g") -> Any:
    from seqpred import spark

    return spark.session(
        "local[2]",
        driver_memory=memory,
        config={
            "spark.sql.shuffle.partitions": "8",
            "spark.sql.files.maxPartitionBytes": str(32 << 20),
            "spark.driver.maxResultSize": "2g",
        },
    )


def same_state(a: Any, b: Any) -> bool:
    """Whether two fitted models hold the same learned state, exactly."""
    from seqpred.testing import assert_same_fitted_state

    try:
        assert_same_fitted_state(a, b)
    except AssertionError:
        return False
    return True


# -- the cases ---------------------------------------------------------------------

NEXT_ITEM = {
    "markov": {"order": 3},
    "akom": {"order": 5},
    "ppm": {"max_order": 5},
    "tdag": {},
    "dg": {},
}
FORECASTERS = ("naive", "seasonal-naive", "drift", "mean")


def case_exact(workdir: Path, n: int) -> dict[str, Any]:
    import seqpred
    from seqpred import spark

    path = events_path(workdir, n)
    session = spark_session()
    df = session.read.parquet(str(path))
    symbols = df.select("session_id", "timestamp", "page")
    ss = read_events(path)
    queries = ss[:QUERIES].slice_steps(0, 3)
    out: dict[str, Any] = {}
    seconds: dict[str, Any] = {}
    warnings.simplefilter("ignore")
    for name, params in NEXT_ITEM.items():
        local = seqpred.create(name, **params).fit(ss)
        start = time.perf_counter()
        distributed = spark.fit(name, symbols, **params)
        seconds[name] = round(time.perf_counter() - start, 2)
        out[name] = same_state(local, distributed) and (
            local.predict_top_k(queries) == distributed.predict_top_k(queries)
        )
    labelled = read_events(path, label_col="label")
    kmer = {"max_k": 2, "max_iter": 100}
    local = seqpred.create("kmer", **kmer).fit(labelled)
    start = time.perf_counter()
    distributed = spark.fit(
        "kmer", df.select("session_id", "timestamp", "page", "label"),
        label_col="label", **kmer,
    )  # fmt: skip
    seconds["kmer"] = round(time.perf_counter() - start, 2)
    docs = labelled[:QUERIES]
    out["kmer"] = same_state(local, distributed) and np.array_equal(
        local.predict_proba(docs), distributed.predict_proba(docs)
    )
    series = read_events(path, item_col="dwell", kind="numeric")
    numbers = df.select("session_id", "timestamp", "dwell")
    for name in FORECASTERS:
        params = {"season_length": 2} if name == "seasonal-naive" else {}
        local = seqpred.create(name, **params).fit(series)
        start = time.perf_counter()
        distributed = spark.fit(name, numbers, item_col="dwell", **params)
        seconds[name] = round(time.perf_counter() - start, 2)
        out[name] = same_state(local, distributed) and np.array_equal(
            local.predict(horizon=3), distributed.predict(horizon=3)
        )
    session.stop()
    return {"exact": out, "spark_fit_seconds": seconds, "events": int(ss.n_steps)}


def case_fit_local(workdir: Path, n: int, jobs: int) -> dict[str, Any]:
    from seqpred.models.mergeable import statistics_in_processes
    from seqpred.models.next_item import MarkovPredictor

    start = time.perf_counter()
    ss = read_stream(events_path(workdir, n))
    read = time.perf_counter() - start
    cpu = time.process_time()
    start = time.perf_counter()
    mode = "fit"
    if jobs == 1 and ss.n_steps > PLAIN_FIT_EVENTS:
        model = MarkovPredictor(order=3)
        model.from_statistics(statistics_in_processes(model, ss, None, 1))
        mode = "chunks in one process"
    else:
        MarkovPredictor(order=3, n_jobs=jobs).fit(ss)
    seconds = time.perf_counter() - start
    return {
        "mode": mode,
        "read_seconds": round(read, 2),
        "fit_seconds": round(seconds, 2),
        "parent_cpu_seconds": round(time.process_time() - cpu, 2),
        "events": int(ss.n_steps),
        "peak_mb": round(peak_mb()),
    }


def case_fit_spark(workdir: Path, n: int, model: str) -> dict[str, Any]:
    import seqpred
    from seqpred import spark

    memory = "3g" if n > 20_000_000 else "2g"
    session = spark_session(memory)
    df = session.read.parquet(str(events_path(workdir, n)))
    params = NEXT_ITEM.get(model, {})
    warnings.simplefilter("ignore")
    before = peak_mb()
    start = time.perf_counter()
    fitted = spark.fit(model, df.select("session_id", "timestamp", "page"), **params)
    seconds = time.perf_counter() - start
    out = {
        "fit_seconds": round(seconds, 2),
        "driver_peak_mb": round(peak_mb()),
        "driver_before_fit_mb": round(before),
        "jvm_peak_mb": jvm_peak_mb(session),
        "jvm_heap": memory,
        "model_mb": round(fitted.memory_bytes() / 2**20, 1),
    }
    if model == "cpt+":
        start = time.perf_counter()
        local = seqpred.create("cpt+").fit(read_events(events_path(workdir, n)))
        out["local_read_and_fit_seconds"] = round(time.perf_counter() - start, 2)
        queries = read_events(events_path(workdir, 10**6))[:2000].slice_steps(0, 4)
        out["same_predictions"] = fitted.predict_top_k(queries) == local.predict_top_k(
            queries
        )
        out["driver_peak_mb_with_local_fit"] = round(peak_mb())
    session.stop()
    return out


def _fit_model(workdir: Path, model: str) -> Any:
    import seqpred

    params = NEXT_ITEM.get(model, {})
    return seqpred.create(model, **params).fit(read_events(events_path(workdir, 10**6)))


def case_score_local(workdir: Path, model: str, n_sessions: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from seqpred.spark._arrow import sequence_set, symbol_array, top_k_column

    fitted = _fit_model(workdir, model)
    table = pq.read_table(sessions_path(workdir, n_sessions), columns=["pages"])
    ss = sequence_set(
        table.column("pages").combine_chunks(), vocabulary=fitted.vocabulary_,
        unknown="unk",
    )  # fmt: skip
    del table
    symbols = symbol_array(fitted.vocabulary_.symbols, "string")
    start, cpu = time.perf_counter(), time.process_time()
    ids, scores = fitted.predict_top_k_ids(ss, 5)  # one batch, ranked items to Arrow
    top_k_column(ids, scores, symbols)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu  # CPT+ batches run on numba's threads
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "sessions": len(ss),
        "events": int(ss.n_steps),
        "events_per_s_per_core": round(ss.n_steps / max(cpu, seconds)),
    }


def case_score_spark(workdir: Path, model: str, n_sessions: int) -> dict[str, Any]:
    from seqpred import spark

    fitted = _fit_model(workdir, model)
    session = spark_session()
    df = session.read.parquet(str(sessions_path(workdir, n_sessions)))
    events = df.selectExpr("sum(size(pages))").first()[0]
    runs = []
    for _ in range(2):  # cold (Python workers start, the model loads), then warm
        start = time.perf_counter()
        spark.predict(fitted, df, k=5).write.format("noop").mode("overwrite").save()
        runs.append(time.perf_counter() - start)
    start = time.perf_counter()  # the floor: the same Arrow round trip, no model
    df.select("pages").mapInArrow(lambda it: it, "pages array<string>").write.format(
        "noop"
    ).mode("overwrite").save()
    round_trip = time.perf_counter() - start
    session.stop()
    return {
        "seconds": round(runs[1], 2),
        "cold_seconds": round(runs[0], 2),
        "arrow_round_trip_seconds": round(round_trip, 2),
        "events": int(events),
        "events_per_s_per_core": round(events / runs[1] / 2),
    }


CASES = {
    "exact": lambda a: case_exact(a.workdir, 10**6),
    "fit-local": lambda a: case_fit_local(a.workdir, a.events, a.jobs),
    "fit-spark": lambda a: case_fit_spark(a.workdir, a.events, a.model),
    "score-local": lambda a: case_score_local(a.workdir, a.model, a.sessions),
    "score-spark": lambda a: case_score_spark(a.workdir, a.model, a.sessions),
}


def child(args: argparse.Namespace) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    load = os.getloadavg()[0]
    result = CASES[args.case](args)
    result["load_average"] = round(load, 2)
    print("CHILD " + json.dumps(result), flush=True)


def run_child(case: str, args: argparse.Namespace, timeout: int, **extra: Any) -> Any:
    command = [
        sys.executable,
        str(HERE),
        "--case",
        case,
        "--workdir",
        str(args.workdir),
    ]
    for key, value in extra.items():
        command += [f"--{key}", str(value)]
    print(f"# {case} {extra}", flush=True)
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        print(f"  timed out after {timeout} s", flush=True)
        return {"timed_out": timeout}
    lines = [line for line in done.stdout.splitlines() if line.startswith("CHILD ")]
    if not lines:
        print(done.stderr[-3000:], flush=True)
        return {"failed": done.returncode}
    result = json.loads(lines[-1][len("CHILD ") :])
    print("  " + json.dumps(result), flush=True)
    return result


# -- the run -----------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parts", default="data,exact,fit,cpt,score")
    parser.add_argument("--fit-events", default="10000000")
    parser.add_argument("--score-events", default="10000000")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/seqpred-scale"))
    parser.add_argument("--timeout", type=int, default=1800)
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--events", type=int, default=10**6)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--model", default="markov")
    parser.add_argument("--sessions", type=int, default=10**6, help="its file's events")
    args = parser.parse_args()
    if args.case:
        child(args)
        return
    parts = set(args.parts.split(","))
    fit_sizes = [int(float(x)) for x in args.fit_events.split(",") if x]
    score_sizes = [int(float(x)) for x in args.score_events.split(",") if x]
    results: dict[str, Any] = {
        "exact": {}, "fit_seconds": {}, "score_events_per_s": {},
        "driver_peak_mb": None,
    }  # fmt: skip
    if "data" in parts:
        for n in sorted({10**6, 10**7, *fit_sizes, *score_sizes}):
            print(f"# data {n}: {write_data(args.workdir, n)}", flush=True)
    if "exact" in parts:
        exact = run_child("exact", args, args.timeout)
        results["exact"] = exact.get("exact", exact)
        results["exact_spark_fit_seconds"] = exact.get("spark_fit_seconds")
    if "fit" in parts:
        detail: dict[str, Any] = {}
        for n in fit_sizes:
            single = run_child("fit-local", args, args.timeout, events=n, jobs=1)
            double = run_child("fit-local", args, args.timeout, events=n, jobs=2)
            on_spark = run_child("fit-spark", args, args.timeout, events=n)
            results["fit_seconds"][str(n)] = {
                "single": single.get("fit_seconds"),
                "local_processes": double.get("fit_seconds"),
                "spark_local2": on_spark.get("fit_seconds"),
            }
            detail[str(n)] = {"single": single, "local_processes": double,
                              "spark_local2": on_spark}  # fmt: skip
            results["driver_peak_mb"] = on_spark.get("driver_peak_mb")
        results["fit_detail"] = detail
    if "cpt" in parts:
        results["cpt_plus_spark_fit"] = {
            str(n): run_child("fit-spark", args, args.timeout, events=n, model="cpt+")
            for n in (10**6, 10**7)
        }
    if "score" in parts:
        for model in ("markov", "cpt+"):
            for size in score_sizes:
                local = run_child(
                    "score-local", args, args.timeout, model=model, sessions=size
                )
                remote = run_child(
                    "score-spark", args, args.timeout, model=model, sessions=size
                )
                results["score_events_per_s"][model] = {
                    "in_process": local.get("events_per_s_per_core"),
                    "spark_local2": remote.get("events_per_s_per_core"),
                }
                results.setdefault("score_detail", {})[model] = {
                    "in_process": local, "spark_local2": remote,
                }  # fmt: skip
    print("RESULTS " + json.dumps(results))


if __name__ == "__main__":
    main()
