"""A village case handled by a district department travels through the hub tree (docs/cases.md "Across the hub
tree"): the village registers, classifies and assigns it; its events go up; the district's department answers it;
the answer comes down with the village hub's next round and shows on the village's citizen page; the village makes
the follow-up call, which goes up. One writer at a time, every step exactly once. District: `world` (SQLite and
PostgreSQL) over real HTTP; the village hub of s2 a SQLite file of its own (the fixtures of test_child_history)."""
from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from common.db import caserows, repo
from common.db.schema import CaseRow, EventRow
from common.domain import cases as c
from common.domain import errors as e
from common.domain.events import Event
from common.domain.ids import uuid7
from common.sync import protocol
from common.sync.protocol import PROTOCOL, to_wire
from common.sync.transport import HttpTransport
from common.usecases import check, upstream
from common.usecases.casework import Desk
from tests.conftest import LiveHub
from tests.integration.http import Device
from tests.integration.test_child_history import child, district  # noqa: F401 - fixtures


def _count(engine, case_id: str | None = None) -> int:
    with engine.connect() as conn:
        q = select(func.count()).select_from(EventRow)
        if case_id is not None:
            q = q.where(EventRow.data["case_id"].as_string() == case_id)
        return conn.execute(q).scalar()


def _case(engine, case_id: str):
    with engine.connect() as conn:
        return caserows.case_from_row(conn.execute(select(CaseRow).where(CaseRow.id == case_id)).one())


def _ids(engine, case_id: str) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(EventRow.id).where(EventRow.data["case_id"].as_string() == case_id)).scalars())


def _desks(world, child):  # noqa: F811
    with world.hub.engine.connect() as conn:
        district_clerk = conn.exec_driver_sql("select id from clerks where site_id = 's1' order by id").scalars().first()
    return Desk(site_id="s2", clerk_id=child.terminal.clerk_id), Desk(site_id="s1", clerk_id=district_clerk)


def _at_the_district(world, child):  # noqa: F811
    """A village kiosk's case, classified and assigned by the village to a district department; relayed up."""
    village, district_desk = _desks(world, child)
    x = child.hub.open_case(child.kiosk, source="kiosk", cause="policy", text="异地就医备案办不了").case
    child.hub.classify_case(village, x.id, "general")
    child.hub.assign_case(village, x.id, "区医保中心", handler_site_id="s1")
    child.link.sync_once()
    return x, village, district_desk


def test_a_village_case_answered_by_a_district_department_comes_back_and_is_followed_up(district, child):  # noqa: F811
    world, _ = district
    x, village, desk = _at_the_district(world, child)
    up = _case(world.hub.engine, x.id)
    assert (up.site_id, up.handler_site_id, up.department) == ("s2", "s1", "区医保中心")
    from common.readmodels import cases as read

    assert [i["case_id"] for i in world.hub.read_cases(desk, read.worklist)] == [x.id]  # on the district's list
    world.hub.note_case(desk, x.id, "已电话联系办事人", contact_made=True)
    done = world.hub.answer_case(desk, x.id, "done", "已为您办理异地就医备案")
    assert (done.event.site_id, done.event.data["handler_site_id"]) == ("s2", "s1")  # the village's case, our step
    assert _case(child.hub.engine, x.id).status is c.CaseStatus.open  # not down yet
    child.link.sync_once()
    here = _case(child.hub.engine, x.id)
    assert (here.status, here.answer, here.answer_text, here.contacts) == (c.CaseStatus.answered, "done",
                                                                        "已为您办理异地就医备案", 1)
    with LiveHub(child.hub) as village_hub:  # the citizen's page, served by the village hub
        page = httpx.get(f"{village_hub.url}/c/{x.public_token}", timeout=10)
        assert page.status_code == 200 and "已答复" in page.text and "已为您办理异地就医备案" in page.text
        public = httpx.get(f"{village_hub.url}/api/v1/public/cases/{x.public_token}", timeout=10).json()
        assert (public["status"], public["answer"]) == ("answered", "done")
    child.hub.follow_up_case(village, x.id, reached=True, satisfied=True)
    for _ in range(3):  # repeated rounds: nothing twice, up or down
        child.link.sync_once()
    assert _case(world.hub.engine, x.id) == _case(child.hub.engine, x.id)
    assert _case(world.hub.engine, x.id).status is c.CaseStatus.closed
    assert _ids(world.hub.engine, x.id) == _ids(child.hub.engine, x.id) and len(_ids(child.hub.engine, x.id)) == 6
    with child.hub.engine.connect() as conn:
        assert upstream.cases_set_aside(conn) == (0, []) and upstream.set_aside(conn) == []
    assert check.differences(world.hub.engine) == []


