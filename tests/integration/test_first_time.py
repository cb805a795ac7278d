"""一次办成率 (common/readmodels/firsttime.py): random days of services through the hub's own commands — first
visits and returns (called 补齐材料后返回), each outcome, transfers — against a brute-force count from the event log
written here. SQLite and PostgreSQL; business days cut at midnight in Shanghai (23:59 and 00:01)."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from common.db.schema import EventRow, ServiceItemRow
from common.domain import events as ev
from common.domain.clock import business_day
from common.domain.model import RETURNING, Outcome
from common.readmodels.firsttime import DONE, first_time

OUTCOMES = [Outcome.completed, Outcome.accepted, Outcome.accepted_missing, Outcome.commitment, Outcome.rejected]


def actors(world) -> dict:
    return {"kiosk": world.actor("kiosk"), **{n: world.actor(f"terminal{n}") for n in (1, 2, 4)}}


def serve(world, a, rng) -> None:
    hub, kiosk = world.hub, a["kiosk"]
    letter = rng.choice("ABC")
    t = hub.issue_ticket(kiosk, item_id=world.items[letter]).ticket
    window = {"A": 2, "B": 1, "C": 4}[letter]
    clerk = a[window]
    reason = RETURNING if rng.random() < 0.3 else "预约到达"
    hub.call_specific(clerk, clerk.window_id, t.id, reason)
    hub.start(clerk, clerk.window_id)
    if letter == "A" and rng.random() < 0.3:  # to queue C: its last outcome counts, at window 4
        hub.transfer(clerk, clerk.window_id, to_queue_id=world.queues["C"])
        clerk = a[4]
        hub.call_specific(clerk, clerk.window_id, t.id, "转来本窗口")
        hub.start(clerk, clerk.window_id)
    outcome = rng.choice(OUTCOMES)
    extra = {"reason": "材料不全"} if outcome is Outcome.rejected else {}
    if outcome is Outcome.accepted_missing:
        extra = {"missing_materials": "户口簿", "due_date": business_day(world.clock.now()) + timedelta(days=7)}
    hub.finish(clerk, clerk.window_id, outcome, **extra)


def brute_force(engine, first_day: date, last_day: date) -> dict:
    """From the events alone: per item code, (first visits, done, returns)."""
    with engine.connect() as conn:
        events = conn.execute(select(EventRow.kind, EventRow.data).order_by(EventRow.seq)).all()
    item_of, day_of, returned, outcome = {}, {}, set(), {}
    for x in events:
        d = x.data
        if x.kind == ev.TICKET_ISSUED:
            item_of[d["ticket_id"]], day_of[d["ticket_id"]] = d["item_id"], d["business_day"]
        elif x.kind == ev.TICKET_CALLED and d.get("reason") == RETURNING:
            returned.add(d["ticket_id"])
        elif x.kind == ev.SERVICE_FINISHED:
            outcome[d["ticket_id"]] = d["outcome"]
    with engine.connect() as conn:
        codes = dict(conn.execute(select(ServiceItemRow.id, ServiceItemRow.code)).all())
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for tid, o in outcome.items():
        if not first_day.isoformat() <= day_of[tid] <= last_day.isoformat():
            continue
        c = out[codes[item_of[tid]]]
        if tid in returned:
            c[2] += 1
        else:
            c[0] += 1
            c[1] += o in DONE
    return dict(out)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_rate_equals_a_count_from_the_events_across_midnight(world, seed):
    rng, a = random.Random(seed), actors(world)
    world.clock.t = world.clock.t.replace(hour=15, minute=40)  # 23:40 in Shanghai
    for _ in range(12):
        serve(world, a, rng)
        world.clock.advance(minutes=2)  # the last ones finish after 00:00: the next business day
    today = business_day(world.clock.now())
    yesterday = today - timedelta(days=1)
    for first, last in ((yesterday, yesterday), (today, today), (yesterday, today)):
        with world.hub.engine.connect() as conn:
            got = first_time(conn, ["s1"], first, last)
        want = brute_force(world.hub.engine, first, last)
        assert {i["code"]: [i["first_visits"], i["done"], i["returns"]] for i in got["by_item"]} == want
        total = [sum(v[k] for v in want.values()) for k in range(3)]
        assert [got["overall"][k] for k in ("first_visits", "done", "returns")] == total
        assert got["overall"]["rate"] == (total[1] / total[0] if total[0] else None)
        assert sum(d["first_visits"] for d in got["by_department"]) == total[0]
    with world.hub.engine.connect() as conn:
        both = first_time(conn, ["s1"], yesterday, today)["overall"]
        assert both["first_visits"] + both["returns"] == 12  # every service of the two days, once
        assert both["returns"] > 0 and 0 < both["done"] < both["first_visits"]  # the seeds give each case
        assert first_time(conn, ["s2"], yesterday, today)["by_item"] == []  # another site's: none of them


def test_no_service_no_site_and_a_reversed_range_give_no_rate(world):
    day = business_day(world.clock.now())
    with world.hub.engine.connect() as conn:
        for sites, first, last in ((["s1"], day, day), ([], day, day), (["s1"], day, day - timedelta(days=1))):
            got = first_time(conn, sites, first, last)
            assert got["overall"] == {"first_visits": 0, "done": 0, "returns": 0, "rate": None} and got["by_item"] == []
