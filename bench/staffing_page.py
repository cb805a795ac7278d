"""Benchmark: the staffing page's work for the 34-window centre, cold (forecast fit + advise of one day, on the
planner's thread) and cached (the same (site, day, version) again), as server/web/staffing.py runs it. The history is
devtools/history.py's seeded 10 weeks (not read from a database: the page's own event read is left out)."""
from __future__ import annotations

import asyncio
import statistics
import time
from datetime import date, timedelta

from common.domain.workdays import WorkCalendar
from common.planning import forecast, staffing
from devtools import history
from server.planner import Planner

FIRST = date(2026, 8, 17)
DAYS = [date(2026, 10, 27) + timedelta(days=n) for n in range(10)]


def main() -> None:
    calendar = WorkCalendar()
    counts = history.history(FIRST, 70, calendar, seed=2026)
    centre = history.demo_centre(windows=34)
    planner = Planner()

    def compute(day: date) -> dict:
        model = forecast.fit({d: c for d, c in counts.items() if d < day}, calendar)
        plan = staffing.advise(centre, model.predict(day), day)
        return {"windows": plan.window_hours, "meets": plan.meets}

    async def ask(day: date) -> float:
        t = time.perf_counter()
        await planner.get(("qp-centre", day.isoformat(), 1), lambda: compute(day))
        return time.perf_counter() - t

    days = [d for d in DAYS if calendar.is_working(d)]
    cold = [asyncio.run(ask(d)) for d in days]
    cached = [asyncio.run(ask(d)) for d in days for _ in range(20)]
    print(f"34 windows, {len(days)} working days: cold median {statistics.median(cold):.3f} s, "
          f"max {max(cold):.3f} s; cached median {statistics.median(cached) * 1e6:.0f} µs, "
          f"max {max(cached) * 1e6:.0f} µs; plans computed {planner.computed}")


if __name__ == "__main__":
    main()
