"""Cases on the hub's pages in Chromium: the citizen's page /c/{token} (中文, English, 繁體, unknown), the supervisors'
panel against a hall seeded through the hub's commands, a 12345 case entered and an appeal decided through the
forms, the 台账 export opened with openpyxl, hostile text shown as text, and a form without its CSRF token refused."""
from __future__ import annotations

import io
import re

import pytest
import requests
from openpyxl import load_workbook
from sqlalchemy import func, select

from common.db.schema import AuditRow, CaseRow, EventRow
from common.domain.model import Outcome
from common.readmodels import caseledger
from common.usecases.casework import Desk
from tests.integration.http import post_form
from tests.web.conftest import PIN, SUPERVISOR

KEY = bytes(range(32))
HOSTILE = '=HYPERLINK("http://evil.example","<script>window.pwned=1</script>")'
SUP_ID = f"s1-{SUPERVISOR[0]}"


@pytest.fixture
def seeded(hall, live_hall):
    """Five cases at s1 through the hub's commands, on Thursday 26 Nov 2026, read two days later (Saturday)."""
    hub, desk = hall.hub, Desk(site_id="s1", clerk_id=SUP_ID)
    hub.contact_key = KEY
    kiosk, clerk1, pad = hall.actor("kiosk"), hall.actor("terminal1"), hall.actor("pad1")
    item = hall.items["A"]
    a = hub.open_case(kiosk, source="kiosk", cause="materials", text="材料清单和窗口说的不一样", item_id=item,
                      name="王小明", phone="13812345678").case
    hub.classify_case(desk, a.id, "general")
    hub.assign_case(desk, a.id, "区医保中心")
    hub.answer_case(desk, a.id, "done", "已协调窗口按清单受理，<b>请放心</b>")
    hub.follow_up_case(desk, a.id, True, True)
    b = hub.open_case(kiosk, source="kiosk", cause="policy", item_id=item).case
    hub.classify_case(desk, b.id, "immediate")  # due today: overdue once the clock moves on
    c = hub.open_case(desk, source="hotline", cause="system", item_id=item, text="网上预约系统打不开").case
    t = hub.issue_ticket(kiosk, item_id=item).ticket
    hub.call_next(clerk1, clerk1.window_id)
    hub.start(clerk1, clerk1.window_id)
    hub.finish(clerk1, clerk1.window_id, Outcome.completed)
    hub.rate(pad, t.id, 1, "等了很久没人管")
    with hub.engine.connect() as conn:
        d = conn.execute(select(CaseRow.id).where(CaseRow.kind == "rating")).scalar_one()
    hub.note_case(desk, d, "已电话联系办事人", contact_made=True)
    hub.answer_case(desk, d, "appeal", "监控显示办理时长正常，属误评")
    x = hub.open_case(kiosk, source="kiosk", cause="other", text="想在本中心办理出入境证件").case
    hub.classify_case(desk, x.id, "immediate")
    hall.clock.advance(days=2)
    hub.answer_case(desk, x.id, "cannot", "出入境证件须到区出入境接待大厅办理", legal_reason="出入境管理规定")
    return {"a": a, "b": b, "c": c, "d": d, "x": x, "desk": desk}


def sign_in(pages, lang: str = ""):
    page = pages.open("dashboard", "/dashboard/sign-in")
    page.fill("#staff_no", SUPERVISOR[0])
    page.fill("#pin", PIN)
    page.click("#sign-in")
    page.wait_for_selector("#kpis")
    page.click("#cases-link")
    page.wait_for_selector("#case-kpis")
    if lang:
        page.click("#lang")
        page.wait_for_selector("#case-kpis")
    return page


def events(hall) -> int:
    with hall.hub.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(EventRow)).scalar()


