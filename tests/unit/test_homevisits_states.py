"""上门办 as a state machine (common/domain/homevisits.py): random steps against a plain model; every decision the
rules take folds (apply never voids it), every refused step leaves the visit as it was, and a replay of the events
on a fresh projection gives the same visit."""
from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from common.domain import errors as e
from common.domain import events as ev
from common.domain import homevisits as hv

KEY = bytes(range(32))
T0 = datetime(2026, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=8)))
ID_OLD = "110105194012310024"  # born 31 Dec 1940: 86 on 31 Dec 2026



class HomeVisitMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.visits: dict[str, hv.HomeVisit] = {}
        self.log: list[tuple[str, datetime, dict]] = []
        self.at = T0
        person = hv.seal_person(KEY, hv.Person("张三明", "13812345678", "青浦区朱家角镇某村 12 号"))
        self._store(*hv.decide_request(visit_id="v1", item_id="s2-IA", person=person, source="village",
                                       reason="certificate", seen_by="s2-C1", slots=["morning"] + [""] * 6))
        self.model = {"status": "requested", "visits": 0, "rated_last": False, "last": None}

    def _store(self, kind: str, data: dict) -> None:
        ev.validate(kind, data)  # what a decision makes passes the door's field checks
        self.at += timedelta(hours=5)
        assert hv.apply(self.visits, "s2", kind, self.at, data)
        self.log.append((kind, self.at, data))

    @property
    def v(self) -> hv.HomeVisit:
        return self.visits["v1"]

    def _try(self, decide, expect_ok: bool) -> None:
        before = copy.deepcopy(self.v)
        try:
            kind, data = decide()
        except e.HaobanError:
            assert not expect_ok
            assert self.v == before
            return
        assert expect_ok, "the rules let through a step the model refuses"
        self._store(kind, data)

    @rule(team=st.sampled_from(["一队", "二队", ""]), ahead=st.integers(-1, 3), order=st.integers(0, 5))
    def plan(self, team, ahead, order):
        today = self.at.date()
        ok = self.model["status"] in ("requested", "planned", "revisit") and team != "" and ahead >= 0 and order >= 1
        self._try(lambda: hv.decide_plan(self.v, team, today + timedelta(days=ahead), order, today), ok)
        if ok:
            self.model["status"] = "planned"

    @rule(outcome=st.sampled_from(["done", "not_home", "again", "bogus"]), n=st.integers(0, 2))
    def visit(self, outcome, n):
        materials = ["身份证原件", "户口簿"][:n]
        ok = self.model["status"] == "planned" and outcome in hv.OUTCOMES and not (outcome == "not_home" and n)
        self._try(lambda: hv.decide_visit(self.v, outcome, materials), ok)
        if ok:
            self.model.update(status="done" if outcome == "done" else "revisit", visits=self.model["visits"] + 1,
                              rated_last=False, last=outcome)

    @rule(score=st.integers(0, 6))
    def rate(self, score):
        ok = self.model["visits"] > 0 and self.model["last"] != "not_home" and not self.model["rated_last"] \
            and 1 <= score <= 5
        self._try(lambda: hv.decide_rate(self.v, score), ok)
        if ok:
            self.model["rated_last"] = True

    @rule(reason=st.sampled_from(["家属已代办", "", "  "]))
    def cancel(self, reason):
        ok = self.model["status"] in ("requested", "planned", "revisit") and reason.strip() != ""
        self._try(lambda: hv.decide_cancel(self.v, reason), ok)
        if ok:
            self.model["status"] = "cancelled"

    @invariant()
    def matches_the_model(self):
        assert self.v.status.value == self.model["status"]
        assert len(self.v.visits) == self.model["visits"]

    @invariant()
    def replays_the_same(self):
        again: dict[str, hv.HomeVisit] = {}
        for kind, at, data in self.log:
            assert hv.apply(again, "s2", kind, at, data)
        assert again == self.visits
        assert not hv.apply(again, "s1", hv.HOME_CANCELLED, T0, {"visit_id": "v1", "reason": "x"})  # another site's


