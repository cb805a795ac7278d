"""Reference data: administrators create sites, queues, windows, items, bundles and clerks; demo data loads here."""
from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import Connection, insert, select, update

from common.db import caserows, guiderows, repo, wordrows
from common.db.schema import (
    BundleItemRow,
    BundleRow,
    ClerkRow,
    QueueRow,
    ServiceItemRow,
    SiteRow,
    WindowQueueRow,
    WindowRow,
    WindowStateRow,
)
from common.domain import contact, workdays
from common.domain import errors as e
from common.domain import limits as L
from common.domain.guide import Guide
from common.domain.model import SERVICE_LIMIT_MIN, WAIT_LIMIT_MIN, Complexity, SiteLevel, WindowKind
from common.domain.pins import hash_pin
from common.guides import files as guide_files


def _check(ok: bool, key: str, **fields: object) -> None:
    if not ok:
        raise e.InvalidInput(key, **fields)


def _english(name_en: str | None, column: str = "name_en") -> dict:
    # only when given: a database not yet at revision 0005 (0016 for a queue's or department's) has no such column
    return {column: name_en} if name_en else {}


def own_english(text: str | None) -> str | None:
    """A hall's own English name of a queue or a department as reference data keeps it (stripped; None when blank),
    or InvalidInput `name_en`: at most L.NAME_EN_MAX characters, printable."""
    text = (text or "").strip()
    _check(len(text) <= L.NAME_EN_MAX and text.isprintable(), "name_en", limit=L.NAME_EN_MAX)
    return text or None


def create_site(conn: Connection, *, id: str, name: str, level: str, parent_id: str | None = None,
                address: str | None = None, rules: dict | None = None) -> str:
    _check(level in SiteLevel.__members__, "site_level", level=level)
    _check(bool(id.strip()) and bool(name.strip()), "site_id_name")
    conn.execute(insert(SiteRow).values(id=id, name=name, level=level, parent_id=parent_id, address=address, rules=rules or {}))
    return id


def create_queue(conn: Connection, *, site_id: str, letter: str, name: str, name_en: str | None = None) -> str:
    _check(len(letter) == 1 and letter.isascii() and letter.isupper(), "queue_letter")
    qid = f"{site_id}-{letter}"
    conn.execute(insert(QueueRow).values(id=qid, site_id=site_id, letter=letter, name=name, **_english(own_english(name_en))))
    return qid


def create_window(conn: Connection, *, site_id: str, number: int, name: str, kind: str, queue_ids: list[str]) -> str:
    _check(kind in WindowKind.__members__, "window_kind", kind=kind)
    wid = f"{site_id}-w{number:02d}"
    conn.execute(insert(WindowRow).values(id=wid, site_id=site_id, number=number, name=name, kind=kind))
    for pos, qid in enumerate(queue_ids):
        conn.execute(insert(WindowQueueRow).values(window_id=wid, queue_id=qid, position=pos))
    conn.execute(insert(WindowStateRow).values(window_id=wid, site_id=site_id, paused=False))
    return wid


def create_item(conn: Connection, *, site_id: str, code: str, name: str, department: str, category: str,
                complexity: str, standard_minutes: int, queue_id: str,
                wait_limit_min: int | None = None, service_limit_min: int | None = None, name_en: str | None = None,
                department_en: str | None = None) -> str:
    _check(complexity in Complexity.__members__, "complexity", complexity=complexity)
    _check(0 < standard_minutes <= 480, "standard_minutes")
    iid = f"{site_id}-{code}"
    conn.execute(insert(ServiceItemRow).values(
        id=iid, site_id=site_id, code=code, name=name, **_english(name_en), department=department,
        **_english(own_english(department_en), "department_en"), category=category,
        complexity=complexity, standard_minutes=standard_minutes, queue_id=queue_id,
        wait_limit_min=wait_limit_min or WAIT_LIMIT_MIN[Complexity(complexity)],
        service_limit_min=service_limit_min or SERVICE_LIMIT_MIN,
    ))
    return iid


def create_bundle(conn: Connection, *, site_id: str, code: str, name: str, queue_id: str, item_ids: list[str],
                  name_en: str | None = None) -> str:
    bid = f"{site_id}-{code}"
    conn.execute(insert(BundleRow).values(id=bid, site_id=site_id, code=code, name=name, **_english(name_en), queue_id=queue_id))
    for iid in item_ids:
        conn.execute(insert(BundleItemRow).values(bundle_id=bid, item_id=iid))
    return bid


CLERK_ROLES = ("clerk", "supervisor", "handler")


