"""The terminal's small forms, keyboard first: arrows pick, Enter confirms, Esc cancels. Each one hands a
request body to `done` when confirmed and says in place what is missing; none of them talks to the hub."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from qtbase.theme import THEME

OUTCOMES = ("completed", "accepted", "accepted_missing", "commitment", "rejected")


def font(size: int, bold: bool = False) -> QFont:
    """The application's CJK font (kiosk/app.py loads it) at a size: a bare QFont("") falls back to a serif."""
    f = QFont(QApplication.font())
    f.setPointSize(size)
    f.setBold(bold)
    return f


class Form(QDialog):
    """A dialog with a title, a body, an error line and OK / Cancel; `done(body)` runs when a valid form is confirmed."""

    def __init__(self, parent: QWidget, name: str, title: str, t, done) -> None:
        super().__init__(parent, objectName=name)
        self.t, self._done = t, done
        self.setWindowTitle(title)
        self.setMinimumWidth(560)
        self.layout_ = QVBoxLayout(self)
        self.layout_.addWidget(QLabel(title, font=font(16, True)))
        self.form = QFormLayout()
        self.layout_.addLayout(self.form)
        self.error = QLabel("", objectName="formError", styleSheet=f"color:{THEME['seal']}")
        self.layout_.addWidget(self.error)
        buttons = QDialogButtonBox()
        self.ok = buttons.addButton(t("ok"), QDialogButtonBox.AcceptRole)
        self.ok.setObjectName("okButton")
        buttons.addButton(t("cancel"), QDialogButtonBox.RejectRole)
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        self.layout_.addWidget(buttons)
        self.setAttribute(Qt.WA_DeleteOnClose)

    def body(self) -> dict | None:
        """The request body, or None after saying in `self.error` what is missing."""
        raise NotImplementedError

    def confirm(self) -> None:
        body = self.body()
        if body is not None:
            self.accept()
            self._done(body)

    @staticmethod
    def choices(name: str, rows: list[tuple[str, str]]) -> QListWidget:
        box = QListWidget(objectName=name)
        for value, label in rows:
            item = QListWidgetItem(label)
            item.setData(Qt.UserRole, value)
            box.addItem(item)
        box.setCurrentRow(0)
        box.setMinimumHeight(min(320, 34 * max(1, len(rows)) + 8))
        return box


class ChoiceForm(Form):
    """Pick one of a list (a pause reason, a queue, a waiting ticket), with a reason when `reasons` are given."""

    def __init__(self, parent, name, title, t, done, rows: list[tuple[str, str]], key: str,
                 reasons: tuple[str, ...] | None = None) -> None:
        super().__init__(parent, name, title, t, done)
        self.key = key
        self.list = self.choices("choices", rows)
        self.list.itemActivated.connect(lambda _: self.confirm())
        self.form.addRow(self.list)
        self.reason = None
        if reasons is not None:
            self.reason = QComboBox(objectName="reason", editable=True)
            self.reason.addItems(["", *reasons])
            self.form.addRow(t("reason"), self.reason)
        self.list.setFocus()

    def body(self) -> dict | None:
        item = self.list.currentItem()
        if item is None:
            return None
        body = {self.key: item.data(Qt.UserRole)}
        if self.reason is not None:
            reason = self.reason.currentText().strip()
            if not reason:
                self.error.setText(self.t("need_reason"))
                self.reason.setFocus()
                return None
            body["reason"] = reason
        return body


