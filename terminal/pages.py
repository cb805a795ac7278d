"""The layouts of the terminal's pages: sign-in, serving, and the cases of a 办不成事 window. Each page builds and owns its widgets (and lists
those labelled with a text key in `labelled`); window.py wires them to the view-model and renders its state."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from qtbase.theme import THEME
from terminal.dialogs import font

ACTIONS = (("call-next", "F1"), ("recall", "F2"), ("start", "F3"), ("finish", "F4"), ("call", "F5"), ("skip", "F6"),
           ("transfer", "F7"), ("pause", "F8"), ("resume", "F9"), ("walk_in", "F10"), ("sign_out", "Ctrl+Q"))
# after a refusal (不予受理) at any window, and between the two pages of a 办不成事 window
EXTRA_ACTIONS = (("register_rejection", "F11"), ("cases_page", "F12"))
CASE_ACTIONS = (("case_register", "F1"), ("case_classify", "F2"), ("case_assign", "F3"), ("case_note", "F4"),
                ("case_extend", "F5"), ("case_answer", "F6"), ("case_follow_up", "F7"), ("case_contact", "F8"),
                ("case_detail", "F9"), ("case_refresh", "F10"))


class Page(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.labelled: list[tuple[object, str]] = []  # (widget, text key): re-labelled when the language changes

    def _label(self, widget, key: str):
        self.labelled.append((widget, key))
        return widget


class SignInPage(Page):
    """Staff number, PIN, the window (only on a terminal not bound to one), and what went wrong."""

    def __init__(self, choose_window: bool) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        panel = QFrame(maximumWidth=560, minimumWidth=460, font=font(15))
        form = QFormLayout(panel)
        form.setVerticalSpacing(14)
        self.staff_no = QLineEdit(objectName="staffNo", minimumHeight=44)
        self.pin = QLineEdit(objectName="pin", echoMode=QLineEdit.Password, minimumHeight=44)
        self.window_choice = QComboBox(objectName="windowChoice", minimumHeight=44)
        self.error = QLabel(objectName="signInError", styleSheet=f"color:{THEME['seal']}", wordWrap=True)
        self.button = self._label(QPushButton(objectName="signInButton", minimumHeight=56), "sign_in")
        form.addRow(self._label(QLabel(font=font(22, True)), "title"))
        form.addRow(self._label(QLabel(), "staff_no"), self.staff_no)
        form.addRow(self._label(QLabel(), "pin"), self.pin)
        form.addRow(self._label(QLabel(), "window"), self.window_choice)
        form.setRowVisible(self.window_choice, choose_window)
        form.addRow(self.button)
        form.addRow(self.error)
        self.language = self._label(QPushButton(objectName="languageButton"), "language")
        outer.addStretch()
        outer.addWidget(panel, alignment=Qt.AlignHCenter)
        outer.addStretch()
        outer.addWidget(self.language, alignment=Qt.AlignRight)


class ServePage(Page):
    """The clerk, the badge, today's figures, the current ticket and its timer, a button per action, the queue."""

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.clerk = QLabel(objectName="clerk", font=font(15, True))
        self.badge = QLabel(objectName="onlineBadge", font=font(13, True))
        top.addWidget(self.clerk)
        top.addStretch()
        top.addWidget(self.badge)
        self.language = self._label(QPushButton(objectName="languageButton2"), "language")
        top.addWidget(self.language)
        outer.addLayout(top)
        self.figures = QLabel("", objectName="figures", styleSheet=f"color:{THEME['inkSoft']}")
        outer.addWidget(self.figures)
        self.offline_hint = QLabel("", objectName="offlineHint", wordWrap=True,
                                   styleSheet=f"background:{THEME['amberSoft']}; color:{THEME['amberInk']}; padding:8px; border-radius:6px")
        outer.addWidget(self.offline_hint)
        self.set_aside_hint = QLabel("", objectName="setAsideHint", wordWrap=True, visible=False,
                                     styleSheet=f"background:{THEME['seal']}; color:white; padding:8px; border-radius:6px")
        outer.addWidget(self.set_aside_hint)
        # the live warning: above the ticket and the keys, in the layout (it moves them down, never covers them)
        self.warning = QLabel("", objectName="liveWarning", wordWrap=True, visible=False, font=font(20, True),
                              styleSheet=f"background:{THEME['amber']}; color:{THEME['ink']}; padding:10px 14px; "
                                         "border-radius:6px")
        outer.addWidget(self.warning)
        body = QHBoxLayout()
        left = QVBoxLayout()
        self.current = QLabel("—", objectName="currentTicket", alignment=Qt.AlignCenter, font=font(64, True))
        self.waited = QLabel("", objectName="currentWait", alignment=Qt.AlignCenter, font=font(14))
        self.service_timer = QLabel("", objectName="serviceTimer", alignment=Qt.AlignCenter, font=font(26))
        self.message = QLabel("", objectName="message", wordWrap=True, styleSheet=f"color:{THEME['seal']}")
        for w in (self.current, self.waited, self.service_timer):
            left.addWidget(w)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for n, (action, _) in enumerate(ACTIONS):
            b = self._label(QPushButton(objectName=f"action_{action}", minimumHeight=60), action)
            self.buttons[action] = b
            if action == "call-next":
                b.setMinimumHeight(110)
                b.setFont(font(22, True))
                grid.addWidget(b, 0, 0, 1, 4)
            elif action == "sign_out":
                b.setMinimumHeight(0)
                top.addWidget(b)
            else:
                grid.addWidget(b, 1 + (n - 1) // 4, (n - 1) % 4)
        left.addLayout(grid)
        self.register_rejection = self._label(QPushButton(objectName="action_register_rejection", minimumHeight=60,
                                                          visible=False), "register_rejection")
        self.to_cases = self._label(QPushButton(objectName="action_cases_page", minimumHeight=60, visible=False),
                                    "to_cases")
        self.buttons["register_rejection"], self.buttons["cases_page"] = self.register_rejection, self.to_cases
        extra = QHBoxLayout()
        extra.addWidget(self.register_rejection)
        extra.addWidget(self.to_cases)
        left.addLayout(extra)
        left.addWidget(self.message)
        left.addStretch()
        body.addLayout(left, 3)
        right = QVBoxLayout()
        right.addWidget(self._label(QLabel(font=font(14, True)), "waiting"))
        self.queue = QListWidget(objectName="queue", font=font(13))
        right.addWidget(self.queue)
        body.addLayout(right, 2)
        outer.addLayout(body)


class CasesPage(Page):
    """The 办不成事 window's work list (most urgent first, overdue and due-soon rows red and worded), the opened
    case's details and history beside it, a button per key, and why the list is empty (the hub away, nothing to do)."""

    def __init__(self) -> None:
        super().__init__()
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.clerk = QLabel(objectName="casesClerk", font=font(15, True))
        self.badge = QLabel(objectName="casesBadge", font=font(13, True))
        self.language = self._label(QPushButton(objectName="languageButton3"), "language")
        self.to_serve = self._label(QPushButton(objectName="action_serve_page"), "to_serve")
        self.sign_out = self._label(QPushButton(objectName="casesSignOut"), "sign_out")
        top.addWidget(self.clerk)
        top.addWidget(self._label(QLabel(font=font(15, True)), "cases_title"))
        top.addStretch()
        for w in (self.badge, self.to_serve, self.language, self.sign_out):
            top.addWidget(w)
        outer.addLayout(top)
        self.notice = QLabel("", objectName="casesNotice", wordWrap=True, font=font(14),
                             styleSheet=f"background:{THEME['amberSoft']}; color:{THEME['amberInk']}; padding:10px; border-radius:6px")
        outer.addWidget(self.notice)
        body = QHBoxLayout()
        self.table = QTableWidget(0, 7, objectName="cases", font=font(13))
        self.table.setSelectionBehavior(QTableWidget.SelectRows)
        self.table.setSelectionMode(QTableWidget.SingleSelection)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(40)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        body.addWidget(self.table, 3)
        self.detail = QListWidget(objectName="caseDetail", font=font(12), wordWrap=True)
        body.addWidget(self.detail, 2)
        outer.addLayout(body, 1)
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for n, (action, _) in enumerate(CASE_ACTIONS):
            b = self._label(QPushButton(objectName=f"action_{action}", minimumHeight=52), action)
            self.buttons[action] = b
            grid.addWidget(b, n // 5, n % 5)
        outer.addLayout(grid)
        self.message = QLabel("", objectName="casesMessage", wordWrap=True)
        outer.addWidget(self.message)
