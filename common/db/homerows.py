"""上门办 visits read back from the event log (docs/remote.md): a fold of the home-visit events of some sites.

No table of their own, as for 视频帮办 (common/db/videorows.py): a village asks a few times a week, so the fold of its
home-visit events (index ix_events_site_kind_seq) is small; no migration (0016 stays unused)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, select

from common.db.repo import E, event_from_row
from common.domain import homevisits
from common.domain.homevisits import HomeVisit


def visits(conn: Connection, site_ids: Iterable[str]) -> dict[str, HomeVisit]:
    """Every home visit of `site_ids` as its events made it, by id."""
    sites = list(site_ids)
    out: dict[str, HomeVisit] = {}
    if not sites:
        return out
    q = select(E).where(E.c.site_id.in_(sites), E.c.kind.in_(sorted(homevisits.KINDS))).order_by(E.c.seq)
    for row in conn.execute(q):
        x = event_from_row(row)
        homevisits.apply(out, x.site_id, x.kind, x.at, x.data)
    return out
