"""The sync peers of a hub (`haoban hub status`): each child's last contact, backlog and cursor, and this hub's own upstream link."""
from __future__ import annotations

from sqlalchemy import Engine, func, select

from common.db import repo
from common.db.schema import DeviceRow, SyncPeerRow, UpstreamSetAsideRow


def rows(engine: Engine) -> tuple[list[dict], dict]:
    with engine.connect() as conn:
        peers = conn.execute(
            select(SyncPeerRow.__table__, DeviceRow.name).join(DeviceRow, DeviceRow.id == SyncPeerRow.peer_id, isouter=True)
            .order_by(SyncPeerRow.site_id, SyncPeerRow.role)
        ).all()
        heads = dict(conn.execute(select(repo.E.c.site_id, func.max(repo.E.c.seq)).group_by(repo.E.c.site_id)).all())
        up = repo.sync_state(conn, "upstream")
        own_head = heads.get(up.get("site_id"), 0) if up else 0
        aside = conn.execute(select(UpstreamSetAsideRow.seq)).scalars().all()
        down = repo.sync_state(conn, "upstream_cases")  # common.usecases.upstream.CASES_KEY
    children = [{
        "peer_id": p.peer_id, "name": p.name or p.peer_id, "site": p.site_id, "role": p.role,
        "last_contact": p.last_contact.isoformat(timespec="seconds") if p.last_contact else "never",
        "pushed_up_to": p.acked, "pulled_up_to": p.pulled, "received": p.received,
        # a child hub pulls reference data, not events: it has nothing "to pull" (None)
        "to_pull": None if p.role == "hub" else max(0, heads.get(p.site_id, 0) - p.pulled),
    } for p in peers]
    link = {}
    if up:
        link = {"url": up.get("url"), "site": up.get("site_id"), "acked": up.get("acked", 0),
                # events set aside are not waiting: they are never sent again by themselves
                "backlog": max(0, own_head - up.get("acked", 0) - sum(1 for seq in aside if seq > up.get("acked", 0))),
                "set_aside": len(aside), "errors": up.get("errors", {}),
                # the case steps pulled down (docs/sync.md "Cases down the tree"): the parent's seq, and those set aside
                "cases_pulled": down.get("pulled", 0), "cases_set_aside": down.get("set_aside_count", 0),
                "last_contact": up.get("last_contact", "never"), "reference_version": up.get("reference_version")}
    return children, link
