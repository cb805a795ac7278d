"""A device's local store: its own SQLite file with the outbox, the pulled events, cursors and number leases."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, create_engine, event, func, insert, select, update

from common.domain import events as ev
from common.domain.events import Event
from common.sync import protocol
from common.sync.transport import HttpTransport

_meta = MetaData()
# AUTOINCREMENT: a position is never reused, even after the outbox was emptied (the hub skips
# positions it has acknowledged, so a reused one would be lost; the state-machine test found this).
OUTBOX = Table("outbox", _meta, Column("pos", Integer, primary_key=True, autoincrement=True),
               Column("id", String(36), unique=True, nullable=False), Column("wire", JSON, nullable=False),
               sqlite_autoincrement=True)
# Events the hub refused (4xx, docs/sync.md "One door"): set aside with the hub's answer, so that they do
# not block the outbox; kept for whoever looks into them, never sent again by themselves.
SET_ASIDE = Table("set_aside", _meta, Column("pos", Integer, primary_key=True), Column("id", String(36), nullable=False),
                  Column("wire", JSON, nullable=False), Column("refusal", JSON, nullable=False))
INBOX = Table("inbox", _meta, Column("seq", Integer, primary_key=True), Column("wire", JSON, nullable=False))
META = Table("meta", _meta, Column("key", String(64), primary_key=True), Column("value", JSON))
LEASES = Table("leases", _meta, Column("id", Integer, primary_key=True, autoincrement=True),
               Column("letter", String(1), nullable=False), Column("day", String(10), nullable=False),
               Column("next", Integer, nullable=False), Column("last", Integer, nullable=False))


class LocalStore:
    """A device's own SQLite file: what it made while offline, what it pulled, its cursors and leases."""

    def __init__(self, path: str | Path) -> None:
        self.engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(self.engine, "connect")
        def _connect(dbapi, _record):
            dbapi.isolation_level = None
            dbapi.execute("PRAGMA journal_mode=WAL")
            dbapi.execute("PRAGMA synchronous=FULL")  # a ticket printed must survive a power cut

        @event.listens_for(self.engine, "begin")
        def _begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        _meta.create_all(self.engine)

    def get(self, key: str, default=None):
        with self.engine.begin() as conn:
            return self._get(conn, key, default)

    def tables(self) -> dict:
        """The reference tables (catalogue, queues, windows, …) from the last sync; {} before the first."""
        return (self.get("reference") or {}).get("tables", {})

    @staticmethod
    def _get(conn, key, default=None):
        value = conn.execute(select(META.c.value).where(META.c.key == key)).scalar()
        return default if value is None else value

    @staticmethod
    def _put(conn, key, value) -> None:
        if not conn.execute(update(META).where(META.c.key == key).values(value=value)).rowcount:
            conn.execute(insert(META).values(key=key, value=value))

    def put(self, key: str, value) -> None:
        with self.engine.begin() as conn:
            self._put(conn, key, value)

    def backlog(self) -> int:
        with self.engine.begin() as conn:
            return conn.execute(select(func.count()).select_from(OUTBOX)).scalar_one()

    def set_aside(self) -> list[dict]:
        """The events the hub refused, each with its refusal ({"error", "message_zh", "message_en"})."""
        with self.engine.begin() as conn:
            return [{"pos": r.pos, "wire": r.wire, "refusal": r.refusal} for r in conn.execute(select(SET_ASIDE).order_by(SET_ASIDE.c.pos))]

    def identity(self, hub_url: str, code: str) -> dict:
        """This device's enrolment (token, device, site, window): made once with the one-time code, then kept here."""
        me = self.get("me")
        if me is None:
            me = HttpTransport(hub_url, "").call("POST", "/enrol", json={"code": code})
            self.put("me", me)
        return me

    def ticket_number(self, ticket_id: str) -> str | None:
        """The number of a ticket whose issue this device has pulled from the hub."""
        with self.engine.begin() as conn:
            for (wire,) in conn.execute(select(INBOX.c.wire).order_by(INBOX.c.seq.desc())):
                if wire["k"] == ev.TICKET_ISSUED and wire["d"]["ticket_id"] == ticket_id:
                    return wire["d"]["number"]
        return None

    def inbox_events(self) -> list[Event]:
        with self.engine.begin() as conn:
            return [protocol.from_wire(r.wire) for r in conn.execute(select(INBOX).order_by(INBOX.c.seq))]


