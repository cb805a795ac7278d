"""Guides in the hub's database (docs/guides.md, "At the hub"): publishing adds versions and keeps every one with who
published it, an unchanged guide adds nothing, a refused file changes nothing; the newest versions of a site's items
flow down with the reference data to a child hub and a kiosk, which shows the version it has when the hub is away;
only the top hub publishes. SQLite and PostgreSQL."""
from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from common.db import guiderows, repo
from common.db.engine import make_engine, migrate
from common.db.schema import GuideRow
from common.devices.printer import dummy_printer
from common.domain import errors as e
from common.guides.files import GuideFileError, dump, load, samples
from common.stations.guide import GuideDesk
from common.stations.ticketing import KioskService
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport
from common.usecases import reference
from tests.conftest import LiveHub
from tests.integration.http import Device
from tests.integration.test_migrations_cli import run_cli

AT = datetime(2026, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=8)))
SAMPLE = {g.item: g for g in samples()}


def _for(code: str, source: str = "YB-01", **changes):
    """A sample guide given to the test world's item `code`."""
    return SAMPLE[source].model_copy(update={"item": code, **changes})


def test_publishing_adds_versions_with_their_publisher_and_keeps_the_old_ones(engine):
    with engine.begin() as conn:
        assert reference.publish_guides(conn, (_for("IA"), _for("IB", "HJ-06")), "王编辑", AT) == [("IA", 1), ("IB", 1)]
        assert reference.publish_guides(conn, (_for("IA"),), "王编辑", AT) == []  # the same content: no new version
        later = AT + timedelta(minutes=2)  # 00:01 on 1 January: another day, another year
        assert reference.publish_guides(conn, (_for("IA", promised_days=3),), "李编辑", later) == [("IA", 2)]
    with engine.connect() as conn:
        assert [h["version"] for h in guiderows.history(conn, "IA")] == [2, 1]
        assert [h["by"] for h in guiderows.history(conn, "IA")] == ["李编辑", "王编辑"]
        newest = guiderows.guide(conn, "IA")
        assert (newest.version, newest.promised_days, newest.published.by) == (2, 3, "李编辑")
        assert newest.published.at == later
        assert guiderows.guide(conn, "IA", 1).promised_days == SAMPLE["YB-01"].promised_days
        assert [b["version"] for b in guiderows.newest(conn)] == [2, 1]
        assert guiderows.newest(conn, ["IB"])[0]["item"] == "IB" and guiderows.guide(conn, "nope") is None


@pytest.mark.parametrize("bad_by", ["", "   ", "x" * 101])
def test_a_publisher_must_be_named(engine, bad_by):
    with engine.begin() as conn, pytest.raises(e.InvalidInput) as refused:
        reference.publish_guides(conn, (_for("IA"),), bad_by, AT)
    assert refused.value.key == "guide_publisher"


def test_the_cli_imports_all_or_nothing_and_exports_what_it_holds(tmp_path):
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path)}
    good = tmp_path / "good.json"
    good.write_text(dump(samples()), encoding="utf-8")
    broken = json.loads(dump(samples()))
    broken["guides"][3]["materials"][0]["copies"] = 99
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    r = run_cli("admin", "import-guides", "--by", "区政务办", str(bad), env=env)
    assert r.returncode == 2 and "guides[3].materials[0].copies" in r.stderr and "未导入任何内容" in r.stderr
    assert "nothing was imported" in r.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(GuideRow)).scalar() == 0
    r = run_cli("admin", "import-guides", "--by", "区政务办", str(good), env=env)
    assert r.returncode == 0 and f"{len(SAMPLE)} published" in r.stdout
    r = run_cli("admin", "import-guides", "--by", "区政务办", str(good), env=env)
    assert r.returncode == 0 and "0 published" in r.stdout  # nothing changed: no version added
    out_json, out_xlsx = tmp_path / "out.json", tmp_path / "out.xlsx"
    assert run_cli("admin", "export-guides", str(out_json), env=env).returncode == 0
    assert run_cli("admin", "export-guides", str(out_xlsx), env=env).returncode == 0
    exported = load(out_json.read_bytes())
    assert {g.item for g in exported} == set(SAMPLE) and all(g.published.by == "区政务办" for g in exported)
    r = run_cli("admin", "import-guides", "--by", "区政务办", str(out_xlsx), env=env)
    assert r.returncode == 0 and "0 published" in r.stdout  # its own workbook: the same content
    r = run_cli("admin", "import-guides", "--by", "区政务办", str(tmp_path / "missing.json"), env=env)
    assert r.returncode == 2 and "无法读取办事指南文件" in r.stderr
    engine.dispose()


