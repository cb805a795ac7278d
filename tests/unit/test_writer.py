"""Group commit (common/usecases/writer.py) on a real SQLite file and a real PostgreSQL database: the commands
that wait together commit together, a failing one is rolled back alone, the order is kept, and on PostgreSQL a
batch holds one site."""
from __future__ import annotations

import contextlib
import threading

import pytest
from sqlalchemy import text

from common.db.engine import make_engine
from common.domain import errors as e
from common.usecases.writer import Writer


@pytest.fixture
def table(db_url):
    engine = make_engine(db_url)
    with engine.begin() as c:
        c.execute(text("CREATE TABLE notes (n INTEGER PRIMARY KEY, site TEXT NOT NULL)"))
    yield engine
    engine.dispose()


def rows(engine) -> list[tuple[int, str]]:
    with engine.connect() as c:
        return [tuple(r) for r in c.execute(text("SELECT n, site FROM notes ORDER BY n"))]


def insert(n: int, site: str = "s1", fail: Exception | None = None, order: list | None = None):
    def run(conn):
        conn.execute(text("INSERT INTO notes (n, site) VALUES (:n, :s)"), {"n": n, "s": site})
        if order is not None:
            order.append(n)
        if fail is not None:
            raise fail
        return n
    return run


def blocked_writer(engine) -> tuple[Writer, threading.Event, object]:
    """A writer busy with a first command until `go` is set: what is submitted meanwhile waits together."""
    writer = Writer(engine, threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext())
    go, started = threading.Event(), threading.Event()

    def first(conn):
        started.set()
        assert go.wait(10)
        return "first"

    head = writer.submit("s1", first)
    assert started.wait(10)
    return writer, go, head


def test_a_batch_commits_once_and_a_failing_command_is_rolled_back_alone(table):
    writer, go, head = blocked_writer(table)
    futures = [writer.submit("s1", insert(1)), writer.submit("s1", insert(2, fail=e.InvalidInput("one_item_or_bundle"))),
               writer.submit("s1", insert(3))]
    go.set()
    assert head.result(10) == "first"
    assert futures[0].result(10) == 1 and futures[2].result(10) == 3
    with pytest.raises(e.InvalidInput):
        futures[1].result(10)
    assert rows(table) == [(1, "s1"), (3, "s1")]  # the failed command's row is not there
    assert (writer.batches, writer.commands) == (2, 3)  # the three waiting ones went in one transaction


def test_a_unique_key_lost_is_a_conflict_of_that_command_only(table):
    writer, go, head = blocked_writer(table)
    futures = [writer.submit("s1", insert(1)), writer.submit("s1", insert(1)), writer.submit("s1", insert(2))]
    go.set()
    assert [futures[0].result(10), futures[2].result(10)] == [1, 2]
    with pytest.raises(e.Conflict):
        futures[1].result(10)
    assert rows(table) == [(1, "s1"), (2, "s1")]


def test_a_lone_command_that_fails_writes_nothing_and_the_writer_goes_on(table):
    writer = Writer(table, threading.Lock())
    with pytest.raises(e.NotFound):
        writer.run("s1", insert(1, fail=e.NotFound("no_site")))
    assert rows(table) == []
    assert writer.run("s1", insert(2)) == 2
    assert rows(table) == [(2, "s1")]


def test_order_is_kept_and_postgresql_batches_hold_one_site(table):
    writer, go, head = blocked_writer(table)
    order: list[int] = []
    sites = ["s1", "s2", "s1", "s2", "s1"]
    futures = [writer.submit(site, insert(n, site, order=order)) for n, site in enumerate(sites, start=1)]
    go.set()
    assert [f.result(10) for f in futures] == [1, 2, 3, 4, 5]
    if table.dialect.name == "postgresql":  # s1's three, then s2's two: two transactions after the first
        assert order == [1, 3, 5, 2, 4] and writer.batches == 3
    else:
        assert order == [1, 2, 3, 4, 5] and writer.batches == 2
    assert [n for n, site in rows(table) if site == "s1"] == [1, 3, 5]


def test_a_command_may_not_wait_for_another_from_inside_the_writer(table):
    writer = Writer(table, threading.Lock())
    with pytest.raises(RuntimeError):
        writer.run("s1", lambda conn: writer.run("s1", insert(1)))
    assert rows(table) == []
