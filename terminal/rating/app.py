"""A rating pad: its own enrolled device (role `rating`), its background sync, the hub's event stream, its view."""
from __future__ import annotations

import os
import threading
from importlib import resources
from pathlib import Path

from common.domain import errors as e
from common.stations.feedback import TIMEOUT_SECONDS, RatingService
from common.sync.client import SyncClient, keep_syncing
from common.sync.store import LocalStore
from common.sync.stream import EventFollower
from common.sync.transport import HttpTransport
from qtbase.app import delete_now, dispose_view, make_view
from terminal.rating.model import RatingModel

QML = Path(str(resources.files("terminal.rating") / "qml" / "Rating.qml"))
PAD = (1280, 800)


def use_virtual_keyboard() -> bool:
    """Before the application is made, in a pad's own process: Qt Virtual Keyboard (拼音 and English) is the
    input method, shown inside the rating window only (never as a window of its own). Not in the clerk's
    terminal process, whose clerks type with the machine's own input method. False (and the pad offers
    the fixed reasons only) where PySide6-Addons, which holds its libraries, is not installed."""
    import PySide6

    if not any((Path(PySide6.__file__).parent / "Qt").rglob("*Qt6VirtualKeyboardQml*")):
        return False
    os.environ["QT_IM_MODULE"] = "qtvirtualkeyboard"
    os.environ["QT_VIRTUALKEYBOARD_DESKTOP_DISABLE"] = "1"
    return True


def virtual_keyboard() -> bool:
    return os.environ.get("QT_IM_MODULE") == "qtvirtualkeyboard"


class RatingPad:
    def __init__(self, store: str | Path, hub_url: str, code: str = "", *, timeout_seconds: float = TIMEOUT_SECONDS,
                 mouse: bool = False, size: tuple[int, int] = PAD, keyboard: bool | None = None) -> None:
        store = LocalStore(store)
        me = store.identity(hub_url, code)
        if me["role"] != "rating":
            raise e.Forbidden("rating_role")
        self.client = SyncClient(store, HttpTransport(hub_url, me["token"], timeout=3), device_id=me["device_id"],
                                 site_id=me["site_id"])
        self.service = RatingService(self.client, me["window_id"])
        keyboard = virtual_keyboard() if keyboard is None else keyboard
        self.model = RatingModel(self.service, timeout_seconds=timeout_seconds, mouse=mouse, keyboard=keyboard)
        self.follower = EventFollower(hub_url, me["token"], self.model.on_event, self.model.set_online)
        self.view = make_view(self.model, size, QML, "rating")
        self.view.setTitle("好办 · 服务评价")
        self._stop = threading.Event()

    def start(self, sync: bool = True) -> "RatingPad":
        """Follow the stream, and sync (the reference: window and clerk names; the site's events: ticket
        numbers) unless the terminal beside us runs this pad's sync after its own (`sync=False`)."""
        if sync:
            once = lambda: self.client.sync_once(leases=False)  # noqa: E731 - a pad never issues tickets
            threading.Thread(target=keep_syncing, args=(once, self._stop, lambda exc: None), daemon=True).start()
        self.follower.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self.follower.stop()
        for timer in (self.model.timeout, self.model.thanks, self.model.tick):
            timer.stop()
        dispose_view(self.view)
        delete_now(self.view, self.model)
