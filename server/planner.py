"""Staffing plans are computed on one thread of their own (forecast + simulated days: about half a second for a
34-window centre), never on the event loop and never under the hub's write lock, cached per (site, day, data
version), and at most `MAX_PENDING` different plans wait at once: a burst of requests for many days gets
"busy, try again" instead of piling work up in the hub. The same plan asked for twice at once is computed once."""
from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from common.domain import errors as e

PLAN_THREADS = 1  # the simulation is pure Python: a second thread only halves each plan's speed on a 2-core hub
MAX_PENDING = 4  # different plans computing or waiting at once
CACHED = 64  # plans kept (a site's next two weeks and more)

Key = tuple[str, str, int]


class Planner:
    def __init__(self, threads: int = PLAN_THREADS, pending: int = MAX_PENDING, cached: int = CACHED) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="staffing")
        self._lock = threading.Lock()
        self._cache: OrderedDict[Key, dict] = OrderedDict()
        self._running: dict[Key, Future] = {}
        self.pending, self.cached = pending, cached
        self.computed = 0  # plans computed (not served from the cache): a figure for tests and the benchmark

    def _done(self, key: Key, future: Future) -> None:
        with self._lock:
            self._running.pop(key, None)
            if not future.cancelled() and future.exception() is None:
                self._cache[key] = future.result()
                while len(self._cache) > self.cached:
                    self._cache.popitem(last=False)

    def submit(self, key: Key, compute: Callable[[], dict]) -> Future | dict:
        """The cached plan, the one already computing, or a new job; TooManyRequests when `pending` already run."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            if key in self._running:
                return self._running[key]
            if len(self._running) >= self.pending:
                raise e.TooManyRequests("staffing_busy")
            self.computed += 1
            future = self._pool.submit(compute)
            self._running[key] = future
        future.add_done_callback(lambda f: self._done(key, f))
        return future

    def running(self) -> int:
        with self._lock:
            return len(self._running)

    async def get(self, key: Key, compute: Callable[[], dict]) -> dict:
        found = self.submit(key, compute)
        if isinstance(found, dict):
            return found
        return await asyncio.shield(asyncio.wrap_future(found))  # a request gone away cancels no shared plan
