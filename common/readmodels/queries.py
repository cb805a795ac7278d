"""Read models: queue state, window states, today's figures, a ticket's public status, the catalogue."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime

from sqlalchemy import Connection, select

import i18n
from common.db import repo
from common.db.schema import (
    BundleItemRow,
    BundleRow,
    ClerkSessionRow,
    DeviceRow,
    QueueRow,
    ServiceItemRow,
    SiteRow,
    WindowQueueRow,
    WindowRow,
    WindowStateRow,
)
from common.domain import errors as e
from common.domain import policy, sla
from common.domain.clock import business_day
from common.domain.model import UNRATED, WAIT_LIMIT_MIN, Complexity, Ticket, TicketStatus

T = repo.T


def today_tickets(conn: Connection, site_id: str, now: datetime):
    day = business_day(now).isoformat()
    return [repo.ticket_from_row(r) for r in conn.execute(select(T).where(T.c.site_id == site_id, T.c.business_day == day))]


QUEUE_LIST_LIMIT = 100  # a display shows the next few; the count covers the rest


def queue_state(conn: Connection, site_id: str, now: datetime) -> list[dict]:
    queues = conn.execute(select(QueueRow).where(QueueRow.site_id == site_id).order_by(QueueRow.letter)).all()
    waiting = defaultdict(list)
    for t in repo.waiting(conn, site_id, [q.id for q in queues], business_day(now).isoformat()):
        waiting[t.queue_id].append(t)
    out = []
    for q in queues:
        tickets = policy.sort_queue(waiting[q.id])
        out.append({
            "queue_id": q.id, "letter": q.letter, "name": q.name, "waiting": len(tickets),
            "tickets": [
                {"ticket_id": t.id, "number": t.number, "priority": t.priority.value,
                 "appointment": t.slot_start is not None, "waited_seconds": round(sla.wait_seconds(t, now)),
                 "target_window_id": t.target_window_id,
                 "wait_breach_at": (b.isoformat() if (b := sla.wait_breach_at(t)) else None)}
                for t in tickets[:QUEUE_LIST_LIMIT]
            ],
        })
    return out


def window_states(conn: Connection, site_id: str) -> list[dict]:
    rows = conn.execute(
        select(WindowRow.__table__, WindowStateRow.paused, WindowStateRow.pause_reason, WindowStateRow.current_ticket_id)
        .join(WindowStateRow, WindowStateRow.window_id == WindowRow.id)
        .where(WindowRow.site_id == site_id).order_by(WindowRow.number)
    ).all()
    queues = defaultdict(list)
    for wq in conn.execute(select(WindowQueueRow).order_by(WindowQueueRow.position)):
        queues[wq.window_id].append(wq.queue_id)
    signed_in = set(conn.execute(  # windows whose terminal has a clerk signed in now
        select(DeviceRow.window_id).join(ClerkSessionRow, ClerkSessionRow.device_id == DeviceRow.id)
        .where(DeviceRow.site_id == site_id, DeviceRow.window_id.is_not(None), DeviceRow.revoked_at.is_(None),
               ClerkSessionRow.ended_at.is_(None))).scalars())
    out = []
    for w in rows:
        current = repo.ticket(conn, site_id, w.current_ticket_id)
        out.append({
            "window_id": w.id, "number": w.number, "name": w.name, "kind": w.kind, "queue_ids": queues[w.id],
            "paused": w.paused, "pause_reason": w.pause_reason,
            # staffed: a clerk signed in on the window's own terminal, or a ticket at it (an unbound terminal names
            # its window per command, so only its ticket tells); a paused window is staffed but not serving
            "staffed": w.id in signed_in or w.current_ticket_id is not None,
            "current": None if current is None else {
                "ticket_id": current.id, "number": current.number, "status": current.status.value,
                "queue_id": current.queue_id, "item_id": current.item_id, "recalls": current.recalls,
                "issued_at": current.issued_at.isoformat(),
                "first_called_at": current.first_called_at.isoformat() if current.first_called_at else None,
                "started_at": current.started_at.isoformat() if current.started_at else None,
                "service_limit_min": current.service_limit_min,
                "service_breach_at": (b.isoformat() if (b := sla.service_breach_at(current)) else None),
            },
        })
    return out


def figures(conn: Connection, site_id: str, now: datetime) -> dict:
    """Today's figures of a site (plan §1, §2): the numbers supervisors defend upward."""
    return figures_of(site_id, today_tickets(conn, site_id, now), now, matter_classes(conn, site_id))


