"""The terminal's side of 办不成事 cases (docs/cases.md), on offscreen Qt windows against a real hub on loopback:
the 办不成事 window's work list (order, red and worded marks), a case worked to its close through the forms, a
refusal shown in both languages with the typed text kept, the offer after a refusal (不予受理) at any window, the
full contact only in its dialog, and the page while the hub is away."""
from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QLineEdit, QPlainTextEdit, QTableWidget
from sqlalchemy import func, select, text

from common.db.schema import AuditRow, CaseRow
from common.domain.model import Role
from common.usecases import auth, reference
from qtbase.probes import wait_for
from tests.ui.test_terminal import open_desk
from tests.world import PIN

KEY = bytes(range(32))
NAME, PHONE = "王小明", "13812345678"


@pytest.fixture
def hall9(hall):
    """The test hall with a 办不成事 window (9, queue D) and its clerk C9, as tests/integration/test_cases_hub.py."""
    world, live = hall
    with world.hub.engine.begin() as c:
        q = world.queues["D"] = reference.create_queue(c, site_id="s1", letter="D", name="办不成事")
        world.windows[9] = reference.create_window(c, site_id="s1", number=9, name="办不成事反映窗口", kind="cases",
                                                   queue_ids=[q])
        reference.create_clerk(c, site_id="s1", staff_no="C9", name="处理人", pin=PIN)
        for code in ("terminal9", "supervisor9"):  # the desk's, and the hub-side actor's that sets the scene
            world.codes[code] = auth.create_enrolment_code(c, site_id="s1", role=Role.terminal, name=code,
                                                           now=world.clock.now(), window_id=world.windows[9])
    world.hub.contact_key = KEY
    return world, live


class Desk9:
    """A desk (terminal only) and what the tests read off it."""

    def __init__(self, world, live, desk):
        self.world, self.live, self.desk, self.window, self.model = world, live, desk, desk.window, desk.model
        self.table = self.window.findChild(QTableWidget, "cases")

    def key(self, key):
        wait_for(lambda: QApplication.activeModalWidget() is None)
        self.window.activateWindow()
        assert QTest.qWaitForWindowActive(self.window)
        QTest.keyClick(self.window, key)

    def dialog(self, name):
        wait_for(lambda: self.window.findChild(QDialog, name) is not None and self.window.findChild(QDialog, name).isVisible())
        return self.window.findChild(QDialog, name)

    def sign_in(self, staff_no):
        self.window.findChild(QLineEdit, "staffNo").setText(staff_no)
        self.window.findChild(QLineEdit, "pin").setText(PIN)
        self.window.sign_in()
        wait_for(lambda: self.window.pages.currentIndex() != 0)

    def cells(self, column):
        return [self.table.item(r, column).text() for r in range(self.table.rowCount())]

    def everything_listed(self):
        return " ".join(self.table.item(r, c).text() for r in range(self.table.rowCount()) for c in range(7))

    def label(self, name):
        return self.window.findChild(QLabel, name).text()

    def case(self, case_id):
        with self.world.hub.engine.connect() as conn:
            return conn.execute(select(CaseRow).where(CaseRow.id == case_id)).one()


def open9(tmp_path, world, live, code="terminal9", name="t9"):
    desk = open_desk(tmp_path, world, live, code=code, name=name)
    wait_for(lambda: desk.client.status.online, timeout=30)
    return Desk9(world, live, desk)


@pytest.fixture
def at9(hall9, tmp_path):
    world, live = hall9
    d = open9(tmp_path, world, live)
    yield d
    d.desk.close()


def test_the_work_list_most_urgent_first_with_overdue_and_due_soon_red_and_worded(at9):
    d, hub = at9, at9.world.hub
    desk = d.world.actor("supervisor9")
    kiosk = d.world.actor("kiosk")
    # Thursday 26 Nov 2026: made in the reverse of the order they are to be listed
    waiting = hub.open_case(kiosk, source="kiosk", cause="other").case  # not classified: no due day yet
    complex_ = hub.open_case(kiosk, source="kiosk", cause="policy").case
    hub.classify_case(desk, complex_.id, "complex")
    general = hub.open_case(kiosk, source="kiosk", cause="system").case
    assert hub.classify_case(desk, general.id, "general").case.due_day == "2026-12-03"
    immediate = hub.open_case(kiosk, source="kiosk", cause="materials").case
    hub.classify_case(desk, immediate.id, "immediate")
    hub.assign_case(desk, immediate.id, "区医保中心")
    d.world.clock.advance(days=6)  # Wednesday 2 Dec: the 即办 one is overdue, the 一般 one due tomorrow
    d.sign_in("C9")
    assert d.window.pages.currentWidget() is d.window.cases_page  # a 办不成事 window opens on its cases
    wait_for(lambda: d.table.rowCount() == 4)
    assert d.cells(1) == [immediate.number, general.number, complex_.number, waiting.number]
    assert d.cells(0) == ["已超期", "即将到期", "", ""]  # in words, not only in colour
    red = [[d.table.item(r, c).foreground().color() == Qt.red for c in range(7)] for r in range(4)]
    assert red == [[True] * 7, [True] * 7, [False] * 7, [False] * 7]
    assert d.cells(4) == ["办理中", "办理中", "办理中", "待定性"] and d.cells(2) == ["办不成事"] * 4
    assert d.cells(3)[0] == "材料原因" and d.cells(6)[0] == "区医保中心" and d.cells(5)[0] == "2026-11-26"
    assert d.cells(5)[3] == "—"
    d.key(Qt.Key_F12)  # the queue page and back
    wait_for(lambda: d.window.pages.currentWidget() is d.window.serve_page)
    d.model.toggleLanguage()
    d.key(Qt.Key_F12)
    wait_for(lambda: d.window.pages.currentWidget() is d.window.cases_page)
    assert d.cells(0)[:2] == ["Overdue", "Due soon"] and d.cells(4)[3] == "To classify"


