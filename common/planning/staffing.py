"""Staffing advice: the fewest windows per hour that meet the wait targets, a first estimate from Erlang C proved and
corrected by simulating the day with the hub's own queue policy (common/planning/simulate.py).

Targets: at least 95 % of the tickets of each queue issued in an hour are called within their item's wait limit
(10 minutes for a general item, 30 for a complex one, or the item's own), per limit.
"""
from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import numpy as np

from common.domain.clock import SHANGHAI
from common.domain.model import Window
from common.planning.forecast import SLOT_MINUTES
from common.planning.simulate import Arrival, Behaviour, run

TARGET = 0.95


def erlang_c(servers: int, load: float) -> float:
    """The probability that a ticket waits at all, with `servers` windows and `load` = arrivals × hold time."""
    if servers <= load:
        return 1.0
    term, total = 1.0, 1.0
    for k in range(1, servers):
        term *= load / k
        total += term
    last = term * load / servers * servers / (servers - load)
    return last / (total + last)


def service_level(servers: int, per_hour: float, hold_s: float, limit_s: float) -> float:
    """Share of tickets called within `limit_s` (Erlang C: stationary, first come first served)."""
    if per_hour <= 0:
        return 1.0
    load = per_hour * hold_s / 3600
    if servers <= load:
        return 0.0
    return 1.0 - erlang_c(servers, load) * math.exp(-(servers - load) * limit_s / hold_s)


def erlang_windows(per_hour: float, hold_s: float, limit_s: float, target: float = TARGET, most: int = 200) -> int:
    """The fewest windows for which Erlang C says `target` of the tickets are called within `limit_s`."""
    if per_hour <= 0:
        return 0
    n = max(1, math.floor(per_hour * hold_s / 3600))
    while n < most and service_level(n, per_hour, hold_s, limit_s) < target:
        n += 1
    return n


@dataclass(frozen=True)
class ItemMix:
    item_id: str
    share: float  # of its queue's tickets
    median_s: float  # service time as measured by the hub (or the item's standard minutes before any history)
    wait_limit_min: int


@dataclass(frozen=True)
class Centre:
    site_id: str
    windows: tuple[Window, ...]
    items: Mapping[str, tuple[ItemMix, ...]]  # queue -> its items
    opens: time = time(8, 30)
    closes: time = time(17, 0)
    behaviour: Behaviour = Behaviour()

    def hold_s(self, queue_id: str) -> float:
        """Mean time a window is held per ticket: walking up, service, no-shows, the turn to the next."""
        b = self.behaviour
        service = sum(i.share * i.median_s * math.exp(b.service_sigma**2 / 2) for i in self.items[queue_id])
        return (1 - b.no_show) * (b.call_to_start_s + service) + b.no_show * 2 * b.recall_after_s + b.turnaround_s

    def hours(self) -> list[int]:
        return list(range(self.opens.hour, self.closes.hour + (self.closes.minute > 0)))


