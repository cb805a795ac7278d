"""Guides as rows (common/domain/guide.py <-> the `guides` table): every published version of an item's guide is
kept; the newest is the one shown. The checks of a guide's cross-references are the caller's (common/guides/files.py
reads every guide that comes in, from a file, an editor or upstream)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, func, insert, select

from common.db.schema import BundleItemRow, BundleRow, GuideRow, ServiceItemRow
from common.domain.clock import utc
from common.domain.guide import Guide, Published

G = GuideRow.__table__


def _body(guide: Guide) -> dict:
    return {**guide.model_dump(mode="json", exclude_defaults=True), "version": guide.version}  # the version always


def _content(body: dict) -> dict:
    """What an editor changes: everything but the version and who published it."""
    return {k: v for k, v in body.items() if k not in ("version", "published")}


def newest(conn: Connection, codes: Iterable[str] | None = None) -> list[dict]:
    """The newest version of each guide (of the items `codes`, or of all), as stored JSON, by item code."""
    top = select(G.c.item_code, func.max(G.c.version).label("v")).group_by(G.c.item_code)
    if codes is not None:
        top = top.where(G.c.item_code.in_(list(codes)))
    top_q = top.subquery()
    rows = conn.execute(select(G.c.body).join(top_q, (G.c.item_code == top_q.c.item_code) & (G.c.version == top_q.c.v))
                        .order_by(G.c.item_code))
    return [r.body for r in rows]


def guide(conn: Connection, code: str, version: int | None = None) -> Guide | None:
    """An item's guide: the newest version, or the one asked for."""
    q = select(G.c.body).where(G.c.item_code == code)
    q = q.where(G.c.version == version) if version is not None else q.order_by(G.c.version.desc()).limit(1)
    body = conn.execute(q).scalar()
    return Guide.model_validate(body) if body is not None else None


def bundle(conn: Connection, code: str) -> tuple[dict, list[Guide], list[dict]] | None:
    """A 一件事 bundle by its code (the first site's that has it): {code, name, name_en}, the newest guides of its
    items in the reference data's order (by item id, as a kiosk holds them) and its items without a guide
    ({name, name_en}); None when no bundle has this code."""
    b, bi, si = BundleRow.__table__, BundleItemRow.__table__, ServiceItemRow.__table__
    found = conn.execute(select(b.c.id, b.c.code, b.c.name, b.c.name_en).where(b.c.code == code)
                         .order_by(b.c.site_id).limit(1)).first()
    if found is None:
        return None
    items = conn.execute(select(si.c.code, si.c.name, si.c.name_en).join(bi, bi.c.item_id == si.c.id)
                         .where(bi.c.bundle_id == found.id).order_by(bi.c.item_id)).all()
    guides = [(i, guide(conn, i.code)) for i in items]
    return ({"code": found.code, "name": found.name, "name_en": found.name_en or found.name},
            [g for _, g in guides if g is not None],
            [{"name": i.name, "name_en": i.name_en or i.name} for i, g in guides if g is None])


def history(conn: Connection, code: str) -> list[dict]:
    """Every version of an item's guide, newest first: {version, by, at}."""
    rows = conn.execute(select(G.c.version, G.c.published_by, G.c.published_at).where(G.c.item_code == code)
                        .order_by(G.c.version.desc()))
    return [{"version": r.version, "by": r.published_by, "at": r.published_at} for r in rows]


def publish(conn: Connection, guides: Sequence[Guide], by: str, at: datetime) -> list[tuple[str, int]]:
    """Each guide becomes its item's next version, published by `by` at `at`; a guide whose content equals its
    item's newest version adds nothing. Returns (item, version) of the versions added."""
    added = []
    current = {b["item"]: b for b in newest(conn, [g.item for g in guides])}
    for g in guides:
        old = current.get(g.item)
        body = _body(g)
        if old is not None and _content(old) == _content(body):
            continue
        version = old["version"] + 1 if old is not None else 1  # the hub numbers versions, not the file
        put(conn, g.model_copy(update={"version": version, "published": Published(by=by, at=at)}))
        added.append((g.item, version))
    return added


def put(conn: Connection, g: Guide) -> bool:
    """Store this exact version (a version from upstream, or the demo's samples) unless it is there already."""
    if conn.execute(select(G.c.version).where(G.c.item_code == g.item, G.c.version == g.version)).first():
        return False
    if g.published is None:
        raise ValueError(f"guide {g.item} v{g.version} has no publisher")  # publish() sets it; so does upstream
    conn.execute(insert(G).values(item_code=g.item, version=g.version, body=_body(g), published_by=g.published.by,
                                  published_at=utc(g.published.at)))
    return True
