"""The set-up screen (issue 15): the first start of a kiosk, a counter PC or a village laptop, in Chinese, no
command line. What kind of machine, the hub's address and a one-time code, the printer and scanner (detected, with
a test print and a test scan), then `common/usecases/setup.py` enrols it on the worker thread and writes its
settings files. `haoban setup` is the same without a screen.

A village laptop's terminal gets the citizen's rating screen (评价器) when chosen on the devices step: preselected
when the machine has a second monitor (`screens`), written as rating_store and a rating code in terminal.toml.

Steps (view["step"]): kind → hub → devices (not for a counter PC) → working → done; a refusal of the hub (a wrong
code, a hub that is down) goes back to the hub step with the message, what was typed and chosen kept.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from pathlib import Path

from PySide6.QtCore import QTimer, Slot

import i18n
from common.devices import probe
from common.devices.printer import open_printer
from common.devices.scanner import KeyboardWedge
from common.domain.errors import HaobanError, HubUnreachable
from common.domain.model import Role
from common.usecases import setup
from qtbase.app import LANDSCAPE, WedgeKeys, make_view
from qtbase.viewmodel import ScreenModel

QML = Path(str(resources.files("qtbase") / "qml" / "Setup.qml"))
SCAN_SECONDS = 10  # a test scan waits this long for a code


def hub_engine(data_dir: Path):
    """The village laptop's own hub database (as `haoban serve` finds it in its data folder), migrated."""
    from common.db.engine import make_engine, migrate
    from common.domain.files import private_folder

    private_folder(data_dir)
    engine = make_engine(f"sqlite:///{data_dir / 'hub.sqlite3'}")
    migrate(engine)
    return engine


