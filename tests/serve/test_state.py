"""The pieces under the service: write-ahead log, sessions, snapshots, metrics."""

from __future__ import annotations

import asyncio

import pytest

import seqpred
from seqpred.exceptions import DataError
from seqpred.serve.errors import Unavailable
from seqpred.serve.metrics import Metrics
from seqpred.serve.sessions import SessionStore
from seqpred.serve.snapshots import read_snapshot, write_snapshot
from seqpred.serve.wal import WriteAheadLog


def _wal_with(path, n: int) -> WriteAheadLog:
    wal = WriteAheadLog(path)
    wal.recover(after=0)

    async def write() -> None:
        lsns = [wal.append([["events", f"s{i}", [i]]], t=float(i)) for i in range(n)]
        await asyncio.gather(*(wal.commit(lsn) for lsn in lsns))

    asyncio.run(write())
    return wal


def test_log_replays_in_order_and_after_a_snapshot(tmp_path):
    _wal_with(tmp_path, 5).close()
    wal = WriteAheadLog(tmp_path)
    assert [r["lsn"] for r in wal.recover(after=2)] == [3, 4, 5]
    assert wal.append([], t=0.0) == 6  # numbering goes on
    wal.close()


def test_a_torn_last_record_is_dropped_and_the_file_truncated(tmp_path):
    _wal_with(tmp_path, 3).close()
    segment = WriteAheadLog(tmp_path).segments()[-1]
    with open(segment, "ab") as handle:
        handle.write(b'0badc0de {"lsn": 4, "t"')  # a crash mid-write
    wal = WriteAheadLog(tmp_path)
    assert [r["lsn"] for r in wal.recover(after=0)] == [1, 2, 3]
    assert segment.read_bytes().endswith(b"\n")
    wal.close()


def test_corruption_before_the_end_refuses_to_start(tmp_path):
    _wal_with(tmp_path, 3).close()
    segment = WriteAheadLog(tmp_path).segments()[-1]
    data = bytearray(segment.read_bytes())
    data[12] ^= 0x01  # inside the first record
    segment.write_bytes(bytes(data))
    with pytest.raises(DataError, match="corrupt and is not the last one"):
        WriteAheadLog(tmp_path).recover(after=0)


def test_rotation_and_dropping_segments(tmp_path):
    wal = _wal_with(tmp_path, 3)
    first = wal.rotate()
    assert first == 4
    lsn = wal.append([["end", "s0", "client"]], t=0.0)
    wal.flush()
    wal.drop_before(4)  # a snapshot holds records 1-3
    assert len(wal.segments()) == 1
    wal.close()
    assert [r["lsn"] for r in WriteAheadLog(tmp_path).recover(after=3)] == [lsn]


def test_concurrent_commits_share_flushes(tmp_path):
    wal = WriteAheadLog(tmp_path)
    wal.recover(after=0)
    flushes = []
    original = wal._write
    wal._write = lambda data: (flushes.append(data.count(b"\n")), original(data))

    async def burst() -> None:
        lsns = [wal.append([["events", "s", [i]]], t=0.0) for i in range(50)]
        await asyncio.gather(*(wal.commit(lsn) for lsn in lsns))

    asyncio.run(burst())
    assert sum(flushes) == 50 and len(flushes) < 50
    wal.close()


def test_a_failed_write_refuses_everything_after(tmp_path):
    wal = WriteAheadLog(tmp_path)
    wal.recover(after=0)

    def broken(data: bytes) -> None:
        raise OSError(28, "No space left on device")

    wal._write = broken
    lsn = wal.append([["events", "s", ["a"]]], t=0.0)
    with pytest.raises(Unavailable, match="accepts no more events"):
        asyncio.run(wal.commit(lsn))
    with pytest.raises(Unavailable, match="No space left"):
        wal.append([], t=0.0)


def test_session_plans_are_replayed_exactly():
    live = SessionStore(max_sessions=2, max_length=4, ttl=10.0)
    replica = SessionStore(max_sessions=2, max_length=4, ttl=10.0)
    requests = [("a", ["x"] * 3), ("b", ["y"]), ("a", ["z"] * 6), ("c", ["w"])]
    ended = []
    for t, (session, events) in enumerate(requests):
        for op in live.plan_events(session, events):
            ended.append(live.apply(op, now=float(t)))
            replica.apply(op, now=float(t))  # what replaying the log does
    assert [e for e in ended if e] == [["x", "x", "x", "z"], ["z"] * 4, ["y"]]
    assert live.export() == replica.export()
    assert [op[2] for op in live.plan_expiry(now=20.0)] == ["ttl", "ttl"]
    assert live.stats()["ended"] == {"client": 0, "ttl": 0, "lru": 1, "length": 2}


def test_sessions_encode_once_and_again_for_a_new_vocabulary():
    model = seqpred.create("markov", order=1).fit(["ab", "abc"])
    store = SessionStore(max_sessions=5, max_length=10, ttl=10.0)
    store.apply(("events", "s", ["a", "zz"]), now=0.0)
    session = store.get("s")
    assert session.encoded(model.vocabulary_).tolist() == [3, 1]  # zz is unknown
    grown = model.partial_fit([["zz", "a"]]).vocabulary_
    assert session.encoded(grown).tolist() == [3, grown.index("zz")]


def test_snapshot_round_trip_and_atomic_replacement(tmp_path):
    model = seqpred.create("markov", order=1).fit(["abab"])
    sessions = [{"id": "s", "events": ["a"], "last_seen": 1.0}]
    write_snapshot(tmp_path, model, sessions, [], lsn=3)
    (tmp_path / ".snapshot-00000000000000000009.tmp-1").mkdir()  # a crashed write
    source = {"path": "/models/m.seqpred", "bytes": 10, "mtime_ns": 1}
    write_snapshot(tmp_path, model, [], [["b"]], lsn=5, key=b"k", source=source)
    found = read_snapshot(tmp_path, key=b"k")
    assert (found.lsn, found.sessions, found.pending) == (5, [], [["b"]])
    assert found.source == source
    (left,) = tmp_path.iterdir()  # the older snapshot and the leftover are gone
    assert left.name.startswith("snapshot-00000000000000000005-")
    with pytest.raises(seqpred.exceptions.SeqpredError):
        read_snapshot(tmp_path, key=b"other")


def test_metrics_text_format():
    metrics = Metrics()
    for seconds in (0.0002, 0.003, 9.0):
        metrics.observe("POST", "/models/{name}/predict", 200, seconds)
    metrics.gauge("seqpred_sessions", "Live sessions.", lambda: [({"model": "m"}, 3)])
    text = metrics.render()
    route = 'method="POST",route="/models/{name}/predict"'
    assert f'seqpred_request_seconds_bucket{{{route},le="0.00025"}} 1' in text
    assert f'seqpred_request_seconds_bucket{{{route},le="+Inf"}} 3' in text
    assert f"seqpred_request_seconds_count{{{route}}} 3" in text
    assert 'seqpred_sessions{model="m"} 3' in text
    assert "# TYPE seqpred_request_seconds histogram" in text
