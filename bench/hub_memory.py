"""Benchmark: the hub's resident memory (RSS) after 100,000 tickets issued over HTTP.

Run: .venv/bin/python bench/hub_memory.py [--tickets 100000] [--db sqlite|postgresql]
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

import requests
from _hub import HubProcess, fresh_database

CLIENTS = 8


def issue(url, code, items, count):
    http = requests.Session()
    token = http.post(f"{url}/api/v1/enrol", json={"code": code}, timeout=10).json()["token"]
    http.headers["Authorization"] = f"Bearer {token}"
    for i in range(count):
        r = http.post(f"{url}/api/v1/tickets", json={"item_id": items[i % len(items)]}, timeout=30)
        assert r.status_code == 201, r.text


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tickets", type=int, default=100_000)
    ap.add_argument("--db", default="sqlite")
    args = ap.parse_args()
    hub = HubProcess(fresh_database(args.db, Path(tempfile.mkdtemp(prefix="haoban-mem-"))))
    try:
        codes = hub.kiosk_codes(CLIENTS + 1)
        probe = requests.Session()
        probe.headers["Authorization"] = "Bearer " + probe.post(f"{hub.url}/api/v1/enrol", json={"code": codes[-1]}).json()["token"]
        items = [i["item_id"] for i in probe.get(f"{hub.url}/api/v1/catalogue").json()["items"]]
        print(f"{args.db}: hub RSS at start {hub.rss_mib():.0f} MiB")
        start = time.perf_counter()
        per = args.tickets // CLIENTS
        procs = [mp.Process(target=issue, args=(hub.url, codes[i], items, per)) for i in range(CLIENTS)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        took = time.perf_counter() - start
        issued = probe.get(f"{hub.url}/api/v1/figures").json()["issued"]
        print(f"  {issued} tickets issued in {took:.0f} s ({issued / took:.0f} /s, {CLIENTS} clients)")
        print(f"  hub RSS after {issued} tickets: {hub.rss_mib():.0f} MiB")
        t = time.perf_counter()
        probe.get(f"{hub.url}/api/v1/queue")
        print(f"  GET /queue with {issued} waiting: {(time.perf_counter() - t) * 1000:.0f} ms; RSS then {hub.rss_mib():.0f} MiB")
    finally:
        hub.stop()


if __name__ == "__main__":
    main()
