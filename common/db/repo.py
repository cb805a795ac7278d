"""Reading and writing domain objects: rows <-> dataclasses, the event log, ticket counters."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from sqlalchemy import Connection, DateTime, bindparam, func, insert, null, select, type_coerce, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from common.db.schema import (
    BundleItemRow,
    BundleRow,
    DeviceRow,
    EventRow,
    QueueRow,
    ServiceItemRow,
    SiteRow,
    SyncPeerRow,
    SyncStateRow,
    TicketCounterRow,
    TicketRow,
    WindowQueueRow,
    WindowRow,
    WindowStateRow,
)
from common.domain.clock import utc
from common.domain.events import Event
from common.domain.model import (
    SERVICE_LIMIT_MIN,
    WAIT_LIMIT_MIN,
    Complexity,
    Outcome,
    Priority,
    ServiceItem,
    SiteRules,
    Ticket,
    TicketStatus,
    Window,
    WindowKind,
    WindowState,
)

T = TicketRow.__table__
W = WindowStateRow.__table__
E = EventRow.__table__
_TICKET_FIELDS = [f.name for f in dataclasses.fields(Ticket)]
_TICKET_ENUMS = {"priority": Priority, "status": TicketStatus, "outcome": Outcome}


_TICKET_TIMES = [f.name for f in dataclasses.fields(Ticket) if "datetime" in str(f.type)]


def row_values(row, fields: list[str], times: list[str], enums: dict) -> dict:
    """A row's columns as a dataclass takes them: times in UTC, enums as members. On the dashboard's path (3,000
    rows a read): only the columns that need converting are touched."""
    m = row._mapping
    values = {name: m[name] for name in fields}
    for name in times:
        if values[name] is not None:
            values[name] = utc(values[name])
    for name, enum in enums.items():
        if values[name] is not None:
            values[name] = enum(values[name])
    return values


def ticket_from_row(row) -> Ticket:
    return Ticket(**row_values(row, _TICKET_FIELDS, _TICKET_TIMES, _TICKET_ENUMS))


# select(*TICKET_COLUMNS): rows in the dataclass's order, the times as the driver gives them (not through UtcStamp):
# `tickets_from_rows` makes them UTC, once (a month's report converted 300,000 tickets' times twice)
TICKET_COLUMNS = [type_coerce(T.c[name], DateTime(timezone=True)).label(name) if name in _TICKET_TIMES else T.c[name]
                  for name in _TICKET_FIELDS]


def ticket_columns(read: frozenset[str]) -> list:
    """`TICKET_COLUMNS` with only the columns in `read` fetched, the others NULL (their fields None in
    `tickets_from_rows`' tickets): for a reader of many tickets that knows which fields it reads."""
    return [c if name in read else null().label(name) for name, c in zip(_TICKET_FIELDS, TICKET_COLUMNS)]


_TIME_AT = [i for i, name in enumerate(_TICKET_FIELDS) if name in _TICKET_TIMES]
_ENUM_AT = [(i, _TICKET_ENUMS[name]) for i, name in enumerate(_TICKET_FIELDS) if name in _TICKET_ENUMS]


def tickets_from_rows(rows) -> list[Ticket]:
    """Tickets of rows selected as `select(*TICKET_COLUMNS)`, by position: a month's report reads 300,000 of them,
    and `ticket_from_row`'s look-ups by name were half of its time."""
    out = []
    for row in rows:
        v = list(row)
        for i in _TIME_AT:
            if v[i] is not None:
                v[i] = utc(v[i])
        for i, enum in _ENUM_AT:
            if v[i] is not None:
                v[i] = enum(v[i])
        out.append(Ticket(*v))
    return out


def ticket_to_row(t: Ticket) -> dict:
    return {name: getattr(t, name) for name in _TICKET_FIELDS}


def window_state_from_row(row) -> WindowState:
    m = row._mapping
    return WindowState(
        window_id=m["window_id"],
        site_id=m["site_id"],
        paused=bool(m["paused"]),
        pause_reason=m["pause_reason"],
        current_ticket_id=m["current_ticket_id"],
        clerk_id=m["clerk_id"],
    )


def event_from_row(row) -> Event:
    m = row._mapping
    return Event(
        id=m["id"],
        site_id=m["site_id"],
        kind=m["kind"],
        at=utc(m["at"]),
        data=m["data"],
        device_id=m["device_id"],
        clerk_id=m["clerk_id"],
        schema_version=m["schema_version"],
        seq=m["seq"],
    )


# ---------------------------------------------------------------- reference data

# Read by every command: built once (building a statement costs more than running it; see `_INSERT_TICKET`).
_RULES = select(SiteRow.rules).where(SiteRow.id == bindparam("site_id"))
_WINDOW = select(WindowRow.id, WindowRow.site_id, WindowRow.number, WindowRow.name, WindowRow.kind).where(
    WindowRow.id == bindparam("window_id"), WindowRow.site_id == bindparam("site_id"))
_WINDOW_QUEUES = select(WindowQueueRow.queue_id).where(WindowQueueRow.window_id == bindparam("window_id")).order_by(
    WindowQueueRow.position)
_RULE_NAMES = frozenset(f.name for f in dataclasses.fields(SiteRules))


def site_rules(conn: Connection, site_id: str) -> SiteRules:
    rules = conn.execute(_RULES, {"site_id": site_id}).scalar_one()
    return SiteRules(**{k: v for k, v in (rules or {}).items() if k in _RULE_NAMES})


def window(conn: Connection, site_id: str, window_id: str) -> Window | None:
    w = conn.execute(_WINDOW, {"window_id": window_id, "site_id": site_id}).first()
    if w is None:
        return None
    queues = conn.execute(_WINDOW_QUEUES, {"window_id": window_id}).scalars()
    return Window(id=w.id, site_id=w.site_id, number=w.number, name=w.name, kind=WindowKind(w.kind), queue_ids=tuple(queues))


def queue_ids(conn: Connection, site_id: str) -> list[str]:
    return list(conn.execute(select(QueueRow.id).where(QueueRow.site_id == site_id)).scalars())


_LETTER = select(QueueRow.letter).where(QueueRow.id == bindparam("queue_id"), QueueRow.site_id == bindparam("site_id"))


def queue_letter(conn: Connection, site_id: str, queue_id: str) -> str | None:
    return conn.execute(_LETTER, {"queue_id": queue_id, "site_id": site_id}).scalar()


_I = ServiceItemRow.__table__.c
_ITEM = select(_I.id, _I.site_id, _I.code, _I.name, _I.department, _I.category, _I.complexity, _I.standard_minutes,
               _I.queue_id, _I.wait_limit_min, _I.service_limit_min).where(
    ServiceItemRow.id == bindparam("item_id"), ServiceItemRow.site_id == bindparam("site_id")
)


def service_item(conn: Connection, site_id: str, item_id: str) -> ServiceItem | None:
    r = conn.execute(_ITEM, {"item_id": item_id, "site_id": site_id}).first()
    if r is None:
        return None
    return ServiceItem(
        id=r.id, site_id=r.site_id, code=r.code, name=r.name, department=r.department, category=r.category,
        complexity=Complexity(r.complexity), standard_minutes=r.standard_minutes, queue_id=r.queue_id,
        wait_limit_min=r.wait_limit_min, service_limit_min=r.service_limit_min,
    )


Limits = tuple[int, int]  # a ticket's wait and service limits, in minutes
Of = tuple[str | None, str | None]  # what a ticket is for: (item_id, None) or (None, bundle_id)


def ticket_limits(conn: Connection, site_id: str, of: Iterable[Of]) -> dict[Of, Limits]:
    """The limits a ticket of each item or bundle of the site gets: the item's own; a bundle waits and is served as long
    as its most demanding item allows. `Hub._issue` sets them, and the sync door holds a device's pushed tickets to
    them. What is no item or bundle of the site is left out."""
    wanted = set(of)
    items = {i for i, b in wanted if i is not None and b is None}
    bundles = {b for i, b in wanted if i is None and b is not None}
    found: dict[Of, Limits] = {}
    if items:
        for r in conn.execute(_ITEM_LIMITS, {"site_id": site_id, "ids": sorted(items)}):
            found[(r.id, None)] = (r.wait_limit_min, r.service_limit_min)
    if bundles:
        for bid, wait, service in conn.execute(_BUNDLE_LIMITS, {"site_id": site_id, "ids": sorted(bundles)}):
            found[(None, bid)] = (wait or WAIT_LIMIT_MIN[Complexity.complex], service or SERVICE_LIMIT_MIN)
    return found


_ITEM_LIMITS = select(_I.id, _I.wait_limit_min, _I.service_limit_min).where(
    _I.site_id == bindparam("site_id"), _I.id.in_(bindparam("ids", expanding=True)))
_BUNDLE_LIMITS = (
    select(BundleRow.id, func.max(ServiceItemRow.wait_limit_min), func.max(ServiceItemRow.service_limit_min))
    .outerjoin(BundleItemRow, BundleItemRow.bundle_id == BundleRow.id)
    .outerjoin(ServiceItemRow, ServiceItemRow.id == BundleItemRow.item_id)
    .where(BundleRow.site_id == bindparam("site_id"), BundleRow.id.in_(bindparam("ids", expanding=True)))
    .group_by(BundleRow.id))


def limits_given(conn: Connection, site_id: str, since_day: str, of: Iterable[Of]) -> set[tuple[Of, Limits]]:
    """The limits this hub's tickets of these items or bundles were given from `since_day` on: limits the item or
    bundle had then, which a device that has not pulled the reference since could still hold (docs/sync.md)."""
    wanted = set(of)
    items = [i for i, _ in wanted if i is not None]
    bundles = [b for _, b in wanted if b is not None]
    rows = conn.execute(select(T.c.item_id, T.c.bundle_id, T.c.wait_limit_min, T.c.service_limit_min).distinct().where(
        T.c.site_id == site_id, T.c.business_day >= since_day, T.c.item_id.in_(items) | T.c.bundle_id.in_(bundles)))
    return {((r.item_id, r.bundle_id), (r.wait_limit_min, r.service_limit_min)) for r in rows}


# ---------------------------------------------------------------- projection

_TICKET = select(T).where(T.c.id == bindparam("ticket_id"), T.c.site_id == bindparam("site_id"))


def ticket(conn: Connection, site_id: str, ticket_id: str | None) -> Ticket | None:
    if ticket_id is None:
        return None
    row = conn.execute(_TICKET, {"ticket_id": ticket_id, "site_id": site_id}).first()
    return ticket_from_row(row) if row else None


_W = ((T.c.queue_id == bindparam("queue_id")) & (T.c.status == TicketStatus.waiting.value)
      & (T.c.business_day == bindparam("day")))
_APPOINTMENTS = select(T).where(_W, T.c.slot_start.is_not(None))
_FOR_WINDOW = T.c.target_window_id.is_(None) | (T.c.target_window_id == bindparam("window_id"))
_FIRST = select(T).where(_W, T.c.slot_start.is_(None), T.c.priority == bindparam("priority"), _FOR_WINDOW).order_by(
    T.c.arrival_at, T.c.seq, T.c.id).limit(1)


def call_candidates(conn: Connection, queue_ids: Iterable[str], window_id: str, day: str) -> list[Ticket]:
    """The only tickets `policy.choose_next` can pick for `window_id` on business day `day`: per queue, its
    waiting appointments, its first green-channel ticket and its first other ticket, passing over tickets
    transferred to another window and tickets of a past day (`Hub.close_past_days` expires those).
    A few indexed rows, however long the queues."""
    rows = []
    for qid in queue_ids:
        rows += conn.execute(_APPOINTMENTS, {"queue_id": qid, "day": day}).all()
        for priority in (Priority.green.value, Priority.normal.value):
            rows += conn.execute(_FIRST, {"queue_id": qid, "priority": priority, "window_id": window_id, "day": day}).all()
    return [ticket_from_row(r) for r in rows]


def waiting(conn: Connection, site_id: str, queue_ids: Iterable[str], day: str) -> list[Ticket]:
    """The tickets of business day `day` waiting in `queue_ids`."""
    rows = conn.execute(
        select(T).where(T.c.site_id == site_id, T.c.status == TicketStatus.waiting.value, T.c.queue_id.in_(list(queue_ids)),
                        T.c.business_day == day)
    )
    return [ticket_from_row(r) for r in rows]


_WINDOW_STATE = select(W).where(W.c.window_id == bindparam("window_id"), W.c.site_id == bindparam("site_id"))


def window_state(conn: Connection, site_id: str, window_id: str) -> WindowState:
    row = conn.execute(_WINDOW_STATE, {"window_id": window_id, "site_id": site_id}).first()
    return window_state_from_row(row) if row else WindowState(window_id=window_id, site_id=site_id)


# Statements built once: parameters are passed at execution, so SQLAlchemy's compiled cache is hit
# and no per-value expression objects are made (this halved the cost of a command; see docs/benchmarks.md).
_INSERT_TICKET = insert(T)
_UPDATE_TICKET = update(T).where(T.c.id == bindparam("key_id"))
_INSERT_WINDOW = insert(W)
_UPDATE_WINDOW = update(W).where(W.c.window_id == bindparam("key_id"))
_INSERT_EVENT = insert(E)
C = TicketCounterRow.__table__


def save_ticket(conn: Connection, t: Ticket, new: bool) -> None:
    values = ticket_to_row(t)
    if new:
        conn.execute(_INSERT_TICKET, values)
    else:
        conn.execute(_UPDATE_TICKET, {"key_id": t.id, **{k: v for k, v in values.items() if k != "id"}})


def save_window_state(conn: Connection, ws: WindowState) -> None:
    values = dataclasses.asdict(ws)
    done = conn.execute(_UPDATE_WINDOW, {"key_id": ws.window_id, **{k: v for k, v in values.items() if k != "window_id"}}).rowcount
    if not done:
        conn.execute(_INSERT_WINDOW, values)


def _next_seq_statement(upsert):
    stmt = upsert(C).on_conflict_do_update(
        index_elements=[C.c.site_id, C.c.business_day, C.c.letter], set_={"last_seq": C.c.last_seq + 1}
    )
    return stmt.returning(C.c.last_seq)


_NEXT_SEQ = {"postgresql": _next_seq_statement(pg_insert), "sqlite": _next_seq_statement(sqlite_insert)}


def next_seq(conn: Connection, site_id: str, day: str, letter: str) -> int:
    """The next number of a queue letter on a business day (one upsert). The caller holds the site lock."""
    params = {"site_id": site_id, "business_day": day, "letter": letter, "last_seq": 1}
    return conn.execute(_NEXT_SEQ[conn.dialect.name], params).scalar_one()


def reserve(conn: Connection, site_id: str, day: str, letter: str, size: int) -> tuple[int, int]:
    """Take `size` numbers at once (a lease for an offline kiosk): returns the first and last."""
    last = conn.execute(select(C.c.last_seq).where(C.c.site_id == site_id, C.c.business_day == day, C.c.letter == letter)).scalar()
    first = (last or 0) + 1
    raise_counter(conn, site_id, day, letter, first + size - 1)
    return first, first + size - 1


def raise_counter(conn: Connection, site_id: str, day: str, letter: str, number: int) -> None:
    """The counter becomes at least `number` (numbers that came back from offline devices)."""
    key = (C.c.site_id == site_id) & (C.c.business_day == day) & (C.c.letter == letter)
    done = conn.execute(update(C).where(key, C.c.last_seq < number).values(last_seq=number)).rowcount
    if not done and conn.execute(select(C.c.last_seq).where(key)).scalar() is None:
        conn.execute(insert(C).values(site_id=site_id, business_day=day, letter=letter, last_seq=number))


# ---------------------------------------------------------------- events

def _event_row(e: Event) -> dict:
    return {"id": e.id, "site_id": e.site_id, "kind": e.kind, "at": e.at, "device_id": e.device_id,
            "clerk_id": e.clerk_id, "schema_version": e.schema_version, "data": e.data}


def append_event(conn: Connection, e: Event) -> int:
    return conn.execute(_INSERT_EVENT, _event_row(e)).inserted_primary_key[0]


def append_events(conn: Connection, events: list[Event]) -> None:
    """Many events in one executemany, in order (their seq follows the list)."""
    if events:
        conn.execute(_INSERT_EVENT, [_event_row(e) for e in events])


def save_tickets(conn: Connection, tickets: list[Ticket], new: set[str]) -> None:
    """Insert the new ones and update the others, each group in one executemany."""
    fresh = [ticket_to_row(t) for t in tickets if t.id in new]
    old = [{"key_id": t.id, **{k: v for k, v in ticket_to_row(t).items() if k != "id"}} for t in tickets if t.id not in new]
    if fresh:
        conn.execute(_INSERT_TICKET, fresh)
    if old:
        conn.execute(_UPDATE_TICKET, old)


def events_after(conn: Connection, site_id: str | None, after_seq: int, limit: int = 1000,
                 skip: Iterable[int] = ()) -> list[Event]:
    """Events after `after_seq`, oldest first, leaving out the seqs in `skip` (events set aside)."""
    q = select(E).where(E.c.seq > after_seq).order_by(E.c.seq).limit(limit)
    if site_id is not None:
        q = q.where(E.c.site_id == site_id)
    if skip := list(skip):
        q = q.where(E.c.seq.not_in(skip))
    return [event_from_row(r) for r in conn.execute(q)]


def last_seq(conn: Connection, site_id: str) -> int:
    return conn.execute(select(func.coalesce(func.max(E.c.seq), 0)).where(E.c.site_id == site_id)).scalar_one()


def revoked_devices(conn: Connection, site_id: str) -> frozenset[str]:
    """The ids of the site's revoked devices (a few rows at most: what the live streams check, server/feed.py)."""
    return frozenset(conn.execute(select(DeviceRow.id).where(
        DeviceRow.site_id == site_id, DeviceRow.revoked_at.is_not(None))).scalars())


def sync_state(conn: Connection, key: str) -> dict:
    """This hub's own sync state under `key` (its upstream link), {} when it has none."""
    return conn.execute(select(SyncStateRow.value).where(SyncStateRow.key == key)).scalar() or {}


def put_sync_state(conn: Connection, key: str, value: dict) -> None:
    """Store this hub's own sync state under `key` (in the caller's transaction)."""
    if not conn.execute(update(SyncStateRow).where(SyncStateRow.key == key).values(value=value)).rowcount:
        conn.execute(SyncStateRow.__table__.insert().values(key=key, value=value))


def own_sites(conn: Connection) -> set[str]:
    """The sites this hub is the hub of: its site at the upstream it enrolled with, or (a central hub) the sites
    at the top of the tree."""
    enrolled = sync_state(conn, "upstream").get("site_id")  # common.usecases.upstream.KEY
    if enrolled:
        return {enrolled}
    return set(conn.execute(select(SiteRow.id).where(SiteRow.parent_id.is_(None))).scalars())


def below(conn: Connection, tops: set[str]) -> set[str]:
    """The sites strictly below any of `tops` in the site tree (a site names its parent; a cycle ends the walk)."""
    parent: dict[str, str | None] = {r.id: r.parent_id for r in conn.execute(select(SiteRow.id, SiteRow.parent_id))}
    out = set()
    for site in parent:
        at, walked = parent[site], {site}
        while at is not None and at not in walked:
            if at in tops:
                out.add(site)
                break
            walked.add(at)
            at = parent.get(at)
    return out - tops


def child_hub_sites(conn: Connection) -> set[str]:
    """The sites this hub holds only as copies: each has a hub of its own below this one, which owns the site and
    alone closes its days. A site is a child hub's only if a device of role hub *of that site* (not revoked) syncs
    here and the site lies below this hub's own sites (`own_sites`), never one of them: a stale hub-role device
    at an own site (e.g. a booking adapter enrolled before the booking_import role) changes nothing. Every other
    site this hub holds, it owns (the district centre itself, a site whose devices talk straight to this hub)."""
    with_hub = set(conn.execute(
        select(SyncPeerRow.site_id).join(DeviceRow, DeviceRow.id == SyncPeerRow.peer_id)
        .where(SyncPeerRow.role == "hub", DeviceRow.role == "hub", DeviceRow.site_id == SyncPeerRow.site_id,
               DeviceRow.revoked_at.is_(None))).scalars())
    return with_hub & below(conn, own_sites(conn))


def owned_sites(conn: Connection) -> set[str]:
    """The sites this hub owns, i.e. writes the case steps of: its own sites and every site below them, but a child
    hub's site and the sites below it (that hub's). A site above this hub's own (its upstream's) is not among them."""
    own, children = own_sites(conn), child_hub_sites(conn)
    return (own | below(conn, own)) - children - below(conn, children)


def above(conn: Connection, sites: set[str]) -> set[str]:
    """The sites strictly above any of `sites` in the site tree (their parents, up to the top; a cycle ends the walk)."""
    parent: dict[str, str | None] = {r.id: r.parent_id for r in conn.execute(select(SiteRow.id, SiteRow.parent_id))}
    out: set[str] = set()
    for site in sites:
        at, walked = parent.get(site), {site}
        while at is not None and at not in walked:
            out.add(at)
            walked.add(at)
            at = parent.get(at)
    return out - sites
