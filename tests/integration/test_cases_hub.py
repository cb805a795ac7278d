"""Cases at the hub (docs/cases.md), on SQLite and PostgreSQL: who may do what, deadlines from the real calendar,
bad ratings opening 差评 cases online and pushed, sealed contacts and the audit log, and the fold check."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from common.db.schema import AuditRow, CaseRow, EventRow
from common.domain import errors as e
from common.domain.model import Outcome, Role
from common.readmodels import cases as read
from common.sync.protocol import PROTOCOL, to_wire
from common.usecases import auth, check, reference
from common.usecases.casework import Desk
from tests.world import PIN

KEY = bytes(range(32))


@pytest.fixture
def hall(world):
    """The test hall with a 办不成事 window (9, its own queue D) and its clerk C9, and the hub's contact key."""
    with world.hub.engine.begin() as c:
        q = world.queues["D"] = reference.create_queue(c, site_id="s1", letter="D", name="办不成事")
        world.windows[9] = reference.create_window(c, site_id="s1", number=9, name="办不成事反映窗口", kind="cases", queue_ids=[q])
        reference.create_clerk(c, site_id="s1", staff_no="C9", name="处理人", pin=PIN)
        world.codes["terminal9"] = auth.create_enrolment_code(c, site_id="s1", role=Role.terminal, name="t9",
                                                              now=world.clock.now(), window_id=world.windows[9])
    world.hub.contact_key = KEY
    return world


def events(world) -> int:
    with world.hub.engine.connect() as c:
        return c.execute(select(func.count()).select_from(EventRow)).scalar()


def test_a_kiosk_case_is_worked_to_its_close_by_the_cases_window(hall):
    kiosk, desk = hall.actor("kiosk"), hall.actor("terminal9")
    hall.clock.t = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)  # Wednesday before National Day
    done = hall.hub.open_case(kiosk, source="kiosk", cause="materials", text="材料清单和窗口说的不一样",
                              item_id=hall.items["A"], name="王小明", phone="13812345678")
    x = done.case
    assert x.number.startswith("BC") and x.status.value == "registered"
    with hall.hub.engine.connect() as c:  # sealed: the name and phone are nowhere in plain text
        stored = " ".join(str(r.data) for r in c.execute(select(EventRow))) + str(c.execute(select(CaseRow.contact)).all())
    assert "王小明" not in stored and "13812345678" not in stored and x.contact.startswith("v1.")

    listed = hall.hub.read_cases(desk, read.worklist)
    assert [i["number"] for i in listed] == [x.number] and listed[0]["has_contact"]
    # 5 working days after 30 Sept 2026: 1-7 Oct off; 8 (Thu), 9 (Fri), 10 (Sat, 调休 working), 12, 13 Oct
    classified = hall.hub.classify_case(desk, x.id, "general").case
    assert classified.due_day == "2026-10-13"
    hall.hub.assign_case(desk, x.id, "区医保中心")
    detail = hall.hub.read_cases(desk, read.detail, x.id)
    assert hall.hub.masked_contact(detail["sealed_contact"]) == {"name": "王*明", "phone": "138****5678"}
    assert [h["kind"] for h in detail["history"]] == ["case_opened", "case_classified", "case_assigned"]

    before = _audits(hall)
    who = hall.hub.case_contact(desk, x.id, "handle")
    assert (who.name, who.phone) == ("王小明", "13812345678") and _audits(hall) == before + 1

    hall.hub.note_case(desk, x.id, "已电话联系，告知补交材料", contact_made=True)
    hall.clock.t = datetime(2026, 10, 12, 2, 0, tzinfo=timezone.utc)
    assert hall.hub.answer_case(desk, x.id, "done", "已协调窗口按清单受理").case.answered_on_time
    assert hall.hub.follow_up_case(desk, x.id, True, True).case.status.value == "closed"
    assert hall.hub.read_cases(desk, read.worklist) == []
    assert check.differences(hall.hub.engine) == []  # the stored cases are the fold of their events


def _audits(world) -> int:
    with world.hub.engine.connect() as c:
        return c.execute(select(func.count()).select_from(AuditRow)).scalar()


