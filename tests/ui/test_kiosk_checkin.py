"""Appointment check-in at the kiosk, driven through the simulated ID-card reader, the camera scanner on
real QR frames (decoded by the real decoder) and the keyboard wedge; staff green channel; elder prompts;
English item names. A real hub on loopback, real Qt Quick windows offscreen."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text

from common.devices.idreader import CardData
from common.devices.qrframes import frame
from common.devices.scanner import CameraScanner, FrameSequence
from common.devices.voice import prompt_wav
from common.domain.clock import SHANGHAI
from common.domain.idcard import check_digit
from common.usecases import appointments
from common.usecases.reference import demo_data
from devtools.harness import STAFF_PIN
from qtbase.probes import type_keys


def book(kiosk, code: str, start_min: int, end_min: int, id_body: str = "31011819800101001") -> CardData:
    """A booking of 异地就医备案 for a slot relative to now; returns the citizen's card."""
    now = kiosk.hub.hub.clock.now().astimezone(SHANGHAI)
    start, end = now + timedelta(minutes=start_min), now + timedelta(minutes=end_min)
    number = id_body + check_digit(id_body)
    row = {"code": code, "item_code": "YB-05", "date": now.date().isoformat(), "start": f"{start:%H:%M}",
           "end": f"{end:%H:%M}", "id_number": number, "name": "周建国"}
    with kiosk.hub.engine.begin() as conn:
        appointments.import_rows(conn, "qp-centre", [row], kiosk.hub.hub.id_key, now)
    return CardData(name="周建国", id_number=number, sex="1", birth=id_body[6:14])


def rows(kiosk, sql: str) -> list:
    with kiosk.hub.engine.connect() as conn:
        return list(conn.execute(text(sql)).all())


def on_ticket(kiosk) -> dict:
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    return kiosk.model.view["ticket"]


def test_check_in_by_id_card_twice_gives_the_same_ticket(kiosk, tmp_path):
    card = book(kiosk, "YW-CARD-0001", -5, 25)
    kiosk.tap("checkInButton")
    assert kiosk.visible("checkinScreen") and "请刷身份证或扫描预约二维码" in kiosk.item("checkinPrompt").property("text")
    kiosk.reader.card = card
    first = on_ticket(kiosk)
    assert first["slot"] and first["notices"][0] == "checked_in" and kiosk.visible("ticketSlot")
    kiosk.grab(tmp_path / "checked-in.png")
    assert rows(kiosk, "select status from appointments where code = 'YW-CARD-0001'") == [("checked_in",)]
    assert rows(kiosk, "select count(*) from tickets where slot_start is not null") == [(1,)]
    kiosk.reader.card = None  # the card is taken away, then put on again from the home screen
    kiosk.tap("homeButton")
    seen = kiosk.reader.reads
    kiosk.wait_for(lambda: kiosk.reader.reads >= seen + 2 and kiosk.screen() == "home")  # the reader saw it go
    kiosk.reader.card = card
    again = on_ticket(kiosk)
    assert again["number"] == first["number"] and again["notices"][0] == "already_checked_in"
    assert rows(kiosk, "select count(*) from tickets") == [(1,)]
    assert "周" not in str(kiosk.model.view) and card.id_number[:10] not in str(kiosk.model.view)


def test_a_real_qr_image_through_the_camera_scanner_checks_in_from_home(kiosk):
    book(kiosk, "YW-QR-000001", -5, 25, id_body="31011819750505002")
    frames = [frame("HB1:APPT:YW-QR-000001", angle=9, noise=6.0, seed=i) for i in range(3)]
    scanner = CameraScanner(FrameSequence(frames), kiosk.model.scanned, stable_frames=3)  # the real decoder
    scanner.start()
    try:
        ticket = on_ticket(kiosk)
    finally:
        scanner.stop()
    assert ticket["notices"][0] == "checked_in"
    assert rows(kiosk, "select status from appointments where code = 'YW-QR-000001'") == [("checked_in",)]


