"""The projection: current state as a deterministic fold of events. Used live by the hub and to rebuild."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from common.domain import cases, homevisits, sla, videohelp
from common.domain import events as ev
from common.domain.model import UNRATED, Outcome, Priority, SiteState, Ticket, TicketStatus, WindowState


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _window(state: SiteState, event: ev.Event) -> WindowState:
    wid = cast(str, event.window_id)  # a window's event always names its window
    ws = state.windows.get(wid)
    if ws is None:
        ws = state.windows[wid] = WindowState(window_id=wid, site_id=event.site_id)
    return ws


def _bump(state: SiteState, site_id: str, day: str, letter: str, number: int) -> None:
    key = (site_id, day, letter)
    state.counters[key] = max(state.counters.get(key, 0), number)


# What an event needs to find, for it to take effect: (ticket statuses, must the window hold the ticket).
_NEEDS = {
    ev.TICKET_RECALLED: ({TicketStatus.called}, True),
    ev.SERVICE_STARTED: ({TicketStatus.called}, True),
    ev.TICKET_SKIPPED: ({TicketStatus.called}, True),
    ev.TICKET_TRANSFERRED: ({TicketStatus.called, TicketStatus.serving}, True),
    ev.SERVICE_FINISHED: ({TicketStatus.serving}, True),
    ev.TICKET_CALLED: ({TicketStatus.waiting}, False),
    ev.TICKET_RATED: ({TicketStatus.finished}, False),
    ev.TICKET_UNRATED: ({TicketStatus.finished}, False),
    ev.TICKET_EXPIRED: ({TicketStatus.waiting, TicketStatus.called}, False),
}


def apply(state: SiteState, event: ev.Event) -> bool:
    """Apply one event to `state`, touching only the ticket and window it names.

    Returns False when the event is void: it stays in the log but changes nothing. The hub's own
    commands are never void (the policy checked them); events made offline can be, and the rules
    are in docs/sync.md (e.g. a ticket called by two windows while cut off: the first call in hub
    order wins, the later one is void and its window is told).
    """
    d = event.data
    if event.kind in cases.KINDS:
        return cases.apply(state.cases, event.site_id, event.kind, event.at, d)
    if event.kind in videohelp.KINDS:
        return videohelp.apply(state.video, event.site_id, event.kind, event.at, d)
    if event.kind in homevisits.KINDS:
        return homevisits.apply(state.home, event.site_id, event.kind, event.at, d)
    if event.kind == ev.SEARCH_MISSED:  # kept in the log for the guide editors (common/readmodels/searchmisses.py)
        return True
    if event.kind == ev.NUMBERS_LEASED:
        _bump(state, event.site_id, d["business_day"], d["letter"], d["last"])
        return True
    if event.kind == ev.TICKET_ISSUED:
        number = (event.site_id, d["business_day"], d["number"])
        if d["ticket_id"] in state.tickets or number in state.numbers:
            return False
        state.numbers.add(number)
        _bump(state, event.site_id, d["business_day"], d["letter"], d["seq"])
        state.tickets[d["ticket_id"]] = Ticket(
            id=d["ticket_id"],
            site_id=event.site_id,
            business_day=d["business_day"],
            number=d["number"],
            letter=d["letter"],
            seq=d["seq"],
            queue_id=d["queue_id"],
            item_id=d.get("item_id"),
            bundle_id=d.get("bundle_id"),
            priority=Priority(d["priority"]),
            issued_at=event.at,
            arrival_at=event.at,
            wait_limit_min=d["wait_limit_min"],
            service_limit_min=d["service_limit_min"],
            public_token=d["public_token"],
            slot_start=_dt(d.get("slot_start")),
            slot_end=_dt(d.get("slot_end")),
            waiting_since=event.at,
        )
        return True
    if event.kind in (ev.WINDOW_PAUSED, ev.WINDOW_RESUMED):
        ws = _window(state, event)
        ws.paused = event.kind == ev.WINDOW_PAUSED
        ws.pause_reason = d.get("reason") if ws.paused else None
        return True
    if event.kind not in _NEEDS:
        raise ValueError(f"unknown event kind {event.kind!r}")

    t = state.tickets.get(d["ticket_id"])
    statuses, held = _NEEDS[event.kind]
    if t is None or t.status not in statuses:
        return False
    if event.kind in (ev.TICKET_RATED, ev.TICKET_UNRATED):
        if t.rating_score is not None:  # one rating per service, an unanswered one included
            return False
        t.rating_score, t.rating_reason = (d["score"], d.get("reason")) if event.kind == ev.TICKET_RATED else (UNRATED, None)
        sla.service_rated(t, t.rating_score)
        return True
    if event.kind == ev.TICKET_EXPIRED:  # a called ticket frees its window; the event names the day, not a window
        if d.get("window_id") and t.status is TicketStatus.called:
            held_by = state.windows.get(d["window_id"])
            if held_by is not None and held_by.current_ticket_id == t.id:
                held_by.current_ticket_id = None
        # (left waiting, its open span stays open: `sla.wait_seconds` ends it with its day)
        t.status, t.window_id = TicketStatus.expired, None
        return True

    ws = _window(state, event)
    if held != (ws.current_ticket_id == t.id) or (not held and ws.current_ticket_id is not None):
        return False
    if event.kind == ev.TICKET_CALLED:
        t.status, t.window_id, t.clerk_id = TicketStatus.called, ws.window_id, event.clerk_id
        t.called_at, t.recalls = event.at, 0
        t.first_called_at = t.first_called_at or event.at
        sla.wait_closes(t, event.at)
        ws.current_ticket_id, ws.clerk_id = t.id, event.clerk_id
    elif event.kind == ev.TICKET_RECALLED:
        t.recalls += 1
        t.called_at = event.at
    elif event.kind == ev.SERVICE_STARTED:
        t.status, t.started_at = TicketStatus.serving, event.at
    elif event.kind == ev.TICKET_SKIPPED:
        if d.get("requeue"):
            t.status, t.arrival_at, t.requeues = TicketStatus.waiting, event.at, t.requeues + 1
            t.window_id = None
            sla.wait_opens(t, event.at)
        else:
            t.status = TicketStatus.no_show
        ws.current_ticket_id = None
    elif event.kind == ev.TICKET_TRANSFERRED:
        if t.status is TicketStatus.serving:
            sla.service_ends(t, event.at, sla.TRANSFERRED)
        t.started_at = None  # the next window's service starts afresh; this one's is kept in `services`
        sla.wait_opens(t, event.at)
        t.status, t.queue_id, t.window_id = TicketStatus.waiting, d["to_queue_id"], None
        t.target_window_id = d.get("to_window_id")
        t.transfers += 1
        ws.current_ticket_id = None
    elif event.kind == ev.SERVICE_FINISHED:
        t.status, t.finished_at = TicketStatus.finished, event.at
        sla.service_ends(t, event.at, sla.FINISHED)
        t.outcome = Outcome(d["outcome"])
        t.outcome_reason = d.get("reason")
        t.missing_materials = d.get("missing_materials")
        t.due_date = d.get("due_date")
        ws.current_ticket_id = None
    return True


def fold(events: Iterable[ev.Event], state: SiteState | None = None) -> SiteState:
    """The state that a sequence of events (in hub order) produces."""
    state = state or SiteState()
    for event in events:
        apply(state, event)
    return state
