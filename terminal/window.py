"""The clerk terminal's window: sign in, then one big "call next" (F1) and a key for every action. It only shows
the view-model's state (terminal/viewmodel.py) and hands it the clerk's keys, buttons and forms' answers;
what they do, the board following the hub, the timer and the badge all live in the view-model. At a 办不成事
window a third page lists its cases (terminal/cases.py); the same F keys act on whichever page is shown."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QListWidgetItem, QMainWindow, QStackedWidget, QTableWidgetItem

from qtbase.theme import THEME
from terminal import case_forms as cf
from terminal.dialogs import ChoiceForm, FinishForm, WalkInForm
from terminal.pages import ACTIONS, CASE_ACTIONS, EXTRA_ACTIONS, CasesPage, ServePage, SignInPage
from terminal.viewmodel import TerminalModel

COLOURS = {"normal": THEME["tile"], "amber": THEME["amber"], "red": THEME["seal"]}


class TerminalWindow(QMainWindow):
    def __init__(self, model: TerminalModel) -> None:
        super().__init__()
        self.model = model
        model.setParent(self)  # torn down with the window (qtbase.app.delete_now closes its worker)
        self._rows: list[tuple[str, bool]] = []  # the queue list as shown
        self._windows: list[tuple[str, str]] = []  # the window choice as shown
        self.resize(1280, 800)
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.sign_in_page = SignInPage(model.choose_window)
        self.serve_page = ServePage()
        self.cases_page = CasesPage()
        self._case_rows: list = []  # the cases table as shown
        self.pages.addWidget(self.sign_in_page)
        self.pages.addWidget(self.serve_page)
        self.pages.addWidget(self.cases_page)
        self.sign_in_page.button.clicked.connect(self.sign_in)
        self.sign_in_page.pin.returnPressed.connect(self.sign_in)
        for page in (self.sign_in_page, self.serve_page, self.cases_page):
            page.language.clicked.connect(model.toggleLanguage)
        keys: dict[str, dict[str, str]] = {}  # key -> {page: action}
        for action, key in (*ACTIONS, *EXTRA_ACTIONS):
            self.serve_page.buttons[action].clicked.connect(lambda _=False, a=action: self.press(a))
            keys.setdefault(key, {})["serve"] = action
        for action, key in CASE_ACTIONS:
            self.cases_page.buttons[action].clicked.connect(lambda _=False, a=action: self.press(a))
            keys.setdefault(key, {})["cases"] = action
        keys["F12"]["cases"] = keys["Ctrl+Q"]["cases"] = None  # the same on both pages
        for key, actions in keys.items():
            QShortcut(QKeySequence(key), self, activated=lambda k=actions: self.press(k.get(self.model.page) or k["serve"]))
        self.cases_page.to_serve.clicked.connect(lambda: self.press("cases_page"))
        self.cases_page.sign_out.clicked.connect(lambda: self.press("sign_out"))
        table = self.cases_page.table
        table.currentCellChanged.connect(lambda row, *_: self.model.cases.select(self._case_id(row)))
        table.activated.connect(lambda index: self.model.cases.open(self._case_id(index.row())))
        model.cases.changed.connect(self.render_cases)
        model.changed.connect(self.render)
        model.languageChanged.connect(self.retranslate)
        model.signInAnswered.connect(self.sign_in_page.error.setText)  # each answer, even one saying the same again
        model.formWanted.connect(self.open_form)
        self.retranslate()
        self.render()

    def retranslate(self) -> None:
        self.setWindowTitle(self.model.t("title"))
        for page in (self.sign_in_page, self.serve_page, self.cases_page):
            for widget, key in page.labelled:
                widget.setText(self.model.t(key))
        self.cases_page.table.setHorizontalHeaderLabels(self.model.cases.columns())

    def toggleLanguage(self) -> None:
        self.model.toggleLanguage()

    # ------------------------------------------------------------ the clerk's input

    def sign_in(self) -> None:
        page = self.sign_in_page
        staff_no, pin, window_id = page.staff_no.text().strip(), page.pin.text(), page.window_choice.currentData()
        page.pin.clear()
        self.model.sign_in(staff_no, pin, window_id)

    def press(self, action: str) -> None:
        """What a key or button does: the view-model acts, or asks for the form that action needs first."""
        self.model.press(action)

    def open_form(self, action: str) -> None:
        m, t = self.model, self.model.t
        if action == "finish":
            form = FinishForm(self, t, lambda body: m.finish(**body), m.today(), m.materials(), m.language == "en")
        elif action == "pause":
            form = ChoiceForm(self, "pauseDialog", t("pause_title"), t, lambda b: m.pause(b["reason"]),
                              m.pause_reasons(), "reason")
        elif action == "transfer":
            form = ChoiceForm(self, "transferDialog", t("transfer_title"), t, lambda b: m.transfer(json.loads(b["target"])),
                              [(json.dumps(body), label) for body, label in m.transfer_targets()], "target")
        elif action == "call":
            form = ChoiceForm(self, "callDialog", t("call_title"), t, lambda b: m.call(**b), m.waiting_tickets(),
                              "ticket_id", reasons=m.call_reasons)
        elif action == "walk_in":
            form = WalkInForm(self, t, lambda body: m.walk_in(**body), m.manual_items())
        else:
            form = self.case_form(action)
            m.cases.formAnswered.connect(form.answered)
            if action == "case_contact":
                m.cases.contactShown.connect(form.show_contact)
        form.open()

    def case_form(self, action: str) -> cf.CaseForm:
        m, t, cases = self.model, self.model.t, self.model.cases
        if action in ("case_register", "register_rejection"):
            rejection = action == "register_rejection"
            return cf.RegisterForm(self, t, m.register_case, cases.causes(), "rejection" if rejection else "window",
                                   m.rejected if rejection else m.current_ticket())
        case_id = cases.opened
        number, label = cases.number_of(case_id), t(action).split("  ")[0]

        def step(name):
            return lambda body: cases.step(case_id, name, body, label)

        if action == "case_classify":
            return cf.ClassifyForm(self, t, step("classify"), number, cases.classes())
        if action == "case_assign":
            return cf.AssignForm(self, t, step("assign"), number, (cases.case or {}).get("department"))
        if action == "case_note":
            return cf.NoteForm(self, t, step("notes"), number)
        if action == "case_extend":
            due = next((x["due_day"] for x in cases.items if x["case_id"] == case_id), None)
            return cf.ExtendForm(self, t, step("extend"), number, due, m.today())
        if action == "case_answer":
            return cf.AnswerForm(self, t, step("answer"), number, cases.answers(case_id))
        if action == "case_follow_up":
            return cf.FollowUpForm(self, t, step("follow-up"), number)
        return cf.ContactForm(self, t, lambda body: cases.show_contact(case_id, body["purpose"]), number)

    # ------------------------------------------------------------ showing the view-model's state

    def _case_id(self, row: int) -> str | None:
        ids = self.model.cases.ids
        return ids[row] if 0 <= row < len(ids) else None

    def render_cases(self) -> None:
        c, page = self.model.cases, self.cases_page
        page.notice.setText(c.notice)
        page.notice.setVisible(bool(c.notice))
        page.table.setEnabled(self.model.online and c.reachable)
        page.message.setText(c.message)
        if c.rows != self._case_rows:
            self._case_rows = list(c.rows)
            table = page.table
            table.blockSignals(True)
            table.setRowCount(len(c.rows))
            for r, (cells, mark) in enumerate(c.rows):
                for col, text in enumerate(cells):
                    item = QTableWidgetItem(text)
                    item.setData(Qt.UserRole, mark)
                    if mark:  # overdue or due soon: red, and said in words in the first column
                        item.setForeground(Qt.red)
                    table.setItem(r, col, item)
            row = c.ids.index(c.opened) if c.opened in c.ids else -1
            table.setCurrentCell(row, 0) if row >= 0 else table.clearSelection()
            table.blockSignals(False)
            if row < 0 and c.ids and c.opened is None:
                table.setCurrentCell(0, 0)  # the most urgent one first (selects and opens it)
        page.detail.clear()
        page.detail.addItems(c.detail)

    def render(self) -> None:
        m, page = self.model, self.serve_page
        index = (2 if m.page == "cases" else 1) if m.signed_in else 0
        if index != self.pages.currentIndex():
            self.pages.setCurrentIndex(index)
            if index == 0:
                self.sign_in_page.staff_no.setFocus()
        if m.windows != self._windows:
            self._windows = list(m.windows)
            self.sign_in_page.window_choice.clear()
            for label, window_id in m.windows:
                self.sign_in_page.window_choice.addItem(label, window_id)
        for p in (page, self.cases_page):
            p.clerk.setText(m.clerk)
            p.badge.setText(m.badge)
            if p.badge.property("online") != m.online:
                p.badge.setProperty("online", m.online)
                p.badge.setStyleSheet("color:white; padding:6px 14px; border-radius:6px; "
                                      f"background:{THEME['celadonDark'] if m.online else THEME['seal']}")
        page.register_rejection.setVisible(m.rejected is not None)
        page.to_cases.setVisible(m.cases.available)
        self.cases_page.to_serve.setEnabled(m.cases.available)
        page.offline_hint.setText(m.offline_hint)
        page.offline_hint.setVisible(not m.online)
        page.set_aside_hint.setText(m.set_aside_hint)
        page.set_aside_hint.setVisible(bool(m.set_aside_hint))
        page.warning.setText(m.warning.text)
        page.warning.setVisible(bool(m.warning.text))
        page.buttons["walk_in"].setVisible(not m.online)
        page.queue.setEnabled(m.online)  # while offline the list is the last one seen, not the live queue
        page.figures.setText(m.figures)
        page.current.setText(m.current)
        page.waited.setText(m.waited)
        page.service_timer.setText(m.service_timer)
        if page.service_timer.property("colour") != m.colour:  # twice a service: a new style sheet re-polishes
            page.service_timer.setProperty("colour", m.colour)
            page.service_timer.setStyleSheet(f"color:{COLOURS[m.colour]}")
        page.message.setText(m.message)
        if page.message.property("error") != m.message_error:
            page.message.setProperty("error", m.message_error)
            page.message.setStyleSheet(f"color:{THEME['seal'] if m.message_error else THEME['tile']}")
        if m.rows != self._rows:  # the screen ticks every second; the list changes only when a row does
            self._rows = list(m.rows)
            page.queue.clear()
            for text, soon in m.rows:
                item = QListWidgetItem(text)
                item.setData(Qt.UserRole, soon)
                if soon:
                    item.setForeground(Qt.red)
                page.queue.addItem(item)

    def closeEvent(self, event) -> None:
        self.model.close()
        super().closeEvent(event)
