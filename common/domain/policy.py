"""The queue policy as pure functions of plain data: who is called next, and which commands are allowed.

Each `decide_*` function checks a command against the current state and returns the event
(kind, data) it produces, or raises a `HaobanError`. Nothing here does I/O.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta

from common.domain import errors as e
from common.domain import events as ev
from common.domain.model import Outcome, Priority, Role, SiteRules, Ticket, TicketStatus, Window, WindowState

Decision = tuple[str, dict]


# ---------------------------------------------------------------- ordering

def static_key(t: Ticket) -> tuple:
    """Order of a queue that does not depend on the time: appointments, then green channel, then the rest."""
    cls = 0 if t.slot_start is not None else 1 if t.priority is Priority.green else 2
    return (cls, t.arrival_at, t.seq, t.id)


def in_slot(t: Ticket, now: datetime, rules: SiteRules) -> bool:
    return (
        t.slot_start is not None
        and t.slot_end is not None
        and t.slot_start - timedelta(minutes=rules.appointment_early_min) <= now <= t.slot_end
    )


def rank(t: Ticket, now: datetime, rules: SiteRules) -> tuple:
    """Who goes first: checked-in appointments inside their slot, then green channel, then by arrival."""
    cls = 0 if in_slot(t, now, rules) else 1 if t.priority is Priority.green else 2
    return (cls, t.arrival_at, t.seq, t.id)


def sort_queue(tickets: Iterable[Ticket]) -> list[Ticket]:
    return sorted(tickets, key=static_key)


def for_window(t: Ticket, window_id: str | None) -> bool:
    """May `window_id` call `t` next? Yes unless it was transferred to another window."""
    return t.target_window_id is None or t.target_window_id == window_id


def choose_next(
    waiting_by_queue: Mapping[str, Sequence[Ticket]],
    queue_ids: Iterable[str],
    now: datetime,
    rules: SiteRules,
    window_id: str | None = None,
) -> Ticket | None:
    """The ticket the window `window_id` serving `queue_ids` calls next.

    Each queue's tickets must be sorted by `static_key`. Only the appointments at the head of a
    queue, its first green ticket and its first other ticket can be the best, so the cost does
    not grow with the length of the queue. Tickets transferred to another window are passed over;
    one transferred to this window is ranked like any other (it kept its arrival, so it is near the front).
    """
    best, best_rank = None, None
    for qid in queue_ids:
        tickets = waiting_by_queue.get(qid, ())
        seen_green = seen_normal = False
        for t in tickets:
            if not for_window(t, window_id):
                continue
            if t.slot_start is None:
                if t.priority is Priority.green:
                    if seen_green:
                        continue
                    seen_green = True
                else:
                    seen_normal = True
            r = rank(t, now, rules)
            if best_rank is None or r < best_rank:
                best, best_rank = t, r
            if seen_normal:
                break
    return best


# ---------------------------------------------------------------- estimates

DEFAULT_WAIT_MINUTES = 15  # per citizen ahead, for a bundle (一件事), which has no standard time of its own


def estimate_wait_minutes(ahead: int, standard_minutes: int | None, windows: int) -> int:
    """The plain estimate shown to citizens: people ahead × the item's standard time ÷ the windows serving it."""
    return round(ahead * (standard_minutes or DEFAULT_WAIT_MINUTES) / (windows or 1))


# ---------------------------------------------------------------- numbering

def format_number(letter: str, seq: int) -> str:
    """A012: the queue letter and at least three digits. Past 999 the number grows (A1000), never wraps."""
    return f"{letter}{seq:03d}"


# ---------------------------------------------------------------- commands

GREEN_AGE = 70  # the green channel by age (docs/queue.md): the hub checks it; the kiosk offers it by the same


def green_granted(role: Role, clerk_id: str | None, age: int | None = None) -> bool:
    """The one rule of the green channel (绿色通道), for `POST /tickets` and pushed tickets alike (docs/sync.md):
    staff gave it (a clerk signed in on the device: a terminal, or a kiosk's guide signed in for that ticket), or
    the hub read the citizen's age from the ID card's number (online only: no ID number is ever pushed), or a hub
    relays a ticket its own door let in. A device's word alone never gives it."""
    return role is Role.hub or clerk_id is not None or (age is not None and age >= GREEN_AGE)


