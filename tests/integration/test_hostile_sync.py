"""Hostile input at the sync door (docs/sync.md, "One door for a command"), over real HTTP on SQLite and PostgreSQL.

For every kind a device may push: wrong types, out-of-range numbers, oversize text, deep JSON, other sites' and
windows' ids, the wrong role, a clerk not signed in, a bad schema version, a business day far off, a revoked
token. Each gets a 4xx with both messages and writes nothing: every table is compared before and after. The
first tests are the findings of issue 12, as they were reproduced on a live hub.
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from common.db.schema import Base, ClerkSessionRow
from common.domain import events as ev
from common.domain import limits as L
from common.domain.idcard import check_digit
from common.domain.ids import new_token, uuid7
from common.domain.model import Role
from common.usecases import auth
from tests.integration.http import Device, terminal

S2_WINDOW, S2_QUEUE, S2_ITEM = "s2-w01", "s2-A", "s2-IA"


def snapshot(engine) -> dict:
    """Every row of every table, for comparing before and after a refused push."""
    with engine.connect() as conn:
        return {t.name: sorted(map(repr, conn.execute(select(t)).all())) for t in Base.metadata.sorted_tables}


class Door:
    """A hall with a ticket in every state a pushed event can meet, and the devices that push."""

    def __init__(self, world, live) -> None:
        self.world, self.live = world, live
        self.kiosk = Device(live.url, world.codes["kiosk"])
        self.t1, self.t2 = terminal(live, world, 1), terminal(live, world, 2)  # windows 1 and 2 serve queue A
        self.pad1 = Device(live.url, world.codes["pad1"])
        self.s2kiosk = Device(live.url, world.codes["s2kiosk"])
        self.clerk1 = "s1-C1"
        # window 1: a ticket served and finished (for the pad), then one called (for the service events)
        self.finished_at_1 = self.serve(self.t1, 1)
        self.finished_at_2 = self.serve(self.t2, 2)
        self.waiting = self.issue()
        self.called = self.issue()
        assert self.t1.post(f"/windows/{world.windows[1]}/call", json={"ticket_id": self.called, "reason": "test"}).status_code == 200
        self.s2_ticket = self.s2kiosk.post("/tickets", json={"item_id": S2_ITEM}).json()["ticket"]["ticket_id"]
        self.pos: dict[str, int] = {}

    def issue(self) -> str:
        return self.kiosk.post("/tickets", json={"item_id": self.world.items["A"]}).json()["ticket"]["ticket_id"]

    def serve(self, device, n) -> str:
        tid = self.issue()
        w = self.world.windows[n]
        for step, body in (("call", {"ticket_id": tid, "reason": "test"}), ("start", None), ("finish", {"outcome": "completed"})):
            assert device.post(f"/windows/{w}/{step}", json=body).status_code == 200
        return tid

    def wire(self, device, kind, data, clerk=None, **envelope) -> dict:
        w = {"i": uuid7(), "s": device.info["site_id"], "k": kind, "t": self.world.clock.now().isoformat(), "d": data,
             "v": 1, "dv": device.info["device_id"], "c": clerk}
        return {**w, **envelope}

    def push(self, device, *events, raw: bytes | None = None):
        after = self.pos.get(device.info["device_id"], 0)
        body = {"protocol": 1, "after": after, "events": [{**x, "p": after + i + 1} for i, x in enumerate(events)]}
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        r = device.http.post(f"{self.live.url}/api/v1/sync/push", data=data, headers={"Content-Type": "application/json"}, timeout=60)
        if r.status_code == 200:
            self.pos[device.info["device_id"]] = r.json()["acked"]
        return r

    # ------------------------------------------------------------ valid events, one per kind and pusher

    def issued(self, **change) -> dict:
        d = {"ticket_id": uuid7(), "business_day": "2026-11-26", "number": "A900", "letter": "A", "seq": 900,
             "queue_id": self.world.queues["A"], "item_id": self.world.items["A"], "bundle_id": None, "priority": "normal",
             "wait_limit_min": 10, "service_limit_min": 20, "public_token": new_token(), "slot_start": None, "slot_end": None}
        return {**d, **change}

    def valid(self) -> list[tuple[Device, str, dict, str | None]]:
        """(pusher, kind, data, clerk): each would be accepted as it is."""
        w1, t, clerk = self.world.windows[1], self.called, self.clerk1
        return [
            (self.kiosk, ev.TICKET_ISSUED, self.issued(), None),
            (self.t1, ev.TICKET_CALLED, {"ticket_id": self.waiting, "window_id": w1, "reason": "人工模式"}, clerk),
            (self.t1, ev.TICKET_RECALLED, {"ticket_id": t, "window_id": w1}, clerk),
            (self.t1, ev.TICKET_SKIPPED, {"ticket_id": t, "window_id": w1, "requeue": False}, clerk),
            (self.t1, ev.TICKET_TRANSFERRED, {"ticket_id": t, "window_id": w1, "from_queue_id": self.world.queues["A"],
                                              "to_queue_id": self.world.queues["B"], "to_window_id": None}, clerk),
            (self.t1, ev.SERVICE_STARTED, {"ticket_id": t, "window_id": w1}, clerk),
            (self.t1, ev.SERVICE_FINISHED, {"ticket_id": t, "window_id": w1, "outcome": "completed", "reason": None,
                                            "missing_materials": None, "due_date": None}, clerk),
            (self.t1, ev.WINDOW_PAUSED, {"window_id": w1, "reason": "用餐"}, clerk),
            (self.t1, ev.WINDOW_RESUMED, {"window_id": w1}, clerk),
            (self.pad1, ev.TICKET_RATED, {"ticket_id": self.finished_at_1, "score": 5, "reason": None}, None),
            (self.pad1, ev.TICKET_UNRATED, {"ticket_id": self.finished_at_1}, None),
            (self.kiosk, ev.SEARCH_MISSED, {"text": "护照加急 怎么办"}, None),
        ]


@pytest.fixture
def door(world, live):
    return Door(world, live)


def refused(door: Door, r, before: dict, status: int | tuple = (400, 499)) -> None:
    low, high = (status, status) if isinstance(status, int) else status
    assert low <= r.status_code <= high, (r.status_code, r.text[:300])
    body = r.json()
    assert body["message_zh"] and body["message_en"], body
    assert snapshot(door.world.hub.engine) == before


# ---------------------------------------------------------------- the findings of issue 12

def test_a_device_of_site_b_cannot_pause_touch_or_fill_site_a(door, world, live):
    s2t = Device(live.url, world.codes["s2terminal1"])
    assert s2t.sign_in("C1").status_code == 200  # s2's clerk C1, on s2's terminal
    s2clerk = "s2-C1"
    before = snapshot(world.hub.engine)
    w1 = world.windows[1]
    for x in (door.wire(s2t, ev.WINDOW_PAUSED, {"window_id": w1, "reason": None}, s2clerk),
              door.wire(s2t, ev.SERVICE_STARTED, {"ticket_id": door.called, "window_id": S2_WINDOW}, s2clerk),
              door.wire(door.s2kiosk, ev.TICKET_ISSUED, door.issued()),  # into site A's queue
              door.wire(door.s2kiosk, ev.TICKET_ISSUED, door.issued(queue_id=S2_QUEUE, item_id=world.items["A"]))):
        device = door.s2kiosk if x["k"] == ev.TICKET_ISSUED else s2t
        r = door.push(device, x)
        refused(door, r, before, 403)
        assert "site" in r.json()["message_en"]
    assert all(not w["paused"] for w in door.kiosk.get("/windows").json())


def test_a_terminal_cannot_serve_at_another_window_or_in_another_clerks_name(door, world):
    before = snapshot(world.hub.engine)
    w2 = world.windows[2]
    other_window = [door.wire(door.t1, ev.TICKET_CALLED, {"ticket_id": door.waiting, "window_id": w2, "reason": None}, "s1-C2"),
                    door.wire(door.t1, ev.SERVICE_STARTED, {"ticket_id": door.waiting, "window_id": w2}, "s1-C2")]
    refused(door, door.push(door.t1, *other_window), before, 403)
    w1 = world.windows[1]
    for clerk in (None, "s1-C2", "s2-C1", "nobody"):  # no clerk; one signed in elsewhere; another site's; unknown
        x = door.wire(door.t1, ev.SERVICE_STARTED, {"ticket_id": door.called, "window_id": w1}, clerk)
        r = door.push(door.t1, x)
        refused(door, r, before, 403)
        assert "clerk" in r.json()["message_en"] and "工作人员" in r.json()["message_zh"]
    early = door.wire(door.t1, ev.SERVICE_STARTED, {"ticket_id": door.called, "window_id": w1}, door.clerk1,
                      t=(world.clock.now() - timedelta(hours=2)).isoformat())  # before C1 ever signed in here
    refused(door, door.push(door.t1, early), before, 403)


def test_an_offline_event_just_before_an_online_sign_in_is_within_the_clock_tolerance(door, world):
    """The session's start is the hub's clock, the event's time the terminal's corrected clock: they may differ by
    up to `limits.CLOCK_SKEW_S` seconds, no more."""
    with world.hub.engine.connect() as conn:
        signed_in = conn.execute(select(ClerkSessionRow.started_at).where(
            ClerkSessionRow.device_id == door.t1.info["device_id"], ClerkSessionRow.clerk_id == door.clerk1)).scalar_one()
    edge = signed_in.replace(tzinfo=world.clock.now().tzinfo) - timedelta(seconds=L.CLOCK_SKEW_S)
    w1, before = world.windows[1], snapshot(world.hub.engine)
    start = {"ticket_id": door.called, "window_id": w1}
    outside = door.wire(door.t1, ev.SERVICE_STARTED, start, door.clerk1, t=(edge - timedelta(microseconds=1)).isoformat())
    r = door.push(door.t1, outside)
    refused(door, r, before, 403)
    assert "clerk" in r.json()["message_en"]
    inside = door.wire(door.t1, ev.SERVICE_STARTED, start, door.clerk1, t=edge.isoformat())
    r = door.push(door.t1, inside)
    assert r.status_code == 200 and r.json()["void"] == [], r.text


def test_positions_stop_at_the_one_limit_at_every_door(door, world):
    """`limits.POSITION_MAX` bounds a pushed position and `after`, and a pulled `after`, alike."""
    before = snapshot(world.hub.engine)
    door.pos[door.kiosk.info["device_id"]] = L.POSITION_MAX  # the next event's position is one past the limit
    r = door.push(door.kiosk, door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued()))
    refused(door, r, before, 422)
    body = {"protocol": 1, "after": L.POSITION_MAX + 1, "events": []}
    refused(door, door.push(door.kiosk, raw=json.dumps(body).encode()), before, 422)
    assert door.kiosk.get(f"/sync/pull?protocol=1&after={L.POSITION_MAX + 1}").status_code == 422
    assert door.kiosk.get(f"/sync/pull?protocol=1&after={L.POSITION_MAX}").status_code == 200
    last = {"protocol": 1, "after": 0, "events": [{**door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued()), "p": L.POSITION_MAX}]}
    r = door.push(door.kiosk, raw=json.dumps(last).encode())  # the last position there is
    assert r.status_code == 200 and r.json()["acked"] == L.POSITION_MAX, r.text


def test_a_rating_pad_rates_only_its_own_windows_services(door, world):
    before = snapshot(world.hub.engine)
    x = door.wire(door.pad1, ev.TICKET_RATED, {"ticket_id": door.finished_at_2, "score": 1, "reason": "慢"})
    r = door.push(door.pad1, x)
    refused(door, r, before, 403)
    assert r.json()["message_en"].startswith("Pushed event 0")
    online = door.pad1.post(f"/tickets/{door.finished_at_2}/rating", json={"score": 1, "reason": "慢"})
    assert online.status_code == 403  # the same answer as online
    mine = door.wire(door.pad1, ev.TICKET_RATED, {"ticket_id": door.finished_at_1, "score": 4, "reason": None})
    assert door.push(door.pad1, mine).status_code == 200


def test_a_huge_sequence_number_is_refused_and_the_counter_keeps_working(door, world):
    before = snapshot(world.hub.engine)
    for seq in (2**63, 2**31, 100_000, 0, -1):
        x = door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued(seq=seq, number=f"A{seq}"))
        refused(door, door.push(door.kiosk, x), before, 422)
    r = door.kiosk.post("/tickets", json={"item_id": world.items["A"]})
    assert r.status_code == 201 and r.json()["ticket"]["number"] == "A005"  # after the Door's four


def test_a_negative_schema_version_deep_json_and_a_5_mb_reason_are_refused(door, world):
    before = snapshot(world.hub.engine)
    rated = {"ticket_id": door.finished_at_1, "score": 5, "reason": None}
    for version in (-10**9, -1, 0, "1", 1.0, None):
        refused(door, door.push(door.pad1, door.wire(door.pad1, ev.TICKET_RATED, rated, v=version)), before, 422)
    deep = b"[" * 100_000 + b"]" * 100_000
    refused(door, door.push(door.pad1, raw=deep), before, 422)
    nested = json.dumps(door.wire(door.pad1, ev.TICKET_RATED, {**rated, "reason": "@"})).replace('"@"', "[" * 100_000 + "]" * 100_000)
    raw = ('{"protocol": 1, "after": 0, "events": [' + nested[:-1] + ', "p": 1}]}').encode()
    refused(door, door.push(door.pad1, raw=raw), before, 422)
    refused(door, door.push(door.pad1, door.wire(door.pad1, ev.TICKET_RATED, {**rated, "reason": "慢" * 5_000_000})), before,
            (413, 422))  # 15 MB once decoded: past the body limit (413) before the field limit (422) is reached


def id_number(birth: str, check: bool = True) -> str:
    body = "310118" + birth + "002"
    digit = check_digit(body)
    return body + (digit if check else "0" if digit != "0" else "1")


def test_the_green_channel_comes_from_staff_or_an_elders_card_alike_at_either_door(door, world, live):
    """`policy.green_granted`, online and pushed: a signed-in clerk, or the age the hub reads from the ID number
    (70 or over on the hub's day, 2026-11-26); never a device's word alone."""
    bare = Device(live.url, world.codes["terminal3"])  # a terminal with nobody signed in
    before, green = snapshot(world.hub.engine), {"item_id": world.items["A"], "priority": "green"}
    for device, body, status in ((door.kiosk, green, 403),  # the kiosk's word alone
                                 (bare, green, 403),
                                 (door.kiosk, {**green, "id_number": id_number("19561127")}, 403),  # 69: a day short
                                 (door.kiosk, {**green, "id_number": id_number("19561126", check=False)}, 422),
                                 (door.kiosk, {**green, "id_number": "31011819561126002"}, 422)):  # 17 characters
        r = device.post("/tickets", json=body)
        refused(door, r, before, status)
        if status == 403:
            assert "green channel" in r.json()["message_en"] and "绿色通道" in r.json()["message_zh"], r.text
    for device, clerk in ((door.kiosk, None), (door.t1, None), (door.t1, "s1-C2")):  # C2 never signed in on t1
        x = door.wire(device, ev.TICKET_ISSUED, door.issued(priority="green"), clerk)
        r = door.push(device, x)
        refused(door, r, before, 403)
    elder = door.kiosk.post("/tickets", json={**green, "id_number": id_number("19561126")})  # 70 today
    staff = door.t1.post("/tickets", json=green)  # a terminal with its clerk signed in
    pushed = door.push(door.t1, door.wire(door.t1, ev.TICKET_ISSUED, door.issued(priority="green"), door.clerk1))
    assert (elder.status_code, staff.status_code, pushed.status_code) == (201, 201, 200), (elder.text, staff.text, pushed.text)
    with world.hub.engine.connect() as conn:
        tickets = conn.execute(text("select priority, count(*) from tickets where priority = 'green' group by priority")).all()
        logged = conn.execute(text("select data from events where kind = 'ticket_issued'")).scalars().all()
    assert tickets == [("green", 3)]
    assert not any("3101181956" in str(d) for d in logged)  # the ID number is read for the age, never kept
    assert door.kiosk.sign_in("C3").status_code == 200  # a guide signs in on the kiosk for one ticket
    assert door.kiosk.post(f"/windows/{world.windows[3]}/call-next").status_code == 403  # she gives green, serves nothing
    guided = door.kiosk.post("/tickets", json=green)
    assert guided.status_code == 201, guided.text
    assert door.kiosk.post("/clerk/sign-out").status_code == 204
    assert door.kiosk.post("/tickets", json=green).status_code == 401  # her session ended: its token is refused
    door.kiosk.http.headers.pop("X-Clerk-Token")
    assert door.kiosk.post("/tickets", json=green).status_code == 403  # and the kiosk alone gives no green


def test_a_pushed_ticket_has_its_items_limits_or_ones_this_hub_gave_such_a_ticket_lately(door, world):
    """As `Hub._issue` sets them (`repo.ticket_limits`); a device that has not pulled a change of the reference yet
    may push the limits the item had, if this hub gave them to a ticket of the item within `limits.DAYS_BACK`."""
    before, bundle = snapshot(world.hub.engine), {"item_id": None, "bundle_id": "s1-BD"}  # items A (10) and C (30)
    for change in ({"wait_limit_min": 11}, {"service_limit_min": 19}, {"wait_limit_min": 30},
                   {**bundle, "wait_limit_min": 10}, {**bundle, "service_limit_min": 30}):
        r = door.push(door.kiosk, door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued(**change)))
        refused(door, r, before, 422)
        assert "limits" in r.json()["message_en"] and "时限" in r.json()["message_zh"], r.text
    assert door.push(door.kiosk, door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued(**bundle, wait_limit_min=30))).status_code == 200
    with world.hub.engine.begin() as conn:  # the reference changes on the hub; the kiosk still holds item A at 10
        conn.execute(text("update service_items set wait_limit_min = 15 where id = :id"), {"id": world.items["A"]})
        conn.execute(text("update service_items set wait_limit_min = 25 where id = :id"), {"id": world.items["B"]})
    online = door.kiosk.post("/tickets", json={"item_id": world.items["A"]})
    assert online.status_code == 201
    with world.hub.engine.connect() as conn:
        assert conn.execute(text("select wait_limit_min from tickets where id = :id"),
                            {"id": online.json()["ticket"]["ticket_id"]}).scalar() == 15  # the hub's own, as pushed below
    seq = iter(range(910, 920))
    ticket = lambda **change: door.issued(number=f"A{(n := next(seq))}", seq=n, **change)  # noqa: E731
    before = snapshot(world.hub.engine)
    for change in ({"wait_limit_min": 12}, {"wait_limit_min": 10, "service_limit_min": 21}):  # never item A's
        refused(door, door.push(door.kiosk, door.wire(door.kiosk, ev.TICKET_ISSUED, ticket(**change))), before, 422)
    b_ticket = {"queue_id": world.queues["B"], "item_id": world.items["B"], "letter": "B", "number": "B901", "seq": 901}
    stale_b = door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued(**b_ticket))  # B's old 10: no ticket of B was given it
    r = door.push(door.kiosk, stale_b)
    refused(door, r, before, 422)  # so it is set aside, for someone to look at (docs/sync.md)
    assert "limits" in r.json()["message_en"], r.text
    for change in ({"wait_limit_min": 15}, {"wait_limit_min": 10}):  # now, and before the change (the Door's tickets)
        r = door.push(door.kiosk, door.wire(door.kiosk, ev.TICKET_ISSUED, ticket(**change)))
        assert r.status_code == 200, (change, r.text)


def test_a_kiosk_sets_no_slot_and_no_green_channel_at_either_door(door, world):
    before = snapshot(world.hub.engine)
    for change in ({"priority": "green"}, {"slot_start": "2026-11-26T10:00:00+08:00", "slot_end": "2026-11-26T10:30:00+08:00"}):
        r = door.push(door.kiosk, door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued(**change)))
        refused(door, r, before, 403)
    online = door.kiosk.post("/tickets", json={"item_id": world.items["A"], "slot_start": "2026-11-26T10:00:00+08:00",
                                                "slot_end": "2026-11-26T10:30:00+08:00"})
    refused(door, online, before, 422)


# ---------------------------------------------------------------- every kind, every kind of bad input

BAD_VALUES = [[1], {"a": 1}, 1.5, True, 2**63, -1, "x" * 70_000]  # 70,000 characters: over every limit


def mutations(door: Door, kind: str, data: dict):
    """(what, data, envelope changes) of hostile variants of a valid event."""
    for name in data:
        for bad in BAD_VALUES:
            if bad is True and isinstance(data[name], bool):
                continue
            yield f"{name}={str(bad)[:12]}", {**data, name: bad}, {}
    yield "unknown field", {**data, "evil": 1}, {}
    for name in ("ticket_id", "window_id", "queue_id", "to_queue_id", "item_id"):
        if name in data and data[name] is not None:
            other = {"ticket_id": door.s2_ticket, "window_id": S2_WINDOW, "queue_id": S2_QUEUE,
                     "to_queue_id": S2_QUEUE, "item_id": S2_ITEM}[name]
            yield f"{name} of site s2", {**data, name: other}, {}
    if "window_id" in data:
        yield "another window", {**data, "window_id": door.world.windows[2]}, {}
    if "business_day" in data:
        for day in ("9999-12-31", "2026-11-28", "2026-10-01", "0001-01-01", "2026-W48-4"):  # W48-4: today, as a week date
            yield f"day {day}", {**data, "business_day": day}, {}
    now = door.world.clock.now()
    yield "from next year", data, {"t": (now + timedelta(days=365)).isoformat()}
    yield "from last year", data, {"t": (now - timedelta(days=365)).isoformat()}
    yield "naive time", data, {"t": now.replace(tzinfo=None).isoformat()}
    yield "version -1", data, {"v": -1}
    yield "other site", data, {"s": "s2"}
    kiosks = (ev.TICKET_ISSUED, ev.SEARCH_MISSED)  # a kiosk's kinds: another device is the pad
    yield "another device", data, {"dv": door.kiosk.info["device_id"] if kind not in kiosks else door.pad1.info["device_id"]}
    yield "1 MB id", data, {"i": "e" * 1_000_000}
    yield "unknown envelope", data, {"zz": 1}


def test_every_pushed_kind_refuses_hostile_variants_and_writes_nothing(door, world):
    before = snapshot(world.hub.engine)
    wrong_role = {ev.TICKET_ISSUED: door.pad1, ev.TICKET_RATED: door.t1, ev.TICKET_UNRATED: door.kiosk,
                  ev.SEARCH_MISSED: door.t1}
    tried = 0
    for device, kind, data, clerk in door.valid():
        for what, bad, envelope in mutations(door, kind, data):
            r = door.push(device, door.wire(device, kind, bad, clerk, **envelope))
            assert 400 <= r.status_code < 500, (kind, what, r.status_code, r.text[:200])
            assert r.json()["message_zh"] and r.json()["message_en"], (kind, what)
            tried += 1
        other = wrong_role.get(kind, door.kiosk)  # a kiosk pushes no window event
        r = door.push(other, door.wire(other, kind, data, clerk))
        assert r.status_code == 403, (kind, "wrong role", r.text[:200])
    assert tried > 400
    assert snapshot(world.hub.engine) == before  # nothing written by any of them


def test_each_valid_event_is_accepted_so_the_refusals_above_mean_something(door, world):
    for device, kind, data, clerk in door.valid():
        if kind in (ev.TICKET_RECALLED, ev.TICKET_SKIPPED, ev.TICKET_TRANSFERRED, ev.SERVICE_STARTED, ev.SERVICE_FINISHED):
            continue  # the called ticket takes one of these at a time: below
        r = door.push(device, door.wire(device, kind, data, clerk))
        assert r.status_code == 200, (kind, r.text[:300])
    r = door.push(door.t1, *(door.wire(door.t1, k, d, c) for _, k, d, c in door.valid()
                            if k in (ev.SERVICE_STARTED, ev.SERVICE_FINISHED)))
    assert r.status_code == 200 and r.json()["void"] == [], r.text


def test_one_bad_event_refuses_the_whole_batch_and_a_replay_writes_nothing(door, world):
    good = door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued())
    bad = door.wire(door.kiosk, ev.TICKET_ISSUED, door.issued(number="A901", seq=901, wait_limit_min=2**63))
    before = snapshot(world.hub.engine)
    r = door.push(door.kiosk, good, bad)
    refused(door, r, before, 422)
    assert r.json()["message_en"].startswith("Pushed event 1:") and "wait_limit_min" in r.json()["message_en"]
    assert "第 1 个" in r.json()["message_zh"]
    assert door.push(door.kiosk, good).status_code == 200
    after = snapshot(world.hub.engine)
    door.pos.clear()  # the same batch again, from position 1: stored once, nothing more written
    r = door.push(door.kiosk, good)
    assert r.status_code == 200 and r.json()["acked"] == 1
    assert snapshot(world.hub.engine) == after


def test_a_revoked_device_and_a_display_push_nothing(door, world, live):
    display = Device(live.url, world.codes["display"])
    before = snapshot(world.hub.engine)
    refused(door, door.push(display, door.wire(display, ev.TICKET_ISSUED, door.issued())), before, 403)
    pad = Device(live.url, world.codes["pad2"])
    with world.hub.engine.begin() as conn:
        conn.execute(text("update devices set revoked_at = :now where id = :id"),
                     {"now": world.clock.now(), "id": pad.info["device_id"]})
    before = snapshot(world.hub.engine)
    x = door.wire(pad, ev.TICKET_RATED, {"ticket_id": door.finished_at_2, "score": 5, "reason": None})
    refused(door, door.push(pad, x), before, 401)


def test_the_device_sets_a_refused_event_aside_and_the_rest_of_its_outbox_goes_through(world, live, tmp_path):
    from common.sync.client import SyncClient
    from common.sync.store import LocalStore
    from common.sync.transport import HttpTransport

    t1 = terminal(live, world, 1)
    client = SyncClient(LocalStore(tmp_path / "t1.sqlite3"), HttpTransport(live.url, t1.http.headers["Authorization"][7:]),
                        device_id=t1.info["device_id"], site_id="s1", lease_size=5, clock=world.clock)
    client.sync_once()
    tables = client.store.tables()
    item = next(i for i in tables["service_items"] if i["id"] == world.items["A"])
    queue = next(q for q in tables["queues"] if q["id"] == world.queues["A"])
    first = client.issue_offline(item, queue)
    poisoned = client.record(ev.WINDOW_PAUSED, {"window_id": world.windows[2], "reason": None}, "s1-C1")  # not its window
    last = client.issue_offline(item, queue)
    client.sync_once(leases=False)
    assert client.store.backlog() == 0 and client.status.set_aside == 1
    [aside] = client.store.set_aside()
    assert aside["wire"]["i"] == poisoned.id and aside["refusal"]["error"] == "forbidden"
    assert aside["refusal"]["message_zh"] and "own window" in aside["refusal"]["message_en"]
    with world.hub.engine.connect() as conn:
        held = set(conn.execute(text("select id from events")).scalars())
    assert {first.id, last.id} <= held and poisoned.id not in held
    client.sync_once(leases=False)  # nothing left to send, and the refused event is not sent again
    assert client.status.set_aside == 1 and client.store.backlog() == 0


def test_a_hub_pushes_only_its_own_sites_events_naming_its_own_sites_ids(door, world, live):
    with world.hub.engine.begin() as c:
        code = auth.create_enrolment_code(c, site_id="s1", role=Role.hub, name="s1 hub", now=world.clock.now())
    hub = Device(live.url, code)  # role hub at s1
    before = snapshot(world.hub.engine)
    s2_pause = {**door.wire(hub, ev.WINDOW_PAUSED, {"window_id": S2_WINDOW, "reason": None}), "s": "s2"}
    refused(door, door.push(hub, s2_pause), before, 403)
    for x in (door.wire(hub, ev.WINDOW_PAUSED, {"window_id": S2_WINDOW, "reason": None}),
              door.wire(hub, ev.TICKET_EXPIRED, {"ticket_id": door.s2_ticket, "business_day": "2026-11-26", "window_id": None}),
              door.wire(hub, ev.SERVICE_STARTED, {"ticket_id": door.called, "window_id": world.windows[1]}, "s2-C1")):
        refused(door, door.push(hub, x), before, 403)
    green = door.wire(hub, ev.TICKET_ISSUED, door.issued(priority="green"))  # a hub relays its check-ins and staff's green
    assert door.push(hub, green).status_code == 200


def test_a_window_calls_only_its_queues_tickets_as_online(door, world):
    c_ticket = door.kiosk.post("/tickets", json={"item_id": world.items["C"]}).json()["ticket"]["ticket_id"]
    before = snapshot(world.hub.engine)
    w1, w2 = world.windows[1], world.windows[2]  # 1 serves A and B, 2 only A
    call_c = door.wire(door.t1, ev.TICKET_CALLED, {"ticket_id": c_ticket, "window_id": w1, "reason": None}, door.clerk1)
    r = door.push(door.t1, call_c)
    refused(door, r, before, 422)
    assert "does not serve" in r.json()["message_en"]
    online = door.t1.post(f"/windows/{w1}/call", json={"ticket_id": c_ticket, "reason": "test"})
    assert online.status_code >= 400  # the same refusal online
    to_w2 = door.wire(door.t1, ev.TICKET_TRANSFERRED, {"ticket_id": door.called, "window_id": w1, "from_queue_id": world.queues["A"],
                                                       "to_queue_id": world.queues["B"], "to_window_id": w2}, door.clerk1)
    refused(door, door.push(door.t1, to_w2), before, 422)
    to_b = door.wire(door.t1, ev.TICKET_TRANSFERRED, {**to_w2["d"], "to_window_id": None}, door.clerk1)
    again = door.wire(door.t1, ev.TICKET_CALLED, {"ticket_id": door.called, "window_id": w1, "reason": None}, door.clerk1)
    assert door.push(door.t1, to_b, again).status_code == 200  # to queue B, which window 1 serves: it may call it back


def test_a_search_miss_carries_no_long_digit_run_nor_more_than_a_few_words(door, world):
    """`search_missed` holds a kiosk's masked query: a phone or ID number typed into the box never reaches the hub."""
    before = snapshot(world.hub.engine)
    for typed in ("13812345678", "身份证 3101", "１２３４５", "x" * (L.MISS_TEXT_MAX + 1), "护照\n加急", "   ", ""):
        r = door.push(door.kiosk, door.wire(door.kiosk, ev.SEARCH_MISSED, {"text": typed}))
        refused(door, r, before, 422)
    r = door.push(door.kiosk, door.wire(door.kiosk, ev.SEARCH_MISSED, {"text": "# 护照加急"}))
    assert r.status_code == 200, r.text
