"""上门办 through the hub tree (docs/remote.md): the team's laptop is the village hub of s2 (a SQLite file of its own,
over real HTTP to the district `world`, SQLite and PostgreSQL). A request and its plan go up; with the link cut the
team records the visits and the citizens' ratings on the laptop; restored, the district holds the same visits and
its figures count them. The person travels sealed, lists mask it, a full showing is audited; the district refuses a
relayed event that names what is not the village's."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from common.db import caserows, homerows
from common.db.schema import EventRow
from common.domain import errors as e
from common.domain import homevisits as hv
from common.domain.clock import business_day
from common.domain.events import Event
from common.domain.ids import uuid7
from common.readmodels import homevisits as read
from common.sync.protocol import PROTOCOL, to_wire
from common.usecases import reference, upstream
from common.usecases.homework import HomeUser
from tests.integration.test_child_history import child, district  # noqa: F401 - fixtures
from tests.world import PIN

KEY = bytes(range(32))
ASK = {"site_id": "s2", "item_id": "s2-IA", "name": "张三明", "phone": "13812345678",
       "address": "青浦区朱家角镇张马村 12 号", "slots": ["morning", "", "any", "", "", "", ""]}


@pytest.fixture
def tree(district, child):  # noqa: F811
    world, live = district
    with world.hub.engine.begin() as conn:
        reference.create_clerk(conn, site_id="s2", staff_no="S1", name="丙", pin=PIN, role="supervisor")
    child.link.sync_once()  # the supervisor comes down with the reference data
    child.hub.contact_key = KEY
    staff = HomeUser(site_id="s2", clerk_id="s2-C1", clerk_role="clerk")
    boss = HomeUser(site_id="s2", clerk_id="s2-S1", clerk_role="supervisor")
    return world, live, child, staff, boss


def _count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(EventRow)).scalar()


def test_visits_recorded_offline_on_the_laptop_reach_the_district(tree):
    world, live, village, staff, boss = tree
    hub = village.hub
    a = hub.request_home_visit(staff, **ASK, reason="certificate", certificate_seen=True).event.data["visit_id"]
    b = hub.request_home_visit(staff, **{**ASK, "name": "李四"}, reason="certificate",
                               certificate_seen=True).event.data["visit_id"]
    today = business_day(hub.clock.now())
    hub.plan_home_visit(boss, b, team="一队", day=today, order=1)
    hub.plan_home_visit(boss, a, team="一队", day=today, order=2)
    village.link.sync_once()  # the day's list is on the laptop and at the district before the team leaves
    with world.hub.engine.connect() as conn:
        assert {v.status for v in homerows.visits(conn, ["s2"]).values()} == {hv.HomeStatus.planned}
    listed = hub.home_read(read.day_list, "一队", today, ["s2"], KEY)
    assert [r["id"] for r in listed] == [b, a]
    assert listed[1]["person_name"] == "张*明" and "13812345678" not in str(listed)

    cut = upstream.UpstreamLink(hub.engine, hub.clock, url="http://127.0.0.1:9")  # nothing listens: offline
    world.clock.advance(hours=2)
    hub.record_home_visit(staff, b, outcome="not_home", materials=[])
    hub.record_home_visit(staff, a, outcome="done", materials=["身份证原件", "户口簿"])
    hub.rate_home_visit(staff, a, 5)
    before = _count(world.hub.engine)
    with pytest.raises(e.HubUnreachable):
        cut.sync_once()
    assert _count(world.hub.engine) == before  # nothing reached the district

    village.link.sync_once()  # the link is back
    with hub.engine.connect() as conn:
        here = homerows.visits(conn, ["s2"])
    with world.hub.engine.connect() as conn:
        there = homerows.visits(conn, ["s2"])
    assert there == here
    assert (there[a].status, there[a].rating_score, there[a].visits[0]["materials"]) == (
        hv.HomeStatus.done, 5, ["身份证原件", "户口簿"])
    assert there[b].status is hv.HomeStatus.revisit
    figures = world.hub.home_read(read.figures)
    assert (figures["requests"], figures["visits"], figures["done"], figures["ratings"], figures["avg_score"]) == (
        2, 2, 1, 1, 5.0)
    assert figures["avg_working_days"] == 0.0  # visited the day they asked
    # the district cannot read the person (the village hub's key sealed it) and cannot act on the village's visit
    assert world.hub.home_read(read.open_requests, None)[0]["person_name"] == "***"
    with pytest.raises(e.Forbidden):
        world.hub.plan_home_visit(HomeUser(site_id="s1", clerk_id="s1-C1", clerk_role="supervisor"), b,
                                  team="一队", day=today + timedelta(days=1), order=1)


def test_the_person_rests_sealed_and_a_full_showing_is_audited(tree):
    world, live, village, staff, boss = tree
    hub = village.hub
    a = hub.request_home_visit(boss, **ASK, reason="certificate", certificate_seen=True).event.data["visit_id"]
    with hub.engine.connect() as conn:
        raw = conn.execute(select(EventRow.data)).all()
    assert "13812345678" not in str(raw) and "张三明" not in str(raw)
    shown = hub.show_home_person(staff, a, "call")
    assert (shown.name, shown.phone) == ("张三明", "13812345678")
    with hub.engine.connect() as conn:
        assert [(x["what"], x["record_id"], x["clerk_id"]) for x in caserows.audit_entries(conn, "s2")] == [
            ("home_person", a, "s2-C1")]
    for purpose in (" ", "上门前电话确认", None, "print "):  # only the purposes the audit log has words for
        with pytest.raises(e.InvalidInput):
            hub.show_home_person(staff, a, purpose)  # type: ignore[arg-type]
    with hub.engine.connect() as conn:
        assert len(caserows.audit_entries(conn, "s2")) == 1


@pytest.mark.parametrize("actor, kw, error", [
    (HomeUser(site_id="s2", clerk_id="s2-C1", clerk_role="clerk"), {"reason": "certificate"}, e.Forbidden),  # not seen
    (HomeUser(site_id="s2", clerk_id="s2-C1", clerk_role="clerk"), {"reason": "age",
                                                                   "id_number": "110105200001010013"}, e.HaobanError),
    (HomeUser(site_id="s2", clerk_id="s2-C1", clerk_role="clerk"), {"reason": "bogus"}, e.InvalidInput),
    (HomeUser(site_id="s2", clerk_id="s2-C1", clerk_role="clerk"), {"reason": "certificate", "certificate_seen": True,
                                                                   "item_id": "s1-IA"}, e.NotFound),
    (HomeUser(site_id="s2", clerk_id="s2-C1", clerk_role="clerk"), {"reason": "certificate", "certificate_seen": True,
                                                                   "slots": ["", "", "", "", "", "", ""]}, e.InvalidInput),
    (HomeUser(site_id="s2", clerk_id="s2-C1", clerk_role="clerk"), {"reason": "certificate", "certificate_seen": True,
                                                                   "address": "x" * 500}, e.InvalidInput),
    (HomeUser(site_id="s9", clerk_id="s9-C1", clerk_role="clerk"), {"reason": "certificate", "certificate_seen": True},
     e.Forbidden),  # another site's clerk
])
def test_hostile_requests_are_refused_and_write_nothing(tree, actor, kw, error):
    world, live, village, staff, boss = tree
    before = _count(village.hub.engine)
    with pytest.raises(error) as refused:
        village.hub.request_home_visit(actor, **{**ASK, **kw})
    assert refused.value.messages["zh_CN"] and refused.value.messages["en"]
    assert _count(village.hub.engine) == before


def test_the_village_staff_cannot_plan_and_steps_keep_their_order(tree):
    world, live, village, staff, boss = tree
    hub = village.hub
    a = hub.request_home_visit(staff, **ASK, reason="certificate", certificate_seen=True).event.data["visit_id"]
    today = business_day(hub.clock.now())
    with pytest.raises(e.Forbidden):
        hub.plan_home_visit(staff, a, team="一队", day=today, order=1)
    with pytest.raises(e.Conflict):
        hub.record_home_visit(staff, a, outcome="done", materials=[])
    with pytest.raises(e.InvalidInput):
        hub.plan_home_visit(boss, a, team="一队", day=today - timedelta(days=1), order=1)
    with pytest.raises(e.NotFound):
        hub.rate_home_visit(staff, "../../etc/passwd", 5)


@pytest.mark.parametrize("change", [
    {"item_id": "s1-IA"},  # the district's matter, not the village's
    {"seen_by": "s1-C1-unknown"},
    {"seen_by": None},  # a certificate nobody saw
    {"person": "张三明 13812345678"},  # unsealed personal data
])
def test_a_relayed_home_request_naming_what_is_not_the_villages_is_refused(tree, change):
    world, live, village, staff, boss = tree
    kind, data = hv.decide_request(visit_id=uuid7(), item_id="s2-IA", person=hv.seal_person(KEY, hv.Person(
        "张三", "13812345678", "某村")), source="village", reason="certificate", seen_by="s2-C1",
        slots=["any"] + [""] * 6)
    data.update(change)
    x = Event(id=uuid7(), site_id="s2", kind=kind, at=world.clock.now(), data=data)
    from common.sync.transport import HttpTransport

    with village.hub.engine.connect() as conn:
        token = upstream.load_state(conn)["token"]
    before = _count(world.hub.engine)
    body = {"protocol": PROTOCOL, "after": 10**6, "events": [{**to_wire(x), "p": 10**6 + 1}]}
    with pytest.raises(e.HaobanError) as refused:
        HttpTransport(live.url, token).call("POST", "/sync/push", json=body)
    assert refused.value.status in (400, 403, 422) and refused.value.messages["en"]
    assert _count(world.hub.engine) == before
