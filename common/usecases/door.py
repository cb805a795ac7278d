"""One door for a command (docs/sync.md): a pushed event is let in only as its online command would be.

`admit` runs before the write lock, on a read-only connection: the batch's shape, every event's fields
(`protocol.from_wire`, with the limits of `common.domain.limits` that the HTTP bodies use too), its time
and business day against the hub's clock, and every id it names against this hub's data (the pushing
device's site and window, the clerk signed in on that device). `Admitted.guard` is the one check that needs
the state under the lock: a rating pad rates only services of its own window. One refused event refuses the
whole batch; the error names the event's index and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, func, select

from common.db import caserows, repo, videorows
from common.db.schema import BundleRow, ClerkRow, ClerkSessionRow, QueueRow, ServiceItemRow, WindowQueueRow, WindowRow
from common.domain import cases, contact, homevisits, policy, videohelp
from common.domain import errors as e
from common.domain import events as ev
from common.domain import limits as L
from common.domain.clock import business_day, utc
from common.domain.events import Event
from common.domain.ids import uuid_form
from common.domain.model import Outcome, Priority, Role, SiteState
from common.sync.protocol import MAX_BATCH, check_protocol, from_wire
from common.usecases.auth import Actor
from common.usecases.casework import HANDLING
from common.usecases.receive import MAY_PUSH

WINDOW_KINDS = MAY_PUSH[Role.terminal] - {ev.TICKET_ISSUED, cases.CASE_OPENED}  # online "serve" at the window
DEVICE_CASE_SOURCES = {Role.kiosk: frozenset({"kiosk"}), Role.terminal: frozenset({"window", "rejection"})}
RATINGS = frozenset({ev.TICKET_RATED, ev.TICKET_UNRATED})


@dataclass
class Admitted:
    """A pushed batch that passed the door: its events with their positions, and the check under the lock."""

    actor: Actor
    after: int
    events: list[tuple[int, Event]]
    index: dict[str, int] = field(default_factory=dict)  # event id -> its index in the batch

    def guard(self, state: SiteState, x: Event) -> None:
        """Raised before `x` is applied (under the lock): a pad bound to a window rates only that window's services;
        a terminal's case from a refused service names a ticket refused at its window, as the state has it now."""
        if x.kind in RATINGS and self.actor.role is Role.rating and self.actor.window_id is not None:
            t = state.tickets.get(x.data["ticket_id"])
            if t is not None and t.window_id != self.actor.window_id:
                raise e.Forbidden("sync_rate_own_window_only", index=self.index[x.id], kind=x.kind)
        if x.kind == cases.CASE_OPENED and self.actor.role is not Role.hub and x.data.get("of_ticket_id"):
            t = state.tickets.get(x.data["of_ticket_id"])
            if t is not None and (t.outcome is not Outcome.rejected or t.window_id != self.actor.window_id):
                raise e.Conflict("case_not_a_rejection", index=self.index[x.id])


@dataclass(frozen=True)
class _Site:
    """What the door needs to know of the pushing device's site, read once per batch."""

    queues: dict[str, str]  # id -> letter
    windows: dict[str, set[str]]  # id -> the queues it serves
    items: dict[str, str]  # id -> queue id
    bundles: dict[str, str]  # id -> queue id
    clerks: set[str]
    sessions: dict[str, datetime]  # clerk id -> first sign-in on this device
    limits: dict[repo.Of, repo.Limits]  # what a ticket of each item or bundle the batch issues gets now
    given: set[tuple[repo.Of, repo.Limits]]  # limits this hub gave such tickets lately (only where the batch's differ)
    tickets: dict[str, tuple[str, str]]  # id -> (site id, queue id), of the tickets the batch names that this hub holds
    cases: dict[str, str]  # id -> site id, of the cases the batch names that this hub holds
    rejected: dict[str, str | None]  # id -> window, of the refused (不予受理) services a device's case names
    tokens: dict[str, str]  # public token -> case id, of the tokens a device's cases give that cases here have
    owned: set[str] = field(default_factory=set)  # the sites this hub owns, if the batch has handling steps naming one
    returned: set[str] = field(default_factory=set)  # ids of this hub's own handling steps coming back up (held here)
    parent_clerks: set[str] = field(default_factory=set)  # clerks of the site above, if the batch has 上门办 events
    parent: str | None = None  # the site above, if a child hub's batch has 视频帮办 events
    served: dict[str, str] = field(default_factory=dict)  # video request id -> its serving site (held, or the batch's)


