"""A seeded synthetic arrival history of a 34-window district centre (the demo centre's queues): for the forecast's
benchmark (bench/forecast.py) and its tests. Deterministic for a given seed.

What it puts in, so that the forecast has something to learn and the score means something:
* a weekday profile (Monday busiest, Friday quietest) and a daily shape with a morning peak (09:30-11:00), a
  lunch dip and an afternoon peak (14:00-15:30), Mondays a little heavier in the morning (the model does not know);
* the first three working days of a month busier for 医保社保 and 涉税 (the tax filing period starts), its last three
  busier for 公积金 and 医保社保;
* the first working day after a break of three days or more: a surge (×1.45), the second a little (×1.15, unmodelled);
* closed on holidays and weekends, open on weekend days made working days (调休), at about 80 % of a weekday;
* day-to-day noise (gamma, 8 %), Poisson counts per slot, and about one odd day in thirty (a system outage
  at half the arrivals, or a deadline rush at 1.6 times).
"""
from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta

import numpy as np

from common.domain.clock import SHANGHAI
from common.domain.workdays import WorkCalendar
from common.planning.forecast import SLOT_MINUTES, SLOTS_PER_DAY, day_types

OPEN, CLOSE = time(8, 30), time(17, 0)
# queue letter -> share of the hall's arrivals (H: the 办不成事 counter)
SHARES = {"A": 0.32, "B": 0.08, "C": 0.12, "D": 0.15, "E": 0.10, "F": 0.07, "G": 0.15, "H": 0.01}
DAILY = 420  # tickets on a plain Tuesday at a 34-window centre (the demo's items take 8-30 minutes)
WEEKDAY = (1.15, 1.0, 0.97, 0.96, 0.9, 0.8, 0.8)
MONTH_START = {"A": 1.15, "G": 1.35}
MONTH_END = {"A": 1.10, "E": 1.25}
AFTER_HOLIDAY = (1.45, 1.15)


def _shape(monday: bool) -> np.ndarray:
    s = np.zeros(SLOTS_PER_DAY)
    first = (OPEN.hour * 60 + OPEN.minute) // SLOT_MINUTES
    last = (CLOSE.hour * 60 + CLOSE.minute) // SLOT_MINUTES
    for slot in range(first, last):
        h = slot * SLOT_MINUTES / 60 + SLOT_MINUTES / 120
        morning = math.exp(-((h - 10.2) / 1.0) ** 2) * (1.25 if monday else 1.0)
        afternoon = 0.8 * math.exp(-((h - 14.7) / 1.1) ** 2)
        s[slot] = 0.25 + morning + afternoon - (0.25 if 12 <= h < 13 else 0)
    return s / s.sum()


def expected(day: date, calendar: WorkCalendar, site_id: str = "qp-centre") -> dict[str, np.ndarray]:
    """The generator's own mean arrivals per queue and slot on `day` (before noise)."""
    if not calendar.is_working(day):
        return {}
    types = day_types(day, calendar)
    after = 0
    if "after_holiday" in types:
        after = 1
    elif "after_holiday" in day_types(_previous_working(day, calendar), calendar):
        prev = _previous_working(day, calendar)
        after = 2 if (day - prev).days == 1 else 0
    shape = _shape(day.weekday() == 0)
    out = {}
    for letter, share in SHARES.items():
        m = DAILY * share * WEEKDAY[day.weekday()]
        if "month_start" in types:
            m *= MONTH_START.get(letter, 1.0)
        if "month_end" in types:
            m *= MONTH_END.get(letter, 1.0)
        if after:
            m *= AFTER_HOLIDAY[after - 1]
        out[f"{site_id}-{letter}"] = m * shape
    return out


def _previous_working(day: date, calendar: WorkCalendar) -> date:
    d = day - timedelta(days=1)
    while not calendar.is_working(d):
        d -= timedelta(days=1)
    return d


def history(first: date, days: int, calendar: WorkCalendar, seed: int = 2026,
            site_id: str = "qp-centre") -> dict[date, dict[str, np.ndarray]]:
    """Counts per day, queue and slot from `first` for `days` days (closed days left out)."""
    rng = np.random.default_rng(seed)
    out = {}
    for n in range(days):
        day = first + timedelta(days=n)
        mean = expected(day, calendar, site_id)
        if not mean:
            continue
        odd = rng.random()
        day_noise = rng.gamma(1 / 0.08**2, 0.08**2) * (0.5 if odd < 0.017 else 1.6 if odd < 0.034 else 1.0)
        out[day] = {q: rng.poisson(m * day_noise).astype(float) for q, m in mean.items()}
    return out


def issued_times(counts: dict[date, dict[str, np.ndarray]], seed: int = 1) -> list[tuple[str, datetime]]:
    """(queue, issued at) for every ticket of `counts`, spread uniformly within its slot (as the event log has them)."""
    rng = np.random.default_rng(seed)
    out = []
    for day, by in sorted(counts.items()):
        midnight = datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
        for q, row in sorted(by.items()):
            for slot in np.nonzero(row)[0]:
                for offset in rng.uniform(0, SLOT_MINUTES * 60, int(row[slot])):
                    out.append((q, midnight + timedelta(minutes=int(slot) * SLOT_MINUTES, seconds=float(offset))))
    return out


def demo_centre(windows: int = 34):
    """The demo district centre grown to `windows` windows: its counters' pattern repeated (the 办不成事 window once),
    its items' standard minutes as their service medians, each item of a queue as likely as another."""
    from common.domain.model import Window, WindowKind
    from common.planning.staffing import Centre, ItemMix
    from common.usecases.reference import demo_data

    data = demo_data()
    site = data["sites"][0]
    sid = site["id"]
    counters = [w for w in site["windows"] if w["kind"] != "cases"]
    cases = [w for w in site["windows"] if w["kind"] == "cases"]
    made = []
    for n in range(windows - len(cases)):
        w = counters[n % len(counters)]
        made.append(Window(f"{sid}-w{n + 1:02d}", sid, n + 1, f"{n + 1}号窗口", WindowKind(w["kind"]),
                           tuple(f"{sid}-{q}" for q in w["queues"])))
    for w in cases:
        n = len(made) + 1
        made.append(Window(f"{sid}-w{n:02d}", sid, n, f"{n}号窗口", WindowKind.cases, tuple(f"{sid}-{q}" for q in w["queues"])))
    queue_of = {d: f"{sid}-{q['letter']}" for q in site["queues"] for d in q["departments"]}
    by_queue: dict[str, list] = {}
    for i in data["catalogue"]["items"]:
        by_queue.setdefault(queue_of[i["department"]], []).append(i)
    items = {q: tuple(ItemMix(f"{sid}-{i['code']}", 1 / len(its), i["standard_minutes"] * 60.0,
                              i.get("wait_limit_min") or (30 if i["complexity"] == "complex" else 10)) for i in its)
             for q, its in by_queue.items()}
    return Centre(sid, tuple(made), items)
