"""A window's desk as it runs at the counter: the clerk's terminal, its local store and background sync
(leases and reference data for manual mode), the hub's event stream, and optionally the citizen's rating
screen beside it (its own device, synced right after the terminal so a walk-in reaches the hub before its rating)."""
from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt

from common.stations.counter import TerminalService
from common.sync.client import SyncClient, keep_syncing
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport
from qtbase.app import delete_now
from terminal.viewmodel import TerminalModel
from terminal.window import TerminalWindow


class Desk:
    def __init__(self, hub_url: str, store: str | Path, code: str = "", *, rating_store: str | Path | None = None,
                 rating_code: str = "", rating_mouse: bool = False,
                 speaker=None, language: str = "zh_CN", clock=None, lease_size: int = 50) -> None:
        local = LocalStore(store)
        self.me = local.identity(hub_url, code)
        self.client = SyncClient(local, HttpTransport(hub_url, self.me["token"], timeout=3), device_id=self.me["device_id"],
                                 site_id=self.me["site_id"], lease_size=lease_size)
        self.service = TerminalService(HttpTransport(hub_url, self.me["token"], timeout=3), self.me["window_id"],
                                       clock or self.client, client=self.client, speaker=speaker)  # the hub's time
        self.pad = None
        if rating_store is not None:
            from terminal.rating.app import RatingPad

            # keyboard=False: this process keeps the clerk's input method, so the citizen picks reasons only
            self.pad = RatingPad(rating_store, hub_url, rating_code, mouse=rating_mouse, keyboard=False)
        self.model = TerminalModel(self.service, language=language, on_walk_in=self._walk_in)
        self.window = TerminalWindow(self.model)
        self.hub_url = hub_url
        self._stop = threading.Event()

    def sync_once(self) -> None:
        self.client.sync_once()
        if self.pad is not None:
            self.pad.client.sync_once(leases=False)

    def start(self) -> "Desk":
        threading.Thread(target=keep_syncing, args=(self.sync_once, self._stop, lambda exc: None), daemon=True).start()
        self.model.follow(self.hub_url, self.me["token"], self.me["device_id"])
        if self.pad is not None:
            self.pad.start(sync=False)
        return self

    def _walk_in(self, served: dict) -> None:
        """Manual mode: the rating screen cannot hear of this walk-in from the hub; it hears it from us."""
        if self.pad is not None:
            found = self.pad.service.finished(served["ticket_id"], served["number"], self.service.window_id,
                                              self.service.clerk_id)
            if found is not None:
                self.pad.model.show_service(found)

    def show(self, app) -> None:
        if self.pad is not None:
            # the clerk's keyboard stays with the terminal: the rating screen never takes the focus
            self.pad.view.setFlag(Qt.WindowDoesNotAcceptFocus)
            screens = app.screens()
            if len(screens) > 1:  # the second monitor faces the citizen
                self.pad.view.setScreen(screens[1])
                self.pad.view.setGeometry(screens[1].geometry())
                self.pad.view.showFullScreen()
            else:
                self.pad.view.show()
        self.window.show()
        self.window.activateWindow()

    def close(self) -> None:
        """Stop the threads and delete the Qt objects on the UI thread."""
        self._stop.set()
        self.window.close()
        delete_now(self.window)
        if self.pad is not None:
            self.pad.close()
