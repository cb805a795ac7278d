"""The forms of the cases page (docs/cases.md), keyboard first like the others (arrows pick, Enter confirms, Esc
cancels). Unlike those, a case form stays open until the hub has answered: it closes when the step is taken and,
when the hub refuses, shows why in Chinese and English with everything typed still in place (`answered`)."""
from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox, QDateEdit, QLabel, QLineEdit, QPlainTextEdit

from qtbase.theme import THEME
from terminal.dialogs import Form, font


class CaseForm(Form):
    """`done(body)` sends; the hub's answer comes back to `answered` ("" taken, else the refusal to show)."""

    def __init__(self, parent, name, title, t, done) -> None:
        super().__init__(parent, name, title, t, done)
        self.error.setWordWrap(True)
        self.setMinimumWidth(640)

    def confirm(self) -> None:
        body = self.body()
        if body is not None:
            self.ok.setEnabled(False)
            self.error.setText(self.t("sending"))
            self._done(body)

    def answered(self, refusal: str) -> None:
        self.ok.setEnabled(True)
        if refusal:
            self.error.setText(refusal)
        else:
            self.accept()

    def hint(self, key: str) -> QLabel:
        return QLabel(self.t(key), wordWrap=True, styleSheet=f"color:{THEME['inkSoft']}")

    def required(self, widget, label_key: str) -> str | None:
        text = (widget.toPlainText() if isinstance(widget, QPlainTextEdit) else widget.text()).strip()
        if not text:
            self.error.setText(self.t("need_text", self.t(label_key)))
            widget.setFocus()
            return None
        return text

    @staticmethod
    def text_box(name: str) -> QPlainTextEdit:
        box = QPlainTextEdit(objectName=name, tabChangesFocus=True)  # Tab moves on, as in a line edit
        box.setFixedHeight(84)
        return box

    def picked(self, box) -> str:
        return box.currentItem().data(Qt.UserRole)


class RegisterForm(CaseForm):
    """登记: the cause (keys 1-5 while the list has the focus), what happened, optionally the reporter's name and
    phone. `source` "window" (reported here) or "rejection" (of `ticket`, just refused at this window)."""

    def __init__(self, parent, t, done, causes, source: str, ticket: dict | None) -> None:
        super().__init__(parent, "registerDialog", t("register_title"), t, done)
        self.source, self.ticket = source, ticket
        number = (ticket or {}).get("number")
        where = (t("register_rejection_of", number) if source == "rejection"
                 else t("register_window", t("of_ticket", number) if number else ""))
        self.form.addRow(QLabel(where, objectName="registerSource", wordWrap=True, font=font(13, True)))
        self.cause = self.choices("causes", [(c, f"{n}  {label}") for n, (c, label) in enumerate(causes, 1)])
        self.text = self.text_box("caseText")
        self.name = QLineEdit(objectName="reporterName")
        self.phone = QLineEdit(objectName="reporterPhone")
        self.form.addRow(t("cause"), self.cause)
        self.form.addRow(t("case_text"), self.text)
        self.form.addRow(t("reporter_name"), self.name)
        self.form.addRow(t("reporter_phone"), self.phone)
        self.form.addRow("", self.hint("contact_sealed_hint"))
        self.cause.setFocus()

    def keyPressEvent(self, event) -> None:
        if Qt.Key_1 <= event.key() <= Qt.Key_5 and self.cause.hasFocus():
            self.cause.setCurrentRow(event.key() - Qt.Key_1)
            return
        super().keyPressEvent(event)

    def body(self) -> dict | None:
        body = {"source": self.source, "cause": self.picked(self.cause), "text": self.text.toPlainText().strip() or None,
                "name": self.name.text().strip() or None, "phone": self.phone.text().strip() or None}
        if self.source == "rejection":
            body["ticket_id"] = self.ticket["ticket_id"]
            if (self.ticket or {}).get("item_id"):  # a walk-in refused in manual mode: its item, as the hub takes it
                body["item_id"] = (self.ticket or {})["item_id"]
        return body


class ClassifyForm(CaseForm):
    """定性: 即办 / 一般 / 复杂 / 不属受理范围 (this one with the explanation and the right channel: the hub insists)."""

    def __init__(self, parent, t, done, number: str, classes) -> None:
        super().__init__(parent, "classifyDialog", t("classify_title", number), t, done)
        self.case_class = self.choices("classes", classes)
        self.explanation = self.text_box("explanation")
        self.form.addRow(self.case_class)
        self.form.addRow(t("explanation"), self.explanation)
        self.form.addRow("", self.hint("explanation_hint"))
        self.case_class.itemActivated.connect(lambda _: self.confirm())
        self.case_class.setFocus()

    def body(self) -> dict | None:
        return {"case_class": self.picked(self.case_class),
                "explanation": self.explanation.toPlainText().strip() or None}


class AssignForm(CaseForm):
    """转办 to a department (承办单位)."""

    def __init__(self, parent, t, done, number: str, department: str | None) -> None:
        super().__init__(parent, "assignDialog", t("assign_title", number), t, done)
        self.department = QLineEdit(department or "", objectName="department")
        self.form.addRow(t("department"), self.department)
        self.department.setFocus()

    def body(self) -> dict | None:
        department = self.required(self.department, "department")
        return None if department is None else {"department": department}