def _pairs(rows) -> dict:
    return {a: b for a, b in rows}


def _served(conn: Connection, site_id: str) -> dict[str, set[str]]:
    windows: dict[str, set[str]] = {w: set() for w in conn.execute(select(WindowRow.id).where(WindowRow.site_id == site_id)).scalars()}
    for w, q in conn.execute(select(WindowQueueRow.window_id, WindowQueueRow.queue_id).where(WindowQueueRow.window_id.in_(windows))):
        windows[w].add(q)
    return windows


def _of(x: Event) -> repo.Of:
    return x.data.get("item_id"), x.data.get("bundle_id")


def _limits(x: Event) -> repo.Limits:
    return x.data["wait_limit_min"], x.data["service_limit_min"]


def _load(conn: Connection, actor: Actor, events: list[Event], now: datetime) -> _Site:
    sid = actor.site_id
    ticket_ids = {x.ticket_id for x in events if x.ticket_id} | {x.data["of_ticket_id"] for x in events
                                                                 if x.kind == cases.CASE_OPENED and x.data.get("of_ticket_id")}
    case_ids = {x.case_id for x in events if x.case_id}
    issued = [x for x in events if x.kind == ev.TICKET_ISSUED] if actor.role is not Role.hub else []
    limits = repo.ticket_limits(conn, sid, map(_of, issued))
    differ = {_of(x) for x in issued if limits.get(_of(x)) != _limits(x)}
    since = (business_day(now) - timedelta(days=L.DAYS_BACK)).isoformat()  # as far back as a device's events
    T = repo.T
    named = [x for x in events if x.kind in HANDLING and x.data.get("handler_site_id")]
    video = [x for x in events if x.kind in videohelp.KINDS] if actor.role is Role.hub else []
    owned = repo.owned_sites(conn) if (named or video) and actor.role is Role.hub else set()
    back = [x.id for x in named if x.data["handler_site_id"] in owned] + [x.id for x in video if x.kind in videohelp.ACROSS]
    home = any(x.kind in homevisits.KINDS for x in events)
    parent = videorows.parent_of(conn, sid) if home or video else None
    return _Site(
        parent_clerks=set(conn.execute(select(ClerkRow.id).where(ClerkRow.site_id == parent)).scalars()) if home and parent else set(),
        parent=parent,
        served={v.id: v.serving_site_id for v in videorows.requests(conn, [sid]).values()} if video else {},
        owned=owned,
        returned=set(conn.execute(select(repo.E.c.id).where(repo.E.c.id.in_(back))).scalars()) if back else set(),
        limits=limits,
        given=repo.limits_given(conn, sid, since, differ) if differ else set(),
        queues=_pairs(conn.execute(select(QueueRow.id, QueueRow.letter).where(QueueRow.site_id == sid))),
        windows=_served(conn, sid),
        items=_pairs(conn.execute(select(ServiceItemRow.id, ServiceItemRow.queue_id).where(ServiceItemRow.site_id == sid))),
        bundles=_pairs(conn.execute(select(BundleRow.id, BundleRow.queue_id).where(BundleRow.site_id == sid))),
        clerks=set(conn.execute(select(ClerkRow.id).where(ClerkRow.site_id == sid)).scalars()),
        sessions={c: utc(at) for c, at in conn.execute(
            select(ClerkSessionRow.clerk_id, func.min(ClerkSessionRow.started_at))
            .where(ClerkSessionRow.device_id == actor.device_id).group_by(ClerkSessionRow.clerk_id))},
        tickets={r.id: (r.site_id, r.queue_id) for r in conn.execute(
            select(T.c.id, T.c.site_id, T.c.queue_id).where(T.c.id.in_(ticket_ids)))} if ticket_ids else {},
        cases=_pairs(conn.execute(select(caserows.K.c.id, caserows.K.c.site_id).where(caserows.K.c.id.in_(case_ids))))
        if case_ids else {},
        rejected=_rejected(conn, actor, events),
        tokens=_pairs(conn.execute(select(caserows.K.c.public_token, caserows.K.c.id).where(caserows.K.c.public_token.in_(
            {x.data["public_token"] for x in events if x.kind == cases.CASE_OPENED})))) if actor.role is not Role.hub else {},
    )


