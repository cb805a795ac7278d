"""Closing a business day: tickets a day left waiting (or called) expire, on SQLite and PostgreSQL; nobody
is called the next morning for yesterday's ticket, even before the hub has closed the day."""
from __future__ import annotations

import time

import pytest
import requests
from sqlalchemy import text

from common.domain import errors as e
from common.domain.model import Outcome, TicketStatus
from common.usecases import check
from tests.integration.http import Device


def status_of(world, ticket_id):
    with world.hub.engine.connect() as conn:
        return conn.execute(text("select status from tickets where id = :i"), {"i": ticket_id}).scalar()


def test_a_day_left_waiting_expires_and_is_never_called_the_next_morning(world):
    hub, kiosk, t1 = world.hub, world.actor("kiosk"), world.actor("terminal1")
    w1 = world.windows[1]
    served, called, waiting, other = (hub.issue_ticket(kiosk, item_id=world.items[x]).ticket for x in "AABB")
    hub.call_next(t1, w1)
    hub.start(t1, w1)
    hub.finish(t1, w1, Outcome.completed)
    hub.call_next(t1, w1)  # the hall closes with this one called and two waiting
    world.clock.advance(hours=23)  # 08:30 the next day in Shanghai
    today = hub.issue_ticket(kiosk, item_id=world.items["B"]).ticket
    assert today.number == "B001"  # numbers start again
    with pytest.raises(e.WindowBusy):  # window 1 still holds yesterday's called ticket until the day is closed
        hub.call_next(t1, w1)
    assert hub.call_next(world.actor("terminal3"), world.windows[3]).ticket_id == today.id  # not B001 of yesterday
    assert hub.close_past_days() == 3
    assert [status_of(world, t.id) for t in (served, called, waiting, other)] == ["finished", "expired", "expired", "expired"]
    assert hub.close_past_days() == 0  # nothing twice
    with pytest.raises(e.QueueEmpty):  # window 1 is free again, and yesterday's tickets are not in its queue
        hub.call_next(t1, w1)
    assert check.differences(hub.engine) == []


def test_the_hub_closes_past_days_by_itself_and_the_phone_says_so(world):
    from tests.conftest import LiveHub

    with LiveHub(world.hub) as live:
        kiosk = Device(live.url, world.codes["kiosk"])
        ticket = kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]
    world.clock.advance(days=1)
    with LiveHub(world.hub, port=live.port) as live:  # it starts the next morning: it closes yesterday at once
        for _ in range(100):
            if status_of(world, ticket["ticket_id"]) == TicketStatus.expired.value:
                break
            time.sleep(0.05)
        status = requests.get(f"{live.url}/api/v1/public/tickets/{ticket['public_token']}", timeout=5).json()
        assert status["status"] == "expired" and status["people_ahead"] is None
        queue = kiosk.get("/queue").json()
        assert all(q["waiting"] == 0 for q in queue)
