"""A refusal whose clerk says the 办事指南 misled the citizen (docs/guides.md "At the window"): the flag reaches the
editors' list with the guide version current at that moment, at either door (online finish, pushed event), only on
a refusal, only as a true boolean; the CLI lists them. SQLite and PostgreSQL, real HTTP on loopback."""
from __future__ import annotations

from datetime import timedelta

import pytest

from common.domain import errors as e
from common.domain import events as ev
from common.domain import policy
from common.domain.model import Outcome, TicketStatus
from common.guides.files import samples
from common.readmodels.guideflags import flags
from common.usecases import reference
from tests.integration.http import Device, terminal
from tests.integration.test_hostile_sync import Door, refused, snapshot

GUIDE = next(g for g in samples() if g.item == "YB-01").model_copy(update={"item": "IA"})


def _served(kiosk, t1, world, n=1):
    tid = kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]["ticket_id"]
    w = world.windows[n]
    assert t1.post(f"/windows/{w}/call", json={"ticket_id": tid, "reason": "test"}).status_code == 200
    assert t1.post(f"/windows/{w}/start").status_code == 200
    return tid, w


def test_a_flagged_refusal_is_listed_with_the_guide_version_of_its_moment(live, world):
    with world.hub.engine.begin() as conn:
        reference.publish_guides(conn, (GUIDE,), "王编辑", world.clock.now())
    kiosk, t1 = Device(live.url, world.codes["kiosk"]), terminal(live, world, 1)
    start = world.clock.now()
    tid, w = _served(kiosk, t1, world)
    r = t1.post(f"/windows/{w}/finish", json={"outcome": "rejected", "reason": "指南没写要户口簿原件", "guide_wrong": True})
    assert r.status_code == 200, r.text
    world.clock.advance(minutes=5)
    with world.hub.engine.begin() as conn:  # a corrected version afterwards: the flag keeps naming version 1
        reference.publish_guides(conn, (GUIDE.model_copy(update={"promised_days": 2}),), "王编辑", world.clock.now())
    other, _ = _served(kiosk, t1, world)
    assert t1.post(f"/windows/{w}/finish", json={"outcome": "rejected", "reason": "不属于本中心"}).status_code == 200
    with world.hub.engine.connect() as conn:
        found = flags(conn, ["s1"], start, world.clock.now() + timedelta(minutes=1))
        assert flags(conn, ["s1"], world.clock.now() + timedelta(minutes=1), world.clock.now() + timedelta(days=1)) == []
        assert flags(conn, [], start, world.clock.now()) == []
    assert [(f["item_code"], f["guide_version"], f["window"], f["reason"]) for f in found] == [
        ("IA", 1, 1, "指南没写要户口簿原件")]


@pytest.mark.parametrize("body", [
    {"outcome": "completed", "guide_wrong": True},  # not a refusal
    {"outcome": "rejected", "reason": "x", "guide_wrong": "yes"},  # not a boolean
    {"outcome": "rejected", "reason": "x", "guide_wrong": 1},
    {"outcome": "rejected", "reason": "x", "guide_wrong": None},
])
def test_the_online_finish_refuses_a_flag_that_is_not_a_refusals_true(live, world, body):
    kiosk, t1 = Device(live.url, world.codes["kiosk"]), terminal(live, world, 1)
    tid, w = _served(kiosk, t1, world)
    before = snapshot(world.hub.engine)
    r = t1.post(f"/windows/{w}/finish", json=body)
    assert r.status_code == 422 and r.json()["message_zh"] and r.json()["message_en"], r.text
    assert snapshot(world.hub.engine) == before


def test_a_pushed_finish_carries_the_flag_only_as_the_online_one_would(live, world):
    door = Door(world, live)
    w1, clerk = world.windows[1], door.clerk1
    started = door.wire(door.t1, ev.SERVICE_STARTED, {"ticket_id": door.called, "window_id": w1}, clerk)
    base = {"ticket_id": door.called, "window_id": w1, "reason": "指南有误", "missing_materials": None, "due_date": None}
    before = snapshot(world.hub.engine)
    for bad in ({**base, "outcome": "completed", "guide_wrong": True}, {**base, "outcome": "rejected", "guide_wrong": "true"},
                {**base, "outcome": "rejected", "guide_wrong": False}):
        refused(door, door.push(door.t1, started, door.wire(door.t1, ev.SERVICE_FINISHED, bad, clerk)), before)
    good = door.wire(door.t1, ev.SERVICE_FINISHED, {**base, "outcome": "rejected", "guide_wrong": True}, clerk)
    r = door.push(door.t1, started, good)
    assert r.status_code == 200, r.text
    with world.hub.engine.connect() as conn:
        found = flags(conn, ["s1"], world.clock.now() - timedelta(hours=1), world.clock.now() + timedelta(hours=1))
    assert [(f["item_code"], f["guide_version"], f["reason"]) for f in found] == [("IA", None, "指南有误")]


def test_the_decision_keeps_the_flag_only_when_raised():
    from tests.unit.test_policy import called, ticket

    t = ticket(1)
    ws = called(t)
    t.status = TicketStatus.serving
    _, data = policy.decide_finish(ws, t, Outcome.rejected, reason="x", guide_wrong=True)
    assert data["guide_wrong"] is True
    _, data = policy.decide_finish(ws, t, Outcome.rejected, reason="x")
    assert "guide_wrong" not in data
    with pytest.raises(e.InvalidInput):
        policy.decide_finish(ws, t, Outcome.accepted, guide_wrong=True)


def test_the_cli_lists_the_flags_of_the_last_days_newest_first(tmp_path):
    """`haoban admin guide-flags --days N` on the hub's own database, at the hub's clock (31 Dec, 23:59 in Shanghai)."""
    import os
    from datetime import datetime, timezone

    from common.db.engine import make_engine, migrate
    from tests.integration.test_migrations_cli import run_cli
    from tests.world import FakeClock, build

    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    migrate(engine)
    world = build(engine, FakeClock(datetime(2026, 12, 31, 15, 59, tzinfo=timezone.utc)))
    hub, kiosk, clerk1 = world.hub, world.actor("kiosk"), world.actor("terminal1")
    hub.issue_ticket(kiosk, item_id=world.items["A"])
    hub.call_next(clerk1, clerk1.window_id)
    hub.start(clerk1, clerk1.window_id)
    hub.finish(clerk1, clerk1.window_id, Outcome.rejected, "材料清单少写了一项", guide_wrong=True)
    engine.dispose()
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path), "HAOBAN_CLOCK": "sim:2027-01-01T00:01:00+08:00:1"}
    r = run_cli("admin", "guide-flags", "--days", "7", env=env)
    assert r.returncode == 0, r.stderr
    assert "IA" in r.stdout and "材料清单少写了一项" in r.stdout and "1 flagged refusals in 7 days" in r.stdout
    assert r.stdout.startswith("2026-12-31 23:59 IA")  # the hall's time, not UTC
    later = {**env, "HAOBAN_CLOCK": "sim:2027-01-08T00:02:00+08:00:1"}  # 7 days and a minute on: out of the range
    assert "0 flagged refusals in 7 days" in run_cli("admin", "guide-flags", "--days", "7", env=later).stdout
    r = run_cli("admin", "guide-flags", "--days", "0", env=env)
    assert r.returncode == 2 and "天数须为1至366" in r.stderr and "1 to 366" in r.stderr
