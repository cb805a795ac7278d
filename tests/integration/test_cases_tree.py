"""Cases through the hub tree (docs/cases.md "A case is events"): a village hub opens the 差评 case of its own site's
bad rating and relays it; the district holds that one case, opens none of its own for the relayed rating, and
refuses a relayed case that names what is not the village's. District: `world` (SQLite and PostgreSQL); the village
hub of s2 a SQLite file of its own, over real HTTP (the fixtures of test_child_history)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from common.db.schema import CaseRow, EventRow
from common.domain import cases as c
from common.domain import errors as e
from common.domain.events import Event
from common.domain.ids import new_token, uuid7
from common.domain.model import Outcome
from common.sync.protocol import PROTOCOL, to_wire
from common.usecases import check
from tests.integration.test_child_history import child, district  # noqa: F401 - fixtures

KEY = bytes(range(32))


def _cases(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(CaseRow.id, CaseRow.site_id, CaseRow.kind, CaseRow.ticket_id)).all()


def test_a_village_bad_rating_case_is_opened_once_at_the_village_and_relayed(district, child):  # noqa: F811
    world, _ = district
    t = child.hub.issue_ticket(child.kiosk, item_id="s2-IA").ticket
    child.hub.call_next(child.terminal, child.window)
    child.hub.start(child.terminal, child.window)
    child.hub.finish(child.terminal, child.window, Outcome.completed)
    child.hub.rate(child.pad, t.id, 1, "窗口人员不耐烦")
    at_village = _cases(child.hub.engine)
    assert [(r.site_id, r.kind, r.ticket_id) for r in at_village] == [("s2", "rating", t.id)]
    child.link.sync_once()
    child.link.sync_once()  # nothing twice
    assert _cases(world.hub.engine) == at_village  # the same case, not a second one the district opened
    assert check.differences(world.hub.engine) == []


@pytest.mark.parametrize("field, value", [("item_id", "s1-IA"), ("rated_clerk_id", "s1-C1-unknown")])
def test_a_relayed_case_naming_another_sites_things_is_refused(district, child, field, value):  # noqa: F811
    world, live = district
    case_id = uuid7()
    kind, data = c.decide_open(case_id=case_id, public_token=new_token(), kind=c.CaseKind.case, source="kiosk",
                               cause="other", text=None, day=world.clock.now().date())
    data[field] = value
    x = Event(id=uuid7(), site_id="s2", kind=kind, at=world.clock.now(), data=data)
    with world.hub.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(EventRow)).scalar()
    from common.sync.transport import HttpTransport
    from common.usecases import upstream

    with child.hub.engine.connect() as conn:
        token = upstream.load_state(conn)["token"]
    body = {"protocol": PROTOCOL, "after": 10**6, "events": [{**to_wire(x), "p": 10**6 + 1}]}
    with pytest.raises(e.HaobanError) as refused:
        HttpTransport(live.url, token).call("POST", "/sync/push", json=body)
    assert refused.value.status == 403 and refused.value.messages["zh_CN"] and refused.value.messages["en"]
    with world.hub.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(EventRow)).scalar() == before


def test_the_districts_calendar_entries_flow_down_to_its_village_hub(district, child):  # noqa: F811
    from datetime import date

    from common.db import caserows

    world, _ = district
    entered = {date(2027, 2, 5): False, date(2027, 2, 20): True}  # made up for the test: 2027's is not published here
    with world.hub.engine.begin() as conn:
        caserows.set_calendar_days(conn, entered)
    child.link.refresh_reference()
    with child.hub.engine.connect() as conn:
        assert caserows.calendar(conn).overrides == entered
    with world.hub.engine.begin() as conn:  # an entry the district takes back is gone below too
        caserows.replace_calendar(conn, {date(2027, 2, 5): False})
    child.link.refresh_reference()
    with child.hub.engine.connect() as conn:
        assert caserows.calendar(conn).overrides == {date(2027, 2, 5): False}


def test_set_calendar_and_hub_status_tell_which_year_is_still_to_enter(tmp_path):
    import json
    import os

    from tests.integration.test_migrations_cli import run_cli

    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path), "HAOBAN_CLOCK": "sim:2026-12-01T10:00:00+08:00:1"}
    assert run_cli("migrate", env=env).returncode == 0
    r = run_cli("hub", "status", env=env)
    assert r.returncode == 0 and "2027 not known" in r.stdout
    good, bad = tmp_path / "2027.json", tmp_path / "bad.json"
    good.write_text(json.dumps([{"day": "2027-01-01", "working": False}, {"day": "2027-02-20", "working": True}]))
    bad.write_text(json.dumps([{"day": "2027-13-01", "working": False}]))
    r = run_cli("admin", "set-calendar", str(bad), env=env)
    assert r.returncode == 2 and "日历条目有误" in r.stderr and "calendar entry" in r.stderr
    r = run_cli("admin", "set-calendar", str(good), env=env)
    assert r.returncode == 0 and "2 calendar days set" in r.stdout
    assert "known for 2026 and 2027" in run_cli("hub", "status", env=env).stdout


def test_the_district_reads_a_village_hubs_cases_but_does_not_act_on_them(district, child):  # noqa: F811
    from common.readmodels import cases as read
    from common.usecases.casework import Desk

    world, _ = district
    child.hub.contact_key = KEY
    x = child.hub.open_case(child.kiosk, source="kiosk", cause="policy").case
    child.link.sync_once()
    supervisor = Desk(site_id="s2", clerk_id="district-supervisor")
    assert [i["case_id"] for i in world.hub.read_cases(supervisor, read.worklist)] == [x.id]
    with world.hub.engine.connect() as conn:
        before = conn.execute(select(func.count()).select_from(EventRow)).scalar()
    for act in (lambda: world.hub.classify_case(supervisor, x.id, "general"),
                lambda: world.hub.open_case(supervisor, source="hotline", cause="other")):
        with pytest.raises(e.Forbidden):
            act()
    with world.hub.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(EventRow)).scalar() == before
