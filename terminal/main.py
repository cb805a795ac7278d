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

Only hub_url and store are required; without rating_store there is no rating screen. Typed and checked by
terminal/settings.py; a HAOBAN_TERMINAL_<KEY> environment variable overrides a key.
"""
from __future__ import annotations

import sys
from pathlib import Path

from common.settings import load_or_exit
from terminal import settings


def main(argv: list[str] | None = None) -> int:
    path = Path((argv or sys.argv[1:] or ["terminal.toml"])[0])
    if not path.exists():  # the first start: the set-up screen writes the settings (qtbase/setup.py)
        from qtbase.setup import first_start

        path = first_start(path, ("terminal",)) or path
    cfg = load_or_exit(settings.load, path)  # before the terminal's Qt: a bad file exits 2

    from qtbase.app import application
    from terminal.desk import Desk

    speaker = None
    if cfg.voice:
        from common.devices.speaker import AplaySpeaker

        speaker = AplaySpeaker()
    app = application()
    desk = Desk(cfg.hub_url, cfg.store, cfg.enrolment_code, rating_store=cfg.rating_store,
                rating_code=cfg.rating_enrolment_code, rating_mouse=cfg.rating_mouse,
                speaker=speaker, language=cfg.language).start()
    desk.show(app)
    code = app.exec()
    desk.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
