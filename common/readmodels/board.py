"""The hall display board and the citizen's phone: who is called where, how many wait, how long it may take.

Nothing here names a citizen: the board shows ticket numbers, windows and counts only.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, time

from sqlalchemy import Connection, func, select

from common.db import repo
from common.db.schema import QueueRow, ServiceItemRow, SiteRow, WindowQueueRow, WindowRow
from common.domain import errors as e
from common.domain import events as ev
from common.domain import policy
from common.domain.clock import SHANGHAI, business_day
from common.domain.model import TicketStatus
from common.readmodels import queries

E, T = repo.E, repo.T
CALLS_SHOWN = 6
CALL_KINDS = (ev.TICKET_CALLED, ev.TICKET_RECALLED)
DEFAULT_NOTICE = "请留意叫号，过号请到咨询台重新排队。办事不用跑，好办帮您办。"


def _calls(conn: Connection, site_id: str, now: datetime, limit: int) -> list[dict]:
    start = datetime.combine(business_day(now), time(0), SHANGHAI)
    rows = conn.execute(select(E).where(E.c.site_id == site_id, E.c.kind.in_(CALL_KINDS), E.c.at >= start)
                        .order_by(E.c.seq.desc()).limit(limit)).all()
    events = [repo.event_from_row(r) for r in rows]
    numbers = dict(conn.execute(select(T.c.id, T.c.number).where(T.c.id.in_({x.ticket_id for x in events}))).all())
    windows = {w.id: w for w in conn.execute(select(WindowRow.id, WindowRow.number, WindowRow.name)
                                             .where(WindowRow.id.in_({x.window_id for x in events})))}
    return [{"seq": x.seq, "kind": x.kind, "at": x.at.isoformat(), "number": numbers.get(x.ticket_id),
             "window_number": windows[x.window_id].number, "window_name": windows[x.window_id].name}
            for x in events if x.window_id in windows]


def board(conn: Connection, site_id: str, now: datetime) -> dict:
    """What the hall's TV shows: the latest calls (newest first), waiting counts per queue, a notice."""
    site = conn.execute(select(SiteRow.name, SiteRow.rules).where(SiteRow.id == site_id)).first()
    if site is None:
        raise e.NotFound("no_site")
    queues = conn.execute(select(QueueRow.id, QueueRow.letter, QueueRow.name)
                          .where(QueueRow.site_id == site_id).order_by(QueueRow.letter)).all()
    waiting = Counter(conn.execute(select(T.c.queue_id).where(
        T.c.site_id == site_id, T.c.status == TicketStatus.waiting.value,
        T.c.business_day == business_day(now).isoformat())).scalars())
    return {
        "site_name": site.name,
        "notice": (site.rules or {}).get("notice") or DEFAULT_NOTICE,
        "last_seq": repo.last_seq(conn, site_id),
        "now": now.isoformat(),
        "calls": _calls(conn, site_id, now, CALLS_SHOWN),
        "queues": [{"letter": q.letter, "name": q.name, "waiting": waiting[q.id]} for q in queues],
    }


def call(conn: Connection, site_id: str, seq: int) -> tuple[str, int]:
    """(ticket number, window number) of the call stored at `seq`, for its announcement."""
    row = conn.execute(select(E).where(E.c.site_id == site_id, E.c.seq == seq, E.c.kind.in_(CALL_KINDS))).first()
    if row is None:
        raise e.NotFound("no_call")
    x = repo.event_from_row(row)
    number = conn.execute(select(T.c.number).where(T.c.id == x.ticket_id)).scalar()
    window = conn.execute(select(WindowRow.number).where(WindowRow.id == x.window_id)).scalar()
    if number is None or window is None:
        raise e.NotFound("no_call")
    return number, window


def ticket_status(conn: Connection, token: str, now: datetime) -> dict:
    """The phone page's status: the public status, and a plain estimate of the wait while waiting.

    The estimate is the kiosk's: people ahead x the item's standard minutes / windows serving the queue.
    """
    t = queries.ticket_by_token(conn, token)
    status = queries.public_ticket(conn, t, now)
    status["wait_minutes"] = None
    if status["people_ahead"] is not None:
        minutes = conn.execute(select(ServiceItemRow.standard_minutes).where(ServiceItemRow.id == t.item_id)).scalar()
        windows = conn.execute(select(func.count()).select_from(WindowQueueRow)
                               .where(WindowQueueRow.queue_id == t.queue_id)).scalar()
        status["wait_minutes"] = policy.estimate_wait_minutes(status["people_ahead"], minutes, windows)
    return status
