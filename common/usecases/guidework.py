"""The editors' side of guides at the hub (docs/guides.md, "Editing at the hub"), mixed into `Hub`.

Who edits: a supervisor of a top site of this hub (a site without a parent: the district centre). A supervisor of
a sub-centre reads the guides but publishes none (`guide_editors_top_site`): a guide is the district's text for every
centre. A hub enrolled upstream publishes nothing at all (`guides_at_top`, in `reference.publish_guides`, the same
function the CLI's import-guides calls, so the same checks apply to both ways in).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, select

from common.db import guiderows, repo, wordrows
from common.db.engine import reader
from common.db.schema import BundleRow, ServiceItemRow, SiteRow
from common.domain import errors as e
from common.domain.guide import Guide
from common.usecases import auth, reference

WORDS_TEXT_MAX = 20_000  # characters of an editor's words (the form's 64 KB body, urlencoded)


@dataclass(frozen=True)
class Editing:
    """What a supervisor may do with the guides on this hub: `may_publish`, or the error key saying why not."""
    may_publish: bool
    reason: str | None = None


def editing(conn: Connection, sup: auth.Supervisor) -> Editing:
    if repo.sync_state(conn, "upstream").get("site_id"):  # common.usecases.upstream.KEY, as publish_guides reads it
        return Editing(False, "guides_at_top")
    parent = conn.execute(select(SiteRow.parent_id).where(SiteRow.id == sup.site_id)).scalar()
    return Editing(False, "guide_editors_top_site") if parent is not None else Editing(True)


def catalogue(conn: Connection) -> list[dict]:
    """Every item code of the hub's catalogue (any site) or with a guide: its name, and its newest guide's version,
    publisher and time (None: no guide yet), by code."""
    names: dict[str, dict] = {}
    for r in conn.execute(select(ServiceItemRow.code, ServiceItemRow.name, ServiceItemRow.name_en)
                          .order_by(ServiceItemRow.code, ServiceItemRow.site_id)):
        names.setdefault(r.code, {"code": r.code, "name": r.name, "name_en": r.name_en, "guide": None})
    for body in guiderows.newest(conn):
        row = names.setdefault(body["item"], {"code": body["item"], "name": body["name"],
                                              "name_en": body.get("name_en"), "guide": None})
        row["guide"] = {"version": body["version"], "by": (body.get("published") or {}).get("by"),
                        "at": (body.get("published") or {}).get("at")}
    return sorted(names.values(), key=lambda r: r["code"])


def item_name(conn: Connection, code: str) -> tuple[str, str | None] | None:
    """The catalogue's name of an item code (of any site), or None when the hub has no such item."""
    r = conn.execute(select(ServiceItemRow.name, ServiceItemRow.name_en).where(ServiceItemRow.code == code)
                     .order_by(ServiceItemRow.site_id).limit(1)).first()
    return (r.name, r.name_en) if r else None


class GuideCommands:
    """Mixed into `Hub`: reading the guides for the editors' page, and publishing one editor's guide."""

    def guides_read(self, sup: auth.Supervisor, query, *args):
        """Run `query(conn, *args)` for a signed-in supervisor (who reads every guide)."""
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            return query(conn, *args)

    def guide_editing(self, sup: auth.Supervisor) -> Editing:
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            return editing(conn, sup)

    def publish_guide(self, sup: auth.Supervisor, guide: Guide, base: int | None) -> int | None:
        """The editor's guide (checked already by `files.from_raw`) as its item's next version, published by her
        name at the hub's time: through `reference.publish_guides`, as the CLI does. `base`: the version she
        opened (None: the item had none); a newer version published since is refused (`guide_stale`), so nobody
        overwrites a colleague's change unseen. Returns the new version, None when nothing changed."""
        with self._write_lock, self.engine.begin() as conn:  # type: ignore[attr-defined]
            allowed = editing(conn, sup)
            if not allowed.may_publish:
                raise e.Forbidden(allowed.reason or "forbidden")
            if item_name(conn, guide.item) is None and guiderows.guide(conn, guide.item) is None:
                raise e.NotFound("guide_no_item", item=guide.item)
            newest = guiderows.guide(conn, guide.item)
            now_at = newest.version if newest else None
            if now_at != base:
                raise e.Conflict("guide_stale", version=now_at or 0)
            added = reference.publish_guides(conn, (guide,), sup.name, self.clock.now())  # type: ignore[attr-defined]
        return added[0][1] if added else None

    def publish_words(self, sup: auth.Supervisor, text: str, base: int | None) -> int | None:
        """The editors' words for guide search (`lexicon.parse_words`'s text) as the next version, by her name at
        the hub's time; flows down with the reference data, and each kiosk's index is built with it. Checked before
        the lock: each line (named when bad), the lexicon they make, and every code an item or bundle here. `base`:
        the version she opened (a colleague's newer one is not overwritten unseen). None: nothing changed."""
        from common.search.lexicon import WORDS_LINES, default_lexicon, parse_words  # (jieba: not on every start)

        if not isinstance(text, str) or len(text) > WORDS_TEXT_MAX:
            raise e.InvalidInput("search_words_many", most=WORDS_LINES)
        words = parse_words(text)
        default_lexicon().extended(words)
        with reader(self.engine) as conn:  # type: ignore[attr-defined]
            codes = set(conn.execute(select(ServiceItemRow.code)).scalars()) | set(conn.execute(select(BundleRow.code)).scalars())
        for code in words["aliases"]:
            if code not in codes:
                raise e.NotFound("search_words_code", code=code[:64])
        with self._write_lock, self.engine.begin() as conn:  # type: ignore[attr-defined]
            allowed = editing(conn, sup)
            if not allowed.may_publish:
                raise e.Forbidden(allowed.reason or "forbidden")
            newest = wordrows.newest(conn)
            if (newest or {}).get("version") != base:
                raise e.Conflict("guide_stale", version=(newest or {}).get("version") or 0)
            return wordrows.publish(conn, words, sup.name, self.clock.now())  # type: ignore[attr-defined]
