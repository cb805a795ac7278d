"""The supervisors' dashboard: sign-in, figures equal to a recomputation from the raw events, exports."""
from __future__ import annotations

import csv
import io

import pytest
import requests
from openpyxl import load_workbook

from common.readmodels.assessment import COLUMNS
from common.usecases import reference
from tests.conftest import LiveHub
from tests.integration.http import Device, post_form
from tests.web import recompute
from tests.web.conftest import PIN, SUPERVISOR, kiosk, terminal


def hall_day(live, world) -> dict:
    """A morning at site s1 through the HTTP API, on the test clock: breaches, ratings good and bad, a no-show."""
    clock, w = world.clock, world.windows
    k = kiosk(live, world)
    t = {n: terminal(live, world, n) for n in (1, 2, 3, 4)}
    pad = {n: Device(live.url, world.codes.pop(f"pad{n}")) for n in (1, 2, 4)}
    issue = lambda letter: k.post("/tickets", json={"item_id": world.items[letter]}).json()["ticket"]  # noqa: E731
    a1, c1, b1 = issue("A"), issue("C"), issue("B")
    clock.advance(minutes=2)
    assert t[1].post(f"/windows/{w[1]}/call-next").json()["ticket"]["number"] == a1["number"]
    clock.advance(minutes=1)
    t[1].post(f"/windows/{w[1]}/start")
    clock.advance(minutes=9)
    a2 = issue("A")
    clock.advance(minutes=3)  # 09:45: C waited 15 min, inside its 30-minute limit
    assert t[4].post(f"/windows/{w[4]}/call-next").json()["ticket"]["number"] == c1["number"]
    t[4].post(f"/windows/{w[4]}/start")
    clock.advance(minutes=5)
    t[1].post(f"/windows/{w[1]}/finish", json={"outcome": "completed"})  # a1: 17 minutes, inside 20
    pad[1].post(f"/tickets/{a1['ticket_id']}/rating", json={"score": 5})
    clock.advance(minutes=5)  # 09:55: B waited 25 minutes, over its 10
    assert t[1].post(f"/windows/{w[1]}/call-next").json()["ticket"]["number"] == b1["number"]
    t[1].post(f"/windows/{w[1]}/recall")
    t[1].post(f"/windows/{w[1]}/skip", json={"requeue": False})
    clock.advance(minutes=5)  # 10:00
    assert t[2].post(f"/windows/{w[2]}/call-next").json()["ticket"]["number"] == a2["number"]
    t[2].post(f"/windows/{w[2]}/start")
    clock.advance(minutes=5)
    t[2].post(f"/windows/{w[2]}/finish", json={"outcome": "accepted"})
    pad[2].post(f"/tickets/{a2['ticket_id']}/rating", json={"score": 2, "reason": "材料要求没有一次说清楚"})
    clock.advance(minutes=5)  # 10:10: C served for 25 minutes, over 20
    t[4].post(f"/windows/{w[4]}/finish", json={"outcome": "completed"})
    pad[4].post(f"/tickets/{c1['ticket_id']}/rating", json={"score": 1, "reason": "等候时间太长"})
    clock.advance(minutes=10)
    a3 = issue("A")
    t[3].post(f"/windows/{w[3]}/pause", json={"reason": "午休"})
    clock.advance(minutes=11)  # 10:31: a3 has waited 11 minutes
    t[2].post(f"/windows/{w[2]}/call-next")
    assert t[2].post(f"/windows/{w[2]}/start").status_code == 200
    clock.advance(minutes=1)
    issue("B")
    clock.advance(minutes=7)  # 10:39: one citizen has waited 7 minutes
    return {"a3": a3, "t2": t[2], "pad2": pad[2]}


def _sign_in(url: str, staff_no: str = SUPERVISOR[0], pin: str = PIN, site: str = "s1") -> requests.Session:
    http = requests.Session()
    r = post_form(http, url, "/dashboard/sign-in", "/dashboard/sign-in", {"site": site, "staff_no": staff_no, "pin": pin},
                  allow_redirects=False)
    assert r.status_code == 303, r.text
    return http


def _check_against_events(data: dict, engine, now) -> None:
    want = recompute.figures(engine, "s1", now)
    f = data["day"]["figures"]
    for key in ("issued", "waiting", "served", "transfers", "longest_wait_seconds", "wait_within_limit_share",
                "wait_within_limit_by_class", "service_within_limit_share"):
        assert f[key] == want[key], key
    assert f["ratings"]["by_score"] == want["by_score"] and f["ratings"]["average"] == want["average"]
    assert sorted((b["number"], b["score"], b["reason"]) for b in data["day"]["bad_ratings"]) == want["bad"]
    assert [p["count"] for p in data["day"]["arrivals_per_hour"]] == want["arrivals"]
    per_clerk = recompute.assessment(engine, "s1")
    for row in data["assessment"]:
        expected = per_clerk.get(f"s1-{row['staff_no']}")
        if expected is None:
            assert row["services"] == 0
        else:
            assert {k: row[k] for k in expected} == expected


