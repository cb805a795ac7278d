"""The live warnings of a site now (warning.py), read from the hub's tickets and windows: for the
dashboard's site view and, cut to the queues a window may serve, for its terminal (`for_window`)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from common.db import repo
from common.db.schema import ClerkSessionRow, DeviceRow, QueueRow, WindowQueueRow, WindowRow, WindowStateRow
from common.domain.clock import business_day, utc
from common.domain.model import TicketStatus
from common.planning import warning

T = repo.T


def site_warnings(conn: Connection, site_id: str, now: datetime) -> list[dict]:
    """One dict per warning: the queue (id, letter, name), minutes until the first expected crossing, its horizon,
    the tickets expected to cross, the helper window (id, number) and `serving`, the windows that may serve the queue."""
    today = business_day(now).isoformat()
    since = utc(now - timedelta(minutes=warning.LOOKBACK))
    rows = conn.execute(select(T.c.id, T.c.queue_id, T.c.issued_at, T.c.wait_limit_min, T.c.status, T.c.first_called_at)
                        .where(T.c.site_id == site_id, T.c.business_day == today,
                               (T.c.status == TicketStatus.waiting.value) | (T.c.first_called_at >= since))).all()
    waiting = [warning.Waiting(r.id, r.queue_id, _aware(r.issued_at), r.wait_limit_min) for r in rows
               if r.status == TicketStatus.waiting.value]
    calls = [(r.queue_id, _aware(r.first_called_at)) for r in rows if r.first_called_at is not None]
    if not waiting:
        return []
    serves: dict[str, list[str]] = {}
    for wid, qid in conn.execute(select(WindowQueueRow.window_id, WindowQueueRow.queue_id)
                                 .join(WindowRow, WindowRow.id == WindowQueueRow.window_id)
                                 .where(WindowRow.site_id == site_id).order_by(WindowQueueRow.position)):
        serves.setdefault(wid, []).append(qid)
    now_windows = [warning.WindowNow(w["window_id"], w["number"], tuple(serves.get(w["window_id"], ())), w["state"])
                   for w in window_states(conn, site_id)]
    queues = {q.id: (q.letter, q.name) for q in conn.execute(select(QueueRow).where(QueueRow.site_id == site_id))}
    return [{"queue_id": x.queue_id, "letter": queues.get(x.queue_id, ("?", ""))[0],
             "queue": queues.get(x.queue_id, ("?", x.queue_id))[1], "minutes": x.minutes, "horizon": x.horizon,
             "tickets": x.tickets, "window_id": x.helper_window_id, "window_number": x.helper_number,
             "serving": sorted(w for w, qs in serves.items() if x.queue_id in qs)}
            for x in warning.warnings(now, waiting, now_windows, calls)]


def window_states(conn: Connection, site_id: str) -> list[dict]:
    """Each window of the site as a warning sees it (window_id, number, state): "closed" while nobody is signed in on
    its own terminal and no ticket is at it (nobody there to help), else paused, the state of its ticket, or idle."""
    signed_in = set(conn.execute(
        select(DeviceRow.window_id).join(ClerkSessionRow, ClerkSessionRow.device_id == DeviceRow.id)
        .where(DeviceRow.site_id == site_id, DeviceRow.window_id.is_not(None), DeviceRow.revoked_at.is_(None),
               ClerkSessionRow.ended_at.is_(None))).scalars())
    rows = conn.execute(
        select(WindowRow.id, WindowRow.number, WindowStateRow.paused, T.c.status)
        .join(WindowStateRow, WindowStateRow.window_id == WindowRow.id)
        .outerjoin(T, T.c.id == WindowStateRow.current_ticket_id)
        .where(WindowRow.site_id == site_id).order_by(WindowRow.number)).all()
    return [{"window_id": r.id, "number": r.number,
             "state": "closed" if r.id not in signed_in and r.status is None
             else "paused" if r.paused else r.status or "idle"} for r in rows]


def for_window(site: list[dict], window_id: str) -> list[dict]:
    """The site's warnings for one window's terminal: those of the queues it may serve, each saying whether this
    window is the one suggested to help (`helper_is_me`)."""
    return [{k: w[k] for k in ("queue_id", "letter", "queue", "minutes", "horizon", "tickets", "window_number")}
            | {"helper_is_me": w["window_id"] == window_id} for w in site if window_id in w["serving"]]


def _aware(at: datetime) -> datetime:
    return utc(at)  # SQLite gives the instants back as UTC without their zone