def test_a_reopen_goes_back_to_the_same_district_department(district, child):  # noqa: F811
    world, _ = district
    x, village, desk = _at_the_district(world, child)
    world.hub.answer_case(desk, x.id, "partly", "部分材料需补充")
    child.link.sync_once()
    child.hub.follow_up_case(village, x.id, reached=True, satisfied=False)  # reopened, escalated: at the district again
    with pytest.raises(e.Forbidden) as refused:
        child.hub.answer_case(village, x.id, "done", "村里自己答复")
    assert refused.value.key == "case_with_other_site"
    child.link.sync_once()
    at = _case(world.hub.engine, x.id)
    assert (at.status, at.reopened, at.escalated, at.handler_site_id) == (c.CaseStatus.open, True, True, "s1")
    world.hub.answer_case(desk, x.id, "done", "补充材料后已办成")
    child.link.sync_once()
    child.link.sync_once()
    assert _case(child.hub.engine, x.id) == _case(world.hub.engine, x.id)
    assert _case(child.hub.engine, x.id).answer_text == "补充材料后已办成"


def test_one_writer_at_a_time(district, child):  # noqa: F811
    """While the district's department holds the case, the village writes nothing on it; the district writes the
    handling steps only, never the village's own (classify, assign, follow-up), and nothing once it has answered."""
    world, _ = district
    x, village, desk = _at_the_district(world, child)
    before = _count(child.hub.engine)
    for act in (lambda: child.hub.answer_case(village, x.id, "done", "t"), lambda: child.hub.note_case(village, x.id, "n"),
                lambda: child.hub.classify_case(village, x.id, "complex"),
                lambda: child.hub.assign_case(village, x.id, "镇社保所")):
        with pytest.raises(e.Forbidden) as refused:
            act()
        assert refused.value.key == "case_with_other_site" and refused.value.messages["zh_CN"] and refused.value.en
    assert _count(child.hub.engine) == before
    before = _count(world.hub.engine)
    for act in (lambda: world.hub.classify_case(desk, x.id, "complex"), lambda: world.hub.assign_case(desk, x.id, "区人社局")):
        with pytest.raises(e.Forbidden) as refused:
            act()
        assert refused.value.key == "case_at_child_hub"
    assert _count(world.hub.engine) == before
    world.hub.answer_case(desk, x.id, "done", "t")
    with pytest.raises(e.Forbidden):  # answered: back with the village, for its follow-up call
        world.hub.note_case(desk, x.id, "n")
    with pytest.raises(e.Forbidden) as refused:  # a department of a child hub's site takes none of the district's cases
        own = world.hub.open_case(desk, source="hotline", cause="other").case
        world.hub.classify_case(desk, own.id, "general")
        world.hub.assign_case(desk, own.id, "村委会", handler_site_id="s2")
    assert refused.value.key == "case_handler_child_hub"


