"""Read models of cases (docs/cases.md): the handler's work list, the supervisors' figures, the citizen's page.

Escalation (督办) is read, not stored: a case past its due day, or due within one working day, is flagged on the
day it is read, by the district's calendar; overdue cases come first, then those due soon.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import Connection, func, select

from common.db.caserows import K, case_from_row, case_here, history
from common.db.schema import ServiceItemRow
from common.domain import errors as e
from common.domain.cases import Case, CaseKind, CaseStatus, assigned_to
from common.domain.clock import SHANGHAI, utc
from common.domain.workdays import WorkCalendar

LIST_MAX = 200  # cases in one work list (the oldest due first): a handler works from the top
REPEAT_COUNT, REPEAT_DAYS = 3, 30  # the same service item reported this often in this many days: 办成一类事
OPEN = (CaseStatus.registered.value, CaseStatus.open.value, CaseStatus.answered.value)


def flags(x: Case, today: date, calendar: WorkCalendar) -> dict:
    due = date.fromisoformat(x.due_day) if x.due_day else None
    waiting = x.status in (CaseStatus.registered, CaseStatus.open)  # an answered case waits for the citizen, not us
    overdue = bool(waiting and due is not None and due < today)
    soon = bool(waiting and due is not None and not overdue and due <= calendar.add(today, 1))
    return {"overdue": overdue, "due_soon": soon, "escalated": overdue or soon or x.escalated}


def brief(x: Case, today: date, calendar: WorkCalendar) -> dict:
    """A case as a list shows it: no personal data but whether there is some (the name masked needs the key)."""
    return {"case_id": x.id, "number": x.number, "kind": x.kind.value, "source": x.source, "cause": x.cause,
            "status": x.status.value, "case_class": x.case_class, "due_day": x.due_day, "opened_day": x.opened_day,
            "item_id": x.item_id, "department": x.department, "handler_site_id": x.handler_site_id,
            "text": x.text, "contacts": x.contacts, "answer": x.answer, "reopened": x.reopened,
            "has_contact": x.contact is not None, **flags(x, today, calendar)}


def _order(item: dict) -> tuple:
    return (not item["overdue"], not item["due_soon"], item["due_day"] or "9999", item["opened_day"])


def _assigned(site_id: str, department: str):
    """`cases.assigned_to` as a query's condition: the cases of `department` (承办单位) of `site_id`."""
    return (K.c.department == department) & (K.c.handler_site_id == site_id)


def worklist(conn: Connection, site_id: str, today: date, calendar: WorkCalendar, department: str | None = None) -> list[dict]:
    """The cases of `site_id` still to be done (and those its departments handle for other sites), most urgent first;
    with `department`, only those assigned to that department of `site_id` (its handler's list)."""
    q = select(K).where(K.c.status.in_(OPEN))
    q = q.where(_assigned(site_id, department) if department is not None else
                (K.c.site_id == site_id) | (K.c.handler_site_id == site_id))
    items = [brief(case_from_row(r), today, calendar) for r in conn.execute(q)]
    items.sort(key=_order)
    return items[:LIST_MAX]


_FIGURES = ("kind", "status", "due_day", "cause", "answer", "answered_at", "answered_on_time", "reached", "satisfied",
            "negative_reported")