class FinishForm(Form):
    """The outcome of a service (keys 1-5 pick it), with what each outcome needs."""

    def __init__(self, parent, t, done, today: date, materials: tuple[tuple[tuple[str, str | None], ...], int | None],
                 english: bool = False) -> None:
        super().__init__(parent, "finishDialog", t("outcome"), t, done)
        self.outcome = self.choices("outcomes", [(o, f"{n}  {t(o)}") for n, o in enumerate(OUTCOMES, 1)])
        self.outcome.currentRowChanged.connect(self._show_fields)
        self.form.addRow(self.outcome)
        names, version = materials  # the matter's guide's materials (its version), else the common ones
        self.materials = self.choices("materials", [(m, (en if english and en else m)) for m, en in names])
        for i in range(self.materials.count()):
            self.materials.item(i).setFlags(Qt.ItemIsEnabled | Qt.ItemIsUserCheckable)
            self.materials.item(i).setCheckState(Qt.Unchecked)
        self.materials.setMinimumHeight(150)
        self.other = QLineEdit(objectName="otherMissing")
        self.due = QDateEdit(objectName="dueDate", calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.due.setMinimumDate(QDate(today.year, today.month, today.day))
        soon = today + timedelta(days=7)
        self.due.setDate(QDate(soon.year, soon.month, soon.day))
        self.reason = QLineEdit(objectName="reason")
        self.hint = QLabel(t("reject_hint"), wordWrap=True, styleSheet=f"color:{THEME['inkSoft']}")
        self.guide_wrong = QCheckBox(t("guide_wrong"), objectName="guideWrong")  # a flag for the guide's editors
        self.source = QLabel(t("materials_of_guide", version) if version else t("materials_common"), wordWrap=True,
                             objectName="materialsSource", styleSheet=f"color:{THEME['inkSoft']}")
        self.rows = {"accepted_missing": [(t("missing"), self.materials), ("", self.source), (t("other_missing"), self.other),
                                          (t("due"), self.due)],
                     "rejected": [(t("reason"), self.reason), ("", self.guide_wrong), ("", self.hint)]}
        for rows in self.rows.values():
            for label, widget in rows:
                self.form.addRow(label, widget)
        self._show_fields(0)
        self.outcome.setFocus()

    def keyPressEvent(self, event) -> None:
        if Qt.Key_1 <= event.key() <= Qt.Key_5 and self.outcome.hasFocus():
            self.outcome.setCurrentRow(event.key() - Qt.Key_1)
            return
        super().keyPressEvent(event)

    def _show_fields(self, row: int) -> None:
        chosen = OUTCOMES[max(row, 0)]
        for outcome, rows in self.rows.items():
            for _, widget in rows:
                self.form.setRowVisible(widget, outcome == chosen)
        self.error.setText("")

    def body(self) -> dict | None:
        outcome = OUTCOMES[self.outcome.currentRow()]
        body = {"outcome": outcome}
        if outcome == "accepted_missing":
            picked = [self.materials.item(i).data(Qt.UserRole) for i in range(self.materials.count())
                      if self.materials.item(i).checkState() == Qt.Checked]
            picked += [self.other.text().strip()] if self.other.text().strip() else []
            if not picked:
                self.error.setText(self.t("need_missing"))
                return None
            body |= {"missing_materials": "、".join(picked), "due_date": self.due.date().toString("yyyy-MM-dd")}
        if outcome == "rejected":
            if not self.reason.text().strip():
                self.error.setText(self.t("need_reason"))
                self.reason.setFocus()
                return None
            body["reason"] = self.reason.text().strip()
            if self.guide_wrong.isChecked():
                body["guide_wrong"] = True
        return body


class WalkInForm(Form):
    """Manual mode: a walk-in served at the window while the hub is unreachable."""

    def __init__(self, parent, t, done, items: list[dict]) -> None:
        super().__init__(parent, "walkInDialog", t("walk_in_title"), t, done)
        self.item = QComboBox(objectName="item")
        for i in items:
            self.item.addItem(i["name"], i["id"])
        self.outcome = QComboBox(objectName="outcome")
        for o in OUTCOMES:
            if o != "accepted_missing":  # needs materials and a date: done at the hub once it is back
                self.outcome.addItem(t(o), o)
        self.reason = QLineEdit(objectName="reason")
        self.form.addRow(t("item"), self.item)
        self.form.addRow(t("outcome"), self.outcome)
        self.form.addRow(t("reason"), self.reason)
        if not items:
            self.error.setText(t("no_items"))
            self.ok.setEnabled(False)

    def body(self) -> dict | None:
        outcome, reason = self.outcome.currentData(), self.reason.text().strip()
        if outcome == "rejected" and not reason:
            self.error.setText(self.t("need_reason"))
            return None
        return {"item_id": self.item.currentData(), "outcome": outcome, "reason": reason or None}
