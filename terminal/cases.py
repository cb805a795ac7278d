"""The cases page's view-model (docs/cases.md): the 办不成事 window's work list, the opened case, and the forms'
answers, as plain attributes in the terminal's language; the calls go through `TerminalService` off the UI thread.
The list lives at the hub, so while it is unreachable the page says so and comes back by itself with the link; a case
registered meanwhile (manual mode) is kept on the terminal and sent with the next sync (`TerminalService.open_case`). The reporter's full contact is handed to the dialog that asked for it, by
a signal, and kept nowhere here."""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

import i18n
from common.domain.clock import SHANGHAI
from common.stations.counter import CASE_ANSWERS, CASE_CAUSES, CASE_CLASSES, case_mark
from common.stations.ticketing import message
from common.sync.transport import HubUnreachable

TEXTS = i18n.catalogue("terminal")
COLUMNS = ("col_mark", "col_number", "col_kind", "col_cause", "col_status", "col_due", "col_department")


class CasesModel(QObject):
    """State: `available` (this terminal is at a window of kind "cases"), `rows` [(cells, mark)] in the hub's order
    (most urgent first; `mark` "overdue", "due_soon" or ""), `ids` (the case of each row), `notice` (why there is
    no list: the hub is away, or nothing to do), `detail` [lines] of the opened case and `opened` (its id),
    `message`. `items` and `case` are the hub's answers as they came."""

    changed = Signal()
    formAnswered = Signal(str)  # the open form's answer: "" done, else the hub's refusal in Chinese and English
    contactShown = Signal(str, str)  # name, phone: for the contact dialog only

    def __init__(self, terminal) -> None:
        super().__init__(terminal)
        self.terminal = terminal
        self.available, self.reachable, self.loaded = False, True, False
        self.items: list[dict] = []
        self.rows: list[tuple[tuple[str, ...], str]] = []
        self.ids: list[str] = []
        self.case: dict | None = None
        self.opened: str | None = None
        self.detail: list[str] = []
        self.notice = self.message = ""
        self._loading = self._again = False
        self.soon = QTimer(self, singleShot=True, interval=100, timeout=self.reload)  # a burst of case events: one load

    @property
    def service(self):
        return self.terminal.service

    def t(self, key: str, *args) -> str:
        return self.terminal.t(key, *args)

    # ------------------------------------------------------------ the work list

    def learn_kind(self, kind: str | None) -> bool:
        """The window's kind, from the hub's load (or the cached reference): True when it just became a cases window."""
        was, self.available = self.available, kind == "cases"
        if self.available and not was:
            self.reload()
        return self.available and not was

    def reset(self) -> None:
        self.available, self.loaded, self.items, self.case, self.opened, self.message = False, False, [], None, None, ""
        self.render()

    def reload(self) -> None:
        if not self.available:
            return
        if self._loading:
            self._again = True
            return
        self._loading = True
        self.terminal.worker.run(self.service.cases, self._listed)

    def _listed(self, result) -> None:
        self._loading = False
        kind, value = result
        if kind == "error":
            self.reachable = not isinstance(value, HubUnreachable)
            if self.reachable:
                self.message = self.t_refusal(value)
            else:
                self.terminal._set_link(False)
        else:
            self.reachable, self.loaded, self.items = True, True, value
        self.render()
        if self._again:
            self._again = False
            self.reload()
        elif kind == "ok" and self.opened:
            self.open(self.opened)  # its history may have moved too

    def back_online(self) -> None:
        self.reachable = True
        self.reload()

    def render(self) -> None:
        """Everything shown, in the current language (also after a language change)."""
        t = self.t
        self.rows, self.ids = [], []
        for x in self.items:
            mark = case_mark(x)
            word = t(f"mark_{mark}") if mark else t("mark_escalated") if x.get("reopened") else ""
            cells = (word, x["number"], t(f"kind_{x['kind']}"), t(f"cause_{x['cause']}"), t(f"status_{x['status']}"),
                     x["due_day"] or "—", x["department"] or "—")
            self.rows.append((cells, mark))
            self.ids.append(x["case_id"])
        online = self.terminal.online and self.reachable
        self.notice = (t("cases_offline") if not online else t("cases_loading") if not self.loaded
                       else t("cases_none") if not self.items else "")
        self.detail = self._detail_lines(self.case) if self.case else []
        self.changed.emit()

    def columns(self) -> list[str]:
        return [self.t(k) for k in COLUMNS]

    def kind_of(self, case_id: str | None) -> str:
        found = next((x for x in self.items if x["case_id"] == case_id), None) or self.case or {}
        return found.get("kind", "case")

    def number_of(self, case_id: str | None) -> str:
        found = next((x for x in self.items if x["case_id"] == case_id), None) or {}
        return found.get("number", "")

    # ------------------------------------------------------------ one case

    def select(self, case_id: str | None) -> None:
        """The clerk moved to a row: its case is the one the keys act on, its details shown beside the list."""
        if case_id is not None and case_id != self.opened:
            self.open(case_id)

    def open(self, case_id: str) -> None:
        """Load a case's details and history (the reporter's contact masked) for the page's side panel."""
        self.opened = case_id

        def done(result):
            kind, value = result
            if kind == "error":
                return self._failed(value)
            if value["case_id"] == self.opened:
                self.case = value
                self.render()

        self.terminal.worker.run(lambda: self.service.case(case_id), done)

    def _detail_lines(self, x: dict) -> list[str]:
        t = self.t
        who = x.get("contact_masked")
        lines = [t("detail_head", x["number"], t(f"kind_{x['kind']}"), t(f"status_{x['status']}")),
                 t("detail_due", x["due_day"] or "—"),
                 t("detail_class", t(f"class_{x['case_class']}") if x.get("case_class") else "—"),
                 t("detail_department", x["department"] or "—"),
                 t("detail_text", x.get("text") or "—"),
                 t("detail_contact", who.get("name") or "", who.get("phone") or "") if who else t("detail_no_contact"),
                 t("detail_contacts", x.get("contacts", 0))]
        if x.get("answer"):
            lines.append(t("detail_answer", t(f"answer_{x['answer']}"), x.get("answer_text") or ""))
        lines.append("")
        lines.append(t("history"))
        lines += [self._step(h) for h in x.get("history", [])]
        return lines

    def _step(self, h: dict) -> str:
        t, d = self.t, h["data"]
        at = datetime.fromisoformat(h["at"]).astimezone(SHANGHAI).strftime("%m-%d %H:%M")
        what = {"case_opened": lambda: t(f"cause_{d.get('cause', 'other')}"),
                "case_classified": lambda: t(f"class_{d.get('case_class')}") + (f" · {d['due_day']}" if d.get("due_day") else ""),
                "case_assigned": lambda: d.get("department") or "",
                "case_noted": lambda: (d.get("note") or "") + (t("h_contact") if d.get("contact") else ""),
                "case_extended": lambda: (d.get("due_day") or "", d.get("reason") or ""),
                "case_answered": lambda: f"{t('answer_' + d['answer'])} {d.get('text') or ''}".strip(),
                "case_followed_up": lambda: t("not_reached") if not d.get("reached") else
                t("reached_satisfied") if d.get("satisfied") else t("reached_unsatisfied"),
                "case_appeal_decided": lambda: t("yes") if d.get("upheld") else t("no")}.get(h["kind"])
        if what is None:
            return f"{at}  {h['kind']}"
        args = what()
        return f"{at}  " + t(f"h_{h['kind']}", *(args if isinstance(args, tuple) else (args,)))

    # ------------------------------------------------------------ the forms (each answer goes back by formAnswered)

    def causes(self) -> list[tuple[str, str]]:
        return [(c, self.t(f"cause_{c}")) for c in CASE_CAUSES]

    def classes(self) -> list[tuple[str, str]]:
        return [(c, self.t(f"class_{c}")) for c in CASE_CLASSES]

    def answers(self, case_id: str | None) -> list[tuple[str, str]]:
        return [(a, self.t(f"answer_{a}")) for a in CASE_ANSWERS[self.kind_of(case_id)]]

    def register(self, body: dict, on_done=None) -> None:
        """`body`: source ("window" or "rejection"), cause, text, name, phone, ticket_id (a rejection's)."""
        def done(value):
            self.say(self.registered(value))
            self.opened = value["case_id"] if self.available and not value.get("offline") else self.opened
            (on_done or (lambda v: None))(value)
            self.reload()

        self._send(lambda: self.service.open_case(**body), done)

    def registered(self, value: dict) -> str:
        """What the clerk is told of a case registered: at the hub, or kept here until the link is back."""
        if not value.get("offline"):
            return self.t("case_registered", value["number"])
        said = self.t("case_registered_offline", value["number"])
        return f"{said} {self.t('case_contact_not_taken')}" if value.get("contact_lost") else said

    def step(self, case_id: str, step: str, body: dict, label: str) -> None:
        """One step (CASE_STEPS) on a case; `label` names it in the message once the hub has taken it."""
        def done(value):
            self.say(self.t("case_done", value["number"], label))
            self.opened = case_id
            self.reload()

        self._send(lambda: self.service.case_step(case_id, step, body), done)

    def show_contact(self, case_id: str, purpose: str) -> None:
        """The full contact, through the hub's audited call, straight to the dialog (contactShown): never stored."""
        def done(result):
            kind, value = result
            if kind == "error":
                return self._failed(value, form=True)
            self.formAnswered.emit("")
            self.contactShown.emit(value.get("name") or "—", value.get("phone") or "—")

        self.terminal.worker.run(lambda: self.service.case_contact(case_id, purpose), done)

    def _send(self, work, after) -> None:
        def done(result):
            kind, value = result
            if kind == "error":
                return self._failed(value, form=True)
            self.formAnswered.emit("")
            after(value)

        self.terminal.worker.run(work, done)

    def _failed(self, exc, form: bool = False) -> None:
        if isinstance(exc, HubUnreachable):
            self.reachable = False
            self.terminal._set_link(False)
        if form:  # the form stays open with what was typed, and says why in both languages
            said = message(exc) if not isinstance(exc, HubUnreachable) else (
                TEXTS["case_not_sent"]["zh_CN"], TEXTS["case_not_sent"]["en"])  # not "kept on this machine": cases are not
            self.formAnswered.emit("\n".join(said))
        else:
            self.say(self.t_refusal(exc))
        self.render()

    def t_refusal(self, exc) -> str:
        zh, en = message(exc)
        return zh if self.terminal.language == "zh_CN" else en

    def say(self, text: str) -> None:
        self.message = text
        self.changed.emit()
