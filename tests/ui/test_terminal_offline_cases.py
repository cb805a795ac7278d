"""A case registered at the terminal while the hub is away (manual mode; docs/cases.md "Where a case comes from"), on
offscreen Qt windows against a real hub on loopback: at the 办不成事 window (F1) and of a walk-in refused in manual mode
(F11), kept on the terminal with the contact sealed to the hub's public key, said to the clerk in Chinese and English,
and at the hub exactly once after the link is back, even when pushed twice."""
from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from sqlalchemy import insert, select

from common.db.schema import CaseRow
from common.domain import contact
from common.sync.store import OUTBOX
from qtbase.probes import wait_for
from tests.ui.test_terminal_cases import NAME, PHONE, open9
from tests.ui.test_terminal_cases import hall9 as hall9  # noqa: F401 - the fixture

BOX = os.urandom(32)


def cases(world) -> list:
    with world.hub.engine.connect() as conn:
        return conn.execute(select(CaseRow)).all()


def outbox(client) -> list[dict]:
    with client.store.engine.connect() as conn:
        return [r.wire for r in conn.execute(select(OUTBOX).order_by(OUTBOX.c.pos))]


def keyed(d, world):
    """The desk once it holds the hub's public key (with the reference data of its first syncs)."""
    wait_for(lambda: d.desk.client.store.tables().get("case_box"), timeout=30)
    return d


def test_at_the_cases_window_a_case_registered_offline_reaches_the_hub_once(hall9, tmp_path):
    world, live = hall9
    world.hub.box_key = BOX
    d = keyed(open9(tmp_path, world, live), world)
    try:
        d.sign_in("C9")
        wait_for(lambda: d.window.pages.currentWidget() is d.window.cases_page)
        live.stop(cut=True)
        notice = d.window.cases_page.notice
        wait_for(lambda: notice.isVisible())
        d.key(Qt.Key_F1)
        form = d.dialog("registerDialog")
        form.cause.setCurrentRow(1)
        form.text.setPlainText("系统提示材料缺失，窗口说材料齐全")
        form.name.setText(NAME)
        form.phone.setText(PHONE)
        form.confirm()
        wait_for(lambda: "已在本机登记" in d.model.cases.message)
        ((wire,),) = [outbox(d.desk.client)]
        number = wire["d"]["number"]
        assert number in d.model.cases.message and "恢复连接后自动上传服务端" in d.model.cases.message
        assert (wire["k"], wire["d"]["source"], wire["c"]) == ("case_opened", "window", "s1-C9")
        assert wire["d"]["contact"].startswith("b1.") and PHONE not in str(wire) and NAME not in str(wire)
        assert cases(world) == []
        d.model.toggleLanguage()
        d.model.cases.render()
        assert d.model.cases.registered({"number": number, "offline": True}).startswith(f"Registered {number} on this")

        live.start()  # the link is back: the case goes with the next sync, and shows in the list
        wait_for(lambda: d.desk.client.store.backlog() == 0 and len(cases(world)) == 1, timeout=30)
        (row,) = cases(world)
        assert (row.number, row.source, row.contact) == (number, "window", wire["d"]["contact"])
        assert world.hub.masked_contact(row.contact) == {"name": "王*明", "phone": "138****5678"}
        assert contact.unseal(world.hub.contact_key, row.contact, BOX) == contact.Contact(NAME, PHONE)
        wait_for(lambda: d.table.rowCount() == 1, timeout=30)
        assert number in d.everything_listed() and PHONE not in d.everything_listed()
        with d.desk.client.store.engine.begin() as conn:  # pushed again, as after a lost acknowledgement
            conn.execute(insert(OUTBOX).values(id=wire["i"], wire=wire))
        wait_for(lambda: d.desk.client.store.backlog() == 0, timeout=30)
        assert len(cases(world)) == 1 and d.desk.client.status.set_aside == 0
    finally:
        d.desk.close()


def test_a_walk_in_refused_in_manual_mode_is_offered_and_registered_as_a_case(hall9, tmp_path):
    world, live = hall9
    world.hub.box_key = BOX
    d = keyed(open9(tmp_path, world, live, code="terminal1", name="t1"), world)
    try:
        d.sign_in("C1")
        wait_for(lambda: d.model.loaded is not None)
        d.desk.client.sync_once()  # leases for manual mode
        live.stop(cut=True)
        wait_for(lambda: not d.model.online)
        offer = d.window.serve_page.register_rejection
        item = d.model.manual_items()[0]["id"]
        d.model.walk_in(item, "rejected", "材料不符合法定形式")
        wait_for(lambda: offer.isVisible())
        d.key(Qt.Key_F11)
        form = d.dialog("registerDialog")
        walk_in = d.model.rejected["number"]
        assert walk_in in form.findChild(QLabel, "registerSource").text()
        form.cause.setCurrentRow(0)
        form.phone.setText(PHONE)
        form.confirm()
        wait_for(lambda: not offer.isVisible())
        assert "已在本机登记" in d.label("message")
        kinds = [w["k"] for w in outbox(d.desk.client)]
        assert kinds == ["ticket_issued", "ticket_called", "service_started", "service_finished", "case_opened"]
        live.start()
        wait_for(lambda: d.desk.client.store.backlog() == 0 and len(cases(world)) == 1, timeout=30)
        (row,) = cases(world)
        with world.hub.engine.connect() as conn:
            ticket = conn.execute(select(CaseRow.ticket_id)).scalar()
            number = conn.execute(select(CaseRow.number)).scalar()
        assert (row.source, row.item_id, row.ticket_id) == ("rejection", item, ticket) and number in d.label("message")
        assert world.hub.masked_contact(row.contact)["phone"] == "138****5678"
        assert d.desk.client.status.set_aside == 0
    finally:
        d.desk.close()


def test_a_terminal_without_the_hubs_key_registers_without_the_contact_and_says_so(hall9, tmp_path):
    world, live = hall9  # the hub has no box key: its devices get none
    d = open9(tmp_path, world, live)
    try:
        d.sign_in("C9")
        live.stop(cut=True)
        d.key(Qt.Key_F1)
        form = d.dialog("registerDialog")
        form.phone.setText(PHONE)
        form.confirm()
        wait_for(lambda: "已在本机登记" in d.model.cases.message)
        assert "未能保存姓名和电话" in d.model.cases.message
        ((wire,),) = [outbox(d.desk.client)]
        assert wire["d"]["contact"] is None and PHONE not in str(wire)
    finally:
        d.desk.close()