def _rejected(conn: Connection, actor: Actor, events: list[Event]) -> dict[str, str | None]:
    """The services refused (不予受理) that a device's offline cases come from, by the window that refused them: at
    this hub already, or refused in the same batch (a terminal in manual mode records the service, then the case)."""
    named = {x.data["of_ticket_id"] for x in events if x.kind == cases.CASE_OPENED and x.data.get("of_ticket_id")}
    if actor.role is Role.hub or not named:
        return {}
    T = repo.T
    found = _pairs(conn.execute(select(T.c.id, T.c.window_id).where(T.c.id.in_(named), T.c.outcome == Outcome.rejected.value)))
    for x in events:
        if x.kind == ev.SERVICE_FINISHED and x.data["outcome"] == Outcome.rejected.value and x.data["ticket_id"] in named:
            found[x.data["ticket_id"]] = x.data["window_id"]
    return found


def _position(item) -> int:
    p = item.get("p") if isinstance(item, dict) else None
    if type(p) is not int or not 0 < p <= L.POSITION_MAX:
        raise e.InvalidInput("sync_no_position")
    return p


def admit(conn: Connection, actor: Actor, body: dict, now: datetime) -> Admitted:
    """Check a pushed batch as the online API checks its commands; raise (4xx, naming the event) or admit it."""
    check_protocol(body.get("protocol"))
    after, batch = body.get("after"), body.get("events")
    if type(after) is not int or not 0 <= after <= L.POSITION_MAX or not isinstance(batch, list) or len(batch) > MAX_BATCH:
        raise e.InvalidInput("sync_batch_shape")
    positioned = []
    for i, item in enumerate(batch):
        p = _position(item)
        try:
            positioned.append((p, from_wire(item)))
        except e.InvalidInput as exc:
            raise e.InvalidInput("sync_event_invalid", index=i, field=exc.detail.get("field", "?")) from exc
    positions = [p for p, _ in positioned]
    if positions != sorted(set(positions)) or (positions and positions[0] <= after):
        raise e.InvalidInput("sync_positions_increase")
    site = _load(conn, actor, [x for _, x in positioned], now)
    queue_of = {tid: queue for tid, (_, queue) in site.tickets.items()}  # where the batch finds each ticket
    for i, (_, x) in enumerate(positioned):
        _check(actor, site, x, i, now)
        _check_served(site, queue_of, x, i)
    return Admitted(actor, after, positioned, {x.id: i for i, (_, x) in enumerate(positioned)})


def _check(actor: Actor, site: _Site, x: Event, i: int, now: datetime) -> None:
    """One event: who pushes it, when it happened, and every id it names."""
    if x.site_id != actor.site_id:
        raise e.Forbidden("sync_own_site_only", index=i, kind=x.kind)
    if x.kind not in MAY_PUSH.get(actor.role, frozenset()) or (actor.role is not Role.hub and x.device_id != actor.device_id):
        raise e.Forbidden("sync_event_not_allowed", index=i, kind=x.kind)
    if x.id in site.returned:  # a step this hub wrote and sent down, coming back: held already, it changes nothing
        return
    _check_time(x, now, i, L.HUB_DAYS_BACK if actor.role is Role.hub else L.DAYS_BACK)
    d = x.data
    for name in ("queue_id", "to_queue_id", "from_queue_id"):
        if d.get(name) is not None and d[name] not in site.queues:
            raise e.Forbidden("sync_not_own_site", field=name, index=i, kind=x.kind)
    for name in ("window_id", "to_window_id"):
        if d.get(name) is not None and d[name] not in site.windows:
            raise e.Forbidden("sync_not_own_site", field=name, index=i, kind=x.kind)
    tid = x.ticket_id
    if tid is not None and site.tickets.get(tid, (actor.site_id, ""))[0] != actor.site_id:
        raise e.Forbidden("sync_not_own_site", field="ticket_id", index=i, kind=x.kind)
    if x.kind == ev.TICKET_ISSUED:
        _check_issue(actor, site, x, i)
    if x.kind == ev.SERVICE_FINISHED and d.get("guide_wrong") is not None and (
            d["guide_wrong"] is not True or d["outcome"] != Outcome.rejected.value):  # as policy.decide_finish
        raise e.InvalidInput("sync_event_invalid", field="guide_wrong", index=i, kind=x.kind)
    if x.case_id is not None:
        _check_case(actor, site, x, i)
        if actor.role is not Role.hub:
            _check_device_case(actor, site, x, i, now)
    if x.kind in homevisits.KINDS:
        _check_home(site, x, i)
    if x.kind in videohelp.KINDS:
        _check_video(site, x, i)
    if actor.window_id is not None and x.kind in WINDOW_KINDS and d["window_id"] != actor.window_id:
        raise e.Forbidden("sync_own_window_only", index=i, kind=x.kind)
    _check_clerk(actor, site, x, i)