def decide_issue(
    *,
    ticket_id: str,
    day: date,
    letter: str,
    seq: int,
    queue_id: str,
    item_id: str | None,
    bundle_id: str | None,
    priority: Priority,
    wait_limit_min: int,
    service_limit_min: int,
    public_token: str,
    slot: tuple[datetime, datetime] | None = None,
) -> Decision:
    if slot is not None and not slot[0] < slot[1]:
        raise e.InvalidInput("slot_invalid")
    return ev.TICKET_ISSUED, {
        "ticket_id": ticket_id,
        "business_day": day.isoformat(),
        "number": format_number(letter, seq),
        "letter": letter,
        "seq": seq,
        "queue_id": queue_id,
        "item_id": item_id,
        "bundle_id": bundle_id,
        "priority": priority.value,
        "wait_limit_min": wait_limit_min,
        "service_limit_min": service_limit_min,
        "public_token": public_token,
        "slot_start": slot[0].isoformat() if slot else None,
        "slot_end": slot[1].isoformat() if slot else None,
    }


def decide_lease(*, letter: str, day: str, first: int, last: int) -> Decision:
    return ev.NUMBERS_LEASED, {"letter": letter, "business_day": day, "first": first, "last": last}


def _free(ws: WindowState) -> None:
    if ws.paused:
        raise e.WindowPaused()
    if ws.current_ticket_id is not None:
        raise e.WindowBusy()


def _current(ws: WindowState, ticket: Ticket | None) -> Ticket:
    if ws.current_ticket_id is None or ticket is None or ticket.id != ws.current_ticket_id:
        raise e.WindowIdle()
    return ticket


def decide_call_next(
    rules: SiteRules,
    window: Window,
    ws: WindowState,
    waiting_by_queue: Mapping[str, Sequence[Ticket]],
    now: datetime,
) -> Decision:
    _free(ws)
    t = choose_next(waiting_by_queue, window.queue_ids, now, rules, window.id)
    if t is None:
        raise e.QueueEmpty()
    return ev.TICKET_CALLED, {"ticket_id": t.id, "window_id": window.id, "reason": None}


def decide_call_specific(window: Window, ws: WindowState, ticket: Ticket, reason: str) -> Decision:
    _free(ws)
    if ticket.status is not TicketStatus.waiting:
        raise e.TicketNotWaiting()
    if ticket.queue_id not in window.queue_ids:
        raise e.QueueNotServed()
    if not (reason or "").strip():
        raise e.ReasonRequired("out_of_order_reason")
    return ev.TICKET_CALLED, {"ticket_id": ticket.id, "window_id": window.id, "reason": reason.strip()}


def decide_recall(rules: SiteRules, ws: WindowState, ticket: Ticket | None) -> Decision:
    t = _current(ws, ticket)
    if t.status is not TicketStatus.called:
        raise e.AlreadyStarted()
    if t.recalls >= rules.recall_limit:
        raise e.RecallLimit()
    return ev.TICKET_RECALLED, {"ticket_id": t.id, "window_id": ws.window_id}


def decide_skip(rules: SiteRules, ws: WindowState, ticket: Ticket | None, requeue: bool) -> Decision:
    t = _current(ws, ticket)
    if t.status is not TicketStatus.called:
        raise e.AlreadyStarted()
    if t.recalls < rules.recalls_before_skip:
        raise e.SkipTooEarly()
    requeue = bool(requeue) and t.requeues < rules.grace_requeues
    return ev.TICKET_SKIPPED, {"ticket_id": t.id, "window_id": ws.window_id, "requeue": requeue}


