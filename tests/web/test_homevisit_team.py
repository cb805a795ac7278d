"""The team's 上门办 pages on its laptop over real HTTP against a hub on loopback: a team clerk signs in, opens a
visit from the day's list (the person masked), records its outcome and the materials taken, and the citizen rates
with the faces, once. Hostile input on every new door: garbage and unknown ids, another centre's visit, a village
clerk reaching another village, no CSRF token, over-long and forged fields, a body too long, bad scores, a second
rating, a handler's session and none; each refused with its bilingual message, never a 500, nothing written."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import select

from common.db import homerows
from common.db.schema import EventRow
from common.domain import homevisits as hv
from common.domain.clock import business_day
from common.usecases import reference
from tests.integration.http import post_form
from tests.web.conftest import PIN
from tests.web.homehall import BOSS, ELSEWHERE, ZHANG, counts, seed
from tests.web.test_dashboard import _sign_in
from tests.web.test_homevisit_pages import _text

DAY = "/homevisits"


def team_sign_in(url: str, staff_no: str = "T1", site: str = "s1") -> requests.Session:
    http = requests.Session()
    r = post_form(http, url, "/homevisits/sign-in", "/homevisits/sign-in",
                  {"site": site, "staff_no": staff_no, "pin": PIN}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/homevisits", r.text
    return http


@pytest.fixture
def team(hall, live_hall):
    """s1's team clerk T1 and 张马村 (s2)'s village clerk V1; 张三明 (s2) and 李四 (s1) planned for 一队 today,
    and s3's own visit planned for its 一队 today too."""
    v = seed(hall)
    today = business_day(hall.clock.now())
    with hall.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="T1", name="上门队员", pin=PIN, role="clerk")
        reference.create_clerk(c, site_id="s2", staff_no="V1", name="村居干部", pin=PIN, role="clerk")
    hall.hub.plan_home_visit(BOSS, v.zhang, team="一队", day=today, order=1)
    hall.hub.plan_home_visit(BOSS, v.li, team="一队", day=today, order=2)
    hall.hub.plan_home_visit(ELSEWHERE, v.other, team="一队", day=today, order=1)
    return live_hall.url, v, team_sign_in(live_hall.url)


def _visit(hall, visit_id: str) -> hv.HomeVisit:
    with hall.hub.engine.connect() as conn:
        return homerows.visits(conn, ["s1", "s2", "s3"])[visit_id]


def _record(http, url, visit_id, lang="", **data):
    """Post the visit's form with the CSRF token of the day's page (a visit the clerk may not open has no form)."""
    q = "?lang=en" if lang else ""
    return post_form(http, url, DAY + q, f"/homevisits/{visit_id}/record{q}", data,
                     allow_redirects=False)


def _rate(http, url, visit_id, score, lang=""):
    q = "?lang=en" if lang else ""
    return post_form(http, url, DAY + q, f"/homevisits/{visit_id}/rate{q}", {"score": score}, allow_redirects=False)


def test_the_day_list_shows_her_teams_visits_masked_in_order(team, hall):
    url, v, http = team
    r = http.get(url + DAY)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    todo = r.text.split('id="hvt-todo"')[1].split("</ol>")[0]
    assert todo.index(v.zhang) < todo.index(v.li)  # 张马村 before 测试中心s1, as the day list orders them
    assert v.other not in r.text and "王五" not in r.text  # s3's 一队 is another centre's team
    assert "张*明" in todo and "青浦区朱家角…" in todo and ZHANG["name"] not in r.text and ZHANG["phone"] not in r.text
    assert "还有 2 户待上门" in _text(r.text)
    page = http.get(f"{url}/homevisits/{v.zhang}").text
    assert "张*明" in page and "138****5678" in page and ZHANG["name"] not in page and ZHANG["address"] not in page
    assert 'value="身份证"' in page or "身份证" in _text(page)  # the guide's materials to tick
    en = http.get(url + DAY + "?lang=en").text
    assert "2 still to visit" in en and "Open ›" in en


