"""`./haoban screenshots [DIR]`: every kiosk screen, portrait and landscape, Chinese and English, as PNG
files for review (offscreen; no display needed)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def to_confirm(h, phone: str = "", matter: int = 0) -> None:
    """The 办不成事 flow up to its confirm screen: a matter, a cause, a phone or none, two phrases."""
    h.model.go("cases")
    h.model.caseMatter(matter)
    h.model.caseCause("materials")
    for digit in phone:
        h.model.caseKey(digit)
    h.model.casePhoneNext() if phone else h.model.caseSkipPhone()
    h.model.caseWord("case_word_many_trips")
    h.model.caseWordsNext()


def report_case(h, shot) -> None:
    """Each screen of the 办不成事 flow, to the 受理回执 and the ticket for the 办不成事 window (a clerk at it)."""
    h.hub.staff_window("cases")
    h.model.go("cases")
    shot("10-case-matter")
    h.model.caseMatter(0)
    shot("10a-case-cause")
    h.model.caseCause("materials")
    for digit in "1381234":
        h.model.caseKey(digit)
    h.model.casePhoneNext()
    shot("10b-case-phone-invalid")
    for digit in "5678":
        h.model.caseKey(digit)
    shot("10c-case-phone")
    h.model.casePhoneNext()
    h.model.caseWord("case_word_many_trips")
    h.model.caseWord("case_word_call_soon")
    shot("10d-case-words")
    h.model.caseWordsNext()
    shot("10e-case-confirm")
    h.model.caseSubmit()
    h.wait_for(lambda: h.screen() == "case_done")
    shot("10f-case-done")
    h.model.caseTicket()
    h.wait_for(lambda: h.screen() == "ticket")
    shot("10g-case-window-ticket")


def case_failures(h, shot_both) -> None:
    """A refusal (the kiosk's catalogue names an item the hub no longer has) and, later, the network cut."""
    reference = h.client.store.get("reference")
    known = next(i for i in reference["tables"]["service_items"] if i["code"] == "YB-01")
    stale = {**known, "id": "qp-centre-YB-99", "code": "AA-00", "name": "已撤销的事项", "name_en": "A withdrawn item"}
    h.client.store.put("reference", {**reference, "tables": {**reference["tables"],
                                                             "service_items": [stale, *reference["tables"]["service_items"]]}})
    to_confirm(h, phone="13812345678")
    h.model.caseSubmit()
    h.wait_for(lambda: not h.model.view["busy"] and h.visible("caseError"))
    shot_both("11-case-refused")
    h.client.store.put("reference", reference)


def guide_search(h, shot) -> None:
    """查询·办事指南: the empty search, typing "ybk" with its results, a query that finds nothing, a matter's page,
    its final 一次告知 list and the list printed."""
    h.model.go("guide")
    shot("12-guide-empty")
    for key in "ybk":
        h.model.guideKey(key)
    h.wait_for(lambda: h.model.view["guide"]["results"])
    shot("12a-guide-ybk")
    h.model.guideChip(1)  # 孩子出生: the bundle first
    shot("12b-guide-chip-birth")
    h.model.guideKey("clear")
    for key in "qqxxzz":
        h.model.guideKey(key)
    h.wait_for(lambda: h.model.view["guide"]["no_result"])
    shot("12c-guide-no-result")
    h.model.guideChip(3)
    h.model.guideOpen(0)
    shot("12d-guide-matter")
    while (h.model.view["guide"].get("told") or {}).get("question"):  # each question's first answer: the final list
        h.model.guideAnswer(0)
    shot("12d1-guide-list")
    h.model.guidePrint()
    h.wait_for(lambda: not h.model.view["busy"])
    shot("12d2-guide-printed")


def main(argv: list[str] | None = None) -> int:
    from devtools.harness import STAFF_PIN, Harness
    from qtbase.app import LANDSCAPE, PORTRAIT

    out = Path((argv or sys.argv[1:] or ["screenshots"])[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    h = Harness()
    made = []
    booked = {b["name"]: f"HB1:APPT:{b['code']}" for b in h.hub.bookings}
    try:
        for layout, size in (("portrait", PORTRAIT), ("landscape", LANDSCAPE)):
            h.resize(size)
            for lang in ("zh", "en"):
                if (h.model.language == "en") != (lang == "en"):
                    h.model.toggleLanguage()

                def shot(name, layout=layout, lang=lang):
                    made.append(h.grab(out / f"kiosk-{layout}-{lang}-{name}.png"))

                def check_in(**device):
                    h.model.go("checkin")
                    h.model.simulateCard() if device.get("card") else h.model.simulateScan(device["qr"])
                    h.wait_for(lambda: not h.model.view["busy"] and h.screen() != "checkin")

                h.model.go("home")
                shot("1-home")
                h.tap("takeTicketButton")
                shot("2-categories")
                h.tap("category_personal")
                shot("3-items")
                h.tap("item_0")
                h.wait_for(lambda: not h.model.view["busy"])
                shot("4-confirm")
                h.tap("confirmButton")
                h.wait_for(lambda: h.screen() == "ticket")
                shot("5-ticket")
                h.model.go("checkin")
                shot("6-checkin")
                check_in(card=True)  # the first run checks in, the others show the same ticket
                shot("6a-checkin-ticket")
                if "李娜" in booked:
                    check_in(qr=booked["李娜"])
                    shot("6b-checkin-too-early")
                if "陈志强" in booked:
                    check_in(qr=booked["陈志强"])
                    shot("6c-checkin-late")
                h.model.go("home")
                h.model.simulateScan("https://example.com/lottery?win=1")
                shot("6d-unknown-qr")
                guide_search(h, shot)
                report_case(h, shot)
                h.model.go("admin")
                h.model.adminPin(STAFF_PIN)
                shot("7-staff")
                h.tap("staffGreenButton")
                shot("7b-guide-sign-in")
                h.model.guideSignIn("QP0101", "372915")  # a clerk of the demo hall, signed in on the hub as guide
                h.wait_for(lambda: h.screen() == "categories")
                h.tap("category_bundle")
                h.tap("item_0")
                h.wait_for(lambda: not h.model.view["busy"])
                shot("7a-staff-green-confirm")
                h.model.toggleElder()
                h.model.go("home")
                shot("8-home-elder")
                h.model.go("guide")
                for key in "ybk":
                    h.model.guideKey(key)
                h.wait_for(lambda: h.model.view["guide"]["results"])
                shot("12e-guide-ybk-elder")
                h.model.go("cases")  # the 办不成事 flow is for elderly citizens first: its big rows and keys, larger
                shot("10h-case-matter-elder")
                h.model.caseMatter(0)
                shot("10i-case-cause-elder")
                h.model.caseCause("attitude")
                shot("10j-case-phone-elder")
                h.model.caseSkipPhone()
                shot("10k-case-words-elder")
                h.model.toggleElder()
        # three events the hub refuses (a kiosk may push tickets only): set aside, and said so on every screen
        from common.domain import events as ev

        for _ in range(3):
            h.client.record(ev.WINDOW_PAUSED, {"window_id": "w", "reason": None})
        h.client.sync_once(leases=False)
        h.wait_for(lambda: h.visible("setAsideBar"))
        for layout, size in (("portrait", PORTRAIT), ("landscape", LANDSCAPE)):
            h.resize(size)
            for lang in ("zh", "en"):
                if (h.model.language == "en") != (lang == "en"):
                    h.model.toggleLanguage()
                made.append(h.grab(out / f"kiosk-{layout}-{lang}-1a-set-aside.png"))
        h.resize(PORTRAIT)

        def shot_both(name: str) -> None:
            for lang in ("zh", "en"):
                if (h.model.language == "en") != (lang == "en"):
                    h.model.toggleLanguage()
                made.append(h.grab(out / f"kiosk-portrait-{lang}-{name}.png"))

        case_failures(h, shot_both)
        h.hub.stop()  # the network is cut: a case registered on the kiosk, the offline ticket and the badge, and
        for size, layout in ((PORTRAIT, "portrait"), (LANDSCAPE, "landscape")):  # check-in says it needs the hub
            h.resize(size)
            to_confirm(h, phone="13812345678")
            h.model.caseSubmit()
            h.wait_for(lambda: h.screen() == "case_done")
            for lang in ("zh", "en"):
                if (h.model.language == "en") != (lang == "en"):
                    h.model.toggleLanguage()
                made.append(h.grab(out / f"kiosk-{layout}-{lang}-11a-case-offline-done.png"))
        h.resize(PORTRAIT)
        h.model.go("cases")  # known offline now: said on the first screen
        shot_both("11b-case-matter-offline")
        reference = h.client.store.get("reference")  # a kiosk that never got the hub's public key: no phone taken
        h.client.store.put("reference", {**reference, "tables": {k: v for k, v in reference["tables"].items()
                                                                 if k != "case_box"}})
        to_confirm(h, phone="13812345678")
        h.model.caseSubmit()
        h.wait_for(lambda: h.screen() == "case_done")
        shot_both("11c-case-offline-no-key")
        h.client.store.put("reference", reference)
        h.resize(LANDSCAPE)
        h.model.go("home")
        h.tap("takeTicketButton")
        h.tap("category_personal")
        h.tap("item_0")
        h.wait_for(lambda: not h.model.view["busy"])
        h.tap("confirmButton")
        h.wait_for(lambda: h.screen() == "ticket")
        lang = "en" if h.model.language == "en" else "zh"
        made.append(h.grab(out / f"kiosk-landscape-{lang}-9-offline-ticket.png"))
        for lang in ("en", "zh"):
            if (h.model.language == "en") != (lang == "en"):
                h.model.toggleLanguage()
            h.model.go("checkin")
            h.model.simulateCard()
            h.wait_for(lambda: h.screen() == "checkin_result")
            made.append(h.grab(out / f"kiosk-landscape-{lang}-9a-offline-checkin.png"))
    finally:
        h.close()
    print(f"{len(made)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
