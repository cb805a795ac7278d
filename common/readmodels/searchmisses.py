"""The kiosks' guide searches that found nothing (`search_missed` events, docs/guide-search.md "Words from the
hall"): the editors' list of words to add, most asked first. The texts came masked (no run of four digits) and are
shown only to the editors; nothing names who typed them.

Read from the event log (index ix_events_site_kind_seq), bounded: the last LOOKED events of the day range."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, select

from common.db import repo
from common.db.repo import E
from common.domain import events as ev
from common.domain.clock import utc

LOOKED = 20_000  # events read at most (a busy district: a few hundred misses a day)
SHOWN = 100  # texts listed at most


def misses(conn: Connection, now: datetime, days: int = 30) -> dict:
    """The texts of the last `days` days at every site this hub holds, grouped as typed (spaces and case aside):
    {"texts": [{text, count, sites, last}], "total": n}, most asked first."""
    sites = sorted(repo.owned_sites(conn) | repo.child_hub_sites(conn))
    if not sites:
        return {"texts": [], "total": 0}
    rows = conn.execute(select(E.c.site_id, E.c.at, E.c.data)
                        .where(E.c.site_id.in_(sites), E.c.kind == ev.SEARCH_MISSED,
                               E.c.at >= utc(now - timedelta(days=days)), E.c.at <= utc(now))
                        .order_by(E.c.seq.desc()).limit(LOOKED)).all()
    grouped: dict[str, dict] = {}
    for r in rows:
        text = " ".join(str(r.data.get("text", "")).split())
        key = text.lower()
        g = grouped.setdefault(key, {"text": text, "count": 0, "sites": set(), "last": utc(r.at)})
        g["count"] += 1
        g["sites"].add(r.site_id)
    ranked = sorted(grouped.values(), key=lambda g: (-g["count"], -g["last"].timestamp()))[:SHOWN]
    return {"texts": [{**g, "sites": len(g["sites"])} for g in ranked], "total": len(rows)}