def matter_classes(conn: Connection, site_id: str) -> dict[str, Complexity]:
    """Item or bundle id -> general or complex (一般 / 复杂事项): a bundle is complex when any of its items is, as
    it waits as long as its most demanding item allows (`repo.ticket_limits`)."""
    items = dict(conn.execute(select(ServiceItemRow.id, ServiceItemRow.complexity).where(ServiceItemRow.site_id == site_id)).all())
    out = {i: Complexity(c) for i, c in items.items()}
    for bundle_id, item_id in conn.execute(select(BundleItemRow.bundle_id, BundleItemRow.item_id)
                                           .join(BundleRow, BundleRow.id == BundleItemRow.bundle_id)
                                           .where(BundleRow.site_id == site_id)):
        if out.get(bundle_id) is not Complexity.complex:
            out[bundle_id] = Complexity.complex if out.get(item_id) is Complexity.complex else Complexity.general
    return out


def matter_class(t: Ticket, classes: dict[str, Complexity]) -> Complexity:
    """A ticket's class by its item or bundle; one the catalogue no longer has, by its limit."""
    known = classes.get(t.item_id or t.bundle_id or "")
    if known is not None:
        return known
    return Complexity.complex if t.wait_limit_min >= WAIT_LIMIT_MIN[Complexity.complex] else Complexity.general


def share(flags) -> float | None:
    flags = list(flags)
    return round(sum(flags) / len(flags), 4) if flags else None


def wait_share(tickets, now: datetime) -> dict:
    """The share of counted tickets within their wait limit (`sla.wait_within_limit`: waiting past the limit counts
    as over; waiting within it does not count yet), with how many counted and how many are over."""
    verdicts = [v for t in tickets if (v := sla.wait_within_limit(t, now)) is not None]
    return {"share": share(verdicts), "counted": len(verdicts), "over": verdicts.count(False)}


def figures_of(site_id: str, tickets, now: datetime, classes: dict[str, Complexity] | None = None, *,
               by_class: bool = True) -> dict:
    """The figures of `tickets` (one site's, of today) at `now`; every wait and service by `common.domain.sla`.
    `by_class=False`: without the shares per class (the monthly report shows none; they were a fifth of its figures)."""
    classes = classes or {}
    status = Counter(t.status for t in tickets)
    waiting = [t for t in tickets if t.status is TicketStatus.waiting]
    finished = [t for t in tickets if t.status is TicketStatus.finished]
    rated = [t.rating_score for t in tickets if t.rating_score not in (None, UNRATED)]
    services = [(t, s) for t in tickets for s in sla.services(t)]
    by_class = ({c.value: wait_share([t for t in tickets if matter_class(t, classes) is c], now) for c in Complexity}
                if by_class else None)

    return {
        "site_id": site_id,
        "business_day": business_day(now).isoformat(),
        "issued": len(tickets),
        "waiting": len(waiting),
        "called": status[TicketStatus.called],
        "serving": status[TicketStatus.serving],
        "served": len(finished),
        "no_show": status[TicketStatus.no_show],
        "transfers": sum(t.transfers for t in tickets),
        "longest_wait_seconds": round(max((sla.wait_seconds(t, now) for t in waiting), default=0)),
        "wait_within_limit_share": wait_share(tickets, now)["share"],
        "wait_within_limit_by_class": by_class,
        "service_within_limit_share": share(sla.service_within(t, s) for t, s in services),
        "outcomes": dict(Counter(t.outcome.value for t in finished if t.outcome is not None)),
        "ratings": {
            "count": len(rated),
            "average": round(sum(rated) / len(rated), 2) if rated else None,
            "by_score": {str(s): rated.count(s) for s in range(5, 0, -1)},
            "unrated": sum(t.rating_score == UNRATED for t in tickets),
        },
    }


