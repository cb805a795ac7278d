"""What the planning learns from a hub's own records: arrivals, service times, what clerks and citizens do, and a
recorded day as a replay (its arrivals, each ticket's fate at the windows, and which windows were staffed when)."""
from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from common.db.repo import event_from_row
from common.db.schema import EventRow, ServiceItemRow, WindowQueueRow, WindowRow
from common.domain import events as ev
from common.domain.clock import utc
from common.domain.model import Priority, Window, WindowKind
from common.domain.projection import fold
from common.planning.simulate import Arrival, Behaviour, Visit
from common.planning.staffing import Centre, ItemMix

TICKET_KINDS = (ev.TICKET_ISSUED, ev.TICKET_CALLED, ev.TICKET_RECALLED, ev.TICKET_SKIPPED, ev.TICKET_TRANSFERRED,
                ev.SERVICE_STARTED, ev.SERVICE_FINISHED, ev.WINDOW_PAUSED, ev.WINDOW_RESUMED)


def site_events(conn: Connection, site_id: str, start: datetime, end: datetime) -> list[ev.Event]:
    """The site's ticket and window events from `start` to `end`, in hub order."""
    start, end = utc(start), utc(end)  # SQLite keeps the instants as UTC without their zone
    rows = conn.execute(select(EventRow).where(EventRow.site_id == site_id, EventRow.kind.in_(TICKET_KINDS),
                                               EventRow.at >= start, EventRow.at < end).order_by(EventRow.seq))
    return [event_from_row(r) for r in rows]


def arrivals(events: Iterable[ev.Event]) -> list[tuple[str, datetime]]:
    """(queue, issued at) of every ticket: what the forecast counts."""
    return [(e.data["queue_id"], e.at) for e in events if e.kind == ev.TICKET_ISSUED]


def _median(values: Sequence[float], default: float) -> float:
    return float(statistics.median(values)) if values else default


def _mean(values: Sequence[float], default: float) -> float:
    return float(statistics.fmean(values)) if values else default


def service_medians(events: Iterable[ev.Event]) -> dict[str, float]:
    """Per item, the median seconds from service started to finished (or to a transfer during the service)."""
    item_of, started, spans = {}, {}, defaultdict(list)
    for e in events:
        tid = e.data.get("ticket_id")
        if e.kind == ev.TICKET_ISSUED:
            item_of[tid] = e.data.get("item_id")
        elif e.kind == ev.SERVICE_STARTED:
            started[tid] = e.at
        elif e.kind in (ev.SERVICE_FINISHED, ev.TICKET_TRANSFERRED) and tid in started and item_of.get(tid):
            spans[item_of[tid]].append((e.at - started.pop(tid)).total_seconds())
    return {item: _median(v, 600.0) for item, v in spans.items()}


def behaviour(events: Sequence[ev.Event], idle_poll_s: float = 0.0) -> Behaviour:
    """The walk to the window, no-shows, recalls, re-queues, transfers and the turn between citizens, as recorded."""
    called_at: dict[str, datetime] = {}
    window_of: dict[str, str] = {}
    issued: dict[str, datetime] = {}
    freed: dict[str, datetime] = {}  # window -> when it last let a ticket go
    walk, recall, turn = [], [], []
    calls = skips = requeues = services = transfers = 0
    for e in events:
        tid, wid = e.data.get("ticket_id"), e.data.get("window_id")
        if e.kind == ev.TICKET_ISSUED:
            issued[tid] = e.at
        elif e.kind == ev.TICKET_CALLED:
            calls += 1
            if wid in freed and issued.get(tid, e.at) <= freed[wid]:  # someone was waiting: the clerk's own pace
                turn.append((e.at - freed.pop(wid)).total_seconds())
            called_at[tid], window_of[tid] = e.at, wid
        elif e.kind == ev.TICKET_RECALLED and tid in called_at:
            recall.append((e.at - called_at[tid]).total_seconds())
            called_at[tid] = e.at
        elif e.kind == ev.SERVICE_STARTED and tid in called_at:
            walk.append((e.at - called_at[tid]).total_seconds())
        elif e.kind == ev.TICKET_SKIPPED:
            skips += 1
            requeues += bool(e.data.get("requeue"))
            if tid in called_at:
                recall.append((e.at - called_at[tid]).total_seconds())
            freed[wid] = e.at
        elif e.kind in (ev.SERVICE_FINISHED, ev.TICKET_TRANSFERRED):
            services += 1
            transfers += e.kind == ev.TICKET_TRANSFERRED
            freed[wid] = e.at
    d = Behaviour()
    # means, not medians: a window's capacity is what these add up to
    return Behaviour(call_to_start_s=_mean(walk, d.call_to_start_s), no_show=skips / calls if calls else d.no_show,
                     recall_after_s=_mean(recall, d.recall_after_s),
                     requeue=requeues / skips if skips else d.requeue,
                     transfer=transfers / services if services else d.transfer,
                     turnaround_s=_mean(turn, d.turnaround_s), idle_poll_s=idle_poll_s, service_sigma=d.service_sigma)


