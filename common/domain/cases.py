"""办不成事 cases and 差评 follow-up (docs/cases.md): the workflow's rules and its projection.

A case is a fold of events, like a ticket. Each `decide_*` checks one step against the case as it stands and
returns the event to store (kind, data); `apply` folds an event into the case. Deadlines are working days of the
district's calendar (`common.domain.workdays`), computed when the step is decided and carried in the event, so
that every hub that folds the history agrees on them whatever its calendar says later.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from common.domain import errors as e
from common.domain import limits as L

CASE_OPENED = "case_opened"
CASE_CLASSIFIED = "case_classified"
CASE_ASSIGNED = "case_assigned"
CASE_NOTED = "case_noted"
CASE_EXTENDED = "case_extended"
CASE_ANSWERED = "case_answered"
CASE_FOLLOWED_UP = "case_followed_up"
CASE_APPEAL_DECIDED = "case_appeal_decided"
KINDS = frozenset({CASE_OPENED, CASE_CLASSIFIED, CASE_ASSIGNED, CASE_NOTED, CASE_EXTENDED, CASE_ANSWERED,
                   CASE_FOLLOWED_UP, CASE_APPEAL_DECIDED})


class CaseKind(StrEnum):
    case = "case"  # 办不成事
    rating = "rating"  # 差评: a bad rating, opened by itself


class CaseStatus(StrEnum):
    registered = "registered"  # 登记: waiting to be classified
    open = "open"  # classified, being handled (assigned or not)
    answered = "answered"  # 已答复: waiting for the follow-up call (回访)
    closed = "closed"


SOURCES = frozenset({"window", "kiosk", "rejection", "rating", "hotline"})  # 窗口 / 自助机 / 不予受理 / 差评 / 12345
CAUSES = frozenset({"policy", "system", "materials", "attitude", "other"})  # 政策 / 系统 / 材料 / 服务态度 / 其他
# 即办 / 一般 / 复杂 / 不属受理范围: working days to the answer (None: no deadline, closed at once)
CLASSES: dict[str, int | None] = {"immediate": 0, "general": 5, "complex": 15, "out_of_scope": None}
ANSWERS = {CaseKind.case: frozenset({"done", "partly", "cannot"}),  # 办成 / 部分办成 / 不能办理
           CaseKind.rating: frozenset({"rectified", "explained", "appeal"})}  # 已整改 / 解释说明 / 申诉
FIRST_CONTACT_DAYS = 1  # a 差评's first contact with the citizen: within 1 working day (实名差评 100 % 回访)
BAD_SCORES = frozenset({1, 2})  # 非常不满意, 不满意


@dataclass
class Case:
    """One case as its events made it. `due_day`: the next deadline (the answer's; for a 差评 before its first
    contact, that contact's). Contacts are logged notes with `contact=True`."""

    id: str
    site_id: str
    number: str
    public_token: str
    kind: CaseKind
    source: str
    cause: str
    text: str | None
    opened_at: datetime
    opened_day: str
    contact: str | None = None  # the reporter's name and phone, encrypted (common.domain.contact): never plain
    item_id: str | None = None
    ticket_id: str | None = None  # the service it comes from, if any
    rated_clerk_id: str | None = None  # a 差评's clerk: may not handle it
    status: CaseStatus = CaseStatus.registered
    case_class: str | None = None
    due_day: str | None = None
    department: str | None = None
    handler_site_id: str | None = None  # the site of the department that handles it (another site: via the hub tree)
    contacts: int = 0
    first_contact_at: datetime | None = None
    extensions: int = 0
    answer: str | None = None
    answer_text: str | None = None
    answered_at: datetime | None = None
    answered_on_time: bool | None = None
    negative_reported: bool = False  # 否定答复报告: a "cannot" answer goes to the supervisor
    follow_ups: int = 0
    reached: bool | None = None
    satisfied: bool | None = None
    reopened: bool = False
    escalated: bool = False  # reopened after an unsatisfied follow-up: the supervisor takes it (督办)
    appeal_upheld: bool | None = None
    closed_at: datetime | None = None


def case_number(case_id: str) -> str:
    """The case's number for citizens and the 台账: 'BC' and 8 letters/digits from its id, so a device offline
    numbers its case by itself (no counter to share). Crockford base32: no I, L, O, U to misread."""
    raw = base64.b32encode(hashlib.sha256(case_id.encode()).digest()[:5]).decode()
    return "BC" + raw.translate(str.maketrans("ILOU", "1100"))


# ---------------------------------------------------------------- decisions (the rules of each step)

def check_text(value: str | None, code: str, required: bool = False, max_len: int = L.TEXT_MAX) -> str | None:
    """A text of a case (what was typed or tapped), stripped; too long, or holding a control character but tab and
    line breaks (PostgreSQL cannot store a NUL): refused. The hub's commands and a device offline check alike."""
    value = (value or "").strip() or None
    if (required and value is None) or (value is not None and len(value) > max_len):
        raise e.InvalidInput(code, limit=max_len)
    if value is not None and any(ch < " " and ch not in "\t\n\r" for ch in value):  # NUL: PostgreSQL refuses it
        raise e.InvalidInput("case_text_control")
    return value


def _must(ok: bool, code: str, **detail) -> None:
    if not ok:
        raise e.Conflict(code, **detail)


def decide_open(*, case_id: str, public_token: str, kind: CaseKind, source: str, cause: str, text: str | None,
                day: date, contact: str | None = None, item_id: str | None = None, ticket_id: str | None = None,
                rated_clerk_id: str | None = None, first_contact_due: date | None = None) -> tuple[str, dict]:
    if source not in SOURCES or cause not in CAUSES:
        raise e.InvalidInput("case_source_or_cause")
    if (kind is CaseKind.rating) != (source == "rating"):
        raise e.InvalidInput("case_source_or_cause")
    return CASE_OPENED, {
        "case_id": case_id, "number": case_number(case_id), "public_token": public_token, "kind": kind.value,
        "source": source, "cause": cause, "text": text, "opened_day": day.isoformat(), "contact": contact,
        "item_id": item_id, "of_ticket_id": ticket_id, "rated_clerk_id": rated_clerk_id,
        "due_day": first_contact_due.isoformat() if first_contact_due else None,
    }


def assigned_to(c: Case, site_id: str, department: str) -> bool:
    """Whether `c` is assigned to `department` (承办单位) of `site_id`: the only cases that department's handler sees."""
    return c.department == department and c.handler_site_id == site_id


def may_handle(c: Case, clerk_id: str | None) -> None:
    """The clerk rated may not handle their own 差评."""
    if c.kind is CaseKind.rating and clerk_id is not None and clerk_id == c.rated_clerk_id:
        raise e.Forbidden("case_own_rating")


def decide_classify(c: Case, case_class: str, due: date | None, explanation: str | None) -> tuple[str, dict]:
    """即办 / 一般 / 复杂 with its due day; 不属受理范围 needs the explanation and the right channel, and closes."""
    _must(c.kind is CaseKind.case and c.status in (CaseStatus.registered, CaseStatus.open) and c.answer is None,
          "case_not_classifiable")
    if case_class not in CLASSES:
        raise e.InvalidInput("case_class")
    if case_class == "out_of_scope" and not explanation:
        raise e.InvalidInput("case_explanation_required")
    return CASE_CLASSIFIED, {"case_id": c.id, "case_class": case_class,
                             "due_day": due.isoformat() if due else None, "explanation": explanation}


def decide_assign(c: Case, department: str, handler_site_id: str) -> tuple[str, dict]:
    _must(c.status is CaseStatus.open or (c.kind is CaseKind.rating and c.status is CaseStatus.registered),
          "case_not_assignable")
    return CASE_ASSIGNED, {"case_id": c.id, "department": department, "handler_site_id": handler_site_id}


def decide_note(c: Case, note: str, contact: bool) -> tuple[str, dict]:
    _must(c.status is not CaseStatus.closed, "case_closed")
    return CASE_NOTED, {"case_id": c.id, "note": note, "contact": contact}


def decide_extend(c: Case, today: date, new_due: date, reason: str, told: bool) -> tuple[str, dict]:
    """Only with a reason and a later date, told to the citizen before the old date passes."""
    _must(c.status is CaseStatus.open and c.due_day is not None, "case_not_extendable")
    due = date.fromisoformat(c.due_day or "")
    _must(today <= due, "case_extend_too_late")
    if not told:
        raise e.InvalidInput("case_extend_tell_citizen")
    if new_due <= due:
        raise e.InvalidInput("case_extend_later_date")
    return CASE_EXTENDED, {"case_id": c.id, "due_day": new_due.isoformat(), "reason": reason}


def decide_answer(c: Case, today: date, answer: str, text: str, legal_reason: str | None) -> tuple[str, dict]:
    """办成 / 部分办成 / 不能办理 (with the legal reason: reported to the supervisor); a 差评: 已整改 / 解释说明 /
    申诉 (误评、恶意差评: the supervisor decides), after its first contact with the citizen."""
    _must(c.status is CaseStatus.open or (c.kind is CaseKind.rating and c.status is CaseStatus.registered),
          "case_not_answerable")
    if answer not in ANSWERS[c.kind]:
        raise e.InvalidInput("case_answer")
    if answer == "cannot" and not legal_reason:
        raise e.InvalidInput("case_legal_reason_required")
    _must(c.kind is CaseKind.case or c.contacts > 0, "case_contact_first")
    on_time = c.due_day is None or today <= date.fromisoformat(c.due_day)
    return CASE_ANSWERED, {"case_id": c.id, "answer": answer, "text": text, "legal_reason": legal_reason,
                           "on_time": on_time}


def decide_follow_up(c: Case, reached: bool, satisfied: bool | None, note: str | None) -> tuple[str, dict]:
    """回访. Reached and satisfied: closed. Reached and not satisfied: reopened once and escalated (督办); a second
    time, closed as not satisfied. Not reached: the case waits for the next try."""
    _must(c.status is CaseStatus.answered, "case_not_answered")
    if reached != (satisfied is not None):
        raise e.InvalidInput("case_follow_up_satisfied")
    return CASE_FOLLOWED_UP, {"case_id": c.id, "reached": reached, "satisfied": satisfied, "note": note}


def decide_appeal(c: Case, upheld: bool, note: str | None) -> tuple[str, dict]:
    """The supervisor's decision on a 差评's appeal (误评、恶意差评): upheld, the rating does not count."""
    _must(c.status is not CaseStatus.closed, "case_closed")  # as the projection: any step on a closed case is void
    _must(c.kind is CaseKind.rating and c.answer == "appeal" and c.appeal_upheld is None, "case_no_appeal")
    return CASE_APPEAL_DECIDED, {"case_id": c.id, "upheld": upheld, "note": note}


# ---------------------------------------------------------------- the projection

def apply(cases: dict[str, Case], site_id: str, kind: str, at: datetime, d: dict) -> bool:
    """Fold one case event into `cases`; False when it is void (its step no longer fits the case: e.g. an answer
    that arrives after another handler's, or after a reopen it did not see; docs/cases.md "Conflicts")."""
    if kind == CASE_OPENED:
        if d["case_id"] in cases:
            return False
        cases[d["case_id"]] = Case(
            id=d["case_id"], site_id=site_id, number=d["number"], public_token=d["public_token"],
            kind=CaseKind(d["kind"]), source=d["source"], cause=d["cause"], text=d.get("text"), opened_at=at,
            opened_day=d["opened_day"], contact=d.get("contact"), item_id=d.get("item_id"),
            ticket_id=d.get("of_ticket_id"), rated_clerk_id=d.get("rated_clerk_id"), due_day=d.get("due_day"))
        return True
    c = cases.get(d["case_id"])
    if c is None or c.site_id != site_id or c.status is CaseStatus.closed:
        return False
    if kind == CASE_NOTED:
        if d.get("contact"):
            c.contacts += 1
            c.first_contact_at = c.first_contact_at or at
        return True
    if kind == CASE_CLASSIFIED:
        if c.kind is not CaseKind.case or c.answer is not None:
            return False
        c.case_class, c.due_day = d["case_class"], d.get("due_day")
        if d["case_class"] == "out_of_scope":
            c.status, c.answer, c.answer_text, c.answered_at, c.closed_at = (
                CaseStatus.closed, "out_of_scope", d.get("explanation"), at, at)
        else:
            c.status = CaseStatus.open
        return True
    if kind == CASE_ASSIGNED:
        if c.status is CaseStatus.answered:
            return False
        c.department, c.handler_site_id = d["department"], d["handler_site_id"]
        return True
    if kind == CASE_EXTENDED:
        if c.status is not CaseStatus.open or c.due_day is None or d["due_day"] <= c.due_day:
            return False
        c.due_day, c.extensions = d["due_day"], c.extensions + 1
        return True
    if kind == CASE_ANSWERED:
        if c.status is CaseStatus.answered or (c.kind is CaseKind.case and c.status is not CaseStatus.open):
            return False
        c.status, c.answer, c.answer_text, c.answered_at = CaseStatus.answered, d["answer"], d["text"], at
        c.answered_on_time = bool(d.get("on_time"))
        c.negative_reported = d["answer"] == "cannot"
        return True
    if kind == CASE_FOLLOWED_UP:
        if c.status is not CaseStatus.answered:
            return False
        c.follow_ups += 1
        c.reached, c.satisfied = d["reached"], d.get("satisfied")
        if d["reached"] and d.get("satisfied") is False and not c.reopened:
            c.status, c.reopened, c.escalated = CaseStatus.open, True, True
            c.answer = c.answer_text = None
            c.answered_at = c.answered_on_time = None
        elif d["reached"]:
            c.status, c.closed_at = CaseStatus.closed, at
        return True
    if kind == CASE_APPEAL_DECIDED:
        if c.answer != "appeal" or c.appeal_upheld is not None:
            return False
        c.appeal_upheld = d["upheld"]
        return True
    raise ValueError(f"unknown case event kind {kind!r}")
