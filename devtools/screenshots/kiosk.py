"""`./haoban screenshots [DIR]`: every kiosk screen, portrait and landscape, Chinese and English, as PNG
files for review (offscreen; no display needed)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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
                for screen in ("guide", "cases"):
                    h.model.go(screen)
                    shot(f"6-{screen}")
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
        h.hub.stop()  # the network is cut: the offline ticket and the badge, and check-in says it needs the hub
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
