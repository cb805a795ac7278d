"""The live warnings of a site now (warning.py), read from the hub's tickets and windows: for the
dashboard's site view and the terminals that may serve the queue."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from common.db import repo
from common.db.schema import QueueRow, WindowQueueRow, WindowRow
from common.domain.clock import business_day, utc
from common.domain.model import TicketStatus
from common.planning import warning

T = repo.T


def site_warnings(conn: Connection, site_id: str, now: datetime, windows: list[dict]) -> list[dict]:
    """`windows`: the dashboard's windows of the site (window_id, number, state). One dict per warning."""
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
                   for w in windows]
    queues = {q.id: (q.letter, q.name) for q in conn.execute(select(QueueRow).where(QueueRow.site_id == site_id))}
    return [{"queue_id": x.queue_id, "letter": queues.get(x.queue_id, ("?", ""))[0],
             "queue": queues.get(x.queue_id, ("?", x.queue_id))[1], "minutes": x.minutes, "horizon": x.horizon,
             "tickets": x.tickets, "window_id": x.helper_window_id, "window_number": x.helper_number}
            for x in warning.warnings(now, waiting, now_windows, calls)]


def _aware(at: datetime) -> datetime:
    return utc(at)  # SQLite gives the instants back as UTC without their zone
