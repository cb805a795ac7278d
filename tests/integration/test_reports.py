"""The monthly and quarterly reports: their numbers equal a brute-force recomputation from the raw event log (random
small days through the real hub, days at 23:59 on 31 Dec, month ends and after a holiday), the period's parsing."""
from __future__ import annotations

import math
import shutil
import statistics
import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from common.db import repo
from common.db.engine import make_engine, migrate
from common.db.schema import EventRow
from common.domain import errors as e
from common.domain.model import Outcome
from common.readmodels import reportbook, reports
from tests import world as world_mod
from tests.web import recompute

SHANGHAI = timezone(timedelta(hours=8))  # the recomputation's own clock rule: no daylight saving in China
# days a report must cut right: the last minutes of a year, of a month, the day after National Day, a 调休 Sunday
DAYS = [datetime(2026, 12, 31, 23, 40, tzinfo=SHANGHAI), datetime(2026, 11, 30, 23, 45, tzinfo=SHANGHAI),
        datetime(2026, 12, 1, 0, 1, tzinfo=SHANGHAI), datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI),
        datetime(2026, 9, 30, 16, 30, tzinfo=SHANGHAI), datetime(2026, 10, 11, 9, 0, tzinfo=SHANGHAI),
        datetime(2027, 1, 4, 8, 30, tzinfo=SHANGHAI)]
WINDOWS = (1, 2, 3, 4)

op = st.one_of(
    st.tuples(st.just("issue"), st.sampled_from("AABC"), st.integers(0, 4)),
    st.tuples(st.just("serve"), st.sampled_from(WINDOWS), st.sampled_from(list(Outcome)), st.integers(1, 40),
              st.one_of(st.none(), st.integers(0, 5))),
    st.tuples(st.just("skip"), st.sampled_from(WINDOWS), st.booleans(), st.integers(0, 3)),
    st.tuples(st.just("transfer"), st.sampled_from(WINDOWS), st.sampled_from("ABC"), st.integers(0, 3)),
    st.tuples(st.just("pause"), st.sampled_from(WINDOWS), st.sampled_from(["午休", "", "=系统故障"]), st.integers(1, 30),
              st.booleans()),
)
days = st.lists(st.tuples(st.sampled_from(range(len(DAYS))), st.lists(op, max_size=14)), min_size=1, max_size=3)


@pytest.fixture(scope="module")
def template():
    folder = Path(tempfile.mkdtemp())
    eng = make_engine(f"sqlite:///{folder / 'template.sqlite3'}")
    migrate(eng)
    eng.dispose()
    yield folder / "template.sqlite3"
    shutil.rmtree(folder)


def play(world, plan) -> None:
    """The plan's days through the hub's commands; refusals (an empty queue, a busy window) are part of the day."""
    hub, kiosk = world.hub, world.actor("kiosk")
    terms = {n: world.actor(f"terminal{n}") for n in WINDOWS}
    pads = {n: world.actor(f"pad{n}") for n in WINDOWS}
    for index in sorted({i for i, _ in plan}):
        world.clock.t = DAYS[index].astimezone(timezone.utc)
        hub.close_past_days()
        for step in [s for i, ops in plan if i == index for s in ops]:
            kind, *args = step
            try:
                if kind == "issue":
                    hub.issue_ticket(kiosk, item_id=world.items[args[0]])
                    world.clock.advance(minutes=args[1])
                    continue
                n, w = args[0], world.windows[args[0]]
                if kind == "serve":
                    outcome, minutes, score = args[1:]
                    hub.call_next(terms[n], w)
                    world.clock.advance(minutes=2)
                    hub.start(terms[n], w)
                    world.clock.advance(minutes=minutes)
                    hub.finish(terms[n], w, outcome, reason="材料不全" if outcome is Outcome.rejected else None,
                               missing_materials="户口簿" if outcome is Outcome.accepted_missing else None,
                               due_date=date(2027, 3, 1) if outcome is Outcome.accepted_missing else None)
                    if score is not None:
                        hub.rate(pads[n], hub.read(_last_finished, w), score or None, "态度不好" if score and score <= 2 else None)
                elif kind == "skip":
                    hub.call_next(terms[n], w)
                    world.clock.advance(minutes=args[2])
                    hub.recall(terms[n], w)
                    hub.skip(terms[n], w, requeue=args[1])
                elif kind == "transfer":
                    hub.call_next(terms[n], w)
                    world.clock.advance(minutes=args[2])
                    hub.transfer(terms[n], w, to_queue_id=world.queues[args[1]])
                elif kind == "pause":
                    hub.pause(terms[n], w, args[1] or None)
                    world.clock.advance(minutes=args[2])
                    if args[3]:
                        hub.resume(terms[n], w)
            except e.HaobanError:
                pass