def test_only_the_cases_window_and_supervisors_handle_cases(hall):
    kiosk, general, desk = hall.actor("kiosk"), hall.actor("terminal1"), hall.actor("terminal9")
    x = hall.hub.open_case(kiosk, source="kiosk", cause="other").case
    n = events(hall)
    for call in (lambda: hall.hub.read_cases(general, read.worklist), lambda: hall.hub.classify_case(general, x.id, "general"),
                 lambda: hall.hub.case_contact(general, x.id, "handle")):
        with pytest.raises(e.Forbidden):
            call()
    with pytest.raises(e.Forbidden):
        hall.hub.classify_case(kiosk, x.id, "general")
    with pytest.raises(e.InvalidInput):  # a kiosk opens only kiosk cases
        hall.hub.open_case(kiosk, source="hotline", cause="other")
    with pytest.raises(e.NotFound):  # another site's case id is not found, not handled
        hall.hub.classify_case(Desk(site_id="s2", clerk_id="x"), x.id, "general")
    with pytest.raises(e.Forbidden):
        hall.hub.decide_appeal(desk, x.id, True)
    assert events(hall) == n  # nothing refused was written
    assert hall.hub.classify_case(desk, x.id, "immediate").case.status.value == "open"


def _serve_and_finish(world, kiosk, terminal, outcome=Outcome.completed, reason=None):
    t = world.hub.issue_ticket(kiosk, item_id=world.items["A"]).ticket
    w = terminal.window_id
    world.hub.call_next(terminal, w)
    world.hub.start(terminal, w)
    world.hub.finish(terminal, w, outcome, reason)
    return t


def test_a_bad_rating_opens_its_case_which_the_clerk_rated_may_not_handle(hall):
    kiosk, clerk1, pad = hall.actor("kiosk"), hall.actor("terminal1"), hall.actor("pad1")
    hall.clock.t = datetime(2026, 9, 30, 7, 0, tzinfo=timezone.utc)
    t = _serve_and_finish(hall, kiosk, clerk1)
    done = hall.hub.rate(pad, t.id, 1, "等了很久没人管")
    with hall.hub.engine.connect() as c:
        row = c.execute(select(CaseRow)).one()
    assert row.kind == "rating" and row.ticket_id == t.id and row.rated_clerk_id == clerk1.clerk_id
    assert row.due_day == "2026-10-08"  # first contact within 1 working day: after National Day
    assert row.text == "等了很久没人管" and done.event.kind == "ticket_rated"
    with pytest.raises(e.Forbidden):
        hall.hub.note_case(Desk(site_id="s1", clerk_id=clerk1.clerk_id), row.id, "我来解释", contact_made=True)
    desk = hall.actor("terminal9")
    with pytest.raises(e.Conflict):  # no answer before the first contact
        hall.hub.answer_case(desk, row.id, "explained", "已解释")
    hall.hub.note_case(desk, row.id, "已联系办事人，致歉", contact_made=True)
    assert hall.hub.answer_case(desk, row.id, "rectified", "已加强窗口引导").case.answer == "rectified"
    assert check.differences(hall.hub.engine) == []


def test_a_pushed_bad_rating_opens_one_case_and_a_good_one_none(hall):
    kiosk, clerk1, pad = hall.actor("kiosk"), hall.actor("terminal1"), hall.actor("pad1")
    bad, good = _serve_and_finish(hall, kiosk, clerk1), _serve_and_finish(hall, kiosk, clerk1)
    from common.domain.events import Event
    from common.domain.ids import uuid7

    now = hall.clock.now()
    batch = [Event(id=uuid7(), site_id="s1", kind="ticket_rated", at=now, device_id=pad.device_id,
                   data={"ticket_id": bad.id, "score": 2, "reason": "态度不好"}),
             Event(id=uuid7(), site_id="s1", kind="ticket_rated", at=now, device_id=pad.device_id,
                   data={"ticket_id": good.id, "score": 5, "reason": None})]
    body = {"protocol": PROTOCOL, "after": 0, "events": [{**to_wire(x), "p": i + 1} for i, x in enumerate(batch)]}
    hall.hub.push(pad, body)
    hall.hub.push(pad, body)  # a retry: nothing twice
    with hall.hub.engine.connect() as c:
        rows = c.execute(select(CaseRow.ticket_id, CaseRow.kind)).all()
    assert rows == [(bad.id, "rating")]
    assert check.differences(hall.hub.engine) == []


