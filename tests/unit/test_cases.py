"""The case workflow's rules and projection (common/domain/cases.py), without a database."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from common.domain import cases as c
from common.domain import errors as e
from common.domain import events as ev

AT = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
DAY = date(2026, 12, 1)


def opened(kind=c.CaseKind.case, **kw) -> tuple[dict[str, c.Case], c.Case]:
    source = "rating" if kind is c.CaseKind.rating else "kiosk"
    k, d = c.decide_open(case_id="0190c0de-0000-7000-8000-000000000001", public_token="t" * 32, kind=kind,
                         source=source, cause="materials", text="材料要求不清楚", day=DAY, **kw)
    ev.validate(k, d)
    cases: dict[str, c.Case] = {}
    assert c.apply(cases, "site-a", k, AT, d)
    return cases, cases[d["case_id"]]


def step(cases, x: c.Case, decided) -> bool:
    kind, data = decided
    ev.validate(kind, data)  # every decision is an event the door would accept
    return c.apply(cases, x.site_id, kind, AT, data)


def test_a_case_goes_from_registered_to_closed_by_a_satisfied_follow_up():
    cases, x = opened()
    assert x.status is c.CaseStatus.registered and x.number == c.case_number(x.id) and x.number.startswith("BC")
    assert step(cases, x, c.decide_classify(x, "general", date(2026, 12, 8), None))
    assert x.status is c.CaseStatus.open and x.due_day == "2026-12-08"
    assert step(cases, x, c.decide_assign(x, "区医保中心", "site-a")) and x.department == "区医保中心"
    assert step(cases, x, c.decide_note(x, "已电话联系", True)) and x.contacts == 1
    assert step(cases, x, c.decide_answer(x, date(2026, 12, 8), "done", "已补办", None))
    assert x.status is c.CaseStatus.answered and x.answered_on_time is True
    assert step(cases, x, c.decide_follow_up(x, True, True, None))
    assert x.status is c.CaseStatus.closed and x.satisfied is True


def test_an_answer_after_the_due_day_is_recorded_late():
    cases, x = opened()
    step(cases, x, c.decide_classify(x, "general", date(2026, 12, 8), None))
    step(cases, x, c.decide_answer(x, date(2026, 12, 9), "partly", "部分已办", None))
    assert x.answered_on_time is False


def test_not_satisfied_reopens_once_and_escalates_then_closes():
    cases, x = opened()
    step(cases, x, c.decide_classify(x, "immediate", DAY, None))
    step(cases, x, c.decide_answer(x, DAY, "done", "已办", None))
    step(cases, x, c.decide_follow_up(x, True, False, "不满意"))
    assert x.status is c.CaseStatus.open and x.reopened and x.escalated and x.answer is None
    step(cases, x, c.decide_answer(x, DAY, "done", "重新办理", None))
    step(cases, x, c.decide_follow_up(x, True, False, "仍不满意"))
    assert x.status is c.CaseStatus.closed and x.satisfied is False


def test_not_reached_waits_for_the_next_try():
    cases, x = opened()
    step(cases, x, c.decide_classify(x, "immediate", DAY, None))
    step(cases, x, c.decide_answer(x, DAY, "done", "已办", None))
    step(cases, x, c.decide_follow_up(x, False, None, "无人接听"))
    assert x.status is c.CaseStatus.answered and x.follow_ups == 1
    with pytest.raises(e.InvalidInput):
        c.decide_follow_up(x, False, True, None)  # satisfied only when reached


def test_out_of_scope_closes_at_once_and_needs_the_explanation():
    cases, x = opened()
    with pytest.raises(e.InvalidInput):
        c.decide_classify(x, "out_of_scope", None, None)
    step(cases, x, c.decide_classify(x, "out_of_scope", None, "属民事纠纷，可向人民调解委员会申请调解"))
    assert x.status is c.CaseStatus.closed and x.answer == "out_of_scope"
    with pytest.raises(e.Conflict):
        c.decide_note(x, "x", False)


def test_cannot_needs_the_legal_reason_and_is_reported():
    cases, x = opened()
    step(cases, x, c.decide_classify(x, "complex", date(2026, 12, 22), None))
    with pytest.raises(e.InvalidInput):
        c.decide_answer(x, DAY, "cannot", "不能办理", None)
    step(cases, x, c.decide_answer(x, DAY, "cannot", "不能办理", "《社会保险法》第十六条"))
    assert x.negative_reported


def test_extension_needs_a_later_date_the_citizen_told_and_the_old_date_not_passed():
    cases, x = opened()
    step(cases, x, c.decide_classify(x, "general", date(2026, 12, 8), None))
    with pytest.raises(e.InvalidInput):
        c.decide_extend(x, DAY, date(2026, 12, 15), "需部门会商", told=False)
    with pytest.raises(e.InvalidInput):
        c.decide_extend(x, DAY, date(2026, 12, 8), "需部门会商", told=True)
    with pytest.raises(e.Conflict):
        c.decide_extend(x, date(2026, 12, 9), date(2026, 12, 15), "需部门会商", told=True)
    step(cases, x, c.decide_extend(x, date(2026, 12, 8), date(2026, 12, 15), "需部门会商", told=True))
    assert x.due_day == "2026-12-15" and x.extensions == 1


def test_a_bad_rating_case_answers_after_a_contact_and_not_by_the_clerk_rated():
    cases, x = opened(c.CaseKind.rating, rated_clerk_id="clerk-1", first_contact_due=date(2026, 12, 2))
    assert x.due_day == "2026-12-02" and x.kind is c.CaseKind.rating
    with pytest.raises(e.Forbidden):
        c.may_handle(x, "clerk-1")
    c.may_handle(x, "clerk-2")
    with pytest.raises(e.Conflict):
        c.decide_answer(x, DAY, "explained", "已解释", None)  # no contact yet
    with pytest.raises(e.InvalidInput):
        c.decide_answer(x, DAY, "done", "x", None)  # a case's answer, not a 差评's
    with pytest.raises(e.Conflict):
        c.decide_classify(x, "general", DAY, None)
    step(cases, x, c.decide_note(x, "已回访", True))
    step(cases, x, c.decide_answer(x, DAY, "appeal", "办事人误评", None))
    step(cases, x, c.decide_appeal(x, True, "核实为误评"))
    assert x.appeal_upheld is True
    with pytest.raises(e.Conflict):
        c.decide_appeal(x, False, None)


def test_late_steps_are_void_not_errors():
    """An answer that arrives after another's, or after the case closed, changes nothing (docs/cases.md)."""
    cases, x = opened()
    step(cases, x, c.decide_classify(x, "immediate", DAY, None))
    first = c.decide_answer(x, DAY, "done", "甲的答复", None)
    second = c.decide_answer(x, DAY, "partly", "乙的答复", None)  # decided on the same state, elsewhere
    assert step(cases, x, first) and not step(cases, x, second)
    assert x.answer_text == "甲的答复"
    again = c.decide_open(case_id=x.id, public_token="u" * 32, kind=c.CaseKind.case, source="kiosk",
                          cause="other", text=None, day=DAY)
    assert not c.apply(cases, "site-a", *again[:1], AT, again[1])
    assert not c.apply(cases, "site-b", c.CASE_NOTED, AT, {"case_id": x.id, "note": "x", "contact": False})


@pytest.mark.parametrize("field, value", [
    ("number", "BC00000000"), ("kind", "other"), ("source", "email"), ("cause", "x" * 20), ("text", "字" * 501),
    ("contact", "v1." + "a" * 500), ("opened_day", "9999-99-99"), ("due_day", 5), ("case_id", "../x"),
])
def test_pushed_case_events_are_checked_field_by_field(field, value):
    k, d = c.decide_open(case_id="0190c0de-0000-7000-8000-000000000001", public_token="t" * 32,
                         kind=c.CaseKind.case, source="kiosk", cause="other", text=None, day=DAY)
    with pytest.raises(ValueError, match=field):
        ev.validate(k, {**d, field: value})