def _last_finished(conn, window_id):
    from common.db import repo

    return conn.execute(select(repo.T.c.id).where(repo.T.c.window_id == window_id, repo.T.c.status == "finished")
                        .order_by(repo.T.c.finished_at.desc())).scalar()


# ---------------------------------------------------------------- the recomputation, from the raw events only

def _at(v: datetime) -> datetime:
    return v if v.tzinfo else v.replace(tzinfo=timezone.utc)


def from_events(engine, first: date, last: date, now: datetime) -> dict:
    with engine.connect() as c:
        rows = c.execute(select(EventRow).where(EventRow.site_id == "s1").order_by(EventRow.seq)).all()
    tickets, pauses, open_ = {}, [], {}
    for r in rows:
        d, at = r.data, _at(r.at)
        if r.kind in ("window_paused", "window_resumed"):
            day = at.astimezone(SHANGHAI).date()
            if r.kind == "window_paused" and d["window_id"] not in open_ and first <= day <= last:
                open_[d["window_id"]] = (at, r.clerk_id, (d.get("reason") or "").strip())
            elif r.kind == "window_resumed" and d["window_id"] in open_:
                pauses.append((d["window_id"], *open_.pop(d["window_id"]), at))
            continue
        if r.kind == "ticket_issued":
            tickets[d["ticket_id"]] = {"id": d["ticket_id"], "day": at.astimezone(SHANGHAI).date(), "issued": at, "item": d["item_id"],
                                       "wl": d["wait_limit_min"] * 60, "sl": d["service_limit_min"] * 60,
                                       "status": "waiting", "first": None, "start": None, "end": None, "window": None,
                                       "clerk": None, "score": None, "outcome": None, "transfers": 0}
            continue
        t = tickets.get(d.get("ticket_id"))
        if t is None:
            continue
        if r.kind == "ticket_called":
            t.update(status="called", window=d["window_id"], clerk=r.clerk_id)
            t["first"] = t["first"] or at
        elif r.kind == "service_started":
            t.update(status="serving", start=at)
        elif r.kind == "service_finished":
            t.update(status="finished", end=at, outcome=d["outcome"])
        elif r.kind == "ticket_skipped":
            t.update(status="waiting", window=None) if d.get("requeue") else t.update(status="no_show")
        elif r.kind == "ticket_transferred":
            t.update(status="waiting", window=None)
            t["transfers"] += 1
        elif r.kind == "ticket_rated" and t["score"] is None:
            t["score"] = d["score"]
        elif r.kind == "ticket_unrated" and t["score"] is None:
            t["score"] = 0
        elif r.kind == "ticket_expired":
            t.update(status="expired", window=None)
    for wid, (start, clerk, reason) in open_.items():
        pauses.append((wid, start, clerk, reason, None))
    cut = []
    for wid, start, clerk, reason, end in pauses:
        day = start.astimezone(SHANGHAI).date()
        midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI) + timedelta(days=1)
        stop = min(end or midnight, midnight, now)
        if stop > start:
            cut.append({"window": wid, "clerk": clerk, "reason": reason, "day": day, "start": start, "end": stop})
    waits = recompute.tickets_from_events(engine, "s1")  # the waits as docs/queue.md "Figures" defines them
    kept = [t | {"rc": waits[t["id"]], "now": now} for t in tickets.values() if first <= t["day"] <= last]
    return {"tickets": kept, "pauses": cut}


