"""Migrations, the command line (admin, check) and the demo, as an administrator would run them."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, text

from common.db.engine import make_engine, migrate
from common.db.schema import Base, EventRow
from common.domain.clock import utc
from common.usecases import check
from tests.world import build

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_match_the_models_and_wal_is_on(engine):
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diffs == []
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert {"events", "tickets", "window_states", "ticket_counters", "devices"} <= set(inspect(engine).get_table_names())
    migrate(engine)  # running it again changes nothing


def test_upgrade_keeps_the_data_of_an_older_schema(db_url):
    engine = make_engine(db_url)
    migrate(engine, "0005")  # the schema before the last release (the tickets table changed after it)
    world = build(engine)
    kiosk = world.actor("kiosk")
    with engine.begin() as conn:  # tickets as that release wrote them: without the later columns
        for n in range(1, 4):
            conn.execute(text(
                "insert into tickets (id, site_id, business_day, number, letter, seq, queue_id, item_id, bundle_id, priority,"
                " issued_at, arrival_at, wait_limit_min, service_limit_min, public_token, status, recalls, requeues, transfers)"
                " values (:id, 's1', '2026-11-26', :number, 'A', :n, :queue, :item, null, 'normal', :at, :at, 10, 20, :token,"
                " 'waiting', 0, 0, 0)"), {"id": f"old-{n}", "number": f"A{n:03d}", "n": n, "queue": world.queues["A"],
                                         "item": world.items["A"], "at": world.clock.now(), "token": f"token-{n}"})
            conn.execute(text("insert into ticket_counters (site_id, business_day, letter, last_seq) values ('s1', '2026-11-26', 'A', :n)"
                              " on conflict (site_id, business_day, letter) do update set last_seq = :n"), {"n": n})
    numbers = ["A001", "A002", "A003"]
    migrate(engine)  # 0005 -> head, on a database with tickets in it
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        assert sorted(conn.execute(text("select number from tickets")).scalars()) == numbers
    assert world.hub.issue_ticket(kiosk, item_id=world.items["A"]).ticket.number == "A004"
    with engine.connect() as conn:  # the new column is there, empty for the old tickets
        assert conn.execute(text("select count(*) from tickets where target_window_id is null")).scalar() == 4
    engine.dispose()


def test_check_finds_a_projection_that_drifted_from_the_events(world):
    kiosk = world.actor("kiosk")
    world.hub.issue_ticket(kiosk, item_id=world.items["A"])
    assert check.differences(world.hub.engine) == []
    with world.hub.engine.begin() as conn:  # an event nobody projected
        conn.execute(insert(EventRow).values(
            id="01900000-0000-7000-8000-000000000000", site_id="s1", kind="ticket_issued", at=world.clock.now(),
            schema_version=1, data={"ticket_id": "ghost", "business_day": "2026-11-26", "number": "A999", "letter": "A",
                                    "seq": 999, "queue_id": world.queues["A"], "priority": "normal",
                                    "wait_limit_min": 10, "service_limit_min": 20, "public_token": "p"}))
    diffs = check.differences(world.hub.engine)
    assert any("ghost" in d for d in diffs) and any("counters" in d for d in diffs)


def run_cli(*args, env, stdin=None, module="server"):
    return subprocess.run([sys.executable, "-m", module, *args], env=env, cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_admin_commands_and_check(tmp_path):
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path)}
    assert run_cli("admin", "create-site", "--id", "v1", "--name", "金泽镇蔡浜村村民服务点", "--level", "village", env=env).returncode == 0
    assert run_cli("admin", "create-queue", "--site", "v1", "--letter", "A", "--name", "综合", env=env).returncode == 0
    r = run_cli("admin", "create-queue", "--site", "v1", "--letter", "a1", "--name", "x", env=env)
    assert r.returncode == 2 and "错误" in r.stderr and "Error" in r.stderr
    r = run_cli("admin", "create-queue", "--site", "v1", "--letter", "A", "--name", "again", env=env)
    assert r.returncode == 2 and "已存在" in r.stderr
    r = run_cli("admin", "create-queue", "--site", "v1", "--letter", "B", "--name", "综合", "--name-en", "G" * 101, env=env)
    assert r.returncode == 2 and "英文名称" in r.stderr and "English name" in r.stderr
    assert run_cli("admin", "create-queue", "--site", "v1", "--letter", "B", "--name", "综合", "--name-en", "General",
                   env=env).returncode == 0
    assert run_cli("admin", "create-window", "--site", "v1", "--number", "1", "--name", "1号窗口", "--queues", "A", env=env).returncode == 0
    assert run_cli("admin", "create-item", "--site", "v1", "--code", "YB-01", "--name", "医保卡补领", "--department", "医保",
                   "--queue", "A", env=env).returncode == 0
    r = run_cli("admin", "create-clerk", "--site", "v1", "--staff-no", "V01", "--name", "沈红", "--pin-stdin", env=env, stdin="ab\n")
    assert r.returncode == 2 and "4至12位数字" in r.stderr
    assert run_cli("admin", "create-clerk", "--site", "v1", "--staff-no", "V01", "--name", "沈红", "--pin-stdin",
                   env=env, stdin="739164\n").returncode == 0
    r = run_cli("admin", "enrol-code", "--site", "v1", "--role", "kiosk", "--name", "自助机1", env=env)
    assert r.returncode == 0 and len(r.stdout.strip()) >= 8
    r = run_cli("check", env=env)
    assert r.returncode == 0 and "projection OK" in r.stdout
    assert (tmp_path / "hub.sqlite3").exists()


def test_demo_runs_a_simulated_morning_through_the_real_hub(tmp_path):
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path)}
    r = run_cli("demo", "--speed", "300", "--until", "09:20", "--port", "0", env=env, module="devtools")
    assert r.returncode == 0, r.stderr[-2000:]
    lines = [line for line in r.stdout.splitlines() if line[:2].isdigit() and "|" in line]
    minutes = [int(line[:2]) * 60 + int(line[3:5]) for line in lines]
    # about one line per simulated minute, fewer on a loaded machine (a line is skipped while the last is computed):
    # the count is not a timing figure, only that the lines keep coming until 09:19
    assert len(lines) >= 3 and minutes[-1] >= 9 * 60 + 19
    assert all(a < b for a, b in zip(minutes[:-2], minutes[1:-1]))
    last = lines[-1]
    assert "青浦区中心" in last and "朱家角镇" in last and "取号" in last
    assert "projection check: stored state equals the fold of the events" in r.stdout
    assert "/docs" in r.stdout and "/handler" in r.stdout and "区医保中心" in r.stdout


def test_0008_makes_each_terminal_a_clerk_signed_in_on_known_to_her(db_url):
    """known_sign_ins is backfilled from the clerk sessions before it: one row per (clerk, terminal), since her first
    sign-in there; an account that never signed in anywhere knows no terminal."""
    engine = make_engine(db_url)
    migrate(engine, "0007")
    world = build(engine)
    (_, t1), (_, t2), (_, t3) = (world.hub.enrol(world.codes.pop(f"terminal{n}")) for n in (1, 2, 3))
    with engine.connect() as conn:
        clerks = dict(conn.execute(text("select staff_no, id from clerks where site_id = 's1'")).all())
    at = world.clock.now()
    with engine.begin() as conn:  # sessions as that release wrote them: C1 on terminals 1 and 3, C2 on terminal 2
        for n, (clerk, device, hours) in enumerate(((clerks["C1"], t1.device_id, 0), (clerks["C2"], t2.device_id, 0),
                                                    (clerks["C1"], t3.device_id, 2), (clerks["C1"], t1.device_id, 5))):
            conn.execute(text("insert into clerk_sessions (token_hash, clerk_id, device_id, started_at) values (:h, :c, :d, :at)"),
                         {"h": f"hash-{n}", "c": clerk, "d": device, "at": at + timedelta(hours=hours)})
    sessions = [(clerks["C1"], t1.device_id), (clerks["C2"], t2.device_id), (clerks["C1"], t3.device_id)]
    migrate(engine, "0008")
    with engine.connect() as conn:
        rows = conn.execute(text("select clerk_id, source, failed_pins from known_sign_ins order by source")).all()
    expected = sorted((c, f"device:{d}", 0) for c, d in sessions)  # one row per (clerk, terminal), not per session
    assert sorted(tuple(r) for r in rows) == expected
    with engine.connect() as conn:  # since her first sign-in there
        since = conn.execute(text("select since from known_sign_ins where source = :s and clerk_id = :c"),
                             {"s": f"device:{t1.device_id}", "c": clerks["C1"]}).scalar()
    assert utc(datetime.fromisoformat(since) if isinstance(since, str) else since) == at  # (SQLite: text)
    engine.dispose()


def test_0011_adds_the_handlers_department_and_goes_back_down(db_url):
    """Up: the clerks keep their rows, the new column is empty, a handler can be written; down to 0010: the column
    is gone and the clerks are still there (on SQLite through a table copy)."""
    from alembic import command

    from common.db.engine import alembic_config

    engine = make_engine(db_url)
    migrate(engine, "0010")
    build(engine)
    with engine.connect() as conn:
        before = sorted(conn.execute(text("select id, role from clerks")).all())
    migrate(engine, "0011")
    with engine.begin() as conn:
        assert conn.execute(text("select count(*) from clerks where department is null")).scalar() == len(before)
        conn.execute(text("update clerks set role = 'handler', department = '区医保中心' where id = 's1-C1'"))
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        later = {("tickets", "waited_seconds"), ("tickets", "waiting_since"), ("tickets", "services"),  # 0013's
                 ("queues", "name_en"), ("service_items", "department_en")}  # 0016's
        added = {d[1].name for d in diff if d[0] == "add_table"}  # tables of later migrations, with their indexes
        assert [d for d in diff if d[0] != "add_table" and not (d[0] == "add_column" and (d[2], d[3].name) in later)
                and not (d[0] == "add_index" and d[1].table.name in added)] == []
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0010")
    with engine.connect() as conn:
        assert "department" not in {c["name"] for c in inspect(conn).get_columns("clerks")}
        after = sorted(conn.execute(text("select id, role from clerks")).all())
    assert [r[0] for r in after] == [r[0] for r in before]
    migrate(engine)  # and up again
    with engine.connect() as conn:
        assert "department" in {c["name"] for c in inspect(conn).get_columns("clerks")}
    engine.dispose()


def test_admin_creates_a_departments_handler(tmp_path):
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path)}
    assert run_cli("admin", "create-site", "--id", "v1", "--name", "青浦区", "--level", "district", env=env).returncode == 0
    r = run_cli("admin", "create-clerk", "--site", "v1", "--staff-no", "H1", "--name", "医保经办", "--department",
                "区医保中心", "--pin-stdin", env=env, stdin="739164\n")
    assert r.returncode == 0, r.stderr
    r = run_cli("admin", "create-clerk", "--site", "v1", "--staff-no", "H2", "--name", "x", "--department", "医" * 51,
                "--pin-stdin", env=env, stdin="739164\n")
    assert r.returncode == 2 and "承办单位" in r.stderr and "department" in r.stderr
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with engine.connect() as conn:
        assert conn.execute(text("select role, department from clerks")).all() == [("handler", "区医保中心")]
    engine.dispose()


def test_0016_adds_the_halls_own_english_names_and_goes_back_down(db_url):
    """Up from 0015: queues and items keep their rows, the new columns empty, an English name can be written; down:
    the columns are gone and the rows are still there (on SQLite through a table copy)."""
    from alembic import command

    from common.db.engine import alembic_config

    engine = make_engine(db_url)
    migrate(engine, "0015")
    build(engine)
    with engine.connect() as conn:
        queues = sorted(conn.execute(text("select id, name from queues")).all())
        items = sorted(conn.execute(text("select id, department from service_items")).all())
    migrate(engine, "0016")
    with engine.begin() as conn:
        assert conn.execute(text("select count(*) from queues where name_en is null")).scalar() == len(queues)
        assert conn.execute(text("select count(*) from service_items where department_en is null")).scalar() == len(items)
        conn.execute(text("update queues set name_en = 'General' where id = :q"), {"q": queues[0][0]})
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "0015")
    with engine.connect() as conn:
        assert "name_en" not in {c["name"] for c in inspect(conn).get_columns("queues")}
        assert "department_en" not in {c["name"] for c in inspect(conn).get_columns("service_items")}
        assert sorted(conn.execute(text("select id, name from queues")).all()) == queues
        assert sorted(conn.execute(text("select id, department from service_items")).all()) == items
    migrate(engine)
    engine.dispose()