def test_a_child_gets_only_its_own_sites_case_steps(district, child):  # noqa: F811
    world, live = district
    x, _, desk = _at_the_district(world, child)
    own = world.hub.open_case(desk, source="hotline", cause="other").case  # a district case, handled at the district
    world.hub.classify_case(desk, own.id, "general")
    world.hub.assign_case(desk, own.id, "区医保中心")
    world.hub.note_case(desk, own.id, "district's own note")
    world.hub.note_case(desk, x.id, "for the village")
    with child.hub.engine.connect() as conn:
        token = upstream.load_state(conn)["token"]
    page = HttpTransport(live.url, token).call("GET", "/sync/cases", params={"protocol": PROTOCOL, "after": 0})
    assert [(w["s"], w["d"]["case_id"]) for w in page["events"]] == [("s2", x.id)]
    for bad in ({"after": -1}, {"after": 2**63}, {"limit": 0}, {"limit": 10**6}, {"after": "x"}):
        with pytest.raises(e.HaobanError) as refused:
            HttpTransport(live.url, token).call("GET", "/sync/cases", params={"protocol": PROTOCOL, **bad})
        assert refused.value.status == 422, bad
    kiosk = Device(live.url, world.codes["kiosk"])  # a device, not a child hub: nothing
    r = kiosk.get("/sync/cases", params={"protocol": protocol.PROTOCOL})
    assert r.status_code == 403 and r.json()["message_zh"] and r.json()["message_en"]


def test_steps_sent_down_that_do_not_fit_are_set_aside_and_the_rest_is_stored(district, child):  # noqa: F811
    """The district (or whoever holds its token's place) sends steps for a case the village does not hold, for a case
    the village handles itself, and one naming another site: each is set aside with its refusal, stored nowhere, and
    the cursor moves past them to the good step after them."""
    world, _ = district
    x, village, desk = _at_the_district(world, child)
    mine = child.hub.open_case(child.kiosk, source="kiosk", cause="other").case  # handled at the village itself
    child.hub.classify_case(village, mine.id, "general")
    child.link.sync_once()
    now = world.clock.now()
    forged = [Event(id=uuid7(), site_id="s2", kind=c.CASE_ANSWERED, at=now, clerk_id=desk.clerk_id, data={
        "case_id": case_id, "answer": "done", "text": "forged", "legal_reason": None, "on_time": True,
        "handler_site_id": "s1"}) for case_id in (uuid7(), mine.id)]
    with world.hub.engine.begin() as conn:
        repo.append_events(conn, forged)  # written at the district as if by its department
    world.hub.note_case(desk, x.id, "一条正常的处理记录")
    before = _count(child.hub.engine)
    child.link.sync_once()
    with child.hub.engine.connect() as conn:
        count, aside = upstream.cases_set_aside(conn)
    assert count == 2 and [a["event_id"] for a in aside] == [f.id for f in forged]
    assert {a["key"] for a in aside} == {"sync_not_own_site"} and all(a["message_zh"] and a["message_en"] for a in aside)
    assert _case(child.hub.engine, mine.id).status is c.CaseStatus.open  # not answered by the forgery
    assert _count(child.hub.engine) == before + 1  # only the good note
    child.link.sync_once()
    with child.hub.engine.connect() as conn:
        assert upstream.cases_set_aside(conn)[0] == 2  # not asked for again
    from server.cli import render_peers

    assert "(set aside 2)" in render_peers(child.hub.engine)  # `haoban hub status` at the village
    from common.usecases import door

    wrong_site = {**to_wire(Event(id=uuid7(), site_id="s1", kind=c.CASE_NOTED, at=now, data={
        "case_id": x.id, "note": "n", "contact": False, "handler_site_id": "s1"})), "q": 10**6}
    wrong_kind = {**to_wire(Event(id=uuid7(), site_id="s2", kind=c.CASE_CLASSIFIED, at=now, data={
        "case_id": x.id, "case_class": "complex", "due_day": None, "explanation": None})), "q": 10**6 + 1}
    malformed = {**to_wire(Event(id=uuid7(), site_id="s2", kind=c.CASE_NOTED, at=now, data={
        "case_id": x.id, "note": "n" * 501, "contact": False, "handler_site_id": "s1"})), "q": 10**6 + 2}
    with child.hub.engine.connect() as conn:
        good, aside, upto = door.admit_from_upstream(
            conn, {"events": [wrong_site, wrong_kind, malformed], "next": 10**6 + 2}, 10**6 - 1, now)
    assert good == [] and upto == 10**6 + 2
    assert [a["key"] for a in aside] == ["sync_own_site_only", "sync_event_not_allowed", "sync_event_invalid"]
    with child.hub.engine.connect() as conn, pytest.raises(e.InvalidInput):  # a cursor going back: the page refused
        door.admit_from_upstream(conn, {"events": [], "next": 3}, 5, now)