def _check_home(site: _Site, x: Event, i: int) -> None:
    """A 上门办 event a child hub relays (only hubs push them: `receive.MAY_PUSH`) names a matter of the village and,
    as its clerk or the clerk who saw a certificate, one of the village or of the site above (a town's team)."""
    d = x.data
    if x.kind == homevisits.HOME_REQUESTED and d["item_id"] not in site.items:
        raise e.Forbidden("sync_not_own_site", field="item_id", index=i, kind=x.kind)
    for name, clerk in (("seen_by", d.get("seen_by")), ("clerk_id", x.clerk_id)):
        if clerk is not None and clerk not in site.clerks | site.parent_clerks:
            raise e.Forbidden("sync_not_own_site", field=name, index=i, kind=x.kind)
    if x.kind == homevisits.HOME_REQUESTED and (d["reason"] == "certificate") != (d.get("seen_by") is not None):
        raise e.InvalidInput("sync_event_invalid", field="seen_by", index=i, kind=x.kind)


def _check_video(site: _Site, x: Event, i: int) -> None:
    """A 视频帮办 event a child hub relays (only hubs push them: `receive.MAY_PUSH`). A request names a matter of the
    village and, as its serving site, the village's parent as the reference data has it; one served by a site this
    hub owns is a call-back (no live call crosses the tree). On such a request the child writes nothing more: its
    desk steps are this hub's (coming back up they are held: `site.returned`), and the village end's are refused at
    the village hub (`video_with_upstream`), so one pushed is not its own to write."""
    d = x.data
    if x.kind == videohelp.VIDEO_REQUESTED:
        if d["item_id"] not in site.items:
            raise e.Forbidden("sync_not_own_site", field="item_id", index=i, kind=x.kind)
        if site.parent is None or d["serving_site_id"] != site.parent:
            raise e.Forbidden("sync_not_own_site", field="serving_site_id", index=i, kind=x.kind)
        if d["serving_site_id"] in site.owned and not d["call_back"]:
            raise e.InvalidInput("sync_event_invalid", field="call_back", index=i, kind=x.kind)
        site.served.setdefault(d["request_id"], d["serving_site_id"])
    elif site.served.get(d["request_id"]) in site.owned:
        raise e.Forbidden("sync_not_own_site", field="serving_site_id", index=i, kind=x.kind)


def _check_case(actor: Actor, site: _Site, x: Event, i: int) -> None:
    """A case event (hubs push every kind, devices `case_opened` only: `receive.MAY_PUSH`) names a case of the pushing site, and what a case
    opened names is of that site too: its item, the ticket it comes from, the clerk rated."""
    d = x.data
    if site.cases.get(d["case_id"], actor.site_id) != actor.site_id:
        raise e.Forbidden("sync_not_own_site", field="case_id", index=i, kind=x.kind)
    if x.kind in HANDLING and d.get("handler_site_id") in site.owned:  # a step of this hub's that it never wrote
        raise e.Forbidden("sync_not_own_site", field="handler_site_id", index=i, kind=x.kind)
    if x.kind != cases.CASE_OPENED:
        return
    checks = (("item_id", site.items), ("rated_clerk_id", site.clerks))
    for name, known in checks:
        if d.get(name) is not None and d[name] not in known:
            raise e.Forbidden("sync_not_own_site", field=name, index=i, kind=x.kind)
    of = d.get("of_ticket_id")
    if of is not None and site.tickets.get(of, (actor.site_id, ""))[0] != actor.site_id:
        raise e.Forbidden("sync_not_own_site", field="of_ticket_id", index=i, kind=x.kind)


