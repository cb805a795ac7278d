"""A case a kiosk or terminal registered offline, pushed at the sync door (docs/cases.md "Where a case comes from"),
over real HTTP on SQLite and PostgreSQL: the door checks it as strictly as the online command. The valid pushes are
stored once (a repeated push is not a second case, a second `case_opened` of the same case is void) with the contact
readable at the hub only; each hostile one is refused with its own message and writes nothing (every table compared).
"""
from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

import i18n
from common.db.schema import CaseRow
from common.domain import cases as c
from common.domain import contact
from common.domain import events as ev
from common.domain.ids import new_token, uuid7
from tests.integration.test_hostile_sync import Door, snapshot
from tests.integration.test_hostile_sync import door as door  # noqa: F401 - the fixture

BOX, KEY = os.urandom(32), os.urandom(32)
WHO = contact.Contact(None, "13812345678")


@pytest.fixture
def hub(door, world):
    world.hub.box_key, world.hub.contact_key = BOX, KEY
    return door


def opened(door: Door, **change) -> dict:
    cid = change.pop("case_id", None) or uuid7()
    d = {"case_id": cid, "number": c.case_number(cid), "public_token": new_token(), "kind": "case", "source": "kiosk",
         "cause": "materials", "text": "已经来了好几次，还是没办成", "opened_day": "2026-11-26",
         "contact": contact.seal_box(contact.box_public(BOX), WHO), "item_id": door.world.items["A"],
         "of_ticket_id": None, "rated_clerk_id": None, "due_day": None}
    return {**d, **change}


def cases_at_hub(door: Door) -> list:
    with door.world.hub.engine.connect() as conn:
        return conn.execute(select(CaseRow)).all()


def said(r, key: str, **fields) -> None:
    """Refused (4xx) with the catalogue's text of `key`, in Chinese and English."""
    assert 400 <= r.status_code < 500, (key, r.status_code, r.text[:300])
    want = i18n.texts("errors", key, **fields)
    assert (r.json()["message_en"], r.json()["message_zh"]) == (want["en"], want["zh_CN"]), (key, r.text[:300])


def rejected_at(door: Door, device, n: int, tid: str | None = None) -> str:
    """A ticket served and refused (不予受理) at window `n` (`tid`: one already called there)."""
    w, steps = door.world.windows[n], [("start", None), ("finish", {"outcome": "rejected", "reason": "不符合受理条件"})]
    if tid is None:
        tid = door.issue()
        steps.insert(0, ("call", {"ticket_id": tid, "reason": "test"}))
    for step, body in steps:
        assert device.post(f"/windows/{w}/{step}", json=body).status_code == 200
    return tid


def test_an_offline_case_is_stored_once_with_its_contact_readable_only_at_the_hub(hub):
    door = hub
    data = opened(door)
    x = door.wire(door.kiosk, c.CASE_OPENED, data)
    r = door.push(door.kiosk, x)
    assert r.status_code == 200 and r.json()["void"] == [], r.text
    rows = cases_at_hub(door)
    assert len(rows) == 1 and rows[0].number == data["number"] and rows[0].source == "kiosk"
    assert rows[0].contact == data["contact"] and "13812345678" not in repr(rows[0])  # kept sealed, as it came
    assert door.world.hub.masked_contact(rows[0].contact) == {"name": None, "phone": "138****5678"}
    assert contact.unseal(KEY, rows[0].contact, BOX) == WHO
    after = snapshot(door.world.hub.engine)
    door.pos.clear()  # the same event pushed again (the answer was lost): not a second case
    r = door.push(door.kiosk, x)
    assert r.status_code == 200 and snapshot(door.world.hub.engine) == after
    again = door.wire(door.kiosk, c.CASE_OPENED, opened(door, case_id=data["case_id"], source="kiosk"))
    r = door.push(door.kiosk, again)  # another event opening the same case: void, the case as it was
    assert r.status_code == 200 and r.json()["void"] == [again["i"]], r.text
    assert cases_at_hub(door) == rows