def _overdue(status: str, due_day: str | None, today: date) -> bool:
    """`flags(...)["overdue"]` of a row: still waiting on us and past its due day."""
    return status in (CaseStatus.registered, CaseStatus.open) and due_day is not None and due_day < today.isoformat()


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def figures(conn: Connection, site_ids: list[str], since: date, today: date, calendar: WorkCalendar) -> dict:
    """The supervisors' panel for cases opened from `since` to `today`."""
    # Only the columns counted, as plain rows (no Case each): a district's quarter is thousands of cases.
    rows = conn.execute(select(*(K.c[name] for name in _FIGURES)).where(
        K.c.site_id.in_(site_ids), K.c.opened_day >= since.isoformat(), K.c.opened_day <= today.isoformat())).all()
    cases = [x for x in rows if x.kind == CaseKind.case]
    ratings = [x for x in rows if x.kind == CaseKind.rating]
    answered = [x for x in rows if x.answered_at is not None and x.answer != "out_of_scope"]
    followed = [x for x in answered if x.reached]
    rating_answered = [x for x in ratings if x.answer is not None]
    overdue = sum(_overdue(x.status, x.due_day, today) for x in rows)
    causes = Counter(x.cause for x in rows)
    return {
        "registered": len(rows), "cases": len(cases), "ratings": len(ratings),
        "open": sum(x.status != CaseStatus.closed for x in rows), "answered": len(answered), "overdue": overdue,
        "on_time_rate": _rate(sum(bool(x.answered_on_time) for x in answered), len(answered)),
        "follow_up_rate": _rate(len(followed), len(answered)),
        "follow_up_satisfaction": _rate(sum(bool(x.satisfied) for x in followed), len(followed)),
        "rating_rectified_rate": _rate(sum(x.answer == "rectified" for x in rating_answered), len(rating_answered)),
        "negative_answers": sum(x.negative_reported for x in rows),
        "causes": [{"cause": k, "count": n} for k, n in causes.most_common()],
        "repeats": repeats(conn, site_ids, today),
    }


def department_figures(conn: Connection, site_id: str, today: date, calendar: WorkCalendar, since: date, *,
                       department: str) -> dict:
    """A department's own figures (its handler's page): its cases open and overdue now, those answered from `since`
    (the quarter's first day) and the share of them answered on time."""
    start = datetime.combine(since, time(0), SHANGHAI)
    rows = conn.execute(select(*(K.c[name] for name in _FIGURES)).where(
        _assigned(site_id, department), (K.c.status != CaseStatus.closed.value) | (K.c.answered_at >= start))).all()
    answered = [x for x in rows if x.answered_at is not None and utc(x.answered_at) >= start]
    return {"open": sum(x.status != CaseStatus.closed for x in rows),
            "overdue": sum(_overdue(x.status, x.due_day, today) for x in rows), "answered": len(answered),
            "on_time_rate": _rate(sum(bool(x.answered_on_time) for x in answered), len(answered))}


def repeats(conn: Connection, site_ids: list[str], today: date) -> list[dict]:
    """Service items reported `REPEAT_COUNT` times or more in the last `REPEAT_DAYS` days: flagged to the department."""
    since = (today - timedelta(days=REPEAT_DAYS - 1)).isoformat()
    n = func.count().label("n")
    q = (select(K.c.item_id, ServiceItemRow.name, ServiceItemRow.department, n)
         .join(ServiceItemRow, ServiceItemRow.id == K.c.item_id)
         .where(K.c.site_id.in_(site_ids), K.c.opened_day >= since, K.c.item_id.is_not(None))
         .group_by(K.c.item_id, ServiceItemRow.name, ServiceItemRow.department).having(n >= REPEAT_COUNT)
         .order_by(n.desc()))
    return [{"item_id": r.item_id, "name": r.name, "department": r.department, "count": r.n} for r in conn.execute(q)]


def public(x: Case, today: date, calendar: WorkCalendar) -> dict:
    """The citizen's page of a case (by its unguessable token): where it stands and the answer, in plain words."""
    return {"number": x.number, "status": x.status.value, "kind": x.kind.value, "opened_day": x.opened_day,
            "due_day": x.due_day if x.status is not CaseStatus.closed else None, "answer": x.answer,
            "answer_text": x.answer_text, "overdue": flags(x, today, calendar)["overdue"]}


def detail(conn: Connection, site_id: str, today: date, calendar: WorkCalendar, case_id: str,
           department: str | None = None) -> dict:
    """One case of the site, or handled at it, with its history; `sealed_contact` is for the hub to mask (it holds
    the key). With `department`, only a case assigned to it at this site (its handler's page): any other is not found."""
    found = case_here(conn, site_id, case_id)
    if found is None or (department is not None and not assigned_to(found, site_id, department)):
        raise e.NotFound("no_case")
    return {**brief(found, today, calendar), "answer_text": found.answer_text, "rated_clerk_id": found.rated_clerk_id,
            "sealed_contact": found.contact, "history": history(conn, found.site_id, found.id)}
