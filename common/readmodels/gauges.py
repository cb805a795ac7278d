"""What the hub's /metrics shows, read at scrape time: waiting tickets and the longest wait per queue, windows by
state, the sync backlog of each peer and the head of each site's event log. Counts and ids only: no personal data."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, Engine, func, select

from common.db import repo
from common.db.engine import reader
from common.db.schema import ClerkSessionRow, DeviceRow, QueueRow, SiteRow, WindowRow, WindowStateRow
from common.domain import sla
from common.domain.clock import business_day, utc
from common.domain.model import TicketStatus
from common.readmodels import peers

T = repo.T


class Waited(NamedTuple):
    """What `sla.wait_seconds` reads of a ticket."""

    business_day: str
    waited_seconds: float
    waiting_since: datetime | None


@dataclass
class Gauges:
    waiting: dict[tuple[str, str], int] = field(default_factory=dict)  # (site, queue letter) -> tickets waiting
    longest_wait: dict[tuple[str, str], float] = field(default_factory=dict)  # (site, queue letter) -> seconds
    windows: dict[tuple[str, str], int] = field(default_factory=dict)  # (site, "open" | "paused" | "closed") -> windows
    backlog: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (peer, site, role) -> events not synced
    events: dict[str, int] = field(default_factory=dict)  # site -> last sequence number of its event log


WINDOW_STATES = ("open", "paused", "closed")


def read(engine: Engine, now: datetime) -> Gauges:
    """Every gauge, in a handful of indexed queries (a few ms on a busy day: docs/benchmarks.md)."""
    with reader(engine) as conn:
        g = _read(conn, now)
    g.backlog = backlog(engine)
    return g


def _read(conn: Connection, now: datetime) -> Gauges:
    g = Gauges()
    letters = {q.id: (q.site_id, q.letter) for q in conn.execute(select(QueueRow.id, QueueRow.site_id, QueueRow.letter))}
    for key in letters.values():  # every queue appears, with 0 when nobody waits: a gap in a graph is not a zero
        g.waiting[key], g.longest_wait[key] = 0, 0.0
    today = business_day(now).isoformat()
    waiting = (T.c.status == TicketStatus.waiting.value, T.c.business_day == today)
    # Aggregated in SQL (1,700 tickets waiting: 4 ms, against 90 ms to load them all): a ticket waiting for the first
    # time has waited since its span opened; one waiting again (re-queued, transferred) adds what it waited before.
    once = (select(T.c.site_id, T.c.queue_id, func.count(), func.min(T.c.waiting_since))
            .where(*waiting, T.c.waited_seconds == 0).group_by(T.c.site_id, T.c.queue_id))
    again = select(T.c.site_id, T.c.queue_id, T.c.waited_seconds, T.c.waiting_since).where(*waiting, T.c.waited_seconds > 0)
    rows = [(s, q, n, Waited(today, 0.0, utc(since) if since else None)) for s, q, n, since in conn.execute(once)]
    rows += [(s, q, 1, Waited(today, w, utc(since) if since else None)) for s, q, w, since in conn.execute(again)]
    for site, queue, count, oldest in rows:
        key = letters.get(queue, (site, "?"))
        g.waiting[key] = g.waiting.get(key, 0) + count
        g.longest_wait[key] = max(g.longest_wait.get(key, 0.0), sla.wait_seconds(oldest, now))  # type: ignore[arg-type]
    g.windows = _windows(conn)
    sites = conn.execute(select(SiteRow.id)).scalars().all()
    for site in sites:  # one indexed look each (a GROUP BY would read the whole index of a long log)
        head = conn.execute(select(func.max(repo.E.c.seq)).where(repo.E.c.site_id == site)).scalar()
        if head is not None:
            g.events[site] = head
    return g


def _windows(conn: Connection) -> dict[tuple[str, str], int]:
    """Open: a clerk signed in on the window's terminal, or a ticket at it, and not paused (as `queries.window_states`
    decides "staffed"); paused; closed: nobody there."""
    signed_in = set(conn.execute(
        select(DeviceRow.window_id).join(ClerkSessionRow, ClerkSessionRow.device_id == DeviceRow.id)
        .where(DeviceRow.window_id.is_not(None), DeviceRow.revoked_at.is_(None), ClerkSessionRow.ended_at.is_(None))).scalars())
    rows = conn.execute(select(WindowRow.id, WindowRow.site_id, WindowStateRow.paused, WindowStateRow.current_ticket_id)
                        .join(WindowStateRow, WindowStateRow.window_id == WindowRow.id))
    counts: Counter[tuple[str, str]] = Counter()
    sites = set()
    for w in rows:
        sites.add(w.site_id)
        state = "paused" if w.paused else "open" if (w.id in signed_in or w.current_ticket_id is not None) else "closed"
        counts[(w.site_id, state)] += 1
    return {(site, state): counts[(site, state)] for site in sites for state in WINDOW_STATES}


def backlog(engine: Engine) -> dict[tuple[str, str, str], int]:
    """Events each peer has still to get: a device's events of its site it has not pulled, and this hub's own events
    not yet uploaded to its upstream (peer "upstream"). A child hub pulls no events: it has no backlog here."""
    children, link = peers.rows(engine)
    out = {(c["peer_id"], c["site"], c["role"]): c["to_pull"] for c in children if c["to_pull"] is not None}
    if link:
        out[("upstream", link["site"] or "", "upstream")] = link["backlog"]
    return out