def create_clerk(conn: Connection, *, site_id: str, staff_no: str, name: str, pin: str, role: str = "clerk",
                 department: str | None = None) -> str:
    """A clerk; with role "supervisor" someone who signs in to the supervisors' dashboard; with role "handler" a
    department's handler (承办单位经办人), who signs in to /handler for the cases assigned to `department`."""
    _check(pin.isdigit() and 4 <= len(pin) <= 12, "pin_format")
    _check(role in CLERK_ROLES, "clerk_role")
    department = (department or "").strip() or None
    _check((role == "handler") == (department is not None), "clerk_department", limit=L.DEPARTMENT_MAX)
    _check(department is None or (len(department) <= L.DEPARTMENT_MAX and department.isprintable()),
           "clerk_department", limit=L.DEPARTMENT_MAX)
    cid = f"{site_id}-{staff_no}"
    extra: dict = {"role": role} if role != "clerk" else {}  # the column's default: databases of older schemas work too
    if department is not None:
        extra["department"] = department
    conn.execute(insert(ClerkRow).values(id=cid, site_id=site_id, staff_no=staff_no, name=name, pin_hash=hash_pin(pin),
                                         failed_pins=0, **extra))
    return cid


def set_notice(conn: Connection, *, site_id: str, text: str) -> str:
    """The notice line of the site's hall display board (empty: the default notice)."""
    _check(len(text) <= 200, "notice_length")
    rules = conn.execute(select(SiteRow.rules).where(SiteRow.id == site_id)).first()
    _check(rules is not None, "no_site")
    conn.execute(update(SiteRow).where(SiteRow.id == site_id).values(rules={**(rules[0] or {}), "notice": text.strip()}))
    return text.strip() or "(default notice)"


def demo_data() -> dict:
    return json.loads(resources.files("common").joinpath("demo_data.json").read_text("utf-8"))


def load_demo(conn: Connection, data: dict | None = None) -> list[str]:
    """Create the demo sites with their catalogue, queues, windows and clerks. Returns the site ids."""
    data = data or demo_data()
    items = {i["code"]: i for i in data["catalogue"]["items"]}
    made = []
    for site in data["sites"]:
        sid = site["id"]
        if conn.execute(select(SiteRow.id).where(SiteRow.id == sid)).first():
            continue
        create_site(conn, id=sid, name=site["name"], level=site["level"], parent_id=site["parent"], address=site.get("address"))
        queue_of_dept = {}
        for q in site["queues"]:
            qid = create_queue(conn, site_id=sid, letter=q["letter"], name=q["name"], name_en=q.get("name_en"))
            queue_of_dept.update({d: qid for d in q["departments"]})
        for w in site["windows"]:
            create_window(conn, site_id=sid, number=w["number"], name=w["name"], kind=w["kind"],
                          queue_ids=[f"{sid}-{letter}" for letter in w["queues"]])
        codes = list(items) if site["items"] == "all" else site["items"]
        for code in codes:
            i = items[code]
            create_item(conn, site_id=sid, code=code, name=i["name"], department=i["department"], category=i["category"],
                        complexity=i["complexity"], standard_minutes=i["standard_minutes"],
                        queue_id=queue_of_dept[i["department"]], wait_limit_min=i.get("wait_limit_min"),
                        service_limit_min=i.get("service_limit_min"), name_en=i.get("name_en"),
                        department_en=i.get("department_en"))
        for b in data["catalogue"]["bundles"]:
            if all(code in codes for code in b["items"]):
                create_bundle(conn, site_id=sid, code=b["code"], name=b["name"], queue_id=queue_of_dept[b["department"]],
                              item_ids=[f"{sid}-{code}" for code in b["items"]], name_en=b.get("name_en"))
        for c in site["clerks"]:
            create_clerk(conn, site_id=sid, staff_no=c["staff_no"], name=c["name"], pin=c["pin"])
        for c in site.get("supervisors", []):
            create_clerk(conn, site_id=sid, staff_no=c["staff_no"], name=c["name"], pin=c["pin"], role="supervisor")
        for c in site.get("handlers", []):
            create_clerk(conn, site_id=sid, staff_no=c["staff_no"], name=c["name"], pin=c["pin"], role="handler",
                         department=c["department"])
        made.append(sid)
    if made:  # the sample guides (示例内容) of the demo's items, as published with the samples
        for g in guide_files.samples():
            guiderows.put(conn, g)
    return made


def publish_guides(conn: Connection, guides: tuple[Guide, ...], by: str, at) -> list[tuple[str, int]]:
    """Editors' guides (read and checked by common/guides/files.py) as their items' next versions. Only the top hub of
    a tree publishes: a hub enrolled upstream gets its guides from there (docs/guides.md)."""
    _check(not repo.sync_state(conn, "upstream").get("site_id"), "guides_at_top")  # common.usecases.upstream.KEY
    _check(0 < len(by.strip()) <= 100, "guide_publisher")
    return guiderows.publish(conn, guides, by.strip(), at)


# ---------------------------------------------------------------- distribution (docs/sync.md)

# Tables of a site's reference data, parents first; `key` is the primary key, `site` how rows belong.
_DISTRIBUTED = (
    (SiteRow, ("id",), "id"),
    (QueueRow, ("id",), "site_id"),
    (WindowRow, ("id",), "site_id"),
    (ServiceItemRow, ("id",), "site_id"),
    (BundleRow, ("id",), "site_id"),
    (ClerkRow, ("id",), "site_id"),
)
_CLERK_LOCAL = ("failed_pins", "locked_until")  # each hub counts its own PIN failures