def test_a_refused_service_becomes_a_case_only_at_its_window(hall):
    kiosk, clerk1, clerk2 = hall.actor("kiosk"), hall.actor("terminal1"), hall.actor("terminal2")
    t = _serve_and_finish(hall, kiosk, clerk1, Outcome.rejected, "材料不全")
    with pytest.raises(e.Conflict):
        hall.hub.open_case(clerk2, source="rejection", cause="materials", ticket_id=t.id)
    with pytest.raises(e.InvalidInput):
        hall.hub.open_case(clerk1, source="rejection", cause="materials")
    x = hall.hub.open_case(clerk1, source="rejection", cause="materials", ticket_id=t.id, text="办事人不认可").case
    assert x.ticket_id == t.id and x.item_id == hall.items["A"] and x.source == "rejection"


def test_bad_contact_details_are_refused_before_anything_is_written(hall):
    kiosk = hall.actor("kiosk")
    n = events(hall)
    for name, phone in (("王" * 51, None), (None, "138-1234-567a"), (None, "１３８１２３４５６７８"), ("a\x00b", None)):
        with pytest.raises(e.InvalidInput):
            hall.hub.open_case(kiosk, source="kiosk", cause="other", name=name, phone=phone)
    hall.hub.contact_key = None
    with pytest.raises(e.Conflict):
        hall.hub.open_case(kiosk, source="kiosk", cause="other", phone="13812345678")
    assert events(hall) == n


def test_check_finds_a_case_row_that_drifted_from_its_events(hall):
    from sqlalchemy import update

    x = hall.hub.open_case(hall.actor("kiosk"), source="kiosk", cause="system").case
    assert check.differences(hall.hub.engine) == []
    with hall.hub.engine.begin() as conn:  # a row changed by hand, not by an event
        conn.execute(update(CaseRow).where(CaseRow.id == x.id).values(status="closed"))
    assert any(x.id in d and "closed" in d for d in check.differences(hall.hub.engine))


def test_a_retried_open_with_the_devices_case_id_opens_no_second_case(hall):
    from common.domain.ids import uuid7

    kiosk, other = hall.actor("kiosk"), hall.actor("terminal1")
    case_id = uuid7()
    first = hall.hub.open_case(kiosk, source="kiosk", cause="system", case_id=case_id, phone="13812345678")
    n = events(hall)
    again = hall.hub.open_case(kiosk, source="kiosk", cause="system", case_id=case_id, phone="13812345678")
    assert again.case.id == first.case.id == case_id and again.event.id == first.event.id
    assert again.case.public_token == first.case.public_token and events(hall) == n
    with pytest.raises(e.Conflict):  # another device may not take it over (nor learn its token)
        hall.hub.open_case(other, source="window", cause="system", case_id=case_id)
    with pytest.raises(e.InvalidInput):
        hall.hub.open_case(kiosk, source="kiosk", cause="system", case_id="not-a-uuid")
    assert events(hall) == n


def test_the_ledger_of_a_quarter_holds_its_cases_and_only_their_steps(hall):
    from common.readmodels import caseledger
    from common.readmodels.assessment import parse_quarter

    kiosk, desk = hall.actor("kiosk"), hall.actor("terminal9")
    hall.clock.t = datetime(2026, 9, 30, 15, 59, tzinfo=timezone.utc)  # 23:59 on 30 September in Shanghai
    september = hall.hub.open_case(kiosk, source="kiosk", cause="policy").case
    hall.clock.t = datetime(2026, 9, 30, 16, 1, tzinfo=timezone.utc)  # 00:01 on 1 October
    october = hall.hub.open_case(kiosk, source="kiosk", cause="system").case
    hall.hub.classify_case(desk, september.id, "general")  # a step in October of September's case

    def ledger(period):
        return hall.hub.read_cases(desk, lambda conn, site, today, cal: caseledger.ledger(
            conn, site, today, cal, hall.hub.masked_contact, period))

    rows, steps = ledger(parse_quarter("2026Q4"))
    assert [r["number"] for r in rows] == [october.number] and {s["number"] for s in steps} == {october.number}
    rows, steps = ledger(parse_quarter("2026Q3"))
    assert [r["number"] for r in rows] == [september.number]
    assert [s["kind"] for s in steps] == ["case_opened", "case_classified"]  # the case's whole history, later steps too
    rows, _ = ledger(None)
    assert [r["number"] for r in rows] == [september.number, october.number]
