"""Appointments over HTTP: the booking system's adapter imports the day's bookings, kiosks check citizens in."""
from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request
from pydantic import Field

from server.deps import ActorDep, AnyActorDep, HubDep
from server.schemas import In
from server.web import ratelimit

# Check-ins by ID number per device: a citizen a few seconds at the most, so 6 at once and then one every 5 s.
# It keeps a misused kiosk token from probing ID numbers for bookings (an answer shows a masked name and an item).
ID_CHECK_INS_PER_SECOND, ID_CHECK_IN_BURST = 0.2, 6
# Check-ins by booking code per device: a queue of citizens scanning their QR codes, 10 at once and then one every
# 2 s; a demo's or a careless booking system's codes may be guessable, and an answer shows a masked name.
CODE_CHECK_INS_PER_SECOND, CODE_CHECK_IN_BURST = 0.5, 10

router = APIRouter(prefix="/api/v1/appointments", tags=["appointments"])


class CheckInIn(In):
    """Exactly one of the two: the booking code (from the appointment's QR code) or the ID number (card reader)."""

    code: str | None = Field(default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    id_number: str | None = Field(default=None, min_length=15, max_length=18, pattern=r"^[0-9]{14,17}[0-9Xx]$")


class ImportIn(In):
    """Rows as in the CSV file: code, item_code, date (YYYY-MM-DD), start, end (HH:MM Shanghai time),
    id_number, name, and optionally status (booked | cancelled)."""

    rows: list[dict[str, str | None]] = Field(max_length=5000)


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.state.id_check_in_limit = ratelimit.TokenBucket(ID_CHECK_INS_PER_SECOND, ID_CHECK_IN_BURST)
    app.state.code_check_in_limit = ratelimit.TokenBucket(CODE_CHECK_INS_PER_SECOND, CODE_CHECK_IN_BURST)


@router.post("/check-in")
def check_in(body: CheckInIn, hub: HubDep, actor: ActorDep, request: Request):
    """`result` is checked_in (with the ticket; `new` false when it was checked in before), too_early (with
    `opens_at`) or late (the slot is over: the kiosk offers an ordinary ticket for `appointment.item_id`).
    Check-ins are limited per device, by ID number and by booking code each (429, bilingual)."""
    state = request.app.state
    limit = state.id_check_in_limit if body.id_number is not None else state.code_check_in_limit
    if wait := limit.take(actor.device_id):
        return ratelimit.too_many(request, wait)
    done = hub.check_in(actor, code=body.code, id_number=body.id_number)
    answer = {"result": done.result, "new": done.new, "appointment": done.appointment,
              "opens_at": done.opens_at.isoformat() if done.opens_at else None, "ticket": None}
    if done.ticket is not None:
        t = done.ticket
        answer["ticket"] = {"ticket_id": t.id, "number": t.number, "status": t.status.value, "queue_id": t.queue_id,
                            "public_token": t.public_token, "status_path": f"/api/v1/public/tickets/{t.public_token}"}
    return answer


@router.post("/import")
def import_appointments(body: ImportIn, hub: HubDep, actor: AnyActorDep) -> dict:
    """Add or update bookings by their code; all rows or none (bad rows are named in both languages). Only the
    booking system's adapter (role booking_import) may; its token opens no other door."""
    return hub.import_appointments(actor, body.rows)