def test_a_visit_is_recorded_then_rated_once_with_the_faces(team, hall):
    url, v, http = team
    before = counts(hall)
    page = http.get(f"{url}/homevisits/{v.zhang}").text
    ticked = page.split('name="m0" value="')[1].split('"')[0]
    r = _record(http, url, v.zhang, outcome="done", m0=ticked, other="户口簿、 委托书")
    assert r.status_code == 303 and r.headers["location"] == f"/homevisits/{v.zhang}/rate"
    got = _visit(hall, v.zhang)
    assert got.status is hv.HomeStatus.done and got.visits[-1]["materials"] == [ticked, "户口簿", "委托书"]
    rate = http.get(f"{url}/homevisits/{v.zhang}/rate").text
    assert 'id="face-5"' in rate and "非常满意" in rate and "非常不满意" in rate
    assert "张*明" not in rate and ZHANG["name"] not in rate  # the citizen's screen shows nobody's data
    r = _rate(http, url, v.zhang, "4")
    assert r.status_code == 303 and r.headers["location"] == f"/homevisits/{v.zhang}/thanks"
    assert "感谢您的评价" in http.get(url + r.headers["location"]).text
    assert _visit(hall, v.zhang).rating_score == 4 and counts(hall)[0] == before[0] + 2
    again = _rate(http, url, v.zhang, "5")
    assert again.status_code == 409 and "该次服务已评价过" in again.text
    assert http.get(f"{url}/homevisits/{v.zhang}/rate").status_code == 409
    assert _visit(hall, v.zhang).rating_score == 4 and counts(hall)[0] == before[0] + 2
    closed = http.get(f"{url}/homevisits/{v.zhang}")  # done and rated: the page says so, no form
    assert closed.status_code == 200 and 'id="hvt-nothing"' in closed.text and "已上门办理" in closed.text
    assert 'id="hvt-record"' not in closed.text and 'id="hvt-cancel"' not in closed.text
    made = http.get(url + DAY).text.split('id="hvt-made"')[1]
    assert v.zhang in made and "已办理" in made and "已评价" in made


def test_not_at_home_goes_back_to_plan_and_cannot_be_rated(team, hall):
    url, v, http = team
    r = _record(http, url, v.li, lang="en", outcome="not_home")
    assert r.status_code == 303 and "saved=not_home" in r.headers["location"] and "lang=en" in r.headers["location"]
    assert _visit(hall, v.li).status is hv.HomeStatus.revisit
    back = http.get(url + r.headers["location"]).text
    assert 'id="saved"' in back and "back to plan" in back
    before = counts(hall)
    assert _rate(http, url, v.li, "5").status_code == 409
    assert http.get(f"{url}/homevisits/{v.li}/rate").status_code == 409
    assert _record(http, url, v.li, outcome="done").status_code == 409  # not planned any more
    assert counts(hall) == before


def test_needs_another_visit_is_rated_and_goes_back_to_plan(team, hall):
    url, v, http = team
    r = _record(http, url, v.zhang, outcome="again", m0="身份证")
    assert r.status_code == 303 and r.headers["location"].endswith("/rate")
    assert _rate(http, url, v.zhang, "2").status_code == 303
    got = _visit(hall, v.zhang)
    assert got.status is hv.HomeStatus.revisit and got.rating_score == 2


@pytest.mark.parametrize("data, zh", [
    ({"outcome": "burnt"}, "请选择上门结果"),
    ({"outcome": ""}, "请选择上门结果"),
    ({"outcome": "not_home", "m0": "身份证"}, "不在家时不能有材料"),
    ({"outcome": "done", "other": "材" * 61}, "带回的材料有误"),
    ({"outcome": "done", "m1": "a|b"}, "带回的材料有误"),
    ({"outcome": "done", "m2": "证\x00明"}, "带回的材料有误"),
    ({"outcome": "done", "other": "、".join(f"材料{i}" for i in range(21))}, "带回的材料有误"),
    ({"outcome": "done", "other": "路" * 2000}, "提交的内容过长"),
])
def test_a_refused_record_says_why_and_writes_nothing(team, hall, data, zh):
    url, v, http = team
    before = counts(hall)
    r = _record(http, url, v.zhang, **data)
    assert r.status_code in (403, 409, 422) and zh in r.text
    if "提交的内容过长" not in zh:
        assert 'id="hvt-record"' in r.text and 'id="error"' in r.text  # back on the visit's form
    assert counts(hall) == before and _visit(hall, v.zhang).status is hv.HomeStatus.planned