def _check_device_case(actor: Actor, site: _Site, x: Event, i: int, now: datetime) -> None:
    """A case a kiosk or terminal opened offline (`SyncClient.open_case_offline`), as strictly as `Hub.open_case`
    takes the online command: the source its role may give (a kiosk "kiosk"; a terminal "window", or "rejection" of a
    service refused at its window, by the clerk signed in), a 办不成事 case and nothing a hub adds (no rated clerk, no
    due day), the id a UUID (the number its `case_number`: `events.validate`), the text without control characters,
    the contact only in the form a device seals (`contact.device_form`), the day the hub's business day give or take
    what a device may lag. Its item and ticket are of the site: `_check_case`."""
    d = x.data

    def invalid(name: str) -> None:
        raise e.InvalidInput("sync_event_invalid", field=name, index=i, kind=x.kind)

    if d["source"] not in DEVICE_CASE_SOURCES.get(actor.role, frozenset()):
        raise e.Forbidden("sync_case_source", index=i, source=d["source"])
    if d["kind"] != cases.CaseKind.case.value:
        invalid("kind")
    for name in ("rated_clerk_id", "due_day"):
        if d.get(name) is not None:
            invalid(name)
    if not uuid_form(d["case_id"]):
        invalid("case_id")
    if site.tokens.get(d["public_token"], d["case_id"]) != d["case_id"]:  # another case's (the same case's: void)
        raise e.Conflict("case_id_taken", index=i)
    try:
        cases.check_text(d.get("text"), "case_text_too_long")
    except e.InvalidInput:
        invalid("text")
    if d.get("contact") is not None and not contact.device_form(d["contact"]):
        raise e.InvalidInput("sync_case_contact", index=i)
    today, opened = business_day(now), date.fromisoformat(d["opened_day"])
    if not today - timedelta(days=L.DAYS_BACK) <= opened <= today + timedelta(days=L.DAYS_AHEAD):
        raise e.InvalidInput("sync_business_day", index=i, kind=x.kind)
    if actor.role is Role.terminal and x.clerk_id is None:
        raise e.Forbidden("sync_clerk_not_signed_in", index=i, kind=x.kind)
    if (d["source"] == "rejection") != (d.get("of_ticket_id") is not None):
        raise e.InvalidInput("case_rejection_ticket", index=i)
    if d["source"] == "rejection" and (d["of_ticket_id"] not in site.rejected or site.rejected[d["of_ticket_id"]] != actor.window_id):
        raise e.Conflict("case_not_a_rejection", index=i)


def _check_served(site: _Site, queue_of: dict[str, str], x: Event, i: int) -> None:
    """A window calls only tickets of the queues it serves, and a transfer to a window names a queue it serves
    (online: `policy.decide_call_specific`, `decide_transfer`). Follows the batch's own issues and transfers."""
    d, tid = x.data, x.ticket_id
    if x.kind == ev.TICKET_ISSUED:
        queue_of[d["ticket_id"]] = d["queue_id"]
    elif x.kind == ev.TICKET_CALLED and tid in queue_of and queue_of[tid] not in site.windows[d["window_id"]]:
        raise e.InvalidInput("sync_queue_not_served", index=i, kind=x.kind)
    elif x.kind == ev.TICKET_TRANSFERRED:
        if d.get("to_window_id") is not None and d["to_queue_id"] not in site.windows[d["to_window_id"]]:
            raise e.InvalidInput("sync_queue_not_served", index=i, kind=x.kind)
        queue_of[d["ticket_id"]] = d["to_queue_id"]


def _check_time(x: Event, now: datetime, i: int, days_back: int) -> None:
    if not now - timedelta(days=days_back) <= x.at <= now + timedelta(hours=L.HOURS_AHEAD):
        raise e.InvalidInput("sync_event_time", index=i, kind=x.kind)
    day = x.data.get("business_day")
    today = business_day(now)
    if day is not None and not today - timedelta(days=days_back) <= date.fromisoformat(day) <= today + timedelta(days=L.DAYS_AHEAD):
        raise e.InvalidInput("sync_business_day", index=i, kind=x.kind)


