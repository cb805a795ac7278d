"""The supervisors' 上门办 pages over real HTTP against a hub on loopback: the open requests (persons masked, another
centre's request not shown) with their figures; a 12345 request registered through the form; a day planned and its
printed list (persons in full, each showing audited; the matter's 一次告知 materials). Hostile input on every new door:
over-long and control-character fields, a body too long, another centre's request, bad days and orders, garbage ids,
no CSRF token, a handler's session, no session; each refused with its bilingual message, never a 500, nothing
written."""
from __future__ import annotations

import html
import re
from datetime import date

import pytest
import requests
from sqlalchemy import select

from common.db import homerows
from common.db.schema import AuditRow, EventRow
from common.domain import homevisits as hv
from common.domain.clock import business_day
from common.usecases import reference
from server.web.homevisits import waiting_days
from tests.integration.http import post_form
from tests.web.conftest import PIN
from tests.web.homehall import BOSS, ELSEWHERE, ZHANG, counts, seed
from tests.web.test_dashboard import _sign_in

HOME, NEW, DAY = "/dashboard/homevisits", "/dashboard/homevisits/new", "/dashboard/homevisits/day"
GOOD = {"site_id": "s2", "item_id": "s2-IA", "name": "赵六", "phone": "13700002222", "address": "张马村 5 组 20 号",
        "slot0": "morning", "slot4": "afternoon", "reason": "certificate", "certificate_seen": "yes"}
MONDAY = "2026-11-30"


@pytest.fixture
def home(hall, live_hall):
    visits = seed(hall)
    return live_hall.url, visits, _sign_in(live_hall.url)


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_list_shows_her_villages_open_requests_masked_with_their_figures(home, hall):
    url, v, http = home
    r = http.get(url + HOME)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    page = r.text
    assert f'data-id="{v.zhang}"' in page and f'data-id="{v.li}"' in page
    assert f'data-id="{v.other}"' not in page and "王五" not in page  # another centre's
    assert "张*明" in page and "138****5678" in page and "青浦区朱家角…" in page
    assert ZHANG["name"] not in page and ZHANG["phone"] not in page and ZHANG["address"] not in page
    row = _text(page.split(f'data-id="{v.zhang}"')[1].split("</tr>")[0])
    assert "张马村" in row and "事项A" in row and "周一上午、周三全天" in row and "3 天" in row and "12345 热线" in row
    assert 'id="hv-fig-requests" data-value="2"' in page and 'id="hv-fig-open" data-value="2"' in page
    assert 'id="hv-fig-days" data-value=""' in page  # nobody visited yet
    en = http.get(url + HOME + "?lang=en").text
    assert "Mon morning, Wed any time" in en and "3 days" in en and "Requests to plan" in en


