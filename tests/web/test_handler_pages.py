"""The departments' page (/handler) in Chromium against a hub on loopback: a handler of 区医保中心 signs in, sees her
department's work list (overdue first, red and worded) and figures, opens a case, adds a note, shows the contact in
full (audited) and answers it; she never sees another department's case. Hostile input on the new doors: overlong
and control-character fields, forms without the CSRF token (403, nothing written), a supervisor's cookie on her
pages and hers on the supervisors' pages."""
from __future__ import annotations

import pytest
import requests
from sqlalchemy import func, select

from common.db.schema import AuditRow, CaseRow, EventRow
from common.domain import errors as e
from common.usecases import reference
from common.usecases.casework import Desk
from tests.integration.http import post_form
from tests.web.conftest import PIN, SUPERVISOR

KEY = bytes(range(32))
YB = "区医保中心"
HANDLER = ("H1", "医保经办")


@pytest.fixture
def seeded(hall, live_hall):
    """Three open cases of s1 on Thursday 26 Nov 2026, read on Monday 30th: `late` (即办, now overdue) and `mine`
    (一般) of 区医保中心, `other` of 区社保中心; and 区医保中心's handler H1."""
    hub, desk = hall.hub, Desk(site_id="s1", clerk_id=f"s1-{SUPERVISOR[0]}")
    hub.contact_key = KEY
    with hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no=HANDLER[0], name=HANDLER[1], pin=PIN, role="handler",
                               department=YB)
    kiosk, made = hall.actor("kiosk"), {}
    for name, department, cls in (("mine", YB, "general"), ("late", YB, "immediate"), ("other", "区社保中心", "general")):
        x = hub.open_case(kiosk, source="kiosk", cause="materials", item_id=hall.items["A"], text=f"反映{name}",
                          name="王小明", phone="13812345678").case
        hub.classify_case(desk, x.id, cls)
        hub.assign_case(desk, x.id, department)
        made[name] = x
    hall.clock.advance(days=4)
    return made


def sign_in(pages, staff_no: str = HANDLER[0], path: str = "/handler/sign-in"):
    page = pages.open("dashboard", path)
    page.fill("#staff_no", staff_no)
    page.fill("#pin", PIN)
    page.click("#sign-in")
    return page


def counts(hall) -> tuple[int, int]:
    with hall.hub.engine.connect() as conn:
        return (conn.execute(select(func.count()).select_from(EventRow)).scalar(),
                conn.execute(select(func.count()).select_from(AuditRow)).scalar())


