"""Appointments (预约): the day's bookings imported from the booking system (上海 一网通办), and check-in at
the kiosk, which turns a booking into a ticket with its slot (the queue serves it first inside the slot).

Personal data (PIPL): the ID number is never stored, only an HMAC-SHA256 of it keyed with the hub's own
secret (a file in its data folder, readable by the hub's user only); the name is stored masked (张*明).
"""
from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import Connection, insert, select, update

import i18n
from common.db.schema import AppointmentRow, ServiceItemRow
from common.domain import errors as e
from common.domain.clock import SHANGHAI, business_day, utc
from common.domain.errors import AppointmentCancelled, AppointmentNotFound, NoIdKey  # also imported from here by callers
from common.domain.files import secret_key
from common.domain.idcard import mask_name, parse_id
from common.domain.ids import uuid7
from common.domain.model import Ticket

KEY_FILE = "appointment-id.key"
CODE = re.compile(r"^[A-Za-z0-9-]{8,64}$")  # the booking code, as the appointment QR carries it (HB1:APPT:<code>)
COLUMNS = ("code", "item_code", "date", "start", "end", "id_number", "name")  # and optionally "status"


# ---------------------------------------------------------------- the hub's secret and the keyed hash

def hub_key(folder: Path) -> bytes:
    """The hub's secret for ID-number hashes: created once in its data folder, mode 0600."""
    return secret_key(Path(folder) / KEY_FILE)


