"""The live warnings the hub keeps (common/usecases/warnkeeper.py): raised once per queue while they last, decided
once their horizon has passed (came true or not), counted on the dashboard as a precision; on a real database, with
the clock the test moves, across midnight on 31 December; and the hub's minute job runs them by itself."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import requests
from sqlalchemy import select, update

from common.db import warningrows
from common.db.schema import QueueRow, RaisedWarningRow
from common.domain.model import Outcome, Role
from common.readmodels import reports
from common.usecases import auth, reference
from server.app import every_minute, keep_warnings
from tests.conftest import LiveHub
from tests.integration.http import post_form
from tests.world import PIN, FakeClock, build


def _rows(world) -> list:
    with world.hub.engine.connect() as c:
        return c.execute(select(RaisedWarningRow).order_by(RaisedWarningRow.raised_at)).all()


def _four_waiting(world, minutes: float = 6):
    """Four A tickets (limit 10 minutes) waiting `minutes`, and no window open: all four will pass their limit."""
    kiosk = world.actor("kiosk")
    tickets = [world.hub.issue_ticket(kiosk, item_id=world.items["A"]).ticket for _ in range(4)]
    world.clock.advance(minutes=minutes)
    return tickets


def test_a_warning_is_kept_once_while_it_lasts_and_decided_true_after_its_horizon(world):
    _four_waiting(world)
    raised_at = world.clock.now()
    assert world.hub.keep_warnings() == (1, 0)
    for _ in range(14):  # every minute of its horizon: the same warning, not a new one
        world.clock.advance(minutes=1)
        assert world.hub.keep_warnings() == (0, 0)
    (row,) = _rows(world)
    assert (row.queue_id, row.horizon, row.minutes, row.tickets) == (world.queues["A"], 15, 4, 4)
    assert row.raised_at == raised_at and row.business_day == "2026-11-26" and row.decided_at is None
    world.clock.advance(minutes=1)  # 15 minutes after: nobody was called, the tickets passed their limit at 4 min
    assert world.hub.keep_warnings() == (0, 1)  # all four are late now: no prediction, no new warning
    (row,) = _rows(world)
    assert row.came_true is True and row.decided_at == world.clock.now()
    with world.hub.engine.connect() as c:
        record = warningrows.record(c, "s1", world.clock.now())
    assert record == {"days": 30, "raised": 1, "decided": 1, "came_true": 1, "undecided": 0, "precision": 1.0}


def test_a_warning_answered_in_time_did_not_come_true(world):
    _four_waiting(world)
    assert world.hub.keep_warnings() == (1, 0)
    clerks = [world.actor("terminal1"), world.actor("terminal2")]
    for n in range(4):  # two windows open now and call every ticket before its limit (4 minutes left)
        who, window = clerks[n % 2], world.windows[1 + n % 2]
        world.hub.call_next(who, window)
        world.hub.start(who, window)
        world.clock.advance(seconds=30)
        world.hub.finish(who, window, Outcome.completed)
    world.clock.advance(minutes=15)
    assert world.hub.keep_warnings() == (0, 1)
    (row,) = _rows(world)
    assert row.came_true is False
    with world.hub.engine.connect() as c:
        record = warningrows.record(c, "s1", world.clock.now())
    assert record["precision"] == 0.0 and record["came_true"] == 0 and record["decided"] == 1


def test_a_warning_raised_at_2359_on_31_december_is_that_days_and_decided_after_midnight(engine):
    world = build(engine, FakeClock(datetime(2026, 12, 31, 15, 49, tzinfo=timezone.utc)))  # 23:49 in Shanghai
    _four_waiting(world, minutes=9.5)  # 23:58:30: half a minute left to their limit
    assert world.hub.keep_warnings() == (1, 0)
    world.clock.advance(minutes=2.5)  # 00:01 on 1 January: the tickets were yesterday's (closed at the day's end)
    world.hub.close_past_days()
    assert world.hub.keep_warnings() == (0, 0)  # no ticket waits today: nothing new, the old one not yet due
    world.clock.advance(minutes=13)
    assert world.hub.keep_warnings() == (0, 1)
    (row,) = _rows(world)
    assert row.business_day == "2026-12-31" and row.came_true is True  # never called: they passed their limit
    with world.hub.engine.connect() as c:
        assert warningrows.record(c, "s1", world.clock.now())["raised"] == 1  # the last 30 days include 31 Dec
        assert warningrows.record(c, "s1", world.clock.now(), days=1)["raised"] == 0  # today alone does not
        for period, raised in (("2026-12", 1), ("2026-Q4", 1), ("2027-01", 0)):  # the monthly and quarterly reports
            got = reports.site_report(c, "s1", reports.parse_period(period), world.clock.now())["warnings"]
            assert (got["raised"], got["came_true"], got["precision"]) == (raised, raised, 1.0 if raised else None)
            # the four crossed at 23:59, in December's tickets: the warning came half a minute before, less than the
            # minute's lead a warning needs to count as foretelling (recall 0 of 4, not "no warnings kept")
            assert (got["crossed"], got["foretold"], got["recall"]) == ((4, 0, 0.0) if raised else (0, 0, None))


def test_the_reports_recall_counts_the_crossings_a_kept_warning_foretold(engine):
    """Recall over a month, against the tickets' own times: four A tickets issued at 23:40 on 31 December (limit 10
    minutes) cross at 23:50; a warning of queue A kept at 23:42 (30 minutes) foretold them, one of queue B did not;
    before 23:50 nothing had crossed yet; January has none of them. A site of a child hub says its warnings are kept
    at its own hub (never a recall of 0 % for warnings this hub cannot have)."""
    world = build(engine, FakeClock(datetime(2026, 12, 31, 15, 40, tzinfo=timezone.utc)))  # 23:40 in Shanghai
    _four_waiting(world, minutes=5)  # 23:45
    raised_at = datetime(2026, 12, 31, 15, 42, tzinfo=timezone.utc)
    with world.hub.engine.begin() as c:
        for i, letter in enumerate("AB"):
            warningrows.add(c, "s1", raised_at + timedelta(minutes=i), [
                {"queue_id": world.queues[letter], "horizon": 30, "minutes": 8, "tickets": 4, "window_id": None}])

    def recall(period: str) -> tuple:
        with world.hub.engine.connect() as c:
            got = reports.site_report(c, "s1", reports.parse_period(period), world.clock.now())["warnings"]
        return got["crossed"], got["foretold"], got["recall"], got["kept_elsewhere"]

    assert recall("2026-12") == (0, 0, None, False)  # 23:45: nobody past the limit yet
    world.clock.advance(minutes=20)  # 00:05 on 1 January
    world.hub.close_past_days()
    assert recall("2026-12") == recall("2026-Q4") == (4, 4, 1.0, False)
    assert recall("2027-01") == (0, 0, None, False)
    with world.hub.engine.begin() as conn:  # v1: a village with a hub of its own below this one
        reference.create_site(conn, id="v1", name="村服务点", level="village", parent_id="s1")
        code = auth.create_enrolment_code(conn, site_id="v1", role=Role.hub, name="v1", now=world.clock.now())
    world.hub.seen(world.hub.enrol(code)[1])
    with world.hub.engine.connect() as c:
        got = reports.site_report(c, "v1", reports.parse_period("2026-12"), world.clock.now())["warnings"]
    assert got["kept_elsewhere"] is True and got["recall"] is None


def test_other_sites_keep_their_own_warnings(world):
    _four_waiting(world)
    world.hub.keep_warnings()
    with world.hub.engine.connect() as c:
        assert warningrows.record(c, "s2", world.clock.now())["raised"] == 0
        assert warningrows.record(c, "s1", world.clock.now())["raised"] == 1


def test_the_minute_job_keeps_the_warnings_by_itself(world):
    _four_waiting(world)
    stop = threading.Event()
    job = threading.Thread(target=every_minute, args=(lambda: keep_warnings(world.hub), "keeping", stop, 0.01))
    job.start()
    try:
        for _ in range(500):
            if _rows(world):
                break
            stop.wait(0.01)
    finally:
        stop.set()
        job.join(10)
    assert len(_rows(world)) == 1  # run again and again by the job: still one warning


def test_the_dashboard_shows_the_precision_in_both_languages(world):
    with world.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="S1", name="主管甲", pin=PIN, role="supervisor")
        c.execute(update(QueueRow).where(QueueRow.id == world.queues["A"]).values(name="医保社保"))  # a name halls give
    _four_waiting(world)
    world.hub.keep_warnings()
    world.clock.advance(minutes=16)
    world.hub.keep_warnings()  # decided: came true
    with LiveHub(world.hub) as live:
        http = requests.Session()
        assert post_form(http, live.url, "/dashboard/sign-in", "/dashboard/sign-in",
                         {"site": "s1", "staff_no": "S1", "pin": PIN}, allow_redirects=False).status_code == 303
        assert http.get(f"{live.url}/dashboard/data", timeout=30).json()["warning_record"]["precision"] == 1.0
        zh = http.get(f"{live.url}/dashboard", timeout=30).text
        assert "近 30 天预警 1 次：已判定 1 次，其中应验 1 次，准确率 100.0%" in zh
        en = http.get(f"{live.url}/dashboard?lang=en", timeout=30).text
        assert "Last 30 days: 1 warnings; of the 1 decided, 1 came true (precision 100.0%)" in en
        assert "<b>A</b> Medical and social insurance <span>" in en and "<b>A</b> 医保社保 <span>" in zh
