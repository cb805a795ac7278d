"""The kiosk driven like a citizen would: taps by object name on a real Qt Quick window, a real hub
on loopback, the simulated printer; PNGs of what was on screen go to the test's folder."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFontMetrics, QGuiApplication, QImage
from sqlalchemy import text

from common.devices.printer import FS_CHINESE_ON
from common.devices.scanner import best_decoder
from kiosk.model import TEXTS
from qtbase.app import LANDSCAPE


def tickets(kiosk) -> list[str]:
    with kiosk.hub.engine.connect() as conn:
        return list(conn.execute(text("select number from tickets order by number")).scalars())


def take_first_personal_item(kiosk):
    kiosk.tap("takeTicketButton")
    assert kiosk.screen() == "categories"
    kiosk.tap("category_personal")
    assert kiosk.screen() == "items"
    kiosk.tap("item_0")
    assert kiosk.screen() == "confirm"
    kiosk.wait_for(lambda: not kiosk.model.view["busy"])


def test_take_a_ticket_online_and_get_a_printed_receipt(kiosk, tmp_path):
    kiosk.grab(tmp_path / "home.png")
    take_first_personal_item(kiosk)
    assert kiosk.model.view["preview"]["people_ahead"] == 0
    assert "前面还有 0 人等候" in kiosk.item("previewText").property("text")
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    number = kiosk.model.view["ticket"]["number"]
    assert kiosk.item("ticketNumber").property("text") == number and tickets(kiosk) == [number]
    kiosk.wait_for(lambda: kiosk.item("ticketQr").property("implicitWidth") > 100)  # the QR image is on screen
    shot = kiosk.view.grabWindow().convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(shot.constBits(), np.uint8).reshape(shot.height(), shot.bytesPerLine())[:, :shot.width()]
    (url,) = best_decoder().decode(np.ascontiguousarray(pixels))  # the QR on screen, read by the real decoder
    token = url.rsplit("/", 1)[1]
    assert kiosk.client.transport.call("GET", f"/public/tickets/{token}")["number"] == number
    out = kiosk.printer.device.output
    assert FS_CHINESE_ON + number.encode() in out and "请留意叫号".encode("gb18030") in out
    kiosk.grab(tmp_path / "ticket.png")


def test_a_second_tap_never_takes_a_second_ticket(kiosk):
    take_first_personal_item(kiosk)
    kiosk.model.confirm()
    kiosk.model.confirm()
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    kiosk.settle(300)
    assert len(tickets(kiosk)) == 1


def test_printer_failure_shows_the_ticket_on_screen(kiosk):
    def broken(_data):
        raise OSError("paper jam")

    kiosk.printer.device._raw = broken
    take_first_personal_item(kiosk)
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    assert kiosk.model.view["ticket"]["printed"] is False
    assert "拍下" in kiosk.item("notice_printer_failed").property("text")
    assert len(tickets(kiosk)) == 1  # the ticket exists once, printed or not


def test_offline_kiosk_issues_from_its_lease_and_says_so(kiosk):
    kiosk.hub.stop()
    take_first_personal_item(kiosk)
    assert kiosk.model.view["preview"]["people_ahead"] is None
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    ticket = kiosk.model.view["ticket"]
    assert ticket["number"].endswith("001") and "offline_ticket" in ticket["notices"]
    assert kiosk.item("offlineBadge").isVisible()
    assert kiosk.client.store.backlog() == 1


def test_idle_returns_home_and_clears_everything(kiosk):
    take_first_personal_item(kiosk)
    kiosk.model.idle_seconds = 0.5
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    kiosk.wait_for(lambda: kiosk.screen() == "home", timeout=3)
    assert kiosk.model.view["ticket"] == {} and kiosk.model.view["choice"] == {}


def test_language_elder_mode_and_both_layouts(kiosk, tmp_path):
    kiosk.tap("languageButton")
    assert kiosk.item("takeTicketButton").property("title") == "Take a ticket"
    kiosk.tap("elderButton")
    assert kiosk.model.view["scale"] > 1.2
    kiosk.resize(LANDSCAPE)
    kiosk.grab(tmp_path / "home-en-elder-landscape.png")
    kiosk.tap("languageButton")
    assert kiosk.item("takeTicketButton").property("title") == "取号"


def test_administrator_gesture_and_a_wrong_pin(kiosk):
    for _ in range(5):
        kiosk.tap("adminCorner")
    assert kiosk.screen() == "admin"
    kiosk.model.adminPin("0000")
    assert kiosk.screen() == "home"


def test_no_glyph_of_the_kiosk_is_missing_from_the_font(kiosk):
    metrics = QFontMetrics(QGuiApplication.font())
    needed = {ch for texts in TEXTS.values() for s in texts.values() for ch in s if not ch.isspace()}
    for category in ("personal", "enterprise", "bundle"):
        needed |= {ch for item in kiosk.model.service.items(category) for ch in item["name"]}
    missing = sorted(ch for ch in needed if not metrics.inFontUcs4(ord(ch)))
    assert missing == []


def test_the_offline_badge_follows_background_sync_without_a_tap(kiosk):
    import pytest

    from common.sync.transport import HubUnreachable

    assert not kiosk.visible("offlineBadge")
    kiosk.hub.stop()
    with pytest.raises(HubUnreachable):
        kiosk.client.sync_once()
    kiosk.wait_for(lambda: kiosk.visible("offlineBadge"), timeout=3)


def test_events_the_hub_refused_are_shown_on_the_kiosk_in_both_languages(kiosk, tmp_path):
    """A kiosk may push tickets only: a pause it recorded is refused and set aside (docs/sync.md), and the kiosk says
    so on every screen until someone looks at it."""
    from common.domain import events as ev

    assert not kiosk.visible("setAsideBar")
    for _ in range(3):
        kiosk.client.record(ev.WINDOW_PAUSED, {"window_id": "w", "reason": None})
    kiosk.client.sync_once(leases=False)
    assert kiosk.client.status.set_aside == 3 and kiosk.client.store.backlog() == 0
    kiosk.wait_for(lambda: kiosk.visible("setAsideBar"))
    assert kiosk.item("setAsideText").property("text") == "本机有 3 条记录未被服务端接受，请告知工作人员"
    kiosk.grab(tmp_path / "set-aside-zh.png")
    kiosk.model.toggleLanguage()
    kiosk.wait_for(lambda: "refused" in kiosk.item("setAsideText").property("text"))
    assert kiosk.item("setAsideText").property("text") == \
        "3 records of this kiosk were refused by the hub: please tell a member of staff"
    kiosk.tap("takeTicketButton")
    assert kiosk.screen() == "categories" and kiosk.visible("setAsideBar")  # on every screen
    text = kiosk.item("setAsideText")
    assert text.property("implicitWidth") <= text.property("width")  # on one line, not cut


def card(birth: str):
    from common.devices.idreader import CardData
    from common.domain.idcard import check_digit

    body = "310118" + birth + "002"
    return CardData(name="王小明", id_number=body + check_digit(body), sex="2", birth=birth)


def test_an_elders_id_card_offers_the_green_channel(kiosk, tmp_path):
    take_first_personal_item(kiosk)
    assert kiosk.visible("cardHint") and not kiosk.visible("greenButton")
    kiosk.reader.card = card("19490315")  # 77 years old
    kiosk.wait_for(lambda: kiosk.visible("greenButton"), timeout=3)
    assert kiosk.model.view["green"] is True
    kiosk.grab(tmp_path / "confirm-green.png")
    kiosk.tap("confirmButton")
    kiosk.wait_for(lambda: kiosk.screen() == "ticket")
    with kiosk.hub.engine.connect() as conn:
        assert conn.execute(text("select priority from tickets")).scalar() == "green"
    assert "王" not in str(kiosk.model.view) and "310118" not in str(kiosk.model.view)  # nothing personal kept


def test_a_young_or_invalid_card_offers_nothing_and_says_why(kiosk):
    take_first_personal_item(kiosk)
    kiosk.reader.card = card("19900101")
    kiosk.wait_for(lambda: kiosk.model.view["green_offer"] is False, timeout=3)
    assert not kiosk.visible("greenButton")
    kiosk.tap("backButton")
    kiosk.tap("item_1")
    from common.devices.idreader import CardData

    kiosk.reader.card = CardData(name="x", id_number="310118194903150020", sex="2", birth="19490315")  # bad check digit
    kiosk.wait_for(lambda: kiosk.model.view["card_error"] != "", timeout=3)
    assert "校验码" in kiosk.item("cardHint").property("text")
