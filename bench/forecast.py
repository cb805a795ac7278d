"""Benchmark: the arrival forecast scored honestly, then the forecast + staffing advice of one week timed.

A seeded 12-week history of a 34-window district centre (devtools/history.py: weekday profile, peaks, month start /
end, after-holiday surge, holidays closed, 调休 weekend days open), 2026-08-17 to 2026-11-08: trained on the first 10
weeks (中秋 and 国庆 inside them), scored on the last 2 (a month end and a month start inside them) against the naive
"same weekday last week". Prints WAPE / MAPE per queue × slot, per hall slot, per queue × day and per day.
Then: the time to fit + forecast + advise the staffing of that centre for one week (target <= 5 s) and to simulate
one hall day (target <= 1 s).
Run: .venv/bin/python bench/forecast.py
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common.domain.workdays import WorkCalendar  # noqa: E402
from common.planning import forecast as fc  # noqa: E402
from devtools import history  # noqa: E402

FIRST, TRAIN_DAYS, TEST_DAYS = date(2026, 8, 17), 70, 14


def score(seed: int) -> tuple[dict, dict]:
    calendar = WorkCalendar()
    counts = history.history(FIRST, TRAIN_DAYS + TEST_DAYS, calendar, seed=seed)
    cut = FIRST + timedelta(days=TRAIN_DAYS)
    train = {d: v for d, v in counts.items() if d < cut}
    test = {d: v for d, v in counts.items() if d >= cut}
    model = fc.fit(train, calendar)
    queues = model.queue_ids
    ours = fc.errors({d: model.predict(d) for d in test}, test, queues)
    naive = fc.errors({d: fc.same_weekday_last_week(counts, d, calendar) for d in test}, test, queues)
    return ours, naive


def main() -> None:
    seeds = range(2026, 2036)
    runs = [score(s) for s in seeds]
    print(f"forecast: 10 weeks trained, 2 scored, {len(runs)} seeds of the history (median over seeds)")
    print(f"{'level':<12}{'WAPE ours':>11}{'WAPE naive':>12}{'MAPE ours':>11}{'MAPE naive':>12}")
    for level in ("queue_slot", "slot", "queue_day", "day"):
        med = lambda which, k: statistics.median(r[which][k] for r in runs)  # noqa: E731
        print(f"{level:<12}{med(0, 'wape_' + level):>11.1%}{med(1, 'wape_' + level):>12.1%}"
              f"{med(0, 'mape_' + level):>11.1%}{med(1, 'mape_' + level):>12.1%}")
    wins = sum(r[0]["wape_queue_slot"] < r[1]["wape_queue_slot"] and r[0]["wape_day"] < r[1]["wape_day"] for r in runs)
    print(f"ours beats naive on WAPE per queue × slot and per day in {wins} of {len(runs)} seeds")
    week()


def week() -> None:
    from common.planning import staffing
    from devtools.history import expected

    calendar = WorkCalendar()
    counts = history.history(FIRST, TRAIN_DAYS + TEST_DAYS, calendar, seed=2026)
    centre = history.demo_centre(windows=34)
    t0 = time.perf_counter()
    model = fc.fit(counts, calendar)
    days = [d for d in (date(2026, 11, 9) + timedelta(days=n) for n in range(7)) if calendar.is_working(d)]
    plans = [staffing.advise(centre, model.predict(d), d) for d in days]
    t1 = time.perf_counter()
    print(f"forecast + staffing advice, one week ({len(days)} open days, 34 windows): {t1 - t0:.2f} s (target <= 5 s)")
    print(f"  simulations run: {sum(p.simulations for p in plans)}; all targets met on "
          f"{sum(p.meets for p in plans)} of {len(plans)} days; window-hours advised per day: "
          f"{[p.window_hours for p in plans]}")
    day = days[0]
    arrivals = staffing.sample_arrivals(expected(day, calendar), day, seed=3)
    plan = plans[0]
    times = []
    for _ in range(5):
        t = time.perf_counter()
        staffing.simulate_plan(centre, plan.open_windows, arrivals, day, seed=1)
        times.append(time.perf_counter() - t)
    print(f"one simulated hall day ({len(arrivals)} tickets): median {statistics.median(times):.3f} s (target <= 1 s)")


if __name__ == "__main__":
    main()