def _check_issue(actor: Actor, site: _Site, x: Event, i: int) -> None:
    """A pushed ticket as `Hub.issue_ticket` makes one: one item or bundle of the site, in its queue, with
    the queue's letter and the limits `repo.ticket_limits` gives it (or, from a device, limits this hub gave such a
    ticket within `limits.DAYS_BACK`: the device may not have pulled a change of the reference yet); from a device no slot (only a check-in on the hub gives one), and the green channel only by
    `policy.green_granted`, the rule of `Hub.issue_ticket`: a clerk signed in on the device (checked below)."""
    d = x.data
    item, bundle = d.get("item_id"), d.get("bundle_id")
    if (item is None) == (bundle is None):
        raise e.InvalidInput("sync_event_invalid", field="item_id", index=i)
    owner = site.items.get(item) if item is not None else site.bundles.get(bundle)
    if owner is None:
        raise e.Forbidden("sync_not_own_site", field="item_id" if item is not None else "bundle_id", index=i, kind=x.kind)
    if owner != d["queue_id"] or site.queues[d["queue_id"]] != d["letter"]:
        raise e.InvalidInput("sync_event_invalid", field="queue_id", index=i)
    if actor.role is not Role.hub and _limits(x) != site.limits[_of(x)] and (_of(x), _limits(x)) not in site.given:
        raise e.InvalidInput("sync_ticket_limits", index=i, kind=x.kind)
    if actor.role is not Role.hub and (d.get("slot_start") or d.get("slot_end")):
        raise e.Forbidden("sync_slot_check_in_only", index=i, kind=x.kind)
    if d["priority"] == Priority.green.value and not policy.green_granted(actor.role, x.clerk_id):
        raise e.Forbidden("sync_green_not_granted", index=i, kind=x.kind)


def _check_clerk(actor: Actor, site: _Site, x: Event, i: int) -> None:
    """Online the clerk is the one signed in on the device. A pushed event's clerk must have signed in on this
    device before the event (online then, or offline with the PIN hash the terminal kept from that sign-in), give or
    take `limits.CLOCK_SKEW_S`: the session's start is the hub's time, the event's the device's corrected clock."""
    clerk = x.clerk_id
    if actor.role is Role.hub:
        if clerk is not None and clerk not in site.clerks and not (x.kind in homevisits.KINDS and clerk in site.parent_clerks):
            raise e.Forbidden("sync_not_own_site", field="clerk_id", index=i, kind=x.kind)
        return
    if clerk is None:
        if x.kind in WINDOW_KINDS:
            raise e.Forbidden("sync_clerk_not_signed_in", index=i, kind=x.kind)
        return
    first = site.sessions.get(clerk)  # the hub's clock; x.at is the device's, corrected to within CLOCK_SKEW_S
    if (actor.role is not Role.terminal or clerk not in site.clerks or first is None
            or first > x.at + timedelta(seconds=L.CLOCK_SKEW_S)):
        raise e.Forbidden("sync_clerk_not_signed_in", index=i, kind=x.kind)


# ---------------------------------------------------------------- case steps coming down from the upstream

