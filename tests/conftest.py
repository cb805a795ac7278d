"""Fixtures: real SQLite files and a real PostgreSQL database, a small hall, a hub served over loopback HTTP."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from common.db.engine import make_engine, migrate
from devtools.loopback import LoopbackHub, free_port  # noqa: F401 - free_port for the tests
from tests import world as world_mod

PG_ADMIN_URL = os.environ.get("HAOBAN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

# The quick loop, `./haoban test -m "not slow"`, leaves out what is marked `slow` here: every test in tests/ui (Qt
# windows) and tests/web (Chromium), the PostgreSQL variant of each database test (a database of its own per test;
# the SQLite variant stays in the loop), and the modules and tests below. A module may also say
# `pytestmark = pytest.mark.slow` itself (tests/integration/test_wheel.py).
TESTS = Path(__file__).resolve().parent
SLOW_FOLDERS = {"ui", "web"}
SLOW = {
    "integration/test_queue_state_machine.py",  # Hypothesis state machines: minutes of random command sequences
    "integration/test_sync_state_machine.py",
    "integration/test_case_state_machine.py::test_case_state_machine_sqlite",  # about a minute of case workflows
    "integration/test_sync_processes.py",  # hub and devices as processes, killed with SIGKILL again and again
    "integration/test_openapi_fuzz.py",  # Schemathesis over the whole API
    "integration/test_migrations_cli.py::test_demo_runs_a_simulated_morning_through_the_real_hub",
    "integration/test_migrations_cli.py::test_admin_commands_and_check",  # the hub's command line as processes
    "integration/test_appointments.py::test_cli_import_from_a_csv_all_or_nothing",
    "integration/test_demo_any_hour.py::test_cli_load_demo_on_the_hubs_clock",
    "integration/test_demo_signals.py",  # `./haoban demo` as a process, stopped by each signal
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(item.path)
        if not path.is_relative_to(TESTS):
            continue
        where = path.relative_to(TESTS).as_posix()
        callspec = getattr(item, "callspec", None)
        if (where.split("/")[0] in SLOW_FOLDERS or where in SLOW or f"{where}::{item.originalname}" in SLOW
                or (callspec is not None and callspec.params.get("db_url") == "postgresql")
                or "pg_url" in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def _pg_or_skip():
    try:
        eng = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        return eng
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        message = f"PostgreSQL at {PG_ADMIN_URL} is unreachable: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI has PostgreSQL: a missing server is a failure, never a skip
        pytest.skip(message)


@pytest.fixture
def pg_url():
    yield from pg_database()


def pg_database():
    """A PostgreSQL database of its own (made, its URL yielded, dropped): `pg_url`, or a module's fixture."""
    admin = _pg_or_skip()
    name = f"haoban_t_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    with admin.connect() as c:
        c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url):
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def world(engine):
    return world_mod.build(engine)


LiveHub = LoopbackHub  # the name the tests use


@pytest.fixture
def live(world):
    with LiveHub(world.hub) as server:
        yield server