class NoteForm(CaseForm):
    """处理记录, ticked when it records a contact with the citizen (every contact is counted)."""

    def __init__(self, parent, t, done, number: str) -> None:
        super().__init__(parent, "noteDialog", t("note_title", number), t, done)
        self.note = self.text_box("note")
        self.contact = QCheckBox(t("contact_made"), objectName="contactMade")
        self.form.addRow(t("note"), self.note)
        self.form.addRow("", self.contact)
        self.note.setFocus()

    def body(self) -> dict | None:
        note = self.required(self.note, "note")
        return None if note is None else {"note": note, "contact": self.contact.isChecked()}


class ExtendForm(CaseForm):
    """延期: a later working day, the reason, and the citizen told first (the hub refuses otherwise)."""

    def __init__(self, parent, t, done, number: str, due: str | None, today: date) -> None:
        super().__init__(parent, "extendDialog", t("extend_title", number), t, done)
        start = max(date.fromisoformat(due), today) if due else today
        later = start + timedelta(days=7)
        self.due = QDateEdit(QDate(later.year, later.month, later.day), objectName="newDue", calendarPopup=True,
                             displayFormat="yyyy-MM-dd")
        self.reason = self.text_box("extendReason")
        self.told = QCheckBox(t("citizen_told"), objectName="citizenTold")
        self.form.addRow(t("new_due"), self.due)
        self.form.addRow(t("extend_reason"), self.reason)
        self.form.addRow("", self.told)
        self.due.setFocus()

    def body(self) -> dict | None:
        reason = self.required(self.reason, "extend_reason")
        if reason is None:
            return None
        return {"due_day": self.due.date().toString("yyyy-MM-dd"), "reason": reason, "told": self.told.isChecked()}


class AnswerForm(CaseForm):
    """答复: 办成 / 部分办成 / 不能办理 (with its legal reason), or for a 差评 已整改 / 解释说明 / 申诉."""

    def __init__(self, parent, t, done, number: str, answers) -> None:
        super().__init__(parent, "answerDialog", t("answer_title", number), t, done)
        self.answer = self.choices("answers", answers)
        self.text = self.text_box("answerText")
        self.legal = QLineEdit(objectName="legalReason")
        self.form.addRow(t("answer"), self.answer)
        self.form.addRow(t("answer_text"), self.text)
        self.form.addRow(t("legal_reason"), self.legal)
        self.form.setRowVisible(self.legal, any(value == "cannot" for value, _ in answers))
        self.answer.setFocus()

    def body(self) -> dict | None:
        text = self.required(self.text, "answer_text")
        if text is None:
            return None
        return {"answer": self.picked(self.answer), "text": text, "legal_reason": self.legal.text().strip() or None}


FOLLOW_UPS = (("reached_satisfied", True, True), ("reached_unsatisfied", True, False), ("not_reached", False, None))


class FollowUpForm(CaseForm):
    """回访: reached and satisfied (closes), reached and not satisfied (reopened, escalated), or not reached."""

    def __init__(self, parent, t, done, number: str) -> None:
        super().__init__(parent, "followUpDialog", t("follow_up_title", number), t, done)
        self.result = self.choices("followUps", [(key, t(key)) for key, _, _ in FOLLOW_UPS])
        self.note = self.text_box("followUpNote")
        self.form.addRow(self.result)
        self.form.addRow(t("follow_up_note"), self.note)
        self.result.setFocus()

    def body(self) -> dict | None:
        _, reached, satisfied = FOLLOW_UPS[self.result.currentRow()]
        return {"reached": reached, "satisfied": satisfied, "note": self.note.toPlainText().strip() or None}


class ContactForm(CaseForm):
    """The reporter's contact in full, for a purpose (办理 / 回访): audited by the hub, shown here and only here
    (never in the list, never in a log); gone when the dialog closes."""

    def __init__(self, parent, t, done, number: str) -> None:
        super().__init__(parent, "contactDialog", t("contact_title", number), t, done)
        self.purpose = self.choices("purposes", [("handle", t("purpose_handle")), ("follow_up", t("purpose_follow_up"))])
        self.shown = QLabel("", objectName="contactFull", font=font(18, True),
                            textInteractionFlags=Qt.TextSelectableByMouse)
        self.form.addRow(t("purpose"), self.purpose)
        self.form.addRow("", self.hint("contact_audit_hint"))
        self.form.addRow(self.shown)
        self.ok.setText(t("show"))
        self.purpose.itemActivated.connect(lambda _: self.confirm())
        self.purpose.setFocus()

    def body(self) -> dict | None:
        return {"purpose": self.picked(self.purpose)}

    def answered(self, refusal: str) -> None:
        self.ok.setEnabled(True)
        self.error.setText(refusal)  # stays open: the contact is read here

    def show_contact(self, name: str, phone: str) -> None:
        self.shown.setText(self.t("contact_full", name, phone))