@dataclass
class Plan:
    day: date
    open_windows: dict[int, list[str]]  # hour -> windows open
    forecast: dict[tuple[str, int], float]  # (queue, hour) -> arrivals expected
    erlang: dict[tuple[str, int], int]  # (queue, hour) -> Erlang C's windows
    within: dict[tuple[str, int], float] = field(default_factory=dict)  # simulated share within the limit
    simulations: int = 0
    meets: bool = False

    @property
    def window_hours(self) -> int:
        return sum(len(w) for w in self.open_windows.values())

    def serving(self, centre: Centre, queue_id: str, hour: int) -> int:
        by_id = {w.id: w for w in centre.windows}
        return sum(queue_id in by_id[w].queue_ids for w in self.open_windows.get(hour, ()))


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def sample_arrivals(expected: Mapping[str, np.ndarray], day: date, seed: int = 1,
                    items: Mapping[str, tuple[ItemMix, ...]] | None = None) -> list[Arrival]:
    """Poisson arrivals around `expected` (per queue, per slot), times uniform in their slot, items by their share."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    midnight = _at(day, 0)
    out = []
    for q, row in sorted(expected.items()):
        mix = (items or {}).get(q) or (ItemMix(f"{q}-item", 1.0, 600.0, 10),)
        for slot, mean in enumerate(row):
            for _ in range(int(np_rng.poisson(mean)) if mean > 0 else 0):
                item = rng.choices(mix, weights=[i.share for i in mix])[0]
                at = midnight + timedelta(minutes=slot * SLOT_MINUTES, seconds=rng.uniform(0, SLOT_MINUTES * 60))
                out.append(Arrival(at, q, item.item_id, item.wait_limit_min, item.median_s))
    return sorted(out, key=lambda a: a.at)


def simulate_plan(centre: Centre, open_windows: Mapping[int, Sequence[str]], arrivals: Sequence[Arrival], day: date,
                  seed: int = 1):
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for hour, ids in open_windows.items():
        start = max(_at(day, hour), _at(day, centre.opens.hour, centre.opens.minute))
        end = min(_at(day, hour + 1), _at(day, centre.closes.hour, centre.closes.minute))
        for wid in ids:
            spans.setdefault(wid, []).append((start, end))
    return run(site_id=centre.site_id, queue_ids=list(centre.items), windows=centre.windows, open_hours=spans,
               arrivals=arrivals, start=_at(day, centre.opens.hour, centre.opens.minute),
               end=_at(day, centre.closes.hour, centre.closes.minute), behaviour=centre.behaviour, seed=seed)


def _within(results, hours: Sequence[int]) -> dict[tuple[str, int], float]:
    """(queue, hour of issue) -> the worst share within the limit over the limit classes, all runs together."""
    hits: dict[tuple[str, int, int], list[int]] = {}
    for result in results:
        for t in result.tickets:
            hour = t.issued_at.astimezone(SHANGHAI).hour
            waited = ((t.first_called_at or result.end + timedelta(hours=2)) - t.issued_at).total_seconds()
            key = (result.issued_in[t.id], hour, t.wait_limit_min)
            hits.setdefault(key, [0, 0])
            hits[key][0] += waited <= t.wait_limit_min * 60
            hits[key][1] += 1
    out: dict[tuple[str, int], float] = {}
    for (q, hour, _), (ok, n) in hits.items():
        out[(q, hour)] = min(out.get((q, hour), 1.0), ok / n)
    return out


def _first_plan(centre: Centre, erlang: Mapping[tuple[str, int], int], hours: Sequence[int]) -> dict[int, list[str]]:
    """Windows per hour from Erlang's need per queue: dedicated windows first, then those serving more queues."""
    plan = {}
    for hour in hours:
        need = {q: erlang.get((q, hour), 0) for q in centre.items}
        chosen: list[str] = []
        for q in sorted(need, key=lambda q: -need[q]):
            for w in sorted((w for w in centre.windows if q in w.queue_ids and w.id not in chosen),
                            key=lambda w: (len(w.queue_ids), w.number)):
                if need[q] <= 0:
                    break
                chosen.append(w.id)
                need[q] -= 1
        plan[hour] = chosen
    return plan


def _candidate(centre: Centre, plan: dict[int, list[str]], hour: int, queue_id: str) -> str | None:
    free = [w for w in centre.windows if queue_id in w.queue_ids and w.id not in plan[hour]]
    return min(free, key=lambda w: (len(w.queue_ids), w.number)).id if free else None


def advise(centre: Centre, expected: Mapping[str, np.ndarray], day: date, *, runs: int = 2, rounds: int = 8) -> Plan:
    """The fewest windows per hour meeting the targets in `runs` simulated days drawn from the forecast `expected`."""
    hours = centre.hours()
    slots_per_hour = 60 // SLOT_MINUTES
    forecast = {(q, h): float(row[h * slots_per_hour:(h + 1) * slots_per_hour].sum())
                for q, row in expected.items() for h in hours}
    erlang = {}
    for (q, h), n in forecast.items():
        limit = min((i.wait_limit_min for i in centre.items.get(q, ())), default=10) * 60
        erlang[(q, h)] = erlang_windows(n, centre.hold_s(q), limit) if q in centre.items else 0
    plan = Plan(day, _first_plan(centre, erlang, hours), forecast, erlang)
    samples = [sample_arrivals(expected, day, seed=s, items=centre.items) for s in range(runs)]

    def check(open_windows: dict[int, list[str]]) -> dict[tuple[str, int], float]:
        plan.simulations += runs
        return _within([simulate_plan(centre, open_windows, a, day, seed=s) for s, a in enumerate(samples)], hours)

    within = check(plan.open_windows)
    for _ in range(rounds):  # add: every hour with a queue short gets one more window, for its worst queue that has one
        added = False
        for h in hours:
            short = sorted((share, q) for (q, hh), share in within.items() if hh == h and share < TARGET)
            for _, q in short:
                if (w := _candidate(centre, plan.open_windows, h, q)) is not None:
                    plan.open_windows[h].append(w)
                    added = True
                    break
        if not added:
            break
        within = check(plan.open_windows)
    for _ in range(2):  # remove: one window from every hour, kept where no target that held breaks
        failing = {k for k, share in within.items() if share < TARGET}
        trial = {h: list(ws) for h, ws in plan.open_windows.items()}
        removed = {h: trial[h].pop() for h in hours if trial.get(h)}
        after = check(trial)
        broken = {h for k, share in after.items() if share < TARGET and k not in failing for h in (k[1],)}
        for h in broken | {h - 1 for h in broken}:
            if h in removed:
                trial[h].append(removed[h])
        if broken:
            after = check(trial)
        if {k for k, share in after.items() if share < TARGET} <= failing:
            plan.open_windows, within = trial, after
    plan.within = within
    plan.meets = all(share >= TARGET for share in within.values())
    return plan