def test_guides_flow_down_to_a_kiosk_which_keeps_its_version_when_the_hub_is_away(world, tmp_path):
    with world.hub.engine.begin() as conn:
        reference.publish_guides(conn, (_for("IA"), _for("ZZ-99")), "区政务办", AT)  # ZZ-99: no item of this site
    with LiveHub(world.hub) as live:
        info = Device(live.url, world.codes["kiosk"]).info
        client = SyncClient(LocalStore(tmp_path / "kiosk.sqlite3"), HttpTransport(live.url, info["token"], timeout=10),
                            device_id=info["device_id"], site_id=info["site_id"], lease_size=5, clock=world.clock)
        client.sync_once()
        desk = GuideDesk(KioskService(client, dummy_printer(), live.url))
        assert desk.guide("IA").version == 1 and desk.guide("ZZ-99") is None and desk.guide("IB") is None
        assert desk.guide("IA").materials == SAMPLE["YB-01"].materials
        with world.hub.engine.begin() as conn:
            reference.publish_guides(conn, (_for("IA", promised_days=2),), "区政务办", AT)
        client.refresh_reference()
        assert (desk.guide("IA").version, desk.guide("IA").promised_days) == (2, 2)
        with world.hub.engine.begin() as conn:
            reference.publish_guides(conn, (_for("IA", promised_days=4),), "区政务办", AT)
    assert (desk.guide("IA").version, desk.guide("IA").promised_days) == (2, 2)  # the hub is away: what it has


def test_a_child_hub_takes_the_tops_versions_and_does_not_publish(world, tmp_path):
    with world.hub.engine.begin() as conn:
        reference.publish_guides(conn, (_for("IA"),), "区政务办", AT)
        reference.publish_guides(conn, (_for("IA", visits=0),), "区政务办", AT)
        snap = json.loads(json.dumps(reference.snapshot(conn, "s1"), default=str))  # as it crosses the wire
    assert [(g["item"], g["version"]) for g in snap["tables"]["guides"]] == [("IA", 2)]
    child = make_engine(f"sqlite:///{tmp_path / 'child.sqlite3'}")
    migrate(child)
    with child.begin() as conn:
        reference.apply_snapshot(conn, snap)
        reference.apply_snapshot(conn, snap)  # again: nothing doubles
        repo.put_sync_state(conn, "upstream", {"site_id": "s1", "url": "http://up", "token": "t"})  # enrolled upstream
    with child.connect() as conn:
        assert [(h["version"], h["by"]) for h in guiderows.history(conn, "IA")] == [(2, "区政务办")]
        assert guiderows.guide(conn, "IA").visits == 0
    with child.begin() as conn, pytest.raises(e.InvalidInput) as refused:
        reference.publish_guides(conn, (_for("IA", visits=2),), "村编辑", AT)
    assert refused.value.key == "guides_at_top"
    tampered = json.loads(json.dumps(snap))
    tampered["tables"]["guides"][0]["materials"][0]["copies"] = 999
    tampered["tables"]["guides"][0]["version"] = 3
    with child.begin() as conn, pytest.raises(GuideFileError):
        reference.apply_snapshot(conn, tampered)  # checked as any guide coming in: all or none
    with child.connect() as conn:
        assert guiderows.guide(conn, "IA").version == 2
    child.dispose()


def test_the_editors_search_words_flow_down_to_a_child_hub_checked_as_they_come(world, tmp_path):
    from common.db import wordrows
    from common.search.lexicon import parse_words

    with world.hub.engine.begin() as conn:
        wordrows.publish(conn, parse_words("IA: 小蓝本\n户口本 = 户口簿"), "区政务办", AT)
        snap = json.loads(json.dumps(reference.snapshot(conn, "s1"), default=str))
    assert snap["tables"]["search_words"][0]["version"] == 1
    child = make_engine(f"sqlite:///{tmp_path / 'child.sqlite3'}")
    migrate(child)
    with child.begin() as conn:
        reference.apply_snapshot(conn, snap)
        reference.apply_snapshot(conn, snap)  # again: nothing doubles
    with child.connect() as conn:
        assert [(h["version"], h["by"]) for h in wordrows.history(conn)] == [(1, "区政务办")]
        assert wordrows.newest(conn)["words"]["aliases"] == {"IA": ["小蓝本"]}
        again = json.loads(json.dumps(reference.snapshot(conn, "s1"), default=str))
    assert again["tables"]["search_words"] == snap["tables"]["search_words"]  # and on to its own kiosks
    tampered = json.loads(json.dumps(snap))
    tampered["tables"]["search_words"][0].update(version=2, words={"synonyms": [["孤词"]], "aliases": {}})
    with child.begin() as conn, pytest.raises(e.InvalidInput):
        reference.apply_snapshot(conn, tampered)  # a group of one word: refused as an editor's would be
    with child.connect() as conn:
        assert wordrows.newest(conn)["version"] == 1
    child.dispose()