def decide_transfer(
    ws: WindowState,
    ticket: Ticket | None,
    to_queue_id: str | None,
    site_queue_ids: Iterable[str],
    to_window: Window | None = None,
) -> Decision:
    """Send the current ticket to another queue, or to one window (then only that window calls it next).

    To a window without a queue: the ticket stays in its queue when that window serves it, otherwise it
    goes to the window's first queue.
    """
    t = _current(ws, ticket)
    if to_window is not None:
        if to_window.id == ws.window_id:
            raise e.InvalidInput("transfer_own_window")
        if not to_window.queue_ids:
            raise e.QueueNotServed("target_serves_nothing")
        if to_queue_id is None:
            to_queue_id = t.queue_id if t.queue_id in to_window.queue_ids else to_window.queue_ids[0]
        elif to_queue_id not in to_window.queue_ids:
            raise e.QueueNotServed("target_not_serving")
    if to_queue_id is None:
        raise e.InvalidInput("transfer_target")
    if to_queue_id not in set(site_queue_ids):
        raise e.NotFound("no_target_queue")
    if to_window is None and to_queue_id == t.queue_id:
        raise e.InvalidInput("same_queue")
    return ev.TICKET_TRANSFERRED, {
        "ticket_id": t.id,
        "window_id": ws.window_id,
        "from_queue_id": t.queue_id,
        "to_queue_id": to_queue_id,
        "to_window_id": to_window.id if to_window else None,
    }


def decide_start(ws: WindowState, ticket: Ticket | None) -> Decision:
    t = _current(ws, ticket)
    if t.status is not TicketStatus.called:
        raise e.AlreadyStarted()
    return ev.SERVICE_STARTED, {"ticket_id": t.id, "window_id": ws.window_id}


def decide_finish(
    ws: WindowState,
    ticket: Ticket | None,
    outcome: Outcome,
    reason: str | None = None,
    missing_materials: str | None = None,
    due_date: date | None = None,
    guide_wrong: bool = False,
) -> Decision:
    """`guide_wrong` (with a refusal only): the clerk says the matter's 办事指南 misled the citizen, a flag for its
    editors; kept in the event only when raised."""
    t = _current(ws, ticket)
    if t.status is not TicketStatus.serving:
        raise e.NotStarted()
    reason = (reason or "").strip() or None
    missing_materials = (missing_materials or "").strip() or None
    if outcome is Outcome.rejected and not reason:
        raise e.ReasonRequired("rejection_reason")
    if outcome is Outcome.accepted_missing:
        if not missing_materials or due_date is None:
            raise e.InvalidInput("missing_materials")
        if due_date < t.issued_at.date():
            raise e.InvalidInput("due_date_past")
    else:
        missing_materials, due_date = None, None
    if guide_wrong is not False and (guide_wrong is not True or outcome is not Outcome.rejected):
        raise e.InvalidInput("guide_wrong_rejected_only")
    return ev.SERVICE_FINISHED, {
        "ticket_id": t.id,
        "window_id": ws.window_id,
        "outcome": outcome.value,
        "reason": reason,
        "missing_materials": missing_materials,
        "due_date": due_date.isoformat() if due_date else None,
    } | ({"guide_wrong": True} if guide_wrong else {})


def decide_rate(ticket: Ticket, score: int | None, reason: str | None) -> Decision:
    """A score 5 (非常满意) .. 1 (非常不满意); None when the citizen gave no answer in time (未评价)."""
    if ticket.status is not TicketStatus.finished:
        raise e.NotFinished()
    if ticket.rating_score is not None:
        raise e.AlreadyRated()
    if score is None:
        return ev.TICKET_UNRATED, {"ticket_id": ticket.id}
    if score not in (1, 2, 3, 4, 5):
        raise e.InvalidInput("score_range")
    reason = (reason or "").strip() or None
    if score <= 2 and not reason:
        raise e.ReasonRequired("low_score_reason")
    return ev.TICKET_RATED, {"ticket_id": ticket.id, "score": score, "reason": reason}


def decide_pause(ws: WindowState, reason: str | None) -> Decision:
    if ws.paused:
        raise e.WindowPaused()
    if ws.current_ticket_id is not None:
        raise e.WindowBusy()
    return ev.WINDOW_PAUSED, {"window_id": ws.window_id, "reason": (reason or "").strip() or None}


def decide_resume(ws: WindowState) -> Decision:
    if not ws.paused:
        raise e.WindowNotPaused()
    return ev.WINDOW_RESUMED, {"window_id": ws.window_id}
