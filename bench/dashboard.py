"""Benchmark: the supervisors' dashboard data for a site with 3,000 tickets today.

Target: <= 100 ms. The day is played through the hub's commands (devtools/sample.py) on SQLite
and PostgreSQL; then the dashboard's data (today's figures, windows, ratings, arrivals per hour, the
quarter's assessment) is read in-process and over HTTP (GET /dashboard/data, signed in) on loopback.
Run: .venv/bin/python bench/dashboard.py [sqlite|postgresql]
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

import requests
from _hub import demo_engine  # noqa: E402  (puts the project on sys.path)
from _hub import timed as _timed  # noqa: E402

from common.usecases import reference  # noqa: E402
from devtools import sample
from devtools.loopback import LoopbackHub  # noqa: E402
from server.web import dashboard  # noqa: E402

RUNS = 30


def timed(fn) -> list[float]:
    return _timed(fn, RUNS)


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    engine = demo_engine(kind)
    t0 = time.perf_counter()
    start = datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai
    hall = sample.play(engine, "qp-centre", start, start + timedelta(hours=8), per_hour=375, seed=3)
    hub = hall.hub
    supervisor = reference.demo_data()["sites"][0]["supervisors"][0]
    token, _ = hub.supervisor_sign_in("qp-centre", supervisor["staff_no"], supervisor["pin"])
    sup = hub.supervisor(token)
    data = dashboard.data(hub, sup, None, None)
    f = data["day"]["figures"]
    print(f"{kind}: played {f['issued']} tickets ({f['served']} served, {f['ratings']['count']} rated) "
          f"in {time.perf_counter() - t0:.0f} s")
    inproc = timed(lambda: dashboard.data(hub, sup, None, None))
    with LoopbackHub(hub) as served:
        http = requests.Session()
        http.cookies.set("haoban_session", token)
        assert http.get(f"{served.url}/dashboard/data").status_code == 200
        over_http = timed(lambda: http.get(f"{served.url}/dashboard/data").raise_for_status())
        page = timed(lambda: http.get(f"{served.url}/dashboard").raise_for_status())
    for name, ms in (("in-process", inproc), ("GET /dashboard/data", over_http), ("GET /dashboard (page)", page)):
        print(f"  {name:22} median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms  (target <= 100 ms)")
    engine.dispose()


if __name__ == "__main__":
    main()
