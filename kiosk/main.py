"""`./haoban kiosk`: a real kiosk from a settings file (TOML, section [kiosk]).

    [kiosk]
    hub_url = "http://192.168.1.10:8300"
    enrolment_code = "..."          # used once; the token is then kept in the local store
    store = "/var/lib/haoban/kiosk.sqlite3"
    printer = "usb:0x0416:0x5011"   # or "serial:/dev/ttyS0", "network:192.168.1.50", "file:/dev/usb/lp0", "dummy"
    printer_encoding = "gb18030"     # gb18030 | gbk | utf-8
    printer_chinese_mode = true
    idle_seconds = 60
    fullscreen = true
    admin_pin_hash = "$argon2id$..."  # python -c 'from common.auth import hash_pin; print(hash_pin("..."))'
"""
from __future__ import annotations

import sys
import threading
import tomllib

from common.devices.printer import EscposPrinter
from common.kiosk import KioskService
from common.sync_client import HttpTransport, LocalStore, SyncClient


def make_printer(spec: str, encoding: str, chinese_mode: bool) -> EscposPrinter:
    from escpos import printer as p

    kind, _, arg = spec.partition(":")
    device = {
        "usb": lambda: p.Usb(*(int(x, 16) for x in arg.split(":"))),
        "serial": lambda: p.Serial(arg),
        "network": lambda: p.Network(arg),
        "file": lambda: p.File(arg),
        "dummy": lambda: p.Dummy(),
    }[kind]()
    return EscposPrinter(device, encoding, chinese_mode, check_paper=kind in ("usb", "serial"))


def main(argv: list[str] | None = None) -> int:
    from .app import LANDSCAPE, PORTRAIT, application, dispose_view, make_view
    from .model import KioskModel

    path = (argv or sys.argv[1:] or ["kiosk.toml"])[0]
    with open(path, "rb") as f:
        cfg = tomllib.load(f)["kiosk"]
    store = LocalStore(cfg["store"])
    me = store.identity(cfg["hub_url"], cfg.get("enrolment_code", ""))
    client = SyncClient(store, HttpTransport(cfg["hub_url"], me["token"], timeout=3), device_id=me["device_id"],
                        site_id=me["site_id"])
    printer = make_printer(cfg.get("printer", "dummy"), cfg.get("printer_encoding", "gb18030"),
                           cfg.get("printer_chinese_mode", True))
    app = application()
    stop = threading.Event()
    threading.Thread(target=client.run, args=(stop,), daemon=True).start()
    def admin_check(pin: str) -> bool:
        from argon2 import PasswordHasher
        from argon2.exceptions import Argon2Error

        try:
            return bool(cfg.get("admin_pin_hash")) and PasswordHasher().verify(cfg["admin_pin_hash"], pin)
        except Argon2Error:
            return False

    model = KioskModel(KioskService(client, printer, cfg["hub_url"]), idle_seconds=cfg.get("idle_seconds", 60),
                       admin_check=admin_check, on_exit=app.quit)
    screen = app.primaryScreen().availableGeometry()
    size = LANDSCAPE if screen.width() > screen.height() else PORTRAIT
    scale = min(1.0, screen.width() / size[0], screen.height() / size[1])
    view = make_view(model, (int(size[0] * scale), int(size[1] * scale)))
    view.showFullScreen() if cfg.get("fullscreen", True) else view.show()
    code = app.exec()
    stop.set()
    dispose_view(view)
    return code


if __name__ == "__main__":
    sys.exit(main())
