"""Directed tests of case rules found while writing the state machine (test_case_state_machine.py), on its prepared
hall: `haoban check` compares cases, and an appeal on a closed case is refused by its own rule."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update

from common.db.engine import make_engine
from common.db.schema import CaseRow, EventRow
from common.domain import errors as e
from common.domain.model import Outcome
from common.usecases import check
from common.usecases.casework import RATING_CASE, Desk
from common.usecases.hub import Hub
from tests.integration.test_case_state_machine import KEY, START, prepare
from tests.world import FakeClock


@pytest.fixture(params=["sqlite", "postgresql"])
def hall(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    tpl = prepare(engine)
    yield engine, tpl
    engine.dispose()


def test_check_finds_a_stored_case_that_is_not_the_fold(hall):
    """`haoban check` must compare the stored cases with the fold, as it does tickets (docs/cases.md says it does)."""
    engine, tpl = hall
    hub = Hub(engine, FakeClock(START), contact_key=KEY)
    x = hub.open_case(tpl["actors"]["kiosk"], source="kiosk", cause="other").case
    assert check.differences(engine) == []
    with engine.begin() as c:  # a projection gone wrong: the case closed without any event saying so
        c.execute(update(CaseRow).where(CaseRow.id == x.id).values(status="closed"))
    assert check.differences(engine) != [], "check.differences does not compare cases"


def test_an_appeal_on_a_closed_case_is_refused_by_its_rule(hall):
    """Found reading decide_appeal against the fold: a 差评 answered 申诉 and closed by its follow-up call passed
    decide_appeal, the fold voided the event, and the supervisor got the generic 'Conflicting change, please retry'
    (retrying never helps). Now refused as any step on a closed case is, and nothing is written."""
    engine, tpl = hall
    hub = Hub(engine, FakeClock(START), contact_key=KEY)
    a, w = tpl["actors"], tpl["windows"][1]
    t = hub.issue_ticket(a["kiosk"], item_id=tpl["items"]["A"]).ticket
    hub.call_next(a["terminal1"], w)
    hub.start(a["terminal1"], w)
    hub.finish(a["terminal1"], w, Outcome.completed)
    hub.rate(a["pad1"], t.id, 1, "态度不好")
    cid, sup = str(uuid.uuid5(RATING_CASE, t.id)), Desk(site_id="s1", clerk_id="s1-SUP")
    hub.note_case(sup, cid, "已联系", contact_made=True)
    hub.answer_case(sup, cid, "appeal", "系误评")
    assert hub.follow_up_case(sup, cid, True, True).case.status.value == "closed"
    with engine.connect() as c:
        before = c.execute(select(func.count()).select_from(EventRow)).scalar()
    with pytest.raises(e.Conflict) as refused:
        hub.decide_appeal(sup, cid, True)
    assert refused.value.key == "case_closed"
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(EventRow)).scalar() == before