def test_a_handler_signs_in_sees_her_list_and_answers_a_case(pages, hall, seeded):
    page = sign_in(pages)
    page.wait_for_selector("#case-kpis")
    assert page.url.endswith("/handler") and page.inner_text("#department") == YB
    value = lambda key: page.get_attribute(f"#fig-{key}", "data-value")  # noqa: E731
    assert [value(k) for k in ("open", "overdue", "answered", "on_time")] == ["2", "1", "0", ""]
    rows = page.locator("#worklist tbody tr")
    assert rows.count() == 2  # not 区社保中心's
    assert rows.nth(0).get_attribute("data-number") == seeded["late"].number  # overdue first, red, and in words
    assert "overdue" in rows.nth(0).get_attribute("class") and "超期" in rows.nth(0).inner_text()
    assert seeded["other"].number not in page.inner_text("#worklist")
    assert "王" not in page.content() and "13812345678" not in page.content()

    page.click(f"#worklist tr[data-number='{seeded['mine'].number}'] a")
    page.wait_for_selector("#history")
    assert page.locator("#form-classify, #form-assign, #form-follow-up, #form-appeal").count() == 0  # not her steps
    assert page.locator("#form-note, #form-extend, #form-answer").count() == 3
    assert page.inner_text("#contact-masked") == "王*明 138****5678"
    page.fill("#form-note input[name=note]", "已电话联系办事人")
    page.check("#form-note input[name=contact_made]")
    page.click("#form-note button")
    page.wait_for_selector("#history tr[data-kind=case_noted]")
    assert HANDLER[1] in page.inner_text("#history tr[data-kind=case_noted]")  # her name on her step
    page.click("#show-contact button")  # in full, for handling: audited first
    assert page.inner_text("#contact-full") == "王小明 13812345678"
    with hall.hub.engine.connect() as conn:
        assert conn.execute(select(AuditRow.clerk_id, AuditRow.purpose)).all() == [(f"s1-{HANDLER[0]}", "handle")]
    page.fill("#form-extend input[name=new_due]", "2026-12-10")
    page.fill("#form-extend input[name=reason]", "需向市医保局请示")
    page.check("#form-extend input[name=told]")
    page.click("#form-extend button")
    page.wait_for_selector("#history tr[data-kind=case_extended]")
    assert "需向市医保局请示" in page.inner_text("#history") and "2026-12-10" in page.inner_text("#facts")
    page.select_option("#form-answer select[name=answer]", "done")
    page.fill("#form-answer textarea[name=text]", "已为您办理医保关系转入")
    page.click("#form-answer button")
    page.wait_for_selector("#history tr[data-kind=case_answered]")
    assert "办成" in page.inner_text("#case-answer") and page.locator("#form-answer").count() == 0
    with hall.hub.engine.connect() as conn:
        assert conn.execute(select(CaseRow.status).where(CaseRow.id == seeded["mine"].id)).scalar() == "answered"

    page.click("#lang")  # English
    page.wait_for_selector("#history")
    assert "Answered" in page.inner_text("#history") and page.evaluate("document.documentElement.lang") == "en"
    page.click("#back")
    page.wait_for_selector("#case-kpis")
    assert "My department's cases" in page.inner_text("h1") and page.get_attribute("#fig-answered", "data-value") == "1"
    assert pages.errors == []
    page.goto(f"{pages.url}/handler/cases/{seeded['other'].id}")  # another department's case: not found to her
    assert "找不到该案件" in page.inner_text("body") and seeded["other"].number not in page.content()
    page.goto(f"{pages.url}/handler")
    page.click("#sign-out button")
    page.wait_for_selector("#sign-in")
    assert page.url.endswith("/handler/sign-in")
    assert pages.foreign() == []


def test_the_supervisors_sign_in_sends_a_handler_to_her_page_and_back(pages, hall, seeded):
    page = sign_in(pages, path="/dashboard/sign-in")
    page.wait_for_selector("#case-kpis")
    assert page.url.endswith("/handler")
    for path in ("/dashboard", "/dashboard/cases", f"/dashboard/cases/{seeded['mine'].id}", "/dashboard/cases/audit"):
        page.goto(pages.url + path)  # the supervisors' pages are not hers: said in both languages
        assert "承办单位经办人不能进行此项操作" in page.inner_text("body"), path
        assert "A department's handler may not do this" in page.inner_text("body"), path


