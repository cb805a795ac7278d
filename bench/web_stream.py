"""Benchmark: 200 subscribers of a site's event stream; how long until a call reaches every one of them.

Target: p99 <= 200 ms from the call command being sent to the frame arriving at each subscriber.
A hub process (SQLite, demo sites) on loopback; the subscribers are asyncio streams in this process.
Run: .venv/bin/python bench/web_stream.py [subscribers] [calls]
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from _hub import HubProcess, fresh_database  # noqa: E402  (puts the project on sys.path)

from common.db.engine import make_engine  # noqa: E402
from common.domain.clock import SystemClock  # noqa: E402
from common.domain.model import Role  # noqa: E402
from common.usecases import auth  # noqa: E402


def display_code(db_url: str) -> str:
    engine = make_engine(db_url)
    with engine.begin() as c:
        code = auth.create_enrolment_code(c, site_id="qp-centre", role=Role.display, name="bench", now=SystemClock().now())
    engine.dispose()
    return code


async def subscriber(client, url, headers, ready, arrivals: dict, done: asyncio.Event):
    async with client.stream("GET", f"{url}/api/v1/events", headers=headers, timeout=None) as r:
        ready.release()
        event = None
        async for line in r.aiter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("id: ") and event is None:
                pass
            elif line.startswith("data: ") and event == "ticket_called":
                arrivals.setdefault(line, []).append(time.perf_counter())
            elif line == "":
                event = None
            if done.is_set():
                return


async def run(url: str, codes: dict, display: str, subscribers: int, calls: int) -> list[float]:
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=subscribers + 10)) as client:
        token = (await client.post(f"{url}/api/v1/enrol", json={"code": display})).json()["token"]
        kiosk = (await client.post(f"{url}/api/v1/enrol", json={"code": codes["kiosk"]})).json()["token"]
        w = codes["windows"][0]
        terminal = (await client.post(f"{url}/api/v1/enrol", json={"code": w["terminal"]})).json()["token"]
        clerk = (await client.post(f"{url}/api/v1/clerk/sign-in", headers={"Authorization": f"Bearer {terminal}"},
                                   json={"staff_no": w["clerk"]["staff_no"], "pin": w["clerk"]["pin"]})).json()
        t_headers = {"Authorization": f"Bearer {terminal}", "X-Clerk-Token": clerk["clerk_token"]}
        k_headers = {"Authorization": f"Bearer {kiosk}"}
        cat = (await client.get(f"{url}/api/v1/catalogue", headers=k_headers)).json()
        item = next(i for i in cat["items"] if i["queue_id"] == "qp-centre-A")["item_id"]

        arrivals: dict[str, list[float]] = {}
        ready, done = asyncio.Semaphore(0), asyncio.Event()
        tasks = [asyncio.create_task(subscriber(client, url, {"Authorization": f"Bearer {token}"}, ready, arrivals, done))
                 for _ in range(subscribers)]
        for _ in range(subscribers):
            await ready.acquire()
        await asyncio.sleep(1.0)
        latencies = []
        for n in range(calls):
            await client.post(f"{url}/api/v1/tickets", headers=k_headers, json={"item_id": item})
            if n:
                await client.post(f"{url}/api/v1/windows/{w['window_id']}/finish", headers=t_headers,
                                  json={"outcome": "completed"})
            await asyncio.sleep(0.3)
            sent = time.perf_counter()
            await client.post(f"{url}/api/v1/windows/{w['window_id']}/call-next", headers=t_headers)
            await client.post(f"{url}/api/v1/windows/{w['window_id']}/start", headers=t_headers)
            deadline = time.perf_counter() + 10
            while time.perf_counter() < deadline:
                got = [t for ts in arrivals.values() for t in ts if t >= sent]
                if len(got) >= subscribers:
                    break
                await asyncio.sleep(0.01)
            got = [t for ts in arrivals.values() for t in ts if t >= sent]
            missing = subscribers - len(got)
            latencies += [(t - sent) * 1000 for t in got] + [float("inf")] * missing
            arrivals.clear()
        done.set()
        for t in tasks:
            t.cancel()
        return latencies


def main() -> None:
    subscribers = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    calls = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    folder = Path(tempfile.mkdtemp())
    db = fresh_database("sqlite", folder)
    hub = HubProcess(db)
    try:
        lat = sorted(asyncio.run(run(hub.url, hub.codes["qp-centre"], display_code(db), subscribers, calls)))
    finally:
        hub.stop()
    q = statistics.quantiles(lat, n=100)
    print(f"{subscribers} subscribers, {calls} calls, {len(lat)} deliveries: "
          f"p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms, max {lat[-1]:.0f} ms (target p99 <= 200 ms)")


if __name__ == "__main__":
    main()
