"""Hostile input at every case route (docs/cases.md), over real HTTP on loopback, on SQLite and PostgreSQL.

For POST /api/v1/cases, each /cases/{id}/... step, the list, a case, /contact and the citizen's JSON: wrong types,
out-of-range values, oversize text (501 characters, a 5 MB body), deep JSON, unknown fields, another site's case,
the token of a kiosk, rating pad or display, a terminal at a general window, a revoked device, no clerk signed in,
a step replayed. Each answers 4xx with both messages and leaves the event log as it was (count and last seq), the
cases and the audit log too. A case's step pushed by a device (only hubs push them) is refused at the sync door.
"""
from __future__ import annotations

import json

import pytest
import requests
from sqlalchemy import func, select, text

from common.db.schema import AuditRow, CaseRow, EventRow
from common.domain import cases as c
from common.domain.ids import new_token, uuid7
from common.domain.model import Role
from common.usecases import auth, reference
from tests.conftest import LiveHub
from tests.integration.http import Device, terminal
from tests.world import PIN

KEY = bytes(range(32))


def state(engine) -> tuple:
    """The event log's count and last seq, every case row, the audit log's count."""
    with engine.connect() as conn:
        log = conn.execute(select(func.count(), func.max(EventRow.seq))).one()
        rows = sorted(map(repr, conn.execute(select(CaseRow)).all()))
        audits = conn.execute(select(func.count()).select_from(AuditRow)).scalar()
    return tuple(log), rows, audits


class Hall:
    """A hall with a 办不成事 window (9), a case of s1 opened and classified, one of s2, and every kind of device."""

    def __init__(self, world, live) -> None:
        self.world, self.live = world, live
        self.kiosk = Device(live.url, world.codes["kiosk"])
        self.desk = terminal(live, world, 9)
        self.general = terminal(live, world, 1)
        self.pad = Device(live.url, world.codes["pad1"])
        self.display = Device(live.url, world.codes["display"])
        self.unsigned = Device(live.url, world.codes["terminal2"])  # a terminal with no clerk signed in
        self.s2kiosk = Device(live.url, world.codes["s2kiosk"])
        self.anonymous = Device(live.url)
        self.case = self.opened(self.kiosk, name="王小明", phone="13812345678")
        r = self.desk.post(f"/cases/{self.case['case_id']}/classify", json={"case_class": "general"})
        assert r.status_code == 200, r.text
        self.s2case = self.opened(self.s2kiosk)

    def opened(self, device, **extra) -> dict:
        r = device.post("/cases", json={"source": "kiosk", "cause": "materials", "text": "材料清单不一致", **extra})
        assert r.status_code == 201, r.text
        return r.json()

    def revoked(self) -> Device:
        d = Device(self.live.url, self.world.codes["terminal3"])
        assert d.sign_in("C3").status_code == 200
        with self.world.hub.engine.begin() as conn:
            auth.revoke_device(conn, d.info["device_id"], self.world.clock.now())
        return d


@pytest.fixture
def hall(world):
    with world.hub.engine.begin() as conn:
        q = reference.create_queue(conn, site_id="s1", letter="D", name="办不成事")
        w9 = reference.create_window(conn, site_id="s1", number=9, name="办不成事反映窗口", kind="cases", queue_ids=[q])
        reference.create_clerk(conn, site_id="s1", staff_no="C9", name="处理人", pin=PIN)
        world.codes["terminal9"] = auth.create_enrolment_code(conn, site_id="s1", role=Role.terminal, name="t9",
                                                              now=world.clock.now(), window_id=w9)
    world.hub.contact_key = KEY
    with LiveHub(world.hub) as live:
        yield Hall(world, live)


def refused(hall: Hall, r: requests.Response, before: tuple, what: str) -> None:
    assert 400 <= r.status_code < 500, (what, r.status_code, r.text[:300])
    body = r.json()
    assert body.get("message_zh") and body.get("message_en"), (what, body)
    assert state(hall.world.hub.engine) == before, f"{what}: refused, yet something was written"


# A valid body for each step of the open case (the first answers would succeed as they are).
STEPS = {
    "classify": {"case_class": "complex"},
    "assign": {"department": "区医保中心"},
    "notes": {"note": "已联系", "contact": True},
    "extend": {"due_day": "2027-06-30", "reason": "会商", "told": True},
    "answer": {"answer": "done", "text": "已办成"},
    "follow-up": {"reached": True, "satisfied": True},
    "contact": {"purpose": "handle"},
}
OPEN = {"source": "kiosk", "cause": "other", "text": "说明"}
WRONG = [123, 1.5, True, None, [], {}, "x", "9" * 600]


