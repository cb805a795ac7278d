"""Benchmark: N open phone-page streams (of K tickets), then a normal request's latency right after each event.

Target: with 2,000 open streams a normal request answers in <= 50 ms p99. Before, each stream read its ticket's
status after every event (2,000 reads per event); now the streams of one ticket share one read per event.
A hub process (SQLite, demo sites) on loopback; the streams are asyncio sockets in this process.
Run: .venv/bin/python bench/stream_load.py [--streams 2000] [--tickets 20] [--events 60] [--tree OTHER_CHECKOUT]
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _hub import ROOT, HubProcess, fresh_database  # noqa: E402  (puts the project on sys.path)


async def open_stream(host: str, port: int, path: str, token: str, opened: list) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {token}\r\n"
                 "Accept: text/event-stream\r\n\r\n".encode())
    await writer.drain()
    opened.append((await reader.readline()).split(b" ")[1])
    while await reader.read(65536):
        pass


async def run(hub: HubProcess, streams: int, tickets: int, events: int) -> tuple[list[float], dict, float]:
    url, codes = hub.url, hub.codes["qp-centre"]
    async with httpx.AsyncClient(timeout=30) as client:
        kiosk = (await client.post(f"{url}/api/v1/enrol", json={"code": codes["kiosk"]})).json()["token"]
        k = {"Authorization": f"Bearer {kiosk}"}
        cat = (await client.get(f"{url}/api/v1/catalogue", headers=k)).json()
        item = next(i for i in cat["items"] if i["queue_id"] == "qp-centre-A")["item_id"]
        tokens = [(await client.post(f"{url}/api/v1/tickets", headers=k, json={"item_id": item})).json()["ticket"]
                  ["public_token"] for _ in range(tickets)]
        host, port = url.removeprefix("http://").split(":")
        opened: list = []
        tasks = [asyncio.create_task(open_stream(host, int(port), f"/api/v1/public/tickets/{tokens[n % tickets]}/events",
                                                 kiosk, opened)) for n in range(streams)]
        deadline = time.monotonic() + 120
        while len(opened) < streams and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)
        latencies = []
        for _ in range(events):
            await client.post(f"{url}/api/v1/tickets", headers=k, json={"item_id": item})
            sent = time.perf_counter()
            await client.get(f"{url}/healthz")
            latencies.append((time.perf_counter() - sent) * 1000)
            await asyncio.sleep(0.3)
        rss = hub.rss_mib()
        for t in tasks:
            t.cancel()
        statuses: dict = {}
        for s in opened:
            statuses[s.decode()] = statuses.get(s.decode(), 0) + 1
        return latencies, statuses, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=2000)
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--tree", type=Path, default=ROOT)
    args = parser.parse_args()
    tree = args.tree.resolve()
    room = {"HAOBAN_MAX_STREAMS_PER_ADDRESS": str(args.streams), "HAOBAN_MAX_STREAMS": str(args.streams),
            "HAOBAN_LIMIT_CONCURRENCY": str(args.streams + 500)} if tree == ROOT else {}  # one address here
    hub = HubProcess(fresh_database("sqlite", Path(tempfile.mkdtemp())), tree=tree, env=room)
    try:
        idle = hub.rss_mib()
        lat, statuses, rss = asyncio.run(run(hub, args.streams, args.tickets, args.events))
    finally:
        hub.stop()
    q = statistics.quantiles(lat, n=100, method="inclusive")
    print("slowest:", [round(x) for x in sorted(lat)[-6:]], "first:", [round(x) for x in lat[:6]])
    print(f"{tree}: {args.streams} streams of {args.tickets} tickets (answers {statuses}), {args.events} events: "
          f"/healthz right after an event p50 {q[49]:.0f} ms, p99 {q[98]:.0f} ms, max {max(lat):.0f} ms; "
          f"hub RSS {idle:.0f} MiB idle, {rss:.0f} MiB with the streams (target p99 <= 50 ms)")


if __name__ == "__main__":
    main()