def test_the_citizens_case_page_says_where_it_stands(pages, hall, seeded):
    a, b = seeded["a"], seeded["b"]
    page = pages.open("phone", f"/c/{b.public_token}")
    assert page.inner_text("#number") == b.number
    assert page.inner_text("#headline") == "已超过办理期限（11月26日），我们已督促加快办理，并向您致歉"
    assert page.is_visible("#state.overdue")
    page.click("#lang")  # English
    assert page.inner_text("#headline").startswith("It is past its due date (Nov 26)")
    assert page.evaluate("document.documentElement.lang") == "en"

    page = pages.open("phone", f"/c/{a.public_token}?lang=en")
    assert page.inner_text("#headline") == "Closed" and page.inner_text("#detail") == "done"
    assert page.inner_text("#answer-text") == "已协调窗口按清单受理，<b>请放心</b>"  # the clerk's text, as text
    page.goto(f"{pages.url}/c/{a.public_token}")
    assert page.inner_text("#headline") == "已办结" and page.inner_text("#opened") == "11月26日登记"
    body = page.content()
    assert "王" not in body and "138" not in body and "5678" not in body  # nothing personal, not even masked

    page.goto(f"{pages.url}/c/{seeded['c'].public_token}?lang=zh_Hant")
    assert page.inner_text("#headline") == "已登記，等待分類"
    missing = requests.get(f"{pages.url}/c/no-such-token-at-all-here", timeout=10)
    assert missing.status_code == 404 and "找不到这件反映" in missing.text and "受理回执" in missing.text
    assert "application/json" not in missing.headers["content-type"]
    assert pages.foreign() == [] and pages.errors == []


def test_the_panel_shows_the_figures_of_the_seeded_hall(pages, hall, seeded):
    page = sign_in(pages)
    value = lambda key: page.get_attribute(f"#fig-{key}", "data-value")  # noqa: E731
    assert [value(k) for k in ("registered", "open", "answered", "overdue", "negative")] == ["5", "4", "3", "1", "1"]
    assert float(value("on_time")) == 0.667 and page.inner_text("#fig-on_time") == "66.7%"  # the "cannot" came late
    assert float(value("follow_up")) == 0.333 and float(value("satisfaction")) == 1.0
    assert float(value("rectified")) == 0.0  # the one 差评 was answered by an appeal
    assert page.inner_text("#causes li:first-child") == "其他\n2"
    assert page.inner_text("#repeats") == "事项A · 转医保研究 · 4 次"  # a, b, c and the 差评 of the same item
    rows = page.locator("#worklist tbody tr")
    assert rows.nth(0).get_attribute("data-number") == seeded["b"].number  # overdue first, red, and said in words
    assert "overdue" in rows.nth(0).get_attribute("class") and "超期" in rows.nth(0).inner_text()
    listed = [rows.nth(i).get_attribute("data-number") for i in range(rows.count())]
    assert seeded["a"].number not in listed and len(listed) == 4  # closed: off the list

    page.click("#lang")
    page.wait_for_selector("#case-kpis")
    assert "Answered on time" in page.inner_text("#case-kpis") and "Overdue" in page.inner_text("#worklist")
    assert pages.foreign() == []


def test_a_hotline_case_is_entered_shown_as_text_exported_and_its_contact_audited(pages, hall, seeded):
    page = sign_in(pages)
    page.select_option("#hotline-cause", "attitude")
    page.select_option("#hotline-item", hall.items["B"])
    page.fill("#hotline-name", "李四光")
    page.fill("#hotline-phone", "13900001111")
    page.fill("#hotline-text", HOSTILE)
    page.click("#hotline-submit")
    page.wait_for_selector("#facts")
    assert page.inner_text("#case-text") == HOSTILE and page.evaluate("window.pwned") is None
    assert page.inner_text("#contact-masked") == "李*光 139****1111"
    with hall.hub.engine.connect() as conn:
        row = conn.execute(select(CaseRow).where(CaseRow.source == "hotline", CaseRow.cause == "attitude")).one()
    assert row.text == HOSTILE and row.item_id == hall.items["B"] and "李四光" not in row.contact

    page.click("#show-contact button")  # in full: written to the audit log first
    assert page.inner_text("#contact-full") == "李四光 13900001111"
    page.goto(f"{pages.url}/dashboard/cases/audit")
    assert row.number in page.inner_text("#audit-log") and "办理联系" in page.inner_text("#audit-log")

    page.goto(f"{pages.url}/dashboard/cases")
    assert HOSTILE in page.inner_text("#worklist") and page.evaluate("window.pwned") is None
    with page.expect_download() as dl:
        page.click("#export-cases")
    assert re.fullmatch(r"cases-s1-\d{4}-\d\d-\d\d\.xlsx", dl.value.suggested_filename)
    book = load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    assert book.sheetnames == ["案件台账", "办理经过"]
    sheet = list(book["案件台账"].iter_rows(values_only=True))
    assert sheet[0] == tuple(h for _, h in caseledger.CASE_COLUMNS) and len(sheet) == 1 + 6
    by_number = {r[0]: dict(zip(sheet[0], r)) for r in sheet[1:]}
    mine = by_number[row.number]
    assert mine["反映内容"] == "'" + HOSTILE and mine["来源"] == "12345 转办" and mine["原因"] == "服务态度"
    assert (mine["联系人（脱敏）"], mine["联系电话（脱敏）"]) == ("李*光", "139****1111")
    closed = by_number[seeded["a"].number]
    assert (closed["状态"], closed["答复结果"], closed["承办单位"], closed["按期答复"], closed["回访满意"]) == \
        ("已办结", "办成", "区医保中心", "是", "是")
    assert by_number[seeded["b"].number]["超期"] == "是"
    cells = " ".join(str(v) for r in sheet for v in r) + " ".join(
        str(v) for r in book["办理经过"].iter_rows(values_only=True) for v in r)
    assert "李四光" not in cells and "13900001111" not in cells and "王小明" not in cells and "13812345678" not in cells
    history = list(book["办理经过"].iter_rows(values_only=True))
    with hall.hub.engine.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(EventRow).where(EventRow.kind.like("case_%"))).scalar()
    assert len(history) == 1 + stored and history[0] == tuple(h for _, h in caseledger.HISTORY_COLUMNS)
    steps_of_a = [r[3] for r in history[1:] if r[0] == seeded["a"].number]
    assert steps_of_a == ["登记", "定性", "转办", "答复", "回访"]
    assert all(not isinstance(v, str) or not v.startswith(("=", "+", "-", "@")) for r in sheet + history for v in r)
    assert pages.foreign() == []


