"""The clerk terminal's view-model: the one QObject the terminal's widgets render, without a widget of its own.
It owns the terminal's state (signed in or not, the board, the current ticket and its timer, the online badge,
the messages) as plain attributes, says `changed` whenever they move, and does what the clerk's keys ask by
calling `common.stations.counter.TerminalService` off the UI thread (qtbase/worker.py). The board follows the
hub's event stream (no refresh key); the service timer ticks locally every second. At a window of kind "cases"
(办不成事反映窗口, learnt from the hub's list of windows) it also owns the cases page's model (terminal/cases.py)."""
from __future__ import annotations

import time
from datetime import date

from PySide6.QtCore import QObject, QTimer, Signal

import i18n
from common.domain.clock import business_day
from common.stations.counter import CALL_REASONS, PAUSE_REASONS, TerminalService
from common.stations.ticketing import message
from common.sync.stream import EventFollower
from common.sync.transport import HubUnreachable
from qtbase.worker import Worker
from terminal.cases import CasesModel
from terminal.warning import WarningModel

TEXTS = i18n.catalogue("terminal")
FORMS = ("finish", "pause", "transfer", "call", "walk_in")  # the actions that need a form first
FIGURES_RETRY_SECONDS = 5  # a failed load of today's figures is asked again after this long
CASE_FORMS = ("case_classify", "case_assign", "case_note", "case_extend", "case_answer", "case_follow_up", "case_contact")


