"""One poller per site in a hub process, shared by every live stream of that site.

Each subscriber used to poll the database on its own (200 boards and phones: 1,000 queries a
second, and a call took p99 ~600 ms to reach them all). Now one task per site polls every 50 ms,
keeps the recent events in memory and wakes the subscribers, who read from there; one that has
fallen behind the memory (a resumed stream) reads from the database as before.

The same poller reads the site's revoked devices every `REVOKED_SECONDS` (one small read per site and process,
whatever the number of streams) and wakes the streams when that changes: a device's or hall display's open stream
ends within seconds of `haoban admin revoke-device`, on every hub process of the database (server/stream.py).
"""
from __future__ import annotations

import asyncio
import logging
from collections import deque

from starlette.concurrency import run_in_threadpool

from common.db import repo
from common.db.engine import reader

log = logging.getLogger("haoban.hub")
POLL_SECONDS = 0.05
KEEP = 2000  # events kept in memory per site
BATCH = 500
KEEPALIVE_SECONDS = 15.0  # a watch reads again at least this often (a status's own time, e.g. the minutes waited)
REVOKED_SECONDS = 2.0  # how often the poller reads which devices of the site are revoked


class Feed:
    def __init__(self, hub, site_id: str) -> None:
        self.hub, self.site_id = hub, site_id
        self.events: deque = deque(maxlen=KEEP)
        self.position: int | None = None  # the last event seen; the memory is complete after `complete_after`
        self.complete_after: int | None = None
        self.subscribers = 0
        self.tick = asyncio.Event()
        self.started = asyncio.Event()  # the poller knows where the log stands
        self.task: asyncio.Task | None = None
        self.watches: dict[str, Watch] = {}  # key (a ticket's token) -> the one watch its streams share
        self.revoked: frozenset[str] = frozenset()  # the site's revoked device ids, as last read
        self._revoked_read_at: float | None = None  # (the event loop's monotonic time)

    def fetch(self, after: int) -> list:
        with reader(self.hub.engine) as conn:
            return repo.events_after(conn, self.site_id, after, limit=BATCH)

    def latest(self) -> int:
        with reader(self.hub.engine) as conn:
            return repo.last_seq(conn, self.site_id)

    def revoked_devices(self) -> frozenset[str]:
        with reader(self.hub.engine) as conn:
            return repo.revoked_devices(conn, self.site_id)

    def _wake(self) -> None:
        woken, self.tick = self.tick, asyncio.Event()
        woken.set()

    async def _check_revoked(self) -> None:
        """Every `REVOKED_SECONDS`: read the revoked devices, and wake the streams when the set changed."""
        now = asyncio.get_running_loop().time()
        if self._revoked_read_at is not None and now - self._revoked_read_at < REVOKED_SECONDS:
            return
        self._revoked_read_at = now
        try:
            revoked = await run_in_threadpool(self.revoked_devices)
        except Exception:  # a busy database: read again next time
            log.exception("reading the revoked devices failed")
            return
        if revoked != self.revoked:
            self.revoked = revoked
            self._wake()

    async def _run(self) -> None:
        if self.position is None:
            self.position = self.complete_after = await run_in_threadpool(self.latest)
        self.started.set()
        while self.subscribers:
            await self._check_revoked()
            batch = await run_in_threadpool(self.fetch, self.position)
            if batch:
                self.events.extend(batch)
                self.position = batch[-1].seq
                if len(self.events) == KEEP:
                    self.complete_after = self.events[0].seq - 1
                self._wake()
                if len(batch) == BATCH:
                    continue
            await asyncio.sleep(POLL_SECONDS)
        self.task = None

    async def join(self) -> int:
        """Count a subscriber in (starting the poller); returns the position of the latest event."""
        self.subscribers += 1
        if self.task is None:  # set before any await: subscribers joining at once share one poller
            self.task = asyncio.get_running_loop().create_task(self._run())
        await self.started.wait()
        return self.position

    def leave(self) -> None:
        self.subscribers -= 1

    def after(self, position: int) -> list | None:
        """The events after `position` from memory; None when memory does not reach back that far."""
        if position < self.complete_after:
            return None
        out = []
        for event in reversed(self.events):
            if event.seq <= position:
                break
            out.append(event)
        out.reverse()
        return out

    @staticmethod
    async def wait(tick: asyncio.Event, timeout: float) -> bool:
        """Until `tick` (the feed's `tick` taken before looking) fires with new events (True), or `timeout` passes.

        Taking the tick before looking means an event that lands in between is not slept through."""
        try:
            await asyncio.wait_for(tick.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False


class Watch:
    """One value (a ticket's public status) followed for every stream that shows it: `compute()` (a blocking
    read, run in a thread) once per event of the site, and the streams woken only when the value changed.

    2,000 phone pages of 20 tickets cost 20 reads per event, and an event that changes none of them wakes none."""

    def __init__(self, feed: Feed, key: str, compute, first, same) -> None:
        self.feed, self.key, self.compute, self.same = feed, key, compute, same
        self.value, self.changed = first, asyncio.Event()
        self.streams = 0
        self.task: asyncio.Task | None = None

    async def _run(self) -> None:
        await self.feed.join()
        try:
            while self.streams:
                tick = self.feed.tick  # before reading: an event landing meanwhile is not slept through
                try:
                    new = await run_in_threadpool(self.compute)
                except Exception:  # a busy database: keep the last value, read again at the next event
                    log.exception("reading a watched status failed")
                    new = self.value
                if not self.same(new, self.value):
                    self.value = new
                    woken, self.changed = self.changed, asyncio.Event()
                    woken.set()
                await self.feed.wait(tick, KEEPALIVE_SECONDS)
        finally:
            self.feed.leave()
            self.task = None
            if not self.streams and self.feed.watches.get(self.key) is self:
                del self.feed.watches[self.key]

    def join(self) -> None:
        self.streams += 1
        if self.task is None:
            self.task = asyncio.get_running_loop().create_task(self._run())

    def leave(self) -> None:
        self.streams -= 1


def watch(site_feed: Feed, key: str, compute, first, same) -> Watch:
    """The watch of `key` on the site's feed, joined by the caller (who `leave`s it when done)."""
    w = site_feed.watches.get(key)
    if w is None:
        w = site_feed.watches[key] = Watch(site_feed, key, compute, first, same)
    w.join()
    return w


def feed(app, hub, site_id: str) -> Feed:
    feeds = app.state.__dict__.setdefault("feeds", {})
    if site_id not in feeds:
        feeds[site_id] = Feed(hub, site_id)
    return feeds[site_id]
