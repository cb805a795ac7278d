"""The clerk terminal's window: sign in, then one big "call next" (F1) and a key for every action. It only shows
the view-model's state (terminal/viewmodel.py) and hands it the clerk's keys, buttons and forms' answers;
what they do, the board following the hub, the timer and the badge all live in the view-model."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QListWidgetItem, QMainWindow, QStackedWidget

from qtbase.theme import THEME
from terminal.dialogs import ChoiceForm, FinishForm, WalkInForm
from terminal.pages import ACTIONS, ServePage, SignInPage
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
        self.pages.addWidget(self.sign_in_page)
        self.pages.addWidget(self.serve_page)
        self.sign_in_page.button.clicked.connect(self.sign_in)
        self.sign_in_page.pin.returnPressed.connect(self.sign_in)
        for page in (self.sign_in_page, self.serve_page):
            page.language.clicked.connect(model.toggleLanguage)
        for action, key in ACTIONS:
            self.serve_page.buttons[action].clicked.connect(lambda _=False, a=action: self.press(a))
            QShortcut(QKeySequence(key), self, activated=lambda a=action: self.press(a))
        model.changed.connect(self.render)
        model.languageChanged.connect(self.retranslate)
        model.signInAnswered.connect(self.sign_in_page.error.setText)  # each answer, even one saying the same again
        model.formWanted.connect(self.open_form)
        self.retranslate()
        self.render()

    def retranslate(self) -> None:
        self.setWindowTitle(self.model.t("title"))
        for page in (self.sign_in_page, self.serve_page):
            for widget, key in page.labelled:
                widget.setText(self.model.t(key))

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
            form = FinishForm(self, t, lambda body: m.finish(**body), m.today())
        elif action == "pause":
            form = ChoiceForm(self, "pauseDialog", t("pause_title"), t, lambda b: m.pause(b["reason"]),
                              m.pause_reasons(), "reason")
        elif action == "transfer":
            form = ChoiceForm(self, "transferDialog", t("transfer_title"), t, lambda b: m.transfer(json.loads(b["target"])),
                              [(json.dumps(body), label) for body, label in m.transfer_targets()], "target")
        elif action == "call":
            form = ChoiceForm(self, "callDialog", t("call_title"), t, lambda b: m.call(**b), m.waiting_tickets(),
                              "ticket_id", reasons=m.call_reasons)
        else:
            form = WalkInForm(self, t, lambda body: m.walk_in(**body), m.manual_items())
        form.open()

    # ------------------------------------------------------------ showing the view-model's state

    def render(self) -> None:
        m, page = self.model, self.serve_page
        index = 1 if m.signed_in else 0
        if index != self.pages.currentIndex():
            self.pages.setCurrentIndex(index)
            if index == 0:
                self.sign_in_page.staff_no.setFocus()
        if m.windows != self._windows:
            self._windows = list(m.windows)
            self.sign_in_page.window_choice.clear()
            for label, window_id in m.windows:
                self.sign_in_page.window_choice.addItem(label, window_id)
        page.clerk.setText(m.clerk)
        page.badge.setText(m.badge)
        if page.badge.property("online") != m.online:
            page.badge.setProperty("online", m.online)
            page.badge.setStyleSheet("color:white; padding:6px 14px; border-radius:6px; "
                                     f"background:{THEME['celadonDark'] if m.online else THEME['seal']}")
        page.offline_hint.setText(m.offline_hint)
        page.offline_hint.setVisible(not m.online)
        page.set_aside_hint.setText(m.set_aside_hint)
        page.set_aside_hint.setVisible(bool(m.set_aside_hint))
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