def snapshot(conn: Connection, site_id: str, case_box: dict | None = None) -> dict:
    """Everything a hub or device of `site_id` needs to know about its site, with a content version. `case_box`:
    the public key its devices seal a case's contact to while offline (`contact.box_public`)."""
    import hashlib

    tables: dict[str, list[dict]] = {}
    lineage, at = [], site_id  # the site and the sites above it (a site names its parent)
    while at is not None and at not in lineage:
        lineage.append(at)
        at = conn.execute(select(SiteRow.parent_id).where(SiteRow.id == at)).scalar()
    for row_cls, _, col in _DISTRIBUTED:
        t = row_cls.__table__
        which = t.c.id.in_(lineage) if row_cls is SiteRow else t.c[col] == site_id
        rows = conn.execute(select(t).where(which).order_by(*t.primary_key.columns)).mappings()
        tables[t.name] = [{k: v for k, v in r.items() if k not in _CLERK_LOCAL} for r in rows]
    tables["sites"].sort(key=lambda r: -lineage.index(r["id"]))  # the top of the tree first: parents exist
    windows = [w["id"] for w in tables["windows"]]
    bundles = [b["id"] for b in tables["bundles"]]
    wq, bi = WindowQueueRow.__table__, BundleItemRow.__table__
    tables["window_queues"] = [dict(r) for r in conn.execute(
        select(wq).where(wq.c.window_id.in_(windows)).order_by(wq.c.window_id, wq.c.queue_id)).mappings()]
    tables["bundle_items"] = [dict(r) for r in conn.execute(
        select(bi).where(bi.c.bundle_id.in_(bundles)).order_by(bi.c.bundle_id, bi.c.item_id)).mappings()]
    tables["calendar_days"] = workdays.overrides_to_wire(caserows.calendar(conn))  # the district's, for case deadlines
    tables["guides"] = guiderows.newest(conn, sorted({i["code"] for i in tables["service_items"]}))  # the tree's
    words = wordrows.newest(conn)  # the editors' words for guide search (the top's, as guides)
    if words is not None:
        tables["search_words"] = [words]
    if case_box is not None:
        tables["case_box"] = [case_box]
    canonical = json.dumps(tables, sort_keys=True, ensure_ascii=False, default=str)
    return {"site_id": site_id, "version": hashlib.sha256(canonical.encode()).hexdigest()[:16], "tables": tables}


def for_peer(conn: Connection, site_id: str, child_hub: bool, box: bytes | None = None) -> dict:
    """The snapshot a peer of `site_id` gets: PIN hashes only for a hub of a site below this hub's own (it checks its
    clerks' PINs offline); never for a device, nor for a hub-role token of this hub's own site. A device gets the
    public half of this hub's `box` key (a child hub has its own)."""
    snap = snapshot(conn, site_id, contact.box_public(box) if box is not None and not child_hub else None)
    if not (child_hub and site_id not in repo.own_sites(conn)):
        for clerk in snap["tables"]["clerks"]:
            clerk.pop("pin_hash", None)
    return snap


def apply_snapshot(conn: Connection, snap: dict) -> None:
    """Make this database's copy of a site's reference data equal to `snap` (rows are added or updated)."""
    from sqlalchemy import and_

    for row in snap["tables"].get("queues", []) + snap["tables"].get("service_items", []):  # checked as an admin's
        own_english(row.get("name_en") if "letter" in row else row.get("department_en"))  # before anything is written
    order = [(c.__table__, key) for c, key, _ in _DISTRIBUTED]
    order += [(WindowQueueRow.__table__, ("window_id", "queue_id")), (BundleItemRow.__table__, ("bundle_id", "item_id"))]
    for table, key in order:
        for row in snap["tables"].get(table.name, []):
            row = {k: v for k, v in row.items() if k in table.c}
            where = and_(*(table.c[k] == row[k] for k in key))
            if not conn.execute(update(table).where(where).values(row)).rowcount:
                if table is ClerkRow.__table__:
                    row = {"pin_hash": "", **row}  # sent without its hash (not a child hub): no PIN signs it in here
                conn.execute(insert(table).values(row))
    if "calendar_days" in snap["tables"]:  # the tree's calendar is the top's: entries it dropped go here too
        caserows.replace_calendar(conn, workdays.overrides_from_wire(snap["tables"]["calendar_days"]))
    for words in snap["tables"].get("search_words", []):  # checked as an editor's are before they are kept
        from common.search.lexicon import default_lexicon

        default_lexicon().extended(words["words"])
        wordrows.put(conn, words)
    if "guides" in snap["tables"]:  # the top's versions, checked as any guide coming in (all or none)
        for g in guide_files.from_wire(snap["tables"]["guides"]):
            guiderows.put(conn, g)
    for w in snap["tables"].get("windows", []):
        if not conn.execute(select(WindowStateRow.window_id).where(WindowStateRow.window_id == w["id"])).first():
            conn.execute(insert(WindowStateRow).values(window_id=w["id"], site_id=w["site_id"], paused=False))
