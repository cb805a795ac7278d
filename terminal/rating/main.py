"""`./haoban rating rating.toml`: a rating pad of its own (a tablet at the counter), section [rating].

    [rating]
    hub_url = "http://192.168.1.10:8300"
    enrolment_code = "..."      # an enrol-code for role rating and this window; used once
    store = "/var/lib/haoban/rating.sqlite3"
    fullscreen = true
    mouse = false               # true only for a demo on a desktop: otherwise only touch can rate

Only hub_url and store are required. Typed and checked by terminal/rating/settings.py; a HAOBAN_RATING_<KEY>
environment variable overrides a key.
"""
from __future__ import annotations

import sys

from common.settings import load_or_exit
from terminal.rating import settings


def main(argv: list[str] | None = None) -> int:
    cfg = load_or_exit(settings.load, (argv or sys.argv[1:] or ["rating.toml"])[0])  # before Qt: a bad file exits 2

    from qtbase.app import application
    from terminal.rating.app import RatingPad, use_virtual_keyboard

    if not use_virtual_keyboard():  # the citizen types the optional words of a low rating on the screen
        print("PySide6-Addons 未安装，评价器不提供文字输入 / PySide6-Addons is missing: the pad offers the fixed reasons only",
              file=sys.stderr)
    app = application()
    pad = RatingPad(cfg.store, cfg.hub_url, cfg.enrolment_code, mouse=cfg.mouse).start()
    pad.view.showFullScreen() if cfg.fullscreen else pad.view.show()
    code = app.exec()
    pad.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
