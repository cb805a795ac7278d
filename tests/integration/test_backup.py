"""`haoban backup` / `haoban restore` as an administrator runs them (processes), on a real SQLite file and a real
PostgreSQL database: a backup taken while a writer writes restores into a new folder (and database) that passes
`haoban check`, opens the sealed contact with the restored key and holds the manifest's counts; bad archives are
refused in both languages before anything is written."""
from __future__ import annotations

import io
import json
import tarfile
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, select, text

from common.db.engine import MIGRATIONS, make_engine, migrate
from common.db.schema import CaseRow
from common.domain import contact
from common.usecases import appointments
from tests.conftest import PG_ADMIN_URL, _pg_or_skip
from tests.integration.test_migrations_cli import run_cli
from tests.world import build

pytestmark = pytest.mark.slow  # the hub's command line as processes, like test_migrations_cli's

NOW = "2026-11-26T17:30:00+08:00"

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()  # the newest revision (0011 when this was written)


def hall_with_rows(engine, data: Path):
    """The test hall with the hub's real key files in `data`, tickets, and a case whose reporter's contact is sealed."""
    world = build(engine)
    world.hub.id_key = appointments.hub_key(data)
    world.hub.contact_key = contact.contact_key(data)
    world.hub.box_key = contact.box_key(data)  # what its devices seal to offline
    kiosk = world.actor("kiosk")
    for _ in range(5):
        world.hub.issue_ticket(kiosk, item_id=world.items["A"])
    case = world.hub.open_case(kiosk, source="kiosk", cause="materials", text="材料清单和窗口说的不一样",
                               item_id=world.items["A"], name="王小明", phone="13812345678").case
    return world, kiosk, case.id


def env_for(tmp: Path, data: Path, url: str | None = None, config: Path | None = None) -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("HAOBAN_")}
    env["HAOBAN_DATA_DIR"] = str(data)
    if url:
        env["HAOBAN_DATABASE_URL"] = url
    if config:
        env["HAOBAN_CONFIG"] = str(config)
    return env


@contextmanager
def fresh_pg_database():
    admin = _pg_or_skip()
    name = f"haoban_r_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as c:
            c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def counts(url: str) -> dict:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        found = {t: conn.execute(text(f"select count(*) from {t}")).scalar() for t in ("events", "tickets", "cases", "sites")}
    engine.dispose()
    return found


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_backup_taken_while_a_writer_writes_restores_into_a_new_hub(tmp_path, kind, request):
    source_data, target_data = tmp_path / "source", tmp_path / "target"
    url = f"sqlite:///{source_data / 'hub.sqlite3'}" if kind == "sqlite" else request.getfixturevalue("pg_url")
    source_data.mkdir(mode=0o700)
    engine = make_engine(url)
    migrate(engine)
    world, kiosk, case_id = hall_with_rows(engine, source_data)
    config = tmp_path / "hub.toml"
    config.write_text('[hub]\nport = 8301\n', "utf-8")

    stop, issued = threading.Event(), []

    def writer():
        while not stop.is_set():
            issued.append(world.hub.issue_ticket(kiosk, item_id=world.items["B"]).ticket.number)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(issued) < 3:  # the writer is writing before the backup starts ...
            stop.wait(0.01)
        r = run_cli("backup", str(tmp_path / "hub.tar.gz"), "--now", NOW,
                    env=env_for(tmp_path, source_data, None if kind == "sqlite" else url, config))
        during = len(issued)
    finally:
        stop.set()
        thread.join()
    assert r.returncode == 0, r.stderr
    archive = tmp_path / "hub.tar.gz"
    assert (archive.stat().st_mode & 0o777) == 0o600 and not list(tmp_path.glob(".haoban-backup-*"))
    manifest = manifest_of(archive)
    assert manifest["made_at"] == NOW and manifest["schema_revision"] == HEAD and manifest["site_ids"] == ["s1", "s2"]
    assert set(manifest["members"]) == {"hub.sqlite3" if kind == "sqlite" else "hub.pgdump", "appointment-id.key",
                                        "case-contact.key", "case-box.key", "hub.toml"}
    live = counts(url)
    assert manifest["counts"]["cases"] == 1 and 5 + 3 <= manifest["counts"]["tickets"] <= live["tickets"]
    assert len(issued) > during or live["tickets"] > manifest["counts"]["tickets"]  # ... and after it: a hub that runs
    engine.dispose()

    with (fresh_pg_database() if kind == "postgresql" else _nothing()) as target_url:
        env = env_for(tmp_path, target_data, target_url)
        r = run_cli("restore", str(archive), env=env)
        assert r.returncode == 0, r.stderr
        check = run_cli("check", env=env)
        assert check.returncode == 0 and "projection OK" in check.stdout, check.stdout + check.stderr
        restored_url = target_url or f"sqlite:///{target_data / 'hub.sqlite3'}"
        assert counts(restored_url) == {t: manifest["counts"][t] for t in ("events", "tickets", "cases", "sites")}
        for name in ("appointment-id.key", "case-contact.key", "case-box.key", "hub.toml.from-backup"):
            assert (target_data / name).stat().st_mode & 0o777 == 0o600, name
        assert (target_data / "hub.toml.from-backup").read_text("utf-8") == config.read_text("utf-8")
        restored = make_engine(restored_url)
        with restored.connect() as conn:
            sealed = conn.execute(select(CaseRow.contact).where(CaseRow.id == case_id)).scalar()
        restored.dispose()
        who = contact.unseal(contact.contact_key(target_data), sealed)  # the restored key opens it
        assert (who.name, who.phone) == ("王小明", "13812345678")
        box = contact.box_key(target_data)  # and the restored box key what a device sealed before the backup
        assert box == contact.box_key(source_data) and contact.unseal(None, contact.seal_box(contact.box_public(box), who), box) == who

        again = run_cli("restore", str(archive), env=env)  # not onto a hub that has data, unless --force
        assert again.returncode == 2 and "--force" in again.stderr and ("不是空的" in again.stderr or "已有数据表" in again.stderr)
        forced = run_cli("restore", "--force", str(archive), env=env)
        assert forced.returncode == 0, forced.stderr
        assert counts(restored_url)["tickets"] == manifest["counts"]["tickets"]


