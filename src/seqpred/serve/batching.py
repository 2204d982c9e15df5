"""Micro-batching: requests that arrive within a few milliseconds share one call.

A neural model costs about as much for 64 sequences as for one (one forward
pass, on the GPU when there is one), so :class:`MicroBatcher` holds each
request for at most ``wait`` seconds, joins the sequences of every request
with the same *key* (the same options, such as ``k``), runs the model once
on a worker thread and hands each request its own rows. A batch that fails
is run again request by request, so one bad request fails alone.

Examples
--------
>>> import asyncio
>>> calls = []
>>> def run(key, items):
...     calls.append(len(items))
...     return [x * key for x in items]
>>> async def main():
...     batcher = MicroBatcher(run, wait=0.01, max_items=100)
...     results = await asyncio.gather(
...         batcher.submit(10, [1, 2]), batcher.submit(10, [3]))
...     batcher.close()
...     return results
>>> asyncio.run(main()), calls
([[10, 20], [30]], [3])
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

__all__ = ["MicroBatcher"]

Runner = Callable[[Any, list[Any]], list[Any]]


class MicroBatcher:
    """Join requests with the same key into one call of ``run`` (see above).

    Parameters
    ----------
    run : callable
        ``run(key, items) -> results``, one result per item, called on a
        worker thread.
    wait : float
        Seconds the first request of a batch waits for others.
    max_items : int
        A batch runs as soon as it holds this many items.
    """

    def __init__(self, run: Runner, *, wait: float, max_items: int) -> None:
        self.run = run
        self.wait = wait
        self.max_items = max_items
        self._waiting: dict[Hashable, list[tuple[list[Any], asyncio.Future[Any]]]] = {}
        self._timers: dict[Hashable, asyncio.TimerHandle] = {}
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="seqpred-batch")
        self.batches = 0
        self.requests = 0

    async def submit(self, key: Hashable, items: list[Any]) -> list[Any]:
        """Return the results of ``items``, computed with other requests of ``key``."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        entries = self._waiting.setdefault(key, [])
        entries.append((items, future))
        self.requests += 1
        if sum(len(e[0]) for e in entries) >= self.max_items:
            self._start(key)
        elif key not in self._timers:
            self._timers[key] = loop.call_later(self.wait, self._start, key)
        result: list[Any] = await future
        return result

    def _start(self, key: Hashable) -> None:
        timer = self._timers.pop(key, None)
        if timer is not None:
            timer.cancel()
        entries = self._waiting.pop(key, [])
        if entries:
            self.batches += 1
            asyncio.get_running_loop().create_task(self._run(key, entries))

    async def _run(
        self, key: Hashable, entries: list[tuple[list[Any], asyncio.Future[Any]]]
    ) -> None:
        loop = asyncio.get_running_loop()
        joined = [item for items, _ in entries for item in items]
        try:
            results = await loop.run_in_executor(self._executor, self.run, key, joined)
        except Exception as exc:
            if len(entries) == 1:
                _settle(entries[0][1], exc=exc)
                return
            for items, future in entries:  # alone, so only a bad request fails
                try:
                    alone = await loop.run_in_executor(
                        self._executor, self.run, key, items
                    )
                except Exception as exc:
                    _settle(future, exc=exc)
                else:
                    _settle(future, value=alone)
            return
        at = 0
        for items, future in entries:
            _settle(future, value=results[at : at + len(items)])
            at += len(items)

    def close(self) -> None:
        """Stop the worker thread (after the running batch)."""
        for timer in self._timers.values():
            timer.cancel()
        self._executor.shutdown(wait=True)


def _settle(
    future: asyncio.Future[Any], *, value: Any = None, exc: BaseException | None = None
) -> None:
    if future.done():  # the request was cancelled (client gone)
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(value)
