"""Benchmark: a busy district hall. 34 windows call, start and finish as fast as they can while 10 kiosks issue
tickets as fast as they can, all at one site, over HTTP on loopback; the figure is a window's call-next latency.

Target: call-next p95 <= 15 ms. The demo's district centre has 11 serving windows; 23 more (with their clerks)
are added before the hub starts. Clients are threads on kept-alive http.client connections, in 4 processes.
Run: .venv/bin/python bench/hall_load.py [--seconds 20] [--db sqlite postgresql]
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import tempfile
import threading
import time
from pathlib import Path

from _hub import HubProcess, fresh_database

from common.db.engine import make_engine
from common.domain.clock import SystemClock
from common.domain.model import Role
from common.usecases import auth, reference
from devtools.demo import _prepare

SITE, WINDOWS, KIOSKS = "qp-centre", 34, 10


def prepare(db_url: str) -> dict:
    """The demo, then more windows at the district centre (each serving two of its queues) with a clerk each."""
    codes = _prepare(db_url)
    entry, engine, now = codes[SITE], make_engine(db_url), SystemClock().now()
    queues = "ABCDEFG"
    with engine.begin() as conn:
        for n in range(13, 13 + WINDOWS - len(entry["windows"])):
            wid = reference.create_window(conn, site_id=SITE, number=n, name=f"{n}号窗口", kind="general",
                                          queue_ids=[f"{SITE}-{queues[n % 7]}", f"{SITE}-{queues[(n + 3) % 7]}"])
            clerk = {"staff_no": f"QP{n:04d}", "pin": "135790"}
            reference.create_clerk(conn, site_id=SITE, staff_no=clerk["staff_no"], name=f"工作人员{n}", pin=clerk["pin"])
            entry["windows"].append({"window_id": wid, "clerk": clerk, "terminal": auth.create_enrolment_code(
                conn, site_id=SITE, role=Role.terminal, name=f"{n}号窗口", now=now, window_id=wid)})
        entry["kiosks"] = [auth.create_enrolment_code(conn, site_id=SITE, role=Role.kiosk, name=f"自助机{i}", now=now)
                           for i in range(KIOSKS)]
    engine.dispose()
    return codes


class Api:
    def __init__(self, url: str, token: str | None = None) -> None:
        host, port = url.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)
        self.headers = {"Content-Type": "application/json"} | ({"Authorization": f"Bearer {token}"} if token else {})

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        self.conn.request(method, f"/api/v1{path}", body=json.dumps(body or {}).encode(), headers=self.headers)
        r = self.conn.getresponse()
        return r.status, json.loads(r.read() or b"{}")


def enrol(url: str, code: str) -> str:
    status, body = Api(url).call("POST", "/enrol", {"code": code})
    assert status == 200, body
    return body["token"]


def kiosk(url, token, items, start, end, out):
    api, n, lat = Api(url, token), 0, []
    while time.perf_counter() < end:
        t = time.perf_counter()
        status, body = api.call("POST", "/tickets", {"item_id": items[n % len(items)]})
        if t >= start:  # (the client processes starting)
            lat.append(time.perf_counter() - t)
        assert status == 201, body
        n += 1
    out.append(("issue", lat))


def signed_in(url: str, w: dict) -> tuple[str, str]:
    """A window's terminal enrolled and its clerk signed in (before the clock starts: argon2 takes a while)."""
    token = enrol(url, w["terminal"])
    status, body = Api(url, token).call("POST", "/clerk/sign-in", {"staff_no": w["clerk"]["staff_no"], "pin": w["clerk"]["pin"]})
    assert status == 200, body
    return token, body["clerk_token"]


def window(url, w, tokens, start, end, out):
    api = Api(url, tokens[0])
    api.headers["X-Clerk-Token"] = tokens[1]
    base, lat, empty = f"/windows/{w['window_id']}", [], 0
    while time.perf_counter() < end:
        t = time.perf_counter()
        status, body = api.call("POST", f"{base}/call-next")
        if t >= start:
            lat.append(time.perf_counter() - t)
        if status != 200:  # nobody waiting for this window's queues just now
            assert status == 409, body
            empty += 1
            time.sleep(0.05)
            continue
        for step, data in (("start", None), ("finish", {"outcome": "completed"})):
            status, body = api.call("POST", f"{base}/{step}", data)
            assert status == 200, (step, body)
    out.append(("call", lat))
    out.append(("empty", [empty]))


def group(target_args, queue):
    """One client process: its clients as threads."""
    out: list = []
    threads = [threading.Thread(target=f, args=(*a, out)) for f, a in target_args]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    queue.put(out)


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] * 1000


def run(kind: str, seconds: float, folder: Path) -> None:
    hub = HubProcess(fresh_database(kind, folder), prepare=prepare)
    try:
        entry = hub.codes[SITE]
        status, body = Api(hub.url, enrol(hub.url, entry["extra_kiosk"])).call("GET", "/catalogue")
        items = [i["item_id"] for i in body["items"]]
        kiosks = [enrol(hub.url, code) for code in entry["kiosks"]]
        windows = [(w, signed_in(hub.url, w)) for w in entry["windows"]]
        start = time.perf_counter() + 2  # (the client processes start)
        end = start + seconds
        clients = [(kiosk, (hub.url, token, items[i::KIOSKS] or items, start, end)) for i, token in enumerate(kiosks)]
        clients += [(window, (hub.url, w, tokens, start, end)) for w, tokens in windows]
        queue, cpu0 = mp.Queue(), hub.cpu_seconds()
        procs = [mp.Process(target=group, args=(clients[i::4], queue)) for i in range(4)]
        for p in procs:
            p.start()
        results = [r for _ in procs for r in queue.get()]
        for p in procs:
            p.join()
        cpu = hub.cpu_seconds() - cpu0
        calls = [x for k, lat in results if k == "call" for x in lat]
        issues = [x for k, lat in results if k == "issue" for x in lat]
        empty = sum(lat[0] for k, lat in results if k == "empty")
        print(f"{kind}: {len(entry['windows'])} windows, {KIOSKS} kiosks, {seconds:.0f} s")
        print(f"  call-next  {len(calls) / seconds:6.0f} /s  p50 {pct(calls, .5):6.1f} ms  p95 {pct(calls, .95):6.1f} ms"
              f"  p99 {pct(calls, .99):6.1f} ms  ({empty} found nobody waiting)")
        print(f"  issue      {len(issues) / seconds:6.0f} /s  p50 {pct(issues, .5):6.1f} ms  p95 {pct(issues, .95):6.1f} ms")
        requests_done = sum(len(lat) for k, lat in results if k in ("call", "issue"))
        print(f"  hub CPU {cpu / (seconds + 2) * 100:.0f} % of a core; RSS {hub.rss_mib():.0f} MiB"
              f" ({requests_done} calls and issues measured, starts and finishes besides)")
    finally:
        hub.stop()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--db", nargs="+", default=["sqlite", "postgresql"])
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="haoban-bench-"))
    for kind in args.db:
        run(kind, args.seconds, folder)


if __name__ == "__main__":
    main()