@contextmanager
def _nothing():
    yield None


def test_an_older_backup_is_upgraded_by_the_restore(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    engine = make_engine(f"sqlite:///{source / 'hub.sqlite3'}")
    migrate(engine)  # today's code writes today's rows; then down to 0009, as a hall still on that release would be
    hall_with_rows(engine, source)
    from alembic import command

    from common.db.engine import alembic_config

    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0009")
    engine.dispose()
    assert run_cli("backup", str(tmp_path / "old.tar.gz"), env=env_for(tmp_path, source)).returncode == 0
    assert manifest_of(tmp_path / "old.tar.gz")["schema_revision"] == "0009"
    env = env_for(tmp_path, tmp_path / "target")
    assert run_cli("restore", str(tmp_path / "old.tar.gz"), env=env).returncode == 0
    restored = make_engine(f"sqlite:///{tmp_path / 'target' / 'hub.sqlite3'}")
    with restored.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == HEAD
    restored.dispose()


@pytest.fixture
def good(tmp_path) -> Path:
    source = tmp_path / "source"
    source.mkdir()
    engine = make_engine(f"sqlite:///{source / 'hub.sqlite3'}")
    migrate(engine)
    hall_with_rows(engine, source)
    engine.dispose()
    assert run_cli("backup", str(tmp_path / "good.tar.gz"), env=env_for(tmp_path, source)).returncode == 0
    return tmp_path / "good.tar.gz"


def rewritten(good: Path, out: Path, change) -> Path:
    """The good archive with its members passed through `change(name, data) -> [(name, data), ...]`."""
    with tarfile.open(good, "r:gz") as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(out, "w:gz") as tar:
        for name, data in members:
            for new_name, new_data in change(name, data):
                info = tarfile.TarInfo(new_name)
                info.size = len(new_data)
                tar.addfile(info, io.BytesIO(new_data))
    return out


def _flip(name, data):
    return [(name, data if name != "case-contact.key" else bytes(reversed(data)))]


@pytest.mark.parametrize(("make", "zh", "en"), [
    (lambda g, o: o.write_bytes(g.read_bytes()[: g.stat().st_size // 2]) and o, "不完整", "incomplete"),
    (lambda g, o: rewritten(g, o, _flip), "case-contact.key 与清单的校验值不符", "does not match the manifest's checksum"),
    (lambda g, o: rewritten(g, o, lambda n, d: [] if n == "appointment-id.key" else [(n, d)]),
     "备份缺少清单列出的 appointment-id.key", "lacks appointment-id.key"),
    (lambda g, o: rewritten(g, o, lambda n, d: [(n, d)] + ([("../escaped.key", b"x")] if n == "manifest.json" else [])),
     "清单以外的内容", "does not list (../escaped.key)"),
    (lambda g, o: rewritten(g, o, lambda n, d: [(n, d) if n != "manifest.json" else (n, d.replace(b'"version": 1', b'"version": 9'))]),
     "这不是好办的备份", "not a Haoban backup"),
    (lambda g, o: o.write_bytes(b"not a gzip file") and o, "无法读取", "cannot be read"),
], ids=["truncated", "tampered-key", "missing-key", "path-outside", "bad-manifest", "not-an-archive"])
def test_a_bad_archive_is_refused_in_both_languages_and_nothing_is_written(tmp_path, good, make, zh, en):
    bad = make(good, tmp_path / "bad.tar.gz")
    target = tmp_path / "halls" / "target"
    r = run_cli("restore", str(bad), env=env_for(tmp_path, target))
    assert r.returncode == 2 and zh in r.stderr and en in r.stderr and "nothing was written" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not target.exists() and list((tmp_path / "halls").iterdir()) == []  # no stage left behind either
    assert not (tmp_path / "escaped.key").exists() and not (tmp_path / "halls" / "escaped.key").exists()


def test_backup_refuses_to_overwrite_and_names_a_missing_database(tmp_path, good):
    r = run_cli("backup", str(good), env=env_for(tmp_path, tmp_path / "source"))
    assert r.returncode == 2 and "备份文件已存在" in r.stderr and "already exists" in r.stderr
    r = run_cli("backup", str(tmp_path / "x.tar.gz"), env=env_for(tmp_path, tmp_path / "nowhere"))
    assert r.returncode == 2 and "找不到要备份的数据库" in r.stderr and "no database to back up" in r.stderr
    assert not (tmp_path / "x.tar.gz").exists() and not (tmp_path / "nowhere").exists()


def test_a_bad_archive_leaves_a_postgresql_database_untouched(tmp_path, good, pg_url):
    bad = rewritten(good, tmp_path / "bad.tar.gz", _flip)
    r = run_cli("restore", str(bad), env=env_for(tmp_path, tmp_path / "target", pg_url))
    assert r.returncode == 2 and "校验值不符" in r.stderr and "checksum" in r.stderr, r.stderr
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("select count(*) from information_schema.tables where table_schema = 'public'")).scalar() == 0
    engine.dispose()
    assert not (tmp_path / "target").exists()