def admit_from_upstream(conn: Connection, page: dict, after: int, now: datetime) -> tuple[list[Event], list[dict], int]:
    """A page of the upstream's handling steps on this hub's cases (`receive.serve_case_steps`), checked before
    anything is written, field by field as a pushed event is (`protocol.from_wire`); then each must be a handling
    step (`casework.HANDLING`) of a site this hub owns, on a case this hub holds of that site that is held, as it
    stands here, by a department of a site this hub does not own (the upstream's, `handler_site_id`), from no
    further back than a child hub's own events may be. The upstream vouches for its clerk (its reference is not
    ours). An event that passes is returned to store; one that does not is set aside (with its refusal: never stored,
    never asked for again) and the cursor moves past it. One this hub holds already (a page fetched twice) is passed
    over. Returns (events, set aside, the next cursor); a page not in the protocol's shape is refused whole."""
    items, nxt = page.get("events"), page.get("next")
    if not isinstance(items, list) or len(items) > MAX_BATCH or type(nxt) is not int or not after <= nxt <= L.POSITION_MAX:
        raise e.InvalidInput("sync_batch_shape")
    parsed: list[tuple[int, Event | e.HaobanError]] = []
    last = after
    for i, item in enumerate(items):
        q = item.pop("q", None) if isinstance(item, dict) else None
        if type(q) is not int or not last < q <= nxt:
            raise e.InvalidInput("sync_positions_increase")
        last = q
        try:
            parsed.append((q, from_wire(item)))
        except e.InvalidInput as exc:
            parsed.append((q, e.InvalidInput("sync_event_invalid", index=i, field=exc.detail.get("field", "?"))))
    events = [x for _, x in parsed if isinstance(x, Event)]
    held = set(conn.execute(select(repo.E.c.id).where(repo.E.c.id.in_([x.id for x in events]))).scalars()) if events else set()
    found = {k.id: k for k in caserows.cases_by_id(conn, {x.case_id for x in events if x.case_id})}
    owned = repo.owned_sites(conn)
    video_sites = {x.site_id for x in events if x.kind in videohelp.KINDS} & owned
    requests = videorows.requests(conn, video_sites) if video_sites else {}
    parents = {site: videorows.parent_of(conn, site) for site in video_sites}
    good, aside = [], []
    for i, (q, x) in enumerate(parsed):
        refusal = x if isinstance(x, e.HaobanError) else None
        if isinstance(x, Event):
            if x.id in held:
                continue
            refusal = (_video_from_upstream(x, requests.get(x.data.get("request_id", "")), owned, parents, now, i)
                       if x.kind in videohelp.KINDS else _from_upstream(x, found.get(x.case_id or ""), owned, now, i))
            if refusal is None:
                good.append(x)
                continue
        assert refusal is not None
        aside.append({"q": q, "event_id": x.id if isinstance(x, Event) else None,
                      "kind": x.kind if isinstance(x, Event) else None, "key": refusal.key, **refusal.as_dict()})
    return good, aside, nxt


def _from_upstream(x: Event, found: cases.Case | None, owned: set[str], now: datetime, i: int) -> e.HaobanError | None:
    """Why the upstream's step `x` is not let in, or None (see `admit_from_upstream`)."""
    if x.kind not in HANDLING:
        return e.Forbidden("sync_event_not_allowed", index=i, kind=x.kind)
    if x.site_id not in owned:
        return e.Forbidden("sync_own_site_only", index=i, kind=x.kind)
    if found is None or found.site_id != x.site_id:
        return e.Forbidden("sync_not_own_site", field="case_id", index=i, kind=x.kind)
    handler = x.data.get("handler_site_id")
    if handler is None or handler in owned or handler != found.handler_site_id:
        return e.Forbidden("sync_not_own_site", field="handler_site_id", index=i, kind=x.kind)
    return _too_old(x, now, i)


def _video_from_upstream(x: Event, v: videohelp.VideoHelp | None, owned: set[str], parents: dict[str, str | None],
                         now: datetime, i: int) -> e.HaobanError | None:
    """Why the upstream's 视频帮办 desk step `x` is not let in, or None: only a desk step across the tree
    (`videohelp.ACROSS`: take, finish) of a site this hub owns, on a call-back this hub holds of that site whose
    serving site is the upstream's (the village's parent, not a site this hub owns), from no further back than a
    child hub's own events may be."""
    if x.kind not in videohelp.ACROSS:
        return e.Forbidden("sync_event_not_allowed", index=i, kind=x.kind)
    if x.site_id not in owned:
        return e.Forbidden("sync_own_site_only", index=i, kind=x.kind)
    if v is None or v.site_id != x.site_id:
        return e.Forbidden("sync_not_own_site", field="request_id", index=i, kind=x.kind)
    if not v.call_back or v.serving_site_id in owned or v.serving_site_id != parents.get(x.site_id):
        return e.Forbidden("sync_not_own_site", field="serving_site_id", index=i, kind=x.kind)
    return _too_old(x, now, i)


def _too_old(x: Event, now: datetime, i: int) -> e.InvalidInput | None:
    """The refusal of an upstream's step from further back than a child hub's own events may be, or None."""
    try:
        _check_time(x, now, i, L.HUB_DAYS_BACK)
    except e.InvalidInput as exc:
        return exc
    return None

