"""`./haoban terminal terminal.toml`: a clerk terminal from a settings file (section [terminal]).

    [terminal]
    hub_url = "http://192.168.1.10:8300"
    enrolment_code = "..."      # an enrol-code for role terminal and this window; used once
    store = "/var/lib/haoban/terminal.sqlite3"
"""
from __future__ import annotations

import sys
import tomllib

from common.clock import SystemClock
from common.sync_client import HttpTransport, LocalStore
from common.terminal import TerminalService


def main(argv: list[str] | None = None) -> int:
    from kiosk.app import application

    from .window import TerminalWindow

    with open((argv or sys.argv[1:] or ["terminal.toml"])[0], "rb") as f:
        cfg = tomllib.load(f)["terminal"]
    me = LocalStore(cfg["store"]).identity(cfg["hub_url"], cfg.get("enrolment_code", ""))
    app = application()
    window = TerminalWindow(TerminalService(HttpTransport(cfg["hub_url"], me["token"], timeout=3), me["window_id"], SystemClock()))
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