def test_figures_equal_a_recomputation_from_the_raw_events(world, engine):
    with engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="S1", name="主管甲", pin=PIN, role="supervisor")
    with LiveHub(world.hub) as live:
        hall_day(live, world)
        data = _sign_in(live.url).get(f"{live.url}/dashboard/data").json()
    f = data["day"]["figures"]
    # the scenario's own numbers, so that the recomputation is not trivially empty
    assert (f["issued"], f["waiting"], f["served"], f["longest_wait_seconds"]) == (6, 1, 3, 420)
    assert f["wait_within_limit_share"] == 0.4 and f["service_within_limit_share"] == round(2 / 3, 4)
    _check_against_events(data, engine, world.clock.now())
    windows = {x["number"]: x for x in data["day"]["windows"]}
    assert windows[3]["state"] == "paused" and windows[3]["pause_reason"] == "午休" and windows[3]["clerk"] == "工作人员3"
    assert windows[2]["state"] == "serving" and windows[1]["state"] == "idle"


def test_a_service_left_unrated_is_neither_a_rating_nor_a_bad_one(world, engine):
    """未评价 (the rating screen's 60 s ran out) closes the rating but counts in no average and no 差评."""
    with engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="S1", name="主管甲", pin=PIN, role="supervisor")
    with LiveHub(world.hub) as live:
        day = hall_day(live, world)
        world.clock.advance(minutes=3)
        assert day["t2"].post(f"/windows/{world.windows[2]}/finish", json={"outcome": "completed"}).status_code == 200
        assert day["pad2"].post(f"/tickets/{day['a3']['ticket_id']}/rating", json={"score": None}).status_code == 200
        data = _sign_in(live.url).get(f"{live.url}/dashboard/data").json()
    ratings = data["day"]["figures"]["ratings"]
    assert data["day"]["figures"]["served"] == 4 and ratings["unrated"] == 1 and ratings["count"] == 3
    assert ratings["average"] == round((5 + 2 + 1) / 3, 2)
    assert all(b["score"] in (1, 2) for b in data["day"]["bad_ratings"]) and len(data["day"]["bad_ratings"]) == 2
    _check_against_events(data, engine, world.clock.now())


