"""`haoban hub status`: each child's last contact, backlog and cursor, and this hub's own upstream link."""
from __future__ import annotations

from sqlalchemy import Engine, func, select

from . import repo
from .db.schema import DeviceRow, SyncPeerRow
from .upstream import load_state


def rows(engine: Engine) -> tuple[list[dict], dict]:
    with engine.connect() as conn:
        peers = conn.execute(
            select(SyncPeerRow.__table__, DeviceRow.name).join(DeviceRow, DeviceRow.id == SyncPeerRow.peer_id, isouter=True)
            .order_by(SyncPeerRow.site_id, SyncPeerRow.role)
        ).all()
        heads = dict(conn.execute(select(repo.E.c.site_id, func.max(repo.E.c.seq)).group_by(repo.E.c.site_id)).all())
        up = load_state(conn)
        own_head = heads.get(up.get("site_id"), 0) if up else 0
    children = [{
        "name": p.name or p.peer_id, "site": p.site_id, "role": p.role,
        "last_contact": p.last_contact.isoformat(timespec="seconds") if p.last_contact else "never",
        "pushed_up_to": p.acked, "pulled_up_to": p.pulled, "received": p.received,
        "to_pull": max(0, heads.get(p.site_id, 0) - p.pulled),
    } for p in peers]
    link = {}
    if up:
        link = {"url": up.get("url"), "site": up.get("site_id"), "acked": up.get("acked", 0),
                "backlog": max(0, own_head - up.get("acked", 0)), "last_contact": up.get("last_contact", "never"),
                "reference_version": up.get("reference_version")}
    return children, link


def render(engine: Engine, settings=None) -> str:
    children, link = rows(engine)
    out = []
    if link:
        out.append(f"upstream {link['url']}  site {link['site']}  last contact {link['last_contact']}  "
                   f"uploaded up to #{link['acked']}  backlog {link['backlog']}  reference {link['reference_version']}")
    else:
        out.append("no upstream: this hub is the central one")
    out.append(f"{'peer':<24} {'site':<16} {'role':<9} {'last contact':<26} {'pushed':>7} {'pulled':>7} {'to pull':>8}")
    for c in children:
        out.append(f"{c['name'][:24]:<24} {c['site'][:16]:<16} {c['role']:<9} {c['last_contact']:<26} "
                   f"{c['pushed_up_to']:>7} {c['pulled_up_to']:>7} {c['to_pull']:>8}")
    if not children:
        out.append("(no device or hub has synced yet)")
    return "\n".join(out)
