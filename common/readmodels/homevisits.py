"""What the 上门办 pages and the dashboard show (docs/remote.md): a team's list for a day, the open requests, the
figures. Persons only masked here (`Person.masked`); the full showing is `Hub.show_home_person` (audited)."""
from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import Connection, select

from common.db import caserows, guiderows, homerows, repo
from common.db.schema import ServiceItemRow, SiteRow
from common.domain import homevisits as hv
from common.domain.clock import business_day
from common.domain.homevisits import HomeVisit


def _sites(conn: Connection, only: Collection[str] | None = None) -> list[str]:
    """The sites whose visits this hub holds (its own, its child hubs'); `only`: of these, those a page may show."""
    held = repo.owned_sites(conn) | repo.child_hub_sites(conn)
    return sorted(held if only is None else held & set(only))


def _names(conn: Connection) -> dict[str, str]:
    return {r.id: r.name for r in conn.execute(select(SiteRow.id, SiteRow.name))}


def _items(conn: Connection) -> dict[tuple[str, str], ServiceItemRow]:
    return {(r.site_id, r.id): r for r in conn.execute(select(ServiceItemRow.__table__))}


def _one(v: HomeVisit, key: bytes | None, items, villages: dict[str, str]) -> dict:
    item = items.get((v.site_id, v.item_id))
    try:
        person = hv.unseal_person(key, v.person).masked()  # masked at once: the full form never leaves this line
    except Exception:  # noqa: BLE001 - another hub's seal or none: the list still shows the visit
        person = {"name": "***", "phone": "***", "address": "***"}
    return {"id": v.id, "village_id": v.site_id, "village": villages.get(v.site_id, v.site_id),
            "item": item.name if item else v.item_id, "item_en": (item.name_en or item.name) if item else v.item_id,
            "item_code": item.code if item else None, "status": v.status.value, "source": v.source,
            "reason": v.reason, "slots": v.slots, "team": v.team, "day": v.day, "order": v.order,
            "requested_at": v.requested_at.isoformat(), "visits": len(v.visits), "rated": v.rating_score is not None,
            **{f"person_{k}": value for k, value in person.items()}}


def day_list(conn: Connection, team: str, day: date, village_order: Sequence[str], key: bytes | None,
             now: datetime, sites: Collection[str] | None = None) -> list[dict]:
    """A team's visits for `day`: grouped by village, the villages in the team's configured order (`village_order`;
    a village it does not name comes after, by name), within a village by the planner's order; each with the
    matter's 一次告知 materials when its guide has them. `sites`: only these villages' visits (a page's viewer's)."""
    villages = _names(conn)
    items = _items(conn)
    rank = {s: i for i, s in enumerate(village_order)}
    todo = [v for v in homerows.visits(conn, _sites(conn, sites)).values()
            if v.status is hv.HomeStatus.planned and v.team == team and v.day == day.isoformat()]
    todo.sort(key=lambda v: (rank.get(v.site_id, len(rank)), villages.get(v.site_id, v.site_id), v.order or 0, v.id))
    out = []
    for v in todo:
        row = _one(v, key, items, villages)
        g = guiderows.guide(conn, row["item_code"]) if row["item_code"] else None
        row["materials"] = [{"name": m.name, "name_en": m.name_en or m.name, "copies": m.copies}
                            for m in g.materials] if g else []
        row["guide_version"] = getattr(g, "version", None) if g else None
        out.append(row)
    return out


def recorded(conn: Connection, team: str, day: date, key: bytes | None, now: datetime,
             sites: Collection[str] | None = None) -> list[dict]:
    """A team's visits of `day` already recorded (done, or back to plan after not at home / needs another visit),
    in the planner's order; each says its last outcome and whether the citizen may still rate it."""
    villages, items = _names(conn), _items(conn)
    made = [v for v in homerows.visits(conn, _sites(conn, sites)).values()
            if v.visits and v.team == team and v.day == day.isoformat()
            and v.status in (hv.HomeStatus.done, hv.HomeStatus.revisit)]
    made.sort(key=lambda v: (villages.get(v.site_id, v.site_id), v.order or 0, v.id))
    return [{**_one(v, key, items, villages), "outcome": v.visits[-1]["outcome"], "ratable": v.ratable()}
            for v in made]


