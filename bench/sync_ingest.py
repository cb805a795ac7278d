"""Benchmarks of sync (issue "Sync and offline"):
- central ingest of pushed batches of 500 events, on SQLite and PostgreSQL (in-process: the receiver's cost);
- a village backlog of ~10,000 events (7 days) uploaded over HTTP by the upstream link, until acknowledged;
- bytes on the wire per event, gzip-compressed.
Targets: >= 20,000 events/s; <= 5 s; <= 200 bytes/event.
Run: .venv/bin/python bench/sync_ingest.py
"""
from __future__ import annotations

import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from _hub import HubProcess, fresh_database

from common.db.engine import make_engine, migrate
from common.domain.clock import OffsetClock, SystemClock
from common.domain.model import Outcome, Role
from common.sync import protocol
from common.usecases import auth, reference, upstream
from common.usecases.hub import Hub

SITE = "qp-zhujiajiao"


class StepClock:
    def __init__(self, start):
        self.t = start

    def now(self):
        self.t += timedelta(seconds=7)
        return self.t


def village_week(folder: Path) -> tuple[str, list[dict]]:
    """Seven days at a small site, made through the real hub commands: ~10,000 events."""
    url = f"sqlite:///{folder / 'village.sqlite3'}"
    engine = make_engine(url)
    migrate(engine)
    with engine.begin() as conn:
        reference.load_demo(conn)
        now = SystemClock().now()
        k = auth.create_enrolment_code(conn, site_id=SITE, role=Role.kiosk, name="k", now=now)
        t = auth.create_enrolment_code(conn, site_id=SITE, role=Role.terminal, name="t", now=now, window_id=f"{SITE}-w01")
        r = auth.create_enrolment_code(conn, site_id=SITE, role=Role.rating, name="r", now=now, window_id=f"{SITE}-w01")
        items = [row.id for row in conn.exec_driver_sql(
            f"select i.id from service_items i join window_queues q on q.queue_id = i.queue_id where q.window_id = '{SITE}-w01'")]
    clock = StepClock(datetime(2026, 11, 16, 0, 30, tzinfo=timezone.utc))
    hub, rng = Hub(engine, clock), random.Random(1)
    _, kiosk = hub.enrol(k)
    _, term = hub.enrol(t)
    _, pad = hub.enrol(r)
    from dataclasses import replace

    term = replace(term, clerk_id=f"{SITE}-ZJJ01")
    for day in range(7):
        clock.t = datetime(2026, 11, 16 + day, 0, 30, tzinfo=timezone.utc)
        for _ in range(290):
            done = hub.issue_ticket(kiosk, item_id=rng.choice(items))
            hub.call_next(term, f"{SITE}-w01")
            hub.start(term, f"{SITE}-w01")
            hub.finish(term, f"{SITE}-w01", Outcome.completed)
            hub.rate(pad, done.event.ticket_id, rng.choice((5, 5, 5, 4, 3)), None)
    return url, []


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="haoban-sync-bench-"))
    village_url, _ = village_week(folder)
    village = make_engine(village_url)
    with village.connect() as conn:
        from common.db import repo

        events = repo.events_after(conn, SITE, 0, limit=100_000)
    wires = [{**protocol.to_wire(x), "p": x.seq} for x in events]
    batches = [wires[i:i + 500] for i in range(0, len(wires), 500)]
    size = sum(len(protocol.encode({"protocol": 1, "after": b[0]["p"] - 1, "events": b})) for b in batches)
    print(f"village week: {len(wires)} events; on the wire {size / len(wires):.0f} bytes/event gzip-compressed "
          f"(batches of 500; {sum(len(protocol.encode(w)) for w in wires[:200]) / 200:.0f} bytes/event one by one)")

    for kind in ("sqlite", "postgresql"):
        url = fresh_database(kind, folder)
        engine = make_engine(url)
        migrate(engine)
        with engine.begin() as conn:
            reference.load_demo(conn)
            code = auth.create_enrolment_code(conn, site_id=SITE, role=Role.hub, name="village", now=SystemClock().now())
        central = Hub(engine)
        _, actor = central.enrol(code)
        start = time.perf_counter()
        after = 0
        for b in batches:
            body = protocol.decode(protocol.encode({"protocol": 1, "after": after, "events": b}))
            after = central.push(actor, body)["acked"]
        took = time.perf_counter() - start
        print(f"central ingest on {kind}: {len(wires)} events in {took:.2f} s = {len(wires) / took:,.0f} events/s "
              f"(batches of 500, decode + store + project)")
        engine.dispose()

    # the village's backlog over real HTTP to a central hub process
    central = HubProcess(fresh_database("sqlite", folder / "c") if (folder / "c").mkdir() is None else "")
    try:
        from sqlalchemy import create_engine

        e2 = create_engine(central.db_url)
        with e2.begin() as conn:
            code = auth.create_enrolment_code(conn, site_id=SITE, role=Role.hub, name="village", now=SystemClock().now())
        e2.dispose()
        answer = upstream.HttpTransport(central.url, "").call("POST", "/enrol", json={"code": code})
        with village.begin() as conn:
            upstream.save_state(conn, url=central.url, token=answer["token"], site_id=SITE, device_id=answer["device_id"], acked=0)
        link = upstream.UpstreamLink(village, OffsetClock(SystemClock()))
        start = time.perf_counter()
        link.push()
        took = time.perf_counter() - start
        print(f"village backlog over HTTP: {len(wires)} events uploaded and acknowledged in {took:.2f} s "
              f"({len(wires) / took:,.0f} events/s, SQLite central hub process)")
    finally:
        central.stop()


if __name__ == "__main__":
    main()