def test_a_keyboard_wedge_scan_on_the_confirm_screen_goes_to_check_in(kiosk):
    book(kiosk, "YW-WEDGE-001", -5, 25, id_body="31011819660606003")
    kiosk.tap("takeTicketButton")
    kiosk.tap("category_personal")
    kiosk.tap("item_0")
    assert kiosk.screen() == "confirm"
    type_keys(kiosk.view, "HB1:APPT:YW-WEDGE-001\r")  # as a USB scanner types: key events with text, then Enter
    assert on_ticket(kiosk)["slot"]


def test_too_early_says_when_to_come_back_and_late_offers_an_ordinary_ticket(kiosk, tmp_path):
    book(kiosk, "YW-EARLY-001", 60, 90, id_body="31011819700707004")
    book(kiosk, "YW-LATE-0001", -90, -60, id_body="31011819700707012")
    kiosk.model.go("checkin")
    kiosk.model.simulateScan("HB1:APPT:YW-EARLY-001")
    kiosk.wait_for(lambda: kiosk.screen() == "checkin_result")
    shown = kiosk.model.view["checkin"]
    start = datetime.strptime(shown["slot"].split("-")[0], "%H:%M")
    opens = (start - timedelta(minutes=15)).strftime("%H:%M")  # the slot's start less appointment_early_min
    assert shown["result"] == "too_early" and shown["opens_at"] == opens
    assert f"请在 {opens} 以后再来签到" in kiosk.item("checkinMessage").property("text")
    assert not kiosk.visible("ordinaryTicketButton")
    kiosk.grab(tmp_path / "too-early.png")
    kiosk.model.go("checkin")
    kiosk.model.simulateScan("HB1:APPT:YW-LATE-0001")
    kiosk.wait_for(lambda: kiosk.screen() == "checkin_result")
    assert "已经过了" in kiosk.item("checkinMessage").property("text")
    kiosk.tap("languageButton")
    assert "ordinary ticket" in kiosk.item("checkinMessage").property("text")
    kiosk.tap("ordinaryTicketButton")  # one tap: an ordinary ticket of the booked item
    ticket = on_ticket(kiosk)
    assert not ticket["slot"] and ticket["item_en"] == "Register for medical treatment outside Shanghai"
    assert rows(kiosk, "select slot_start, item_id from tickets") == [(None, "qp-centre-YB-05")]
    assert rows(kiosk, "select status from appointments where code like 'YW-%' order by code") == [("booked",), ("booked",)]


def test_offline_check_in_says_it_needs_the_hub_and_offers_a_ticket(kiosk):
    card = book(kiosk, "YW-OFF-00001", -5, 25, id_body="31011819880808005")
    kiosk.hub.stop()
    kiosk.tap("checkInButton")
    kiosk.reader.card = card
    kiosk.wait_for(lambda: kiosk.screen() == "checkin_result")
    assert kiosk.model.view["checkin"]["result"] == "offline"
    assert "网络中断" in kiosk.item("checkinMessage").property("text")
    kiosk.tap("ordinaryTicketButton")
    assert kiosk.screen() == "categories"


def test_an_unknown_qr_gets_a_plain_message_and_nothing_else(kiosk):
    kiosk.model.simulateScan("javascript:alert(1)")
    kiosk.wait_for(lambda: kiosk.visible("banner"))
    assert kiosk.screen() == "home" and "无法识别这个二维码" in kiosk.item("bannerText").property("text")
    kiosk.model.simulateScan("HB1:APPT:NO-SUCH-BOOKING")
    kiosk.wait_for(lambda: kiosk.screen() == "checkin_result")
    assert "没有找到您的预约" in kiosk.item("checkinMessage").property("text")
    assert rows(kiosk, "select count(*) from tickets") == [(0,)]


def open_guide_sign_in(kiosk) -> None:
    for _ in range(5):
        kiosk.tap("adminCorner")
    kiosk.model.adminPin(STAFF_PIN)  # the kiosk's own PIN opens the staff menu only
    assert kiosk.visible("staffScreen")
    kiosk.tap("staffGreenButton")
    assert kiosk.visible("guideSignInScreen")


