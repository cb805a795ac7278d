"""The one way the Qt shells run slow work (network, printing): in a thread, with the result handed
back to the UI thread. Results travel through a queue and the signal carries no Python objects:
passing objects through cross-thread signals crashed PySide6 (a refcount error) under load."""
from __future__ import annotations

import queue
import threading

from PySide6.QtCore import QObject, Qt, Signal


class Worker(QObject):
    _ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._results: queue.SimpleQueue = queue.SimpleQueue()
        self._ready.connect(self._deliver, Qt.QueuedConnection)
        # A thread may finish its work while the UI thread deletes the screen: `close` (qtbase.app.delete_now)
        # waits for an emit under way and stops later ones, so no thread emits on a deleted object.
        self._lock = threading.Lock()
        self._closed = False

    def run(self, work, done) -> None:
        """Call `work()` in a thread; then `done(("ok", result))` or `done(("error", exception))` on the UI thread."""
        def body():
            try:
                result = ("ok", work())
            except Exception as exc:  # noqa: BLE001 - every failure is shown in one place by `done`
                result = ("error", exc)
            self.post(done, result)

        threading.Thread(target=body, daemon=True).start()

    def post(self, done, value) -> None:
        """From any thread (a device's reader thread, one following the hub's event stream): `done(value)` on the UI thread."""
        with self._lock:
            if self._closed:  # the screen was closed meanwhile: nobody waits for this result
                return
            self._results.put((done, value))
            try:
                self._ready.emit()
            except RuntimeError:  # deleted without `close` (a screen torn down by its parent): nobody waits
                pass

    def close(self) -> None:
        """On the UI thread, before this object is deleted: results that come later are dropped."""
        with self._lock:
            self._closed = True

    def _deliver(self) -> None:
        while True:
            try:
                done, result = self._results.get_nowait()
            except queue.Empty:
                return
            done(result)
