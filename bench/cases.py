"""Cases at a district hub (issue 13): the handler's work list, the supervisors' figures, one case with its history.

A district hub (SQLite file or PostgreSQL) holds 20,000 cases over 30 sites and two years, written in bulk as a hub
would have written them (their events in hub order, and the `cases` rows as the fold of those events), beside the
ticket events of the same halls (the history of a case is read from the same event log). Then, 20 runs each:

- the work list of the district centre's 办不成事 window (`common.readmodels.cases.worklist` through
  `hub.read_cases` for a supervisor's `Desk`), the busiest site;
- the supervisors' figures for all 30 sites over one quarter (`common.readmodels.cases.figures`, calendar included);
- one case with its history (`common.readmodels.cases.detail` through `hub.read_cases`);
- a department's handler's list and figures (区医保中心 of the district centre, through `hub.read_department`).

Targets from the issue: the list and the panel within 100 ms (a handler's list too). `--profile` prints a cProfile of each read.

    PYTHONPATH=$PWD .venv/bin/python bench/cases.py sqlite [--cases 20000] [--ticket-events 400000] [--profile]
    PYTHONPATH=$PWD .venv/bin/python bench/cases.py postgresql
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select  # noqa: E402

from bench._hub import fresh_database  # noqa: E402
from common.db import caserows, repo  # noqa: E402
from common.db.engine import make_engine, migrate, reader  # noqa: E402
from common.db.schema import EventRow  # noqa: E402
from common.domain import cases as c  # noqa: E402
from common.domain import contact  # noqa: E402
from common.domain.clock import SHANGHAI  # noqa: E402
from common.domain.events import Event  # noqa: E402
from common.domain.ids import new_token  # noqa: E402
from common.readmodels import caseledger  # noqa: E402
from common.readmodels import cases as read  # noqa: E402
from common.readmodels.assessment import parse_quarter, quarter_of  # noqa: E402
from common.usecases import reference  # noqa: E402
from common.usecases.casework import Desk, Handler  # noqa: E402
from common.usecases.hub import Hub  # noqa: E402
from tests.world import FakeClock  # noqa: E402

TODAY = date(2026, 12, 1)
START = TODAY - timedelta(days=730)
SITES = ["d0"] + [f"c{n:02d}" for n in range(1, 30)]  # the district centre and 29 community centres
DEPARTMENTS = ["区医保中心", "区人社局", "区市场监管局", "区民政局", "区税务局", "街道办"]
CAUSES = (["materials"] * 4 + ["policy"] * 3 + ["system"] * 2 + ["attitude", "other"])
TEXTS = ["材料清单和窗口说的不一样", "系统一直提示身份证号有误", "政策规定不清楚，来了三次", "窗口让去街道开证明",
         "等了很久没人管", "网上预约了到现场却说不能办"]
KEY = bytes(range(32))


def _at(day: date, rnd: random.Random) -> datetime:
    return datetime.combine(day, dtime(9, 0), SHANGHAI) + timedelta(minutes=rnd.randrange(0, 480))


def history_of(n: int, rnd: random.Random, cal, sealed: list[str]) -> list[Event]:
    """One case's events as its hub made them: opened, and the steps its age has let it reach."""
    site = "d0" if rnd.random() < 0.2 else rnd.choice(SITES[1:])
    opened = START + timedelta(days=rnd.randrange(0, 731))
    while not cal.is_working(opened):
        opened += timedelta(days=1)
    rating = rnd.random() < 0.35
    cid = str(uuid.UUID(int=rnd.getrandbits(128), version=4))
    at = _at(opened, rnd)
    clerk, dev = f"{site}-C{rnd.randrange(1, 12)}", f"dev-{site}"
    ev: list[Event] = []

    def add(kind, data, when, who=clerk):
        ev.append(Event(id=str(uuid.UUID(int=rnd.getrandbits(128), version=4)), site_id=site, kind=kind, at=when,
                        data=data, device_id=dev, clerk_id=who))

    due = cal.add(opened, c.FIRST_CONTACT_DAYS) if rating else None
    _, data = c.decide_open(
        case_id=cid, public_token=new_token(), kind=c.CaseKind.rating if rating else c.CaseKind.case,
        source="rating" if rating else rnd.choice(["window", "window", "kiosk", "kiosk", "rejection"]),
        cause="other" if rating else rnd.choice(CAUSES), text=rnd.choice(TEXTS), day=opened,
        contact=rnd.choice(sealed) if rnd.random() < 0.6 else None, item_id=f"{site}-I{rnd.randrange(1, 9)}",
        ticket_id=str(uuid.uuid4()) if rating else None, rated_clerk_id=f"{site}-C{rnd.randrange(1, 12)}" if rating else None,
        first_contact_due=due)
    add(c.CASE_OPENED, data, at, None if rating else clerk)
    age = (TODAY - opened).days
    progress = 6 if age > 40 and rnd.random() < 0.97 else rnd.randrange(0, 7)  # old cases are mostly closed
    if progress == 0:
        return ev
    handler = f"{site}-C99"
    if not rating:
        cls = rnd.choice(["general"] * 5 + ["immediate"] * 2 + ["complex"] * 2 + ["out_of_scope"])
        due = cal.add(opened, c.CLASSES[cls]) if cls != "out_of_scope" else None
        add(c.CASE_CLASSIFIED, {"case_id": cid, "case_class": cls, "due_day": due.isoformat() if due else None,
                                "explanation": "属涉法涉诉事项，请依法通过诉讼途径解决" if cls == "out_of_scope" else None},
            at + timedelta(minutes=10), handler)
        if cls == "out_of_scope":
            return ev
    if progress >= 2:
        add(c.CASE_ASSIGNED, {"case_id": cid, "department": rnd.choice(DEPARTMENTS),
                              "handler_site_id": "d0" if rnd.random() < 0.15 else site}, at + timedelta(hours=1), handler)
    if progress >= 3:
        add(c.CASE_NOTED, {"case_id": cid, "note": "已电话联系办事人，说明办理进度", "contact": True},
            at + timedelta(hours=3), handler)
    if progress >= 4 and not rating and rnd.random() < 0.05 and due is not None:
        due = cal.add(due, 5)
        add(c.CASE_EXTENDED, {"case_id": cid, "due_day": due.isoformat(), "reason": "需多部门会商"},
            at + timedelta(hours=4), handler)
    if progress >= 5:
        answer_day = min(TODAY, opened + timedelta(days=rnd.randrange(0, 12)))
        answer = rnd.choice(["rectified", "explained", "explained", "appeal"] if rating else ["done"] * 6 + ["partly"] * 2 + ["cannot"])
        add(c.CASE_ANSWERED, {"case_id": cid, "answer": answer, "text": "已答复办事人", "on_time": due is None or answer_day <= due,
                              "legal_reason": "《社会保险法》第十条" if answer == "cannot" else None},
            max(_at(answer_day, rnd), at + timedelta(hours=5)), handler)
    if progress >= 6:
        satisfied = rnd.random() < 0.9
        when = ev[-1].at + timedelta(days=2)
        add(c.CASE_FOLLOWED_UP, {"case_id": cid, "reached": True, "satisfied": satisfied, "note": None}, when, handler)
    return ev