def test_staff_give_the_next_ticket_the_green_channel(kiosk):
    """The guide signs in on the hub with her own staff number (policy.green_granted); her session ends with the
    ticket, which names her."""
    open_guide_sign_in(kiosk)
    kiosk.model.guideSignIn("QP0101", "000000")  # a wrong PIN: the hub says no, and nothing is given
    kiosk.wait_for(lambda: kiosk.visible("guideError"))
    assert kiosk.screen() == "guide_sign_in" and not kiosk.model.view["staff_green"]
    kiosk.item("guideNoInput").setProperty("text", "QP0101")  # 顾佳怡 of the demo hall
    kiosk.item("guidePinInput").setProperty("text", "372915")
    kiosk.tap("guideSignInButton")
    kiosk.wait_for(lambda: kiosk.screen() == "categories")
    assert kiosk.visible("staffGreenNote")
    kiosk.tap("category_personal")
    kiosk.tap("item_0")
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    assert kiosk.model.view["green"] is True
    kiosk.tap("confirmButton")
    on_ticket(kiosk)
    kiosk.tap("homeButton")  # the next citizen is served as usual
    kiosk.tap("takeTicketButton")
    assert not kiosk.visible("staffGreenNote")
    kiosk.tap("category_personal")
    kiosk.tap("item_0")
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    kiosk.tap("confirmButton")
    on_ticket(kiosk)
    assert [r[0] for r in rows(kiosk, "select priority from tickets order by seq")] == ["green", "normal"]
    issued = rows(kiosk, "select clerk_id from events where kind = 'ticket_issued' order by seq")
    assert [r[0] for r in issued] == ["qp-centre-QP0101", None]  # the guide who gave it, then nobody
    assert rows(kiosk, "select count(*) from clerk_sessions where ended_at is null") == [(0,)]


def test_a_guide_who_leaves_without_a_ticket_is_signed_out(kiosk):
    open_guide_sign_in(kiosk)
    kiosk.model.guideSignIn("QP0101", "372915")
    kiosk.wait_for(lambda: kiosk.screen() == "categories")
    assert rows(kiosk, "select count(*) from clerk_sessions where ended_at is null") == [(1,)]
    kiosk.tap("homeButton")
    kiosk.wait_for(lambda: rows(kiosk, "select count(*) from clerk_sessions where ended_at is null") == [(0,)])
    kiosk.tap("takeTicketButton")
    assert not kiosk.visible("staffGreenNote")


def test_elder_mode_speaks_the_prompt_of_each_screen_in_chinese_only(kiosk):
    kiosk.tap("elderButton")
    kiosk.tap("takeTicketButton")
    kiosk.tap("category_personal")
    kiosk.tap("item_0")
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])
    kiosk.tap("confirmButton")
    on_ticket(kiosk)
    kiosk.tap("homeButton")
    kiosk.tap("checkInButton")
    kiosk.model.simulateScan("not ours")
    expected = ["welcome", "choose_item", "confirm", "take_ticket", "welcome", "checkin", "scan_failed"]
    assert kiosk.speaker.played == [prompt_wav(name) for name in expected]
    kiosk.tap("languageButton")
    kiosk.tap("homeButton")
    assert len(kiosk.speaker.played) == len(expected)  # English screens: no Chinese voice


def test_every_demo_item_has_an_english_name_and_the_kiosk_shows_it(kiosk):
    catalogue = demo_data()["catalogue"]
    assert len(catalogue["items"]) == 57 and len(catalogue["bundles"]) == 3  # 56 services and 办不成事反映
    assert all(i.get("name_en", "").strip() and i["name_en"].isascii() for i in catalogue["items"] + catalogue["bundles"])
    kiosk.tap("languageButton")
    kiosk.tap("takeTicketButton")
    kiosk.tap("category_bundle")
    assert kiosk.item("item_0").property("title") == "Newborn: all in one go"
    reference = kiosk.client.store.get("reference")  # a catalogue from a hub that has no English name yet
    for b in reference["tables"]["bundles"]:
        b["name_en"] = None
    kiosk.client.store.put("reference", reference)
    kiosk.tap("backButton")
    kiosk.tap("category_bundle")
    assert kiosk.item("item_0").property("title") == "新生儿出生一件事"
