"""The supervisors' dashboard: today's figures of a site, its windows, ratings and arrivals per hour."""
from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import Connection, select

from common.db.schema import ClerkRow, ClerkSessionRow, DeviceRow, QueueRow, SiteRow, WindowRow, WindowStateRow
from common.domain.clock import SHANGHAI
from common.domain.model import UNRATED, TicketStatus
from common.readmodels import queries

BAD_SCORE = 2  # 1 非常不满意 and 2 不满意 are bad ratings (差评); each is followed up with its reason
HOURS = range(8, 18)  # the hall's day; arrivals outside it are counted in the first or last hour


def sites_for(conn: Connection, site_id: str) -> list[dict]:
    """The sites a supervisor of `site_id` may see: every site on a district hub, else only the own site."""
    level = conn.execute(select(SiteRow.level).where(SiteRow.id == site_id)).scalar()
    which = select(SiteRow.id, SiteRow.name).order_by(SiteRow.id)
    if level != "district":
        which = which.where(SiteRow.id == site_id)
    return [{"site_id": r.id, "name": r.name} for r in conn.execute(which)]


def _clerk_names(conn: Connection, site_id: str) -> dict[str, str]:
    return dict(conn.execute(select(ClerkRow.id, ClerkRow.name).where(ClerkRow.site_id == site_id)).all())


def _windows(conn: Connection, site_id: str, tickets: dict, names: dict[str, str]) -> list[dict]:
    """Each window: paused, serving, called or idle; and the clerk signed in there (or the last one who called)."""
    signed_in = dict(conn.execute(
        select(DeviceRow.window_id, ClerkSessionRow.clerk_id)
        .join(ClerkSessionRow, ClerkSessionRow.device_id == DeviceRow.id)
        .where(DeviceRow.site_id == site_id, ClerkSessionRow.ended_at.is_(None), DeviceRow.window_id.is_not(None))
        .order_by(ClerkSessionRow.started_at)
    ).all())
    rows = conn.execute(
        select(WindowRow.id, WindowRow.number, WindowRow.name, WindowStateRow.paused, WindowStateRow.pause_reason,
               WindowStateRow.current_ticket_id, WindowStateRow.clerk_id)
        .join(WindowStateRow, WindowStateRow.window_id == WindowRow.id)
        .where(WindowRow.site_id == site_id).order_by(WindowRow.number)
    ).all()
    out = []
    for w in rows:
        current = tickets.get(w.current_ticket_id)
        state = "paused" if w.paused else (current.status.value if current else "idle")
        clerk_id = signed_in.get(w.id) or w.clerk_id
        out.append({"window_id": w.id, "number": w.number, "name": w.name, "state": state,
                    "pause_reason": w.pause_reason, "ticket": current.number if current else None,
                    "clerk": names.get(clerk_id) if clerk_id else None})
    return out


def site_dashboard(conn: Connection, site_id: str, now: datetime) -> dict:
    """Everything the dashboard shows for one site today, from one read of today's tickets."""
    tickets = queries.today_tickets(conn, site_id, now)
    by_id = {t.id: t for t in tickets}
    names = _clerk_names(conn, site_id)
    windows = dict(conn.execute(select(WindowRow.id, WindowRow.number).where(WindowRow.site_id == site_id)).all())
    queues = conn.execute(select(QueueRow.id, QueueRow.letter, QueueRow.name)
                          .where(QueueRow.site_id == site_id).order_by(QueueRow.letter)).all()
    waiting = Counter(t.queue_id for t in tickets if t.status is TicketStatus.waiting)
    hours = Counter(min(max(t.issued_at.astimezone(SHANGHAI).hour, HOURS[0]), HOURS[-1]) for t in tickets)
    bad = sorted((t for t in tickets if t.rating_score not in (None, UNRATED) and t.rating_score <= BAD_SCORE),
                 key=lambda t: t.finished_at or t.issued_at)
    return {
        "site_id": site_id,
        "site_name": conn.execute(select(SiteRow.name).where(SiteRow.id == site_id)).scalar(),
        "at": now.isoformat(),
        "figures": queries.figures_of(site_id, tickets, now, queries.matter_classes(conn, site_id)),
        "queues": [{"letter": q.letter, "name": q.name, "waiting": waiting[q.id]} for q in queues],
        "windows": _windows(conn, site_id, by_id, names),
        "bad_ratings": [{"number": t.number, "score": t.rating_score, "reason": t.rating_reason,
                         "clerk": names.get(t.clerk_id), "window_number": windows.get(t.window_id),
                         "finished_at": t.finished_at.isoformat() if t.finished_at else None} for t in bad],
        "arrivals_per_hour": [{"hour": h, "count": hours[h]} for h in HOURS],
    }
