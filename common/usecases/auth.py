"""Who may do what: device enrolment and tokens, clerk sign-in with PIN (argon2, back-off), permissions."""
from __future__ import annotations

import math
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, insert, select, update

from common.db.schema import ClerkRow, ClerkSessionRow, DeviceRow, EnrolmentCodeRow, KnownSignInRow, WebSessionRow
from common.domain import errors as e
from common.domain.clock import utc
from common.domain.ids import new_token, token_hash, uuid7
from common.domain.model import Role
from common.domain.pins import hash_pin, verify_pin

CODE_LIFETIME = timedelta(days=7)
WEB_SESSION_LIFETIME = timedelta(hours=12)

# The actions each role may take. Reads of the own site (and sync) are open to every role but the booking
# system's adapter, which may import appointments and nothing else (server/deps.py refuses it at every other door).
PERMISSIONS: dict[str, frozenset[Role]] = {
    "issue_ticket": frozenset({Role.kiosk, Role.terminal}),
    "serve": frozenset({Role.terminal}),  # call, recall, skip, transfer, start, finish, pause, resume
    "rate": frozenset({Role.rating}),
    "import_appointments": frozenset({Role.booking_import}),
    "read": frozenset(Role) - {Role.booking_import},
}


CLERK_DEVICES = frozenset({Role.terminal, Role.kiosk})  # where a clerk signs in ("serve" stays the terminal's)


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
    while code.startswith("-"):  # typed after a flag (haoban setup --code CODE): a leading "-" reads as another flag
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


# Read on every request: built once, parameters bound at execution (building a statement costs more than running it).
_DEVICE = select(DeviceRow.id, DeviceRow.site_id, DeviceRow.role, DeviceRow.window_id, DeviceRow.revoked_at).where(
    DeviceRow.token_hash == bindparam("token_hash"))
_SESSION = select(ClerkSessionRow.clerk_id).where(
    ClerkSessionRow.token_hash == bindparam("token_hash"), ClerkSessionRow.device_id == bindparam("device_id"),
    ClerkSessionRow.ended_at.is_(None))


def device_actor(conn: Connection, token: str, clerk_token: str | None = None) -> Actor:
    """The actor behind a device token (and, for a terminal or a kiosk, a clerk session token: a kiosk's is a guide's,
    for one green-channel ticket, `policy.green_granted`)."""
    row = conn.execute(_DEVICE, {"token_hash": token_hash(token)}).first()
    if row is None or row.revoked_at is not None:
        raise e.Unauthenticated()
    actor = Actor(device_id=row.id, site_id=row.site_id, role=Role(row.role), window_id=row.window_id)
    if clerk_token and actor.role in CLERK_DEVICES:
        clerk_id = conn.execute(_SESSION, {"token_hash": token_hash(clerk_token), "device_id": actor.device_id}).scalar()
        if clerk_id is None:
            raise e.ClerkRequired()
        actor = replace(actor, clerk_id=clerk_id)
    return actor


def revoke_device(conn: Connection, device_id: str, now: datetime) -> str:
    """Refuse the device's token from now on (every request reads it: no hub process caches it) and end its
    clerk session. Idempotent: a device revoked before keeps its first date."""
    row = conn.execute(select(DeviceRow).where(DeviceRow.id == device_id)).first()
    if row is None:
        raise e.NotFound("no_device", device=device_id[:64])
    if row.revoked_at is None:
        conn.execute(update(DeviceRow).where(DeviceRow.id == device_id).values(revoked_at=now))
        conn.execute(update(ClerkSessionRow).where(ClerkSessionRow.device_id == device_id,
                                                   ClerkSessionRow.ended_at.is_(None)).values(ended_at=now))
    return f"revoked {row.role} {row.name} ({device_id}) of site {row.site_id}"