class TerminalModel(QObject):
    """State, all of it plain attributes the widgets show as they are (texts in the current language):
    `signed_in`, `sign_in_error`, `windows` [(label, window_id)] to choose from when `choose_window`,
    `clerk`, `online`, `badge`, `offline_hint`, `set_aside_hint` ("" unless the hub refused some of our events, which
    the sync set aside: docs/sync.md), `figures`, `current` (the number at the window), `waited`,
    `service_timer` and its `colour` ("normal", "amber", "red"), `rows` [(text, soon)] of the waiting tickets,
    `message` (`message_error`: shown as a refusal) and `refusal` (zh, en) of the last refusal,
    `rejected` ({ticket_id, number} of the service just refused here: offered to be registered as a case),
    `page` ("serve" or "cases") and `cases` (the cases page's model; `cases.available` at a 办不成事 window),
    `warning` (the live warning banner's model, terminal/warning.py: `warning.text`, "" for none).
    Data: `loaded` (the last load from the hub), `last_figures`."""

    changed = Signal()  # any of the state above moved
    languageChanged = Signal()  # the fixed labels too
    signInAnswered = Signal(str)  # the sign-in's error ("" when signed in)
    formWanted = Signal(str)  # an action (FORMS) asks its form first; the form's answer comes back by a method

    def __init__(self, service: TerminalService, language: str = "zh_CN", on_walk_in=None) -> None:
        super().__init__()
        self.service, self.worker, self.language = service, Worker(self), language
        self.on_walk_in = on_walk_in or (lambda served: None)  # manual mode: tell the rating screen beside us
        self.choose_window = service.window_id is None
        self.windows: list[tuple[str, str]] = []
        self.signed_in, self.sign_in_error = False, ""
        self.loaded: dict | None = None
        self.last_figures = None
        self.figures_error, self._figures_busy, self._figures_again_at = None, False, 0.0  # a failed load is asked again
        self.online, self.follower, self._loading, self._again = True, None, False, False
        self.clerk = self.waited = self.service_timer = self.message = self.figures = ""
        self.current, self.current_queue, self.colour = "—", None, "normal"
        self.rows: list[tuple[str, bool]] = []
        self.message_error, self.refusal = False, None
        self.ticker = QTimer(self, interval=1000, timeout=self._tick)  # the service timer, computed locally
        self.reload = QTimer(self, singleShot=True, interval=100, timeout=self.refresh)  # a burst of events: one load
        self.set_aside_hint = ""
        self.rejected: dict | None = None
        self.page = "serve"
        self.cases = CasesModel(self)
        self.warning = WarningModel(self)
        self.sync_status = QTimer(self, interval=1000, timeout=self._show_set_aside)  # the background sync's count
        self.sync_status.start()
        self._show_link()
        if self.choose_window:
            self.worker.run(service.windows, self._fill_windows)

    def t(self, key: str, *args) -> str:
        text = TEXTS[key][self.language]
        for n, a in enumerate(args, 1):
            text = text.replace(f"%{n}", str(a))
        return text

    def toggleLanguage(self) -> None:
        self.language = "en" if self.language == "zh_CN" else "zh_CN"
        self._show_link()
        if self.loaded:
            self._render(self.service.board(self.loaded))
        if self.last_figures:
            self._show_figures(self.last_figures)
        self.cases.render()
        self.warning.render()
        self.languageChanged.emit()
        self.changed.emit()

    def say(self, text: str, error: bool = False) -> None:
        self.message, self.message_error = text, error
        self.changed.emit()

    def _refuse(self, exc) -> None:
        if isinstance(exc, HubUnreachable):
            self._set_link(False)
        self.refusal = message(exc)
        self.say(self.refusal[0] if self.language == "zh_CN" else self.refusal[1], error=True)

    # ------------------------------------------------------------ the hub's event stream

    def follow(self, base_url: str, token: str, device_id: str | None = None) -> None:
        """Follow the site's events: a change made elsewhere reloads the board (our own actions reload it
        when their answer comes); the link's state drives the badge."""
        def news(event):  # our own case_opened too: a case kept here in manual mode has reached the hub's list
            mine = device_id is not None and event.get("device_id") == device_id and event["kind"] != "case_opened"
            if event["kind"] != "numbers_leased" and not mine:
                self.worker.post(self._hub_event, event)

        self.follower = EventFollower(base_url, token, news, lambda up: self.worker.post(self._set_link, up)).start()

    def _hub_event(self, event: dict) -> None:
        if self.signed_in:
            self.reload.start()
            if self.cases.available and (event["kind"].startswith("case_") or event["kind"] == "ticket_rated"):
                self.cases.soon.start()

    def _set_link(self, up: bool) -> None:
        if up != self.online:
            self.online = up
            self._show_link()
            if up and self.signed_in:
                self.refresh()
                self.cases.back_online()
                self.warning.ask()
            self.cases.render()
            self.changed.emit()

    def _show_link(self) -> None:
        self.badge = self.t("online" if self.online else "offline")
        backlog = self.service.client.store.backlog() if self.service.client else 0
        self.offline_hint = self.t("offline_hint", backlog)
        self._show_set_aside(emit=False)

    def _show_set_aside(self, emit: bool = True) -> None:
        count = self.service.client.status.set_aside if self.service.client else 0
        hint = "" if not count else self.t("set_aside_one") if count == 1 else self.t("set_aside", count)
        if hint != self.set_aside_hint:
            self.set_aside_hint = hint
            if emit:
                self.changed.emit()

    # ------------------------------------------------------------ sign-in

    def _fill_windows(self, result) -> None:
        kind, windows = result
        if kind == "ok":
            self.windows = [(f"{w['number']} · {w['name']}", w["window_id"]) for w in windows]
            self.changed.emit()

    def sign_in(self, staff_no: str, pin: str, window_id: str | None = None) -> None:
        def done(result):
            kind, value = result
            if kind == "error":
                self.sign_in_error = "\n".join(message(value))
                if isinstance(value, HubUnreachable):
                    self._set_link(False)
            else:
                self.sign_in_error, self.clerk, self.signed_in = "", value, True
                self._learn_kind(None)  # from the cached reference until the hub's load comes (offline: says so)
                self.ticker.start()
                self.refresh()
                self.warning.start()
            self.signInAnswered.emit(self.sign_in_error)
            self.changed.emit()

        self.worker.run(lambda: self.service.sign_in(staff_no, pin, window_id), done)

    def sign_out(self) -> None:
        def done(_):
            self.ticker.stop()
            self.warning.stop()
            self.loaded = self.last_figures = None
            self.current = self.waited = self.service_timer = self.message = self.figures = ""
            self.rows, self.signed_in, self.rejected, self.page = [], False, None, "serve"
            self.cases.reset()
            self.changed.emit()

        self.worker.run(self.service.sign_out, done)

    # ------------------------------------------------------------ the clerk's keys

    def press(self, action: str) -> None:
        """What a key (F1..F10, Ctrl+Q) does: an action at once, or `formWanted(action)` for the form it needs."""
        if not self.signed_in:
            return
        if action == "sign_out":
            self.sign_out()
        elif action == "cases_page":
            if self.cases.available:
                self.page = "serve" if self.page == "cases" else "cases"
                self.cases.reload()
                self.changed.emit()
        elif action == "register_rejection":
            if self.rejected:
                self.formWanted.emit(action)
        elif action == "case_register":
            self.formWanted.emit(action)
        elif action == "case_refresh":
            self.cases.reload()
        elif action in ("case_detail", *CASE_FORMS):
            if self.cases.opened is None:
                self.cases.say(self.t("pick_case"))
            elif action == "case_detail":
                self.cases.open(self.cases.opened)
            else:
                self.formWanted.emit(action)
        elif action in ("transfer", "call") and self.loaded is None:  # just signed in: the lists are on their way
            self.say(self.t("loading"), error=True)
            self.refresh()
        elif action == "walk_in" and self.online:
            return  # manual mode only while the hub is unreachable
        elif action in FORMS:
            self.formWanted.emit(action)
        else:
            self.act(action, **({"requeue": False} if action == "skip" else {}))

    def call_next(self) -> None:
        self.act("call-next")

    def recall(self) -> None:
        self.act("recall")

    def start(self) -> None:
        self.act("start")

    def skip(self) -> None:
        """The called citizen did not come (no-show)."""
        self.act("skip", requeue=False)

    def resume(self) -> None:
        self.act("resume")

    def finish(self, outcome: str, **fields) -> None:
        """`fields`: missing_materials and due_date (accepted_missing), reason and guide_wrong (rejected): FinishForm's
        body."""
        self.act("finish", outcome=outcome, **fields)

    def call(self, ticket_id: str, reason: str) -> None:
        """Call a waiting ticket out of order, with a reason."""
        self.act("call", ticket_id=ticket_id, reason=reason)

    def transfer(self, target: dict) -> None:
        """`target`: {"to_window_id": ...} or {"to_queue_id": ...}, one of `transfer_targets()`."""
        self.act("transfer", **target)

    def pause(self, reason: str) -> None:
        """`reason`: one of PAUSE_REASONS; the hall reads it in Chinese."""
        self.act("pause", reason=TEXTS[reason]["zh_CN"])

    # what the forms offer
    call_reasons = CALL_REASONS

    def materials(self) -> tuple[tuple[str, ...], int | None]:
        """What the finish form offers to tick as missing for the ticket at the window (its matter's guide)."""
        current = ((self.loaded or {}).get("window") or {}).get("current") or {}
        return self.service.materials(current.get("item_id"))

    def today(self) -> date:
        return business_day(self.service.clock.now())

    def pause_reasons(self) -> list[tuple[str, str]]:
        return [(r, self.t(r)) for r in PAUSE_REASONS]

    def transfer_targets(self) -> list[tuple[dict, str]]:
        return [(body, self.t(key, *args))
                for body, key, args in self.service.transfer_targets(self.loaded or {}, self.current_queue)]

    def waiting_tickets(self) -> list[tuple[str, str]]:
        waiting = self.service.board(self.loaded)["waiting"] if self.loaded else []
        return [(w["ticket_id"], f"{w['number']}  {w['queue']}") for w in waiting]

    def manual_items(self) -> list[dict]:
        return self.service.manual_items()

    def register_case(self, body: dict) -> None:
        """A case registered from a form: at the 办不成事 window, or of the service just refused here."""
        def done(value):
            if body.get("source") == "rejection":
                self.rejected = None
                self.say(self.cases.registered(value))

        self.cases.register(body, on_done=done)

    def current_ticket(self) -> dict | None:
        """The ticket at the window ({ticket_id, number}), for a case registered while serving it."""
        current = (self.loaded or {}).get("window", {}).get("current")
        return {"ticket_id": current["ticket_id"], "number": current["number"]} if current else None

    def act(self, action: str, **body) -> None:
        self.worker.run(lambda: self.service.act(action, **body), self._acted)

    def walk_in(self, item_id: str, outcome: str, reason: str | None = None) -> None:
        """Manual mode: a walk-in served while the hub is unreachable, kept here and told to the rating screen."""
        def done(result):
            kind, value = result
            if kind == "error":
                return self._refuse(value)
            self._show_link()
            self.say(self.t("walk_in_done", value["number"]))
            # a refusal here too is offered as a case (F11), kept here with the walk-in until the link is back
            self.rejected = {**value, "item_id": item_id} if outcome == "rejected" else None
            self.on_walk_in(value)

        self.worker.run(lambda: self.service.serve_walk_in(item_id, outcome, reason), done)

    def _acted(self, result) -> None:
        kind, value = result
        if kind == "error":
            self._refuse(value)
            # a refused or unanswered action may still have happened at the hub (an answer lost to a time-out):
            # the board is reloaded, so the window never shows a ticket the hub has already finished
            self.refresh()
            return
        self.refusal = None
        ticket = value.get("ticket") or {}
        data = value["event"]["data"]
        if ticket.get("status") == "called":  # show the called number at once; the board follows
            self.current, self.current_queue = ticket["number"], ticket["queue_id"]
            self.rejected = None  # the next citizen: the offer for the last one has gone
        if value["event"]["kind"] == "service_finished" and data.get("outcome") == "rejected":
            self.rejected = {"ticket_id": data["ticket_id"], "number": ticket.get("number") or self.current}
        self.say(self.t("reject_hint") if data.get("outcome") == "rejected" else "")
        if value["event"]["kind"] == "service_finished":
            self.load_figures()
        self.refresh()

    # ------------------------------------------------------------ the board and today's figures

    def refresh(self) -> None:
        if self._loading:  # one load at a time; another one after it if news came meanwhile
            self._again = True
            return
        self._loading = True
        self.worker.run(self.service.load, self._loaded)
        if self.last_figures is None and not self._figures_busy:
            self.load_figures()

    def _loaded(self, result) -> None:
        self._loading = False
        kind, value = result
        if kind == "error" and isinstance(value, HubUnreachable):
            # a reload in the background found the hub away: the badge says so; the message stays the clerk's (it
            # may already tell what she did since, e.g. a walk-in's refusal in manual mode)
            self._set_link(False)
        elif kind == "error":
            self._refuse(value)
        elif not self._again or self.loaded is None:  # news came while loading: this answer may be stale
            self.loaded = value
            if self.follower is None:
                self._set_link(True)
            self._render(self.service.board(value))
            self._learn_kind(value)
            self.changed.emit()
        if self._again:
            self._again = False
            self.refresh()

    def _learn_kind(self, loaded: dict | None) -> None:
        """A 办不成事 window opens on its cases page (F12 goes to the queue and back)."""
        if self.cases.learn_kind(self.service.window_kind(loaded)):
            self.page = "cases"
        elif not self.cases.available:
            self.page = "serve"

    def load_figures(self) -> None:
        self._figures_busy = True
        self.worker.run(self.service.figures, self._show_figures)

    def _show_figures(self, result) -> None:
        kind, f = result
        self._figures_busy = False
        if kind == "error":  # asked again by the ticker a few seconds later (`_tick`): the line never stays empty
            self.figures_error, self._figures_again_at = f, time.monotonic() + FIGURES_RETRY_SECONDS
            return
        self.last_figures, self.figures_error = result, None
        avg, share = f["average_service_seconds"], f["service_within_limit_share"]
        self.figures = self.t("figures", f["served"], "—" if avg is None else self.t("minutes", f"{avg / 60:.1f}"),
                              "—" if share is None else f"{share:.0%}", f["ratings"]["average"] or "—",
                              f["ratings"]["count"], f["ratings"]["unrated"])
        self.changed.emit()

    def _tick(self) -> None:
        if self.signed_in and self.online and self.last_figures is None and not self._figures_busy \
                and time.monotonic() >= self._figures_again_at:
            self.load_figures()  # the first load failed (a hub slow to answer, a link that blinked): once more
        shown = self.warning.text
        self.warning.render()
        if self.loaded:
            self._render(self.service.board(self.loaded))
        if self.loaded or self.warning.text != shown:
            self.changed.emit()

    def _render(self, board: dict) -> None:
        window, current = board["window"], board["current"]
        self.clerk = self.t("clerk_at", self.service.clerk or "", window["number"])
        self.current = current["number"] if current else "—"
        self.current_queue = current["queue_id"] if current else None
        self.waited = self.t("waited", current["waited_seconds"] // 60) if current else ""
        self.colour = current["colour"] if current else "normal"
        if current and current["started_at"]:
            m, s = divmod(current["service_seconds"], 60)
            self.service_timer = self.t("serving", f"{m:02d}:{s:02d}", current["service_limit_min"])
        elif current:
            self.service_timer = self.t("called")
        elif window["paused"]:
            self.service_timer = self.t("paused", window["pause_reason"] or "")
        else:
            self.service_timer = self.t("idle")
        rows = []
        for w in board["waiting"]:
            soon = ""
            if w["soon"]:
                left = w["breach_in_seconds"] // 60
                soon = self.t("soon", left + 1) if w["breach_in_seconds"] > 0 else self.t("breached")
            rows.append((self.t("queue_row", w["number"], w["queue"], w["waited_seconds"] // 60)
                         + (self.t("green") if w["priority"] == "green" else "")
                         + (self.t("for_me") if w["for_me"] else "") + soon, w["soon"]))
        self.rows = rows

    def close(self) -> None:
        self.ticker.stop()
        self.warning.poll.stop()
        self.reload.stop()
        if self.follower is not None:
            self.follower.stop()
