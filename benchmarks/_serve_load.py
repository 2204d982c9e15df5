"""Helpers of benchmarks/serve.py: a server subprocess, load generators, kill -9 runs.

Everything talks to 127.0.0.1 only. The load generator is ``wrk`` when it is
installed (``apt-get install wrk``; one thread, a Lua script cycling through
request bodies), else an asyncio ``httpx`` client with the same number of
connections; both run for a fixed time and report p50 / p99 latency and
requests per second.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """``seqpred serve`` as a subprocess on 127.0.0.1 (started, killed, stopped)."""

    def __init__(self, models: dict[str, Path], *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        named = [f"{name}={path}" for name, path in models.items()]
        self.args = [sys.executable, "-m", "seqpred", "serve", *named]
        self.args += ["--port", str(self.port), *options]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> float:
        """Start and wait until ``/health`` answers; return the seconds it took."""
        import httpx

        start = time.perf_counter()
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        while time.perf_counter() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {' '.join(self.args)}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(60)


# -- load --------------------------------------------------------------------------


def run_load(
    url: str, bodies: list[str], concurrency: int, seconds: float, tool: str
) -> dict[str, float]:
    """Return p50 / p99 (ms), requests/s and errors of POSTing ``bodies`` to ``url``."""
    if tool == "wrk":
        return _wrk(url, bodies, concurrency, seconds)
    return asyncio.run(_httpx(url, bodies, concurrency, seconds))


def load_tool(choice: str) -> str:
    if choice == "auto":
        return "wrk" if shutil.which("wrk") else "httpx"
    return choice


_LUA = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, bodies[i])
end
"""


def _wrk(url: str, bodies: list[str], concurrency: int, seconds: float) -> dict:
    quoted = ",".join("[==[" + b + "]==]" for b in bodies)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_LUA % quoted)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds:g}s", "--latency",
             "-s", script.name, url],
            capture_output=True, text=True, check=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    percentiles = {
        p: _ms(value) for p, value in re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", out, re.M)
    }
    if "99" not in percentiles:
        raise RuntimeError(f"wrk printed no latency distribution:\n{out}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "p50_ms": round(percentiles["50"], 3),
        "p99_ms": round(percentiles["99"], 3),
        "rps": round(float(re.search(r"Requests/sec:\s+(\S+)", out).group(1)), 1),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


async def _httpx(url: str, bodies: list[str], concurrency: int, seconds: float) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        stop = time.perf_counter() + seconds

        async def worker(offset: int) -> None:
            nonlocal errors
            i = offset
            headers = {"content-type": "application/json"}
            while time.perf_counter() < stop:
                start = time.perf_counter()
                reply = await client.post(
                    url, content=bodies[i % len(bodies)], headers=headers
                )
                latencies.append(time.perf_counter() - start)
                errors += reply.status_code >= 300
                i += 1

        begin = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - begin
    ms = np.array(latencies) * 1e3
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p99_ms": round(float(np.percentile(ms, 99)), 3),
        "rps": round(len(ms) / elapsed, 1),
        "errors": errors,
    }


# -- kill -9 -------------------------------------------------------------------------


def kill_run(
    server: Server, pages: list[str], n_events: int, n_kills: int, seed: int = 0
) -> dict[str, Any]:
    """Send events and ends while killing the server; return what it kept.

    One request at a time; a timer kills the server at random moments and the
    run restarts it. Returns the ended sessions (as the client recorded them,
    acknowledged events plus the in-flight request where the server kept it),
    the acknowledged events the server lost, and timings.
    """
    import httpx

    rng = random.Random(seed)
    live: dict[str, list[str]] = {}
    ended: list[list[str]] = []
    lost = acked = kills = next_id = 0
    latencies: list[float] = []
    restarts: list[float] = []
    restarts.append(server.start())
    client = httpx.Client(base_url=server.url, timeout=30)
    timer = _kill_later(server, rng.uniform(0.3, 1.5))
    while acked < n_events or kills < n_kills:
        started = sorted(k for k, v in live.items() if v)
        if started and rng.random() < 0.15:
            request: tuple[str, Any] = (rng.choice(started), "end")
        else:
            if not live or (len(live) < 8 and rng.random() < 0.3):
                next_id += 1
                live[f"s{next_id}"] = []
            request = (
                rng.choice(sorted(live)),
                [rng.choice(pages) for _ in range(rng.randint(1, 3))],
            )
        session, what = request
        begin = time.perf_counter()
        try:
            if what == "end":
                client.delete(f"/models/m/sessions/{session}").raise_for_status()
            else:
                url = f"/models/m/sessions/{session}/events"
                client.post(url, json={"events": what}).raise_for_status()
        except httpx.TransportError:
            kills += 1
            server.process.wait(30)
            restarts.append(server.start())
            lost += _reconcile(client, live, ended, request)
            timer = _kill_later(server, rng.uniform(0.3, 1.5))
            continue
        latencies.append(time.perf_counter() - begin)
        if what == "end":
            ended.append(live.pop(session))
        else:
            live[session].extend(what)
            acked += len(what)
    timer.cancel()
    timer.join()
    time.sleep(0.2)
    if server.process.poll() is not None:
        restarts.append(server.start())
        lost += _reconcile(client, live, ended, None)
    for session in sorted(live):
        if live[session]:
            client.delete(f"/models/m/sessions/{session}").raise_for_status()
            ended.append(live[session])
    while client.get("/models/m/sessions").json()["pending_sessions"]:
        time.sleep(0.05)
    client.close()
    server.stop()
    ms = np.array(latencies) * 1e3
    return {
        "ended": ended,
        "lost_events": lost,
        "acknowledged_events": acked,
        "kills": kills,
        "event_p50_ms": round(float(np.percentile(ms, 50)), 3),
        "event_p99_ms": round(float(np.percentile(ms, 99)), 3),
        "restart_seconds": round(float(np.median(restarts)), 2),
    }


def _kill_later(server: Server, seconds: float) -> threading.Timer:
    pid = server.process.pid
    timer = threading.Timer(seconds, lambda: os.kill(pid, signal.SIGKILL))
    timer.start()
    return timer


def _reconcile(client: Any, live: dict, ended: list, in_flight: Any) -> int:
    """Check what the restarted server holds; return the acknowledged events lost."""
    lost = 0
    for session, acked in list(live.items()):
        reply = client.get(f"/models/m/sessions/{session}")
        maybe = in_flight if in_flight and in_flight[0] == session else None
        if reply.status_code == 404:
            events = live.pop(session)
            if events and maybe and maybe[1] == "end":
                ended.append(events)  # the in-flight DELETE was kept
            else:
                lost += len(events)
            continue
        held = reply.json()["events"]
        kept = held[: len(acked)] == acked
        lost += 0 if kept else len(acked)
        live[session] = held
    return lost


def bodies_for(queries: list[list[Any]], k: int = 5) -> list[str]:
    """One JSON predict request per query (one sequence each)."""
    return [json.dumps({"sequences": [q], "k": k}) for q in queries]
