"""A hall day as a discrete-event simulation (SimPy) that runs the hub's own queue policy, not a copy of it.

Tickets are `common.domain.model.Ticket`s and every change of state is an event folded by the hub's own
projection (`projection.apply`); whenever a simulated window is free it asks the hub's call-next decision
(`policy.decide_call_next`: appointments in their slots, the green channel, arrival order, windows serving several
queues, tickets transferred to one window) whom to call, and recalls, no-shows (with the grace re-queue) and
transfers go through `decide_recall`, `decide_skip` and `decide_transfer`. What is simulated is only what people do:
when citizens arrive, how long they take to reach the window, whether they come, how long the service lasts.
"""
from __future__ import annotations

import bisect
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import simpy

from common.domain import errors as e
from common.domain import events as ev
from common.domain import policy
from common.domain.model import Outcome, Priority, SiteRules, SiteState, Ticket, TicketStatus, Window, WindowState
from common.domain.projection import apply


@dataclass(frozen=True)
class Behaviour:
    """What people do, in seconds; `measure.behaviour` learns it from a hub's event log."""

    call_to_start_s: float = 40.0  # the citizen walks to the window
    no_show: float = 0.07  # share of calls nobody answers
    recall_after_s: float = 45.0  # the clerk recalls after this, and skips as long again after the recall
    requeue: float = 0.3  # share of no-shows the clerk sends back to the queue (the rules allow one)
    transfer: float = 0.05  # share of services that end in a transfer to another queue
    turnaround_s: float = 25.0  # from finishing one citizen to calling the next
    idle_poll_s: float = 0.0  # 0: an idle window calls at once when a ticket arrives; else it looks again this often
    service_sigma: float = 0.35  # spread of a service's length (lognormal) around its item's median


@dataclass(frozen=True)
class Visit:
    """A recorded fate at the window, for a replay: served for `seconds`, or transferred after them, or absent."""

    kind: str  # "serve", "transfer", "no_show"
    seconds: float = 0.0
    to_queue_id: str | None = None
    to_window_id: str | None = None
    requeue: bool = False


@dataclass(frozen=True)
class Arrival:
    at: datetime
    queue_id: str
    item_id: str | None
    wait_limit_min: int
    service_median_s: float
    priority: Priority = Priority.normal
    slot: tuple[datetime, datetime] | None = None
    visits: tuple[Visit, ...] | None = None  # a replay's recorded fates; None: drawn from the behaviour


@dataclass
class Result:
    tickets: list[Ticket]
    busy: dict[str, list[tuple[datetime, datetime, str]]]  # window -> (called, freed, ticket) in order
    issued_in: dict[str, str]  # ticket -> the queue it was issued in (its queue_id moves on a transfer)
    end: datetime

    def waits(self, queue_id: str | None = None) -> list[float]:
        """Minutes from issue to first call of every ticket called (of one queue: where it was issued)."""
        return [(t.first_called_at - t.issued_at).total_seconds() / 60 for t in self.tickets
                if t.first_called_at is not None and (queue_id is None or self.issued_in[t.id] == queue_id)]


@dataclass
class _Hall:
    env: simpy.Environment
    t0: datetime
    rules: SiteRules
    behaviour: Behaviour
    rng: random.Random
    site_id: str
    queue_ids: tuple[str, ...]
    state: SiteState = field(default_factory=SiteState)
    waiting: dict[str, list[Ticket]] = field(default_factory=dict)
    arrived: dict[str, simpy.Event] = field(default_factory=dict)  # queue -> fires when a ticket joins it
    median_of: dict[str, float] = field(default_factory=dict)  # ticket -> service median (s)
    visits: dict[str, list[Visit]] = field(default_factory=dict)
    issued_in: dict[str, str] = field(default_factory=dict)
    windows_by_id: dict[str, Window] = field(default_factory=dict)
    seq: int = 0

    def now(self) -> datetime:
        return self.t0 + timedelta(seconds=self.env.now)

    def record(self, kind: str, data: dict) -> None:
        self.seq += 1
        apply(self.state, ev.Event(id=str(self.seq), site_id=self.site_id, kind=kind, at=self.now(), data=data))

    def enqueue(self, t: Ticket) -> None:
        bisect.insort(self.waiting.setdefault(t.queue_id, []), t, key=policy.static_key)
        fired = self.arrived.pop(t.queue_id, None)
        if fired is not None:
            fired.succeed()

    def dequeue(self, t: Ticket, queue_id: str) -> None:
        self.waiting[queue_id].remove(t)

    def wake(self, queue_ids: Iterable[str]) -> list[simpy.Event]:
        return [self.arrived.setdefault(q, self.env.event()) for q in queue_ids]


def _arrivals(hall: _Hall, arrivals: Sequence[Arrival]):
    counters: dict[str, int] = {}
    for n, a in enumerate(sorted(arrivals, key=lambda a: a.at)):
        delay = (a.at - hall.now()).total_seconds()
        if delay > 0:
            yield hall.env.timeout(delay)
        letter = a.queue_id
        counters[letter] = counters.get(letter, 0) + 1
        tid = f"t{n}"
        kind, data = policy.decide_issue(
            ticket_id=tid, day=hall.t0.date(), letter=letter[-1:], seq=counters[letter], queue_id=a.queue_id,
            item_id=a.item_id, bundle_id=None, priority=a.priority, wait_limit_min=a.wait_limit_min,
            service_limit_min=60, public_token=tid, slot=a.slot)
        hall.record(kind, data)
        t = hall.state.tickets[tid]
        hall.issued_in[tid] = a.queue_id
        hall.median_of[tid] = a.service_median_s
        if a.visits is not None:
            hall.visits[tid] = list(a.visits)
        hall.enqueue(t)


