"""A hall's own English names of queues and departments (reference data, revision 0016): the one lookup
(`i18n.name` with `own`), the admin's checks and the sync down from the district (docs/guides.md)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

import i18n
from common.db.schema import QueueRow, ServiceItemRow
from common.domain import errors as e
from common.usecases import reference
from tests.world import build


def test_the_hall_s_own_name_wins_over_names_json_which_wins_over_the_chinese():
    own = i18n.own_names([{"id": "s1-A", "name": "医保", "name_en": "Health Insurance Desk"}],
                                  [{"id": "s1-X", "department": "某某科", "department_en": "Some Office"},
                                   {"id": "s1-Y", "department": "户籍", "department_en": ""}])
    assert own == {"医保": "Health Insurance Desk", "某某科": "Some Office"}
    assert i18n.name("医保", "en", own) == "Health Insurance Desk"
    assert i18n.name("户籍", "en", own) == "Household registration"  # none of its own: names.json
    assert i18n.name("某某处", "en", own) == "某某处"  # neither: as written
    assert i18n.name("某某科、户籍", "en", own) == "Some Office; Household registration"  # part by part
    assert i18n.name("医保", "zh_Hant", own) == "醫保" and i18n.name("医保", "zh_CN", own) == "医保"


def test_two_rows_giving_one_name_two_english_names_the_first_by_id_wins():
    own = i18n.own_names([{"id": "s2-A", "name": "综合", "name_en": "Later"},
                                   {"id": "s1-A", "name": "综合", "name_en": "General"}], [])
    assert own == {"综合": "General"}


@pytest.mark.parametrize("bad", ["x" * 101, "Tax\nDesk", "Tax\x00", "\u202eksed"])
def test_an_admin_s_bad_english_name_is_refused_with_its_limit_and_nothing_is_written(sqlite_engine, bad):
    world = build(sqlite_engine)
    with sqlite_engine.begin() as conn:
        with pytest.raises(e.InvalidInput) as err:
            reference.create_queue(conn, site_id="s1", letter="Z", name="综合", name_en=bad)
        assert err.value.key == "name_en"
        with pytest.raises(e.InvalidInput):
            reference.create_item(conn, site_id="s1", code="ZZ-01", name="某事", department="某科", category="personal",
                                  complexity="general", standard_minutes=5, queue_id=world.queues["A"], department_en=bad)
        assert conn.execute(select(QueueRow).where(QueueRow.letter == "Z")).first() is None
        assert conn.execute(select(ServiceItemRow).where(ServiceItemRow.code == "ZZ-01")).first() is None
    zh, en = i18n.text("errors", "name_en", limit=100), i18n.text("errors", "name_en", "en", limit=100)
    assert "100" in zh and "英文名称" in zh and "English name" in en


def test_the_names_flow_down_with_the_reference_data_and_a_bad_one_is_refused_whole(sqlite_engine, tmp_path):
    from common.db.engine import make_engine, migrate

    top = build(sqlite_engine)
    with sqlite_engine.begin() as conn:
        reference.create_queue(conn, site_id="s1", letter="Z", name="综合", name_en="  General Services  ")
        reference.create_item(conn, site_id="s1", code="ZZ-01", name="某事", department="某科", category="personal",
                              complexity="general", standard_minutes=5, queue_id="s1-Z", department_en="Some Office")
        snap = reference.snapshot(conn, "s1")
    assert {"name_en": "General Services"}.items() <= next(q for q in snap["tables"]["queues"] if q["id"] == "s1-Z").items()
    child = make_engine(f"sqlite:///{tmp_path / 'child.sqlite3'}")
    migrate(child)
    with child.begin() as conn:
        reference.apply_snapshot(conn, snap)
    with child.connect() as conn:
        assert conn.execute(select(QueueRow.name_en).where(QueueRow.id == "s1-Z")).scalar() == "General Services"
        assert conn.execute(select(ServiceItemRow.department_en).where(ServiceItemRow.code == "ZZ-01")).scalar() == "Some Office"
    hostile = {**snap, "tables": {**snap["tables"], "queues": [{**q, "name": "新名", "name_en": "x" * 5000}
                                                               for q in snap["tables"]["queues"]]}}
    with pytest.raises(e.InvalidInput) as err, child.begin() as conn:
        reference.apply_snapshot(conn, hostile)
    assert err.value.key == "name_en"
    with child.connect() as conn:  # nothing of it was written
        assert "新名" not in set(conn.execute(select(QueueRow.name)).scalars())
    assert top.queues  # the top hub is untouched
    child.dispose()
