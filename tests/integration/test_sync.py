"""Sync over real HTTP on loopback: offline kiosk with leased numbers, retries, versions, clock skew,
conflicts, and a site hub uploading to an upstream hub (SQLite and PostgreSQL)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from common.db.engine import make_engine, migrate
from common.domain import events as ev
from common.domain.clock import OffsetClock
from common.domain.model import Role, TicketStatus
from common.readmodels import queries
from common.sync import protocol
from common.sync.client import SyncClient
from common.sync.store import LocalStore
from common.sync.transport import HttpTransport, HubUnreachable
from common.usecases import auth, check, upstream
from common.usecases.hub import Hub
from server.cli import render_peers
from tests.conftest import LiveHub
from tests.integration.http import Device
from tests.world import FakeClock


def device_client(live, world, code_name, tmp_path, clock=None, lease_size=5):
    info = Device(live.url, world.codes[code_name]).info
    store = LocalStore(tmp_path / f"{code_name}.sqlite3")
    transport = HttpTransport(live.url, info["token"], timeout=15)  # (a loaded machine can take 3 s)
    return SyncClient(store, transport, device_id=info["device_id"], site_id=info["site_id"],
                      lease_size=lease_size, clock=clock or world.clock), info


def item_and_queue(client, letter):
    tables = client.store.get("reference")["tables"]
    queue = next(q for q in tables["queues"] if q["letter"] == letter)
    item = next(i for i in tables["service_items"] if i["queue_id"] == queue["id"])
    return item, queue


def test_offline_kiosk_issues_from_its_lease_and_catches_up(world, tmp_path):
    with LiveHub(world.hub) as live:
        client, info = device_client(live, world, "kiosk", tmp_path)
        client.sync_once()
        assert client.status.online and client.numbers_left("A") == 5
        online = Device(live.url, token=info["token"])
        assert online.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]["number"] == "A006"
    # the hub is gone: the kiosk says so and keeps issuing from its lease
    with pytest.raises(HubUnreachable):
        client.sync_once()
    assert not client.status.online and "cannot be reached" in client.status.last_error
    item, queue = item_and_queue(client, "A")
    offline = [client.issue_offline(item, queue).data["number"] for _ in range(3)]
    assert offline == ["A001", "A002", "A003"] and client.store.backlog() == 3
    with LiveHub(world.hub) as live:  # the link comes back (on another port)
        client.transport.base_url = live.url
        client.sync_once()
        assert client.status.online and client.store.backlog() == 0
        numbers = sorted(t["number"] for t in world.hub.read(queries.queue_state, "s1", now=True)[0]["tickets"])
        assert numbers == ["A001", "A002", "A003", "A006"]
        # 2 numbers of 5 left: the kiosk leased A007-A011, so the hub goes on at A012
        assert client.numbers_left("A") == 7
        online = Device(live.url, token=info["token"])
        assert online.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]["number"] == "A012"
    assert check.differences(world.hub.engine) == []


def test_push_is_idempotent_under_retries_and_lost_answers(world):
    kiosk = world.actor("kiosk")
    from common.domain.events import Event
    from common.domain.ids import uuid7

    def issued(n):
        data = {"ticket_id": f"off-{n}", "business_day": "2026-11-26", "number": f"B{900 + n}", "letter": "B",
                "seq": 900 + n, "queue_id": world.queues["B"], "priority": "normal", "wait_limit_min": 10,
                "service_limit_min": 20, "public_token": f"public-token-{n:04d}", "item_id": world.items["B"]}
        x = Event(id=uuid7(), site_id="s1", kind=ev.TICKET_ISSUED, at=world.clock.now(), data=data, device_id=kiosk.device_id)
        return {**protocol.to_wire(x), "p": n}

    batch = {"protocol": protocol.PROTOCOL, "after": 0, "events": [issued(1), issued(2)]}
    assert world.hub.push(kiosk, batch)["acked"] == 2
    assert world.hub.push(kiosk, batch)["acked"] == 2  # the answer was lost: the same batch again
    more = {"protocol": protocol.PROTOCOL, "after": 0, "events": [issued(1), issued(2), issued(3)]}
    assert world.hub.push(kiosk, more)["acked"] == 3  # overlapping retry
    ahead = world.hub.push(kiosk, {"protocol": protocol.PROTOCOL, "after": 7, "events": [issued(8)]})
    assert ahead["acked"] == 3 and ahead["rewind"]  # the hub lacks 4..7: the sender must go back
    with world.hub.engine.connect() as c:
        assert c.exec_driver_sql("select count(*) from tickets where seq > 900").scalar() == 3
        assert c.exec_driver_sql("select last_seq from ticket_counters where letter = 'B'").scalar() == 903
    assert check.differences(world.hub.engine) == []


def test_refusals_old_new_protocol_foreign_site_and_forged_device(world, live):
    kiosk = Device(live.url, world.codes["kiosk"])
    for version, code in ((protocol.PROTOCOL - 1, "protocol_too_old"), (protocol.PROTOCOL + 1, "protocol_too_new")):
        r = kiosk.post("/sync/push", json={"protocol": version, "after": 0, "events": []})
        assert r.status_code == 426 and r.json()["error"] == code and r.json()["message_zh"]
        assert kiosk.get("/sync/pull", params={"protocol": version}).status_code == 426
    r = kiosk.http.post(f"{live.url}/api/v1/sync/push", data=b"\x1f\x8b garbage", headers={"Content-Encoding": "gzip"})
    assert r.status_code == 422 and r.json()["message_en"]
    data = {"ticket_id": "x1", "business_day": "2026-11-26", "number": "A001", "letter": "A", "seq": 1,
            "queue_id": "s2-A", "priority": "normal", "wait_limit_min": 10, "service_limit_min": 20,
            "public_token": "a-public-token-0001", "item_id": "s2-IA"}
    other = {"i": "01900000-0000-7000-8000-000000000001", "s": "s2", "k": "ticket_issued", "t": "2026-11-26T01:00:00+00:00",
             "d": data, "v": 1, "dv": kiosk.info["device_id"], "p": 1}
    assert kiosk.post("/sync/push", json={"protocol": 1, "after": 0, "events": [other]}).status_code == 403
    forged = {**other, "s": "s1", "dv": "someone-else"}
    assert kiosk.post("/sync/push", json={"protocol": 1, "after": 0, "events": [forged]}).status_code == 403
    future = {**other, "s": "s1", "v": 99}
    assert kiosk.post("/sync/push", json={"protocol": 1, "after": 0, "events": [future]}).status_code == 426


def test_upcaster_brings_old_events_to_the_current_schema(monkeypatch):
    monkeypatch.setattr(ev, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(protocol.UPCASTERS, ("ticket_rated", 1), lambda d: {**{k: v for k, v in d.items() if k != "comment"}, "reason": d.get("comment")})
    old = {"i": "x", "s": "s1", "k": "ticket_rated", "t": "2026-11-26T01:00:00+00:00", "d": {"ticket_id": "t", "score": 2, "comment": "慢"}, "v": 1}
    assert protocol.from_wire(old).data == {"ticket_id": "t", "score": 2, "reason": "慢"}


def test_device_clock_skew_is_corrected(world, live, tmp_path):
    slow = FakeClock(world.clock.now() - timedelta(minutes=7))  # the kiosk's clock is 7 minutes behind
    client, _ = device_client(live, world, "kiosk", tmp_path, clock=slow)
    client.sync_once()
    assert abs(client.now() - world.clock.now()) < timedelta(seconds=1)
    item, queue = item_and_queue(client, "B")
    x = client.issue_offline(item, queue)
    assert abs(x.at - world.clock.now()) < timedelta(seconds=1)


def test_two_windows_calling_one_ticket_while_cut_off_the_first_wins(world, live, tmp_path):
    kiosk = Device(live.url, world.codes["kiosk"])
    tid = kiosk.post("/tickets", json={"item_id": world.items["B"]}).json()["ticket"]["ticket_id"]
    clients = {}
    for n in (1, 3):  # both serve queue B
        client, info = device_client(live, world, f"terminal{n}", tmp_path)
        clients[n] = client
        clerk = Device(live.url, token=info["token"]).sign_in(f"C{n}").json()["clerk_id"]  # then the link breaks
        client.record(ev.TICKET_CALLED, {"ticket_id": tid, "window_id": world.windows[n], "reason": None}, clerk)
        world.clock.advance(seconds=30)
        client.record(ev.SERVICE_STARTED, {"ticket_id": tid, "window_id": world.windows[n]}, clerk)
    clients[3].sync_once(leases=False)  # window 3 reaches the hub first
    clients[1].sync_once(leases=False)
    assert len(clients[1].status.void) == 2 and clients[3].status.void == []
    windows = {w["number"]: w for w in kiosk.get("/windows").json()}
    assert windows[3]["current"]["ticket_id"] == tid and windows[1]["current"] is None
    assert check.differences(world.hub.engine) == []


def test_site_hub_uploads_to_its_upstream_and_gets_reference_data(world, tmp_path):
    """Central hub = `world` (its database is the test's); the site hub runs on a SQLite file of its own."""
    with world.hub.engine.begin() as conn:
        hub_code = auth.create_enrolment_code(conn, site_id="s1", role=Role.hub, name="s1 hub", now=world.clock.now())
    with LiveHub(world.hub) as central:
        site_engine = make_engine(f"sqlite:///{tmp_path / 'site.sqlite3'}")
        migrate(site_engine)
        upstream.enrol(site_engine, central.url, hub_code)
        clock = OffsetClock(FakeClock(world.clock.now() + timedelta(minutes=3)))  # the site's clock runs ahead
        link = upstream.UpstreamLink(site_engine, clock)
        site = Hub(site_engine, clock)
        with site_engine.begin() as conn:
            code = auth.create_enrolment_code(conn, site_id="s1", role=Role.kiosk, name="k", now=clock.now())
        _, kiosk = site.enrol(code)
        link.sync_once()  # the first answer corrects the site hub's clock
        assert abs(clock.now() - world.clock.now()) < timedelta(seconds=1)
        numbers = [site.issue_ticket(kiosk, item_id="s1-IA").ticket.number for _ in range(4)]
        assert numbers == ["A001", "A002", "A003", "A004"]
        link.sync_once()
        link.sync_once()  # nothing new: nothing doubled
        with world.hub.engine.connect() as conn:
            central_numbers = sorted(conn.exec_driver_sql("select number from tickets where site_id = 's1'").scalars())
            assert central_numbers == numbers
        assert check.differences(world.hub.engine) == [] and check.differences(site_engine) == []
        report = render_peers(world.hub.engine)
        assert "s1 hub" in report and " hub " in report
        assert "backlog 0" in render_peers(site_engine)
        site_engine.dispose()


def test_outbox_positions_are_never_reused_after_it_empties(world, live, tmp_path):
    """Regression (found by the sync state machine): SQLite reuses a rowid once the table is empty,
    and the hub skips positions it has acknowledged, so the second offline ticket was lost."""
    client, _ = device_client(live, world, "kiosk", tmp_path)
    client.sync_once()
    item, queue = item_and_queue(client, "C")
    first = client.issue_offline(item, queue)
    client.sync_once()
    assert client.store.backlog() == 0
    second = client.issue_offline(item, queue)
    client.sync_once()
    with world.hub.engine.connect() as conn:
        held = set(conn.exec_driver_sql("select id from events").scalars())
    assert {first.id, second.id} <= held


def test_terminal_manual_mode_and_offline_rating_upload_later(world, tmp_path):
    with LiveHub(world.hub) as live:
        terminal, tinfo = device_client(live, world, "terminal3", tmp_path)
        pad, _ = device_client(live, world, "pad3", tmp_path)
        assert Device(live.url, token=tinfo["token"]).sign_in("C3").json()["clerk_id"] == "s1-C3"  # what lets C3 sign in offline
        terminal.sync_once()
        pad.sync_once(leases=False)
    item, queue = item_and_queue(terminal, "B")
    with pytest.raises(HubUnreachable):
        terminal.sync_once()
    issued = terminal.manual_service(item, queue, window_id=world.windows[3], clerk_id="s1-C3",
                                     outcome="completed")
    pad.record(ev.TICKET_RATED, {"ticket_id": issued.data["ticket_id"], "score": 4, "reason": None})
    with LiveHub(world.hub) as live:
        for client in (terminal, pad):
            client.transport.base_url = live.url
            client.sync_once(leases=False)
        ticket = world.hub.read(lambda c: __import__("common.db.repo", fromlist=["x"]).ticket(c, "s1", issued.data["ticket_id"]))
        assert ticket.status is TicketStatus.finished and ticket.rating_score == 4 and ticket.window_id == world.windows[3]
        assert world.hub.read(queries.figures, "s1", now=True)["served"] == 1
    assert check.differences(world.hub.engine) == []


def test_village_hub_offline_for_days_catches_up(world, tmp_path):
    with world.hub.engine.begin() as conn:
        hub_code = auth.create_enrolment_code(conn, site_id="s2", role=Role.hub, name="village", now=world.clock.now())
    with LiveHub(world.hub) as central:
        village_engine = make_engine(f"sqlite:///{tmp_path / 'village.sqlite3'}")
        migrate(village_engine)
        upstream.enrol(village_engine, central.url, hub_code)
    clock = OffsetClock(world.clock)
    village, link = Hub(village_engine, clock), upstream.UpstreamLink(village_engine, clock)
    with village_engine.begin() as conn:
        code = auth.create_enrolment_code(conn, site_id="s2", role=Role.kiosk, name="k", now=clock.now())
    _, kiosk = village.enrol(code)
    numbers = []
    for _day in range(3):  # three days with no link at all
        tickets = [village.issue_ticket(kiosk, item_id="s2-IA").ticket for _ in range(5)]
        assert [t.number for t in tickets] == ["A001", "A002", "A003", "A004", "A005"]  # every day from 001
        numbers += [(t.business_day, t.number) for t in tickets]
        with pytest.raises(HubUnreachable):
            link.sync_once()
        world.clock.advance(days=1)
    assert len(set(numbers)) == 15  # numbers start again each day, never twice in a day
    with LiveHub(world.hub) as central:
        link.transport.base_url = central.url
        link.sync_once()
        assert link.online and "backlog 0" in render_peers(village_engine)
    with world.hub.engine.connect() as conn:
        held = sorted(conn.exec_driver_sql("select business_day, number from tickets where site_id = 's2'").all())
    assert [tuple(r) for r in held] == sorted(numbers)
    assert check.differences(world.hub.engine) == []
    village_engine.dispose()


def test_background_sync_backs_off_and_catches_up_by_itself(world, tmp_path):
    import threading
    import time

    with LiveHub(world.hub) as live:
        client, _ = device_client(live, world, "kiosk", tmp_path)
        client.sync_once()
    item, queue = item_and_queue(client, "A")
    client.issue_offline(item, queue)
    stop = threading.Event()
    worker = threading.Thread(target=client.run, args=(stop,), daemon=True)
    worker.start()
    try:
        for _ in range(100):  # until the background sync has tried the hub once
            if client.status.last_error is not None:
                break
            time.sleep(0.05)
        assert not client.status.online and client.store.backlog() == 1
        with LiveHub(world.hub) as live:
            client.transport.base_url = live.url
            for _ in range(100):  # the back-off is at most a few seconds here
                if client.status.online and client.store.backlog() == 0:
                    break
                time.sleep(0.1)
            assert client.status.online and client.store.backlog() == 0
    finally:
        stop.set()
        worker.join(5)


def test_district_dashboard_data_has_every_sites_figures(world, live):
    kiosk1 = Device(live.url, world.codes["kiosk"])
    kiosk2 = Device(live.url, world.codes["s2kiosk"])
    kiosk1.post("/tickets", json={"item_id": world.items["A"]})
    for _ in range(2):
        kiosk2.post("/tickets", json={"item_id": "s2-IA"})
    display = Device(live.url, world.codes["display"])
    own = display.get("/sync/sites/figures").json()
    assert [f["site_id"] for f in own] == ["s1"]  # a community site sees only itself
    with world.hub.engine.begin() as conn:
        conn.exec_driver_sql("update sites set level = 'district' where id = 's1'")
    every = {f["site_id"]: f["issued"] for f in display.get("/sync/sites/figures").json()}
    assert every == {"s1": 1, "s2": 2}


def test_malformed_or_clashing_pushed_events_are_refused_or_void_never_a_500(world, live):
    kiosk = Device(live.url, world.codes["kiosk"])
    online = kiosk.post("/tickets", json={"item_id": world.items["A"]}).json()["ticket"]
    base = {"s": "s1", "k": "ticket_issued", "t": "2026-11-26T01:40:00+00:00", "v": 1, "dv": kiosk.info["device_id"]}
    good = {"ticket_id": "x1", "business_day": "2026-11-26", "number": "A001", "letter": "A", "seq": 1,
            "queue_id": world.queues["A"], "priority": "normal", "wait_limit_min": 10, "service_limit_min": 20,
            "public_token": "secret-x1-public-token", "item_id": world.items["A"]}
    for bad in ({k: v for k, v in good.items() if k != "seq"}, {**good, "seq": "1"}, {**good, "priority": "vip"},
                {**good, "business_day": "yesterday"}, {**good, "seq": True}):
        r = kiosk.post("/sync/push", json={"protocol": 1, "after": 0, "events": [{**base, "i": "e-bad", "d": bad, "p": 1}]})
        assert r.status_code == 422 and r.json()["message_zh"], r.text
    # the same number as a ticket the hub gave out (a kiosk outside its lease): void, not a crash
    r = kiosk.post("/sync/push", json={"protocol": 1, "after": 0,
                                       "events": [{**base, "i": "e-clash", "d": good, "p": 1}]})
    assert r.status_code == 200 and r.json()["void"] == ["e-clash"] and online["number"] == "A001"
    unknown_queue = {**good, "ticket_id": "x2", "number": "A050", "seq": 50, "queue_id": "nowhere"}
    r = kiosk.post("/sync/push", json={"protocol": 1, "after": 1, "events": [{**base, "i": "e-q", "d": unknown_queue, "p": 2}]})
    assert r.status_code == 403 and r.json()["message_zh"]  # a queue not of the kiosk's site
    assert check.differences(world.hub.engine) == []
