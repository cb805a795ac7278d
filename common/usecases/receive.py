"""The sync protocol, receiver side: store pushed events once and project them; serve pulls (docs/sync.md)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, and_, or_, select, update

from common.db import caserows, repo
from common.db.engine import lock_site
from common.db.schema import ClerkRow, SyncPeerRow
from common.domain import cases, videohelp
from common.domain import errors as e
from common.domain import events as ev
from common.domain.clock import utc
from common.domain.events import Event
from common.domain.ids import uuid7
from common.domain.model import Role, SiteState
from common.domain.projection import apply
from common.sync.protocol import MAX_BATCH, PROTOCOL, to_wire
from common.usecases import casework, check
from common.usecases.auth import Actor

if TYPE_CHECKING:
    from common.usecases.door import Admitted

# Which kinds of event each role may push. A hub relays everything of its own site. A kiosk or terminal opens a
# case offline (`case_opened` only: every later step is the hub's), checked by `door._check_device_case`; a kiosk
# reports a guide search that found nothing (`search_missed`: masked text only).
MAY_PUSH: dict[Role, frozenset[str]] = {
    Role.kiosk: frozenset({ev.TICKET_ISSUED, cases.CASE_OPENED, ev.SEARCH_MISSED}),
    Role.terminal: frozenset({ev.TICKET_ISSUED, ev.TICKET_CALLED, ev.TICKET_RECALLED, ev.TICKET_SKIPPED,
                              ev.TICKET_TRANSFERRED, ev.SERVICE_STARTED, ev.SERVICE_FINISHED,
                              ev.WINDOW_PAUSED, ev.WINDOW_RESUMED, cases.CASE_OPENED}),
    Role.rating: frozenset({ev.TICKET_RATED, ev.TICKET_UNRATED}),
    Role.hub: ev.KINDS,
}

def _peer(conn: Connection, actor: Actor) -> SyncPeerRow:
    row = conn.execute(select(SyncPeerRow.__table__).where(SyncPeerRow.peer_id == actor.device_id)).first()
    if row is None:
        conn.execute(SyncPeerRow.__table__.insert().values(
            peer_id=actor.device_id, site_id=actor.site_id, role=actor.role.value, acked=0, pulled=0, received=0))
        row = conn.execute(select(SyncPeerRow.__table__).where(SyncPeerRow.peer_id == actor.device_id)).first()
    return row


# A contact that moves no cursor is written at most this often: every device pulls reference data every 2 s, and
# each write would queue behind the hub's commands for its write lock. `hub status` is true to within this.
CONTACT_EVERY = timedelta(seconds=30)


def last_contact(conn: Connection, peer_id: str) -> datetime | None:
    """The peer's last contact as stored (a read: no lock)."""
    at = conn.execute(select(SyncPeerRow.last_contact).where(SyncPeerRow.peer_id == peer_id)).scalar()
    return utc(at) if at is not None else None


def stale(last: datetime | None, now: datetime) -> bool:
    """Whether a contact at `now` is to be written over `last` (none yet, older than CONTACT_EVERY, or ahead of now)."""
    return last is None or not timedelta(0) <= now - last < CONTACT_EVERY


def touch(conn: Connection, actor: Actor, now: datetime) -> None:
    """A contact that moves no cursor (a reference pull, a child hub's only call while it has nothing new):
    `hub status` shows it as the peer's last contact."""
    _peer(conn, actor)
    conn.execute(update(SyncPeerRow).where(SyncPeerRow.peer_id == actor.device_id).values(last_contact=now))


def store(conn: Connection, events: list[Event], guard: Callable[[SiteState, Event], None] | None = None,
          now: datetime | None = None) -> list[str]:
    """Append the events this hub does not hold yet and project them; returns the ids of void ones.
    `guard` may refuse an event on the state it meets (it raises; the caller's transaction rolls back).
    `now`: the hub's time, given when the events arrive by a push: a bad rating among them opens its 差评 case
    then, at the hub that owns the site (`_rating_cases`)."""
    if not events:
        return []
    ids = [x.id for x in events]
    held = set(conn.execute(select(repo.E.c.id).where(repo.E.c.id.in_(ids))).scalars())
    fresh, seen = [], set(held)
    for x in events:
        if x.id not in seen:
            seen.add(x.id)
            fresh.append(x)
    if not fresh:
        return []
    state = SiteState()
    ticket_ids = {x.ticket_id for x in fresh if x.ticket_id}
    for row in conn.execute(select(repo.T).where(repo.T.c.id.in_(ticket_ids))):
        t = repo.ticket_from_row(row)
        state.tickets[t.id] = t
    existing = set(state.tickets)
    issued = [x for x in fresh if x.kind == ev.TICKET_ISSUED]
    for x in issued:  # numbers already taken here (a device outside its lease would clash)
        taken = conn.execute(select(repo.T.c.id).where(
            repo.T.c.site_id == x.site_id, repo.T.c.business_day == x.data["business_day"],
            repo.T.c.number == x.data["number"])).first()
        if taken:
            state.numbers.add((x.site_id, x.data["business_day"], x.data["number"]))
    window_ids = {x.window_id for x in fresh if x.window_id}
    for row in conn.execute(select(repo.W).where(repo.W.c.window_id.in_(window_ids))):
        ws = repo.window_state_from_row(row)
        state.windows[ws.window_id] = ws
    case_ids = {x.case_id for x in fresh if x.case_id}
    for found in caserows.cases_by_id(conn, case_ids):
        state.cases[found.id] = found
    known_cases = set(state.cases)
    void = []
    for x in fresh:
        if guard is not None:
            guard(state, x)
        if not apply(state, x):
            void.append(x.id)
    if now is not None:
        fresh += _rating_cases(conn, state, [x for x in fresh if x.kind == ev.TICKET_RATED and x.id not in void], now)
    repo.append_events(conn, fresh)
    if state.cases:
        caserows.save_cases(conn, state.cases.values(), new=set(state.cases) - known_cases)
    repo.save_tickets(conn, [state.tickets[tid] for tid in ticket_ids if tid in state.tickets], new=ticket_ids - existing)
    for ws in state.windows.values():
        repo.save_window_state(conn, ws)
    for (site_id, day, letter), number in state.counters.items():
        repo.raise_counter(conn, site_id, day, letter, number)
    return void