def test_a_terminal_registers_a_window_case_and_a_refused_service_offline(hub):
    door, w1 = hub, hub.world.windows[1]
    refused_before = rejected_at(door, door.t1, 1, door.called)
    r = door.push(door.t1, door.wire(door.t1, c.CASE_OPENED, opened(door, source="window"), door.clerk1),
                  door.wire(door.t1, c.CASE_OPENED, opened(door, source="rejection", of_ticket_id=refused_before),
                            door.clerk1))
    assert r.status_code == 200 and r.json()["void"] == [], r.text
    issued = door.issued()  # manual mode: the walk-in's service, refused, then its case, in one batch
    tid = issued["ticket_id"]
    batch = [door.wire(door.t1, ev.TICKET_ISSUED, issued),
             door.wire(door.t1, ev.TICKET_CALLED, {"ticket_id": tid, "window_id": w1, "reason": "人工模式"}, door.clerk1),
             door.wire(door.t1, ev.SERVICE_STARTED, {"ticket_id": tid, "window_id": w1}, door.clerk1),
             door.wire(door.t1, ev.SERVICE_FINISHED, {"ticket_id": tid, "window_id": w1, "outcome": "rejected",
                                                      "reason": "材料不全", "missing_materials": None, "due_date": None},
                       door.clerk1),
             door.wire(door.t1, c.CASE_OPENED, opened(door, source="rejection", of_ticket_id=tid, contact=None),
                       door.clerk1)]
    r = door.push(door.t1, *batch)
    assert r.status_code == 200 and r.json()["void"] == [], r.text
    assert sorted((row.source, row.ticket_id) for row in cases_at_hub(door)) == sorted(
        [("window", None), ("rejection", refused_before), ("rejection", tid)])


def test_every_hostile_offline_case_is_refused_with_its_reason_and_writes_nothing(hub, world):
    door = hub
    completed = door.finished_at_1  # served at window 1, completed: not a refusal
    refused_at_2 = rejected_at(door, door.t2, 2)
    too_long = "b1.0123abcd." + "A" * 400
    bad_id = "x" * 36
    tries = [  # (what, pusher, kind, data, clerk, the refusal's key and fields)
        ("kiosk answers", door.kiosk, c.CASE_ANSWERED, {"case_id": uuid7(), "answer": "done", "text": "已办",
                                                       "legal_reason": None, "on_time": True}, None,
         "sync_event_not_allowed", {"index": 0, "kind": c.CASE_ANSWERED}),
        ("kiosk notes", door.kiosk, c.CASE_NOTED, {"case_id": uuid7(), "note": "伪造", "contact": True}, None,
         "sync_event_not_allowed", {"index": 0, "kind": c.CASE_NOTED}),
        ("pad opens", door.pad1, c.CASE_OPENED, opened(door), None, "sync_event_not_allowed",
         {"index": 0, "kind": c.CASE_OPENED}),
        ("kiosk hotline", door.kiosk, c.CASE_OPENED, opened(door, source="hotline"), None, "sync_case_source",
         {"index": 0, "source": "hotline"}),
        ("kiosk window", door.kiosk, c.CASE_OPENED, opened(door, source="window"), None, "sync_case_source",
         {"index": 0, "source": "window"}),
        ("terminal kiosk", door.t1, c.CASE_OPENED, opened(door), door.clerk1, "sync_case_source",
         {"index": 0, "source": "kiosk"}),
        ("kiosk rating", door.kiosk, c.CASE_OPENED, opened(door, source="rating", kind="rating"), None,
         "sync_case_source", {"index": 0, "source": "rating"}),
        ("kind rating", door.kiosk, c.CASE_OPENED, opened(door, kind="rating"), None, "sync_event_invalid",
         {"index": 0, "field": "kind", "kind": c.CASE_OPENED}),
        ("forged number", door.kiosk, c.CASE_OPENED, opened(door, number="BC00000000"), None, "sync_event_invalid",
         {"index": 0, "field": "number"}),
        ("AES contact", door.kiosk, c.CASE_OPENED, opened(door, contact=contact.seal(KEY, WHO)), None,
         "sync_case_contact", {"index": 0}),
        ("plain contact", door.kiosk, c.CASE_OPENED, opened(door, contact="b1.0123abcd.13812345678 张三"), None,
         "sync_case_contact", {"index": 0}),
        ("overlong contact", door.kiosk, c.CASE_OPENED, opened(door, contact=too_long), None, "sync_event_invalid",
         {"index": 0, "field": "contact"}),
        ("s2 item", door.kiosk, c.CASE_OPENED, opened(door, item_id="s2-IA"), None, "sync_not_own_site",
         {"index": 0, "field": "item_id", "kind": c.CASE_OPENED}),
        ("rated clerk", door.kiosk, c.CASE_OPENED, opened(door, rated_clerk_id=door.clerk1), None,
         "sync_event_invalid", {"index": 0, "field": "rated_clerk_id", "kind": c.CASE_OPENED}),
        ("due day", door.kiosk, c.CASE_OPENED, opened(door, due_day="2026-11-27"), None, "sync_event_invalid",
         {"index": 0, "field": "due_day", "kind": c.CASE_OPENED}),
        ("id not a uuid", door.kiosk, c.CASE_OPENED, opened(door, case_id=bad_id), None, "sync_event_invalid",
         {"index": 0, "field": "case_id", "kind": c.CASE_OPENED}),
        ("NUL in text", door.kiosk, c.CASE_OPENED, opened(door, text="材料\x00"), None, "sync_event_invalid",
         {"index": 0, "field": "text", "kind": c.CASE_OPENED}),
        ("bad token", door.kiosk, c.CASE_OPENED, opened(door, public_token="短"), None, "sync_event_invalid",
         {"index": 0, "field": "public_token"}),
        ("a year back", door.kiosk, c.CASE_OPENED, opened(door, opened_day="2025-11-26"), None, "sync_business_day",
         {"index": 0, "kind": c.CASE_OPENED}),
        ("kiosk with a clerk", door.kiosk, c.CASE_OPENED, opened(door), door.clerk1, "sync_clerk_not_signed_in",
         {"index": 0, "kind": c.CASE_OPENED}),
        ("terminal, no clerk", door.t1, c.CASE_OPENED, opened(door, source="window"), None,
         "sync_clerk_not_signed_in", {"index": 0, "kind": c.CASE_OPENED}),
        ("window with a ticket", door.t1, c.CASE_OPENED, opened(door, source="window", of_ticket_id=completed),
         door.clerk1, "case_rejection_ticket", {"index": 0}),
        ("rejection, no ticket", door.t1, c.CASE_OPENED, opened(door, source="rejection"), door.clerk1,
         "case_rejection_ticket", {"index": 0}),
        ("rejection of a completed service", door.t1, c.CASE_OPENED,
         opened(door, source="rejection", of_ticket_id=completed), door.clerk1, "case_not_a_rejection", {"index": 0}),
        ("rejection at another window", door.t1, c.CASE_OPENED,
         opened(door, source="rejection", of_ticket_id=refused_at_2), door.clerk1, "case_not_a_rejection",
         {"index": 0}),
        ("s2 ticket", door.t1, c.CASE_OPENED, opened(door, source="rejection", of_ticket_id=door.s2_ticket),
         door.clerk1, "sync_not_own_site", {"index": 0, "field": "of_ticket_id", "kind": c.CASE_OPENED}),
    ]
    before = snapshot(world.hub.engine)
    for what, device, kind, data, clerk, key, fields in tries:
        r = door.push(device, door.wire(device, kind, data, clerk))
        said(r, key, **fields)
        assert snapshot(world.hub.engine) == before, f"{what}: refused, yet something was written"
    with world.hub.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(CaseRow)).scalar() == 0


