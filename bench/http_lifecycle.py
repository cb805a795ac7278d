"""Benchmark: ticket issues and whole lifecycles over HTTP on loopback, SQLite and PostgreSQL, 1 and 16 clients.

Targets: >= 1,500 ticket issues per second and p95 <= 10 ms at 16 clients. The clients run in
separate processes on the same 2-core machine as the hub, so they compete with it for the CPU.
Run: .venv/bin/python bench/http_lifecycle.py [--seconds 10] [--db sqlite postgresql]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import tempfile
import time
from pathlib import Path

import requests
from _hub import HubProcess, fresh_database


def issuer(url, token, item_ids, seconds, out):
    """One kiosk issuing as fast as it can, on one kept-alive connection. http.client, not requests: a client
    here shares the hub's 2 cores, and requests spent 1.6-2.0 ms of CPU per call on this machine where
    http.client spent 0.19-0.25 ms (measured 2026-12-01): 16 clients on requests took a whole core from the hub."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = [json.dumps({"item_id": i}).encode() for i in item_ids]
    lat, end, i = [], time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        t = time.perf_counter()
        conn.request("POST", "/api/v1/tickets", body=bodies[i % len(bodies)], headers=headers)
        r = conn.getresponse()
        body = r.read()
        lat.append(time.perf_counter() - t)
        assert r.status == 201, body
        i += 1
    out.put(lat)


def report(name, clients, latencies, seconds):
    lat = sorted(x for part in latencies for x in part)
    p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1000  # noqa: E731
    print(f"  {name:<10} {clients:>2} clients: {len(lat) / seconds:7.0f} /s   p50 {p(0.5):6.2f} ms   p95 {p(0.95):6.2f} ms")


def enrol(url, code):
    r = requests.post(f"{url}/api/v1/enrol", json={"code": code}, timeout=10)
    return r.json()["token"]


def lifecycle(hub, seconds):
    """One window's full cycle: issue at the kiosk, call, start, finish, rate; sequential, one client."""
    sid = "qp-centre"
    entry = hub.codes[sid]
    w = entry["windows"][0]
    kiosk, term, pad = (requests.Session() for _ in range(3))
    kiosk.headers["Authorization"] = f"Bearer {enrol(hub.url, entry['kiosk'])}"
    term.headers["Authorization"] = f"Bearer {enrol(hub.url, w['terminal'])}"
    pad.headers["Authorization"] = f"Bearer {enrol(hub.url, w['pad'])}"
    r = term.post(f"{hub.url}/api/v1/clerk/sign-in", json={"staff_no": w["clerk"]["staff_no"], "pin": w["clerk"]["pin"]})
    term.headers["X-Clerk-Token"] = r.json()["clerk_token"]
    items = [i["item_id"] for i in kiosk.get(f"{hub.url}/api/v1/catalogue").json()["items"]]
    from sqlalchemy import create_engine, text

    eng = create_engine(hub.db_url.replace("postgresql://", "postgresql+psycopg://"))
    with eng.connect() as c:
        served = set(c.execute(text("select queue_id from window_queues where window_id = :w"), {"w": w["window_id"]}).scalars())
        items = [i for i in items if c.execute(text("select queue_id from service_items where id=:i"), {"i": i}).scalar() in served]
    eng.dispose()
    base, wid, n = f"{hub.url}/api/v1", w["window_id"], 0
    steps = {k: [] for k in ("issue", "call", "start", "finish", "rate")}
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        for name, call in (
            ("issue", lambda: kiosk.post(f"{base}/tickets", json={"item_id": items[n % len(items)]})),  # noqa: B023 - called at once
            ("call", lambda: term.post(f"{base}/windows/{wid}/call-next")),
            ("start", lambda: term.post(f"{base}/windows/{wid}/start")),
            ("finish", lambda: term.post(f"{base}/windows/{wid}/finish", json={"outcome": "completed"})),
            ("rate", lambda: pad.post(f"{base}/tickets/{tid}/rating", json={"score": 5})),  # noqa: B023 - tid of this round's call
        ):
            t = time.perf_counter()
            r = call()
            steps[name].append(time.perf_counter() - t)
            assert r.status_code < 300, (name, r.text)
            if name == "call":
                tid = r.json()["ticket"]["ticket_id"]
        n += 1
    total = sum(len(v) for v in steps.values())
    detail = "  ".join(f"{k} {sorted(v)[len(v) // 2] * 1000:.1f}" for k, v in steps.items())
    print(f"  lifecycle   1 client : {n / seconds:7.1f} tickets/s ({total / seconds:.0f} requests/s); median ms: {detail}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--db", nargs="+", default=["sqlite", "postgresql"],
                    help="sqlite, postgresql, or postgresql:N for N hub worker processes")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="haoban-bench-"))
    for spec in args.db:
        kind, _, workers = spec.partition(":")
        hub = HubProcess(fresh_database(kind, folder), workers=int(workers or 1))
        try:
            print(f"{spec}:")
            items = None
            for clients in (1, 16):
                codes = hub.kiosk_codes(clients)
                tokens = [enrol(hub.url, code) for code in codes]
                if items is None:
                    s = requests.Session()
                    s.headers["Authorization"] = f"Bearer {tokens[0]}"
                    items = [i["item_id"] for i in s.get(f"{hub.url}/api/v1/catalogue").json()["items"]]
                out = mp.Queue()
                procs = [mp.Process(target=issuer, args=(hub.url, tok, items, args.seconds, out)) for tok in tokens]
                for p in procs:
                    p.start()
                lat = [out.get() for _ in procs]
                for p in procs:
                    p.join()
                report("issue", clients, lat, args.seconds)
            lifecycle(hub, args.seconds)
            print(f"  hub RSS after the run: {hub.rss_mib():.0f} MiB")
        finally:
            hub.stop()


if __name__ == "__main__":
    main()
