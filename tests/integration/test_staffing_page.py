"""The dashboard's staffing page and its XLSX over real HTTP: a hall's history made through the hub's own commands,
the plan of the next working day, the supervisor's sites only, bad days refused in both languages, formula
injection defused, and the planner's bound (a burst of plans is refused, never piled up in the hub)."""
from __future__ import annotations

import io
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from openpyxl import load_workbook
from sqlalchemy import update

from common.db.schema import QueueRow
from common.domain import errors as e
from common.domain.clock import SHANGHAI
from common.domain.workdays import WorkCalendar
from common.planning import advice
from common.usecases import reference
from server.planner import Planner
from tests.conftest import LiveHub
from tests.integration.http import post_form
from tests.world import PIN

TODAY = date(2026, 11, 26)  # a Thursday: the next working day is Friday 27th


@pytest.fixture
def hall(world):
    """Three weeks of tickets at s1 (A busiest in the morning, C in the afternoon) issued through the hub, on its
    clock; then the clock back at 26 Nov 09:30 and a supervisor at s1."""
    with world.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="S1", name="主管甲", pin=PIN, role="supervisor")
        c.execute(update(QueueRow).where(QueueRow.id == world.queues["B"]).values(name='=HYPERLINK("http://x","点我")'))
    kiosk = world.actor("kiosk")
    cal = WorkCalendar()
    day = TODAY - timedelta(days=21)
    while day < TODAY:
        if cal.is_working(day):
            for hour, letters in ((9, "AAAB"), (10, "AAABC"), (11, "AB"), (14, "ACC"), (15, "BC")):
                for n, letter in enumerate(letters):
                    world.clock.t = datetime(day.year, day.month, day.day, hour, 5 + 9 * n, tzinfo=SHANGHAI).astimezone(UTC)
                    world.hub.issue_ticket(kiosk, item_id=world.items[letter])
        day += timedelta(days=1)
    world.clock.t = datetime(2026, 11, 26, 9, 30, tzinfo=SHANGHAI).astimezone(UTC)  # (the hub's clock is in UTC)
    return world


@pytest.fixture
def signed_in(hall):
    with LiveHub(hall.hub) as live:
        http = requests.Session()
        r = post_form(http, live.url, "/dashboard/sign-in", "/dashboard/sign-in",
                      {"site": "s1", "staff_no": "S1", "pin": PIN}, allow_redirects=False)
        assert r.status_code == 303, r.text
        yield live, http


def test_the_page_shows_the_next_working_days_plan_in_both_languages(signed_in):
    live, http = signed_in
    r = http.get(f"{live.url}/dashboard/staffing", timeout=60)
    assert r.status_code == 200 and "人员排班建议" in r.text and "2026-11-27" in r.text
    assert 'id="staff-plan"' in r.text and 'id="staff-queues"' in r.text
    assert "1<small>AB</small>" in r.text  # window 1, serving A and B, is advised open at some hour
    en = http.get(f"{live.url}/dashboard/staffing?lang=en", timeout=60)
    assert en.status_code == 200 and "Windows to open" in en.text
    assert live.app.state.planner.computed == 1  # the second asking came from the cache
    assert "=HYPERLINK(&#34;http://x&#34;" in r.text  # the queue's odd name is escaped text, not markup


def test_the_xlsx_holds_the_same_plan_with_formulas_defused(signed_in):
    live, http = signed_in
    d = http.get(f"{live.url}/dashboard/staffing.xlsx?site=s1&day=2026-11-27", timeout=60)
    assert d.status_code == 200 and d.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(d.content))
    plan, forecast, within = wb.worksheets
    assert plan["A2"].value == "08:00-09:00" or plan["A2"].value.startswith("0")
    assert plan.max_row - 1 == forecast.max_column - 1  # one row per hour, one column per hour
    names = [row[0].value for row in forecast.iter_rows(min_row=2)]
    assert any(n.startswith("'B =HYPERLINK") or n == "B =HYPERLINK(\"http://x\",\"点我\")" for n in names)
    assert all(not (c.value or "").startswith("=") for row in wb.worksheets[1].iter_rows() for c in row
               if isinstance(c.value, str))
    assert live.app.state.planner.computed == 1


@pytest.mark.parametrize("query, status, zh", [
    ("day=2026-13-01", 422, "日期格式"), ("day=20261127", 422, "日期格式"), ("day=2026-12-11", 422, "2026-12-10"),
    ("day=2025-11-24", 422, "2025-11-25"), ("site=s2", 403, None), ("day=" + "9" * 11, 422, None)])
