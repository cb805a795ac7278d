"""Benchmark: one Prometheus scrape of /metrics on a busy day at a 34-window district hall.

Target: a few ms. The demo sites, 22 more windows at the district centre (34 in all, as bench/hall_load.py), then a
morning played through the hub's commands (devtools/sample.py) and left at 11:30 with tickets waiting; then the
scrape timed in-process (the collector and the text format) and over HTTP on loopback (GET /metrics from
127.0.0.1), 200 times each.
Run: .venv/bin/python bench/metrics.py [sqlite|postgresql]
"""
from __future__ import annotations

import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

import requests
from _hub import demo_engine  # noqa: E402  (puts the project on sys.path)
from _hub import timed as _timed  # noqa: E402
from prometheus_client import CollectorRegistry, generate_latest  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from common.db import repo  # noqa: E402
from common.usecases import reference  # noqa: E402
from devtools import sample  # noqa: E402
from devtools.loopback import LoopbackHub  # noqa: E402
from server.metrics import HubCollector  # noqa: E402

SITE, WINDOWS, RUNS = "qp-centre", 34, 200


def more_windows(engine) -> None:
    queues = "ABCDEFG"
    with engine.begin() as conn:
        for n in range(13, 13 + WINDOWS - 12):
            reference.create_window(conn, site_id=SITE, number=n, name=f"{n}号窗口", kind="general",
                                    queue_ids=[f"{SITE}-{queues[n % 7]}", f"{SITE}-{queues[(n + 3) % 7]}"])
            reference.create_clerk(conn, site_id=SITE, staff_no=f"QP{n:04d}", name=f"工作人员{n}", pin="135790")


def figures(ms: list[float]) -> str:
    ms = sorted(ms)
    return (f"p50 {statistics.median(ms):.2f} ms, p95 {ms[int(len(ms) * 0.95)]:.2f} ms, "
            f"max {ms[-1]:.2f} ms ({len(ms)} scrapes)")


def timed(fn) -> list[float]:
    return _timed(fn, RUNS)


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "sqlite"
    engine = demo_engine(kind)
    more_windows(engine)
    t0 = time.perf_counter()
    start = datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai
    hall = sample.play(engine, SITE, start, start + timedelta(hours=3), per_hour=700, seed=5)
    hub = hall.hub
    with engine.connect() as c:
        events = c.execute(select(func.count()).select_from(repo.E)).scalar()
        waiting = c.execute(select(func.count()).select_from(repo.T).where(repo.T.c.status == "waiting")).scalar()
    print(f"{kind}: played a morning in {time.perf_counter() - t0:.0f} s: {events} events, {waiting} tickets waiting "
          f"at 11:30, {WINDOWS} windows at {SITE}")
    registry = CollectorRegistry()
    registry.register(HubCollector(hub))
    body = generate_latest(registry)
    print(f"  the scrape: {len(body)} bytes, {len(body.splitlines())} lines")
    print(f"  in-process (collector + text format): {figures(timed(lambda: generate_latest(registry)))}")
    with LoopbackHub(hub) as served:
        http = requests.Session()
        assert http.get(f"{served.url}/metrics", timeout=30).status_code == 200
        print(f"  GET /metrics over loopback HTTP:      "
              f"{figures(timed(lambda: http.get(f'{served.url}/metrics', timeout=30).raise_for_status()))}")


if __name__ == "__main__":
    main()
