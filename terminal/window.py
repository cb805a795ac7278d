"""The clerk terminal: sign in, then one big "call next" (F1) and a key for every action.
Network work runs off the UI thread; the board refreshes every second."""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QMainWindow, QPushButton,
    QStackedWidget, QVBoxLayout, QWidget,
)

from common.kiosk import message
from common.terminal import TerminalService
from kiosk.worker import Worker

COLOURS = {"normal": "#2F3B46", "amber": "#C98A1B", "red": "#A8412E"}
ACTIONS = (  # (action, label, key)
    ("call-next", "叫号  F1", "F1"), ("recall", "重呼  F2", "F2"), ("start", "开始办理  F3", "F3"),
    ("skip", "过号  F6", "F6"), ("pause", "暂停  F8", "F8"), ("resume", "恢复  F9", "F9"),
)
OUTCOMES = (("completed", "办结"), ("accepted", "受理"), ("accepted_missing", "容缺受理"),
            ("commitment", "告知承诺"), ("rejected", "不予受理"))


class TerminalWindow(QMainWindow):
    def __init__(self, service: TerminalService) -> None:
        super().__init__()
        self.service, self.worker = service, Worker(self)
        self.setWindowTitle("好办 · 窗口终端")
        self.resize(1280, 800)
        self.pages = QStackedWidget()
        self.setCentralWidget(self.pages)
        self.pages.addWidget(self._sign_in_page())
        self.pages.addWidget(self._serve_page())
        self.timer = QTimer(self, interval=1000, timeout=self.refresh)

    # ------------------------------------------------------------ background work

    def background(self, work, done) -> None:
        self.worker.run(work, done)

    def _show_error(self, exc) -> None:
        zh, en = message(exc)
        self.message.setText(f"{zh}  {en}")

    # ------------------------------------------------------------ sign-in

    def _sign_in_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.staff_no, self.pin = QLineEdit(objectName="staffNo"), QLineEdit(objectName="pin")
        self.pin.setEchoMode(QLineEdit.Password)
        self.sign_in_error = QLabel(objectName="signInError", styleSheet="color:#A8412E")
        button = QPushButton("登录 Sign in", objectName="signInButton", clicked=self.sign_in)
        self.pin.returnPressed.connect(self.sign_in)
        form.addRow(QLabel("好办 · 窗口终端", font=QFont("", 20, QFont.Bold)))
        form.addRow("工号 Staff no.", self.staff_no)
        form.addRow("密码 PIN", self.pin)
        form.addRow(button)
        form.addRow(self.sign_in_error)
        return page

    def sign_in(self) -> None:
        staff_no, pin = self.staff_no.text().strip(), self.pin.text()
        self.pin.clear()

        def done(result):
            kind, value = result
            if kind == "error":
                zh, en = message(value)
                self.sign_in_error.setText(f"{zh}\n{en}")
                return
            self.clerk.setText(f"{value} · {self.service.window_id}")
            self.pages.setCurrentIndex(1)
            self.timer.start()
            self.refresh()

        self.background(lambda: self.service.sign_in(staff_no, pin), done)

    # ------------------------------------------------------------ serving

    def _serve_page(self) -> QWidget:
        page = QWidget()
        outer = QHBoxLayout(page)
        left = QVBoxLayout()
        self.clerk = QLabel(objectName="clerk", font=QFont("", 14))
        self.current = QLabel("—", objectName="currentTicket", alignment=Qt.AlignCenter, font=QFont("", 64, QFont.Bold))
        self.service_timer = QLabel("", objectName="serviceTimer", alignment=Qt.AlignCenter, font=QFont("", 28))
        self.message = QLabel("", objectName="message", wordWrap=True, styleSheet="color:#A8412E")
        left.addWidget(self.clerk)
        left.addWidget(self.current)
        left.addWidget(self.service_timer)
        row = QHBoxLayout()
        self.buttons = {}
        for action, label, key in ACTIONS:
            b = QPushButton(label, objectName=f"action_{action}", minimumHeight=64)
            b.clicked.connect(lambda _=False, a=action: self.act(a))
            QShortcut(QKeySequence(key), self, activated=lambda a=action: self.act(a))
            self.buttons[action] = b
            row.addWidget(b)
        self.buttons["call-next"].setMinimumHeight(96)
        left.addLayout(row)
        finish = QHBoxLayout()
        self.outcome = QComboBox(objectName="outcome")
        for value, label in OUTCOMES:
            self.outcome.addItem(label, value)
        self.reason = QLineEdit(objectName="reason", placeholderText="原因 / 所缺材料 reason / missing materials")
        self.due = QLineEdit(objectName="dueDate", placeholderText="补齐期限 YYYY-MM-DD")
        done_button = QPushButton("办理完毕  F4", objectName="action_finish", minimumHeight=64, clicked=self.finish)
        QShortcut(QKeySequence("F4"), self, activated=self.finish)
        for w in (self.outcome, self.reason, self.due, done_button):
            finish.addWidget(w)
        left.addLayout(finish)
        left.addWidget(self.message)
        outer.addLayout(left, 3)
        right = QVBoxLayout()
        right.addWidget(QLabel("等候中 Waiting", font=QFont("", 14, QFont.Bold)))
        self.queue = QListWidget(objectName="queue")
        right.addWidget(self.queue)
        outer.addLayout(right, 2)
        return page

    def act(self, action: str) -> None:
        body = {"reason": "other"} if action == "pause" else {"requeue": False} if action == "skip" else {}
        self.background(lambda: self.service.act(action, **body), self._acted)

    def finish(self) -> None:
        outcome, text = self.outcome.currentData(), self.reason.text().strip() or None
        body = {"outcome": outcome}
        if outcome == "rejected":
            body["reason"] = text
        if outcome == "accepted_missing":
            body |= {"missing_materials": text, "due_date": self.due.text().strip() or None}
        self.background(lambda: self.service.act("finish", **body), self._acted)

    def _acted(self, result) -> None:
        kind, value = result
        if kind == "error":
            return self._show_error(value)
        self.message.setText("")
        self.reason.clear()
        self.due.clear()
        ticket = value.get("ticket") or {}
        if ticket.get("status") == "called":  # show the called number at once; the board follows
            self.current.setText(ticket["number"])
        self.refresh()

    def refresh(self) -> None:
        self.background(self.service.board, self._show_board)

    def _show_board(self, result) -> None:
        kind, board = result
        if kind == "error":
            return self._show_error(board)
        current = board["current"]
        self.current.setText(current["number"] if current else "—")
        if current and current["started_at"]:
            m, s = divmod(current["service_seconds"], 60)
            self.service_timer.setText(f"办理 {m:02d}:{s:02d} / {current['service_limit_min']} 分钟")
            self.service_timer.setProperty("colour", current["colour"])
            self.service_timer.setStyleSheet(f"color:{COLOURS[current['colour']]}")
        else:
            self.service_timer.setText("已叫号，等候办事人" if current else "空闲 · 按 F1 叫号")
            self.service_timer.setProperty("colour", "normal")
            self.service_timer.setStyleSheet(f"color:{COLOURS['normal']}")
        self.queue.clear()
        for t in board["waiting"]:
            m = t["waited_seconds"] // 60
            item = QListWidgetItem(f"{t['number']}   {t['queue']}   已等 {m} 分钟" + ("   ⚠ 即将超时" if t["soon"] else ""))
            if t["soon"]:
                item.setForeground(Qt.red)
            self.queue.addItem(item)
