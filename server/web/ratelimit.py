"""A token bucket per client address, in the hub process: limits lookups of public ticket links.

A token is unguessable anyway (128 bits); the limit keeps a scraper or a broken phone from loading
the hub. A hall's Wi-Fi puts many phones behind one address, so the bucket is generous. Each hub
process keeps its own buckets (with --workers N an address gets N times the rate); behind a reverse
proxy every phone has the proxy's address, so put the limit in the proxy instead.
"""
from __future__ import annotations

import threading
import time

from fastapi import Request
from fastapi.responses import JSONResponse

from common.domain import errors as e
from server.web import pages

ZH, EN = e.TooManyRequests().zh, e.TooManyRequests().en


class TokenBucket:
    """`rate` requests a second per key, in bursts of up to `burst`."""

    def __init__(self, rate: float, burst: int, clock=time.monotonic, max_keys: int = 50_000) -> None:
        self.rate, self.burst, self.clock, self.max_keys = rate, burst, clock, max_keys
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 if the request may go ahead, else the seconds until it may."""
        now = self.clock()
        with self._lock:
            if len(self._buckets) >= self.max_keys:
                self._buckets.clear()  # a flood of addresses: forget them all rather than grow without bound
            tokens, at = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.rate)
            if tokens < 1:
                self._buckets[key] = (tokens, now)
                return (1 - tokens) / self.rate
            self._buckets[key] = (tokens - 1, now)
            return 0.0


def too_many(request: Request, wait: float):
    """The bilingual 429: a page for a browser, JSON for anyone else."""
    headers = {"Retry-After": str(max(1, round(wait)))}
    if pages.wants_html(request):
        return pages.message(ZH, EN, 429, headers)
    return JSONResponse(e.TooManyRequests().as_dict(), status_code=429, headers=headers)
