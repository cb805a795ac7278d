"""The kiosk's 办不成事 button driven like a citizen would: taps by object name on the real Qt Quick window, the demo
hub on loopback, the simulated printer. The printed 受理回执's QR code and the one on screen are read back by the
real decoder and must open the case's page; a refusal is said in Chinese and English. With the network cut the case is
registered on the kiosk, said so on screen and receipt, and reaches the hub once with the next sync."""
from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtGui import QImage
from sqlalchemy import insert, select, text

from common.devices.printer import FS_CHINESE_ON, OFFLINE_LINES, PHONE_LOST_LINES
from common.devices.scanner import best_decoder
from common.domain import cases as c
from common.domain import contact
from common.sync.store import OUTBOX
from devtools.harness import Harness, mid_morning
from devtools.receipts import printed_qr_texts

PUBLIC = "https://haoban.qingpu.example"  # the kiosk's public base URL (kiosk.toml public_url)


@pytest.fixture
def kiosk(tmp_path):
    h = Harness(tmp_path, clock=mid_morning(), public_url=PUBLIC)
    yield h
    h.close()


def cases(kiosk) -> list:
    with kiosk.hub.engine.connect() as conn:
        return list(conn.execute(text("select number, source, cause, text, item_id, contact, public_token from cases")).all())


def report(kiosk, matter: str = "caseMatter_0", cause: str = "caseCause_materials", phone: str | None = "13812345678",
           words: tuple[int, ...] = ()) -> None:
    """Tap through to the confirm screen."""
    kiosk.tap("casesButton")
    assert kiosk.screen() == "case_matter" and kiosk.visible("caseOtherMatter")
    kiosk.tap(matter)
    assert kiosk.screen() == "case_cause"
    kiosk.tap(cause)
    assert kiosk.screen() == "case_phone"
    if phone is None:
        kiosk.tap("caseSkipPhone")
    else:
        for digit in phone:
            kiosk.tap(f"caseKey_{digit}")
        kiosk.tap("casePhoneNext")
    assert kiosk.screen() == "case_words"
    for n in words:
        kiosk.tap(f"caseWord_{n}")
    kiosk.tap("caseWordsNext")
    assert kiosk.screen() == "case_confirm"


def screen_qr(kiosk) -> str:
    kiosk.wait_for(lambda: kiosk.item("caseQr").property("implicitWidth") > 100)
    shot = kiosk.view.grabWindow().convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(shot.constBits(), np.uint8).reshape(shot.height(), shot.bytesPerLine())[:, :shot.width()]
    (url,) = best_decoder().decode(np.ascontiguousarray(pixels))
    return url