def test_her_doors_refuse_hostile_input_and_write_nothing(live_hall, hall, seeded):
    url, http, mine = live_hall.url, requests.Session(), seeded["mine"].id
    assert post_form(http, url, "/handler/sign-in", "/handler/sign-in",
                     {"site": "s1", "staff_no": HANDLER[0], "pin": PIN}, allow_redirects=False).headers["location"] == "/handler"
    before = counts(hall)
    for step, data in (("note", {"note": "伪造"}), ("answer", {"answer": "done", "text": "伪造"}),
                       ("contact", {"purpose": "handle"}), ("extend", {"new_due": "2026-12-10", "reason": "x", "told": "yes"})):
        r = http.post(f"{url}/handler/cases/{mine}/{step}", data=data, timeout=10, allow_redirects=False)
        assert r.status_code == 403 and "页面已过期" in r.text, step  # no CSRF field
        r = http.post(f"{url}/handler/cases/{mine}/{step}", data={**data, "csrf": "a-forged-token-of-enough-length"},
                      timeout=10)
        assert r.status_code == 403, step
    page = f"/handler/cases/{mine}"
    for step, data, key in (("note", {"note": "a" * 501}, "case_note_required"),
                            ("note", {"note": "记录\x00内容"}, "case_text_control"),
                            ("answer", {"answer": "done", "text": "答\x07复"}, "case_text_control"),
                            ("extend", {"new_due": "12/10/2026", "reason": "等", "told": "yes"}, "case_due_form"),
                            ("extend", {"new_due": "2026-12-10", "reason": "等", "told": "no"}, "case_extend_tell_citizen"),
                            ("contact", {"purpose": "follow_up"}, "handler_not_allowed"),
                            ("classify", {"case_class": "complex"}, "handler_not_allowed"),
                            ("assign", {"department": "区社保中心"}, "handler_not_allowed"),
                            ("follow-up", {"reached": "yes"}, "handler_not_allowed"),
                            ("appeal", {"upheld": "yes"}, "handler_not_allowed"),
                            ("whatever", {}, "no_case")):
        r = post_form(http, url, page, f"{page}/{step}", data)
        expected = e.HaobanError(key, limit=500)
        assert expected.zh in r.text, (step, key)  # in the page's language; a refusal in both
        assert r.status_code in (403, 404, 409, 422), (step, r.status_code)
        assert r.status_code == 422 or expected.en.replace("'", "&#39;") in r.text, (step, key)
    r = post_form(http, url, page, f"/handler/cases/{seeded['other'].id}/note", {"note": "看看"})
    assert r.status_code == 404 and seeded["other"].number not in r.text  # another department's: she learns nothing
    r = post_form(http, url, page, f"/handler/cases/{'x' * 5000}/note", {"note": "长"})
    assert r.status_code == 404
    r = http.post(f"{url}{page}/note", data={"note": "长" * 5000, "csrf": http.cookies["haoban_csrf"]}, timeout=10)
    assert r.status_code == 422  # the form body itself is bounded
    assert counts(hall) == before
    for path in ("/dashboard/cases.xlsx", "/dashboard/data"):  # her cookie on the supervisors' data: 403, a code
        r = http.get(url + path, timeout=10)
        assert r.status_code == 403 and r.json()["message_en"] == "A department's handler may not do this", path

    sup = requests.Session()  # a supervisor's cookie on her pages
    post_form(sup, url, "/dashboard/sign-in", "/dashboard/sign-in", {"site": "s1", "staff_no": SUPERVISOR[0], "pin": PIN})
    for path in ("/handler", f"/handler/cases/{mine}"):
        r = sup.get(url + path, timeout=10)
        assert r.status_code == 403 and "本页面仅供承办单位经办人使用" in r.text, path
    r = post_form(sup, url, "/dashboard/cases", f"/handler/cases/{mine}/note", {"note": "主管借道"})
    assert r.status_code == 403
    anonymous = requests.get(f"{url}/handler", timeout=10, allow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"] == "/handler/sign-in"
    assert counts(hall) == before
    ok = post_form(http, url, page, f"{page}/note", {"note": "正常记录"}, allow_redirects=False)
    assert ok.status_code == 303 and counts(hall)[0] == before[0] + 1  # the same form with its token goes through


def test_her_sign_in_door_refuses_hostile_input_and_opens_no_session(live_hall, hall, seeded):
    from common.db.schema import WebSessionRow

    url, http = live_hall.url, requests.Session()

    def sessions() -> int:
        with hall.hub.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(WebSessionRow)).scalar()

    r = http.post(f"{url}/handler/sign-in", data={"site": "s1", "staff_no": HANDLER[0], "pin": PIN}, timeout=10)
    assert r.status_code == 403 and "页面已过期" in r.text and sessions() == 0  # no CSRF field: not even tried
    for fields in ({"site": "s1", "staff_no": HANDLER[0] + "\x00", "pin": PIN},
                   {"site": "s1" * 500, "staff_no": HANDLER[0], "pin": PIN},
                   {"site": "s1", "staff_no": "H" * 3000, "pin": PIN},
                   {"site": "s1", "staff_no": "C1", "pin": PIN}):  # a plain clerk: no web session, as before
        r = post_form(http, url, "/handler/sign-in", "/handler/sign-in", fields, allow_redirects=False)
        assert r.status_code in (401, 422) and "haoban_session" not in r.cookies, fields
        assert "承办单位经办人登录" in r.text or "过长" in r.text, fields  # her form again, or the form is too long
    assert sessions() == 0  # (four failures from one address: a fifth would start its back-off)
    ok = post_form(http, url, "/handler/sign-in", "/handler/sign-in", {"site": "s1", "staff_no": HANDLER[0], "pin": PIN},
                   allow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/handler" and sessions() == 1
    r = http.post(f"{url}/handler/sign-out", data={}, timeout=10, allow_redirects=False)
    assert r.status_code == 403 and sessions() == 1  # no other site's page signs her out
    r = post_form(http, url, "/handler", "/handler/sign-out", {}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/handler/sign-in"
    assert http.get(f"{url}/handler", timeout=10, allow_redirects=False).status_code == 303  # signed out
