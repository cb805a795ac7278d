"""The clerk terminal: sign in, then one big "call next" (F1) and a key for every action. The window's
queue follows the hub's event stream (no refresh key); the service timer ticks locally every second.
Network work runs off the UI thread (qtbase/worker.py); a badge always says whether the hub is reachable."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QListWidgetItem, QMainWindow, QStackedWidget

import i18n
from common.domain.clock import business_day
from common.sync.stream import EventFollower
from common.stations.ticketing import message
from common.sync.transport import HubUnreachable
from common.stations.counter import CALL_REASONS, PAUSE_REASONS, TerminalService
from qtbase.worker import Worker

from terminal.dialogs import ChoiceForm, FinishForm, WalkInForm
from terminal.pages import serve_page, sign_in_page

TEXTS = i18n.catalogue("terminal")
COLOURS = {"normal": "#2F3B46", "amber": "#C98A1B", "red": "#A8412E"}


class TerminalWindow(QMainWindow):
    def __init__(self, service: TerminalService, language: str = "zh_CN", on_walk_in=None) -> None:
        super().__init__()
        self.service, self.worker, self.language = service, Worker(self), language
        self.on_walk_in = on_walk_in or (lambda served: None)  # manual mode: tell the rating screen beside us
        self.loaded: dict | None = None
        self.last_figures = None
        self._rows: list[tuple[str, bool]] = []  # the queue list as shown
        self.current_queue: str | None = None  # of the ticket at the window: a transfer goes elsewhere
        self.online, self.follower, self._loading, self._again = True, None, False, False
        self._texts: list[tuple[object, str]] = []  # (widget, key) re-labelled when the language changes
        self.resize(1280, 800)
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.pages.addWidget(sign_in_page(self))
        self.pages.addWidget(serve_page(self))
        self.timer = QTimer(self, interval=1000, timeout=self._tick)  # the service timer, computed locally
        self.reload = QTimer(self, singleShot=True, interval=100, timeout=self.refresh)  # a burst of events: one load
        self.retranslate()
        if service.window_id is None:
            self.background(service.windows, self._fill_windows)

    def t(self, key: str, *args) -> str:
        text = TEXTS[key][self.language]
        for n, a in enumerate(args, 1):
            text = text.replace(f"%{n}", str(a))
        return text

    def _label(self, widget, key: str):
        self._texts.append((widget, key))
        return widget

    def retranslate(self) -> None:
        self.setWindowTitle(self.t("title"))
        for widget, key in self._texts:
            widget.setText(self.t(key))
        self._show_link()
        if self.loaded:
            self._render(self.service.board(self.loaded))
        if self.last_figures:
            self._show_figures(self.last_figures)

    def toggleLanguage(self) -> None:
        self.language = "en" if self.language == "zh_CN" else "zh_CN"
        self.retranslate()

    def background(self, work, done) -> None:
        self.worker.run(work, done)

    def say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color:{'#A8412E' if error else '#2F3B46'}")

    def _error(self, exc) -> str:
        if isinstance(exc, HubUnreachable):
            self._set_link(False)
        zh, en = message(exc)
        return zh if self.language == "zh_CN" else en

    # ------------------------------------------------------------ the hub's event stream

    def follow(self, base_url: str, token: str, device_id: str | None = None) -> None:
        """Follow the site's events: a change made elsewhere reloads the board (our own actions reload it
        when their answer comes); the link's state drives the badge."""
        def news(event):
            if event["kind"] != "numbers_leased" and (device_id is None or event.get("device_id") != device_id):
                self.worker.post(self._hub_event, event)

        self.follower = EventFollower(base_url, token, news, lambda up: self.worker.post(self._set_link, up)).start()

    def _hub_event(self, event: dict) -> None:
        if self.pages.currentIndex() == 1:
            self.reload.start()

    def _set_link(self, up: bool) -> None:
        if up != self.online:
            self.online = up
            self._show_link()
            if up and self.pages.currentIndex() == 1:
                self.refresh()

    def _show_link(self) -> None:
        self.badge.setText(self.t("online" if self.online else "offline"))
        self.badge.setProperty("online", self.online)
        self.badge.setStyleSheet(f"color:white; padding:6px 14px; border-radius:6px; background:{'#4E786E' if self.online else '#A8412E'}")
        backlog = self.service.client.store.backlog() if self.service.client else 0
        self.offline_hint.setText(self.t("offline_hint", backlog))
        self.offline_hint.setVisible(not self.online)
        self.buttons["walk_in"].setVisible(not self.online)
        self.queue.setEnabled(self.online)  # while offline the list is the last one seen, not the live queue

    # ------------------------------------------------------------ sign-in

    def _fill_windows(self, result) -> None:
        kind, windows = result
        if kind == "ok":
            for w in windows:
                self.window_choice.addItem(f"{w['number']} · {w['name']}", w["window_id"])

    def sign_in(self) -> None:
        staff_no, pin, window_id = self.staff_no.text().strip(), self.pin.text(), self.window_choice.currentData()
        self.pin.clear()

        def done(result):
            kind, value = result
            if kind == "error":
                self.sign_in_error.setText("\n".join(message(value)))
                if isinstance(value, HubUnreachable):
                    self._set_link(False)
                return
            self.sign_in_error.setText("")
            self.clerk.setText(value)
            self.pages.setCurrentIndex(1)
            self.timer.start()
            self.refresh()

        self.background(lambda: self.service.sign_in(staff_no, pin, window_id), done)

    def sign_out(self) -> None:
        def done(_):
            self.timer.stop()
            self.loaded = self.last_figures = None
            for label in (self.current, self.waited, self.service_timer, self.message, self.figures):
                label.setText("")
            self.queue.clear()
            self._rows = []
            self.pages.setCurrentIndex(0)
            self.staff_no.setFocus()

        self.background(self.service.sign_out, done)

    # ------------------------------------------------------------ serving

    def press(self, action: str) -> None:
        """What a key or button does: an action at once, or the form that action needs first."""
        if self.pages.currentIndex() != 1:
            return
        forms = {
            "finish": lambda: FinishForm(self, self.t, lambda body: self.act("finish", **body), business_day(self.service.clock.now())),
            "pause": lambda: ChoiceForm(self, "pauseDialog", self.t("pause_title"), self.t,
                                        lambda b: self.act("pause", reason=TEXTS[b["reason"]]["zh_CN"]),  # the hall reads Chinese
                                        [(r, self.t(r)) for r in PAUSE_REASONS], "reason"),
            "transfer": lambda: ChoiceForm(self, "transferDialog", self.t("transfer_title"), self.t,
                                           lambda b: self.act("transfer", **json.loads(b["target"])),
                                           self._transfer_targets(), "target"),
            "call": lambda: ChoiceForm(self, "callDialog", self.t("call_title"), self.t, lambda b: self.act("call", **b),
                                       [(w["ticket_id"], f"{w['number']}  {w['queue']}") for w in self._board("waiting")],
                                       "ticket_id", reasons=CALL_REASONS),
            "walk_in": lambda: WalkInForm(self, self.t, self.walk_in, self.service.manual_items()),
        }
        if action == "sign_out":
            self.sign_out()
        elif action in ("transfer", "call") and self.loaded is None:  # just signed in: the lists are on their way
            self.say(self.t("loading"), error=True)
            self.refresh()
        elif action == "walk_in" and self.online:
            return  # manual mode only while the hub is unreachable
        elif action in forms:
            forms[action]().open()
        else:
            self.act(action, **({"requeue": False} if action == "skip" else {}))

    def _board(self, key: str):
        return self.service.board(self.loaded)[key] if self.loaded else []

    def _transfer_targets(self) -> list[tuple[str, str]]:
        return [(json.dumps(body), self.t(key, *args))
                for body, key, args in self.service.transfer_targets(self.loaded or {}, self.current_queue)]

    def act(self, action: str, **body) -> None:
        self.background(lambda: self.service.act(action, **body), self._acted)

    def walk_in(self, body: dict) -> None:
        def done(result):
            kind, value = result
            if kind == "error":
                return self.say(self._error(value), error=True)
            self.say(self.t("walk_in_done", value["number"]))
            self._show_link()
            self.on_walk_in(value)

        self.background(lambda: self.service.serve_walk_in(**body), done)

    def _acted(self, result) -> None:
        kind, value = result
        if kind == "error":
            return self.say(self._error(value), error=True)
        self.say(self.t("reject_hint") if value["event"]["data"].get("outcome") == "rejected" else "")
        ticket = value.get("ticket") or {}
        if ticket.get("status") == "called":  # show the called number at once; the board follows
            self.current.setText(ticket["number"])
            self.current_queue = ticket["queue_id"]
        if value["event"]["kind"] == "service_finished":
            self.load_figures()
        self.refresh()

    def refresh(self) -> None:
        if self._loading:  # one load at a time; another one after it if news came meanwhile
            self._again = True
            return
        self._loading = True
        self.background(self.service.load, self._loaded)
        if self.figures.text() == "":
            self.load_figures()

    def _loaded(self, result) -> None:
        self._loading = False
        kind, value = result
        if kind == "error":
            self.say(self._error(value), error=True)
        elif not self._again or self.loaded is None:  # news came while loading: this answer may be stale
            self.loaded = value
            if self.follower is None:
                self._set_link(True)
            self._render(self.service.board(value))
        if self._again:
            self._again = False
            self.refresh()

    def load_figures(self) -> None:
        self.background(self.service.figures, self._show_figures)

    def _show_figures(self, result) -> None:
        kind, f = result
        if kind == "error":
            return
        self.last_figures = result
        avg = f["average_service_seconds"]
        share = f["service_within_limit_share"]
        self.figures.setText(self.t("figures", f["served"], "—" if avg is None else self.t("minutes", f"{avg / 60:.1f}"),
                                    "—" if share is None else f"{share:.0%}", f["ratings"]["average"] or "—",
                                    f["ratings"]["count"], f["ratings"]["unrated"]))

    def _tick(self) -> None:
        if self.loaded:
            self._render(self.service.board(self.loaded))

    def _render(self, board: dict) -> None:
        window, current = board["window"], board["current"]
        self.clerk.setText(self.t("clerk_at", self.service.clerk or "", window["number"]))
        self.current.setText(current["number"] if current else "—")
        self.current_queue = current["queue_id"] if current else None
        self.waited.setText(self.t("waited", current["waited_seconds"] // 60) if current else "")
        colour = current["colour"] if current else "normal"
        if current and current["started_at"]:
            m, s = divmod(current["service_seconds"], 60)
            self.service_timer.setText(self.t("serving", f"{m:02d}:{s:02d}", current["service_limit_min"]))
        elif current:
            self.service_timer.setText(self.t("called"))
        elif window["paused"]:
            self.service_timer.setText(self.t("paused", window["pause_reason"] or ""))
        else:
            self.service_timer.setText(self.t("idle"))
        if self.service_timer.property("colour") != colour:  # twice a service: a new style sheet re-polishes
            self.service_timer.setProperty("colour", colour)
            self.service_timer.setStyleSheet(f"color:{COLOURS[colour]}")
        rows = []
        for w in board["waiting"]:
            soon = ""
            if w["soon"]:
                left = w["breach_in_seconds"] // 60
                soon = self.t("soon", left + 1) if w["breach_in_seconds"] > 0 else self.t("breached")
            rows.append((self.t("queue_row", w["number"], w["queue"], w["waited_seconds"] // 60)
                         + (self.t("green") if w["priority"] == "green" else "")
                         + (self.t("for_me") if w["for_me"] else "") + soon, w["soon"]))
        if rows != self._rows:  # the screen ticks every second; the list changes only when a row does
            self._rows = rows
            self.queue.clear()
            for text, soon in rows:
                item = QListWidgetItem(text)
                item.setData(Qt.UserRole, soon)
                if soon:
                    item.setForeground(Qt.red)
                self.queue.addItem(item)

    def closeEvent(self, event) -> None:
        self.timer.stop()
        if self.follower is not None:
            self.follower.stop()
        super().closeEvent(event)