def test_a_child_cannot_push_a_step_as_the_districts(district, child):  # noqa: F811
    """A handling step naming the district's site, pushed by the village hub, that the district never wrote: 403 and
    nothing written (the district's own, coming back up, are recognised by their ids and change nothing)."""
    world, live = district
    x, village, _ = _at_the_district(world, child)
    forged = Event(id=uuid7(), site_id="s2", kind=c.CASE_ANSWERED, at=world.clock.now(), clerk_id=village.clerk_id,
                   data={"case_id": x.id, "answer": "done", "text": "t", "legal_reason": None, "on_time": True,
                         "handler_site_id": "s1"})
    with child.hub.engine.connect() as conn:
        token = upstream.load_state(conn)["token"]
    before = _count(world.hub.engine)
    body = {"protocol": PROTOCOL, "after": 10**6, "events": [{**to_wire(forged), "p": 10**6 + 1}]}
    with pytest.raises(e.HaobanError) as refused:
        HttpTransport(live.url, token).call("POST", "/sync/push", json=body)
    assert refused.value.status == 403 and "handler_site_id" in refused.value.en
    assert _count(world.hub.engine) == before and _case(world.hub.engine, x.id).status is c.CaseStatus.open


def test_the_districts_cases_window_handles_it_over_the_device_api(district, child):  # noqa: F811
    """The clerk of the district's 办不成事 window, on her terminal over HTTP: the village case is on her list and its
    page; she notes and answers it; classify is refused with both messages; the answer reaches the village."""
    from common.domain.model import Role
    from common.usecases import auth, reference
    from tests.integration.http import terminal
    from tests.world import PIN

    world, live = district
    with world.hub.engine.begin() as conn:
        q = reference.create_queue(conn, site_id="s1", letter="D", name="办不成事")
        w9 = reference.create_window(conn, site_id="s1", number=9, name="办不成事反映窗口", kind="cases", queue_ids=[q])
        reference.create_clerk(conn, site_id="s1", staff_no="C9", name="处理人", pin=PIN)
        world.codes["terminal9"] = auth.create_enrolment_code(conn, site_id="s1", role=Role.terminal, name="t9",
                                                              now=world.clock.now(), window_id=w9)
    desk = terminal(live, world, 9)
    x, _, _ = _at_the_district(world, child)
    assert [i["case_id"] for i in desk.get("/cases").json()] == [x.id]
    page = desk.get(f"/cases/{x.id}").json()
    assert (page["handler_site_id"], page["department"]) == ("s1", "区医保中心")
    assert [h["kind"] for h in page["history"]] == [c.CASE_OPENED, c.CASE_CLASSIFIED, c.CASE_ASSIGNED]
    before = _count(world.hub.engine)
    r = desk.post(f"/cases/{x.id}/classify", json={"case_class": "complex"})
    assert r.status_code == 403 and r.json()["message_zh"] and r.json()["message_en"] and _count(world.hub.engine) == before
    assert desk.post(f"/cases/{x.id}/notes", json={"note": "已联系", "contact": True}).status_code == 200
    r = desk.post(f"/cases/{x.id}/answer", json={"answer": "cannot", "text": "不符合条件", "legal_reason": "《条例》第十条"})
    assert r.status_code == 200 and r.json()["status"] == "answered"
    child.link.sync_once()
    here = _case(child.hub.engine, x.id)
    assert (here.status, here.answer, here.negative_reported, here.contacts) == (c.CaseStatus.answered, "cannot", True, 1)


