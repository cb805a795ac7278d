"""The staffing plan of one site and day as the dashboard shows it and exports it: the forecast arrivals per queue ×
hour, which windows open for which queues hour by hour, and the simulated share within limits per queue × hour (its XLSX: common/readmodels/staffing_xlsx.py).

Read from the hub's own records (measure.py) up to the start of the earlier of the day asked and today: the forecast
never sees the day it forecasts. `data_version` names those records, so a cache keyed on it stays true all day.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Connection, func, select

from common.db.schema import EventRow, QueueRow
from common.domain import errors as e
from common.domain.clock import SHANGHAI, utc
from common.domain.workdays import WorkCalendar
from common.planning import forecast, measure, staffing

PAST_DAYS = 366  # a plan may be looked at for a day up to a year back ...
AHEAD_DAYS = 14  # ... or planned up to two weeks ahead
HISTORY_WEEKS = 10


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def next_working_day(today: date, calendar: WorkCalendar) -> date:
    """The default day of the page: the next working day after today (a 调休 weekend counts, a holiday does not)."""
    day = today + timedelta(days=1)
    while not calendar.is_working(day) and day <= today + timedelta(days=AHEAD_DAYS):
        day += timedelta(days=1)
    return day


def parse_day(text: str | None, today: date, calendar: WorkCalendar) -> date:
    """The day asked for ('2026-12-03'), within a year back and two weeks ahead; none: the next working day."""
    if text is None or text == "":
        return next_working_day(today, calendar)
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = date.fromisoformat(text)
    except ValueError:
        raise e.InvalidInput("staffing_day_format") from None
    first, last = today - timedelta(days=PAST_DAYS), today + timedelta(days=AHEAD_DAYS)
    if not first <= day <= last:
        raise e.InvalidInput("staffing_day_range", first=first.isoformat(), last=last.isoformat())
    return day


def history_end(day: date, today: date) -> datetime:
    return _midnight(min(day, today))


def data_version(conn: Connection, site_id: str, day: date, today: date) -> int:
    """The last event the plan of `day` reads (its history ends at the start of the earlier of `day` and today)."""
    end = utc(history_end(day, today))
    return int(conn.execute(select(func.coalesce(func.max(EventRow.seq), 0))
                            .where(EventRow.site_id == site_id, EventRow.at < end)).scalar_one())


def plan_day(conn: Connection, site_id: str, day: date, today: date, calendar: WorkCalendar) -> dict:
    """Everything the staffing page shows for (site, day), as plain data."""
    queues = [{"queue_id": q.id, "letter": q.letter, "name": q.name}
              for q in conn.execute(select(QueueRow).where(QueueRow.site_id == site_id).order_by(QueueRow.letter))]
    out: dict = {"site_id": site_id, "day": day.isoformat(), "working": calendar.is_working(day), "queues": queues,
                 "hours": [], "forecast": {}, "plan": [], "within": {}, "meets": None, "history_days": 0,
                 "window_hours": 0, "total": 0.0}
    end = history_end(day, today)
    events = measure.site_events(conn, site_id, end - timedelta(weeks=HISTORY_WEEKS), end)
    counts = forecast.count_arrivals(measure.arrivals(events))
    out["history_days"] = len(counts)
    if not out["working"] or not counts:
        return out
    try:
        model = forecast.fit(counts, calendar)
    except ValueError:  # history only on days the calendar says were off
        out["history_days"] = 0
        return out
    medians = measure.service_medians(events)
    centre = measure.centre(conn, site_id, medians, measure.behaviour(events))
    expected = model.predict(day)
    centre_items = {q: v for q, v in centre.items.items() if q in expected}
    centre = staffing.Centre(centre.site_id, centre.windows, centre_items, centre.opens, centre.closes, centre.behaviour)
    plan = staffing.advise(centre, {q: r for q, r in expected.items() if q in centre_items}, day)
    by_id = {w.id: w for w in centre.windows}
    letter = {q["queue_id"]: q["letter"] for q in queues}
    hours = centre.hours()
    out["hours"] = hours
    out["forecast"] = {q: [round(plan.forecast.get((q, h), 0.0), 1) for h in hours] for q in letter}
    out["total"] = round(sum(sum(v) for v in out["forecast"].values()), 1)
    out["within"] = {q: [None if (q, h) not in plan.within else round(plan.within[(q, h)], 3) for h in hours]
                     for q in letter}
    out["plan"] = [{"hour": h, "windows": [{"number": by_id[w].number, "name": by_id[w].name,
                                            "queues": [letter.get(q, "?") for q in by_id[w].queue_ids]}
                                           for w in sorted(plan.open_windows.get(h, ()), key=lambda w: by_id[w].number)]}
                   for h in hours]
    out["window_hours"] = plan.window_hours
    out["meets"] = plan.meets
    return out
