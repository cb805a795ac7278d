"""Benchmark: a district of 300 sites' monthly report (issue 17, "Figures": <= 30 s on PostgreSQL).

The district hub holds two months of a seeded, realistic district (the month reported and the one before it, so the
report must pick its month out of a larger table): 1 district centre (34 windows, ~1,600 tickets a working day),
7 sub-centres (8 windows, ~400), 30 community centres (6 windows, ~200) and 262 village points (1 window, ~20);
the working days of the month by the 调休 calendar; waits, services, no-shows, transfers, outcomes, ratings and each
window's pauses (lunch, meetings, system faults) as the hub's projection and event log would hold them (each ticket's
closed wait and finished service as `sla` reads them; a transfer is counted, its second service not made), written in
bulk. Then the district supervisor's report (`reports.report`: the centre's own breakdown and every site summarised)
is timed, and with `--profile` a cProfile of one run is printed.

    PYTHONPATH=$PWD .venv/bin/python bench/reports.py postgresql [--scale 1.0] [--profile]
    PYTHONPATH=$PWD .venv/bin/python bench/reports.py sqlite
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from bench._hub import fresh_database  # noqa: E402
from common.db import repo  # noqa: E402
from common.db.engine import make_engine, migrate, reader  # noqa: E402
from common.db.schema import ClerkRow  # noqa: E402
from common.domain import events as ev  # noqa: E402
from common.domain.clock import SHANGHAI  # noqa: E402
from common.domain.workdays import WorkCalendar  # noqa: E402
from common.readmodels import reportbook, reports  # noqa: E402
from common.usecases import reference  # noqa: E402

# level, how many, windows each, tickets a working day each
LEVELS = (("district", 1, 34, 1600), ("subcentre", 7, 8, 400), ("community", 30, 6, 200), ("village", 262, 1, 20))
DEPARTMENTS = (("A", "医保", "general"), ("B", "社保", "general"), ("C", "公积金", "general"), ("D", "市场监管", "complex"),
               ("E", "不动产", "complex"))
OUTCOMES = (("completed", 0.62), ("accepted", 0.2), ("accepted_missing", 0.07), ("commitment", 0.06), ("rejected", 0.05))
PAUSES = ("午休", "会议", "系统故障", "")
MONTHS = ("2026-10", "2026-11")  # the report is on the second


def build_sites(conn) -> list[tuple[str, str, int, int]]:
    sites = []
    for level, count, windows, daily in LEVELS:
        for n in range(count):
            sid = "qp" if level == "district" else f"{level[:3]}{n + 1:03d}"
            reference.create_site(conn, id=sid, name=f"{sid} 服务中心", level=level, parent_id=None if level == "district" else "qp")
            queues = [reference.create_queue(conn, site_id=sid, letter=q, name=dept) for q, dept, _ in DEPARTMENTS]
            for (q, dept, cx), qid in zip(DEPARTMENTS, queues):
                reference.create_item(conn, site_id=sid, code=f"I{q}", name=f"{dept}事项", department=dept, category="personal",
                                      complexity=cx, standard_minutes=12, queue_id=qid)
            for w in range(1, windows + 1):
                reference.create_window(conn, site_id=sid, number=w, name=f"{w}号窗口", kind="general", queue_ids=queues)
                conn.execute(insert(ClerkRow).values(id=f"{sid}-C{w:02d}", site_id=sid, staff_no=f"C{w:02d}",
                                                     name=f"工作人员{w}", pin_hash="-", role="clerk"))  # no argon2 x 532
            sites.append((sid, level, windows, daily))
    reference.create_clerk(conn, site_id="qp", staff_no="S1", name="主管", pin="482915", role="supervisor")
    return sites


def working_days(month: str, calendar: WorkCalendar) -> list[date]:
    return [d for d in reports.parse_period(month).days() if calendar.is_working(d)]


def day_rows(rng: random.Random, sid: str, windows: int, daily: int, day: date):
    """One site's tickets and pause events of one working day."""
    tickets, events = [], []
    n = max(1, int(rng.gauss(daily, daily * 0.12)))
    open_at = datetime(day.year, day.month, day.day, 9, tzinfo=SHANGHAI)
    free = [open_at] * windows  # when each window is next free: the queue's waits follow from the load
    counters: dict[str, int] = {}
    for issued in sorted(open_at + timedelta(seconds=rng.uniform(0, 8 * 3600)) for _ in range(n)):  # in hall order
        q, dept, cx = DEPARTMENTS[rng.randrange(len(DEPARTMENTS))]
        counters[q] = counters.get(q, 0) + 1
        w = min(range(windows), key=free.__getitem__)
        called = max(issued + timedelta(seconds=rng.expovariate(1 / 90)), free[w])
        service = rng.lognormvariate(6.0, 0.5)  # ~7 minutes median: a busy hall, not an overrun one
        no_show, transfer = rng.random() < 0.03, rng.random() < 0.02
        started = None if no_show else called + timedelta(seconds=rng.uniform(10, 60))
        finished = None if no_show else started + timedelta(seconds=service)  # type: ignore[operator]
        free[w] = (finished or called) + timedelta(seconds=rng.uniform(5, 40))
        outcome = None if no_show else rng.choices([o for o, _ in OUTCOMES], [p for _, p in OUTCOMES])[0]
        score = None if no_show or rng.random() < 0.3 else rng.choices([5, 4, 3, 2, 1], [70, 18, 7, 3, 2])[0]
        tickets.append({
            "id": str(uuid.UUID(int=rng.getrandbits(128))), "site_id": sid, "business_day": day.isoformat(),
            "number": f"{q}{counters[q]:03d}", "letter": q, "seq": counters[q], "queue_id": f"{sid}-{q}",
            "item_id": f"{sid}-I{q}", "bundle_id": None, "priority": "normal", "issued_at": issued, "arrival_at": issued,
            "wait_limit_min": 30 if cx == "complex" else 10, "service_limit_min": 20,
            "public_token": uuid.UUID(int=rng.getrandbits(128)).hex, "slot_start": None, "slot_end": None,
            "status": "no_show" if no_show else "finished", "window_id": f"{sid}-w{w + 1:02d}",
            "clerk_id": f"{sid}-C{w + 1:02d}", "first_called_at": called, "called_at": called, "recalls": int(no_show),
            "requeues": 0, "transfers": int(transfer), "target_window_id": None, "started_at": started,
            "finished_at": finished, "outcome": outcome, "outcome_reason": "材料不符" if outcome == "rejected" else None,
            "missing_materials": None, "due_date": None, "rating_score": score, "rating_reason": None})
    for w in range(windows):
        for _ in range(rng.choice((0, 1, 1, 2))):
            start = open_at + timedelta(seconds=rng.uniform(2 * 3600, 7 * 3600))
            end = start + timedelta(seconds=rng.uniform(300, 3600))
            wid = f"{sid}-w{w + 1:02d}"
            for kind, at, data in ((ev.WINDOW_PAUSED, start, {"window_id": wid, "reason": rng.choice(PAUSES)}),
                                   (ev.WINDOW_RESUMED, end, {"window_id": wid})):
                events.append({"id": str(uuid.UUID(int=rng.getrandbits(128))), "site_id": sid, "kind": kind,
                               "at": at.astimezone(timezone.utc), "device_id": None, "clerk_id": f"{sid}-C{w + 1:02d}",
                               "schema_version": 1, "data": data})
    for t in tickets:
        for k in ("issued_at", "arrival_at", "first_called_at", "called_at", "started_at", "finished_at"):
            if t[k] is not None:
                t[k] = t[k].astimezone(timezone.utc)
        # what the projection keeps for `sla` (common/domain/sla.py): the wait closed by the call, the finished service
        t["waited_seconds"] = round((t["first_called_at"] - t["issued_at"]).total_seconds(), 3)
        t["services"] = [] if t["started_at"] is None else [{
            "window_id": t["window_id"], "clerk_id": t["clerk_id"], "started_at": t["started_at"].isoformat(),
            "ended_at": t["finished_at"].isoformat(), "waited_seconds": t["waited_seconds"], "end": "finished",
            "score": t["rating_score"]}]
    return tickets, events