class SetupModel(ScreenModel):
    CATALOGUE = "setup"

    def __init__(self, kinds: tuple[str, ...], config_dir: Path, data_dir: Path, *, now: Callable[[], datetime],
                 dev: str = "/dev", engine_for=hub_engine, on_done: Callable[[dict], None] | None = None,
                 local_url: str = setup.LOCAL_HUB, scan_seconds: float = SCAN_SECONDS, screens: int = 1) -> None:
        super().__init__()
        self.kinds, self.config_dir, self.data_dir, self.dev = kinds, config_dir, data_dir, dev
        self.local_url, self.scan_seconds = local_url, scan_seconds
        self.now, self.engine_for, self.on_done = now, engine_for, on_done or (lambda _answer: None)
        self.wedge = KeyboardWedge(self._scanned)
        self._scan_until = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(250)
        self._timer.timeout.connect(self._tick)
        self._camera = None
        self._set(step="kind" if len(kinds) > 1 else "hub", kind=kinds[0], kinds=list(kinds), hub_url="", code="",
                  error="", printer="dummy", scanner="wedge", print_result="", print_ok=False, scan_result="",
                  scan_ok=False, scanning=False, busy=False, done={},
                  rating="screen" if screens > 1 else "none")  # a second monitor found: the rating screen on it
        self._detect()

    # ------------------------------------------------------------------ the steps
    @Slot(str)
    def chooseKind(self, kind: str) -> None:
        if kind in self.kinds:
            self._set(kind=kind, step="hub", error="")

    @Slot(str, str)
    def submitHub(self, url: str, code: str) -> None:
        url, code = url.strip(), code.strip()
        self._set(hub_url=url, code=code)
        if not url or not code:
            return self._set(error=self._text("missing_url" if not url else "missing_code"))
        if not url.startswith(("http://", "https://")):
            return self._set(error=i18n.text("errors", "setup_hub_url", self._lang))
        if self._view["kind"] != "terminal":
            return self._set(error="", step="devices")
        self._set(error="", step="working")  # a counter PC has no printer or scanner of its own
        self._run()

    @Slot()
    def back(self) -> None:
        step = self._view["step"]
        self._stop_scan()
        before = {"hub": "kind" if len(self.kinds) > 1 else "hub", "devices": "hub"}.get(step, step)
        self._set(step=before, error="")

    @Slot()
    def finish(self) -> None:
        self._stop_scan()
        self._set(step="working", error="")
        self._run()

    @Slot()
    def start(self) -> None:
        self.on_done(self._view["done"])

    @Slot(str)
    def setLanguage(self, lang: str) -> None:
        if lang in i18n.LANGUAGES:
            self._lang = lang
            self.textsChanged.emit()
            self._detect()  # the devices' labels are in the language shown

    def _run(self) -> None:
        v = self._view
        plan = setup.Plan(hub_url=v["hub_url"], code=v["code"], config_dir=self.config_dir, data_dir=self.data_dir,
                          printer=v["printer"], scanner=v["scanner"], local_url=self.local_url,
                          rating=v["rating"] == "screen")
        if v["kind"] == "village":
            work = lambda: setup.village(self.engine_for(self.data_dir), plan, self.now())  # noqa: E731
        else:
            work = lambda: setup.station(plan, Role(v["kind"]))  # noqa: E731
        self._set(busy=True)
        self.worker.run(work, self._ran)

    def _ran(self, result) -> None:
        kind, value = result
        self._set(busy=False)
        if kind == "ok":
            return self._set(step="done", done={**value, "window_text": self._window_text(value)})
        if isinstance(value, HubUnreachable):
            message = self._text("hub_down", url=self._view["hub_url"])
        elif isinstance(value, HaobanError):
            message = value.messages.get(self._lang) or value.zh
        else:  # a machine that cannot write its settings, a broken database: said, never a crash
            message = self._text("failed", reason=type(value).__name__)
        self._set(step="hub", error=message)

    def _window_text(self, done: dict) -> str:
        """A counter PC's window on the done step: the one its code named, or the clerk's choice at sign-in."""
        if "window" not in done:
            return ""
        w = done["window"]
        if w is None:
            return self._text("done_window_any")
        return self._text("done_window", number=w["number"], window=w["name"]) if w else self._text("done_window_later")

    # ------------------------------------------------------------------ the devices
    @Slot()
    def detect(self) -> None:
        self._detect()

    def _detect(self) -> None:
        printers = [{"spec": f.spec, "label": self._label(f.spec)} for f in probe.detect_printers(self.dev)]
        scanners = [{"spec": "wedge", "label": self._text("scanner_wedge")}]
        scanners += [{"spec": f.spec, "label": self._text("scanner_camera", n=f.spec.partition(":")[2])}
                     for f in probe.detect_cameras(self.dev)]
        scanners.append({"spec": "none", "label": self._text("scanner_none")})
        found = self._text("printer_found", n=len(printers)) if printers else self._text("printer_none_found")
        printers.append({"spec": "dummy", "label": self._text("printer_dummy")})
        chosen = self._view.get("printer")
        if chosen not in [p["spec"] for p in printers] or chosen == "dummy":
            chosen = printers[0]["spec"]  # a printer found is chosen first; the simulator only when none is
        ratings = [{"spec": spec, "label": self._text(f"rating_{spec}")} for spec in ("screen", "none")]
        self._set(printers=printers, printer=chosen, printers_found=found, scanners=scanners, ratings=ratings)

    def _label(self, spec: str) -> str:
        kind, _, path = spec.partition(":")
        return self._text(f"printer_{kind}", path=path)

    @Slot(str)
    def choosePrinter(self, spec: str) -> None:
        if spec in [p["spec"] for p in self._view["printers"]]:
            self._set(printer=spec, print_result="", print_ok=False)

    @Slot(str)
    def chooseScanner(self, spec: str) -> None:
        if spec in [s["spec"] for s in self._view["scanners"]]:
            self._stop_scan()
            self._set(scanner=spec, scan_result="", scan_ok=False)

    @Slot(str)
    def chooseRating(self, spec: str) -> None:
        if spec in ("screen", "none"):
            self._set(rating=spec)

    @Slot()
    def testPrint(self) -> None:
        spec = self._view["printer"]

        def work():
            open_printer(spec).print_test_page()
            return spec

        self._set(print_result="", busy=True)
        self.worker.run(work, self._printed)

    def _printed(self, result) -> None:
        kind, value = result
        if kind == "ok":
            text = self._text("test_print_dummy" if value == "dummy" else "test_print_ok")
        elif isinstance(value, HaobanError) and value.key == "printer_no_paper":
            text = self._text("test_print_no_paper")
        else:  # a device file that cannot be opened, a printer that is off: python-escpos's own errors
            cause = value.__cause__ or value
            text = self._text("test_print_failed", reason=type(cause).__name__)
        self._set(busy=False, print_result=text, print_ok=kind == "ok")

    @Slot()
    def testScan(self) -> None:
        spec = self._view["scanner"]
        if spec == "none":
            return
        self._stop_scan()
        if spec.startswith("camera"):
            from common.devices.scanner import CameraScanner, OpenCvCamera

            self._camera = CameraScanner(OpenCvCamera(int(spec.partition(":")[2] or 0)),
                                         lambda payload: self.worker.post(self._scanned, payload))
            self._camera.start()
        self._scan_until = time.monotonic() + self.scan_seconds
        self._timer.start()
        self._set(scanning=True, scan_ok=False, scan_result=self._text("test_scan_wait"))

    def wedgeKey(self, text: str) -> None:
        if self._view["scanning"] and self._view["scanner"] == "wedge":
            for ch in text:
                self.wedge.key(ch)

    def _scanned(self, payload: str) -> None:
        if not self._view["scanning"]:
            return
        self._stop_scan()
        shown = payload if len(payload) <= 40 else payload[:40] + "…"  # a code's text is shown, never kept
        self._set(scan_ok=True, scan_result=self._text("test_scan_ok", payload=shown))

    def _tick(self) -> None:
        if time.monotonic() > self._scan_until:
            self._stop_scan()
            self._set(scan_ok=False, scan_result=self._text("test_scan_timeout", seconds=f"{self.scan_seconds:g}"))

    def _stop_scan(self) -> None:
        self._timer.stop()
        if self._camera is not None:
            self._camera.stop()
            self._camera = None
        if self._view.get("scanning"):
            self._set(scanning=False)

    def _text(self, key: str, **fields) -> str:
        return i18n.text(self.CATALOGUE, key, self._lang, **fields)