def _rating_cases(conn: Connection, state: SiteState, rated: list[Event], now: datetime) -> list[Event]:
    """The 差评 cases that pushed bad ratings open (as `Hub.rate` does online), appended after them in one batch. Not
    for a child hub's site: that hub opened the case itself and relays it (docs/cases.md "Offline and sync")."""
    out = []
    for x in rated:
        t = state.tickets.get(x.data["ticket_id"])
        decided = casework.rating_case(conn, t, now) if t is not None else None
        if decided is None:
            continue
        kind, data = decided
        if data["case_id"] in state.cases or caserows.case(conn, t.site_id, data["case_id"]) is not None:
            continue
        opened = Event(id=uuid7(), site_id=t.site_id, kind=kind, at=now, data=data)
        apply(state, opened)
        out.append(opened)
    return out


def receive_push(engine: Engine, admitted: Admitted, now: datetime, report: dict | None = None) -> dict:
    """Store a pushed batch that passed the door (common/usecases/door.py) exactly once; answer with the
    position now acknowledged. A child hub's `report` (checked by `pushed_report`) is kept with it."""
    actor, after, positioned = admitted.actor, admitted.after, admitted.events
    positions = [p for p, _ in positioned]
    with engine.begin() as conn:
        lock_site(conn, actor.site_id)
        peer = _peer(conn, actor)
        if after > peer.acked:  # we lack what the sender thinks we hold (e.g. restored from a backup)
            return {"protocol": PROTOCOL, "acked": peer.acked, "rewind": True, "void": [], "hub_time": now.isoformat()}
        todo = [x for p, x in positioned if p > peer.acked]
        void = store(conn, todo, admitted.guard, now)
        acked = max([peer.acked, *positions])
        conn.execute(update(SyncPeerRow).where(SyncPeerRow.peer_id == actor.device_id).values(
            acked=acked, last_contact=now, received=SyncPeerRow.received + len(todo)))
        if report is not None and report["upto"] <= acked:  # a report of events not held here is not kept
            check.save_report(conn, actor.device_id, report, now)
    return {"protocol": PROTOCOL, "acked": acked, "void": void, "hub_time": now.isoformat()}


def pushed_report(actor: Actor, body: dict) -> dict | None:
    """A child hub's report of its site (check.report), sent with a push; checked before anything is written."""
    if "report" not in body:
        return None
    if actor.role is not Role.hub:
        raise e.Forbidden("sync_report_hubs_only")
    return check.report_from_wire(body["report"])


def serve_case_steps(conn: Connection, actor: Actor, after: int, limit: int, now: datetime) -> dict:
    """For a child hub: the handling steps this hub's departments wrote on cases of its site (`casework.HANDLING`,
    naming a handler site this hub owns), and the steps this hub's 视频帮办 desks took on its site's call-backs
    (`videohelp.ACROSS`, by a clerk of a site this hub owns: docs/remote.md), after this hub's seq `after`, oldest
    first (docs/sync.md "Cases down the tree"). Only a child hub asks, and only for its own site: the site is its token's, never a parameter. Run under
    the site's lock (as `serve_pull`), so no step of that site is still being written below the page's last seq."""
    if actor.role is not Role.hub or actor.site_id not in repo.child_hub_sites(conn):
        raise e.Forbidden("sync_child_hubs_only")
    limit = max(1, min(limit, MAX_BATCH))
    owned = sorted(repo.owned_sites(conn))
    E = repo.E
    handling = and_(E.c.kind.in_(sorted(casework.HANDLING)), E.c.data["handler_site_id"].as_string().in_(owned))
    desk = and_(E.c.kind.in_(sorted(videohelp.ACROSS)),
                E.c.clerk_id.in_(select(ClerkRow.id).where(ClerkRow.site_id.in_(owned))))
    batch = [repo.event_from_row(r) for r in conn.execute(
        select(E).where(E.c.site_id == actor.site_id, E.c.seq > after, or_(handling, desk))
        .order_by(E.c.seq).limit(limit + 1))]
    more = len(batch) > limit
    batch = batch[:limit]
    return {"protocol": PROTOCOL, "events": [{**to_wire(x), "q": x.seq} for x in batch],
            "next": batch[-1].seq if batch else after, "more": more, "hub_time": now.isoformat()}


def serve_pull(engine: Engine, actor: Actor, after: int, limit: int, now: datetime) -> dict:
    """The peer's site's events after `after` (this hub's seq), oldest first."""
    limit = max(1, min(limit, MAX_BATCH))
    with engine.begin() as conn:
        lock_site(conn, actor.site_id)
        _peer(conn, actor)
        batch = repo.events_after(conn, actor.site_id, after, limit=limit + 1)
        conn.execute(update(SyncPeerRow).where(SyncPeerRow.peer_id == actor.device_id).values(
            pulled=after, last_contact=now))
    more = len(batch) > limit
    batch = batch[:limit]
    return {"protocol": PROTOCOL, "events": [{**to_wire(x), "q": x.seq} for x in batch],
            "next": batch[-1].seq if batch else after, "more": more, "hub_time": now.isoformat()}