def test_bad_days_and_other_sites_are_refused_in_both_languages(signed_in, query, status, zh):
    live, http = signed_in
    page = http.get(f"{live.url}/dashboard/staffing?{query}", timeout=30)
    data = http.get(f"{live.url}/dashboard/staffing.xlsx?{query}", timeout=30)
    assert page.status_code == status and data.status_code == status
    body = data.json()
    assert body["message_zh"] and body["message_en"] and body["message_zh"] != body["message_en"]
    if zh:
        assert zh in body["message_zh"] and zh in page.text
    assert not hasattr(live.app.state, "planner") or live.app.state.planner.computed == 0


def test_a_holiday_is_closed_and_a_makeup_saturday_is_open(signed_in):
    live, http = signed_in
    closed = http.get(f"{live.url}/dashboard/staffing?day=2026-10-01", timeout=60)
    assert closed.status_code == 200 and 'id="staffing-closed"' in closed.text
    makeup = http.get(f"{live.url}/dashboard/staffing?day=2026-10-10", timeout=60)  # 调休: a working Saturday
    assert makeup.status_code == 200 and 'id="staffing-closed"' not in makeup.text
    assert 'id="staffing-no-history"' in makeup.text  # open, but the hall's records begin in November: said so


def test_signed_out_is_sent_to_sign_in(hall):
    with LiveHub(hall.hub) as live:
        assert requests.get(f"{live.url}/dashboard/staffing", allow_redirects=False, timeout=10).status_code == 303
        assert requests.get(f"{live.url}/dashboard/staffing.xlsx", timeout=10).status_code == 401


def test_a_burst_of_plans_is_refused_while_the_planner_is_full(signed_in):
    live, http = signed_in
    planner = live.app.state.planner = Planner(pending=2)
    release = threading.Event()
    for n in range(2):  # two plans computing (held), as a burst of requests for other days would leave them
        planner.submit(("s1", f"held-{n}", 0), lambda: (release.wait(60), {})[1])
    r = http.get(f"{live.url}/dashboard/staffing.xlsx?day=2026-11-30", timeout=30)
    assert r.status_code == 429 and "计算" in r.json()["message_zh"] and r.json()["message_en"]
    assert planner.running() == 2 and planner.computed == 2
    release.set()
    for _ in range(100):
        if planner.running() == 0:
            break
        threading.Event().wait(0.05)
    assert http.get(f"{live.url}/dashboard/staffing.xlsx?day=2026-11-30", timeout=60).status_code == 200


def test_the_planner_bounds_work_and_computes_each_plan_once():
    planner = Planner(pending=3)
    gate = threading.Event()
    futures = [planner.submit(("s", str(n), 1), lambda n=n: (gate.wait(30), {"n": n})[1]) for n in range(3)]
    assert planner.submit(("s", "0", 1), lambda: {"other": 1}) is futures[0]  # the same plan: the same job
    for n in range(3, 40):
        with pytest.raises(e.TooManyRequests):
            planner.submit(("s", str(n), 1), lambda: {})
    assert planner.running() == 3 and planner.computed == 3
    gate.set()
    assert [f.result(30) for f in futures] == [{"n": 0}, {"n": 1}, {"n": 2}]
    for _ in range(100):
        if planner.running() == 0:
            break
        threading.Event().wait(0.05)
    assert planner.submit(("s", "1", 1), lambda: {"again": 1}) == {"n": 1}  # cached
    assert planner.submit(("s", "1", 2), lambda: {"v": 2}) is not None and planner.computed == 4  # a new version


@pytest.mark.parametrize("today, expected", [
    (date(2026, 9, 30), date(2026, 10, 8)),  # 国庆: the holiday is skipped
    (date(2026, 10, 9), date(2026, 10, 10)),  # the 调休 Saturday is a working day
    (date(2026, 9, 18), date(2026, 9, 20)),  # the 调休 Sunday before 中秋
    (date(2026, 12, 31), None),  # 2027: past what the library knows
])
def test_the_default_day_is_the_next_working_day(today, expected):
    cal = WorkCalendar()
    got = advice.next_working_day(today, cal)
    if expected is None:  # past the calendar the library knows: Monday-Friday, still a working day
        assert got > today and cal.is_working(got)
    else:
        assert got == expected
    assert advice.parse_day(None, today, cal) == got