def brute(ts: list[dict], pauses: list[dict], key: str | None) -> dict:
    # waits: every span of waiting summed (recompute.wait), of called tickets; the share: within / over as
    # recompute.verdict has it (over while still waiting counts); services: every ended service of these tickets
    waits = sorted(recompute.wait(t["rc"], t["now"]) for t in ts if t["first"])
    fin = [t for t in ts if t["status"] == "finished"]
    services = sorted((t["end"] - t["start"]).total_seconds() for t in fin)
    scores = [t["score"] for t in ts if t["score"]]
    waits_ok = [v for t in ts if (v := recompute.verdict(t["rc"], t["now"])) is not None]
    services_ok = [(x["end"] - x["start"]).total_seconds() <= t["sl"] for t in ts for x in t["rc"]["services"]]
    out = {
        "arrivals": len(ts), "served": len(fin), "no_show": sum(t["status"] == "no_show" for t in ts),
        "wait_median": round(statistics.median(waits)) if waits else None,
        "wait_p90": round(waits[math.ceil(len(waits) * 0.9) - 1]) if waits else None,
        "service_median": round(statistics.median(services)) if services else None,
        "service_p90": round(services[math.ceil(len(services) * 0.9) - 1]) if services else None,
        "wait_within_limit_share": round(sum(waits_ok) / len(waits_ok), 4) if waits_ok else None,
        "service_within_limit_share": round(sum(services_ok) / len(services_ok), 4) if services_ok else None,
        "rated": len(scores), "rating_average": round(sum(scores) / len(scores), 2) if scores else None,
        "bad_ratings": sum(s <= 2 for s in scores), "transferred": sum(t["transfers"] > 0 for t in ts),
        "outcomes": {o.value: sum(t["outcome"] == o.value for t in fin) for o in Outcome},
    }
    if key is not None:  # time at the window (or the clerk's): pauses, and idle between a day's services
        out["paused_seconds"] = round(sum((p["end"] - p["start"]).total_seconds() for p in pauses))
        idle = 0.0
        for day in {t["day"] for t in fin}:
            served = [t for t in fin if t["day"] == day]
            a, b = min(t["start"] for t in served), max(t["end"] for t in served)
            busy = sum((t["end"] - t["start"]).total_seconds() for t in served)
            gaps = sum(max(0.0, (min(b, p["end"]) - max(a, p["start"])).total_seconds()) for p in pauses if p["day"] == day)
            idle += max(0.0, (b - a).total_seconds() - busy - gaps)
        out["idle_seconds"] = round(idle)
    return out


def check(report: dict, truth: dict, world) -> None:
    ts, ps = truth["tickets"], truth["pauses"]
    site = report["site"]
    want = brute(ts, [p for p in ps if p["window"]], "site")
    want["idle_seconds"] = sum(  # a site's idle time is its windows' (one window's gap is not filled by another's)
        brute([t for t in ts if t["window"] == wid], [p for p in ps if p["window"] == wid], "window")["idle_seconds"]
        for wid in world.windows.values())
    assert {k: site["total"][k] for k in want} == want
    windows = {n: world.windows[n] for n in WINDOWS}
    for row in site["windows"]:
        wid = windows[row["number"]]
        mine = brute([t for t in ts if t["window"] == wid], [p for p in ps if p["window"] == wid], "window")
        assert {k: row[k] for k in mine} == mine, row["number"]
    shown = {r["number"] for r in site["windows"]}
    assert all(n in shown for n in WINDOWS if any(t["window"] == windows[n] for t in ts) or any(p["window"] == windows[n] for p in ps))
    for row in site["clerks"]:
        cid = _clerk_id(world, row["staff_no"])
        mine = brute([t for t in ts if t["clerk"] == cid], [p for p in ps if p["clerk"] == cid], "clerk")
        assert {k: row[k] for k in mine} == mine, row["staff_no"]
    assert sum(r["arrivals"] for r in site["departments"]) == len(ts)
    reasons = defaultdict(float)
    for p in ps:
        reasons[p["reason"]] += (p["end"] - p["start"]).total_seconds()
    assert {r["reason"]: r["seconds"] for r in site["pause_reasons"]} == {k: round(v) for k, v in reasons.items()}
    assert sum(d["arrivals"] for d in site["per_day"]) == len(ts)