def test_the_online_command_takes_the_devices_token_only_in_its_form_with_its_id_and_not_another_cases(hub, world):
    """POST /cases with the device's own id and token (the offline case after a lost answer is then the same case)."""
    door = hub
    cid, token = uuid7(), new_token()
    first = door.kiosk.post("/cases", json={"source": "kiosk", "cause": "other", "case_id": cid, "public_token": token})
    assert first.status_code == 201 and first.json()["public_token"] == token, first.text
    before = snapshot(world.hub.engine)
    for what, body in (("another case's token", {"case_id": uuid7(), "public_token": token}),
                       ("a token without an id", {"public_token": new_token()}),
                       ("a token of the wrong form", {"case_id": uuid7(), "public_token": "短<script>" * 3}),
                       ("a NUL in the token", {"case_id": uuid7(), "public_token": "a" * 20 + "\x00"})):
        r = door.kiosk.post("/cases", json={"source": "kiosk", "cause": "other", **body})
        assert 400 <= r.status_code < 500 and r.json()["message_zh"] and r.json()["message_en"], (what, r.text)
        assert snapshot(world.hub.engine) == before, what
    again = door.kiosk.post("/cases", json={"source": "kiosk", "cause": "other", "case_id": cid, "public_token": token})
    assert again.status_code == 201 and again.json()["case_id"] == cid  # the retry: the same case, nothing new
    assert snapshot(world.hub.engine) == before
    pushed = door.wire(door.kiosk, c.CASE_OPENED, opened(door, case_id=uuid7(), public_token=token))
    said(door.push(door.kiosk, pushed), "case_id_taken", index=0)  # nor pushed for another case
    assert snapshot(world.hub.engine) == before