def test_a_12345_call_is_registered_through_the_form_sealed(home, hall):
    url, _, http = home
    before = counts(hall)
    r = post_form(http, url, NEW, NEW, GOOD, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"{HOME}?made=1"
    assert counts(hall)[0] == before[0] + 1
    with hall.hub.engine.connect() as conn:
        made = [x for x in homerows.visits(conn, ["s2"]).values() if x.id not in str(before)]
        raw = str(conn.execute(select(EventRow.data)).all())
    new = [x for x in made if x.slots == ["morning", "", "", "", "afternoon", "", ""]]
    assert len(new) == 1 and (new[0].source, new[0].seen_by, new[0].status) == ("hotline", "s1-S1", hv.HomeStatus.requested)
    assert "赵六" not in raw and "13700002222" not in raw  # sealed at rest
    listed = http.get(url + HOME + "?made=1").text
    assert 'id="made"' in listed and "赵*" in listed and f'data-id="{new[0].id}"' in listed


@pytest.mark.parametrize("change, zh, en", [
    ({"name": "张" * 51}, "请填写办事人姓名（最多 50 个字）", "Give the citizen's name (at most 50 characters)"),
    ({"name": "张\x00三"}, "请填写办事人姓名", "Give the citizen's name"),
    ({"phone": "1380013800012345678901"}, "联系电话应为 5 到 20 位数字", "The phone number is 5 to 20 digits"),
    ({"address": "路" * 121}, "请填写上门地址（最多 120 个字）", "Give the address (at most 120 characters)"),
    ({"slot0": "", "slot4": ""}, "请至少选择一个方便上门的时间", "Choose at least one time that suits"),
    ({"slot2": "midnight"}, "请至少选择一个方便上门的时间", "Choose at least one time that suits"),
    ({"reason": "<script>"}, "请选择上门办理的理由", "Choose the reason for a home visit"),
    ({"certificate_seen": ""}, "不符合上门办理条件", "does not qualify"),
    ({"reason": "age", "id_number": "110105200001010013"}, "身份证号码有误", "The ID number is not valid"),
    ({"site_id": "s3", "item_id": "s3-IA"}, "您没有办理此上门办事项的权限", "You may not do this"),  # another centre
    ({"item_id": "s1-IA"}, "", ""),  # s1's matter named for the village s2: no such matter there
    ({"site_id": "s" * 300, "item_id": "x" * 300}, "", ""),
])
def test_a_refused_request_comes_back_on_the_form_with_its_message_and_nothing_written(home, hall, change, zh, en):
    url, _, http = home
    before = counts(hall)
    for lang, said in (("", zh), ("?lang=en", en)):
        r = post_form(http, url, NEW + lang, NEW + lang, {**GOOD, **change}, allow_redirects=False)
        assert r.status_code in (403, 404, 422), r.status_code
        error = re.search(r'<p class="error card" role="alert" id="error">([^<]+)</p>', r.text)
        assert error and said in html.unescape(error[1])
        kept = html.escape({**GOOD, **change}["name" if "phone" in change else "phone"])
        assert 'id="hv-form"' in r.text and f'value="{kept}"' in r.text  # what was typed is kept
        assert "110105200001010013" not in r.text  # but never the ID number
    assert counts(hall) == before


def test_a_body_too_long_without_csrf_or_without_the_right_session_is_refused(home, hall, live_hall):
    url, _, http = home
    before = counts(hall)
    r = post_form(http, url, NEW, NEW, {**GOOD, "address": "路" * 2000}, allow_redirects=False)
    assert r.status_code == 422 and "提交的内容过长" in r.text and 'id="hv-form"' in r.text
    r = http.post(url + NEW, data=GOOD, allow_redirects=False)  # no CSRF field
    assert r.status_code == 403 and 'id="hv-form"' not in r.text
    for path in (HOME, NEW, DAY):
        assert requests.get(url + path, allow_redirects=False).status_code == 303  # no session: to the sign-in
    with hall.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="H1", name="医保经办", pin=PIN, role="handler",
                               department="区医保中心")
    handler = _sign_in(url, "H1")
    for path in (HOME, NEW, DAY):
        r = handler.get(url + path)
        assert r.status_code == 403 and "上门办" not in r.text
    r = post_form(handler, url, "/handler", NEW, GOOD, allow_redirects=False)
    assert r.status_code == 403
    assert counts(hall) == before


def _plan(http, url, visit_id, team="一队", day=MONDAY, order="1", lang=""):
    page = f"{DAY}?team=一队&day={MONDAY}{'&lang=en' if lang else ''}"
    return post_form(http, url, page, "/dashboard/homevisits/plan" + ("?lang=en" if lang else ""),
                     {"visit_id": visit_id, "team": team, "day": day, "order": order}, allow_redirects=False)


def test_a_day_is_planned_in_the_read_models_order_and_printed_in_full_audited(home, hall):
    url, v, http = home
    empty = http.get(f"{url}{DAY}?team=一队&day={MONDAY}").text
    assert "当天还没有安排上门" in empty and f'data-id="{v.zhang}"' in empty and f'data-id="{v.other}"' not in empty
    assert _plan(http, url, v.li, order="1").status_code == 303
    r = _plan(http, url, v.zhang, order="2", lang="en")
    assert r.status_code == 303 and r.headers["location"] == f"{DAY}?team=%E4%B8%80%E9%98%9F&day={MONDAY}&lang=en"
    page = http.get(f"{url}{DAY}?team=一队&day={MONDAY}").text
    listed = page.split('id="hv-day-list"')[1].split("</table>")[0]
    # villages by name (张马村 before 测试中心s1), then the planner's order: as readmodels.homevisits.day_list gives
    assert listed.index(v.zhang) < listed.index(v.li) and "张*明" in listed and ZHANG["phone"] not in page
    assert 'id="hv-print"' in page and 'list="hv-teams"' in page and '<option value="一队">' in page
    before = counts(hall)
    shown = post_form(http, url, f"{DAY}?team=一队&day={MONDAY}", "/dashboard/homevisits/print",
                      {"team": "一队", "day": MONDAY})
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    text = _text(shown.text)
    for full in ZHANG.values():
        assert full in text
    assert "李四" in text and "朱家角镇新风路 88 弄 3 号 502 室" in text
    first = text.index(ZHANG["name"])
    assert "身份证" in text[first:text.index("李四")]  # 医保卡补领's sure material, on 张三明's visit
    assert "上门时先问清" in text and "该事项暂无办事指南" in text  # 事项B has no guide
    with hall.hub.engine.connect() as conn:
        audit = conn.execute(select(AuditRow.what, AuditRow.record_id, AuditRow.clerk_id, AuditRow.purpose)
                             .order_by(AuditRow.id)).all()
    assert counts(hall) == (before[0], before[1] + 2)
    assert {(a.what, a.record_id, a.clerk_id, a.purpose) for a in audit[-2:]} == {
        ("home_person", x, "s1-S1", "print") for x in (v.zhang, v.li)}
    en = _text(post_form(http, url, f"{DAY}?team=一队&day={MONDAY}&lang=en", "/dashboard/homevisits/print?lang=en",
                         {"team": "一队", "day": MONDAY}).text)
    assert "一队: visits on 2026-11-30" in en and "This matter has no guide yet" in en


