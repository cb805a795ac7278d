"""A small harness for kiosk screens: a real hub on loopback with the demo data, an enrolled kiosk,
a simulated printer; tap by object name, wait for a state, grab a PNG. Used by tests and
`./haoban screenshots`."""
from __future__ import annotations

import gc
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtQuick import QQuickItem
from PySide6.QtTest import QTest
from sqlalchemy import select

from common.db.engine import make_engine, migrate
from common.db.schema import WindowRow
from common.devices.idreader import SimulatedReader
from common.devices.printer import dummy_printer
from common.devices.speaker import RecordingSpeaker
from common.domain import contact
from common.domain.clock import SHANGHAI, OffsetClock, SystemClock
from common.domain.model import Role
from common.stations.ticketing import KioskService
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport
from common.usecases import appointments, auth, reference
from common.usecases.hub import Hub
from devtools.loopback import LoopbackHub
from kiosk.app import kiosk_view
from kiosk.main import demo_devices
from kiosk.model import KioskModel
from qtbase.app import PORTRAIT, application, delete_now, dispose_view
from qtbase.probes import centre, find_item, wait_for

SITE = "qp-centre"
STAFF_PIN = "2468"


def mid_morning() -> OffsetClock:
    """The hall's clock running at real speed from 10:00 Shanghai time today, whatever the hour: the demo's
    bookings (now, two hours ahead, two hours before) and a screen's few minutes never cross midnight."""
    from datetime import datetime

    now = datetime.now(SHANGHAI)
    return OffsetClock(SystemClock(), (now.replace(hour=10, minute=0) - now).total_seconds())



class DemoHub(LoopbackHub):
    """The demo hub (its sites, items and today's bookings) in a thread of this process, on a free loopback port;
    its clock is the hall's mid-morning unless given."""

    def __init__(self, folder: Path, clock=None) -> None:
        self.clock = clock or mid_morning()
        self.engine = make_engine(f"sqlite:///{folder / 'hub.sqlite3'}")
        migrate(self.engine)
        key = appointments.hub_key(folder)
        with self.engine.begin() as conn:
            reference.load_demo(conn)
            self.bookings = appointments.load_demo(conn, key, self.clock.now())
        super().__init__(Hub(self.engine, self.clock, id_key=key, contact_key=contact.contact_key(folder),
                             box_key=contact.box_key(folder)))

    def code(self, role: Role = Role.kiosk, window_id: str | None = None) -> str:
        with self.engine.begin() as conn:
            return auth.create_enrolment_code(conn, site_id=SITE, role=role, name="自助机", now=self.clock.now(),
                                              window_id=window_id)

    def staff_window(self, kind: str = "cases", staff_no: str = "QP0101", pin: str = "372915") -> str:
        """A terminal enrolled at the site's first window of `kind` and a clerk signed in on it (the demo's 顾佳怡):
        the window is staffed. Returns the terminal's device token."""
        with self.engine.connect() as conn:
            window = conn.execute(select(WindowRow.id).where(WindowRow.site_id == SITE, WindowRow.kind == kind)
                                  .order_by(WindowRow.number)).scalars().first()
        me = HttpTransport(self.url, "").call("POST", "/enrol", json={"code": self.code(Role.terminal, window)})
        HttpTransport(self.url, me["token"]).call("POST", "/clerk/sign-in", json={"staff_no": staff_no, "pin": pin})
        return me["token"]


class Harness:
    def __init__(self, folder: Path | None = None, size=PORTRAIT, clock=None, public_url: str | None = None) -> None:
        self.folder = Path(folder or tempfile.mkdtemp(prefix="haoban-kiosk-"))
        self.app = application()
        self.hub = DemoHub(self.folder, clock).start()
        me = HttpTransport(self.hub.url, "").call("POST", "/enrol", json={"code": self.hub.code()})
        transport = HttpTransport(self.hub.url, me["token"], timeout=30)  # the first sync on a loaded CI machine
        self.client = SyncClient(LocalStore(self.folder / "kiosk.sqlite3"), transport,
                                 device_id=me["device_id"], site_id=me["site_id"], lease_size=10)
        self.client.sync_once()
        transport.timeout = 3  # then short, so that a test that cuts the hub is not kept waiting
        self.printer = dummy_printer()
        self.reader = SimulatedReader()
        self.speaker = RecordingSpeaker()
        self.model = KioskModel(KioskService(self.client, self.printer, self.hub.url, public_url), id_reader=self.reader,
                                admin_check=lambda pin: pin == STAFF_PIN, speaker=self.speaker,
                                demo=demo_devices(self.hub.bookings[0]))
        self.view = kiosk_view(self.model, size)
        self.view.show()
        self.settle()

    def settle(self, ms: int = 50) -> None:
        QTest.qWait(ms)

    def item(self, name: str) -> QQuickItem:
        return find_item(self.view, name)

    def visible(self, name: str) -> bool:
        try:
            return self.item(name).isVisible()
        except LookupError:
            return False

    def tap(self, name: str) -> None:
        QTest.mouseClick(self.view, Qt.LeftButton, Qt.NoModifier, centre(self.item(name)))
        self.settle()

    def wait_for(self, predicate, timeout: float = 10.0) -> None:
        wait_for(predicate, timeout, what=lambda: f"the kiosk's view is {self.model.view}")

    def screen(self) -> str:
        return self.model.view["screen"]

    def grab(self, path: Path) -> Path:
        self.settle(150)
        self.view.grabWindow().save(str(path))
        return path

    def resize(self, size) -> None:
        self.view.resize(*size)
        self.settle(100)

    def close(self) -> None:
        self.model.stop_devices()
        dispose_view(self.view)
        self.hub.stop()
        delete_now(self.view, self.model)  # on the UI thread, the model's worker closed first
        self.view = self.model = None
        gc.collect()
