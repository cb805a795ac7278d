"""Who may do what: device enrolment and tokens, clerk sign-in with PIN (argon2, lockout), permissions."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from common.db.schema import ClerkRow, ClerkSessionRow, DeviceRow, EnrolmentCodeRow, WebSessionRow
from common.domain import errors as e
from common.domain.clock import utc
from common.domain.ids import new_token, token_hash, uuid7
from common.domain.model import Role
from common.domain.pins import hash_pin, verify_pin

MAX_FAILED_PINS = 5
LOCKOUT = timedelta(minutes=15)
CODE_LIFETIME = timedelta(days=7)
WEB_SESSION_LIFETIME = timedelta(hours=12)

# The actions each role may take. Reads of the own site are open to every role.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "issue_ticket": frozenset({Role.kiosk, Role.terminal}),
    "serve": frozenset({Role.terminal}),  # call, recall, skip, transfer, start, finish, pause, resume
    "rate": frozenset({Role.rating}),
    # the adapter that brings the day's bookings from the booking system enrols like a child hub
    "import_appointments": frozenset({Role.hub}),
    "read": frozenset(Role),
}


@dataclass(frozen=True)
class Actor:
    """The device making a request, and the clerk signed in on it (terminals only)."""

    device_id: str
    site_id: str
    role: Role
    window_id: str | None = None
    clerk_id: str | None = None


def require(actor: Actor, action: str, window_id: str | None = None) -> None:
    """Raise unless `actor` may take `action` (on `window_id`, when the device is bound to a window)."""
    if actor.role not in PERMISSIONS[action]:
        raise e.Forbidden()
    if action == "serve" and actor.clerk_id is None:
        raise e.ClerkRequired()
    if window_id is not None and actor.window_id is not None and window_id != actor.window_id:
        raise e.Forbidden("own_window_only")


def create_enrolment_code(
    conn: Connection, *, site_id: str, role: Role, name: str, now: datetime, window_id: str | None = None
) -> str:
    """A one-time code an administrator hands to whoever sets up the device."""
    code = new_token(9)
    conn.execute(
        insert(EnrolmentCodeRow).values(
            code_hash=token_hash(code), site_id=site_id, role=role.value, name=name,
            window_id=window_id, expires_at=now + CODE_LIFETIME,
        )
    )
    return code


def enrol(conn: Connection, code: str, now: datetime, role: Role | None = None) -> tuple[str, Actor]:
    """Spend a one-time code; return the device's token (shown once) and its identity.

    With `role`, a code for another role is refused and stays unspent.
    """
    row = conn.execute(select(EnrolmentCodeRow).where(EnrolmentCodeRow.code_hash == token_hash(code))).first()
    if row is None or row.used_at is not None or utc(row.expires_at) < now or (role and row.role != role.value):
        raise e.EnrolmentInvalid()
    token, device_id = new_token(), uuid7()
    conn.execute(update(EnrolmentCodeRow).where(EnrolmentCodeRow.code_hash == row.code_hash).values(used_at=now))
    conn.execute(
        insert(DeviceRow).values(
            id=device_id, site_id=row.site_id, role=row.role, name=row.name, window_id=row.window_id,
            token_hash=token_hash(token), enrolled_at=now,
        )
    )
    return token, Actor(device_id=device_id, site_id=row.site_id, role=Role(row.role), window_id=row.window_id)


def device_actor(conn: Connection, token: str, clerk_token: str | None = None) -> Actor:
    """The actor behind a device token (and, for terminals, a clerk session token)."""
    row = conn.execute(select(DeviceRow).where(DeviceRow.token_hash == token_hash(token))).first()
    if row is None or row.revoked_at is not None:
        raise e.Unauthenticated()
    actor = Actor(device_id=row.id, site_id=row.site_id, role=Role(row.role), window_id=row.window_id)
    if clerk_token and actor.role is Role.terminal:
        clerk_id = conn.execute(
            select(ClerkSessionRow.clerk_id).where(
                ClerkSessionRow.token_hash == token_hash(clerk_token),
                ClerkSessionRow.device_id == actor.device_id,
                ClerkSessionRow.ended_at.is_(None),
            )
        ).scalar()
        if clerk_id is None:
            raise e.ClerkRequired()
        actor = replace(actor, clerk_id=clerk_id)
    return actor


def _check_pin(conn: Connection, site_id: str, staff_no: str, pin: str, now: datetime):
    """The clerk row if the PIN is right; otherwise the error to raise after the caller commits the count."""
    clerk = conn.execute(select(ClerkRow).where(ClerkRow.site_id == site_id, ClerkRow.staff_no == staff_no)).first()
    if clerk is None:
        hash_pin(pin)  # same cost as a real check: staff numbers cannot be probed by timing
        raise e.BadCredentials()
    if clerk.locked_until is not None and utc(clerk.locked_until) > now:
        raise e.ClerkLocked()
    if not verify_pin(clerk.pin_hash, pin):
        failed = clerk.failed_pins + 1
        locked = now + LOCKOUT if failed >= MAX_FAILED_PINS else None
        conn.execute(
            update(ClerkRow).where(ClerkRow.id == clerk.id).values(
                failed_pins=0 if locked else failed, locked_until=locked
            )
        )
        return e.ClerkLocked() if locked else e.BadCredentials()
    conn.execute(update(ClerkRow).where(ClerkRow.id == clerk.id).values(failed_pins=0, locked_until=None))
    return clerk


def sign_in(conn: Connection, actor: Actor, staff_no: str, pin: str, now: datetime) -> tuple[str, str, str] | e.HaobanError:
    """Check a clerk's PIN on a terminal of the clerk's site. Returns (session token, clerk id, name).

    A wrong PIN is counted, so it returns the error instead of raising: the caller commits the
    count, then raises.
    """
    if actor.role is not Role.terminal:
        raise e.Forbidden()
    clerk = _check_pin(conn, actor.site_id, staff_no, pin, now)
    if isinstance(clerk, e.HaobanError):
        return clerk
    token = new_token()
    conn.execute(
        insert(ClerkSessionRow).values(
            token_hash=token_hash(token), clerk_id=clerk.id, device_id=actor.device_id, started_at=now
        )
    )
    return token, clerk.id, clerk.name


@dataclass(frozen=True)
class Supervisor:
    """A supervisor signed in to the dashboard in a browser."""

    clerk_id: str
    site_id: str
    name: str


def supervisor_sign_in(conn: Connection, site_id: str, staff_no: str, pin: str, now: datetime) -> str | e.HaobanError:
    """A browser session for a supervisor (same PIN rules and lockout as clerks). Returns its token.

    Like `sign_in`, a wrong PIN is returned, not raised, so that the caller commits the count.
    """
    clerk = _check_pin(conn, site_id, staff_no, pin, now)
    if isinstance(clerk, e.HaobanError):
        return clerk
    if clerk.role != "supervisor":
        raise e.Forbidden("not_supervisor")
    token = new_token()
    conn.execute(insert(WebSessionRow).values(token_hash=token_hash(token), clerk_id=clerk.id, started_at=now,
                                              expires_at=now + WEB_SESSION_LIFETIME))
    return token


def supervisor(conn: Connection, token: str, now: datetime) -> Supervisor:
    """The supervisor behind a browser session token, while it is open and not expired."""
    row = conn.execute(
        select(ClerkRow.id, ClerkRow.site_id, ClerkRow.name, ClerkRow.role, WebSessionRow.expires_at)
        .join(WebSessionRow, WebSessionRow.clerk_id == ClerkRow.id)
        .where(WebSessionRow.token_hash == token_hash(token), WebSessionRow.ended_at.is_(None))
    ).first()
    if row is None or row.role != "supervisor" or utc(row.expires_at) < now:
        raise e.Unauthenticated("sign_in_first")
    return Supervisor(clerk_id=row.id, site_id=row.site_id, name=row.name)


def supervisor_sign_out(conn: Connection, token: str, now: datetime) -> None:
    conn.execute(update(WebSessionRow).where(WebSessionRow.token_hash == token_hash(token)).values(ended_at=now))


def sign_out(conn: Connection, actor: Actor, now: datetime) -> None:
    conn.execute(
        update(ClerkSessionRow)
        .where(ClerkSessionRow.device_id == actor.device_id, ClerkSessionRow.ended_at.is_(None))
        .values(ended_at=now)
    )
