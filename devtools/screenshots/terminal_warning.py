"""Screenshots of the terminal's live warning banner (zh, en), from the test hall: window 1's terminal (queues A 医保社保
and B 社保卡) with window 2 (A only) open beside it, tickets of both waiting six minutes: A is told window 2 could
help, B (nobody else open for it) asks this window. `.venv/bin/python -m devtools.screenshots.terminal_warning`
writes docs/screenshots/terminal-warning-{zh,en}.png."""
import os
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest  # noqa: E402
from sqlalchemy import update  # noqa: E402

from common.db.engine import make_engine, migrate  # noqa: E402
from common.db.schema import QueueRow  # noqa: E402
from qtbase.app import application  # noqa: E402
from qtbase.probes import wait_for  # noqa: E402
from terminal.desk import Desk  # noqa: E402
from tests import world as W  # noqa: E402
from tests.conftest import LiveHub  # noqa: E402
from tests.integration.http import Device, terminal  # noqa: E402

OUT = Path("docs/screenshots")
d = Path(tempfile.mkdtemp())
eng = make_engine(f"sqlite:///{d}/h.sqlite3")
migrate(eng)
w = W.build(eng)
with eng.begin() as c:
    for letter, name in (("A", "医保社保"), ("B", "社保卡"), ("C", "公积金")):
        c.execute(update(QueueRow).where(QueueRow.id == w.queues[letter]).values(name=name))
app = application()
with LiveHub(w.hub) as live:
    desk = Desk(live.url, d / "t.sqlite3", w.codes.pop("terminal1"), clock=w.clock).start()
    desk.show(app)
    win, vm = desk.window, desk.model
    try:
        wait_for(lambda: desk.client.status.online, timeout=30)
        terminal(live, w, 2)  # window 2's clerk is in: the one to help with A
        kiosk = Device(live.url, w.codes.pop("kiosk"))
        for letter in "AAAABBB":
            kiosk.post("/tickets", json={"item_id": w.items[letter]})
        w.clock.advance(minutes=6)
        for lang in ("zh_CN", "en"):
            if vm.language != lang:
                vm.toggleLanguage()
            win.sign_in_page.staff_no.setText("C1")
            win.sign_in_page.pin.setText(W.PIN)
            win.sign_in()
            wait_for(lambda: vm.signed_in and vm.loaded is not None and win.serve_page.warning.isVisible(), timeout=30)
            QTest.qWait(200)
            win.grab().save(str(OUT / f"terminal-warning-{lang[:2]}.png"))
            vm.sign_out()
            wait_for(lambda: win.pages.currentIndex() == 0)
    finally:
        desk.close()
print("docs/screenshots/terminal-warning-zh.png, terminal-warning-en.png")
