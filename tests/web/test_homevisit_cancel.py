"""Cancelling a 上门办 request from a page over real HTTP, at both doors: the supervisor's (from the list of open
requests) and the team's laptop (from the visit's page). Hostile input on every door: no reason, a reason too long,
control characters, a body too long, garbage and unknown ids, another centre's request, a closed one, no CSRF token,
a handler's session and none; each refused with its bilingual message, never a 500, nothing written."""
from __future__ import annotations

import pytest
import requests

from common.domain import homevisits as hv
from common.usecases import reference
from tests.integration.http import post_form
from tests.web.conftest import PIN
from tests.web.homehall import ZHANG, counts
from tests.web.test_dashboard import _sign_in
from tests.web.test_homevisit_team import _visit, team  # noqa: F401 - the fixture

BOSS_DOOR, TEAM_DOOR = "/dashboard/homevisits", "/homevisits"


def _cancel(http, url, door, visit_id, reason, lang=""):
    """Post the cancel form with the CSRF token of a page of the door (the dashboard's, the team's day)."""
    q = "?lang=en" if lang else ""
    return post_form(http, url, ("/dashboard" if door == BOSS_DOOR else door) + q, f"{door}/{visit_id}/cancel{q}", {"reason": reason}, allow_redirects=False)


def test_a_supervisor_cancels_an_open_request_from_her_list(team, hall):  # noqa: F811
    url, v, _ = team
    boss = _sign_in(url)
    listed = boss.get(url + BOSS_DOOR).text
    assert f'href="/dashboard/homevisits/{v.zhang}/cancel"' not in listed  # planned: on the day list, not to plan
    page = boss.get(f"{url}{BOSS_DOOR}/{v.zhang}/cancel").text
    assert 'id="hvc-form"' in page and "张*明" in page and ZHANG["name"] not in page and ZHANG["phone"] not in page
    before = counts(hall)
    r = _cancel(boss, url, BOSS_DOOR, v.zhang, "  办事人已自行到村居办理  ")
    assert r.status_code == 303 and r.headers["location"] == f"{BOSS_DOOR}?cancelled=1"
    assert _visit(hall, v.zhang).status is hv.HomeStatus.cancelled and counts(hall)[0] == before[0] + 1
    assert 'id="cancelled"' in boss.get(url + r.headers["location"]).text
    closed = boss.get(f"{url}{BOSS_DOOR}/{v.zhang}/cancel").text
    assert 'id="hvc-closed"' in closed and 'id="hvc-form"' not in closed
    again = _cancel(boss, url, BOSS_DOOR, v.zhang, "再取消一次", lang="en")
    assert again.status_code == 409 and "That home visit is done or cancelled" in again.text
    assert counts(hall)[0] == before[0] + 1
    team_page = requests.Session()
    # the team no longer sees it on its day
    post_form(team_page, url, "/homevisits/sign-in", "/homevisits/sign-in", {"site": "s1", "staff_no": "T1", "pin": PIN})
    assert v.zhang not in team_page.get(url + TEAM_DOOR).text


def test_the_team_cancels_from_the_visits_page_and_goes_back_to_its_day(team, hall):  # noqa: F811
    url, v, http = team
    assert f'href="/homevisits/{v.li}/cancel"' in http.get(f"{url}/homevisits/{v.li}").text
    r = _cancel(http, url, TEAM_DOOR, v.li, "老人已入住养老院", lang="en")
    assert r.status_code == 303 and "saved=cancelled" in r.headers["location"] and "team=" in r.headers["location"]
    back = http.get(url + r.headers["location"]).text
    assert "The request is cancelled" in back and f'data-id="{v.li}"' not in back
    assert _visit(hall, v.li).status is hv.HomeStatus.cancelled


@pytest.mark.parametrize("door", [BOSS_DOOR, TEAM_DOOR])
@pytest.mark.parametrize("reason, zh", [
    ("", "请填写原因"),
    ("   ", "请填写原因"),
    ("because " * 63, "请填写原因"),
    ("理" * 1000, "提交的内容过长"),
])
def test_a_refused_cancel_says_why_and_writes_nothing(team, hall, door, reason, zh):  # noqa: F811
    url, v, http = team
    who = _sign_in(url) if door == BOSS_DOOR else http
    before = counts(hall)
    r = _cancel(who, url, door, v.zhang, reason)
    assert r.status_code == 422 and zh in r.text
    if "过长" not in zh:
        assert 'id="hvc-form"' in r.text and 'id="error"' in r.text
    assert counts(hall) == before and _visit(hall, v.zhang).status is hv.HomeStatus.planned


@pytest.mark.parametrize("door", [BOSS_DOOR, TEAM_DOOR])
def test_garbage_unknown_and_another_centres_ids_are_refused(team, hall, door):  # noqa: F811
    url, v, http = team
    who = _sign_in(url) if door == BOSS_DOOR else http
    before = counts(hall)
    for visit_id in ("garbage", "0190c0de-0000-7000-8000-000000000000", "x" * 3000, v.other):
        assert who.get(f"{url}{door}/{visit_id}/cancel").status_code == 404
        r = _cancel(who, url, door, visit_id, "取消")
        assert r.status_code == 404 and "找不到该上门办申请" in r.text
    assert counts(hall) == before and _visit(hall, v.other).status is hv.HomeStatus.planned


@pytest.mark.parametrize("door, sign_in", [(BOSS_DOOR, "/dashboard/sign-in"), (TEAM_DOOR, "/homevisits/sign-in")])
def test_no_csrf_no_session_or_a_wrong_role_cancels_nothing(team, hall, door, sign_in):  # noqa: F811
    url, v, http = team
    before = counts(hall)
    who = _sign_in(url) if door == BOSS_DOOR else http
    who.get(f"{url}{door}/{v.zhang}/cancel")  # the CSRF cookie is set, the field is left out
    assert who.post(f"{url}{door}/{v.zhang}/cancel", data={"reason": "x"}).status_code == 403
    r = requests.get(f"{url}{door}/{v.zhang}/cancel", allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == sign_in
    assert requests.post(f"{url}{door}/{v.zhang}/cancel", data={"reason": "x"}).status_code in (401, 403)
    with hall.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="H1", name="医保经办", pin=PIN, role="handler",
                               department="区医保中心")
    handler = _sign_in(url, "H1")
    r = handler.get(f"{url}{door}/{v.zhang}/cancel", allow_redirects=False)
    assert r.status_code in (303, 403) and "张*明" not in r.text
    r = post_form(handler, url, "/handler", f"{door}/{v.zhang}/cancel", {"reason": "x"}, allow_redirects=False)
    assert r.status_code in (401, 403)
    if door == BOSS_DOOR:  # a team clerk's session is not a supervisor's
        assert http.get(f"{url}{door}/{v.zhang}/cancel", allow_redirects=False).status_code == 303
    assert counts(hall) == before
