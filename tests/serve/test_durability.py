"""kill -9 at random points: every acknowledged event ends up in the model.

The real server runs as a subprocess with a state directory. A client sends
events and session ends, one request at a time, while a timer kills the
server with SIGKILL at random moments (mid-request, mid-snapshot, mid-learning)
and the test restarts it. After each restart the client checks every live
session: the acknowledged events must all be there, in order, plus at most
the request that was in flight. At the end every session is ended, the
server learns and stops cleanly, and its model must count exactly what a
model fitted offline on the initial data and the same sessions counts.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time

import pytest
from serve_fixtures import *  # noqa: F403  (fixtures: a conftest.py here would clash)

import seqpred
from seqpred import io

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")
httpx = pytest.importorskip("httpx")

PAGES = ["home", "search", "product", "cart", "checkout", "help", "deals"]


class Server:
    """``seqpred serve`` in a subprocess, restarted after each kill."""

    def __init__(self, model, state, port: int) -> None:
        self.args = [
            sys.executable, "-m", "seqpred", "serve", f"clicks={model}",
            "--port", str(port), "--state-dir", str(state),
            "--learn-interval", "0.05", "--snapshot-interval", "0.25",
        ]  # fmt: skip
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.process.stderr.read().decode())  # type: ignore[union-attr]
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill_later(self, seconds: float) -> threading.Timer:
        process = self.process
        timer = threading.Timer(seconds, lambda: os.kill(process.pid, signal.SIGKILL))
        timer.start()
        return timer

    def wait_dead(self) -> None:
        assert self.process is not None
        self.process.wait(20)

    def stop(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(30) in (0, -signal.SIGTERM)  # uvicorn re-raises it


def _reconcile(client, live, ended, in_flight) -> None:
    """After a restart: the server holds every acknowledged event (+ the in-flight)."""
    for session, acked in list(live.items()):
        reply = client.get(f"/models/clicks/sessions/{session}")
        maybe = in_flight if in_flight and in_flight[0] == session else None
        if reply.status_code == 404:
            if not acked:  # nothing acknowledged: it never existed on the server
                live.pop(session)
                continue
            assert maybe is not None and maybe[1] == "end", (
                f"session {session} with {len(acked)} acknowledged events was lost"
            )
            ended.append(live.pop(session))
            continue
        held = reply.json()["events"]
        assert held[: len(acked)] == acked, f"session {session} lost events"
        extra = held[len(acked) :]
        assert extra == [] or (maybe is not None and extra == maybe[1]), extra
        live[session] = held


def test_every_acknowledged_event_survives_kill_9(tmp_path, clicks):
    initial = seqpred.create("markov", order=2).fit(clicks)
    assert set(PAGES) <= set(initial.vocabulary_.symbols)
    model_path = io.save(initial, tmp_path / "clicks.seqpred")
    port = _free_port()
    server = Server(model_path, tmp_path / "state", port)
    rng = random.Random(17)
    live: dict[str, list[str]] = {}
    ended: list[list[str]] = []
    n_events, kills, next_id = 0, 0, 0
    server.start()
    client = httpx.Client(base_url=server.url, timeout=10)
    timer = server.kill_later(rng.uniform(0.2, 0.8))
    while n_events < 250 or kills < 3:
        started = sorted(k for k, v in live.items() if v)
        if started and rng.random() < 0.15:
            session = rng.choice(started)
            request = (session, "end")
        else:
            if not live or (len(live) < 6 and rng.random() < 0.3):
                next_id += 1
                live[f"s{next_id}"] = []
            session = rng.choice(sorted(live))
            request = (session, [rng.choice(PAGES) for _ in range(rng.randint(1, 3))])
        try:
            if request[1] == "end":
                reply = client.delete(f"/models/clicks/sessions/{session}")
            else:
                url = f"/models/clicks/sessions/{session}/events"
                reply = client.post(url, json={"events": request[1]})
            reply.raise_for_status()
        except httpx.TransportError:  # killed: restart, then check what it holds
            kills += 1
            server.wait_dead()
            server.start()
            _reconcile(client, live, ended, request)
            timer = server.kill_later(rng.uniform(0.2, 0.8))
            continue
        if request[1] == "end":
            ended.append(live.pop(session))
        else:
            live[session].extend(request[1])
            n_events += len(request[1])
    timer.cancel()
    timer.join()
    time.sleep(0.1)
    if server.process.poll() is not None:  # the timer fired at the very end
        server.wait_dead()
        server.start()
        _reconcile(client, live, ended, None)
    for session in [k for k, v in live.items() if not v]:
        live.pop(session)  # created here, never sent
    for session in sorted(live):
        assert client.delete(f"/models/clicks/sessions/{session}").status_code == 200
        ended.append(live.pop(session))
    deadline = time.monotonic() + 30
    while client.get("/models/clicks/sessions").json()["pending_sessions"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    client.close()
    server.stop()
    snapshot = sorted((tmp_path / "state" / "clicks").glob("snapshot-*"))[-1]
    learned = io.load(snapshot / "model.seqpred")
    offline = seqpred.create("markov", order=2).fit(clicks + ended)
    assert kills >= 3 and n_events >= 250
    assert learned.n_sequences_ == offline.n_sequences_ == len(clicks) + len(ended)
    assert learned.vocabulary_.symbols == offline.vocabulary_.symbols
    assert learned.item_counts_.tolist() == offline.item_counts_.tolist()
    for name in ("context_keys_", "next_ids_", "next_counts_"):
        got, expected = getattr(learned, name), getattr(offline, name)
        assert [a.tolist() for a in got] == [a.tolist() for a in expected], name


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