def clerk_figures(conn: Connection, site_id: str, clerk_id: str, now: datetime) -> dict:
    """A clerk's own figures for today, on the terminal: services ended (finished, or transferred on after serving),
    average service time, share within the service limit, ratings of the services rated."""
    mine = [(t, s) for t in today_tickets(conn, site_id, now) for s in sla.services(t) if s.clerk_id == clerk_id]
    seconds = [s.seconds for _, s in mine]
    rated = [s.score for _, s in mine if s.score not in (None, UNRATED)]
    within = [sla.service_within(t, s) for t, s in mine]
    return {
        "served": len(mine),
        "average_service_seconds": round(sum(seconds) / len(seconds)) if seconds else None,
        "service_within_limit_share": share(within),
        "ratings": {"count": len(rated), "average": round(sum(rated) / len(rated), 2) if rated else None,  # type: ignore[arg-type]
                    "unrated": sum(s.score == UNRATED for _, s in mine)},
    }


def ticket_by_token(conn: Connection, token: str) -> Ticket:
    row = conn.execute(select(T).where(T.c.public_token == token)).first()
    if row is None:
        raise e.NotFound("no_ticket")
    return repo.ticket_from_row(row)


def public_ticket(conn: Connection, t: Ticket, now: datetime) -> dict:
    """What a citizen's phone shows of `t`: no personal data, only the ticket's place in the hall."""
    ahead = None
    if t.status is TicketStatus.waiting:
        key = policy.static_key(t)
        # not those sent to another window: they wait for that window, not in front of this ticket
        ahead = sum(1 for o in repo.waiting(conn, t.site_id, [t.queue_id], t.business_day)
                    if policy.static_key(o) < key and policy.for_window(o, t.target_window_id))
    # the window it is called to, or, while it waits, the one window it was sent to ("wait for window N")
    shown = t.window_id or (t.target_window_id if t.status is TicketStatus.waiting else None)
    window = conn.execute(select(WindowRow.number, WindowRow.name).where(WindowRow.id == shown)).first() if shown else None
    called = window if t.window_id else None
    site_name = conn.execute(select(SiteRow.name).where(SiteRow.id == t.site_id)).scalar()
    queue_name, queue_en = conn.execute(select(QueueRow.name, QueueRow.name_en).where(QueueRow.id == t.queue_id)).one()
    return {
        "number": t.number, "site_name": site_name, "queue_name": queue_name, "status": t.status.value,
        "queue_names": {lang: i18n.name(queue_name or "", lang, {queue_name: queue_en or ""}) for lang in i18n.LANGUAGES[1:]},  # en, 繁體
        "people_ahead": ahead, "window_number": called.number if called else None,
        "window_name": called.name if called else None,
        "target_window_number": window.number if window and not t.window_id else None,
        "issued_at": t.issued_at.isoformat(),
        "waited_seconds": round(sla.wait_seconds(t, now)),
    }


def catalogue(conn: Connection, site_id: str) -> dict:
    items = conn.execute(select(ServiceItemRow).where(ServiceItemRow.site_id == site_id).order_by(ServiceItemRow.code))
    bundles = conn.execute(select(BundleRow).where(BundleRow.site_id == site_id).order_by(BundleRow.code))
    return {
        "items": [
            {"item_id": i.id, "code": i.code, "name": i.name, "name_en": i.name_en, "department": i.department, "category": i.category,
             "complexity": i.complexity, "standard_minutes": i.standard_minutes, "queue_id": i.queue_id}
            for i in items
        ],
        "bundles": [{"bundle_id": b.id, "code": b.code, "name": b.name, "name_en": b.name_en, "queue_id": b.queue_id} for b in bundles],
    }


def all_figures(conn: Connection, actor, now: datetime) -> list[dict]:
    """Figures of every site, for devices of a district site; of its own site for anyone else."""
    level = conn.execute(select(SiteRow.level).where(SiteRow.id == actor.site_id)).scalar()
    if level != "district":
        return [figures(conn, actor.site_id, now)]
    sites = conn.execute(select(SiteRow.id, SiteRow.name).order_by(SiteRow.id)).all()
    return [{**figures(conn, s.id, now), "site_name": s.name} for s in sites]