def setup_view(model: SetupModel, size: tuple[int, int] = LANDSCAPE):
    """The set-up screen (qml/Setup.qml) over `model` as the context property `setup`; a USB scanner's keys reach
    the test scan whatever has the focus."""
    return make_view(model, size, QML, "setup", key_filter=WedgeKeys(model))


def first_start(path: Path, kinds: tuple[str, ...]) -> Path | None:
    """A program started without its settings file (`path` does not exist): the set-up screen, in a window of its
    own, writes the settings beside `path` (kiosk.toml or terminal.toml, for a village laptop hub.toml and both).
    The file this program reads next, once the person tapped Start; None when the window was closed before."""
    from platformdirs import user_data_dir

    from common.domain.clock import SystemClock
    from qtbase.app import application, delete_now, dispose_view

    app = application()
    answer: dict = {}
    model = SetupModel(kinds, path.parent, Path(user_data_dir("haoban", appauthor=False)), now=SystemClock().now,
                       on_done=lambda done: (answer.update(done), app.quit()), screens=len(app.screens()))
    screen = app.primaryScreen().availableGeometry()
    view = setup_view(model, (screen.width(), screen.height()))
    view.show()
    app.exec()
    dispose_view(view)
    delete_now(model)
    role = "terminal" if kinds == ("terminal",) else "kiosk"
    written = path.parent / f"{role}.toml"
    return written if answer and written.exists() else None
