"""Working days (工作日) for case deadlines: a 办不成事 case or a bad rating's follow-up is due "within N working
days", and China's working days are not Monday-Friday: the State Council moves days each year (调休), so a
Saturday can be a working day and a Wednesday a day off.

Three sources, in this order:
1. the district's own overrides (True = working, False = off): a local arrangement, or a year the library does not
   know yet, entered by the district when the State Council publishes it (usually in November for the next year);
2. the `chinesecalendar` package for the years it ships (2004-2026 in 1.11; outside them it raises
   NotImplementedError);
3. otherwise Monday-Friday, and the year is recorded in `unknown_years`, so that a hub can warn "the calendar for
   2027 is not known: enter the holidays" instead of refusing to compute a deadline.

Pure and clock-free: every date comes from the caller.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

import chinese_calendar

WIRE_MAX_ENTRIES = 400  # a year's arrangement is about 40 entries; 400 leaves room for ten years of them
WIRE_MIN_YEAR, WIRE_MAX_YEAR = 2000, 2100
MAX_N = 1000  # a deadline is days or weeks of working days; a larger n is a caller's mistake, not a deadline
MAX_SPAN_DAYS = 36_600  # about a hundred years: what `between` and the search for a working day may walk
_MAX_OFF_RUN = 366  # no calendar has a year without a working day: overrides that make one are refused on use

_ONE = timedelta(days=1)
_WIRE_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # fromisoformat alone would also take "20260101" and "2026-W01-1"


def _check_day(day: object, name: str = "day") -> date:
    # A datetime is a date too, but which day it is depends on its time zone: the caller says which day it means.
    if not isinstance(day, date) or isinstance(day, datetime):
        raise TypeError(f"{name}: expected a datetime.date, got {type(day).__name__}")
    return day


def _library_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """One district's working days. Built once (e.g. when the hub loads the district's overrides) and shared;
    answers are cached per day, so it is cheap to ask day by day."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        own: dict[date, bool] = {}
        for day, working in (overrides or {}).items():
            _check_day(day, "overrides key")
            if type(working) is not bool:
                raise TypeError(f"overrides[{day.isoformat()}]: expected a bool, got {type(working).__name__}")
            own[day] = working
        self._overrides = own
        self._cache: dict[date, bool] = {}
        self._known_years: dict[int, bool] = {}
        # Years for which a day was answered Monday-Friday because neither the overrides nor the library knew it.
        self.unknown_years: set[int] = set()

    @property
    def overrides(self) -> dict[date, bool]:
        """A copy of the district's own entries."""
        return dict(self._overrides)

    def is_working(self, day: date) -> bool:
        """Whether `day` is a working day: the district's override, else the library, else Monday-Friday (and its
        year goes into `unknown_years`)."""
        hit = self._cache.get(day)
        if hit is not None:
            return hit
        _check_day(day)
        if day in self._overrides:
            working = self._overrides[day]
        else:
            known = self._known_years.get(day.year)
            if known is None:
                known = self._known_years[day.year] = _library_knows(day.year)
            if known:
                working = bool(chinese_calendar.is_workday(day))
            else:
                self.unknown_years.add(day.year)
                working = day.weekday() < 5
            # Cache only what the library or the weekday said: an override is already a dict lookup, and a
            # fallback day must record its year again in a calendar whose unknown_years a caller has cleared.
            if known:
                self._cache[day] = working
        return working

    def add(self, day: date, n: int) -> date:
        """The day that is `n` working days after `day`: the due date of something registered on `day` and due
        "within n working days".

        The rule: `day` itself is never counted, even when it is a working day (a case registered on Monday with 1
        working day is due on Tuesday); the working days after it are counted 1, 2, ... n, and the n-th is the
        answer, so for n >= 1 the answer is always a working day. n = 0 gives `day` itself if it is a working day,
        else the next working day (something due "today" that arrives on a Sunday is due on Monday).
        0 <= n <= MAX_N."""
        _check_day(day)
        if type(n) is not int or not 0 <= n <= MAX_N:
            raise ValueError(f"n: expected an int from 0 to {MAX_N}, got {n!r}")
        if n == 0:
            return day if self.is_working(day) else self._next_working(day)
        for _ in range(n):
            day = self._next_working(day)
        return day

    def between(self, a: date, b: date) -> int:
        """The working days after `a` up to and including `b` (0 when b <= a): `add`'s count, so that
        between(d, add(d, n)) == n for n >= 1. E.g. how many working days a case has been open."""
        _check_day(a, "a")
        _check_day(b, "b")
        span = (b - a).days
        if span <= 0:
            return 0
        if span > MAX_SPAN_DAYS:
            raise ValueError(f"between: at most {MAX_SPAN_DAYS} days apart, got {span}")
        count, day = 0, a
        for _ in range(span):
            day += _ONE
            count += self.is_working(day)
        return count

    def _next_working(self, day: date) -> date:
        """The first working day after `day`."""
        for _ in range(_MAX_OFF_RUN):
            day += _ONE
            if self.is_working(day):
                return day
        raise ValueError(f"no working day within {_MAX_OFF_RUN} days after {day.isoformat()}: check the overrides")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def overrides_from_wire(items: Any) -> dict[date, bool]:
    """A district's overrides from their JSON form, a list of {"day": "YYYY-MM-DD", "working": true|false}.
    Refuses (ValueError naming the field) anything else: not a list, more than WIRE_MAX_ENTRIES entries, other or
    missing keys, a day not written exactly YYYY-MM-DD or outside WIRE_MIN_YEAR..WIRE_MAX_YEAR, a `working` that is
    not a JSON boolean (1 and 0 are refused: a typo, not a decision), the same day twice."""
    if not isinstance(items, list):
        raise ValueError(f"overrides: expected a list, got {type(items).__name__}")
    if len(items) > WIRE_MAX_ENTRIES:
        raise ValueError(f"overrides: at most {WIRE_MAX_ENTRIES} entries, got {len(items)}")
    out: dict[date, bool] = {}
    for i, item in enumerate(items):
        where = f"overrides[{i}]"
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected an object, got {type(item).__name__}")
        if set(item) != {"day", "working"}:
            odd = sorted(map(str, set(item) ^ {"day", "working"}))
            raise ValueError(f"{where}: expected exactly the fields day and working, not {_short(odd)}")
        raw, working = item["day"], item["working"]
        if not isinstance(raw, str) or not _WIRE_DAY.fullmatch(raw):
            raise ValueError(f"{where}.day: expected 'YYYY-MM-DD', got {_short(raw)}")
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise ValueError(f"{where}.day: not a date: {_short(raw)}") from None
        if not WIRE_MIN_YEAR <= day.year <= WIRE_MAX_YEAR:
            raise ValueError(f"{where}.day: year from {WIRE_MIN_YEAR} to {WIRE_MAX_YEAR}, got {day.year}")
        if type(working) is not bool:
            raise ValueError(f"{where}.working: expected true or false, got {_short(working)}")
        if day in out:
            raise ValueError(f"{where}.day: {raw} is given twice")
        out[day] = working
    return out


def overrides_to_wire(overrides: Mapping[date, bool] | WorkCalendar) -> list[dict[str, Any]]:
    """The JSON form of overrides (or of a calendar's overrides), by day. It is checked as `overrides_from_wire`
    checks it, so nothing is written that could not be read back."""
    own = overrides.overrides if isinstance(overrides, WorkCalendar) else overrides
    items = [{"day": _check_day(d, "overrides key").isoformat(), "working": own[d]} for d in sorted(own)]
    overrides_from_wire(items)
    return items


def years_to_enter(calendar: WorkCalendar, today: date) -> list[int]:
    """This year and the next, where the library does not know the year and the district has entered none of its
    days: deadlines there count Monday to Friday only, so `hub status` asks for that year's arrangement (published
    by the State Council each autumn)."""
    entered = {d.year for d in calendar.overrides}
    return [y for y in (today.year, today.year + 1) if not _library_knows(y) and y not in entered]