TestHomeVisitStates = HomeVisitMachine.TestCase


def test_the_person_is_sealed_and_masked():
    p = hv.Person("张三明", "13812345678", "青浦区朱家角镇某村 12 号", ID_OLD)
    sealed = hv.seal_person(KEY, p)
    assert "张三明" not in sealed and "138" not in sealed and ID_OLD not in sealed
    assert hv.unseal_person(KEY, sealed) == p
    assert p.masked() == {"name": "张*明", "phone": "138****5678", "address": "青浦区朱家角…"}
    with pytest.raises(e.Forbidden):
        hv.unseal_person(bytes(32), sealed)  # another hub's key
    with pytest.raises(e.Conflict):
        hv.unseal_person(KEY, sealed[:-6] + "AAAAAA")


@pytest.mark.parametrize("today, ok", [(date(2026, 12, 30), False), (date(2026, 12, 31), True),
                                       (date(2027, 1, 1), True)])
def test_age_from_the_id_card_counts_on_the_birthday(today, ok):
    rule = hv.Eligibility(min_age=86, certificate=False)
    if ok:
        hv.eligible(rule, "age", ID_OLD, False, today)
    else:
        with pytest.raises(e.Forbidden):
            hv.eligible(rule, "age", ID_OLD, False, today)


def test_a_certificate_counts_only_where_the_site_takes_one_and_when_seen():
    hv.eligible(hv.Eligibility(), "certificate", None, True, date(2026, 12, 31))
    for site_rule, seen in ((hv.Eligibility(), False), (hv.Eligibility(certificate=False), True)):
        with pytest.raises(e.Forbidden):
            hv.eligible(site_rule, "certificate", None, seen, date(2026, 12, 31))


@pytest.mark.parametrize("args", [("", "13812345678", "某村"), ("张三", "1381234567x", "某村"), ("张三", "123", "某村"),
                                  ("张三", "13812345678", ""), ("张\x00三", "13812345678", "某村"),
                                  ("张三", "13812345678", "某" * 121)])
def test_bad_personal_data_is_refused(args):
    with pytest.raises(e.InvalidInput):
        hv.check_person(*args, None, date(2026, 12, 31))


def test_a_bad_id_number_is_refused():
    with pytest.raises(e.InvalidInput):
        hv.check_person("张三", "13812345678", "某村", "110105194012310021", date(2026, 12, 31))


@pytest.mark.parametrize("kind, data", [
    (hv.HOME_REQUESTED, {"visit_id": "v", "item_id": "i", "person": "张三 13812345678", "source": "village",
                         "reason": "age", "seen_by": None, "slots": "any,,,,,,"}),  # unsealed person
    (hv.HOME_REQUESTED, {"visit_id": "v", "item_id": "i", "person": "v1.0011aabb.AAAA", "source": "phone",
                         "reason": "age", "seen_by": None, "slots": "any,,,,,,"}),
    (hv.HOME_REQUESTED, {"visit_id": "v", "item_id": "i", "person": "v1.0011aabb.AAAA", "source": "village",
                         "reason": "age", "seen_by": None, "slots": ",,,,,,"}),
    (hv.HOME_PLANNED, {"visit_id": "v", "team": "t" * 33, "day": "2026-12-31", "order": 1}),
    (hv.HOME_PLANNED, {"visit_id": "v", "team": "一队", "day": "2026-12-31", "order": 1000}),
    (hv.HOME_VISITED, {"visit_id": "v", "outcome": "not_home", "materials": "户口簿"}),
    (hv.HOME_RATED, {"visit_id": "v", "score": 6}),
    (hv.HOME_RATED, {"visit_id": "v", "score": True}),
    (hv.HOME_CANCELLED, {"visit_id": "v", "reason": "x\n\x1b[2J"}),
])
def test_hostile_event_data_is_refused_by_the_field_checks(kind, data):
    with pytest.raises(ValueError):
        ev.validate(kind, data)