def _clerk_id(world, staff_no: str) -> str:
    from common.db.schema import ClerkRow

    with world.hub.engine.connect() as c:
        return c.execute(select(ClerkRow.id).where(ClerkRow.site_id == "s1", ClerkRow.staff_no == staff_no)).scalar()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=days, kind=st.sampled_from(["month", "quarter"]), pick=st.integers(0, 3))
def test_a_report_equals_a_recomputation_from_the_events(template, plan, kind, pick):
    folder = Path(tempfile.mkdtemp())
    try:
        shutil.copy(template, folder / "hub.sqlite3")
        engine = make_engine(f"sqlite:///{folder / 'hub.sqlite3'}")
        world = world_mod.build(engine)
        play(world, plan)
        day = DAYS[sorted({i for i, _ in plan})[pick % len({i for i, _ in plan})]].date()
        label = reports.period_of(day, kind)
        period = reports.parse_period(label)
        now = world.clock.now()
        with engine.connect() as c:
            report = reports.report(c, "s1", None, label, now)
            # the report reads only the fields in reports.READ_FIELDS: with its tickets read whole it is the same
            whole = [repo.ticket_from_row(r) for r in c.execute(select(repo.T).where(
                repo.T.c.site_id == "s1", repo.T.c.business_day.between(period.first.isoformat(), period.last.isoformat())))]
            assert reports.site_report(c, "s1", period, now, tickets=whole) == report["site"]
        check(report, from_events(engine, period.first, period.last, now), world)
        reportbook.to_xlsx(report, "en")  # every report exports
        engine.dispose()
    finally:
        shutil.rmtree(folder)


def test_a_ticket_at_2359_on_31_december_belongs_to_that_year(template, tmp_path):
    shutil.copy(template, tmp_path / "hub.sqlite3")
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    world = world_mod.build(engine)
    kiosk = world.actor("kiosk")
    world.clock.t = datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI).astimezone(timezone.utc)  # 15:59 UTC
    world.hub.issue_ticket(kiosk, item_id=world.items["A"])
    world.clock.advance(minutes=2)  # 00:01 on 1 January in Shanghai, still 31 December in UTC
    world.hub.issue_ticket(kiosk, item_id=world.items["A"])
    now = world.clock.now()
    with engine.connect() as c:
        dec = reports.report(c, "s1", None, "2026-12", now)["site"]
        q4 = reports.report(c, "s1", None, "2026-Q4", now)["site"]
        jan = reports.report(c, "s1", None, "2027-01", now)["site"]
    assert dec["total"]["arrivals"] == 1 and dec["per_day"][-1] == {"day": "2026-12-31", "arrivals": 1}
    assert q4["total"]["arrivals"] == 1 and q4["last"] == "2026-12-31"
    assert jan["total"]["arrivals"] == 1 and jan["per_day"][0] == {"day": "2027-01-01", "arrivals": 1}
    engine.dispose()


@pytest.mark.parametrize("text,first,last", [("2026-11", "2026-11-01", "2026-11-30"), ("2024-02", "2024-02-01", "2024-02-29"),
                                             ("2026-Q4", "2026-10-01", "2026-12-31"), ("2026-Q1", "2026-01-01", "2026-03-31"),
                                             ("2099-12", "2099-12-01", "2099-12-31")])
def test_periods(text, first, last):
    p = reports.parse_period(text)
    assert (p.first.isoformat(), p.last.isoformat()) == (first, last)
    assert p.start == datetime.fromisoformat(first + "T00:00+08:00")


@pytest.mark.parametrize("text,key", [("2026-13", "period_format"), ("2026-00", "period_format"), ("2026-Q5", "period_format"),
                                      ("2026Q4", "period_format"), ("", "period_format"), ("２０２６-11", "period_format"),
                                      ("2026-11\n", "period_format"), ("9999-12", "period_range"), ("1999-Q4", "period_range"),
                                      ("2026-11' OR 1=1--", "period_format"), ("x" * 5000, "period_format")])
def test_hostile_periods_are_refused_in_both_languages(text, key):
    with pytest.raises(e.InvalidInput) as exc:
        reports.parse_period(text)
    assert exc.value.key == key and exc.value.zh and exc.value.en and exc.value.zh != exc.value.en