FREE = {"text", "note", "department", "reason"}  # free text: any string up to its limit is right
OPTIONAL = {"text", "contact"}


def mutations(body: dict):
    """(what, body) pairs of a body made wrong one field at a time: a wrong type or value, 501 characters of free
    text, a required field missing; and unknown fields."""
    for k, good in body.items():
        for v in WRONG:
            same = type(v) is type(good)
            if (same and isinstance(v, bool)) or (v is None and k in OPTIONAL):
                continue
            if same and isinstance(v, str) and k in FREE and len(v) <= 500:
                continue
            yield f"{k}={v!r:.20}", {**body, k: v}
        if k in FREE:
            yield f"{k} 501", {**body, k: "长" * 501}
        if k not in OPTIONAL:
            yield f"no {k}", {x: y for x, y in body.items() if x != k}
    yield "unknown field", {**body, "case_number": uuid7()}
    yield "unknown field 2", {**body, "status": "closed"}


def test_every_case_route_refuses_bad_bodies_and_writes_nothing(hall):
    cid = hall.case["case_id"]
    routes = [("/cases", OPEN)] + [(f"/cases/{cid}/{step}", body) for step, body in STEPS.items()]
    for path, body in routes:
        for what, bad in mutations(body):
            before = state(hall.world.hub.engine)
            refused(hall, hall.desk.post(path, json=bad) if path != "/cases" else hall.kiosk.post(path, json=bad),
                    before, f"{path} {what}")
    # out of range, value by value
    nul = "办事\x00人"
    out_of_range = [
        ("/cases", {**OPEN, "text": nul}), ("/cases", {**OPEN, "name": nul}), ("/cases", {**OPEN, "phone": "1381234\x005678"}),
        (f"/cases/{cid}/classify", {"case_class": "out_of_scope", "explanation": nul}),
        (f"/cases/{cid}/assign", {"department": nul}), (f"/cases/{cid}/notes", {"note": nul}),
        (f"/cases/{cid}/extend", {"due_day": "2027-06-30", "reason": nul, "told": True}),
        (f"/cases/{cid}/answer", {"answer": "done", "text": nul}),
        ("/cases", {**OPEN, "source": "hotline"}), ("/cases", {**OPEN, "source": "rating"}),
        ("/cases", {**OPEN, "cause": "weather"}), ("/cases", {**OPEN, "text": "长" * 501}),
        ("/cases", {**OPEN, "name": "王" * 51}), ("/cases", {**OPEN, "phone": "138-1234-567a"}),
        ("/cases", {**OPEN, "item_id": "../../etc"}), ("/cases", {**OPEN, "item_id": "s1-NOPE"}),
        ("/cases", {**OPEN, "source": "rejection", "ticket_id": uuid7()}),
        (f"/cases/{cid}/classify", {"case_class": "urgent"}),
        (f"/cases/{cid}/classify", {"case_class": "out_of_scope"}),  # no explanation
        (f"/cases/{cid}/classify", {"case_class": "general", "explanation": "长" * 501}),
        (f"/cases/{cid}/assign", {"department": ""}), (f"/cases/{cid}/assign", {"department": "部" * 501}),
        (f"/cases/{cid}/assign", {"department": "区医保中心", "handler_site_id": "s9"}),
        (f"/cases/{cid}/notes", {"note": ""}), (f"/cases/{cid}/notes", {"note": "   "}),
        (f"/cases/{cid}/extend", {"due_day": "2026-13-45", "reason": "r", "told": True}),
        (f"/cases/{cid}/extend", {"due_day": "2026-11-01", "reason": "r", "told": True}),  # before the due day
        (f"/cases/{cid}/extend", {"due_day": "2027-06-30", "reason": "r", "told": False}),  # the citizen not told
        (f"/cases/{cid}/extend", {"due_day": "2027-06-26", "reason": "r", "told": True}),  # a Saturday
        (f"/cases/{cid}/extend", {"due_day": "99999-01-01", "reason": "r", "told": True}),
        (f"/cases/{cid}/answer", {"answer": "rectified", "text": "t"}),  # a 差评's answer on a 办不成事 case
        (f"/cases/{cid}/answer", {"answer": "cannot", "text": "t"}),  # no legal reason
        (f"/cases/{cid}/answer", {"answer": "done", "text": "长" * 501}),
        (f"/cases/{cid}/follow-up", {"reached": True, "satisfied": True}),  # not answered yet
        (f"/cases/{cid}/contact", {"purpose": "curiosity"}),
    ]
    for path, bad in out_of_range:
        before = state(hall.world.hub.engine)
        device = hall.kiosk if path == "/cases" else hall.desk
        refused(hall, device.post(path, json=bad), before, f"{path} {bad}")
    # the right bodies, by the same devices, are taken: what was refused was refused for what was wrong in it
    assert hall.kiosk.post("/cases", json=OPEN).status_code == 201
    for step in ("classify", "assign", "notes", "extend", "answer", "contact"):
        r = hall.desk.post(f"/cases/{cid}/{step}", json=STEPS[step])
        assert r.status_code == 200, (step, r.text)