@dataclass(frozen=True)
class Replay:
    """A recorded day as the simulation's input."""

    arrivals: list[Arrival]
    open_hours: dict[str, list[tuple[datetime, datetime]]]  # window -> staffed spans (its pauses cut out)
    start: datetime
    end: datetime


def replay(events: Sequence[ev.Event], medians: dict[str, float], last: datetime | None = None) -> Replay:
    """The day's arrivals with each ticket's recorded fates, and each window staffed from the day's first event to
    its own last one, but for its pauses."""
    fates: dict[str, list[Visit]] = defaultdict(list)
    started: dict[str, datetime] = {}
    issued: list[ev.Event] = []
    first_event: dict[str, datetime] = {}
    last_event: dict[str, datetime] = {}
    paused: dict[str, datetime] = {}
    pauses: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for e in events:
        tid, wid = e.data.get("ticket_id"), e.data.get("window_id")
        if wid:
            first_event.setdefault(wid, e.at)
            last_event[wid] = e.at
        if e.kind == ev.TICKET_ISSUED:
            issued.append(e)
        elif e.kind == ev.SERVICE_STARTED:
            started[tid] = e.at
        elif e.kind == ev.SERVICE_FINISHED and tid in started:
            fates[tid].append(Visit("serve", (e.at - started.pop(tid)).total_seconds()))
        elif e.kind == ev.TICKET_TRANSFERRED:
            seconds = (e.at - started.pop(tid)).total_seconds() if tid in started else 0.0
            fates[tid].append(Visit("transfer", seconds, to_queue_id=e.data["to_queue_id"],
                                    to_window_id=e.data.get("to_window_id")))
        elif e.kind == ev.TICKET_SKIPPED:
            fates[tid].append(Visit("no_show", requeue=bool(e.data.get("requeue"))))
        elif e.kind == ev.WINDOW_PAUSED:
            paused[wid] = e.at
        elif e.kind == ev.WINDOW_RESUMED and wid in paused:
            pauses[wid].append((paused.pop(wid), e.at))
    start = issued[0].at if issued else events[0].at
    end = last or max(last_event.values(), default=start)
    out = []
    for e in issued:
        d = e.data
        slot = (datetime.fromisoformat(d["slot_start"]), datetime.fromisoformat(d["slot_end"])) if d.get("slot_start") else None
        out.append(Arrival(e.at, d["queue_id"], d.get("item_id"), d["wait_limit_min"], medians.get(d.get("item_id") or "", 600.0),
                           Priority(d["priority"]), slot, tuple(fates.get(d["ticket_id"], ()))))
    hours = {}
    for wid, until in last_event.items():
        spans, at = [], start
        for a, b in sorted(pauses[wid]) + ([(paused[wid], end)] if wid in paused else []):
            spans.append((at, a))
            at = b
        spans.append((at, until))
        hours[wid] = [(a, b) for a, b in spans if b > a]
    return Replay(out, hours, start, end)


def centre(conn: Connection, site_id: str, medians: dict[str, float], behaviour: Behaviour | None = None) -> Centre:
    """The site's windows and items from its reference data; an item the hub has not measured yet is taken at its
    standard minutes, and each item of a queue as likely as another."""
    windows = []
    for w in conn.execute(select(WindowRow).where(WindowRow.site_id == site_id).order_by(WindowRow.number)):
        qs = tuple(r.queue_id for r in conn.execute(select(WindowQueueRow).where(WindowQueueRow.window_id == w.id)
                                                    .order_by(WindowQueueRow.position)))
        windows.append(Window(w.id, site_id, w.number, w.name, WindowKind(w.kind), qs))
    items: dict[str, list] = defaultdict(list)
    for i in conn.execute(select(ServiceItemRow).where(ServiceItemRow.site_id == site_id)):
        items[i.queue_id].append(i)
    mixes = {q: tuple(ItemMix(i.id, 1 / len(rows), medians.get(i.id, i.standard_minutes * 60.0), i.wait_limit_min)
                      for i in rows) for q, rows in items.items()}
    return Centre(site_id, tuple(windows), mixes, behaviour=behaviour or Behaviour())


def recorded_waits(events: Iterable[ev.Event]) -> dict[str, list[float]]:
    """Per queue a ticket was issued in, the minutes from issue to first call of each ticket called, as the hub
    recorded them (the projection's fold of the events)."""
    events = list(events)
    issued_in = {e.data["ticket_id"]: e.data["queue_id"] for e in events if e.kind == ev.TICKET_ISSUED}
    out: dict[str, list[float]] = defaultdict(list)
    for t in fold(events).tickets.values():
        if t.first_called_at is not None:
            out[issued_in[t.id]].append((t.first_called_at - t.issued_at).total_seconds() / 60)
    return dict(out)


def p90(values: Sequence[float]) -> float:
    """The 90th percentile (nearest rank): the wait nine tickets in ten did not exceed."""
    v = sorted(values)
    return v[max(0, -(-9 * len(v) // 10) - 1)]
