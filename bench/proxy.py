"""Tickets/s and latency through the district proxy (nginx, TLS, 2 hub processes) against one hub process directly.

    PYTHONPATH=. .venv/bin/python bench/proxy.py [--clients 4] [--seconds 8]

Needs nginx and PostgreSQL at 127.0.0.1:5432 (a database of its own is made and dropped). Clients are threads of
this process with kept-alive sessions (so they share the machine's cores with the hubs, nginx and PostgreSQL)."""
from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from devtools.proxy import District, cli
from tests.integration.http import Device

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def run(devices: list[Device], item: str, seconds: float) -> tuple[float, float, float]:
    times: list[float] = []
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def client(device: Device) -> None:
        mine = []
        while time.monotonic() < end:
            t = time.perf_counter()
            r = device.post("/tickets", json={"item_id": item})
            mine.append(time.perf_counter() - t)
            assert r.status_code == 201, r.text
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=client, args=(d,)) for d in devices]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times.sort()
    return len(times) / seconds, statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    name = f"haoban_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    d = District(Path(tempfile.mkdtemp(prefix="haoban-proxy-bench-")), ADMIN.rsplit("/", 1)[0] + f"/{name}",
                 "sim:2026-12-01T09:00:00+08:00:1")
    try:
        d.start()
        cli(d.env, "admin", "load-demo")

        def kiosks(url: str) -> list[Device]:
            return [Device(url, cli(d.env, "admin", "enrol-code", "--site", "qp-centre", "--role", "kiosk", "--name",
                                    f"bench{i}").split()[-1], verify=str(d.ca)) for i in range(args.clients)]

        through = kiosks(d.url)
        item = through[0].get("/catalogue").json()["items"][0]["item_id"]
        for label, devices in (("direct, one hub process (http)", kiosks(d.hubs[0].url)),
                               ("through nginx, 2 hub processes (https)", through)):
            rate, p50, p95 = run(devices, item, args.seconds)
            print(f"{label}: {args.clients} clients, {rate:.0f} tickets/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms", flush=True)
    finally:
        d.stop()
        with admin.connect() as c:
            c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))


if __name__ == "__main__":
    main()
