"""The hub's minute job for the live warnings (issue 17, "A warning that came true or not is kept"): how long one
round takes at a district hub with `--sites` sites that all have tickets waiting at once (every site is looked at,
its warnings computed, new ones stored), and the round 15 minutes later that decides them all.

Each site has two queues (A: limit 10 minutes, C: 30), three windows (two signed in) and `--tickets` tickets per
queue issued through the hub's own command in the last minutes, so most queues warn. Real database: a fresh SQLite
file or PostgreSQL (HAOBAN_BENCH_PG, database haoban_bench).

    PYTHONPATH=$PWD .venv/bin/python bench/warnings.py [--db sqlite|postgresql] [--sites 300] [--tickets 6]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._hub import fresh_database  # noqa: E402
from common.db.engine import make_engine, migrate  # noqa: E402
from common.domain.model import Role  # noqa: E402
from common.usecases import auth, reference  # noqa: E402
from common.usecases.hub import Hub  # noqa: E402
from tests.world import PIN, FakeClock  # noqa: E402


def seed(hub: Hub, sites: int, tickets: int) -> None:
    now = hub.clock.now()
    kiosks = []
    with hub.engine.begin() as c:
        for n in range(sites):
            sid = f"v{n:03d}"
            reference.create_site(c, id=sid, name=f"{sid} 服务站", level="village")
            qa = reference.create_queue(c, site_id=sid, letter="A", name="医保社保")
            qc = reference.create_queue(c, site_id=sid, letter="C", name="公积金")
            items = [reference.create_item(c, site_id=sid, code=f"I{letter}", name=f"事项{letter}", department="医保",
                                           category="personal", complexity=cx, standard_minutes=10, queue_id=q)
                     for letter, cx, q in (("A", "general", qa), ("C", "complex", qc))]
            for w in (1, 2, 3):
                wid = reference.create_window(c, site_id=sid, number=w, name=f"{w}号窗口", kind="general",
                                              queue_ids=[qa, qc] if w < 3 else [qc])
                reference.create_clerk(c, site_id=sid, staff_no=f"C{w}", name=f"工作人员{w}", pin=PIN)
                if w < 3:
                    kiosks.append(("t", sid, w, auth.create_enrolment_code(c, site_id=sid, role=Role.terminal,
                                                                           name=f"t{w}", now=now, window_id=wid)))
            kiosks.append(("k", sid, items, auth.create_enrolment_code(c, site_id=sid, role=Role.kiosk, name="k", now=now)))
    for kind, _site, extra, code in kiosks:
        _, actor = hub.enrol(code)
        if kind == "t":
            hub.sign_in(actor, f"C{extra}", PIN)
        else:
            for _ in range(tickets):
                for item in extra:
                    hub.issue_ticket(actor, item_id=item)


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--db", default="sqlite", choices=("sqlite", "postgresql"))
    args.add_argument("--sites", type=int, default=300)
    args.add_argument("--tickets", type=int, default=6)
    a = args.parse_args()
    engine = make_engine(fresh_database(a.db, Path(tempfile.mkdtemp())))
    migrate(engine)
    clock = FakeClock(datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc))  # a Tuesday, 09:30 in Shanghai
    hub = Hub(engine, clock)
    t = time.perf_counter()
    seed(hub, a.sites, a.tickets)
    print(f"{a.db}: {a.sites} sites, {a.sites * a.tickets * 2} tickets waiting, seeded in {time.perf_counter() - t:.1f} s")
    clock.advance(minutes=6)
    rounds = []
    for label, minutes in (("raise", 0), ("again, 1 min later", 1), ("decide, 15 min later", 15)):
        clock.advance(minutes=minutes)
        t = time.perf_counter()
        stored, decided = hub.keep_warnings()
        rounds.append((label, (time.perf_counter() - t) * 1000, stored, decided))
    for label, ms, stored, decided in rounds:
        print(f"  round {label:<22} {ms:8.0f} ms  ({stored} stored, {decided} decided; {ms / a.sites:.2f} ms a site)")
    engine.dispose()


if __name__ == "__main__":
    main()
