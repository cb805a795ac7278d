"""The live warning banner's view-model (docs/planning.md, "Live warning"): the terminal asks the hub every
WARNING_POLL_SECONDS for the warnings of its window's queues (`TerminalService.warnings`, off the UI thread) and
shows them as `text` in the terminal's language; "" when there is none, and none either once the last answer is older
than WARNING_MAX_AGE (the hub away: no stale warning). The rules are `common.stations.counter`'s."""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from common.stations.counter import WARNING_POLL_SECONDS, fresh_warnings, warning_banner


class WarningModel(QObject):
    """State: `text` (one line per warning, "" for none). Data: `got`, the hub's last answer with when it came."""

    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.terminal = terminal
        self.got: dict | None = None
        self.text = ""
        self._asking = False
        self.poll = QTimer(self, interval=WARNING_POLL_SECONDS * 1000, timeout=self.ask)

    def start(self) -> None:
        """Signed in: ask now, then every WARNING_POLL_SECONDS."""
        self.poll.start()
        self.ask()

    def stop(self) -> None:
        self.poll.stop()
        self.got, self.text = None, ""

    def ask(self) -> None:
        if self._asking or not self.terminal.signed_in:
            return
        self._asking = True
        self.terminal.worker.run(self.terminal.service.warnings, self._answered)

    def _answered(self, result) -> None:
        self._asking = False
        kind, value = result
        if not self.terminal.signed_in:
            return
        if kind == "ok":
            self.got = value
        self.render()  # an error (the hub away, a refusal) keeps the last answer only while it is fresh
        self.terminal.changed.emit()

    def render(self) -> None:
        """Again each second (the terminal's ticker) and when the language changes: an old answer goes by itself."""
        self.text = warning_banner(fresh_warnings(self.got, self.terminal.service.clock.now()), self.terminal.t)
