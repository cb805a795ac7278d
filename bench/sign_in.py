"""Benchmark: do sign-ins stall the hub? 48 concurrent dashboard sign-ins (right PINs, then wrong ones) while
another client times GET /healthz and a kiosk's GET /api/v1/queue; and the cost of finding the device behind a
token on every request (`Hub.actor`).

A hub process (`haoban serve`, SQLite, demo sites) on loopback. Prints p50 / p99 of the timed reads in each phase.
Run: .venv/bin/python bench/sign_in.py [sign-ins]
"""
from __future__ import annotations

import http.client
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import requests
from _hub import HubProcess, fresh_database  # noqa: E402  (puts the project on sys.path)

SUPERVISOR = ("qp-centre", "QP0900", "615284")  # common/demo_data.json


def timed_reads(url: str, headers: dict, stop: threading.Event) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"healthz": [], "queue": []}
    http = requests.Session()
    while not stop.is_set():
        for name, path, h in (("healthz", "/healthz", {}), ("queue", "/api/v1/queue", headers)):
            t0 = time.perf_counter()
            r = http.get(url + path, headers=h, timeout=30)
            times[name].append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, r.text
        time.sleep(0.005)
    return times


def phase(url: str, headers: dict, attempts: list[tuple[str, str]]) -> tuple[dict, float, dict]:
    """Run the sign-ins concurrently while timing reads; returns the read times, the wall time and the statuses."""
    stop = threading.Event()
    with ThreadPoolExecutor(1) as reader:
        reading = reader.submit(timed_reads, url, headers, stop)
        time.sleep(0.3)  # a few quiet reads first
        t0 = time.perf_counter()

        def one(n_staff_pin):
            n, (staff, pin) = n_staff_pin  # each from an address of its own (127.0.0.10, .11 …): no back-off here
            host, port = url.removeprefix("http://").split(":")
            conn = http.client.HTTPConnection(host, int(port), timeout=60, source_address=(f"127.0.0.{10 + n}", 0))
            csrf = "bench-csrf-token-0123456789"  # double submit: the form's field matches the browser's cookie
            conn.request("POST", "/dashboard/sign-in",
                         urlencode({"site": SUPERVISOR[0], "staff_no": staff, "pin": pin, "csrf": csrf}),
                         {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"haoban_csrf={csrf}"})
            status = conn.getresponse().status
            conn.close()
            return status

        statuses = []
        if attempts:
            with ThreadPoolExecutor(len(attempts)) as pool:
                statuses = list(pool.map(one, enumerate(attempts)))
        else:
            time.sleep(1.0)
        wall = time.perf_counter() - t0
        stop.set()
        times = reading.result()
    counts: dict = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    return times, wall, counts


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def actor_cost(db_url: str, token: str | None = None, n: int = 2000) -> float:
    """Microseconds per `Hub.actor` call (what every device request pays to find its device); without `token`, on a
    database of its own with one enrolled kiosk."""
    from common.db.engine import make_engine
    from common.usecases.hub import Hub

    engine = make_engine(db_url)
    hub = Hub(engine)
    if token is None:
        from devtools.demo import _prepare

        token = hub.enrol(_prepare(db_url)["qp-centre"]["kiosk"])[0]
    hub.actor(token)
    t0 = time.perf_counter()
    for _ in range(n):
        hub.actor(token)
    cost = (time.perf_counter() - t0) / n * 1e6
    engine.dispose()
    return cost


def main(count: int = 48) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db_url = fresh_database("sqlite", Path(tmp))
        hub = HubProcess(db_url)
        try:
            token = requests.post(f"{hub.url}/api/v1/enrol", json={"code": hub.codes["qp-centre"]["kiosk"]},
                                  timeout=10).json()["token"]
            headers = {"Authorization": f"Bearer {token}"}
            _, staff, pin = SUPERVISOR
            for label, attempts in (("idle", []),
                                    (f"{count} right sign-ins", [(staff, pin)] * count),
                                    (f"{count} wrong sign-ins", [(f"QP{i:04d}", "000000") for i in range(count)])):
                times, wall, statuses = phase(hub.url, headers, attempts)
                print(f"{label:<22} wall {wall:5.2f} s  answers {statuses}  "
                      + "  ".join(f"{k} p50 {statistics.median(v):6.1f} ms p99 {pct(v, 0.99):7.1f} ms (n={len(v)})"
                                  for k, v in times.items()), flush=True)
            print(f"Hub.actor per request: {actor_cost(db_url, token):.0f} µs (SQLite)")
        finally:
            hub.stop()
        print(f"Hub.actor per request: {actor_cost(fresh_database('postgresql', Path(tmp))):.0f} µs (PostgreSQL)")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