def filler(n: int, rnd: random.Random) -> list[dict]:
    """The halls' own events (tickets issued, called, finished) that share the log with the cases."""
    kinds = ["ticket_issued", "ticket_called", "service_started", "service_finished"]
    out = []
    for _ in range(n):
        day = START + timedelta(days=rnd.randrange(0, 731))
        out.append({"id": str(uuid.UUID(int=rnd.getrandbits(128), version=4)), "site_id": rnd.choice(SITES),
                    "kind": rnd.choice(kinds), "at": _at(day, rnd), "device_id": "dev", "clerk_id": None,
                    "schema_version": 1, "data": {"ticket_id": str(uuid.uuid4()), "window_id": "w01"}})
    out.sort(key=lambda r: r["at"])
    return out


def load(engine, n_cases: int, n_filler: int) -> None:
    rnd = random.Random(13)
    with engine.begin() as conn:
        for sid in SITES:
            reference.create_site(conn, id=sid, name=f"中心{sid}", level="district" if sid == "d0" else "community",
                                  parent_id=None if sid == "d0" else "d0")
            q = reference.create_queue(conn, site_id=sid, letter="A", name="综合")
            for i in range(1, 9):
                reference.create_item(conn, site_id=sid, code=f"I{i}", name=f"事项{i}", department=DEPARTMENTS[i % 6],
                                      category="personal", complexity="general", standard_minutes=10, queue_id=q)
        cal = caserows.calendar(conn)
    sealed = [contact.seal(KEY, contact.check(f"王小{n}", f"1381234{n:04d}")) for n in range(200)]
    events = [x for n in range(n_cases) for x in history_of(n, rnd, cal, sealed)]
    events.sort(key=lambda x: x.at)
    ticket_rows = filler(n_filler, rnd)
    folded: dict[str, c.Case] = {}
    for x in events:
        assert c.apply(folded, x.site_id, x.kind, x.at, x.data), x
    # hub order: the halls' events and the cases' interleaved by time, as they came
    merged = sorted([(x.at, 0, x) for x in events] + [(r["at"], 1, r) for r in ticket_rows], key=lambda t: (t[0], t[1]))
    t0 = time.perf_counter()
    with engine.begin() as conn:
        chunk: list = []
        for _, _, x in merged:
            chunk.append(x)
            if len(chunk) >= 5000:
                _flush(conn, chunk)
                chunk = []
        _flush(conn, chunk)
        caserows.save_cases(conn, folded.values(), new=set(folded))
    print(f"loaded {len(folded)} cases, {len(events)} case events, {len(ticket_rows)} other events "
          f"in {time.perf_counter() - t0:.1f} s")


