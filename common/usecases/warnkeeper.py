"""Keep the live warnings so that their precision is a figure (docs/planning.md "Live warning"). Every minute
(server/app.py), for each site this hub owns with tickets waiting today or a warning still undecided:

1. decide each stored warning whose horizon has passed: it came true if a ticket of its queue and business day
   crossed its wait limit within the horizon (`sla.breaches`, `warning.came_true`: the limit counted from issue
   to the first call, as the warning itself predicts it);
2. store the site's warnings of now, one per queue that has no undecided warning (a warning lasting ten minutes is
   one warning, not ten).

The warnings of now are computed here, at the time of the round (`live.site_warnings`, as the dashboard does; the
terminals' 30-second cache, server/warning_routes.py, is theirs).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select

from common.db import repo, warningrows
from common.db.engine import reader
from common.domain import sla
from common.domain.clock import business_day, utc
from common.domain.model import TicketStatus
from common.planning import live, warning


def keep(engine: Engine, write_lock, now: datetime) -> tuple[int, int]:
    """One round over the sites (see the module's docstring); (warnings stored, warnings decided)."""
    T = repo.T
    with reader(engine) as conn:
        sites = set(conn.execute(select(T.c.site_id).where(T.c.business_day == business_day(now).isoformat(),
                                                           T.c.status == TicketStatus.waiting.value).distinct()).scalars())
        sites |= warningrows.sites_undecided(conn)
        sites -= repo.child_hub_sites(conn)
    stored = decided = 0
    for site_id in sorted(sites):
        with write_lock, engine.begin() as conn:
            current = live.site_warnings(conn, site_id, now)
            waiting_for = set()
            for r in warningrows.open_rows(conn, site_id):
                w = warning.Warning(r.queue_id, utc(r.raised_at), r.minutes, r.horizon, r.tickets, r.helper_window_id, None)
                if now < w.at + timedelta(minutes=w.horizon):
                    waiting_for.add(w.queue_id)
                    continue
                warningrows.decide(conn, r.id, warning.came_true(w, _crossed(conn, site_id, w.queue_id, r.business_day)), now)
                decided += 1
            stored += warningrows.add(conn, site_id, now, [d for d in current if d["queue_id"] not in waiting_for])
    return stored, decided


def _crossed(conn: Connection, site_id: str, queue_id: str, day: str) -> list[tuple[str, datetime]]:
    T = repo.T
    rows = conn.execute(select(T.c.issued_at, T.c.wait_limit_min, T.c.first_called_at).where(
        T.c.site_id == site_id, T.c.queue_id == queue_id, T.c.business_day == day))
    return sla.breaches((queue_id, utc(r.issued_at), r.wait_limit_min,
                             None if r.first_called_at is None else utc(r.first_called_at)) for r in rows)