def list_devices(conn: Connection, site_id: str | None = None) -> list[dict]:
    """Every enrolled device (of one site), oldest first: what `haoban admin list-devices` prints."""
    query = select(DeviceRow).order_by(DeviceRow.enrolled_at, DeviceRow.id)
    if site_id is not None:
        query = query.where(DeviceRow.site_id == site_id)
    return [{"id": r.id, "site": r.site_id, "role": r.role, "name": r.name, "window": r.window_id,
             "enrolled": utc(r.enrolled_at).isoformat(), "revoked": utc(r.revoked_at).isoformat() if r.revoked_at else None}
            for r in conn.execute(query)]


# ---------------------------------------------------------------- sign-in (README "Sign-in and back-off")

ACCOUNT_FREE_FAILURES = 5  # wrong PINs on an account (or on one known place of it) before it backs off
ACCOUNT_FIRST_WAIT = timedelta(seconds=15)  # then 15 s, 30 s, 1 min … doubling with each further wrong PIN
ACCOUNT_MAX_WAIT = timedelta(minutes=15)
KNOWN_LIFETIME = timedelta(days=400)  # a browser's known token (its cookie lasts as long); older rows are dropped


def account_wait(failures: int) -> timedelta | None:
    """How long an account (or one known place of it) backs off after its `failures`-th wrong PIN in a row (None:
    not yet)."""
    if failures < ACCOUNT_FREE_FAILURES:
        return None
    return min(ACCOUNT_MAX_WAIT, ACCOUNT_FIRST_WAIT * 2 ** min(failures - ACCOUNT_FREE_FAILURES, 16))


def device_source(device_id: str) -> str:
    return f"device:{device_id}"


def browser_source(known_token: str) -> str:
    return f"browser:{token_hash(known_token)}"


@dataclass(frozen=True)
class Candidate:
    """The account a sign-in names, as read before the PIN is checked (`clerk_id` None: no such account).

    `known`: the device or browser signing in has signed in on this account before (a `KnownSignInRow`). Its
    back-off (`waits_until`) is then that place's own, not the account's: someone guessing elsewhere cannot keep the
    clerk out of her own terminal or browser, and guessing from a known place is slowed all the same."""

    clerk_id: str | None = None
    name: str = ""
    role: str = "clerk"
    pin_hash: str | None = None
    waits_until: datetime | None = None
    known: bool = False
    source: str | None = None  # the known-sign-in key of the device or browser asking (`device_source`, `browser_source`)


def candidate(conn: Connection, site_id: str, staff_no: str, *, device_id: str | None = None,
              browser_token: str | None = None) -> Candidate:
    """Read the account, and whether the device or browser signing in is one it has signed in on before."""
    row = conn.execute(select(ClerkRow).where(ClerkRow.site_id == site_id, ClerkRow.staff_no == staff_no)).first()
    if row is None:
        return Candidate()
    source = device_source(device_id) if device_id else browser_source(browser_token) if browser_token else None
    waits_until = utc(row.locked_until) if row.locked_until else None
    known = None
    if source is not None:
        known = conn.execute(select(KnownSignInRow.locked_until).where(
            KnownSignInRow.clerk_id == row.id, KnownSignInRow.source == source)).first()
    if known is not None:
        waits_until = utc(known.locked_until) if known.locked_until else None
    return Candidate(clerk_id=row.id, name=row.name, role=row.role, pin_hash=row.pin_hash, waits_until=waits_until,
                     known=known is not None, source=source)


_UNKNOWN_HASH: list[str] = []  # a hash to check against when the account does not exist: the same cost


def verdict(cand: Candidate, pin: str, now: datetime, roles: frozenset[str] | None = None) -> str:
    """"ok", "wrong" (a wrong PIN on an account: counted) or "refused" (no such account, backed off, or not of one
    of `roles`, when given). Runs argon2: call it outside any transaction and lock, never on the event loop."""
    if not _UNKNOWN_HASH:
        _UNKNOWN_HASH.append(hash_pin(secrets.token_urlsafe(24)))  # a secret nobody knows, made anew in each process
    # always one argon2, so timing tells nothing; an account without a hash (a clerk row that reached a hub without
    # it, common.usecases.reference.apply_snapshot) is never signed in, whatever is typed
    right = verify_pin(cand.pin_hash or _UNKNOWN_HASH[0], pin) and bool(cand.pin_hash)
    if cand.clerk_id is None or (cand.waits_until is not None and cand.waits_until > now):
        return "refused"  # while an account (or this known place of it) backs off, a PIN is not even told right or wrong
    if not right:
        return "wrong"
    return "refused" if roles is not None and cand.role not in roles else "ok"


