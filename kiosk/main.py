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
    admin_pin_hash = "$argon2id$..."  # staff PIN after the five-tap gesture: python -c 'from common.domain.pins import hash_pin; print(hash_pin("..."))'
    speaker = "aplay"                # aplay (ALSA) | none: spoken prompts in elder mode
    scanner = "wedge"                # wedge (USB scanner typing as a keyboard) | camera:0 (OpenCV camera index) | none
    id_reader = "sdt:libsdtapi.so:1001"  # sdt:<library>:<port> | cvr:<library>:<port> | simulated | none
    demo = false                     # true: simulated-device buttons on the check-in screen (demo bookings)
    public_url = ""                  # what phones open from a 受理回执's QR (<public_url>/c/<token>); empty: hub_url

Only hub_url and store are required; the others have the defaults shown (admin_pin_hash: none, enrolment_code
empty). Typed and checked by kiosk/settings.py; a HAOBAN_KIOSK_<KEY> environment variable overrides a key.
"""
from __future__ import annotations

import sys
import threading
from pathlib import Path

from common.devices.printer import open_printer
from common.settings import load_or_exit
from common.stations.ticketing import KioskService
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport
from kiosk import settings


def make_speaker(spec: str):
    from common.devices.speaker import AplaySpeaker, RecordingSpeaker

    return AplaySpeaker() if spec == "aplay" else RecordingSpeaker()  # "none": kept, never played


def make_reader(spec: str):
    """The ID-card reader; a reader that cannot be opened is reported and the kiosk runs without it."""
    from common.devices import idreader

    try:
        return idreader.open_reader(spec)
    except (OSError, idreader.ReaderFailed) as exc:
        print(f"ID-card reader {spec!r} not available: {exc}", file=sys.stderr)
        return None


def start_camera(spec: str, model):
    """camera:<index>: a USB camera read in its own thread; a stable QR read goes to the kiosk."""
    from common.devices.scanner import CameraScanner, OpenCvCamera

    if not spec.startswith("camera"):
        return None  # "wedge" needs nothing: the window passes typed keys on (kiosk/app.py)
    scanner = CameraScanner(OpenCvCamera(int(spec.partition(":")[2] or 0)), model.scanned)
    scanner.start()
    return scanner


def demo_devices(booking: dict) -> dict:
    """What the simulator buttons of demo mode put on the reader and before the scanner: a booking's ID
    card and appointment QR code."""
    from common.devices.idreader import CardData

    card = CardData(name=booking["name"], id_number=booking["id_number"], sex="1", birth=booking["id_number"][6:14])
    return {"card": card, "qr": f"HB1:APPT:{booking['code']}"}


def demo_devices_for_today(client) -> dict:
    from common.usecases.appointments import demo_bookings

    return demo_devices(demo_bookings(client.now())[0])


def main(argv: list[str] | None = None) -> int:
    path = Path((argv or sys.argv[1:] or ["kiosk.toml"])[0])
    if not path.exists():  # the first start: the set-up screen writes the settings (qtbase/setup.py)
        from qtbase.setup import first_start

        path = first_start(path, ("village", "kiosk")) or path
    cfg = load_or_exit(settings.load, path)  # before the kiosk's Qt: a bad file exits 2

    from kiosk.app import kiosk_view
    from kiosk.model import KioskModel
    from qtbase.app import LANDSCAPE, PORTRAIT, application, dispose_view

    store = LocalStore(cfg.store)
    me = store.identity(cfg.hub_url, cfg.enrolment_code)
    client = SyncClient(store, HttpTransport(cfg.hub_url, me["token"], timeout=3), device_id=me["device_id"],
                        site_id=me["site_id"])
    printer = open_printer(cfg.printer, cfg.printer_encoding, cfg.printer_chinese_mode)
    app = application()
    stop = threading.Event()
    threading.Thread(target=client.run, args=(stop,), daemon=True).start()
    def admin_check(pin: str) -> bool:
        from common.domain.pins import verify_pin

        return verify_pin(cfg.admin_pin_hash, pin)

    model = KioskModel(KioskService(client, printer, cfg.hub_url, cfg.public_url or None), idle_seconds=cfg.idle_seconds,
                       admin_check=admin_check, on_exit=app.quit, id_reader=make_reader(cfg.id_reader),
                       speaker=make_speaker(cfg.speaker), demo=demo_devices_for_today(client) if cfg.demo else None)
    camera = start_camera(cfg.scanner, model)
    screen = app.primaryScreen().availableGeometry()
    size = LANDSCAPE if screen.width() > screen.height() else PORTRAIT
    scale = min(1.0, screen.width() / size[0], screen.height() / size[1])
    view = kiosk_view(model, (int(size[0] * scale), int(size[1] * scale)))
    view.showFullScreen() if cfg.fullscreen else view.show()
    code = app.exec()
    stop.set()
    model.stop_devices()
    if camera is not None:
        camera.stop()
    dispose_view(view)
    return code


if __name__ == "__main__":
    sys.exit(main())
