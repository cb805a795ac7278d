"""Cases as rows (common/domain/cases.py <-> the `cases` table), the district's calendar entries, and the audit
log of full showings of personal data."""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Connection, delete, insert, select, update

from common.db.repo import E, event_from_row, row_values
from common.db.schema import AuditRow, CalendarDayRow, CaseRow
from common.domain import limits as L
from common.domain.cases import CASE_OPENED, KINDS, Case, CaseKind, CaseStatus
from common.domain.clock import utc
from common.domain.events import Event
from common.domain.workdays import WorkCalendar

K = CaseRow.__table__
_ID = re.compile(L.ID_PATTERN)
_FIELDS = [f.name for f in dataclasses.fields(Case)]
_TIMES = [f.name for f in dataclasses.fields(Case) if "datetime" in str(f.type)]


def case_from_row(row) -> Case:
    return Case(**row_values(row, _FIELDS, _TIMES, {"kind": CaseKind, "status": CaseStatus}))


def case(conn: Connection, site_id: str, case_id: str) -> Case | None:
    """The case of this id at this site; an id no case can have (a path's NUL: PostgreSQL refuses it) is none."""
    if len(case_id) > L.UUID_MAX or not _ID.match(case_id):
        return None
    row = conn.execute(select(K).where(K.c.id == case_id, K.c.site_id == site_id)).first()
    return case_from_row(row) if row else None


def case_here(conn: Connection, site_id: str, case_id: str) -> Case | None:
    """The case of this id that the actors of `site_id` may see: one of their site, or one a department of their site
    handles for another site (`handler_site_id`: a village case handled at the district)."""
    if len(case_id) > L.UUID_MAX or not _ID.match(case_id):
        return None
    row = conn.execute(select(K).where(K.c.id == case_id, (K.c.site_id == site_id) | (K.c.handler_site_id == site_id))).first()
    return case_from_row(row) if row else None


def by_token(conn: Connection, token: str) -> Case | None:
    row = conn.execute(select(K).where(K.c.public_token == token)).first()
    return case_from_row(row) if row else None


def cases_by_id(conn: Connection, ids: Iterable[str]) -> list[Case]:
    ids = list(ids)
    return [case_from_row(r) for r in conn.execute(select(K).where(K.c.id.in_(ids)))] if ids else []


def save_cases(conn: Connection, cases: Iterable[Case], new: set[str]) -> None:
    rows = [{name: getattr(c, name) for name in _FIELDS} for c in cases]
    for r in rows:
        r["kind"], r["status"] = r["kind"].value, r["status"].value
    fresh = [r for r in rows if r["id"] in new]
    if fresh:
        conn.execute(insert(K), fresh)
    for r in rows:
        if r["id"] not in new:
            conn.execute(update(K).where(K.c.id == r["id"]).values({k: v for k, v in r.items() if k != "id"}))


def history(conn: Connection, site_id: str, case_id: str) -> list[dict]:
    """Every step of the case, oldest first: its events (the note texts included; never the contact)."""
    # No ORDER BY in SQL: so that the planner takes (site_id, kind, seq) and passes over the hall's ticket events,
    # not (site_id, seq) for its order; the few rows are put in order here.
    q = select(E).where(E.c.site_id == site_id, E.c.kind.in_(KINDS), E.c.data["case_id"].as_string() == case_id)
    out = []
    for row in sorted(conn.execute(q), key=lambda r: r.seq):
        x = event_from_row(row)
        out.append({"kind": x.kind, "at": x.at.isoformat(), "clerk_id": x.clerk_id,
                    "data": {k: v for k, v in x.data.items() if k not in ("contact", "public_token", "case_id")}})
    return out


def opened(conn: Connection, case_id: str) -> tuple[Event, Case] | None:
    """The event that opened the case, and the case as it stands; None if this hub holds no such case."""
    found = conn.execute(select(K).where(K.c.id == case_id)).first()
    if found is None:
        return None
    row = conn.execute(select(E).where(E.c.site_id == found.site_id, E.c.kind == CASE_OPENED,
                                       E.c.data["case_id"].as_string() == case_id).order_by(E.c.seq).limit(1)).first()
    return (event_from_row(row), case_from_row(found)) if row is not None else None


# ---------------------------------------------------------------- the calendar

def calendar(conn: Connection) -> WorkCalendar:
    """The working-day calendar: the library's, with the district's own entries over it."""
    return WorkCalendar({date.fromisoformat(d): w for d, w in conn.execute(select(CalendarDayRow.day, CalendarDayRow.working))})


def set_calendar_days(conn: Connection, days: dict[date, bool]) -> None:
    """Replace the district's entries for the days given (a reference import)."""
    if days:
        conn.execute(delete(CalendarDayRow).where(CalendarDayRow.day.in_([d.isoformat() for d in days])))
        conn.execute(insert(CalendarDayRow), [{"day": d.isoformat(), "working": w} for d, w in days.items()])


def replace_calendar(conn: Connection, days: dict[date, bool]) -> None:
    """Make the entries exactly `days` (a child hub takes its upstream's calendar with the reference data)."""
    conn.execute(delete(CalendarDayRow))
    set_calendar_days(conn, days)


# ---------------------------------------------------------------- the audit log (PIPL)

def audit(conn: Connection, *, site_id: str, at: datetime, clerk_id: str, what: str, record_id: str, purpose: str) -> None:
    conn.execute(insert(AuditRow).values(site_id=site_id, at=at, clerk_id=clerk_id, what=what, record_id=record_id,
                                         purpose=purpose))


def audit_entries(conn: Connection, site_id: str, limit: int = 200) -> list[dict]:
    rows = conn.execute(select(AuditRow).where(AuditRow.site_id == site_id).order_by(AuditRow.id.desc()).limit(limit))
    return [{"at": utc(r.at).isoformat(), "clerk_id": r.clerk_id, "what": r.what, "record_id": r.record_id,
             "purpose": r.purpose} for r in rows]