@pytest.mark.parametrize("score", ["0", "6", "x", "١", "", "55", "-1"])
def test_a_bad_score_is_refused_on_the_faces(team, hall, score):
    url, v, http = team
    assert _record(http, url, v.zhang, outcome="done").status_code == 303
    before = counts(hall)
    r = _rate(http, url, v.zhang, score)
    assert r.status_code == 422 and "请从五个表情中选一个" in r.text and 'id="face-3"' in r.text
    assert counts(hall) == before


@pytest.mark.parametrize("visit_id", ["garbage", "0190c0de-0000-7000-8000-000000000000", "x" * 3000, "%00", "..%2F..%2Fetc"])
def test_garbage_and_unknown_ids_are_no_such_visit(team, hall, visit_id):
    url, _, http = team
    before = counts(hall)
    for path in (f"/homevisits/{visit_id}", f"/homevisits/{visit_id}/rate", f"/homevisits/{visit_id}/thanks"):
        r = http.get(url + path)
        assert r.status_code == 404 and "找不到" in r.text and "Not found" in r.text.replace("No such", "Not found")  # bilingual
    token = http.get(url + DAY).text.split('name="csrf" value="')[1].split('"')[0]
    for step, data in (("record", {"outcome": "done"}), ("rate", {"score": "5"})):
        r = http.post(f"{url}/homevisits/{visit_id}/{step}", data={**data, "csrf": token}, allow_redirects=False)
        assert r.status_code in (404, 405)
    assert counts(hall) == before


def test_another_centres_or_another_villages_visit_is_refused(team, hall, live_hall):
    url, v, http = team
    before = counts(hall)
    assert http.get(f"{url}/homevisits/{v.other}").status_code == 404  # s3's visit: not hers to see
    assert _record(http, url, v.other, outcome="done").status_code == 404
    assert _rate(http, url, v.other, "5").status_code == 404
    village = team_sign_in(url, "V1", "s2")  # 张马村's own clerk: her village's visit, not s1's
    page = village.get(url + DAY).text
    assert v.zhang in page and v.li not in page
    assert _record(village, url, v.li, outcome="done").status_code == 404
    assert counts(hall) == before and _visit(hall, v.other).status is hv.HomeStatus.planned


def test_no_csrf_no_session_or_a_handlers_session_writes_nothing(team, hall):
    url, v, http = team
    before = counts(hall)
    r = http.post(f"{url}/homevisits/{v.zhang}/record", data={"outcome": "done"}, allow_redirects=False)
    assert r.status_code == 403 and "csrf" not in r.text.lower().split("<title>")[0]
    assert http.post(f"{url}/homevisits/{v.zhang}/rate", data={"score": "5"}).status_code == 403
    for path in (DAY, f"/homevisits/{v.zhang}", f"/homevisits/{v.zhang}/rate"):
        r = requests.get(url + path, allow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/homevisits/sign-in"
    with hall.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="H1", name="医保经办", pin=PIN, role="handler",
                               department="区医保中心")
    handler = _sign_in(url, "H1")
    r = handler.get(f"{url}/homevisits/{v.zhang}", allow_redirects=False)
    assert r.status_code == 303 and "张*明" not in r.text
    r = post_form(handler, url, "/handler", f"/homevisits/{v.zhang}/record", {"outcome": "done"}, allow_redirects=False)
    assert r.status_code == 401
    bad = requests.Session()
    r = post_form(bad, url, "/homevisits/sign-in", "/homevisits/sign-in", {"site": "s1", "staff_no": "H1", "pin": PIN})
    assert r.status_code in (401, 403) and 'action="/homevisits/sign-in"' in r.text  # a handler has no team page
    with hall.hub.engine.connect() as conn:
        assert conn.execute(select(EventRow.kind).order_by(EventRow.seq.desc())).first().kind == "home_planned"
    assert counts(hall) == before
