"""The hub over real HTTP on loopback, against SQLite and PostgreSQL: lifecycle, authorisation, bad input."""
from __future__ import annotations

from common.usecases import check
from tests.integration.http import Device, terminal


def test_ticket_lifecycle_over_http(live, world):
    kiosk = Device(live.url, world.codes["kiosk"])
    r = kiosk.post("/tickets", json={"item_id": world.items["A"]})
    assert r.status_code == 201, r.text
    issued = r.json()["ticket"]
    assert issued["number"] == "A001" and issued["status"] == "waiting"
    public = live.url + "/api/v1/public/tickets/" + issued["public_token"]
    import requests

    status = requests.get(public, timeout=5).json()
    assert status["people_ahead"] == 0 and status["status"] == "waiting" and status["number"] == "A001"

    t1 = terminal(live, world, 1)
    w1 = world.windows[1]
    r = t1.post(f"/windows/{w1}/call-next")
    assert r.status_code == 200, r.text
    assert r.json()["ticket"]["number"] == "A001"
    assert requests.get(public, timeout=5).json()["window_number"] == 1
    assert t1.post(f"/windows/{w1}/recall").status_code == 200
    assert t1.post(f"/windows/{w1}/start").status_code == 200
    world.clock.advance(minutes=7)
    r = t1.post(f"/windows/{w1}/finish", json={"outcome": "completed"})
    assert r.status_code == 200 and r.json()["ticket"]["status"] == "finished"

    pad = Device(live.url, world.codes["pad1"])
    r = pad.post(f"/tickets/{issued['ticket_id']}/rating", json={"score": 2})
    assert r.status_code == 422 and r.json()["error"] == "reason_required" and r.json()["message_zh"]
    assert pad.post(f"/tickets/{issued['ticket_id']}/rating", json={"score": 2, "reason": "等太久"}).status_code == 200
    assert pad.post(f"/tickets/{issued['ticket_id']}/rating", json={"score": 5}).status_code == 409

    figures = kiosk.get("/figures").json()
    assert figures["served"] == 1 and figures["ratings"] == {"count": 1, "average": 2.0, "by_score": {"5": 0, "4": 0, "3": 0, "2": 1, "1": 0}, "unrated": 0}
    assert figures["service_within_limit_share"] == 1.0
    assert check.differences(world.hub.engine) == []


def test_every_request_is_authorised_by_role_and_site(live, world):
    anonymous = Device(live.url)
    assert anonymous.get("/queue").status_code == 401
    assert Device(live.url, token="not-a-token").get("/queue").status_code == 401

    kiosk = Device(live.url, world.codes["kiosk"])
    ticket = kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]
    w1 = world.windows[1]
    assert kiosk.post(f"/windows/{w1}/call-next").status_code == 403  # a kiosk cannot call

    unsigned = Device(live.url, world.codes["terminal1"])
    r = unsigned.post(f"/windows/{w1}/call-next")
    assert r.status_code == 401 and r.json()["error"] == "clerk_required"
    assert unsigned.sign_in("C1", "000000").status_code == 401
    assert unsigned.sign_in("C1").status_code == 200
    assert unsigned.post(f"/windows/{world.windows[2]}/call-next").status_code == 403  # not its window
    assert unsigned.post(f"/tickets/{ticket['ticket_id']}/rating", json={"score": 5}).status_code == 403  # cannot rate

    display = Device(live.url, world.codes["display"])
    assert display.get("/queue").status_code == 200
    assert display.post("/tickets", json={"item_id": world.items["A"]}).status_code == 403

    other = Device(live.url, world.codes["s2kiosk"])
    assert other.get("/queue").json()[0]["waiting"] == 0  # sees only its own site
    assert all(q["queue_id"].startswith("s2") for q in other.get("/queue").json())
    assert other.post("/tickets", json={"item_id": world.items["A"]}).status_code == 404  # s1's item
    s2t = Device(live.url, world.codes["s2terminal1"])
    assert s2t.sign_in("C1").status_code == 200
    assert s2t.post(f"/windows/{w1}/call-next").status_code in (403, 404)
    r = s2t.post(f"/windows/{world.windows[1]}/call", json={"ticket_id": ticket["ticket_id"], "reason": "x"})
    assert r.status_code in (403, 404)