def _fate(hall: _Hall, t: Ticket, window: Window) -> Visit:
    scripted = hall.visits.get(t.id)
    if scripted is not None:
        return scripted.pop(0) if scripted else Visit("serve", hall.median_of[t.id])
    b, rng = hall.behaviour, hall.rng
    if rng.random() < b.no_show:
        return Visit("no_show", requeue=rng.random() < b.requeue)
    seconds = rng.lognormvariate(math.log(hall.median_of[t.id]), b.service_sigma)
    others = [q for q in hall.queue_ids if q != t.queue_id]
    if t.transfers == 0 and others and rng.random() < b.transfer:
        return Visit("transfer", seconds, to_queue_id=rng.choice(others))
    return Visit("serve", seconds)


def _window(hall: _Hall, window: Window, hours: Sequence[tuple[float, float]], busy: list):
    """One window's clerk: open in the `hours` given (seconds from the start), calling, serving, recalling."""
    env, b = hall.env, hall.behaviour
    ws = hall.state.windows.setdefault(window.id, WindowState(window_id=window.id, site_id=hall.site_id))
    for start, end in hours:
        if env.now < start:
            yield env.timeout(start - env.now)
        while env.now < end:
            decision = _ask(hall, window, ws)
            if decision is None:
                if b.idle_poll_s:
                    yield env.timeout(min(end - env.now, hall.rng.uniform(0.7, 1.3) * b.idle_poll_s))
                else:
                    yield env.any_of([*hall.wake(window.queue_ids), env.timeout(end - env.now)])
                continue
            kind, data = decision
            t = hall.state.tickets[data["ticket_id"]]
            hall.dequeue(t, t.queue_id)
            called = hall.now()
            hall.record(kind, data)
            visit = _fate(hall, t, window)
            if visit.kind == "no_show":
                yield env.timeout(b.recall_after_s)
                hall.record(*policy.decide_recall(hall.rules, ws, t))
                yield env.timeout(b.recall_after_s)
                hall.record(*policy.decide_skip(hall.rules, ws, t, visit.requeue))
                if t.status is TicketStatus.waiting:
                    hall.enqueue(t)
                busy.append((called, hall.now(), t.id))
                yield env.timeout(b.turnaround_s / 2)
                continue
            yield env.timeout(b.call_to_start_s)
            hall.record(*policy.decide_start(ws, t))
            yield env.timeout(max(1.0, visit.seconds))
            hall.record(*_end_of_service(hall, visit, ws, t))
            if t.status is TicketStatus.waiting:  # transferred
                hall.enqueue(t)
            busy.append((called, hall.now(), t.id))
            yield env.timeout(b.turnaround_s)


def _ask(hall: _Hall, window: Window, ws: WindowState) -> policy.Decision | None:
    """The hub's call-next decision, or None for its QueueEmpty."""
    if not any(hall.waiting.get(q) for q in window.queue_ids):
        return None  # nobody waiting in its queues: the decision could only say QueueEmpty (and build its message)
    try:
        return policy.decide_call_next(hall.rules, window, ws, hall.waiting, hall.now())
    except e.QueueEmpty:
        return None


def _end_of_service(hall: _Hall, visit: Visit, ws: WindowState, t: Ticket) -> policy.Decision:
    """Finished, or the recorded transfer where the policy allows it here (a replayed transfer to the window that
    now serves the ticket, or to a window not in this plan, is a finish)."""
    if visit.kind == "transfer":
        target = hall.windows_by_id.get(visit.to_window_id) if visit.to_window_id else None
        if visit.to_window_id is None or target is not None:
            try:
                return policy.decide_transfer(ws, t, visit.to_queue_id, hall.queue_ids, target)
            except e.HaobanError:
                pass
    return policy.decide_finish(ws, t, Outcome.completed)


def run(*, site_id: str, queue_ids: Iterable[str], windows: Sequence[Window],
        open_hours: Mapping[str, Sequence[tuple[datetime, datetime]]], arrivals: Sequence[Arrival], start: datetime,
        end: datetime, behaviour: Behaviour = Behaviour(), rules: SiteRules = SiteRules(), seed: int = 1,
        drain: timedelta = timedelta(hours=2)) -> Result:
    """Simulate the hall from `start` to `end` (+ `drain` for the last citizens, windows closed to new calls at their
    hours' end); `open_hours`: per window the spans it is staffed. Deterministic for a seed."""
    env = simpy.Environment()
    hall = _Hall(env, start, rules, behaviour, random.Random(seed), site_id, tuple(queue_ids))
    hall.windows_by_id = {w.id: w for w in windows}
    env.process(_arrivals(hall, arrivals))
    busy: dict[str, list] = {}
    for w in windows:
        spans = _merged(((a - start).total_seconds(), (b - start).total_seconds()) for a, b in open_hours.get(w.id, ()))
        if spans:
            busy[w.id] = []
            env.process(_window(hall, w, spans, busy[w.id]))
    env.run(until=(end + drain - start).total_seconds())
    return Result(list(hall.state.tickets.values()), busy, hall.issued_in, end)


def _merged(spans: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Spans that touch become one: a window open 09-10 and 10-11 does not stop calling at 10."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