def test_a_case_from_matter_to_printed_receipt_whose_qr_opens_its_page(kiosk, tmp_path):
    kiosk.hub.staff_window("cases")  # a clerk at the 办不成事 window: a ticket for it is offered
    report(kiosk, words=(0, 2))
    assert kiosk.item("caseSummary_2").property("text") == "138****5678"  # masked, even to the citizen's neighbours
    kiosk.grab(tmp_path / "confirm.png")
    kiosk.tap("caseSubmit")
    kiosk.model.caseSubmit()  # a second tap while the first is on its way registers nothing more
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    ((number, source, cause, words, item_id, contact, token),) = cases(kiosk)
    assert (source, cause, item_id) == ("kiosk", "materials", "qp-centre-YB-01")
    assert words == "已经来了好几次，还是没办成；希望尽快有人联系我"
    assert contact.startswith("v1.") and "13812345678" not in contact  # sealed by the hub
    assert kiosk.item("caseNumber").property("text") == number
    url = f"{PUBLIC}/c/{token}"
    out = kiosk.printer.device.output
    assert printed_qr_texts(out) == [url]  # the printed code, read back by the real decoder
    assert screen_qr(kiosk) == url  # and the one on screen
    for line in ("办不成事反映 受理回执", "反映事项：医保卡（社保卡）补领", "问题类型：材料要求不清楚", "一般问题 5 个工作日内",
                 "我们将在上述期限内联系您（138****5678）"):
        assert FS_CHINESE_ON + line.encode("gb18030") in out, line
    assert FS_CHINESE_ON + number.encode() in out
    assert "5 个工作日内" in kiosk.item("caseReply").property("text") and kiosk.model.view["case_done"]["printed"]
    assert kiosk.client.transport.call("GET", f"/public/cases/{token}")["number"] == number  # the page's data
    assert "13812345678" not in str(kiosk.model.view)  # the number is not kept on screen after the case
    kiosk.grab(tmp_path / "done.png")

    # then a ticket for the 办不成事 window, as any ticket, with its usual receipt
    kiosk.printer.device.clear()
    kiosk.tap("caseWindowTicket")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    ticket = kiosk.model.view["ticket"]
    assert ticket["number"].startswith("H") and ticket["item"] == "办不成事反映"
    with kiosk.hub.engine.connect() as conn:
        queue = conn.execute(text("select queue_id from tickets where number = :n"), {"n": ticket["number"]}).scalar()
        served_by = conn.execute(text("select w.kind from window_queues wq join windows w on w.id = wq.window_id"
                                      " where wq.queue_id = :q"), {"q": queue}).scalars().all()
    assert served_by == ["cases"]
    assert "请留意叫号".encode("gb18030") in kiosk.printer.device.output


def test_skip_the_phone_and_choose_other_matter(kiosk):
    kiosk.tap("casesButton")
    kiosk.tap("caseOtherMatter")
    kiosk.tap("caseCause_system")
    for digit in "1381234":  # too short: said, and the flow waits
        kiosk.tap(f"caseKey_{digit}")
    kiosk.tap("casePhoneNext")
    assert kiosk.screen() == "case_phone" and kiosk.item("casePhoneError").property("text").startswith("手机号码是以 1 开头")
    kiosk.tap("caseKey_del")
    assert kiosk.model.view["case"]["phone"] == "138123"
    kiosk.tap("caseSkipPhone")
    kiosk.tap("caseWordsNext")
    assert kiosk.item("caseSummary_0").property("text") == "其他事项"
    assert kiosk.item("caseSummary_2").property("text") == "未填"
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    ((_number, source, cause, words, item_id, contact, _token),) = cases(kiosk)
    assert (source, cause, words, item_id, contact) == ("kiosk", "system", None, None, None)
    out = kiosk.printer.device.output
    assert "反映事项：其他事项".encode("gb18030") in out and "您未留电话，答复请扫码查看".encode("gb18030") in out
    assert "请扫码查看" in kiosk.item("caseReply").property("text")


def test_back_keeps_what_was_chosen(kiosk):
    report(kiosk, matter="caseMatter_1", phone="13900001111", words=(1,))
    kiosk.tap("backButton")
    assert kiosk.screen() == "case_words" and kiosk.model.view["case"]["words"] == ["case_word_which_department"]
    kiosk.tap("backButton")
    assert kiosk.screen() == "case_phone" and kiosk.item("casePhoneShown").property("text") == "139 0000 1111"
    kiosk.tap("homeButton")
    assert kiosk.model.view["case"] == {} and "13900001111" not in str(kiosk.model.view)


