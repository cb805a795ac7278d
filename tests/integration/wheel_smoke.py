"""Run by tests/integration/test_wheel.py with the python of a venv that has only the built wheel installed (the
third-party libraries come from the test's own venv through a .pth file), from a folder outside the checkout:
the kiosk's home screen and the terminal's sign-in render offscreen as non-blank PNGs, a call announcement is
put together from the voice clips, guide search answers with its installed lexicon, and every haoban module is the
installed one.

    python wheel_smoke.py HUB_URL KIOSK_CODE TERMINAL_CODE OUT_DIR
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

PACKAGES = ("common", "qtbase", "kiosk", "terminal", "server", "assets", "i18n")


def distinct_colours(image, step: int = 8) -> int:
    """Colours of a sample of the pixels: a blank (or all-one-colour) grab has one or two."""
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def main(url: str, kiosk_code: str, terminal_code: str, out: str) -> int:
    from PySide6.QtTest import QTest

    from common.devices import voice
    from common.devices.printer import open_printer
    from common.stations.ticketing import KioskService
    from common.sync.client import SyncClient
    from common.sync.store import LocalStore
    from common.sync.transport import HttpTransport
    from kiosk.app import kiosk_view
    from kiosk.model import KioskModel
    from qtbase.app import application, dispose_view
    from terminal.desk import Desk

    folder = Path(out)
    app = application()
    report: dict = {}

    store = LocalStore(folder / "kiosk.sqlite3")
    me = store.identity(url, kiosk_code)
    client = SyncClient(store, HttpTransport(url, me["token"], timeout=15), device_id=me["device_id"], site_id=me["site_id"])
    client.sync_once()
    model = KioskModel(KioskService(client, open_printer("dummy", "gb18030", True), url))
    view = kiosk_view(model)
    view.show()
    QTest.qWait(500)
    image = view.grabWindow()
    image.save(str(folder / "kiosk-home.png"))
    report["kiosk"] = {"screen": model.view["screen"], "colours": distinct_colours(image), "size": [image.width(), image.height()]}
    model.stop_devices()
    dispose_view(view)

    desk = Desk(url, folder / "terminal.sqlite3", terminal_code).start()
    desk.show(app)
    QTest.qWait(500)
    image = desk.window.grab().toImage()
    image.save(str(folder / "terminal-sign-in.png"))
    report["terminal"] = {"page": desk.window.pages.currentIndex(), "colours": distinct_colours(image),
                          "size": [image.width(), image.height()]}
    desk.close()

    wav = voice.call_wav("A012", 3)
    (folder / "call.wav").write_bytes(wav)
    report["voice"] = {"bytes": len(wav), "clips": str(voice.VOICE_DIR)}

    from importlib import resources

    from common.search import Index, catalogue_docs, default_lexicon

    catalogue = json.loads(resources.files("common").joinpath("demo_data.json").read_text("utf-8"))["catalogue"]
    index = Index(catalogue_docs(catalogue, default_lexicon().aliases))
    report["search"] = [index.search(q).hits[0].id for q in ("ybk", "孩子出生了要办什么")]

    import importlib

    for name in PACKAGES:
        importlib.import_module(name)
    report["modules"] = {name: getattr(m, "__file__", None) or str(list(getattr(m, "__path__", [])))
                         for name, m in sorted(sys.modules.items()) if name.split(".")[0] in PACKAGES}
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