def test_a_supervisor_signs_in_and_sees_the_figures_of_the_events(pages, hall, live_hall):
    hall_day(live_hall, hall)
    page = pages.open("dashboard", "/dashboard")
    assert page.url.endswith("/dashboard/sign-in")
    page.fill("#staff_no", SUPERVISOR[0])
    page.fill("#pin", "000000")
    page.click("#sign-in")
    assert "工号或密码不正确" in page.inner_text(".error") and "Wrong staff number or PIN" in page.inner_text(".error")
    page.fill("#pin", PIN)
    page.click("#sign-in")
    page.wait_for_selector("#kpis")
    cookie = next(c for c in page.context.cookies() if c["name"] == "haoban_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

    want = recompute.figures(hall.hub.engine, "s1", hall.clock.now())
    shown = lambda sel: page.get_attribute(sel, "data-value")  # noqa: E731
    assert int(shown("#kpi-waiting")) == want["waiting"] and int(shown("#kpi-issued")) == want["issued"]
    assert int(shown("#kpi-longest")) == want["longest_wait_seconds"] and int(shown("#kpi-served")) == want["served"]
    assert float(shown("#kpi-wait-share")) == want["wait_within_limit_share"]
    assert float(shown("#kpi-service-share")) == want["service_within_limit_share"]
    assert page.inner_text("#kpi-wait-share") == f"{want['wait_within_limit_share'] * 100:.1f}%"
    for score, n in want["by_score"].items():
        assert int(page.inner_text(f"#ratings td[data-score='{score}']")) == n
    bad = page.inner_text("#bad-ratings")
    assert all(number in bad and reason in bad for number, _, reason in want["bad"])
    bars = page.locator("svg.chart rect title").all_text_contents()
    assert [int(b.split(": ")[1]) for b in bars] == want["arrivals"]
    assert "工作人员3" in page.inner_text("#windows") and "午休" in page.inner_text("#windows")
    for section in ("#kpis", "#first-time", "#home-visits"):  # each once, in the page's body (a merge once put one in <title>)
        assert page.locator(section).count() == 1, section
    assert page.title().startswith("好办 · ") and "上门办" not in page.title()
    from common.readmodels.assessment import parse_quarter
    from common.readmodels.firsttime import first_time

    with hall.hub.engine.connect() as conn:  # 一次办成率 (its count is checked against the events in test_first_time)
        first = first_time(conn, ["s1"], *parse_quarter("2026Q4"))
    assert first["overall"]["first_visits"] == want["served"]  # no service of this day was a return
    rows = [r.split("\t") for r in page.inner_text("#first-time-departments tbody").splitlines()]
    assert rows == [[d["department"], str(d["first_visits"]), str(d["done"]), f"{d['rate'] * 100:.1f}%", str(d["returns"])]
                    for d in first["by_department"]]

    with page.expect_download() as dl:
        page.click("#export-xlsx")
    assert dl.value.suggested_filename == "smile-s1-2026Q4.xlsx"
    sheet = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(zh for _, zh in COLUMNS) and len(rows) == 5  # header + four clerks, no supervisor
    per_clerk = recompute.assessment(hall.hub.engine, "s1")
    for staff_no, _name, services, rated, average, bad_n, share in rows[1:]:
        expected = per_clerk.get(f"s1-{staff_no}", {"services": 0})
        assert services == expected["services"]
        if services:
            assert (rated, average, bad_n, share) == (expected["rated"], expected["average_rating"],
                                                      expected["bad_ratings"], expected["within_limits_share"])
    assert pages.foreign() == [] and [e for e in pages.errors if "401" not in e] == []


def test_the_csv_export_opens_in_excel_and_matches_the_page(live_hall, hall):
    hall_day(live_hall, hall)
    http = _sign_in(live_hall.url)
    data = http.get(f"{live_hall.url}/dashboard/data?quarter=2026Q4").json()
    r = http.get(f"{live_hall.url}/dashboard/assessment.csv?quarter=2026Q4")
    assert r.content.startswith(b"\xef\xbb\xbf") and "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == [zh for _, zh in COLUMNS]
    assert rows[1:] == [["" if a[k] is None else str(a[k]) for k, _ in COLUMNS] for a in data["assessment"]]
    other = http.get(f"{live_hall.url}/dashboard/assessment.csv?quarter=2026Q3")
    assert [row[2] for row in csv.reader(io.StringIO(other.content.decode("utf-8-sig")))][1:] == ["0"] * 4
    assert http.get(f"{live_hall.url}/dashboard/assessment.csv?quarter=2026Q9").status_code == 422


def test_only_supervisors_sign_in_and_see_only_what_their_site_may(live_hall, hall):
    url = live_hall.url
    assert requests.get(f"{url}/dashboard/data", timeout=10).status_code == 401
    r = post_form(requests.Session(), url, "/dashboard/sign-in", "/dashboard/sign-in",
                  {"site": "s1", "staff_no": "C1", "pin": PIN}, allow_redirects=False)
    assert r.status_code == 401 and "工号或密码不正确" in r.text  # a clerk, not a supervisor: the answer of any failure
    http = _sign_in(url)
    assert http.get(f"{url}/dashboard/data?site=s2").status_code == 403  # a community site sees itself only
    assert [s["site_id"] for s in http.get(f"{url}/dashboard/data").json()["sites"]] == ["s1"]
    post_form(http, url, "/dashboard", "/dashboard/sign-out", {})
    assert http.get(f"{url}/dashboard/data").status_code == 401

    for _ in range(5):  # the back-off of this address (tests/integration/test_sign_in.py has the rest)
        post_form(requests.Session(), url, "/dashboard/sign-in", "/dashboard/sign-in", {"site": "s1", "staff_no": "S1", "pin": "111111"})
    waiting = post_form(requests.Session(), url, "/dashboard/sign-in", "/dashboard/sign-in", {"site": "s1", "staff_no": "S1", "pin": PIN})
    assert waiting.status_code == 429 and "秒后再试" in waiting.text and "try again in" in waiting.text


def test_a_district_supervisor_sees_every_site(live_hall, hall):
    with hall.hub.engine.begin() as c:
        reference.create_site(c, id="d0", name="区中心", level="district")
        reference.create_clerk(c, site_id="d0", staff_no="D1", name="区主管", pin=PIN, role="supervisor")
    kiosk(live_hall, hall).post("/tickets", json={"item_id": hall.items["A"]})
    http = _sign_in(live_hall.url, "D1", site="d0")
    data = http.get(f"{live_hall.url}/dashboard/data?site=s1").json()
    assert [s["site_id"] for s in data["sites"]] == ["d0", "s1", "s2"]
    assert {o["site_id"]: o["issued"] for o in data["overview"]} == {"d0": 0, "s1": 1, "s2": 0}
    page = http.get(f"{live_hall.url}/dashboard?site=s2")
    assert page.status_code == 200 and "测试中心s2" in page.text and 'id="overview"' in page.text


@pytest.mark.parametrize("quarter", ["2026Q1", "2025Q4"])
def test_quarters(quarter):
    from common.readmodels.assessment import parse_quarter, quarter_of

    first, last = parse_quarter(quarter)
    assert quarter_of(first) == quarter_of(last) == quarter and (last - first).days in (89, 90, 91)


def test_the_admin_command_makes_a_supervisor_who_can_sign_in(tmp_path):
    import os

    from common.db.engine import make_engine
    from common.usecases.hub import Hub
    from tests.integration.test_migrations_cli import run_cli

    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path)}
    assert run_cli("admin", "create-site", "--id", "v1", "--name", "蔡浜村村民服务点", "--level", "village", env=env).returncode == 0
    r = run_cli("admin", "create-clerk", "--site", "v1", "--staff-no", "B01", "--name", "朱主任", "--supervisor",
                "--pin-stdin", env=env, stdin="739164\n")
    assert r.returncode == 0, r.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    hub = Hub(engine)
    assert hub.supervisor(hub.supervisor_sign_in("v1", "B01", "739164")[0]).name == "朱主任"
    engine.dispose()