def test_a_pull_that_dies_before_its_commit_stores_nothing_and_the_next_stores_once(district, child, monkeypatch):  # noqa: F811
    """The page and its cursor are one transaction: a failure after the steps were written (before the commit)
    leaves neither; the next round stores each step once, and the cursor moves on."""
    world, _ = district
    x, _, desk = _at_the_district(world, child)
    world.hub.note_case(desk, x.id, "第一条")
    world.hub.answer_case(desk, x.id, "done", "已办成")
    stored = upstream.receive.store

    def dies_after(conn, events, *args, **kw):
        stored(conn, events, *args, **kw)
        raise RuntimeError("killed mid-way")

    before = _ids(child.hub.engine, x.id)
    with monkeypatch.context() as m:
        m.setattr(upstream.receive, "store", dies_after)
        child.link.sync_once()
    with child.hub.engine.connect() as conn:
        assert upstream.load_state(conn)["errors"]["pull_cases"]["error"] == "RuntimeError"
        assert repo.sync_state(conn, upstream.CASES_KEY).get("pulled", 0) == 0
    assert _ids(child.hub.engine, x.id) == before and _case(child.hub.engine, x.id).status is c.CaseStatus.open
    child.link.sync_once()
    child.link.sync_once()
    assert _ids(child.hub.engine, x.id) == _ids(world.hub.engine, x.id) and len(before) + 2 == len(_ids(child.hub.engine, x.id))
    assert _case(child.hub.engine, x.id) == _case(world.hub.engine, x.id)
    with child.hub.engine.connect() as conn:
        assert "pull_cases" not in upstream.load_state(conn)["errors"]


def test_the_district_departments_own_handler_answers_the_village_case_from_her_list(district, child):  # noqa: F811
    """The two rules compose: which hub writes (`may_write`: the district, for the handling steps) and who at that hub
    (`sees`/`may`: the handler of the department the case is assigned to, not another department's)."""
    from common.readmodels import cases as read
    from common.usecases import reference
    from common.usecases.casework import Handler
    from tests.world import PIN

    world, _ = district
    with world.hub.engine.begin() as conn:
        reference.create_clerk(conn, site_id="s1", staff_no="H1", name="医保经办", pin=PIN, role="handler",
                               department="区医保中心")
        reference.create_clerk(conn, site_id="s1", staff_no="H2", name="社保经办", pin=PIN, role="handler",
                               department="区社保中心")
    x, village, _desk = _at_the_district(world, child)
    mine = Handler(site_id="s1", clerk_id="s1-H1", department="区医保中心")
    other = Handler(site_id="s1", clerk_id="s1-H2", department="区社保中心")
    assert [i["case_id"] for i in world.hub.read_department(mine, read.worklist)] == [x.id]
    assert world.hub.read_department(other, read.worklist) == []
    before = _count(world.hub.engine)
    with pytest.raises(e.NotFound):  # another department's handler learns nothing of it
        world.hub.answer_case(other, x.id, "done", "不是我们单位的")
    with pytest.raises(e.Forbidden) as refused:  # the village's own step, not the department's
        world.hub.classify_case(mine, x.id, "complex")
    assert refused.value.key == "handler_not_allowed" and _count(world.hub.engine) == before
    done = world.hub.answer_case(mine, x.id, "done", "已为您办理异地就医备案")
    assert (done.event.site_id, done.event.clerk_id, done.event.data["handler_site_id"]) == ("s2", "s1-H1", "s1")
    child.link.sync_once()
    here = _case(child.hub.engine, x.id)
    assert (here.status, here.answer_text) == (c.CaseStatus.answered, "已为您办理异地就医备案")
    child.hub.follow_up_case(village, x.id, reached=True, satisfied=True)
    child.link.sync_once()
    assert _case(world.hub.engine, x.id).status is c.CaseStatus.closed
    assert check.differences(world.hub.engine) == []