@pytest.mark.parametrize("field, value, code", [
    ("day", "2026-13-01", "上门日期应为 年-月-日"),
    ("day", "tomorrow", "上门日期应为 年-月-日"),
    ("day", "2026-11-28", "上门日期不能早于今天"),  # Saturday, the day before today
    ("day", "9" * 500, "上门日期应为 年-月-日"),
    ("order", "0", "上门顺序应为 1 到 999"),
    ("order", "1000", "上门顺序应为 1 到 999"),
    ("order", "-1", "上门顺序应为 1 到 999"),
    ("order", "١", "上门顺序应为 1 到 999"),  # an Arabic-Indic digit: isdigit, not ASCII
    ("team", "", "请填写上门小组"),
    ("team", "队" * 33, "请填写上门小组"),
    ("team", "一\n队", "请填写上门小组"),
    ("visit_id", "../../etc/passwd", "找不到该上门办申请"),
    ("visit_id", "0190c0de-0000-7000-8000-000000000000", "找不到该上门办申请"),
    ("visit_id", "x" * 5000, "提交的内容过长"),
])
def test_a_refused_plan_says_why_on_the_day_page_and_writes_nothing(home, hall, field, value, code):
    url, v, http = home
    before = counts(hall)
    data = {"visit_id": v.zhang, "team": "一队", "day": MONDAY, "order": "1", field: value}
    r = _plan(http, url, **data)
    assert r.status_code in (403, 404, 409, 422) and code in r.text
    assert counts(hall) == before


def test_another_centres_request_can_be_neither_planned_nor_printed(home, hall):
    url, v, http = home
    today = business_day(hall.clock.now())
    hall.hub.plan_home_visit(ELSEWHERE, v.other, team="一队", day=today, order=1)  # s3's own team, today
    before = counts(hall)
    r = _plan(http, url, v.other)
    assert r.status_code == 403 and "您没有办理此上门办事项的权限" in r.text
    shown = post_form(http, url, f"{DAY}?team=一队", "/dashboard/homevisits/print",
                      {"team": "一队", "day": today.isoformat()})
    assert shown.status_code == 200 and "王五" not in shown.text and "当天还没有安排上门" in shown.text
    assert counts(hall) == before


@pytest.mark.parametrize("query", ["?day=2026-02-30&team=一队", "?day=" + "1" * 40, "?team=" + "队" * 60,
                                   "?team=%00&day=2026-11-30"])
def test_a_bad_day_or_team_in_the_link_is_said_on_the_page(home, query):
    url, _, http = home
    r = http.get(url + DAY + query)
    assert r.status_code == 422 and 'id="error"' in r.text and 'id="hv-pick"' in r.text


def test_printing_needs_the_pages_csrf_token_and_a_valid_team_and_day(home, hall):
    url, v, http = home
    hall.hub.plan_home_visit(BOSS, v.zhang, team="一队", day=business_day(hall.clock.now()), order=1)
    before = counts(hall)
    r = http.post(url + "/dashboard/homevisits/print", data={"team": "一队", "day": MONDAY})
    assert r.status_code == 403 and ZHANG["name"] not in r.text
    assert http.get(url + "/dashboard/homevisits/print").status_code == 405
    r = post_form(http, url, f"{DAY}?team=一队", "/dashboard/homevisits/print", {"team": "一队", "day": "yesterday"})
    assert r.status_code == 422 and "上门日期应为" in r.text and ZHANG["name"] not in r.text
    assert counts(hall) == before


@pytest.mark.parametrize("requested_utc, today, days", [
    ("2026-12-31T15:59:00+00:00", date(2027, 1, 1), 1),  # 23:59 on 31 Dec in Shanghai: yesterday's request
    ("2026-12-31T16:01:00+00:00", date(2027, 1, 1), 0),  # 00:01 on 1 Jan in Shanghai: today's
    ("2026-12-30T16:01:00+00:00", date(2027, 1, 1), 1),
])
def test_days_waiting_count_shanghai_days_across_the_year_end(requested_utc, today, days):
    assert waiting_days(requested_utc, today) == days
