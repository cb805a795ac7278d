"""A department's handler (承办单位经办人, docs/cases.md "Who may do what") through the hub's commands, on SQLite and
PostgreSQL: she signs in like a supervisor, reads and answers only the cases assigned to her department at her own
site, is refused every other step with a clear code, and each of her steps is in the case's history, with her name,
for the supervisor too. Her account travels down the tree with the reference data; she cannot serve at a terminal."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from common.db.schema import AuditRow, CaseRow, ClerkRow
from common.domain import errors as e
from common.readmodels import assessment, cases
from common.usecases import auth, reference
from common.usecases.casework import Desk, Handler
from tests.world import PIN

KEY = bytes(range(32))
YB, SB = "区医保中心", "区社保中心"


@pytest.fixture
def hall(world):
    """At s1: a supervisor, a handler of 区医保中心 and one of 区社保中心 (and one of 区医保中心 at s2); four cases of
    s1: `mine` and `done` assigned to 区医保中心 of s1, `other` to 区社保中心, `away` to 区医保中心 of site s2."""
    hub = world.hub
    hub.contact_key = KEY
    with hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="S1", name="主管甲", pin=PIN, role="supervisor")
        reference.create_clerk(c, site_id="s1", staff_no="H1", name="医保经办", pin=PIN, role="handler", department=YB)
        reference.create_clerk(c, site_id="s1", staff_no="H2", name="社保经办", pin=PIN, role="handler", department=SB)
    desk, kiosk = Desk(site_id="s1", clerk_id="s1-S1"), world.actor("kiosk")
    world.kiosk = kiosk
    made = {}
    for name, department, site in (("mine", YB, None), ("done", YB, None), ("other", SB, None), ("away", YB, "s2")):
        x = hub.open_case(kiosk, source="kiosk", cause="materials", item_id=world.items["A"], text=f"案件{name}",
                          name="王小明", phone="13812345678").case
        hub.classify_case(desk, x.id, "general")
        hub.assign_case(desk, x.id, department, site)
        made[name] = x.id
    hub.answer_case(desk, made["done"], "done", "已办结")
    world.desk, world.cases = desk, made
    world.handler = Handler(site_id="s1", clerk_id="s1-H1", department=YB)
    return world


def test_a_handler_signs_in_like_a_supervisor_and_is_told_apart(hall):
    hub = hall.hub
    token, known, role = hub.web_sign_in("s1", "H1", PIN, address="10.0.0.9")
    assert role == "handler" and known
    me = hub.handler(token)
    assert (me.clerk_id, me.site_id, me.department, me.name) == ("s1-H1", "s1", YB, "医保经办")
    with pytest.raises(e.Forbidden) as no:
        hub.supervisor(token)  # her session does not open the supervisors' pages
    assert no.value.key == "handler_not_allowed"
    sup, _, role = hub.web_sign_in("s1", "S1", PIN)
    assert role == "supervisor" and hub.supervisor(sup).clerk_id == "s1-S1"
    with pytest.raises(e.Forbidden) as no:
        hub.handler(sup)
    assert no.value.key == "handlers_only"
    with pytest.raises(e.BadCredentials):  # a plain clerk has no web session, as before
        hub.web_sign_in("s1", "C1", PIN)
    with pytest.raises(e.BadCredentials):  # the supervisors' own sign-in stays supervisors' only
        hub.supervisor_sign_in("s1", "H1", PIN)
    for _ in range(auth.ACCOUNT_FREE_FAILURES):  # the same back-off as a supervisor's
        with pytest.raises(e.BadCredentials):
            hub.web_sign_in("s1", "H1", "000000", address=f"10.0.1.{_}")
    with pytest.raises(e.BadCredentials):  # backed off: the right PIN is not even told right
        hub.web_sign_in("s1", "H1", PIN, address="10.0.2.1")
    hub.supervisor_sign_out(token)
    with pytest.raises(e.Unauthenticated):
        hub.handler(token)


def test_a_handler_cannot_sign_in_on_a_terminal(hall):
    hub = hall.hub
    _, terminal = hub.enrol(hall.codes.pop("terminal2"))
    with pytest.raises(e.Forbidden) as no:
        hub.sign_in(terminal, "H1", PIN)
    assert no.value.key == "handler_no_terminal" and "承办单位" in no.value.zh and "terminal" in no.value.en
    with pytest.raises(e.BadCredentials):  # a wrong PIN says nothing more than for anyone
        hub.sign_in(terminal, "H1", "000000")
    assert hub.sign_in(terminal, "C2", PIN)[1] == "s1-C2"  # the clerk of that window still signs in


def test_she_reads_only_her_departments_cases_at_her_site(hall):
    hub, me, made = hall.hub, hall.handler, hall.cases
    listed = [w["case_id"] for w in hub.read_department(me, cases.worklist)]
    assert sorted(listed) == sorted([made["mine"], made["done"]])  # not 区社保中心's, nor 区医保中心 of s2's
    assert hub.read_department(me, cases.detail, made["mine"])["department"] == YB
    for name in ("other", "away"):
        with pytest.raises(e.NotFound) as no:
            hub.read_department(me, cases.detail, made[name])
        assert no.value.key == "no_case"
        with pytest.raises(e.NotFound):  # nor may she write on it: she learns nothing of it
            hub.note_case(me, made[name], "看看")
    since, _ = assessment.parse_quarter(assessment.quarter_of(date(2026, 11, 26)))
    figures = hub.read_department(me, cases.department_figures, since)
    assert figures == {"open": 2, "overdue": 0, "answered": 1, "on_time_rate": 1.0}
    hall.clock.advance(days=8)  # past the 5 working days of "general"
    assert hub.read_department(me, cases.department_figures, since)["overdue"] == 1
    work = hub.read_department(me, cases.worklist)
    assert work[0]["overdue"] is True
    sb = Handler(site_id="s1", clerk_id="s1-H2", department=SB)
    assert [w["case_id"] for w in hub.read_department(sb, cases.worklist)] == [made["other"]]
    assert made["away"] in [w["case_id"] for w in hub.read_cases(hall.desk, cases.worklist)]  # the supervisor's list
    with pytest.raises(e.Forbidden):  # the supervisors' reads are not hers
        hub.read_department(hall.desk, cases.worklist)


def test_she_notes_extends_and_answers_and_the_supervisor_sees_it(hall):
    hub, me, case_id = hall.hub, hall.handler, hall.cases["mine"]
    hub.note_case(me, case_id, "已电话联系办事人，约定补交材料", contact_made=True)
    due = date.fromisoformat(hub.read_department(me, cases.detail, case_id)["due_day"])
    hub.extend_case(me, case_id, date(2026, 12, 10), "需向市医保局请示", True)
    assert due < date(2026, 12, 10)
    with pytest.raises(e.InvalidInput) as no:  # the answer "cannot" still needs its legal reason
        hub.answer_case(me, case_id, "cannot", "不能办理")
    assert no.value.key == "case_legal_reason_required"
    hub.answer_case(me, case_id, "partly", "已办理医保关系转入，异地报销需本人到场")
    seen = hub.read_cases(hall.desk, cases.detail, case_id)  # the supervisor's view of the same case
    assert seen["status"] == "answered" and seen["answer"] == "partly" and seen["contacts"] == 1
    mine = [(h["kind"], h["clerk_id"]) for h in seen["history"] if h["clerk_id"] == "s1-H1"]
    assert mine == [("case_noted", "s1-H1"), ("case_extended", "s1-H1"), ("case_answered", "s1-H1")]
    assert seen["due_day"] == "2026-12-10"
    assert {w["case_id"]: w["status"] for w in hub.read_department(me, cases.worklist)}[case_id] == "answered"


@pytest.mark.parametrize("step", ["classify", "assign", "follow_up", "appeal", "open", "panel", "export", "contact"])
def test_every_other_step_is_refused_with_its_code(hall, step):
    hub, me, case_id = hall.hub, hall.handler, hall.cases["mine"]
    from common.readmodels import caseledger

    attempts = {
        "classify": lambda: hub.classify_case(me, case_id, "complex"),
        "assign": lambda: hub.assign_case(me, case_id, SB),
        "follow_up": lambda: hub.follow_up_case(me, hall.cases["done"], True, True),
        "appeal": lambda: hub.decide_appeal(me, case_id, True),
        "open": lambda: hub.open_case(me, source="hotline", cause="other", text="x"),
        "panel": lambda: hub.read_cases(me, cases.worklist),
        "export": lambda: hub.read_cases(me, lambda conn, site, today, cal: caseledger.ledger(
            conn, site, today, cal, hub.masked_contact, None)),
        "contact": lambda: hub.case_contact(me, case_id, "follow_up"),
    }
    with hub.engine.connect() as conn:
        before = conn.execute(select(AuditRow)).all()
    with pytest.raises(e.Forbidden) as no:
        attempts[step]()
    assert no.value.key == "handler_not_allowed" and no.value.status == 403
    assert "承办单位" in no.value.zh and "handler" in no.value.en
    with hub.engine.connect() as conn:
        assert conn.execute(select(AuditRow)).all() == before


def test_the_contact_in_full_is_audited_with_her_clerk_id(hall):
    hub, me = hall.hub, hall.handler
    shown = hub.case_contact(me, hall.cases["mine"], "handle")
    assert (shown.name, shown.phone) == ("王小明", "13812345678")
    with hub.engine.connect() as conn:
        rows = conn.execute(select(AuditRow.clerk_id, AuditRow.record_id, AuditRow.purpose)).all()
    assert [tuple(r) for r in rows] == [("s1-H1", hall.cases["mine"], "handle")]
    with pytest.raises(e.NotFound):  # another department's: no showing, no entry
        hub.case_contact(me, hall.cases["other"], "handle")
    with hub.engine.connect() as conn:
        assert len(conn.execute(select(AuditRow)).all()) == 1


def test_the_clerk_rated_may_not_handle_her_own_bad_rating_even_as_a_handler(hall):
    hub = hall.hub
    kiosk, clerk, pad = hall.kiosk, hall.actor("terminal1"), hall.actor("pad1")
    t = hub.issue_ticket(kiosk, item_id=hall.items["A"]).ticket
    hub.call_next(clerk, clerk.window_id)
    hub.start(clerk, clerk.window_id)
    from common.domain.model import Outcome

    hub.finish(clerk, clerk.window_id, Outcome.completed)
    hub.rate(pad, t.id, 1, "态度差")
    with hub.engine.connect() as conn:
        rating = conn.execute(select(CaseRow.id).where(CaseRow.kind == "rating")).scalar_one()
    hub.assign_case(hall.desk, rating, YB)
    rated = Handler(site_id="s1", clerk_id="s1-C1", department=YB)  # the clerk rated, were she a handler now
    with pytest.raises(e.Forbidden) as no:
        hub.note_case(rated, rating, "我来处理")
    assert no.value.key == "case_own_rating"
    hub.note_case(hall.handler, rating, "已联系办事人致歉", contact_made=True)  # another handler may


def test_a_handler_account_and_its_department_travel_down_the_tree(hall, tmp_path):
    from common.db.engine import make_engine, migrate

    with hall.hub.engine.connect() as conn:
        snap = reference.snapshot(conn, "s1")
    row = next(c for c in snap["tables"]["clerks"] if c["id"] == "s1-H1")
    assert (row["role"], row["department"]) == ("handler", YB)
    child = make_engine(f"sqlite:///{tmp_path / 'child.sqlite3'}")
    migrate(child)
    with child.begin() as conn:
        reference.apply_snapshot(conn, snap)
    with child.connect() as conn:
        assert conn.execute(select(ClerkRow.role, ClerkRow.department).where(ClerkRow.id == "s1-H1")).one() == ("handler", YB)
    child.dispose()


@pytest.mark.parametrize(("role", "department"), [("handler", None), ("handler", "  "), ("handler", "医" * 51),
                                                  ("handler", "医保\x00中心"), ("clerk", YB), ("supervisor", YB)])
def test_a_handler_account_needs_a_department_and_only_she_has_one(hall, role, department):
    with pytest.raises(e.InvalidInput) as no, hall.hub.engine.begin() as c:
        reference.create_clerk(c, site_id="s1", staff_no="H9", name="x", pin=PIN, role=role, department=department)
    assert no.value.key == "clerk_department" and "50" in no.value.zh
