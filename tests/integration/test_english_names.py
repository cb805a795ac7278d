"""English names of items and bundles travel with the reference data (snapshot -> apply) and the catalogue."""
from __future__ import annotations

from common.db.engine import make_engine, migrate
from common.readmodels import queries
from common.usecases import reference


def test_english_names_travel_with_the_reference_data(engine, tmp_path):
    with engine.begin() as conn:
        reference.load_demo(conn)
        snap = reference.snapshot(conn, "qp-zhujiajiao")
    child = make_engine(f"sqlite:///{tmp_path / 'child.sqlite3'}")
    migrate(child)
    with child.begin() as conn:
        reference.apply_snapshot(conn, snap)
        catalogue = queries.catalogue(conn, "qp-zhujiajiao")
    child.dispose()
    names = {i["code"]: i["name_en"] for i in catalogue["items"]}
    assert len(names) == 28 and all(names.values())  # 27 services and 办不成事反映
    assert names["YB-05"] == "Register for medical treatment outside Shanghai"
    assert all(b["name_en"] for b in catalogue["bundles"])