def test_an_appeal_is_decided_through_its_form(pages, hall, seeded):
    page = sign_in(pages)
    page.goto(f"{pages.url}/dashboard/cases/{seeded['d']}")
    page.select_option("#form-appeal select[name=upheld]", "yes")
    page.fill("#form-appeal input[name=note]", "核实为误评")
    page.click("#form-appeal button")
    page.wait_for_selector("#history tr[data-kind=case_appeal_decided]")
    assert "申诉裁定" in page.inner_text("#history") and "核实为误评" in page.inner_text("#history")
    assert page.locator("#form-appeal").count() == 0  # decided once
    with hall.hub.engine.connect() as conn:
        assert conn.execute(select(CaseRow.appeal_upheld).where(CaseRow.id == seeded["d"])).scalar() is True
    page.goto(f"{pages.url}/dashboard/cases/{seeded['b'].id}")  # a refused step: the hub's reason, nothing written
    before = events(hall)
    page.select_option("#form-answer select[name=answer]", "cannot")
    page.fill("#form-answer textarea[name=text]", "不能办理")
    page.click("#form-answer button")  # "cannot" needs its legal basis
    from common.domain import errors as e

    assert page.inner_text("#error") == e.InvalidInput("case_legal_reason_required").zh
    assert events(hall) == before


def test_a_form_without_its_csrf_token_is_refused_and_nothing_written(live_hall, hall, seeded):
    url, http = live_hall.url, requests.Session()
    assert post_form(http, url, "/dashboard/sign-in", "/dashboard/sign-in",
                     {"site": "s1", "staff_no": SUPERVISOR[0], "pin": PIN}, allow_redirects=False).status_code == 303
    before = events(hall)
    with hall.hub.engine.connect() as conn:
        audits = conn.execute(select(func.count()).select_from(AuditRow)).scalar()
    for action, data in (("/dashboard/cases", {"cause": "other", "text": "伪造"}),
                         (f"/dashboard/cases/{seeded['d']}/appeal", {"upheld": "yes"}),
                         (f"/dashboard/cases/{seeded['a'].id}/contact", {"purpose": "handle"})):
        r = http.post(url + action, data=data, timeout=10, allow_redirects=False)
        assert r.status_code == 403 and "页面已过期" in r.text, action
        r = http.post(url + action, data={**data, "csrf": "a-forged-token-of-enough-length"}, timeout=10)
        assert r.status_code == 403, action
    assert events(hall) == before
    with hall.hub.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditRow)).scalar() == audits
    anonymous = requests.get(f"{url}/dashboard/cases.xlsx", timeout=10)
    assert anonymous.status_code == 401  # the ledger is for supervisors
    ok = post_form(http, url, "/dashboard/cases", "/dashboard/cases", {"cause": "other", "text": "正常登记"},
                   allow_redirects=False)
    assert ok.status_code == 303 and events(hall) == before + 1  # the same form with its token goes through
