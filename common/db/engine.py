"""Engines: SQLite in WAL mode (one hub process owns the file) or PostgreSQL by URL; schema by Alembic."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, make_url, text

from common.domain.files import private_sqlite

MIGRATIONS = Path(str(resources.files("common.db") / "migrations"))


def make_engine(url: str) -> Engine:
    """An engine whose transactions serialise writers: BEGIN IMMEDIATE on SQLite, row locks on PostgreSQL.

    A failed statement's error (and so any log of it) never shows its parameters: they hold PIN hashes,
    tokens' hashes and names. A SQLite file is its owner's only (0600)."""
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            private_sqlite(database)
        # Pool: more connections than threads that can hold one (anyio's 40, the sign-in threads, the writer and
        # the background loops), so that the event loop's own reads (server/deps.py) never wait for a free one.
        pool = {"pool_size": 8, "max_overflow": 64} if database and database != ":memory:" else {}
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True, **pool)

        @event.listens_for(engine, "connect")
        def _connect(dbapi, _record):  # pragma: no cover - trivial
            dbapi.isolation_level = None  # we emit BEGIN ourselves
            cur = dbapi.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # Readers (see `reader`) take no write lock; WAL lets them run beside the writer.
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("read_only") else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=20, max_overflow=20, pool_pre_ping=True, hide_parameters=True)


def reader(engine: Engine) -> Connection:
    """A connection for queries only. On PostgreSQL in autocommit: each statement sees the latest commit, as
    it would in a READ COMMITTED transaction, without the BEGIN and ROLLBACK round trips (two of a one-read
    request's four; `snapshot` is the reader whose statements all see one moment)."""
    conn = engine.connect().execution_options(read_only=True)
    return conn.execution_options(isolation_level="AUTOCOMMIT") if engine.dialect.name == "postgresql" else conn


def snapshot(engine: Engine) -> Connection:
    """A read-only connection whose reads all see one moment and that takes no write lock (SQLite: a deferred
    transaction in WAL mode, its snapshot fixed by its first read; PostgreSQL: REPEATABLE READ READ ONLY)."""
    conn = reader(engine)
    if engine.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    return conn


def lock_site(conn: Connection, site_id: str) -> bool:
    """Serialise commands of one site: the hub is the only writer of a site's order. False if no such site."""
    # (BEGIN IMMEDIATE already holds SQLite's write lock)
    return conn.execute(_LOCK_SITE if conn.dialect.name == "postgresql" else _SITE, {"s": site_id}).first() is not None


_LOCK_SITE = text("SELECT id FROM sites WHERE id = :s FOR UPDATE")
_SITE = text("SELECT id FROM sites WHERE id = :s")


def alembic_config(conn: Connection) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


_MIGRATION_LOCK = text("SELECT pg_advisory_xact_lock(7342001)")  # any constant of ours: one key for every hub


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to `revision` (idempotent). On PostgreSQL several hub processes starting at once
    (haoban-hub@.service) migrate one after another: the first upgrades, the others then find the schema current."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(_MIGRATION_LOCK)  # held until this transaction ends (DDL is transactional there)
        command.upgrade(alembic_config(conn), revision)
