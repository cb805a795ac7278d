"""Working days for case deadlines, against dates counted by hand.

2026 is the State Council's published arrangement (国务院办公厅, 2025): the test holds the library to it day by
day. 2027 is not published in the library: its Spring Festival below is MADE UP for the test (the real festival is
on 2027-02-06; the arrangement around it is invented), entered as a district would enter it, as overrides."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from common.domain.workdays import MAX_N, WorkCalendar, overrides_from_wire, overrides_to_wire

D = date


def days(a: date, b: date) -> list[date]:
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


# The 2026 arrangement as published: days off and moved working days (weekends that are working days).
OFF_2026 = [
    *days(D(2026, 1, 1), D(2026, 1, 3)),     # 元旦
    *days(D(2026, 2, 15), D(2026, 2, 23)),   # 春节
    *days(D(2026, 4, 4), D(2026, 4, 6)),     # 清明
    *days(D(2026, 5, 1), D(2026, 5, 5)),     # 劳动节
    *days(D(2026, 6, 19), D(2026, 6, 21)),   # 端午
    *days(D(2026, 9, 25), D(2026, 9, 27)),   # 中秋
    *days(D(2026, 10, 1), D(2026, 10, 7)),   # 国庆
]
WORKING_WEEKENDS_2026 = [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)]

# MADE UP for this test: a plausible Spring Festival 2027 (2027-02-05 Fri .. 2027-02-13 Sat off, Saturday
# 2027-02-20 working), not the real arrangement, which the State Council had not published.
SPRING_2027_MADE_UP = {**{d: False for d in days(D(2027, 2, 5), D(2027, 2, 13))}, D(2027, 2, 20): True}


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar({})


def test_the_published_2026_arrangement_day_by_day(cal):
    for d in OFF_2026:
        assert not cal.is_working(d), d
    for d in WORKING_WEEKENDS_2026:
        assert d.weekday() >= 5 and cal.is_working(d), d
    # and nothing else differs from Monday-Friday in 2026: the library has no day the publication does not
    differs = {d for d in days(D(2026, 1, 1), D(2026, 12, 31)) if cal.is_working(d) != (d.weekday() < 5)}
    weekday_offs = {d for d in OFF_2026 if d.weekday() < 5}
    assert differs == weekday_offs | set(WORKING_WEEKENDS_2026)
    assert cal.unknown_years == set()


def test_2026_has_248_working_days(cal):
    # By hand: 2026 starts on a Thursday and has 52 weeks + 1 day (Thu 31 Dec), so 261 weekdays; 19 of them are
    # off (元旦 2, 春节 6, 清明 1, 劳动节 3, 端午 1, 中秋 1, 国庆 5) and 6 weekend days are worked: 261 - 19 + 6.
    assert cal.between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_a_case_registered_the_day_before_national_day(cal):
    # Registered Wed 2026-09-30, due within 5 working days. 10-01..10-07 off; Thu 10-08 is 1, Fri 10-09 is 2,
    # Sat 10-10 (moved working day) is 3, Sun 10-11 off, Mon 10-12 is 4, Tue 10-13 is 5.
    assert cal.add(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert cal.add(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert cal.between(D(2026, 9, 30), D(2026, 10, 13)) == 5
    assert cal.between(D(2026, 9, 30), D(2026, 10, 7)) == 0  # the whole holiday: no working day


def test_registration_day_is_not_counted(cal):
    monday = D(2026, 3, 2)
    assert cal.add(monday, 1) == D(2026, 3, 3)
    assert cal.add(monday, 0) == monday
    assert cal.add(D(2026, 3, 7), 0) == D(2026, 3, 9)       # a Saturday: 0 days gives the next working day
    assert cal.add(D(2026, 10, 3), 0) == D(2026, 10, 8)     # inside National Day
    assert cal.add(D(2026, 1, 3), 1) == D(2026, 1, 4)       # Sat 元旦 day off + 1 = the moved working Sunday
    assert cal.add(D(2026, 2, 13), 1) == D(2026, 2, 14)     # Fri before 春节 + 1 = the working Saturday
    assert cal.add(D(2026, 2, 14), 1) == D(2026, 2, 24)     # then nine days off
    assert cal.add(D(2026, 9, 19), 1) == D(2026, 9, 20)     # Saturday + 1 = the working Sunday before 国庆


def test_year_end_into_an_unknown_2027_falls_back_to_weekdays_and_says_so(cal):
    # Thu 2026-12-31 + 1: the library does not know 2027, so Fri 2027-01-01 counts as a working day, and the
    # calendar records 2027 for the hub to warn about; it does not raise.
    assert cal.add(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert cal.unknown_years == {2027}


def test_new_years_day_2027_entered_by_the_district():
    cal = WorkCalendar({D(2027, 1, 1): False})
    # Fri 01-01 off (override), Sat 01-02 and Sun 01-03 off (weekend fallback), Mon 01-04 is the first working day.
    assert cal.add(D(2026, 12, 31), 1) == D(2027, 1, 4)
    # One override does not make the year known: the weekend was still answered by the fallback.
    assert cal.unknown_years == {2027}


def test_only_what_is_asked_records_an_unknown_year():
    cal = WorkCalendar({D(2027, 1, 1): False})
    assert not cal.is_working(D(2027, 1, 1))
    assert cal.unknown_years == set()  # the override answered; nothing fell back
    assert cal.is_working(D(2003, 6, 2))  # before the library's first year too: Monday
    assert cal.unknown_years == {2003}


def test_a_deadline_across_a_made_up_spring_festival_2027():
    cal = WorkCalendar(SPRING_2027_MADE_UP)
    # Registered Thu 2027-02-04. Off: Fri 02-05 .. Sat 02-13 (made up), Sun 02-14 (weekend). Mon 02-15 is 1, ...
    # Fri 02-19 is 5, Sat 02-20 (made-up working Saturday) is 6, Sun 02-21 off, Mon 02-22 is 7.
    assert cal.add(D(2027, 2, 4), 1) == D(2027, 2, 15)
    assert cal.add(D(2027, 2, 4), 5) == D(2027, 2, 19)
    assert cal.add(D(2027, 2, 4), 6) == D(2027, 2, 20)
    assert cal.add(D(2027, 2, 4), 7) == D(2027, 2, 22)
    assert cal.between(D(2027, 2, 4), D(2027, 2, 22)) == 7
    # Without the district's entries the same case would be due on Thu 02-11: what the hub's warning is for.
    assert WorkCalendar({}).add(D(2027, 2, 4), 5) == D(2027, 2, 11)


def test_overrides_win_over_the_library():
    # MADE UP: a district works Saturday 2026-07-11 and closes Monday 2026-07-13 (a local day off).
    cal = WorkCalendar({D(2026, 7, 11): True, D(2026, 7, 13): False})
    assert cal.add(D(2026, 7, 10), 1) == D(2026, 7, 11)
    assert cal.add(D(2026, 7, 10), 2) == D(2026, 7, 14)
    assert WorkCalendar({}).add(D(2026, 7, 10), 1) == D(2026, 7, 13)
    assert cal.between(D(2026, 7, 10), D(2026, 7, 17)) == 5  # Sat 11, Tue 14 .. Fri 17
    assert not WorkCalendar({D(2026, 10, 8): False}).is_working(D(2026, 10, 8))  # a library working day turned off
    assert cal.unknown_years == set()


def test_between_edges(cal):
    assert cal.between(D(2026, 3, 2), D(2026, 3, 2)) == 0
    assert cal.between(D(2026, 3, 9), D(2026, 3, 2)) == 0
    assert cal.between(D(2026, 3, 6), D(2026, 3, 9)) == 1  # Fri -> Mon: the weekend does not count, Monday does
    assert cal.between(D(2026, 3, 7), D(2026, 3, 8)) == 0


def test_bad_arguments_are_refused(cal):
    with pytest.raises(TypeError):
        cal.is_working(datetime(2026, 3, 2, 9, 0))  # which day a datetime is depends on its zone: say the day
    with pytest.raises(ValueError, match="n"):
        cal.add(D(2026, 3, 2), -1)
    with pytest.raises(ValueError, match="n"):
        cal.add(D(2026, 3, 2), MAX_N + 1)
    with pytest.raises(ValueError, match="n"):
        cal.add(D(2026, 3, 2), True)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        WorkCalendar({D(2026, 3, 2): 1})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="between"):
        cal.between(D(2000, 1, 1), D(2200, 1, 1))


def test_overrides_that_leave_no_working_day_are_refused_on_use():
    cal = WorkCalendar({d: False for d in days(D(2027, 1, 1), D(2028, 1, 31))})
    with pytest.raises(ValueError, match="no working day"):
        cal.add(D(2026, 12, 31), 1)


# -- the wire form -----------------------------------------------------------------------------------------------

def test_wire_round_trip():
    own = {**SPRING_2027_MADE_UP, D(2026, 7, 11): True, D(2000, 1, 1): False, D(2100, 12, 31): True}
    wire = overrides_to_wire(own)
    assert wire[0] == {"day": "2000-01-01", "working": False}  # sorted by day
    assert wire[-1] == {"day": "2100-12-31", "working": True}
    assert len(wire) == len(own)
    assert overrides_from_wire(wire) == own
    assert overrides_to_wire(WorkCalendar(own)) == wire
    assert overrides_from_wire([]) == {}


@pytest.mark.parametrize(("items", "field"), [
    ({"day": "2026-07-11", "working": True}, "overrides: expected a list"),
    ("2026-07-11", "overrides: expected a list"),
    (None, "overrides: expected a list"),
    ([{"day": f"2026-01-{1 + i % 28:02d}", "working": True} for i in range(10_000)], "at most 400"),
    ([["2026-07-11", True]], r"overrides\[0\]: expected an object"),
    ([{"day": "2026-07-11"}], r"overrides\[0\]: expected exactly the fields"),
    ([{"day": "2026-07-11", "working": True, "note": "x"}], r"overrides\[0\].*note"),
    ([{"day": 20260711, "working": True}], r"overrides\[0\]\.day"),
    ([{"day": None, "working": True}], r"overrides\[0\]\.day"),
    ([{"day": "9999-01-01", "working": True}], r"overrides\[0\]\.day: year"),
    ([{"day": "1999-12-31", "working": True}], r"overrides\[0\]\.day: year"),
    ([{"day": "2026-02-30", "working": True}], r"overrides\[0\]\.day: not a date"),
    ([{"day": "20260711", "working": True}], r"overrides\[0\]\.day"),
    ([{"day": "2026-7-11", "working": True}], r"overrides\[0\]\.day"),
    ([{"day": "2026-07-11T00:00", "working": True}], r"overrides\[0\]\.day"),
    ([{"day": "2026-07-11\n", "working": True}], r"overrides\[0\]\.day"),
    ([{"day": "x" * 100_000, "working": True}], r"overrides\[0\]\.day"),
    ([{"day": "2026-07-11", "working": 1}], r"overrides\[0\]\.working"),
    ([{"day": "2026-07-11", "working": 0}], r"overrides\[0\]\.working"),
    ([{"day": "2026-07-11", "working": "true"}], r"overrides\[0\]\.working"),
    ([{"day": "2026-07-11", "working": None}], r"overrides\[0\]\.working"),
    ([{"day": "2026-07-11", "working": True}, {"day": "2026-07-11", "working": False}], r"overrides\[1\]\.day.*twice"),
])
def test_hostile_wire_input_is_refused_naming_the_field(items, field):
    with pytest.raises(ValueError, match=field) as e:
        overrides_from_wire(items)
    assert len(str(e.value)) < 200  # a hostile value is not echoed whole


def test_400_entries_are_taken_401_are_not():
    items = [{"day": (D(2026, 1, 1) + timedelta(days=i)).isoformat(), "working": i % 2 == 0} for i in range(401)]
    assert len(overrides_from_wire(items[:400])) == 400
    with pytest.raises(ValueError, match="at most 400"):
        overrides_from_wire(items)


def test_to_wire_refuses_what_could_not_be_read_back():
    with pytest.raises(ValueError, match="year"):
        overrides_to_wire({D(2200, 1, 1): True})


# -- properties --------------------------------------------------------------------------------------------------

SHARED = WorkCalendar(SPRING_2027_MADE_UP)  # one calendar for every example, as a hub would share it


@settings(max_examples=300, deadline=None)
@given(d=st.dates(D(2003, 1, 1), D(2028, 12, 31)), n=st.integers(1, 60), m=st.integers(0, 60))
def test_add_lands_on_a_working_day_between_counts_it_and_add_is_monotone(d, n, m):
    due = SHARED.add(d, n)
    assert due > d
    assert SHARED.is_working(due)
    assert SHARED.between(d, due) == n
    assert SHARED.between(d, due - timedelta(days=1)) == n - 1  # the n-th working day, not a later one
    assert SHARED.add(d, n + m) >= due
    assert (SHARED.add(d, n + m) > due) == (m > 0)
    assert SHARED.add(d, 0) <= due


@settings(max_examples=100, deadline=None)
@given(own=st.dictionaries(st.dates(D(2025, 12, 1), D(2027, 3, 31)), st.booleans(), max_size=40),
       d=st.dates(D(2025, 12, 1), D(2027, 3, 31)), n=st.integers(1, 30))
def test_the_same_holds_with_any_overrides(own, d, n):
    cal = WorkCalendar(own)
    due = cal.add(d, n)
    assert cal.is_working(due) and cal.between(d, due) == n
    for day, working in own.items():
        assert cal.is_working(day) == working
    assert overrides_from_wire(overrides_to_wire(own)) == own