def _flush(conn, chunk) -> None:
    """In order, each run of the same sort in one executemany (the seq follows the order)."""
    run: list = []
    for x in chunk + [None]:
        if run and (x is None or isinstance(x, dict) != isinstance(run[0], dict)):
            if isinstance(run[0], dict):
                conn.execute(insert(EventRow), run)
            else:
                repo.append_events(conn, run)
            run = []
        if x is not None:
            run.append(x)


def timed(fn, runs: int = 20) -> tuple[float, float]:
    fn()  # warm: the calendar library, the statements' caches
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return statistics.median(ms), ms[int(0.95 * (runs - 1))]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", choices=["sqlite", "postgresql"])
    ap.add_argument("--cases", type=int, default=20_000)
    ap.add_argument("--ticket-events", type=int, default=400_000)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-cases-"))
    engine = make_engine(fresh_database(args.db, folder))
    migrate(engine)
    load(engine, args.cases, args.ticket_events)
    hub = Hub(engine, FakeClock(datetime.combine(TODAY, dtime(10, 0), SHANGHAI)), contact_key=KEY)
    desk = Desk(site_id="d0", clerk_id="d0-SUP")
    handler = Handler(site_id="d0", clerk_id="d0-H", department=DEPARTMENTS[0])  # a department's handler (/handler)
    with engine.connect() as conn:
        open_d0 = conn.execute(select(func.count()).select_from(caserows.K).where(
            caserows.K.c.status.in_(read.OPEN), (caserows.K.c.site_id == "d0") | (caserows.K.c.handler_site_id == "d0"))).scalar()
        one = conn.execute(select(caserows.K.c.id).where(caserows.K.c.site_id == "d0", caserows.K.c.status == "closed",
                                                   caserows.K.c.follow_ups > 0)
                           .order_by(caserows.K.c.opened_day.desc()).limit(1)).scalar()
        events = conn.execute(select(func.count()).select_from(EventRow)).scalar()
    since = TODAY - timedelta(days=91)

    def panel():
        with reader(engine) as conn:
            return read.figures(conn, SITES, since, TODAY, caserows.calendar(conn))

    def export(period=None):  # the 台账 as GET /dashboard/cases.xlsx builds it (server/web/cases.py), contacts masked
        rows, steps = hub.read_cases(desk, lambda conn, site, today, calendar: caseledger.ledger(
            conn, site, today, calendar, hub.masked_contact, period))
        return caseledger.to_xlsx(rows, steps, ("案件台账", "办理经过")), len(rows), len(steps)

    reads = {
        "work list (d0)": lambda: hub.read_cases(desk, read.worklist),
        "figures (30 sites, a quarter)": panel,
        "one case with history": lambda: hub.read_cases(desk, read.detail, one),
        "handler's list (d0, 区医保中心)": lambda: hub.read_department(handler, read.worklist),
        "handler's figures (d0, 区医保中心)": lambda: hub.read_department(handler, read.department_figures, since),
    }
    listed, fig, det = reads["work list (d0)"](), panel(), reads["one case with history"]()
    print(f"{args.db}: {events} events; d0 has {open_d0} cases open, its list shows {len(listed)}; the quarter "
          f"{fig['registered']} cases; the case shown has {len(det['history'])} steps")
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    quarter = parse_quarter(quarter_of(TODAY))
    for what, period in (("the quarter", quarter), ("all time", None)):
        body, n_rows, n_steps = export(period)
        t0 = time.perf_counter()
        for _ in range(3):
            export(period)
        print(f"  台账 export, d0, {what} ({n_rows} cases, {n_steps} steps, {len(body) // 1024} KiB)  "
              f"mean {(time.perf_counter() - t0) / 3 * 1000:7.1f} ms (3 runs)")
    for name, fn in reads.items():
        p50, p95 = timed(fn)
        print(f"  {name:32s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            for _ in range(5):
                fn()
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(18)
    engine.dispose()


if __name__ == "__main__":
    main()
