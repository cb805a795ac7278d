"""Refusals whose clerk said the 办事指南 misled the citizen (`guide_wrong` on `service_finished`, docs/guides.md):
the editors' list of guides to look at again, newest first, each with the guide version that was current then.

Read from the event log (index ix_events_site_kind_seq, then the flag inside the event's JSON), bounded by a day
range and a count: a refusal is a few a day at a busy centre, flagged ones fewer."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from common.db import repo
from common.db.guiderows import G
from common.db.repo import E
from common.db.schema import ServiceItemRow, SiteRow, TicketRow, WindowRow
from common.domain import events as ev
from common.domain.clock import utc

MOST = 500  # flags listed at most
DAYS = 30  # the editors' page looks this far back


def flags(conn: Connection, site_ids: list[str], since: datetime, until: datetime) -> list[dict]:
    """The flagged refusals of `site_ids` in [since, until): item code and name, when, the window's number, the
    clerk's reason and the guide's version at that moment (None: the matter had no guide then)."""
    if not site_ids:
        return []
    q = (select(E.c.at, E.c.site_id, E.c.data, ServiceItemRow.code, ServiceItemRow.name, WindowRow.number)
         .join(TicketRow, TicketRow.id == E.c.data["ticket_id"].as_string())
         .join(ServiceItemRow, ServiceItemRow.id == TicketRow.item_id)
         .join(WindowRow, WindowRow.id == E.c.data["window_id"].as_string())
         .where(E.c.site_id.in_(site_ids), E.c.kind == ev.SERVICE_FINISHED, E.c.at >= utc(since), E.c.at < utc(until),
                E.c.data["guide_wrong"].as_boolean().is_(True))
         .order_by(E.c.seq.desc()).limit(MOST))
    rows = conn.execute(q).all()
    versions: dict[str, list[tuple[datetime, int]]] = {}
    for code in {r.code for r in rows}:
        versions[code] = [(utc(v.published_at), v.version) for v in conn.execute(
            select(G.c.published_at, G.c.version).where(G.c.item_code == code).order_by(G.c.version))]
    out = []
    for r in rows:
        at = utc(r.at)
        current = [v for published, v in versions[r.code] if published <= at]
        out.append({"item_code": r.code, "item_name": r.name, "at": at, "site_id": r.site_id, "window": r.number,
                    "reason": r.data.get("reason") or "", "guide_version": current[-1] if current else None})
    return out


def at_hub(conn: Connection, now: datetime, days: int = DAYS, code: str | None = None) -> list[dict]:
    """The flags of the last `days` days at every site this hub holds (its own and its child hubs'), of one item
    code or all: what the editors' page and `haoban admin guide-flags` list."""
    sites = sorted(repo.owned_sites(conn) | repo.child_hub_sites(conn))
    found = flags(conn, sites, now - timedelta(days=days), now + timedelta(seconds=1))  # a flag of this second counts
    names: dict[str, str] = {r.id: r.name for r in conn.execute(select(SiteRow.id, SiteRow.name))}
    return [{**f, "site_name": names.get(f["site_id"], f["site_id"])} for f in found
            if code is None or f["item_code"] == code]
