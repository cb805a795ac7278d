"""Concurrent clients over real HTTP, and the live event stream resuming after a drop."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import requests

from common.usecases import check
from tests.integration.http import Device, terminal


def test_concurrent_issues_get_unique_gapless_numbers(live, world):
    # one kiosk's token, used from several threads, each with its own connection
    token = Device(live.url, world.codes["kiosk"]).http.headers["Authorization"].split()[1]

    def issue(_):
        d = Device(live.url, token=token)
        return [d.post("/tickets", json={"item_id": world.items["B"]}) for _ in range(15)]

    with ThreadPoolExecutor(8) as pool:
        answers = [r for batch in pool.map(issue, range(8)) for r in batch]
    assert all(r.status_code == 201 for r in answers), {r.status_code for r in answers}
    numbers = sorted(r.json()["ticket"]["number"] for r in answers)
    assert numbers == [f"B{n:03d}" for n in range(1, 121)]


def test_concurrent_call_next_never_calls_a_ticket_twice(live, world):
    kiosk = Device(live.url, world.codes["kiosk"])
    for _ in range(12):
        assert kiosk.post("/tickets", json={"item_id": world.items["B"]}).status_code == 201
    # windows 1 and 3 both serve queue B; each calls, starts, finishes as fast as it can
    terminals = {n: terminal(live, world, n) for n in (1, 3)}

    def work(n):
        t, wid, mine = terminals[n], world.windows[n], []
        while True:
            r = t.post(f"/windows/{wid}/call-next")
            if r.status_code == 409 and r.json()["error"] == "queue_empty":
                return mine
            assert r.status_code == 200, r.text
            mine.append(r.json()["ticket"]["ticket_id"])
            assert t.post(f"/windows/{wid}/start").status_code == 200
            assert t.post(f"/windows/{wid}/finish", json={"outcome": "completed"}).status_code == 200

    with ThreadPoolExecutor(2) as pool:
        called = list(pool.map(work, (1, 3)))
    every = called[0] + called[1]
    assert len(every) == 12 and len(set(every)) == 12
    assert check.differences(world.hub.engine) == []


def read_events(response, count: int) -> list[tuple[int, dict]]:
    out, event_id = [], None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith("id: "):
            event_id = int(line[4:])
        elif line.startswith("data: "):
            out.append((event_id, json.loads(line[6:])))
            if len(out) == count:
                return out
    raise AssertionError("stream ended early")


def test_event_stream_resumes_with_last_event_id(live, world):
    kiosk = Device(live.url, world.codes["kiosk"])
    display = Device(live.url, world.codes["display"])
    stream = display.http.get(f"{live.url}/api/v1/events?after=0", stream=True, timeout=10)
    assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
    issued = [kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]["number"] for _ in range(3)]
    first = read_events(stream, 3)
    stream.close()  # the connection drops
    assert [e["data"]["number"] for _, e in first] == issued
    missed = [kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]["number"] for _ in range(2)]
    last_id = first[-1][0]
    resumed = display.http.get(f"{live.url}/api/v1/events", headers={"Last-Event-ID": str(last_id)}, stream=True, timeout=10)
    again = read_events(resumed, 2)
    resumed.close()
    assert [e["data"]["number"] for _, e in again] == missed
    assert [i for i, _ in again] == sorted(i for i, _ in again) and again[0][0] > last_id
    # a device of another site sees none of these events
    other = Device(live.url, world.codes["s2kiosk"])
    s2 = other.http.get(f"{live.url}/api/v1/events?after=0", stream=True, timeout=10)
    other.post("/tickets", json={"item_id": "s2-IA"})
    (_, only), = read_events(s2, 1)
    s2.close()
    assert only["data"]["queue_id"].startswith("s2")
    assert requests.get(f"{live.url}/api/v1/events", timeout=5).status_code == 401