def test_a_refusal_is_shown_in_both_languages_and_nothing_is_lost(kiosk, tmp_path):
    reference = kiosk.client.store.get("reference")  # the kiosk's catalogue is older than the hub's
    known = next(i for i in reference["tables"]["service_items"] if i["code"] == "YB-01")
    stale = {**known, "id": "qp-centre-YB-99", "code": "AA-00", "name": "已撤销的事项", "name_en": "A withdrawn item"}
    reference["tables"]["service_items"].insert(0, stale)
    kiosk.client.store.put("reference", reference)
    report(kiosk)
    assert kiosk.item("caseSummary_0").property("text") == "已撤销的事项"
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.visible("caseError"))
    assert kiosk.screen() == "case_confirm" and cases(kiosk) == []
    assert kiosk.item("caseErrorZh").property("text") == "找不到该事项"
    assert kiosk.item("caseErrorEn").property("text") == "No such service item"
    assert kiosk.item("caseSubmit").property("title") == "再试一次"
    assert kiosk.item("caseSummary_0").property("text") == "已撤销的事项"  # the choices are still there
    assert kiosk.item("caseSummary_1").property("text") == "材料要求不清楚"
    kiosk.grab(tmp_path / "refused-zh.png")
    kiosk.tap("languageButton")
    assert kiosk.item("caseErrorZh").property("text") == "找不到该事项"  # both languages, whichever is shown
    assert kiosk.item("caseSummary_1").property("text") == "It was unclear which documents to bring"
    kiosk.grab(tmp_path / "refused-en.png")


def outbox(kiosk) -> list[dict]:
    with kiosk.client.store.engine.connect() as conn:
        return [r.wire for r in conn.execute(select(OUTBOX).order_by(OUTBOX.c.pos))]


def test_offline_the_kiosk_registers_the_case_and_sends_it_once_when_the_hub_is_back(kiosk, tmp_path):
    kiosk.hub.stop()
    kiosk.tap("casesButton")  # known offline once a request failed; said before the citizen starts
    kiosk.tap("homeButton")
    report(kiosk, words=(0,))
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    assert kiosk.visible("caseDoneOffline") and kiosk.visible("offlineBadge")
    assert "恢复联网后自动报送服务中心" in kiosk.item("caseDoneOffline").property("text")
    ((wire,),) = [outbox(kiosk)]  # one event, kept with the kiosk's others, the contact sealed to the hub's key
    d = wire["d"]
    assert wire["k"] == "case_opened" and d["source"] == "kiosk" and d["item_id"] == "qp-centre-YB-01"
    assert d["contact"].startswith("b1.") and "13812345678" not in json.dumps(wire)
    number, url = d["number"], f"{PUBLIC}/c/{d['public_token']}"
    assert kiosk.item("caseNumber").property("text") == number and number == c.case_number(d["case_id"])
    out = kiosk.printer.device.output
    assert printed_qr_texts(out) == [url] and screen_qr(kiosk) == url
    for line in (*OFFLINE_LINES, "我们将在上述期限内联系您（138****5678）"):
        assert line.encode("gb18030") in out, line
    assert "13812345678" not in str(kiosk.model.view) and cases(kiosk) == []
    kiosk.grab(tmp_path / "offline-done-zh.png")
    kiosk.tap("languageButton")
    assert "sent to the centre when the connection is back" in kiosk.item("caseDoneOffline").property("text")
    kiosk.grab(tmp_path / "offline-done-en.png")

    kiosk.hub.start()  # the hub is back: the next sync sends the case
    kiosk.client.sync_once()
    ((got_number, source, _cause, _words, _item, sealed, token),) = cases(kiosk)
    assert (got_number, source, token, sealed) == (number, "kiosk", d["public_token"], d["contact"])
    hub = kiosk.hub.hub
    assert hub.masked_contact(sealed) == {"name": None, "phone": "138****5678"}  # as lists show it
    assert contact.unseal(hub.contact_key, sealed, hub.box_key).phone == "13812345678"  # the hub opens it
    assert kiosk.client.transport.call("GET", f"/public/cases/{token}")["number"] == number  # its page now answers
    assert kiosk.client.store.backlog() == 0 and kiosk.client.status.set_aside == 0
    with kiosk.client.store.engine.begin() as conn:  # the push again, as after a lost acknowledgement
        conn.execute(insert(OUTBOX).values(id=wire["i"], wire=wire))
    kiosk.client.sync_once()
    assert len(cases(kiosk)) == 1 and kiosk.client.store.backlog() == 0


