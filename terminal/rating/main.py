"""`./haoban rating rating.toml`: a rating pad of its own (a tablet at the counter), section [rating].

    [rating]
    hub_url = "http://192.168.1.10:8300"
    enrolment_code = "..."      # an enrol-code for role rating and this window; used once
    store = "/var/lib/haoban/rating.sqlite3"
    fullscreen = true
"""
from __future__ import annotations

import sys
import tomllib


def main(argv: list[str] | None = None) -> int:
    from kiosk.app import application

    from .app import RatingPad

    with open((argv or sys.argv[1:] or ["rating.toml"])[0], "rb") as f:
        cfg = tomllib.load(f)["rating"]
    app = application()
    pad = RatingPad(cfg["store"], cfg["hub_url"], cfg.get("enrolment_code", ""), mouse=cfg.get("mouse", False)).start()
    pad.view.showFullScreen() if cfg.get("fullscreen", True) else pad.view.show()
    code = app.exec()
    pad.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
