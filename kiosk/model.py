"""The kiosk's view-model: the one QObject the QML talks to. It holds no business logic: it calls
`common.kiosk.KioskService`, runs slow work off the UI thread, and turns results into plain maps."""
from __future__ import annotations

import base64
import json
import time
from pathlib import Path

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from common.idcard import parse_id
from common.kiosk import CATEGORIES, KioskService, message

from .worker import Worker

ROOT = Path(__file__).resolve().parents[1]
TEXTS = json.loads((ROOT / "i18n" / "kiosk.json").read_text("utf-8"))
THEME = json.loads((ROOT / "assets" / "theme" / "jiangnan.json").read_text("utf-8"))


class KioskModel(QObject):
    viewChanged = Signal()
    textsChanged = Signal()

    def __init__(self, service: KioskService, idle_seconds: float = 60.0, admin_check=None, on_exit=None,
                 id_reader=None, green_age: int = 70) -> None:
        super().__init__()
        self.service, self.idle_seconds = service, idle_seconds
        self.id_reader, self.green_age = id_reader, green_age
        self.admin_check, self.on_exit = admin_check or (lambda pin: False), on_exit or (lambda: None)
        self._lang, self._elder, self._taps = "zh_CN", False, []
        self._view: dict = {}
        self._items: list[dict] = []
        self.worker = Worker(self)
        self.idle = QTimer(self, singleShot=True, timeout=self.reset)
        # the background sync changes online / offline and may bring the catalogue: show it
        self.status = QTimer(self, interval=1000, timeout=self._refresh_status)
        self.status.start()
        self.card_poll = QTimer(self, interval=400, timeout=self._read_card)
        if id_reader is not None:
            self.card_poll.start()
        self.reset()

    def _read_card(self) -> None:
        """On the confirm screen, an ID card on the reader offers the green channel by age (plan: elderly).
        Only the age is kept, and only until the screen is left: nothing personal stays on the kiosk."""
        if self._view.get("screen") != "confirm" or self._view.get("green_offer") is not None:
            return
        try:
            card = self.id_reader.read()
            if card is None:
                return
            age = parse_id(card.id_number).age_on(self.service.client.now().date())
        except Exception as exc:  # noqa: BLE001 - a bad card or reader: say so, keep the flow going
            self._set(card_error=message(exc)[0 if self._lang == "zh_CN" else 1])
            return
        self._set(green_offer=age >= self.green_age, green=age >= self.green_age, card_error="")

    @Slot()
    def toggleGreen(self) -> None:
        self.touch()
        if self._view.get("green_offer"):
            self._set(green=not self._view.get("green"))

    def _refresh_status(self) -> None:
        online, site = self.service.client.status.online, self._view.get("site") or self._site_name()
        if online != self._view.get("online") or site != self._view.get("site"):
            self._set(online=online, site=site)

    # ------------------------------------------------------------ properties for QML

    def _get_view(self) -> dict:
        return self._view

    def _get_texts(self) -> dict:
        return {k: v[self._lang] for k, v in TEXTS.items()}

    def _get_theme(self) -> dict:
        return THEME

    view = Property("QVariantMap", _get_view, notify=viewChanged)
    texts = Property("QVariantMap", _get_texts, notify=textsChanged)
    theme = Property("QVariantMap", _get_theme, constant=True)

    def _set(self, **changes) -> None:
        self._view = {**self._view, **changes}
        self.viewChanged.emit()

    def _background(self, work, done) -> None:
        self._set(busy=True)
        self.worker.run(work, done)

    # ------------------------------------------------------------ actions

    @Slot()
    def reset(self) -> None:
        """Back to the home screen with nothing personal left on it (idle timeout, or "home")."""
        self._items = []
        self._view = {"screen": "home", "busy": False, "category": "", "items": [], "choice": {}, "preview": {},
                      "ticket": {}, "error": {}, "green_offer": None, "green": False, "card_error": "", "scale": 1.35 if self._elder else 1.0, "elder": self._elder,
                      "online": self.service.client.status.online, "site": self._site_name()}
        self.viewChanged.emit()

    def _site_name(self) -> str:
        try:
            return self.service.site_name()
        except Exception:  # noqa: BLE001 - no catalogue yet: the name is simply not shown
            return ""

    @Slot()
    def touch(self) -> None:
        self.idle.start(int(self.idle_seconds * (2 if self._elder else 1) * 1000))

    @Slot(str)
    def go(self, screen: str) -> None:
        self.touch()
        if screen == "home":
            self.reset()
        else:
            self._set(screen=screen)

    @Slot(str)
    def chooseCategory(self, category: str) -> None:
        self.touch()
        if category not in CATEGORIES:
            return
        try:
            self._items = self.service.items(category)
        except Exception as exc:  # noqa: BLE001
            return self._fail(exc)
        self._set(screen="items", category=category,
                  items=[{"name": i["name"], "minutes": i["minutes"] or 0} for i in self._items])

    @Slot(int)
    def chooseItem(self, index: int) -> None:
        self.touch()
        if not 0 <= index < len(self._items):
            return
        choice = self._items[index]
        self._set(screen="confirm", choice={"name": choice["name"]}, preview={}, green_offer=None, green=False, card_error="")
        self._background(lambda: self.service.preview(choice), self._previewed)

    def _previewed(self, result) -> None:
        kind, value = result
        self._set(busy=False, preview=value if kind == "ok" else {}, online=value.get("online", False) if kind == "ok" else False)

    @Slot()
    def confirm(self) -> None:
        self.touch()
        if self._view.get("busy") or self._view.get("screen") != "confirm":
            return  # a second tap never takes a second ticket
        choice = next(i for i in self._items if i["name"] == self._view["choice"]["name"])
        green = bool(self._view.get("green"))
        self._background(lambda: self.service.take_ticket(choice, green=green), self._taken)

    def _taken(self, result) -> None:
        kind, value = result
        if kind == "error":
            return self._fail(value)
        t = value
        self.touch()  # the citizen gets the full idle time to read the ticket
        self._set(busy=False, screen="ticket", online=not t.offline, ticket={
            "number": t.number, "queue": t.queue_name, "item": t.item_name,
            "ahead": -1 if t.people_ahead is None else t.people_ahead, "printed": t.printed,
            "notices": t.notices, "qr": "data:image/png;base64," + base64.b64encode(t.qr_png).decode()})

    def _fail(self, exc) -> None:
        zh, en = message(exc)
        self._set(busy=False, screen="error", error={"text": zh if self._lang == "zh_CN" else en})

    @Slot()
    def toggleLanguage(self) -> None:
        self.touch()
        self._lang = "en" if self._lang == "zh_CN" else "zh_CN"
        self.textsChanged.emit()

    @Slot()
    def toggleElder(self) -> None:
        self.touch()
        self._elder = not self._elder
        self._set(elder=self._elder, scale=1.35 if self._elder else 1.0)

    @Slot()
    def adminTap(self) -> None:
        """Five taps on the top-left corner within three seconds open the administrator's PIN pad."""
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t < 3.0] + [now]
        if len(self._taps) >= 5:
            self._taps = []
            self._set(screen="admin")

    @Slot(str)
    def adminPin(self, pin: str) -> None:
        if self.admin_check(pin):
            self.on_exit()
        else:
            self.reset()

    @Property(str, notify=textsChanged)
    def language(self) -> str:
        return self._lang
