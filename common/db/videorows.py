"""视频帮办 requests read back from the event log (docs/remote.md): a fold of the video-help events of some sites.

No table of their own in this slice: a village point asks a few times a day, so the fold of a site's video events
(index ix_events_site_kind_seq) is small; a projection table comes when the figures say so (docs/remote.md)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from common.db.repo import E, event_from_row
from common.db.schema import SiteRow
from common.domain import videohelp
from common.domain.videohelp import VideoHelp


def requests(conn: Connection, site_ids: Iterable[str]) -> dict[str, VideoHelp]:
    """Every video-help request of `site_ids` as its events made it, by id."""
    sites = list(site_ids)
    out: dict[str, VideoHelp] = {}
    if not sites:
        return out
    q = select(E).where(E.c.site_id.in_(sites), E.c.kind.in_(sorted(videohelp.KINDS))).order_by(E.c.seq)
    for row in conn.execute(q):
        x = event_from_row(row)
        videohelp.apply(out, x.site_id, x.kind, x.at, x.data)
    return out


def served_by(conn: Connection, site_id: str) -> dict[str, str]:
    """The sites whose desks are at `site_id` (its children in the site tree): id -> name."""
    return {r.id: r.name for r in conn.execute(select(SiteRow.id, SiteRow.name).where(SiteRow.parent_id == site_id))}


def parent_of(conn: Connection, site_id: str) -> str | None:
    return conn.execute(select(SiteRow.parent_id).where(SiteRow.id == site_id)).scalar()
