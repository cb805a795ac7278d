"""The sync protocol, receiver side: one protocol for device <-> site hub and for hub <-> upstream hub.

Push: the sender sends its events in the order of its own positions (an outbox number, or its
event seq for a hub), saying after which position the batch starts. The receiver stores each
event once (by id), projects the new ones, and records the last position in the same
transaction; it answers with that position ("acked"). A sender that hears nothing retries the
same batch: stored events are skipped by id. Pull: events of the peer's site after a cursor, in
this hub's order. Every answer carries the protocol version and the hub's time. Bodies are
gzip-compressed JSON. Rules and reasons: docs/sync.md.
"""
from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection, Engine, select, update

from . import errors as e
from . import events as ev
from . import repo
from .auth import Actor
from .clock import utc
from .db.engine import lock_site
from .db.schema import SyncPeerRow
from .events import Event
from .model import Role, SiteState
from .projection import apply

PROTOCOL = 1  # this build speaks exactly this protocol version
MAX_BODY = 32 * 1024 * 1024  # decompressed bytes of one request
MAX_BATCH = 2000

TooOld = e.kind("protocol_too_old", 426, "本设备软件版本过旧，请升级后再同步", "This device's software is too old: upgrade it, then sync")
TooNew = e.kind("protocol_too_new", 426, "服务端软件版本较旧，请先升级服务端", "The hub's software is older than this device's: upgrade the hub first")

# Which kinds of event each role may push. A hub relays everything of its own site.
MAY_PUSH: dict[Role, frozenset[str]] = {
    Role.kiosk: frozenset({ev.TICKET_ISSUED}),
    Role.terminal: frozenset({ev.TICKET_ISSUED, ev.TICKET_CALLED, ev.TICKET_RECALLED, ev.TICKET_SKIPPED,
                              ev.TICKET_TRANSFERRED, ev.SERVICE_STARTED, ev.SERVICE_FINISHED,
                              ev.WINDOW_PAUSED, ev.WINDOW_RESUMED}),
    Role.rating: frozenset({ev.TICKET_RATED, ev.TICKET_UNRATED}),
    Role.hub: ev.KINDS,
}

# Upcasters: (kind, schema version) -> function turning that version's data into the next one's.
UPCASTERS: dict[tuple[str, int], Callable[[dict], dict]] = {}


# ---------------------------------------------------------------- wire format

def encode(obj) -> bytes:
    return gzip.compress(json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode(), 6)


def decode(body: bytes, compressed: bool = True) -> dict:
    try:
        if compressed:
            d = zlib.decompressobj(wbits=31)
            raw = d.decompress(body, MAX_BODY)
            if d.unconsumed_tail:
                raise e.InvalidInput("同步数据过大", "The sync request is too large")
        else:
            raw = body
        obj = json.loads(raw)
    except (OSError, zlib.error, ValueError, UnicodeDecodeError) as exc:
        raise e.InvalidInput("同步数据无法解析", "The sync request cannot be read") from exc
    if not isinstance(obj, dict):
        raise e.InvalidInput("同步数据格式不正确", "The sync request has the wrong shape")
    return obj


def check_protocol(version) -> None:
    if not isinstance(version, int):
        raise e.InvalidInput("缺少同步协议版本", "The sync protocol version is missing")
    if version < PROTOCOL:
        raise TooOld()
    if version > PROTOCOL:
        raise TooNew()


def to_wire(event: Event) -> dict:
    return {"i": event.id, "s": event.site_id, "k": event.kind, "t": event.at.isoformat(), "d": event.data,
            "v": event.schema_version, "dv": event.device_id, "c": event.clerk_id}


def upcast(kind: str, version: int, data: dict) -> dict:
    """Bring an event's data from an older schema version up to ours; refuse one from the future."""
    if version > ev.SCHEMA_VERSION:
        raise TooNew("事件版本高于服务端，请先升级服务端", "An event is newer than this hub understands: upgrade the hub")
    while version < ev.SCHEMA_VERSION:
        step = UPCASTERS.get((kind, version))
        data = step(dict(data)) if step else data
        version += 1
    return data