def test_a_case_registered_classified_answered_and_followed_up_to_its_close_through_the_forms(at9):
    d = at9
    d.sign_in("C9")
    wait_for(lambda: "暂无待办案件" in d.label("casesNotice"))
    d.key(Qt.Key_F1)
    form = d.dialog("registerDialog")
    assert "窗口反映" in form.findChild(QLabel, "registerSource").text()
    form.cause.setCurrentRow(2)  # 材料原因
    form.text.setPlainText("网上说明和窗口要求的材料不一致")
    form.name.setText(NAME)
    form.phone.setText(PHONE)
    form.confirm()
    wait_for(lambda: d.table.rowCount() == 1)
    number = d.cells(1)[0]
    assert number.startswith("BC") and number in d.label("casesMessage") and d.cells(4) == ["待定性"]
    with d.world.hub.engine.connect() as conn:
        row = conn.execute(select(CaseRow)).one()
    assert (row.source, row.cause, row.text) == ("window", "materials", "网上说明和窗口要求的材料不一致")
    detail = d.window.cases_page.detail
    wait_for(lambda: any("王*明" in detail.item(i).text() for i in range(detail.count())))

    d.key(Qt.Key_F2)
    form = d.dialog("classifyDialog")
    form.case_class.setCurrentRow(1)  # 一般
    form.confirm()
    wait_for(lambda: d.cells(4) == ["办理中"] and d.cells(5) == ["2026-12-03"])
    d.key(Qt.Key_F3)
    form = d.dialog("assignDialog")
    form.department.setText("区医保中心")
    form.confirm()
    wait_for(lambda: d.cells(6) == ["区医保中心"])
    d.key(Qt.Key_F6)
    form = d.dialog("answerDialog")
    assert [form.answer.item(i).text() for i in range(3)] == ["办成", "部分办成", "不能办理（须写明法律依据）"]
    form.text.setPlainText("已协调按网上清单受理")
    form.confirm()
    wait_for(lambda: d.cells(4) == ["已答复，待回访"])
    d.key(Qt.Key_F7)
    form = d.dialog("followUpDialog")
    form.result.setCurrentRow(0)  # reached, satisfied
    form.confirm()
    wait_for(lambda: d.table.rowCount() == 0)
    found = d.case(row.id)
    assert (found.status, found.answer, found.satisfied) == ("closed", "done", True)
    def lines():
        return [detail.item(i).text() for i in range(detail.count())]

    wait_for(lambda: any("已办结" in x for x in lines()))  # the closed case's details follow, with its history
    lines = lines()
    assert any("已办结" in x for x in lines) and any("回访：已联系上，办事人满意" in x for x in lines)
    assert any("转办：区医保中心" in x for x in lines) and any("定性：一般" in x for x in lines)


def test_a_refusal_is_shown_in_both_languages_and_keeps_what_was_typed(at9):
    d, hub = at9, at9.world.hub
    x = hub.open_case(d.world.actor("kiosk"), source="kiosk", cause="policy").case
    hub.classify_case(d.world.actor("supervisor9"), x.id, "general")
    d.sign_in("C9")
    wait_for(lambda: d.table.rowCount() == 1 and d.model.cases.opened == x.id)
    d.key(Qt.Key_F6)
    form = d.dialog("answerDialog")
    form.answer.setCurrentRow(2)  # 不能办理, without its legal reason
    form.text.setPlainText("该事项本中心无权办理")
    form.confirm()
    error = form.findChild(QLabel, "formError")
    wait_for(lambda: "法律依据" in error.text())
    assert error.text() == "答复“不能办理”须写明法律依据\nA \"cannot be done\" answer needs its legal reason"
    assert form.isVisible() and form.ok.isEnabled()
    assert form.findChild(QPlainTextEdit, "answerText").toPlainText() == "该事项本中心无权办理"
    assert form.answer.currentRow() == 2 and d.case(x.id).status == "open"
    form.legal.setText("《上海市医疗保障条例》第十条")
    form.confirm()
    wait_for(lambda: d.case(x.id).status == "answered")
    wait_for(lambda: not form.isVisible() if _alive(form) else True)
    assert d.case(x.id).negative_reported


