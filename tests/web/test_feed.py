"""The shared per-site poller behind every live stream: one poller however many join, each event once."""
from __future__ import annotations

import asyncio
import threading

from server.feed import Feed
from tests import world as world_mod


def test_subscribers_joining_at_once_share_one_poller_and_see_each_event_once(sqlite_engine):
    w = world_mod.build(sqlite_engine)
    kiosk = w.actor("kiosk")
    before = w.hub.issue_ticket(kiosk, item_id=w.items["A"]).event.seq

    async def scenario():
        feed = Feed(w.hub, "s1")
        positions = await asyncio.gather(*(feed.join() for _ in range(20)))
        assert positions == [before] * 20 and feed.subscribers == 20
        tick = feed.tick
        seqs = [w.hub.issue_ticket(kiosk, item_id=w.items["B"]).event.seq for _ in range(3)]
        while [e.seq for e in feed.events] != seqs:
            assert await feed.wait(tick, 10), "the poller never woke the subscribers"
            tick = feed.tick
        assert [e.seq for e in feed.after(before)] == seqs and feed.after(seqs[-1]) == []
        assert feed.after(before - 1) is None  # before the feed's memory: the stream reads the database
        for _ in range(20):
            feed.leave()
        await asyncio.wait_for(feed.task, 10)  # the poller stops with the last subscriber
        assert feed.task is None

    _run_apart(scenario())


def _run_apart(coroutine) -> None:
    """asyncio.run in a thread of its own: Playwright's sync API keeps an event loop running in this one."""
    failure = []

    def target():
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the scenario hung"
    if failure:
        raise failure[0]