def from_wire(w: dict) -> Event:
    try:
        kind, version = w["k"], int(w["v"])
        if kind not in ev.KINDS or not isinstance(w["d"], dict):
            raise ValueError(kind)
        data = upcast(kind, version, w["d"])
        ev.validate(kind, data)
        return Event(id=str(w["i"])[:36], site_id=str(w["s"]), kind=kind, at=utc(datetime.fromisoformat(w["t"])),
                     data=data, device_id=w.get("dv"), clerk_id=w.get("c"), schema_version=ev.SCHEMA_VERSION)
    except e.HaobanError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise e.InvalidInput("同步数据中有无法识别的事件", "The sync request holds an event that cannot be read") from exc


# ---------------------------------------------------------------- receiver

def _peer(conn: Connection, actor: Actor) -> SyncPeerRow:
    row = conn.execute(select(SyncPeerRow.__table__).where(SyncPeerRow.peer_id == actor.device_id)).first()
    if row is None:
        conn.execute(SyncPeerRow.__table__.insert().values(
            peer_id=actor.device_id, site_id=actor.site_id, role=actor.role.value, acked=0, pulled=0, received=0))
        row = conn.execute(select(SyncPeerRow.__table__).where(SyncPeerRow.peer_id == actor.device_id)).first()
    return row


def store(conn: Connection, events: list[Event]) -> list[str]:
    """Append the events this hub does not hold yet and project them; returns the ids of void ones."""
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
    void = [x.id for x in fresh if not apply(state, x)]
    repo.append_events(conn, fresh)
    repo.save_tickets(conn, [state.tickets[tid] for tid in ticket_ids if tid in state.tickets], new=ticket_ids - existing)
    for ws in state.windows.values():
        repo.save_window_state(conn, ws)
    for (site_id, day, letter), number in state.counters.items():
        repo.raise_counter(conn, site_id, day, letter, number)
    return void


def receive_push(engine: Engine, actor: Actor, body: dict, now: datetime) -> dict:
    """Store a pushed batch exactly once; answer with the position now acknowledged."""
    check_protocol(body.get("protocol"))
    after, batch = body.get("after"), body.get("events")
    if not isinstance(after, int) or after < 0 or not isinstance(batch, list) or len(batch) > MAX_BATCH:
        raise e.InvalidInput("同步批次格式不正确", "The sync batch has the wrong shape")
    positioned = []
    for item in batch:
        if not isinstance(item, dict) or not isinstance(item.get("p"), int):
            raise e.InvalidInput("同步事件缺少序号", "A pushed event has no position")
        positioned.append((item["p"], from_wire(item)))
    positions = [p for p, _ in positioned]
    if positions != sorted(set(positions)) or (positions and positions[0] <= after):
        raise e.InvalidInput("同步事件序号须递增", "Pushed positions must increase, after `after`")
    kinds = MAY_PUSH.get(actor.role, frozenset())
    for _, x in positioned:
        if x.site_id != actor.site_id:
            raise e.Forbidden("只能同步本站点的数据", "A device syncs only its own site's events")
        if x.kind not in kinds or (actor.role is not Role.hub and x.device_id != actor.device_id):
            raise e.Forbidden("本设备不能上传此类事件", "This device may not push that event")
    with engine.begin() as conn:
        lock_site(conn, actor.site_id)
        peer = _peer(conn, actor)
        if after > peer.acked:  # we lack what the sender thinks we hold (e.g. restored from a backup)
            return {"protocol": PROTOCOL, "acked": peer.acked, "rewind": True, "void": [], "hub_time": now.isoformat()}
        todo = [x for p, x in positioned if p > peer.acked]
        void = store(conn, todo)
        acked = max([peer.acked, *positions])
        conn.execute(update(SyncPeerRow).where(SyncPeerRow.peer_id == actor.device_id).values(
            acked=acked, last_contact=now, received=SyncPeerRow.received + len(todo)))
    return {"protocol": PROTOCOL, "acked": acked, "void": void, "hub_time": now.isoformat()}


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