def id_hash(key: bytes | None, id_number: str) -> str:
    """The only form in which an ID number is kept: HMAC-SHA256 with the hub's secret (raises InvalidId)."""
    if not key:
        raise NoIdKey()
    return hmac.new(key, parse_id(id_number).number.encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- import

def _row(conn: Connection, site_id: str, raw: dict, key: bytes, today: date) -> dict:
    """One imported row, validated; raises InvalidInput with what is wrong (never echoing personal data)."""
    def need(name: str) -> str:
        value = str(raw.get(name) or "").strip()
        if not value:
            raise e.InvalidInput("column_missing", name=name)
        return value

    code, status = need("code"), str(raw.get("status") or "booked").strip()
    if not CODE.match(code):
        raise e.InvalidInput("booking_code_format")
    if status not in ("booked", "cancelled"):
        raise e.InvalidInput("booking_status")
    item_code = need("item_code")[:32]
    item_id = conn.execute(select(ServiceItemRow.id).where(
        ServiceItemRow.site_id == site_id, ServiceItemRow.code == item_code)).scalar()
    if item_id is None:
        raise e.InvalidInput("no_item_code", item_code=item_code)
    try:
        day = date.fromisoformat(need("date"))
        start, end = (datetime.combine(day, time.fromisoformat(need(k)), SHANGHAI) for k in ("start", "end"))
    except ValueError:
        raise e.InvalidInput("date_time_format") from None
    if not start < end:
        raise e.InvalidInput("end_before_start")
    if day < today:
        raise e.InvalidInput("date_past")
    name = need("name")
    if len(name) > 50:
        raise e.InvalidInput("name_too_long")
    return {"code": code, "item_id": item_id, "business_day": day.isoformat(), "slot_start": utc(start),
            "slot_end": utc(end), "id_hash": id_hash(key, need("id_number")), "name_masked": mask_name(name),
            "status": status}


def _rows_said(bad: list[tuple[int, e.HaobanError]]) -> dict[str, str]:
    """The bad rows and what is wrong with each, in every language ("第2行：…；第3行：…")."""
    return {lang: i18n.text("errors", "import_rows_separator", lang).join(
        i18n.text("errors", "import_row", lang, n=n, message=x.messages) for n, x in bad) for lang in i18n.LANGUAGES}


def import_rows(conn: Connection, site_id: str, rows: list[dict], key: bytes | None, now: datetime) -> dict:
    """Add or update bookings (by booking code); all rows or none. Checked-in bookings are left as they are."""
    if not key:
        raise NoIdKey()
    good, bad, seen = [], [], set()
    for n, raw in enumerate(rows, start=1):
        try:
            row = _row(conn, site_id, raw, key, business_day(now))
            if row["code"] in seen:
                raise e.InvalidInput("booking_code_twice")
            seen.add(row["code"])
            good.append(row)
        except e.HaobanError as exc:
            bad.append((n, exc))
    if bad:
        raise e.InvalidInput("import_failed", rows=_rows_said(bad[:10]),
                             more=i18n.texts("errors", "import_more", count=len(bad) - 10) if len(bad) > 10 else "")
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    A = AppointmentRow
    for r in good:
        old = conn.execute(select(A.id, A.status).where(A.site_id == site_id, A.code == r["code"])).first()
        if old is None:
            conn.execute(insert(A).values(id=uuid7(), site_id=site_id, imported_at=now, **r))
            counts["added"] += 1
        elif old.status == "checked_in":
            counts["unchanged"] += 1
        else:
            conn.execute(update(A).where(A.id == old.id).values(imported_at=now, **r))
            counts["updated"] += 1
    return counts


def demo_bookings(now: datetime, data: dict | None = None) -> list[dict]:
    """The demo's few bookings (rows as imported) for the business day of `now`, with half-hour slots around the
    current half hour: one to check in now, one too early, one late (each at its `slot_offset_min`).

    A booking system exports a day's slots as times of that day, so no slot may run past midnight (an end of
    00:00 would come before its start). Late in the evening and just after midnight the slots therefore keep
    their spacing but slide to fit inside the day: from 21:30 the half hour they are made around stays at
    21:00 (the last slot is 23:00-23:30), and before 02:00 it is 02:00 (the first slot starts at 00:00). At
    those hours, when a real hall is closed, the booking "for now" is late or not yet open, as it would be
    for a citizen; the demo and the screenshots run on a hall clock in the morning (devtools), where the
    slots are around the current half hour.
    """
    from common.usecases.reference import demo_data

    local = now.astimezone(SHANGHAI)
    booked = (data or demo_data()).get("appointments", [])
    offsets = [timedelta(minutes=a["slot_offset_min"]) for a in booked]
    midnight, slot = datetime.combine(local.date(), time(), SHANGHAI), timedelta(minutes=30)
    earliest = midnight - min(offsets, default=timedelta())  # the earliest slot starts at 00:00 or later
    latest = timedelta(hours=24, minutes=-1) - slot - max(offsets, default=timedelta())
    latest = midnight + latest // slot * slot  # on the half hour; the latest slot ends by 23:59
    base = min(max(local.replace(minute=local.minute // 30 * 30, second=0, microsecond=0), earliest), latest)
    rows = []
    for n, (a, offset) in enumerate(zip(booked, offsets), start=1):
        start = base + offset
        if start.date() == local.date() and (start + slot).date() == local.date():
            rows.append({"site": a["site"], "code": f"YW{local:%Y%m%d}{n:04d}", "item_code": a["item"],
                         "date": start.date().isoformat(), "start": f"{start:%H:%M}",
                         "end": f"{start + slot:%H:%M}", "id_number": a["id_number"], "name": a["name"]})
    return rows


def load_demo(conn: Connection, key: bytes, now: datetime, data: dict | None = None) -> list[dict]:
    rows = demo_bookings(now, data)
    for site in {r["site"] for r in rows}:
        import_rows(conn, site, [r for r in rows if r["site"] == site], key, now)
    return rows


# ---------------------------------------------------------------- check-in

@dataclass(frozen=True)
class CheckIn:
    """What a check-in did: `checked_in` (with the ticket; `new` is False when it was checked in before),
    `too_early` (come back at `opens_at`) or `late` (the slot is over: an ordinary ticket instead)."""

    result: str
    appointment: dict
    ticket: Ticket | None = None
    new: bool = False
    opens_at: datetime | None = None


def public(row) -> dict:
    return {"code": row.code, "item_id": row.item_id, "slot_start": utc(row.slot_start).isoformat(),
            "slot_end": utc(row.slot_end).isoformat(), "name": row.name_masked, "status": row.status}


def find_today(conn: Connection, site_id: str, now: datetime, *, code: str | None, hashed: str | None):
    """Today's booking by its code or by the keyed hash of the ID number. Of several bookings of one person,
    the next one still to come first, then one already checked in, then a late one, then a cancelled one."""
    A = AppointmentRow
    which = A.code == code if code is not None else A.id_hash == hashed
    rows = conn.execute(select(A).where(A.site_id == site_id, A.business_day == business_day(now).isoformat(), which)).all()

    def order(r):
        late = utc(r.slot_end) < now
        rank = {"booked": 2 if late else 0, "checked_in": 1, "cancelled": 3}[r.status]
        return (rank, utc(r.slot_start))

    return min(rows, key=order) if rows else None


def opens_at(row, early_min: int) -> datetime:
    return utc(row.slot_start) - timedelta(minutes=early_min)


class _Answered(Exception):
    """Raised inside the command to roll it back when there is nothing to write."""


def check_in(hub, actor, *, code: str | None, id_number: str | None) -> CheckIn:
    """Today's booking becomes a ticket with its slot: the ticket is issued and the booking marked in one
    transaction, under the site's lock, so a second (or concurrent) check-in answers with the same ticket."""
    from common.db.engine import reader
    from common.db.repo import site_rules, ticket
    from common.domain.model import Priority
    from common.usecases import auth

    auth.require(actor, "issue_ticket")
    if (code is None) == (id_number is None):
        raise e.InvalidInput("booking_or_id")
    hashed = None if id_number is None else id_hash(hub.id_key, id_number)

    def build(conn, state, now):
        row = find_today(conn, actor.site_id, now, code=code, hashed=hashed)
        if row is None:
            raise AppointmentNotFound()
        if row.status == "cancelled":
            raise AppointmentCancelled()
        if row.status == "checked_in":
            raise _Answered(CheckIn("checked_in", public(row), ticket=ticket(conn, actor.site_id, row.ticket_id)))
        opening = opens_at(row, site_rules(conn, actor.site_id).appointment_early_min)
        if now < opening:
            raise _Answered(CheckIn("too_early", public(row), opens_at=opening))
        if now > utc(row.slot_end):
            raise _Answered(CheckIn("late", public(row)))
        decision = hub._issue(conn, actor, now, row.item_id, None, Priority.normal, (utc(row.slot_start), utc(row.slot_end)))
        marked = conn.execute(update(AppointmentRow).where(AppointmentRow.id == row.id, AppointmentRow.status == "booked")
                              .values(status="checked_in", ticket_id=decision[1]["ticket_id"], checked_in_at=now))
        if marked.rowcount != 1:
            raise e.Conflict()
        return decision

    try:
        done = hub._command(actor, build)
    except _Answered as answered:
        return answered.args[0]
    with reader(hub.engine) as conn:
        row = find_today(conn, actor.site_id, done.event.at, code=code, hashed=hashed)
    return CheckIn("checked_in", public(row), ticket=done.ticket, new=True)
