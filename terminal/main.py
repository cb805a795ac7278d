"""`./haoban terminal terminal.toml`: a clerk terminal from a settings file (section [terminal]).

    [terminal]
    hub_url = "http://192.168.1.10:8300"
    enrolment_code = "..."      # an enrol-code for role terminal (and this window); used once
    store = "/var/lib/haoban/terminal.sqlite3"
    language = "zh_CN"          # or "en"
    voice = false               # true where the hall has no display board: "请 A012 号到 3 号窗口" on the speakers
    # the citizen's rating screen on this machine's second monitor (its own device, role rating):
    rating_enrolment_code = "..."
    rating_store = "/var/lib/haoban/rating.sqlite3"
    rating_mouse = false        # true only for a demo on a desktop: otherwise only touch can rate
"""
from __future__ import annotations

import sys
import tomllib


def main(argv: list[str] | None = None) -> int:
    from qtbase.app import application

    from terminal.desk import Desk

    with open((argv or sys.argv[1:] or ["terminal.toml"])[0], "rb") as f:
        cfg = tomllib.load(f)["terminal"]
    speaker = None
    if cfg.get("voice", False):
        from common.devices.speaker import AplaySpeaker

        speaker = AplaySpeaker()
    app = application()
    desk = Desk(cfg["hub_url"], cfg["store"], cfg.get("enrolment_code", ""), rating_store=cfg.get("rating_store"),
                rating_code=cfg.get("rating_enrolment_code", ""), rating_mouse=cfg.get("rating_mouse", False),
                speaker=speaker, language=cfg.get("language", "zh_CN")).start()
    desk.show(app)
    code = app.exec()
    desk.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
