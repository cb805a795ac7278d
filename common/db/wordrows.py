"""The words editors add to guide search, as rows of `search_words` (docs/guide-search.md "Words from the hall"):
every published version kept; the newest is the one kiosks search with. The words' checks are the caller's
(common/search/lexicon.py reads every version that comes in, from an editor or from upstream)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from common.db.schema import SearchWordsRow
from common.domain.clock import utc

W = SearchWordsRow.__table__


def newest(conn: Connection) -> dict | None:
    """The newest version as it travels: {"version", "words", "by", "at"} (None: no words added yet)."""
    r = conn.execute(select(W).order_by(W.c.version.desc()).limit(1)).first()
    return {"version": r.version, "words": r.body, "by": r.published_by, "at": utc(r.published_at).isoformat()} if r else None


def history(conn: Connection) -> list[dict]:
    """Every version, newest first: {version, by, at}."""
    rows = conn.execute(select(W.c.version, W.c.published_by, W.c.published_at).order_by(W.c.version.desc()))
    return [{"version": r.version, "by": r.published_by, "at": utc(r.published_at)} for r in rows]


def publish(conn: Connection, words: dict, by: str, at: datetime) -> int | None:
    """`words` as the next version, published by `by` at `at`; the same words as the newest add nothing (None)."""
    old = newest(conn)
    if old is not None and old["words"] == words:
        return None
    version = old["version"] + 1 if old else 1
    conn.execute(insert(W).values(version=version, body=words, published_by=by, published_at=utc(at)))
    return version


def put(conn: Connection, row: dict) -> bool:
    """Store a version from upstream (`newest`'s form) unless this hub has it already."""
    if conn.execute(select(W.c.version).where(W.c.version == row["version"])).first():
        return False
    conn.execute(insert(W).values(version=row["version"], body=row["words"], published_by=row["by"],
                                  published_at=utc(datetime.fromisoformat(row["at"]))))
    return True