def test_bad_input_gets_a_clear_4xx_and_writes_nothing(live, world):
    kiosk = Device(live.url, world.codes["kiosk"])
    cases = [
        kiosk.http.post(f"{live.url}/api/v1/tickets", data=b"{not json", headers={"Content-Type": "application/json"}),
        kiosk.post("/tickets", json={}),
        kiosk.post("/tickets", json={"item_id": world.items["A"], "bundle_id": "x"}),
        kiosk.post("/tickets", json={"item_id": "x" * 5000}),
        kiosk.post("/tickets", json={"item_id": world.items["A"], "priority": "vip"}),
        kiosk.post("/tickets", json={"item_id": world.items["A"], "slot_start": "2026-11-26T10:00:00+08:00"}),
        kiosk.post("/tickets", json={"item_id": world.items["A"], "slot_start": "2026-11-26T10:00:00+08:00",
                                     "slot_end": "2026-11-26T09:00:00+08:00"}),
        kiosk.post("/tickets", json={"item_id": "'; DROP TABLE tickets; --"}),
        kiosk.post("/tickets", json={"item_id": world.items["A"], "evil": True}),
        kiosk.post("/tickets", json=["list"]),
        kiosk.get("/public/tickets/" + "z" * 500),
        kiosk.get("/nowhere"),
    ]
    for r in cases:
        assert 400 <= r.status_code < 500, (r.status_code, r.text)
        body = r.json()
        assert body["message_zh"] and body["message_en"], body
    assert kiosk.get("/figures").json()["issued"] == 0
    bundle = kiosk.post("/tickets", json={"bundle_id": "s1-BD"})
    assert bundle.status_code == 201 and bundle.json()["ticket"]["number"] == "A001"


def test_transfer_pause_and_call_out_of_order(live, world):
    kiosk = Device(live.url, world.codes["kiosk"])
    a1 = kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]
    world.clock.advance(minutes=1)
    c1 = kiosk.post("/tickets", json={"item_id": world.items["C"]}).json()["ticket"]
    t1, t4 = terminal(live, world, 1), terminal(live, world, 4)
    w1, w4 = world.windows[1], world.windows[4]
    assert t1.post(f"/windows/{w1}/call-next").json()["ticket"]["number"] == "A001"
    r = t1.post(f"/windows/{w1}/transfer", json={"to_queue_id": world.queues["C"]})
    assert r.status_code == 200
    # the transferred A001 arrived before C001, so window 4 (queue C) calls it first
    assert t4.post(f"/windows/{w4}/call-next").json()["ticket"]["ticket_id"] == a1["ticket_id"]
    assert t1.post(f"/windows/{w1}/pause", json={"reason": "午休"}).status_code == 200
    assert t1.post(f"/windows/{w1}/call-next").json()["error"] == "window_paused"
    assert t1.post(f"/windows/{w1}/resume").status_code == 200
    r = t1.post(f"/windows/{w1}/call", json={"ticket_id": c1["ticket_id"], "reason": "x"})
    assert r.status_code == 409 and r.json()["error"] == "queue_not_served"
    windows = {w["number"]: w for w in kiosk.get("/windows").json()}
    assert windows[4]["current"]["number"] == "A001" and windows[1]["current"] is None