def test_huge_and_deep_bodies_are_refused(hall):
    cid = hall.case["case_id"]
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    deep_object = ('{"text":' * 5000 + '"x"' + "}" * 5000).encode()
    huge = json.dumps({**OPEN, "text": "长" * (5 * 1024 * 1024 // 3)}, ensure_ascii=False).encode()
    for path in ["/cases"] + [f"/cases/{cid}/{step}" for step in STEPS]:
        device = hall.kiosk if path == "/cases" else hall.desk
        for what, raw in (("deep array", deep), ("deep object", deep_object), ("5 MB", huge), ("not JSON", b"{\"x\":"),
                          ("empty", b""), ("a string", b'"classify"'), ("NaN", b'{"reached": NaN}')):
            before = state(hall.world.hub.engine)
            r = device.http.post(f"{hall.live.url}/api/v1{path}", data=raw, timeout=60,
                                 headers={"Content-Type": "application/json"})
            refused(hall, r, before, f"{path} {what}")


def test_the_wrong_device_or_clerk_or_site_is_refused(hall):
    cid, other = hall.case["case_id"], hall.s2case["case_id"]
    revoked = hall.revoked()
    steps = [(f"/cases/{cid}/{step}", body) for step, body in STEPS.items()]
    for who, device in (("kiosk", hall.kiosk), ("pad", hall.pad), ("display", hall.display), ("general window", hall.general),
                        ("no clerk", hall.unsigned), ("revoked", revoked), ("no token", hall.anonymous),
                        ("s2 kiosk", hall.s2kiosk)):
        for path, body in steps:
            before = state(hall.world.hub.engine)
            refused(hall, device.post(path, json=body), before, f"{who} {path}")
        for path in ("/cases", f"/cases/{cid}"):
            before = state(hall.world.hub.engine)
            refused(hall, device.get(path), before, f"{who} GET {path}")
    for who, device in (("pad", hall.pad), ("display", hall.display), ("revoked", revoked), ("no token", hall.anonymous),
                        ("no clerk", hall.unsigned)):
        before = state(hall.world.hub.engine)
        refused(hall, device.post("/cases", json=OPEN), before, f"{who} opens")
    before = state(hall.world.hub.engine)
    refused(hall, hall.desk.post("/cases", json=OPEN), before, "the cases window opens a kiosk case")
    refused(hall, hall.kiosk.post("/cases", json={**OPEN, "source": "window"}), before, "a kiosk opens a window case")
    # another site's case, by the handler of this one: not found, on every route
    for path, body in [(f"/cases/{other}/{step}", b) for step, b in STEPS.items()]:
        before = state(hall.world.hub.engine)
        r = hall.desk.post(path, json=body)
        refused(hall, r, before, f"s2 case {path}")
        assert r.status_code == 404
    for step, body in STEPS.items():  # a NUL or a path in the case id (PostgreSQL refuses NUL in text)
        for bad in ("%00" * 36, "a%00b", "..%2F..%2Fetc", "9" * 5000):
            before = state(hall.world.hub.engine)
            refused(hall, hall.desk.post(f"/cases/{bad}/{step}", json=body), before, f"{step} of case {bad[:20]}")
    for path in (f"/cases/{other}", f"/cases/{uuid7()}", "/cases/..%2F..%2Fetc", f"/cases/{'9' * 5000}", "/cases/%00",
                 "/cases/" + "%00" * 36):
        before = state(hall.world.hub.engine)
        refused(hall, hall.desk.get(path), before, f"GET {path[:40]}")


def test_a_replayed_step_is_refused(hall):
    cid = hall.case["case_id"]
    first = [("notes", {"note": "已联系", "contact": True}, None), ("answer", {"answer": "done", "text": "已办成"}, 409),
             ("follow-up", {"reached": True, "satisfied": True}, 409)]
    for step, body, again in first:
        r = hall.desk.post(f"/cases/{cid}/{step}", json=body)
        assert r.status_code == 200, r.text
        if again:
            before = state(hall.world.hub.engine)
            r = hall.desk.post(f"/cases/{cid}/{step}", json=body)
            refused(hall, r, before, f"{step} again")
            assert r.status_code == again
    for step, body in STEPS.items():  # the case is closed: every step is refused (the contact stays shown)
        if step == "contact":
            continue
        before = state(hall.world.hub.engine)
        refused(hall, hall.desk.post(f"/cases/{cid}/{step}", json=body), before, f"{step} on a closed case")
    oos = hall.opened(hall.kiosk)["case_id"]
    body = {"case_class": "out_of_scope", "explanation": "属民事纠纷，请向人民法院起诉"}
    assert hall.desk.post(f"/cases/{oos}/classify", json=body).status_code == 200
    before = state(hall.world.hub.engine)
    refused(hall, hall.desk.post(f"/cases/{oos}/classify", json=body), before, "classify a closed case again")
    before = state(hall.world.hub.engine)
    refused(hall, hall.desk.post(f"/cases/{oos}/contact", json={"purpose": "handle"}), before, "contact of a case without one")


def test_the_public_page_answers_only_its_token(hall):
    token = hall.case["public_token"]
    page = requests.get(f"{hall.live.url}/api/v1/public/cases/{token}", timeout=10)
    assert page.status_code == 200 and page.json()["number"] == hall.case["number"]
    assert "contact" not in page.text and "王" not in page.text
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "x", "x" * 15, "x" * 65, "9" * 5000, "%00" * 20,
                new_token(), "..%2F..%2Fapi%2Fv1%2Fcases"):
        before = state(hall.world.hub.engine)
        r = requests.get(f"{hall.live.url}/api/v1/public/cases/{bad}", timeout=10)
        refused(hall, r, before, f"public {bad[:20]}")
        r = requests.get(f"{hall.live.url}/api/v1/public/tickets/{bad}", timeout=10)  # the ticket's page: the same rule
        refused(hall, r, before, f"ticket page {bad[:20]}")


def test_a_device_may_not_push_a_case_event(hall):
    """Only hubs push a case's steps: a kiosk, a terminal, a rating pad pushing one is refused at the sync door. A
    kiosk or terminal opens a case offline (its checks: tests/integration/test_hostile_offline_cases.py); a rating
    pad does not, nor a terminal with the kiosk's source."""
    cid = uuid7()
    opened = {"case_id": cid, "number": c.case_number(cid), "public_token": new_token(), "kind": "case",
              "source": "kiosk", "cause": "other", "text": None, "opened_day": "2026-11-26", "contact": None,
              "item_id": None, "of_ticket_id": None, "rated_clerk_id": None, "due_day": None}
    noted = {"case_id": hall.case["case_id"], "note": "伪造", "contact": True}
    for device, clerk in ((hall.kiosk, None), (hall.desk, "s1-C9"), (hall.pad, None)):
        for kind, data in ((c.CASE_OPENED, opened), (c.CASE_NOTED, noted))[device is hall.kiosk:]:
            wire = {"i": uuid7(), "s": "s1", "k": kind, "t": hall.world.clock.now().isoformat(), "d": data, "v": 1,
                    "dv": device.info["device_id"], "c": clerk, "p": 1}
            before = state(hall.world.hub.engine)
            r = device.http.post(f"{hall.live.url}/api/v1/sync/push", json={"protocol": 1, "after": 0, "events": [wire]},
                                 timeout=30)
            refused(hall, r, before, f"{device.info['role']} pushes {kind}")
    with hall.world.hub.engine.connect() as conn:
        assert conn.execute(text("select count(*) from cases")).scalar() == 2