def record(conn: Connection, cand: Candidate, outcome: str, now: datetime) -> None:
    """Count a wrong PIN (and start or lengthen the back-off), or clear the count after a right one: the known
    place's own count when the place is known, else the account's. A right PIN at a known place leaves the account's
    count alone: the clerk signing in at her own terminal must not hand whoever guesses elsewhere five more tries."""
    if cand.clerk_id is None or outcome == "refused":
        return
    table, where = (KnownSignInRow, (KnownSignInRow.clerk_id == cand.clerk_id, KnownSignInRow.source == cand.source)) \
        if cand.known else (ClerkRow, (ClerkRow.id == cand.clerk_id,))
    if outcome == "ok":
        conn.execute(update(table).where(*where).values(failed_pins=0, locked_until=None))
        return
    conn.execute(update(table).where(*where).values(failed_pins=table.failed_pins + 1))
    failures = conn.execute(select(table.failed_pins).where(*where)).scalar() or 0  # (a row replaced meanwhile: 0)
    wait = account_wait(failures)
    if wait is not None:
        conn.execute(update(table).where(*where).values(locked_until=now + wait))


def remember(conn: Connection, cand: Candidate, source: str, now: datetime) -> None:
    """After a right PIN: `source` is known to the account from now on (once; it keeps its first date)."""
    if not conn.execute(select(KnownSignInRow.source).where(
            KnownSignInRow.clerk_id == cand.clerk_id, KnownSignInRow.source == source)).first():
        conn.execute(insert(KnownSignInRow).values(clerk_id=cand.clerk_id, source=source, since=now, failed_pins=0))


class SourceBackoff:
    """Wrong sign-ins per source (a terminal, a browser's address), in this hub process: after `free` of them
    each further attempt from there waits 1 s, 2 s, 4 s … up to `cap`; a quiet `forget` clears the count.
    It answers the same for every account, so it tells nothing about any."""

    def __init__(self, free: int = 5, cap: timedelta = timedelta(minutes=5), forget: timedelta = timedelta(hours=1),
                 max_sources: int = 10_000) -> None:
        self.free, self.cap, self.forget, self.max_sources = free, cap, forget, max_sources
        self._failures: OrderedDict[str, tuple[int, datetime]] = OrderedDict()  # source -> (count, last failure)
        self._lock = threading.Lock()

    def take(self, source: str, now: datetime) -> int:
        """Whole seconds `source` must still wait (0: go ahead, and the attempt counts as failed until `succeeded`:
        attempts sent all at once are counted as they start, not as they end)."""
        with self._lock:
            count, last = self._failures.pop(source, (0, now))
            if now - last > self.forget:
                count = 0
            if count >= self.free:
                left = last + min(self.cap, timedelta(seconds=2 ** min(count - self.free, 20))) - now
                if left > timedelta(0):
                    self._failures[source] = (count, last)
                    return math.ceil(left.total_seconds())
            self._failures[source] = (count + 1, now)
            while len(self._failures) > self.max_sources:  # the longest quiet goes first
                self._failures.popitem(last=False)
            return 0

    def succeeded(self, source: str) -> None:
        """The attempt `take` let through was right: it does not count."""
        with self._lock:
            if source in self._failures:
                count, last = self._failures[source]
                self._failures[source] = (max(0, count - 1), last)


def start_clerk_session(conn: Connection, actor: Actor, cand: Candidate, now: datetime) -> tuple[str, str, str]:
    """A clerk session on a terminal after a right PIN. Returns (session token, clerk id, name). A department's
    handler serves no window and guides nobody: she works on the hub's /handler pages (`handler_no_terminal`)."""
    if cand.role == "handler":
        raise e.Forbidden("handler_no_terminal")
    token = new_token()
    conn.execute(insert(ClerkSessionRow).values(
        token_hash=token_hash(token), clerk_id=cand.clerk_id, device_id=actor.device_id, started_at=now))
    remember(conn, cand, device_source(actor.device_id), now)
    return token, cand.clerk_id or "", cand.name