def test_transfer_to_a_window_only_that_window_calls_it(live, world):
    kiosk = Device(live.url, world.codes["kiosk"])
    a = []
    for _ in range(3):
        a.append(kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"])
        world.clock.advance(minutes=1)
    t1, t2 = terminal(live, world, 1), terminal(live, world, 2)
    w1, w2, w4 = world.windows[1], world.windows[2], world.windows[4]
    assert t1.post(f"/windows/{w1}/call-next").json()["ticket"]["number"] == "A001"
    before = kiosk.get("/queue").json()
    for body, status, code in [
        ({}, 422, "invalid_input"),  # neither a queue nor a window
        ({"to_window_id": "no-such-window"}, 404, "not_found"),
        ({"to_window_id": w1}, 422, "invalid_input"),  # its own window
        ({"to_window_id": w4, "to_queue_id": world.queues["A"]}, 409, "queue_not_served"),  # window 4 serves C only
    ]:
        r = t1.post(f"/windows/{w1}/transfer", json=body)
        assert r.status_code == status and r.json()["error"] == code, (body, r.text)
        assert r.json()["message_zh"] and r.json()["message_en"]
    assert kiosk.get("/queue").json() == before  # nothing written by the refused ones
    r = t1.post(f"/windows/{w1}/transfer", json={"to_window_id": w2})
    assert r.status_code == 200, r.text
    assert r.json()["event"]["data"]["to_window_id"] == w2 and r.json()["ticket"]["queue_id"] == world.queues["A"]
    queue_a = next(q for q in kiosk.get("/queue").json() if q["queue_id"] == world.queues["A"])
    assert [(t["number"], t["target_window_id"]) for t in queue_a["tickets"]] == [("A001", w2), ("A002", None), ("A003", None)]
    # window 1 passes over A001 (it waits for window 2); window 2 calls it first, as it kept its arrival
    assert t1.post(f"/windows/{w1}/call-next").json()["ticket"]["number"] == "A002"
    assert t2.post(f"/windows/{w2}/call-next").json()["ticket"]["number"] == "A001"
    # to window 4 without naming a queue: the ticket goes to the queue window 4 serves
    r = t1.post(f"/windows/{w1}/transfer", json={"to_window_id": w4})
    assert r.status_code == 200 and r.json()["ticket"]["queue_id"] == world.queues["C"]
    assert check.differences(world.hub.engine) == []


def test_no_answer_is_recorded_as_unrated_and_closes_the_rating(live, world):
    kiosk = Device(live.url, world.codes["kiosk"])
    t1, w1 = terminal(live, world, 1), world.windows[1]
    ids = []
    for _ in range(2):
        ids.append(kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]["ticket_id"])
        t1.post(f"/windows/{w1}/call-next")
        t1.post(f"/windows/{w1}/start")
        world.clock.advance(minutes=25 if len(ids) == 1 else 5)
        assert t1.post(f"/windows/{w1}/finish", json={"outcome": "completed"}).status_code == 200
    pad = Device(live.url, world.codes["pad1"])
    assert pad.post(f"/tickets/{ids[0]}/rating", json={}).status_code == 422  # the score must be given, null or 1..5
    r = pad.post(f"/tickets/{ids[0]}/rating", json={"score": None})
    assert r.status_code == 200 and r.json()["event"]["kind"] == "ticket_unrated"
    r = pad.post(f"/tickets/{ids[0]}/rating", json={"score": 5})  # too late: one rating per service
    assert r.status_code == 409 and r.json()["error"] == "already_rated"
    assert pad.post(f"/tickets/{ids[1]}/rating", json={"score": 4}).status_code == 200
    ratings = kiosk.get("/figures").json()["ratings"]
    assert ratings["count"] == 1 and ratings["average"] == 4.0 and ratings["unrated"] == 1

    mine = t1.get("/figures/me").json()
    assert mine["served"] == 2 and mine["average_service_seconds"] == 15 * 60
    assert mine["service_within_limit_share"] == 0.5  # 25 minutes is over the 20-minute limit
    assert mine["ratings"] == {"count": 1, "average": 4.0, "unrated": 1}
    assert kiosk.get("/figures/me").json()["error"] == "clerk_required"
    assert check.differences(world.hub.engine) == []
