"""The arrival forecast: tickets per queue and 15-minute slot for the coming days, learned from the hub's own history.

The model (docs/planning.md says why this one):

    arrivals(queue, day, slot) = level(queue, weekday) × factor(queue, day type) × shape(queue, slot)

* `level`: a trimmed mean of the queue's daily totals on the same weekday's plain days of the last `weeks` weeks
  (the highest and lowest dropped once there are five), so a single odd day does not swing it;
* `factor`: one multiplicative factor per day type (month start, month end, the first working day after a break
  of three days or more, a weekend made a working day by 调休), fitted by least squares on log(actual / level) and
  shrunk toward 1 (ridge): first for the whole hall, then each queue toward the hall's, so a type seen on two days
  moves the forecast little;
* `shape`: the queue's share of a day's arrivals in each slot, pooled over every open day of the window and
  smoothed with a 1-2-1 kernel over neighbouring slots.

Pure: the days to forecast and the working-day calendar come from the caller; no clock is read here.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np

from common.domain.clock import SHANGHAI
from common.domain.workdays import WorkCalendar

SLOT_MINUTES = 15
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
DAY_TYPES = ("month_start", "month_end", "after_holiday", "makeup_day")
EDGE_DAYS = 3  # the first / last three working days of a month are its start / end
LONG_BREAK = 3  # days off in a row that make the next working day an "after holiday" day
_ONE = timedelta(days=1)


def slot_of(at: datetime) -> tuple[date, int]:
    """The Shanghai business day of `at` and its 15-minute slot (0 = 00:00-00:15)."""
    local = at.astimezone(SHANGHAI)
    return local.date(), (local.hour * 60 + local.minute) // SLOT_MINUTES


def count_arrivals(arrivals: Iterable[tuple[str, datetime]]) -> dict[date, dict[str, np.ndarray]]:
    """(queue id, issued at) pairs -> per day, per queue, counts per slot."""
    out: dict[date, dict[str, np.ndarray]] = defaultdict(dict)
    for queue_id, at in arrivals:
        day, slot = slot_of(at)
        row = out[day].get(queue_id)
        if row is None:
            row = out[day][queue_id] = np.zeros(SLOTS_PER_DAY)
        row[slot] += 1
    return dict(out)


def day_types(day: date, calendar: WorkCalendar) -> tuple[str, ...]:
    """Which of DAY_TYPES a working day is (none for a plain day)."""
    found = []
    back = [day - n * _ONE for n in range(1, 32)]
    ahead = [day + n * _ONE for n in range(1, 32)]
    if sum(1 for d in back if d.month == day.month and calendar.is_working(d)) < EDGE_DAYS:
        found.append("month_start")
    if sum(1 for d in ahead if d.month == day.month and calendar.is_working(d)) < EDGE_DAYS:
        found.append("month_end")
    off = 0
    for d in back:
        if calendar.is_working(d):
            break
        off += 1
    if off >= LONG_BREAK:
        found.append("after_holiday")
    if day.weekday() >= 5:
        found.append("makeup_day")
    return tuple(found)


def _trimmed_mean(values: Sequence[float]) -> float:
    v = sorted(values)
    if len(v) >= 5:
        v = v[1:-1]
    return float(np.mean(v)) if v else 0.0


def _ridge(x: np.ndarray, y: np.ndarray, prior: np.ndarray, strength: float) -> np.ndarray:
    """Least squares of y on x, shrunk toward `prior` as if `strength` days had shown exactly it."""
    if len(y) == 0:
        return prior.copy()
    a = x.T @ x + strength * np.eye(x.shape[1])
    return np.linalg.solve(a, x.T @ y + strength * prior)


@dataclass(frozen=True)
class Forecast:
    """A fitted model: `predict` gives per queue the expected arrivals per slot of a day (zeros on a closed day)."""

    calendar: WorkCalendar
    queue_ids: tuple[str, ...]
    level: dict[str, np.ndarray]  # queue -> 7 weekday levels (index 5, 6: a made-up working weekend, from Mon-Fri)
    log_factor: dict[str, np.ndarray]  # queue -> log factor per DAY_TYPES
    shape: dict[str, np.ndarray]  # queue -> share per slot, sums to 1
    days_seen: dict[str, int]  # day type -> days of that type in the history

    def factors(self, queue_id: str) -> dict[str, float]:
        return {t: round(float(np.exp(b)), 3) for t, b in zip(DAY_TYPES, self.log_factor[queue_id])}

    def predict(self, day: date) -> dict[str, np.ndarray]:
        if not self.calendar.is_working(day):
            return {q: np.zeros(SLOTS_PER_DAY) for q in self.queue_ids}
        types = day_types(day, self.calendar)
        x = np.array([t in types for t in DAY_TYPES], dtype=float)
        return {q: self.level[q][day.weekday()] * float(np.exp(x @ self.log_factor[q])) * self.shape[q]
                for q in self.queue_ids}


def fit(history: dict[date, dict[str, np.ndarray]], calendar: WorkCalendar, *, weeks: int = 8,
        strength: float = 2.0) -> Forecast:
    """Learn the model from counted arrivals (`count_arrivals`); the working days of the calendar are the open days,
    and one with no arrivals at all counts as a day the hall did not record (left out)."""
    open_days = sorted(d for d, by in history.items() if calendar.is_working(d) and sum(r.sum() for r in by.values()) > 0)
    if not open_days:
        raise ValueError("no open day with arrivals in the history")
    queue_ids = tuple(sorted({q for d in open_days for q in history[d]}))
    recent = [d for d in open_days if d > open_days[-1] - timedelta(weeks=weeks)]
    types = {d: day_types(d, calendar) for d in open_days}
    totals = {d: {q: float(history[d][q].sum()) if q in history[d] else 0.0 for q in queue_ids} for d in open_days}

    level: dict[str, np.ndarray] = {}
    for q in queue_ids:
        lv = np.zeros(7)
        for wd in range(5):
            plain = [totals[d][q] for d in recent if d.weekday() == wd and not types[d]]
            same = plain or [totals[d][q] for d in recent if d.weekday() == wd]
            lv[wd] = _trimmed_mean(same)
        lv[5] = lv[6] = float(np.mean(lv[:5]))
        level[q] = lv

    x = np.array([[t in types[d] for t in DAY_TYPES] for d in open_days], dtype=float)

    def log_ratio(qs: Sequence[str]) -> np.ndarray:
        actual = np.array([sum(totals[d][q] for q in qs) for d in open_days])
        base = np.array([sum(level[q][d.weekday()] for q in qs) for d in open_days])
        return np.log((actual + 1.0) / (base + 1.0))

    hall = _ridge(x, log_ratio(queue_ids), np.zeros(len(DAY_TYPES)), strength)
    log_factor = {q: _ridge(x, log_ratio((q,)), hall, strength * 2) for q in queue_ids}

    kernel = np.array([1.0, 2.0, 1.0]) / 4
    shape: dict[str, np.ndarray] = {}
    for q in queue_ids:
        raw = sum((history[d][q] for d in recent if q in history[d]), np.zeros(SLOTS_PER_DAY))
        smooth = np.convolve(raw, kernel, mode="same")
        smooth[raw == 0] = 0.0  # a slot the hall never took a ticket in (closed) stays closed
        shape[q] = smooth / smooth.sum() if smooth.sum() else np.zeros(SLOTS_PER_DAY)
    seen = {t: int(sum(t in types[d] for d in open_days)) for t in DAY_TYPES}
    return Forecast(calendar, queue_ids, level, log_factor, shape, seen)


def same_weekday_last_week(history: dict[date, dict[str, np.ndarray]], day: date,
                           calendar: WorkCalendar) -> dict[str, np.ndarray]:
    """The naive baseline: the counts of the latest open day on the same weekday before `day` (zeros when closed)."""
    if not calendar.is_working(day):
        return {}
    for weeks in range(1, 9):
        back = day - timedelta(weeks=weeks)
        if calendar.is_working(back) and back in history:
            return history[back]
    return {}


def errors(forecast: dict[date, dict[str, np.ndarray]], actual: dict[date, dict[str, np.ndarray]],
           queue_ids: Sequence[str]) -> dict[str, float]:
    """WAPE and MAPE per queue × slot, per hall slot, per queue × day and per day (MAPE over actuals above zero)."""
    levels: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in ("queue_slot", "slot", "queue_day", "day")}
    zero = np.zeros(SLOTS_PER_DAY)
    for day, act in actual.items():
        f = forecast.get(day, {})
        fq = {q: f.get(q, zero) for q in queue_ids}
        aq = {q: act.get(q, zero) for q in queue_ids}
        open_slots = (sum(aq.values()) > 0) | (sum(fq.values()) > 0)  # the hall's hours, either side's
        for q in queue_ids:
            levels["queue_slot"][0].extend(fq[q][open_slots])
            levels["queue_slot"][1].extend(aq[q][open_slots])
            levels["queue_day"][0].append(float(fq[q].sum()))
            levels["queue_day"][1].append(float(aq[q].sum()))
        levels["slot"][0].extend(sum(fq.values())[open_slots])
        levels["slot"][1].extend(sum(aq.values())[open_slots])
        levels["day"][0].append(float(sum(r.sum() for r in fq.values())))
        levels["day"][1].append(float(sum(r.sum() for r in aq.values())))
    out = {}
    for name, (fs, acts) in levels.items():
        fa, aa = np.array(fs), np.array(acts)
        out[f"wape_{name}"] = float(np.abs(fa - aa).sum() / aa.sum()) if aa.sum() else float("nan")
        pos = aa > 0
        out[f"mape_{name}"] = float(np.mean(np.abs(fa[pos] - aa[pos]) / aa[pos])) if pos.any() else float("nan")
    return out