WEB_ROLES = frozenset({"supervisor", "handler"})  # who signs in in a browser: the dashboard, or /handler


@dataclass(frozen=True)
class WebUser:
    """Whoever is signed in in a browser: a supervisor (the dashboard) or a department's handler (承办单位经办人,
    /handler), with the department she answers for."""

    clerk_id: str
    site_id: str
    name: str
    role: str
    department: str | None = None


@dataclass(frozen=True)
class Supervisor:
    """A supervisor signed in to the dashboard in a browser."""

    clerk_id: str
    site_id: str
    name: str


def start_web_session(conn: Connection, cand: Candidate, now: datetime) -> tuple[str, str]:
    """A browser session (a supervisor's or a handler's) after a right PIN. Returns its token and the browser's new
    known token (for the `haoban_known` cookie: a random token of its own, which proves only that this browser
    signed in to this account before; it opens nothing). The known token the browser showed, if any, is replaced by
    the new one, and the account's known browsers older than `KNOWN_LIFETIME` are dropped, so the table stays small."""
    token, known = new_token(), new_token()
    conn.execute(insert(WebSessionRow).values(token_hash=token_hash(token), clerk_id=cand.clerk_id, started_at=now,
                                              expires_at=now + WEB_SESSION_LIFETIME))
    mine = KnownSignInRow.clerk_id == cand.clerk_id
    if cand.known and cand.source:
        conn.execute(delete(KnownSignInRow).where(mine, KnownSignInRow.source == cand.source))
    conn.execute(delete(KnownSignInRow).where(mine, KnownSignInRow.source.like("browser:%"),
                                              KnownSignInRow.since < now - KNOWN_LIFETIME))
    remember(conn, cand, browser_source(known), now)
    return token, known


def web_user(conn: Connection, token: str, now: datetime, roles: frozenset[str] = WEB_ROLES) -> WebUser:
    """Who is behind a browser session token, while it is open and not expired, with her role and department
    (`roles`: the roles the page takes; the video pages take window clerks too)."""
    row = conn.execute(
        select(ClerkRow.id, ClerkRow.site_id, ClerkRow.name, ClerkRow.role, ClerkRow.department, WebSessionRow.expires_at)
        .join(WebSessionRow, WebSessionRow.clerk_id == ClerkRow.id)
        .where(WebSessionRow.token_hash == token_hash(token), WebSessionRow.ended_at.is_(None))
    ).first()
    if row is None or row.role not in roles or utc(row.expires_at) < now:
        raise e.Unauthenticated("sign_in_first")
    return WebUser(clerk_id=row.id, site_id=row.site_id, name=row.name, role=row.role, department=row.department)


def supervisor(conn: Connection, token: str, now: datetime) -> Supervisor:
    """The supervisor behind a browser session token; a handler's session is refused (`handler_not_allowed`)."""
    user = web_user(conn, token, now)
    if user.role != "supervisor":
        raise e.Forbidden("handler_not_allowed")
    return Supervisor(clerk_id=user.clerk_id, site_id=user.site_id, name=user.name)


def handler(conn: Connection, token: str, now: datetime) -> WebUser:
    """The department's handler behind a browser session token; a supervisor's is refused (`handlers_only`)."""
    user = web_user(conn, token, now)
    if user.role != "handler" or not user.department:
        raise e.Forbidden("handlers_only")
    return user


def supervisor_sign_out(conn: Connection, token: str, now: datetime) -> None:
    conn.execute(update(WebSessionRow).where(WebSessionRow.token_hash == token_hash(token)).values(ended_at=now))


def sign_out(conn: Connection, actor: Actor, now: datetime) -> None:
    conn.execute(
        update(ClerkSessionRow)
        .where(ClerkSessionRow.device_id == actor.device_id, ClerkSessionRow.ended_at.is_(None))
        .values(ended_at=now)
    )
