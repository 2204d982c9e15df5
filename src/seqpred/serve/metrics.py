"""Request counts and latency histograms, written in the Prometheus text format.

:class:`Metrics` counts requests by method, route template and status, and
keeps a cumulative latency histogram per method and route; gauges (sessions,
their memory, model sizes) are read from callbacks when ``/metrics`` is
scraped. :class:`MetricsMiddleware` is a plain ASGI middleware (no per-request
objects beyond a closure), so measuring costs a few microseconds.

Examples
--------
>>> metrics = Metrics()
>>> metrics.observe("GET", "/health", 200, 0.0004)
>>> text = metrics.render()
>>> 'seqpred_requests_total{method="GET",route="/health",status="200"} 1' in text
True
>>> 'seqpred_request_seconds_bucket{method="GET",route="/health",le="0.0005"} 1' in text
True
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable
from typing import Any

__all__ = ["BUCKETS", "Metrics", "MetricsMiddleware"]

BUCKETS = (
    0.0001,
    0.00025,
    0.0005,
    0.001,
    0.0025,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    0.5,
    1.0,
    2.5,
    5.0,
)
"""Upper bounds (seconds) of the latency histogram buckets."""

Gauge = Callable[[], list[tuple[dict[str, str], float]]]


class Metrics:
    """Counters, histograms and gauges of one service."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str, int], int] = {}
        self.histograms: dict[tuple[str, str], list[float]] = {}
        self.gauges: dict[str, tuple[str, Gauge]] = {}
        self.started = time.time()

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one request and add its latency to the histogram."""
        key = (method, route, status)
        self.counts[key] = self.counts.get(key, 0) + 1
        histogram = self.histograms.get((method, route))
        if histogram is None:  # one count per bucket, then +Inf, sum
            histogram = self.histograms[(method, route)] = [0.0] * (len(BUCKETS) + 2)
        histogram[bisect.bisect_left(BUCKETS, seconds)] += 1
        histogram[-1] += seconds

    def gauge(self, name: str, help_text: str, read: Gauge) -> None:
        """Register a gauge read at each scrape: ``read()`` -> [(labels, value)]."""
        self.gauges[name] = (help_text, read)

    def render(self) -> str:
        """Return every metric in the Prometheus text exposition format (0.0.4)."""
        lines = [
            "# HELP seqpred_requests_total Requests served, by route and status.",
            "# TYPE seqpred_requests_total counter",
        ]
        for (method, route, status), count in sorted(self.counts.items()):
            labels = _labels(method=method, route=route, status=str(status))
            lines.append(f"seqpred_requests_total{labels} {count}")
        lines += [
            "# HELP seqpred_request_seconds Request latency in seconds, by route.",
            "# TYPE seqpred_request_seconds histogram",
        ]
        for (method, route), histogram in sorted(self.histograms.items()):
            total = 0.0
            for bound, in_bucket in zip((*BUCKETS, "+Inf"), histogram[:-1]):
                total += in_bucket
                labels = _labels(method=method, route=route, le=str(bound))
                lines.append(f"seqpred_request_seconds_bucket{labels} {total:g}")
            labels = _labels(method=method, route=route)
            lines.append(f"seqpred_request_seconds_sum{labels} {histogram[-1]:.6f}")
            lines.append(f"seqpred_request_seconds_count{labels} {total:g}")
        for name, (help_text, read) in sorted(self.gauges.items()):
            lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
            for labels_dict, value in read():
                lines.append(f"{name}{_labels(**labels_dict)} {value:g}")
        return "\n".join(lines) + "\n"


def _labels(**labels: str) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items()) + "}"


def _escape(value: str) -> str:
    """Escape a label value (backslash, double quote, newline)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class MetricsMiddleware:
    """ASGI middleware: time each HTTP request and count it by route template."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Serve one ASGI connection, observing it if it is an HTTP request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_status(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            self.metrics.observe(
                scope["method"], template, status[0], time.perf_counter() - start
            )