def test_a_lost_answer_then_the_offline_case_is_the_same_case(kiosk):
    """The hub stored the case but the kiosk saw no answer and registered it offline with the same id and token: the
    pushed event is void at the hub, and the receipt's number and QR are the case's."""
    report(kiosk, phone=None)
    case = kiosk.model.view["case"]
    online = kiosk.model.cases.register(None, "materials", None, [], case["case_id"], case["token"])
    kiosk.hub.stop()
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    assert kiosk.model.view["case_done"]["offline"] and kiosk.item("caseNumber").property("text") == online.number
    kiosk.hub.start()
    kiosk.client.sync_once()
    ((number, *_rest, token),) = cases(kiosk)
    assert number == online.number and online.status_url == f"{PUBLIC}/c/{token}"
    assert len(kiosk.client.status.void) == 1 and kiosk.client.store.backlog() == 0


def test_a_kiosk_without_the_hubs_key_registers_without_the_phone_and_says_so(kiosk, tmp_path):
    reference = kiosk.client.store.get("reference")  # as a kiosk that never synced with a hub that has the key
    reference["tables"].pop("case_box")
    kiosk.client.store.put("reference", reference)
    kiosk.hub.stop()
    report(kiosk)
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    ((wire,),) = [outbox(kiosk)]
    assert wire["d"]["contact"] is None and "13812345678" not in json.dumps(wire)
    assert "未能记录您的电话" in kiosk.item("caseReply").property("text")
    out = kiosk.printer.device.output
    for line in PHONE_LOST_LINES:
        assert line.encode("gb18030") in out, line
    assert "联系您".encode("gb18030") not in out and "5678".encode() not in out
    kiosk.grab(tmp_path / "offline-nophone-zh.png")


def test_a_printer_failure_still_shows_the_case_on_screen(kiosk):
    def broken(_data):
        raise OSError("paper jam")

    kiosk.printer.device._raw = broken
    report(kiosk, phone=None)
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    assert len(cases(kiosk)) == 1 and kiosk.model.view["case_done"]["printed"] is False
    assert "拍下本页" in kiosk.item("casePrinted").property("text")


def test_a_retried_report_after_a_lost_answer_opens_one_case(kiosk):
    """The hub stored the case but its answer was lost (the kiosk saw a time-out): the citizen taps 再试一次 and the
    same report, sent again with its own id, gets back the case already opened."""
    report(kiosk, phone=None)
    case_id = kiosk.model.view["case"]["case_id"]
    first = kiosk.model.cases.register(None, "materials", None, [], case_id)  # as if its answer had been lost
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    assert len(cases(kiosk)) == 1 and kiosk.item("caseNumber").property("text") == first.number
    kiosk.tap("homeButton")
    report(kiosk, phone=None)  # the next report is a new one
    assert kiosk.model.view["case"]["case_id"] != case_id


def test_elder_mode_speaks_each_step_of_a_report_in_chinese(kiosk):
    from common.devices.voice import prompt_wav

    kiosk.tap("elderButton")
    report(kiosk, phone=None)
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    steps = ["case_matter", "case_cause", "case_phone", "case_words", "case_confirm", "case_done"]
    assert kiosk.speaker.played == [prompt_wav(name) for name in ["welcome", *steps]]
    assert len(set(kiosk.speaker.played)) == len(steps) + 1  # a clip of its own for every screen


def test_no_ticket_is_offered_for_the_cases_window_while_nobody_is_at_it(kiosk, tmp_path):
    report(kiosk, phone=None)
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    kiosk.grab(tmp_path / "window-closed.png")
    assert not kiosk.visible("caseWindowTicket") and kiosk.visible("caseWindowClosed")
    assert "不必排队" in kiosk.item("caseWindowClosed").property("text")
    kiosk.model.go("home")
    kiosk.hub.staff_window("cases")  # the clerk signs in: the next report is offered the ticket
    report(kiosk, phone=None)
    kiosk.tap("caseSubmit")
    kiosk.wait_for(lambda: kiosk.screen() == "case_done")
    assert kiosk.visible("caseWindowTicket") and not kiosk.visible("caseWindowClosed")