def visit(conn: Connection, visit_id: str, key: bytes | None, now: datetime,
          sites: Collection[str] | None = None) -> dict | None:
    """One visit as the team's laptop shows it (masked): its matter's 一次告知 materials (the names the team ticks
    as taken), its last outcome and whether the citizen may rate it; None when `sites` do not hold it."""
    v = homerows.visits(conn, _sites(conn, sites)).get(visit_id) if isinstance(visit_id, str) else None
    if v is None:
        return None
    row = _one(v, key, _items(conn), _names(conn))
    g = guiderows.guide(conn, row["item_code"]) if row["item_code"] else None
    row["materials"] = [{"name": m.name, "name_en": m.name_en or m.name} for m in g.materials] if g else []
    row["outcome"] = v.visits[-1]["outcome"] if v.visits else None
    row["taken"] = v.visits[-1]["materials"] if v.visits else []
    row["ratable"] = v.ratable()
    return row


def open_requests(conn: Connection, key: bytes | None, now: datetime,
                  sites: Collection[str] | None = None, planned: bool = False) -> list[dict]:
    """Requests still to plan (new, or back after not-at-home / needs-another-visit), oldest first; `sites` as in
    `day_list`; `planned`: those put on a day too (every open request: the village staff's list)."""
    items, villages = _items(conn), _names(conn)
    wanted = hv.OPEN if planned else (hv.HomeStatus.requested, hv.HomeStatus.revisit)
    waiting = [v for v in homerows.visits(conn, _sites(conn, sites)).values() if v.status in wanted]
    return [_one(v, key, items, villages) for v in sorted(waiting, key=lambda v: v.requested_at)]


def figures(conn: Connection, now: datetime, sites: Collection[str] | None = None) -> dict:
    """For the dashboard: requests, visits made and done, the average in working days (the district's calendar,
    `WorkCalendar.between`) from the request to the first visit at the door, the ratings; `sites` as in `day_list`."""
    calendar = caserows.calendar(conn)
    all_ = list(homerows.visits(conn, _sites(conn, sites)).values())
    visited = [v for v in all_ if v.first_visit_at is not None]
    days = [calendar.between(business_day(v.requested_at), business_day(v.first_visit_at)) for v in visited
            if v.first_visit_at is not None]
    scores = [v.rating_score for v in all_ if v.rating_score is not None]
    return {"requests": len(all_), "open": sum(1 for v in all_ if v.status in hv.OPEN),
            "visits": sum(len(v.visits) for v in all_), "done": sum(1 for v in all_ if v.status is hv.HomeStatus.done),
            "cancelled": sum(1 for v in all_ if v.status is hv.HomeStatus.cancelled),
            "avg_working_days": round(sum(days) / len(days), 1) if days else None,
            "ratings": len(scores), "avg_score": round(sum(scores) / len(scores), 2) if scores else None,
            "by_score": {s: scores.count(s) for s in range(1, 6)}}


def places(conn: Connection, site_id: str) -> list[dict]:
    """The villages a supervisor of `site_id` plans for (her site and the sites right below it, as the commands
    allow), by name, each with its matters: {site_id, name, items: [{id, name, name_en, code}]}."""
    rows = conn.execute(select(SiteRow.id, SiteRow.name).where((SiteRow.id == site_id) | (SiteRow.parent_id == site_id))
                        .order_by(SiteRow.name, SiteRow.id)).all()
    items = conn.execute(select(ServiceItemRow.id, ServiceItemRow.site_id, ServiceItemRow.name, ServiceItemRow.name_en,
                                ServiceItemRow.code).where(ServiceItemRow.site_id.in_([r.id for r in rows]))
                         .order_by(ServiceItemRow.code)).all()
    return [{"site_id": r.id, "name": r.name,
             "items": [{"id": i.id, "name": i.name, "name_en": i.name_en or i.name, "code": i.code}
                       for i in items if i.site_id == r.id]} for r in rows]


def teams(conn: Connection, sites: Collection[str]) -> list[str]:
    """The teams already planned for these villages (the planning page offers them), by name."""
    return sorted({v.team for v in homerows.visits(conn, _sites(conn, sites)).values() if v.team})
