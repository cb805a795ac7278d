"""What the 视频帮办 pages show (docs/remote.md): the desk's queue and call, the village end's request, the matters."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from common.db import videorows
from common.db.schema import ServiceItemRow
from common.domain import videohelp as vh
from common.domain.clock import SHANGHAI, business_day
from common.domain.videohelp import VideoHelp


def _items(conn: Connection, site_ids) -> dict[str, tuple[str, str]]:
    rows = conn.execute(select(ServiceItemRow.id, ServiceItemRow.name, ServiceItemRow.name_en)
                        .where(ServiceItemRow.site_id.in_(list(site_ids))))
    return {r.id: (r.name, r.name_en or r.name) for r in rows}


def matters(conn: Connection, site_id: str) -> list[dict]:
    """The service items a village point may ask about, by name."""
    return sorted(({"id": k, "name": n, "name_en": en} for k, (n, en) in _items(conn, [site_id]).items()),
                  key=lambda m: m["name"])


def one(v: VideoHelp, now: datetime, names: dict[str, tuple[str, str]], villages: dict[str, str]) -> dict:
    """A request as the pages show it: nothing personal in it; never its call token."""
    wait = v.wait_seconds(now)
    service = v.service_seconds(now)
    name, name_en = names.get(v.item_id, (v.item_id, v.item_id))
    return {"id": v.id, "status": v.status.value, "village": villages.get(v.site_id, v.site_id),
            "item": name, "item_en": name_en, "call_back": v.call_back, "requested_at": v.requested_at.isoformat(),
            "requested_hm": v.requested_at.astimezone(SHANGHAI).strftime("%H:%M"),
            "wait_s": int(wait), "wait_limit_min": v.wait_limit_min, "wait_over": wait > v.wait_limit_min * 60,
            "service_s": None if service is None else int(service), "service_limit_min": v.service_limit_min,
            "service_over": service is not None and service > v.service_limit_min * 60,
            "outcome": v.outcome, "rated": v.rating_score is not None, "hung_up_by": v.hung_up_by,
            "by_phone": v.call_back and v.status is vh.VideoStatus.taken}  # a call-back taken: return it by phone


def desk(conn: Connection, site_id: str, clerk_id: str, now: datetime) -> dict:
    """The desk's page: the queue of the villages it serves (live requests first, then call-backs, oldest first),
    the clerk's own call (live, or over and waiting for her outcome), and today's figures."""
    villages = videorows.served_by(conn, site_id)
    requests = videorows.requests(conn, villages)
    names = _items(conn, villages)
    waiting = sorted((v for v in requests.values() if v.status in vh.WAITING),
                     key=lambda v: (v.status is vh.VideoStatus.call_back, v.requested_at))
    mine = next((v for v in sorted(requests.values(), key=lambda v: v.requested_at)
                 if v.clerk_id == clerk_id and v.status in (*vh.LIVE, vh.VideoStatus.call_over)), None)
    today = business_day(now)
    served = [v for v in requests.values() if v.taken_at and business_day(v.taken_at) == today]
    within = sum(1 for v in served if v.wait_seconds(now) <= v.wait_limit_min * 60)
    return {"queue": [one(v, now, names, villages) for v in waiting],
            "mine": one(mine, now, names, villages) if mine else None,
            "figures": {"served": len(served), "within_wait": within,
                        "finished": sum(1 for v in served if v.status is vh.VideoStatus.finished)}}


def village(conn: Connection, v: VideoHelp, now: datetime) -> dict:
    """The village end's view of its own request."""
    return one(v, now, _items(conn, [v.site_id]), {})


def call_backs(conn: Connection, site_id: str, now: datetime) -> list[dict]:
    """The village's call-back requests, newest first: those still open, and those left today (the village page shows
    where each stands: 待回拨, taken by a clerk who will phone, finished). Across the hub tree the desk's steps come
    down with the village hub's next round, so this is as fresh as the link."""
    today = business_day(now)
    shown = [v for v in videorows.requests(conn, [site_id]).values()
             if v.call_back and (v.status in (*vh.WAITING, *vh.LIVE) or business_day(v.requested_at) == today)]
    names = _items(conn, [site_id])
    return [one(v, now, names, {}) for v in sorted(shown, key=lambda v: v.requested_at, reverse=True)]
