"""`./haoban screenshots [DIR]`: every kiosk screen, portrait and landscape, Chinese and English, as PNG
files for review (offscreen; no display needed)."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(argv: list[str] | None = None) -> int:
    from .app import LANDSCAPE, PORTRAIT
    from .harness import Harness

    out = Path((argv or sys.argv[1:] or ["screenshots"])[0]).resolve()
    out.mkdir(parents=True, exist_ok=True)
    h = Harness()
    made = []
    try:
        for layout, size in (("portrait", PORTRAIT), ("landscape", LANDSCAPE)):
            h.resize(size)
            for lang in ("zh", "en"):
                if (h.model.language == "en") != (lang == "en"):
                    h.model.toggleLanguage()

                def shot(name):
                    made.append(h.grab(out / f"kiosk-{layout}-{lang}-{name}.png"))

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
                for screen in ("checkin", "guide", "cases"):
                    h.model.go(screen)
                    shot(f"6-{screen}")
                h.model.toggleElder()
                h.model.go("home")
                shot("7-home-elder")
                h.model.toggleElder()
        h.hub.stop()  # the network is cut: the offline ticket and the badge
        h.model.go("home")
        h.tap("takeTicketButton")
        h.tap("category_personal")
        h.tap("item_0")
        h.wait_for(lambda: not h.model.view["busy"])
        h.tap("confirmButton")
        h.wait_for(lambda: h.screen() == "ticket")
        made.append(h.grab(out / f"kiosk-landscape-{'en' if h.model.language == 'en' else 'zh'}-8-offline-ticket.png"))
    finally:
        h.close()
    print(f"{len(made)} screenshots in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
