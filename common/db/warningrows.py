"""The live warnings the hub raised, as rows of `raised_warnings` (common/usecases/warnkeeper.py writes them; the
dashboard reads `record`). A row is added for a queue only while it has no undecided one, and decided once."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from sqlalchemy import Connection, func, insert, select, update

from common.db.schema import RaisedWarningRow
from common.domain.clock import business_day, utc
from common.domain.ids import uuid7

W = RaisedWarningRow.__table__


def open_rows(conn: Connection, site_id: str) -> list:
    """The rows of the site's undecided warnings, oldest first (`raised_at` aware, in UTC)."""
    return list(conn.execute(select(W).where(W.c.site_id == site_id, W.c.decided_at.is_(None)).order_by(W.c.raised_at)))


def sites_undecided(conn: Connection) -> set[str]:
    return set(conn.execute(select(W.c.site_id).where(W.c.decided_at.is_(None)).distinct()).scalars())


def add(conn: Connection, site_id: str, at: datetime, raised: Iterable[dict]) -> int:
    """Store each warning raised at `at` (a dict of `common.planning.live.site_warnings`) as undecided; how many."""
    rows = [{"id": str(uuid7()), "site_id": site_id, "queue_id": w["queue_id"], "business_day": business_day(at).isoformat(),
             "raised_at": utc(at), "horizon": w["horizon"], "minutes": w["minutes"], "tickets": w["tickets"],
             "helper_window_id": w["window_id"]} for w in raised]
    if rows:
        conn.execute(insert(RaisedWarningRow), rows)
    return len(rows)


def decide(conn: Connection, row_id: str, came_true: bool, at: datetime) -> None:
    conn.execute(update(RaisedWarningRow).where(W.c.id == row_id, W.c.decided_at.is_(None)).values(decided_at=utc(at), came_true=came_true))


def record(conn: Connection, site_id: str, now: datetime, days: int = 30) -> dict:
    """The site's warnings of the last `days` business days up to today (`between`), and `days`."""
    today = business_day(now)
    return {"days": days} | between(conn, site_id, today - timedelta(days=days - 1), today)


def between(conn: Connection, site_id: str, first: date, last: date) -> dict:
    """The site's warnings of the business days first..last: raised, decided, came true, precision (None: none
    decided yet) and undecided."""
    rows = conn.execute(select(W.c.came_true, func.count()).where(W.c.site_id == site_id, W.c.business_day >= first.isoformat(),
                                                                 W.c.business_day <= last.isoformat())
                        .group_by(W.c.came_true)).all()
    counts = {c: n for c, n in rows}
    true, false, open_ = counts.get(True, 0), counts.get(False, 0), counts.get(None, 0)
    decided = true + false
    return {"raised": decided + open_, "decided": decided, "came_true": true, "undecided": open_,
            "precision": true / decided if decided else None}


def raised_between(conn: Connection, site_id: str, first: date, last: date) -> list[tuple[str, datetime, int]]:
    """The site's warnings of the business days first..last as (queue, raised at in UTC, horizon minutes)."""
    rows = conn.execute(select(W.c.queue_id, W.c.raised_at, W.c.horizon).where(
        W.c.site_id == site_id, W.c.business_day >= first.isoformat(), W.c.business_day <= last.isoformat()))
    return [(q, utc(at), horizon) for q, at, horizon in rows]