def fill(engine, scale: float, seed: int = 17) -> int:
    rng = random.Random(seed)
    calendar = WorkCalendar()
    with engine.begin() as conn:
        sites = build_sites(conn)
    total = 0
    for month in MONTHS:
        for day in working_days(month, calendar):
            tickets, events = [], []
            for sid, _, windows, daily in sites:
                t, e_ = day_rows(rng, sid, windows, max(1, int(daily * scale)), day)
                tickets += t
                events += e_
            with engine.begin() as conn:
                conn.execute(insert(repo.T), tickets)
                conn.execute(insert(repo.E), events)
            total += len(tickets)
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", nargs="?", default="postgresql", choices=("sqlite", "postgresql"))
    ap.add_argument("--scale", type=float, default=1.0, help="tickets a day, times the levels' figures")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    engine = make_engine(fresh_database(args.kind, Path(tempfile.mkdtemp())))
    migrate(engine)
    t0 = time.perf_counter()
    total = fill(engine, args.scale)
    print(f"{args.kind}: {len([1 for lv in LEVELS for _ in range(lv[1])])} sites, {total} tickets over {MONTHS} "
          f"written in {time.perf_counter() - t0:.0f} s")
    now = datetime(2026, 12, 2, 2, 0, tzinfo=timezone.utc)
    month = MONTHS[-1]

    def run():
        with reader(engine) as conn:
            return reports.report(conn, "qp", None, month, now)

    times = []
    for _ in range(args.runs):
        t = time.perf_counter()
        r = run()
        times.append(time.perf_counter() - t)
    times.sort()
    tot = r["site"]["total"]
    arrivals = sum(s["arrivals"] for s in r["summary"])
    print(f"  report {month}: {len(r['summary'])} sites, {arrivals} tickets in the month; the centre's own "
          f"{tot['arrivals']} (wait median {tot['wait_median']} s, within limit {tot['wait_within_limit_share']})")
    print(f"  district report: median {times[len(times) // 2]:.1f} s, max {times[-1]:.1f} s  (target <= 30 s)")
    t = time.perf_counter()
    book = reportbook.to_xlsx(r, "zh_CN")
    print(f"  its XLSX: {len(book) // 1024} KB in {time.perf_counter() - t:.1f} s")
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(run)
        pstats.Stats(prof).sort_stats("cumulative").print_stats(18)
    engine.dispose()


if __name__ == "__main__":
    main()