def _alive(widget) -> bool:
    try:
        widget.isVisible()
        return True
    except RuntimeError:  # deleted on close
        return False


def test_the_full_contact_only_in_its_dialog_never_in_the_list(at9, caplog):
    d, hub = at9, at9.world.hub
    caplog.set_level(logging.DEBUG)
    x = hub.open_case(d.world.actor("kiosk"), source="kiosk", cause="attitude", name=NAME, phone=PHONE).case
    d.sign_in("C9")
    wait_for(lambda: d.table.rowCount() == 1)
    detail = d.window.cases_page.detail
    wait_for(lambda: any("138****5678" in detail.item(i).text() for i in range(detail.count())))
    with hub.engine.connect() as conn:
        audits = conn.execute(select(func.count()).select_from(AuditRow)).scalar()
    d.key(Qt.Key_F8)
    form = d.dialog("contactDialog")
    form.purpose.setCurrentRow(1)  # for the follow-up call
    form.confirm()
    shown = form.findChild(QLabel, "contactFull")
    wait_for(lambda: PHONE in shown.text())
    assert NAME in shown.text() and form.isVisible()
    with hub.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditRow)).scalar() == audits + 1
        assert conn.execute(text("select purpose from audit_log")).scalar() == "follow_up"
    listed = d.everything_listed() + " ".join(detail.item(i).text() for i in range(detail.count()))
    assert NAME not in listed and PHONE not in listed and "王*明" in listed
    assert PHONE not in " ".join(str(vars(d.model.cases)))  # not kept in the page's state either
    assert not [r for r in caplog.records if PHONE in r.getMessage() or NAME in r.getMessage()]
    form.reject()
    assert x.number in d.everything_listed()


def test_after_a_refusal_at_any_window_the_service_is_offered_as_a_case(hall9, tmp_path):
    world, live = hall9
    d = open9(tmp_path, world, live, code="terminal1", name="t1")
    try:
        d.sign_in("C1")
        wait_for(lambda: d.model.loaded is not None)
        offer = d.window.serve_page.register_rejection
        assert not d.window.serve_page.to_cases.isVisible() and not offer.isVisible()
        d.key(Qt.Key_F12)  # not a 办不成事 window: no cases page
        assert d.window.pages.currentWidget() is d.window.serve_page
        t = world.hub.issue_ticket(world.actor("kiosk"), item_id=world.items["A"]).ticket
        d.key(Qt.Key_F1)
        wait_for(lambda: d.label("currentTicket") == t.number)
        d.key(Qt.Key_F3)
        wait_for(lambda: (d.model.loaded["window"]["current"] or {}).get("started_at"))
        d.key(Qt.Key_F4)
        form = d.dialog("finishDialog")
        form.outcome.setCurrentRow(4)
        form.reason.setText("材料不符合法定形式")
        form.confirm()
        wait_for(lambda: offer.isVisible())
        d.key(Qt.Key_F11)
        form = d.dialog("registerDialog")
        assert t.number in form.findChild(QLabel, "registerSource").text()
        form.cause.setCurrentRow(0)
        form.text.setPlainText("办事人认为材料齐全")
        form.confirm()
        wait_for(lambda: not offer.isVisible())
        with world.hub.engine.connect() as conn:
            row = conn.execute(select(CaseRow)).one()
        assert (row.source, row.ticket_id, row.cause, row.item_id) == ("rejection", t.id, "policy", world.items["A"])
        assert row.number in d.label("message")
    finally:
        d.desk.close()


def test_while_the_hub_is_away_the_page_says_cases_need_it_and_comes_back_with_it(at9):
    d, hub = at9, at9.world.hub
    kiosk = d.world.actor("kiosk")
    x = hub.open_case(kiosk, source="kiosk", cause="other").case
    d.sign_in("C9")
    wait_for(lambda: d.table.rowCount() == 1)
    notice = d.window.cases_page.notice
    assert not notice.isVisible()
    d.live.stop(cut=True)
    wait_for(lambda: notice.isVisible() and "须连接服务端" in notice.text())
    assert not d.table.isEnabled()
    d.key(Qt.Key_F4)  # a note while the hub is away: not sent, nothing typed lost
    form = d.dialog("noteDialog")
    form.note.setPlainText("已电话联系")
    form.confirm()
    error = form.findChild(QLabel, "formError")
    wait_for(lambda: "未提交" in error.text() and "nothing was sent" in error.text())
    assert form.note.toPlainText() == "已电话联系"
    form.reject()
    y = hub.open_case(kiosk, source="kiosk", cause="system").case  # while we could not see
    d.live.start()
    wait_for(lambda: d.table.rowCount() == 2 and not notice.isVisible(), timeout=30)
    assert sorted(d.cells(1)) == sorted([x.number, y.number]) and d.table.isEnabled()
