"""Unit tests of the queue policy: pure functions, no I/O."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from common.domain import errors as e
from common.domain import events as ev
from common.domain import policy
from common.domain.events import Event
from common.domain.model import Outcome, Priority, Role, SiteRules, Ticket, TicketStatus, Window, WindowKind, WindowState
from common.domain.projection import fold

T0 = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
RULES = SiteRules()


def ticket(n: int, queue="qA", minutes=0, priority=Priority.normal, slot=None, **kw) -> Ticket:
    at = T0 + timedelta(minutes=minutes)
    return Ticket(id=f"t{n:03d}", site_id="s", business_day="2026-11-26", number=f"A{n:03d}", letter="A", seq=n,
                  queue_id=queue, item_id="i", bundle_id=None, priority=priority, issued_at=at, arrival_at=at,
                  wait_limit_min=10, service_limit_min=20, public_token=f"p{n}",
                  slot_start=slot[0] if slot else None, slot_end=slot[1] if slot else None,
                  **{"waiting_since": at, **kw})  # a ticket just issued is waiting


def window(queues=("qA",)) -> Window:
    return Window(id="w1", site_id="s", number=1, name="1号窗口", kind=WindowKind.general, queue_ids=tuple(queues))


def by_queue(*tickets):
    out = {}
    for t in policy.sort_queue(tickets):
        out.setdefault(t.queue_id, []).append(t)
    return out


def test_arrival_order_within_a_class():
    a, b, c = ticket(1, minutes=0), ticket(2, minutes=1), ticket(3, minutes=2)
    assert policy.choose_next(by_queue(c, a, b), ["qA"], T0 + timedelta(minutes=5), RULES) is a


def test_green_channel_goes_before_earlier_normal_tickets():
    normal, green = ticket(1, minutes=0), ticket(2, minutes=3, priority=Priority.green)
    assert policy.choose_next(by_queue(normal, green), ["qA"], T0 + timedelta(minutes=5), RULES) is green


def test_appointment_inside_its_slot_goes_first_and_outside_it_waits_by_arrival():
    now = T0 + timedelta(minutes=30)
    green = ticket(1, minutes=0, priority=Priority.green)
    in_slot = ticket(2, minutes=20, slot=(now - timedelta(minutes=5), now + timedelta(minutes=25)))
    assert policy.choose_next(by_queue(green, in_slot), ["qA"], now, RULES) is in_slot
    early = ticket(3, minutes=20, slot=(now + timedelta(hours=2), now + timedelta(hours=3)))
    normal_before = ticket(4, minutes=10)
    assert policy.choose_next(by_queue(early, normal_before), ["qA"], now, RULES) is normal_before
    normal_after = ticket(5, minutes=25)
    assert policy.choose_next(by_queue(early, normal_after), ["qA"], now, RULES) is early


def test_a_window_calls_only_from_the_queues_it_serves():
    other = ticket(1, queue="qB")
    assert policy.choose_next(by_queue(other), ["qA"], T0, RULES) is None
    with pytest.raises(e.QueueEmpty):
        policy.decide_call_next(RULES, window(), WindowState("w1", "s"), by_queue(other), T0)
    with pytest.raises(e.QueueNotServed):
        policy.decide_call_specific(window(), WindowState("w1", "s"), other, "老人行动不便")


def test_transferred_ticket_keeps_its_arrival_and_goes_ahead_of_newer_tickets():
    old = ticket(1, queue="qA", minutes=0)
    newer = ticket(2, queue="qB", minutes=5)
    state = fold([])
    state.tickets = {old.id: old, newer.id: newer}
    ws = WindowState("w1", "s", current_ticket_id=old.id)
    state.windows["w1"] = ws
    old.status = TicketStatus.called
    kind, data = policy.decide_transfer(ws, old, "qB", ["qA", "qB"])
    fold([Event(id="e", site_id="s", kind=kind, at=T0 + timedelta(minutes=9), data=data)], state)
    assert old.queue_id == "qB" and old.arrival_at == T0 and old.status is TicketStatus.waiting
    assert policy.choose_next(by_queue(old, newer), ["qB"], T0 + timedelta(minutes=10), RULES) is old


def other_window(number=5, queues=("qA", "qB")) -> Window:
    return Window(id=f"w{number}", site_id="s", number=number, name=f"{number}号窗口", kind=WindowKind.general,
                  queue_ids=tuple(queues))


def test_transfer_to_a_window_only_that_window_calls_it_next():
    mine, newer = ticket(1, minutes=0), ticket(2, minutes=5)
    ws = called(mine)
    target = other_window(5, queues=("qB", "qA"))
    kind, data = policy.decide_transfer(ws, mine, None, ["qA", "qB"], target)
    assert data["to_window_id"] == "w5" and data["to_queue_id"] == "qA"  # window 5 serves qA: it stays in qA
    state = fold([])
    state.tickets, state.windows = {mine.id: mine, newer.id: newer}, {"w1": ws}
    assert fold([Event(id="e", site_id="s", kind=kind, at=T0 + timedelta(minutes=9), data=data)], state) is state
    assert mine.status is TicketStatus.waiting and mine.target_window_id == "w5" and mine.arrival_at == T0
    later = T0 + timedelta(minutes=10)
    # window 1 passes over it (the newer ticket is its next), window 5 calls it first (it kept its arrival)
    assert policy.choose_next(by_queue(mine, newer), ["qA"], later, RULES, "w1") is newer
    assert policy.choose_next(by_queue(mine, newer), ["qA"], later, RULES, "w5") is mine
    assert policy.decide_call_next(RULES, target, WindowState("w5", "s"), by_queue(mine, newer), later)[1]["ticket_id"] == mine.id
    with pytest.raises(e.QueueEmpty):  # nothing else waits for window 1
        policy.decide_call_next(RULES, window(), WindowState("w1", "s"), by_queue(mine), later)
    # a later plain transfer to a queue makes it anybody's again
    ws5 = called(mine)
    _, data = policy.decide_transfer(ws5, mine, "qB", ["qA", "qB"])
    assert data["to_window_id"] is None


def test_transfer_to_a_window_takes_a_queue_it_serves():
    t = ticket(1)
    ws = called(t)
    assert policy.decide_transfer(ws, t, None, ["qA", "qB"], other_window(5, ("qB",)))[1]["to_queue_id"] == "qB"
    assert policy.decide_transfer(ws, t, "qB", ["qA", "qB"], other_window(5))[1]["to_queue_id"] == "qB"
    with pytest.raises(e.QueueNotServed):
        policy.decide_transfer(ws, t, "qC", ["qA", "qB", "qC"], other_window(5))
    with pytest.raises(e.QueueNotServed):
        policy.decide_transfer(ws, t, None, ["qA"], other_window(5, ()))
    with pytest.raises(e.InvalidInput):  # not to its own window
        policy.decide_transfer(ws, t, None, ["qA"], window())
    with pytest.raises(e.InvalidInput):  # neither a queue nor a window
        policy.decide_transfer(ws, t, None, ["qA"])
    with pytest.raises(e.InvalidInput):  # a plain transfer to its own queue changes nothing
        policy.decide_transfer(ws, t, "qA", ["qA"])


def test_call_specific_needs_a_reason_and_a_free_window():
    t = ticket(1)
    with pytest.raises(e.ReasonRequired):
        policy.decide_call_specific(window(), WindowState("w1", "s"), t, "  ")
    with pytest.raises(e.WindowBusy):
        policy.decide_call_specific(window(), WindowState("w1", "s", current_ticket_id="x"), t, "急事")
    with pytest.raises(e.WindowPaused):
        policy.decide_call_specific(window(), WindowState("w1", "s", paused=True), t, "急事")
    kind, data = policy.decide_call_specific(window(), WindowState("w1", "s"), t, " 急事 ")
    assert kind == ev.TICKET_CALLED and data["reason"] == "急事"


def called(t: Ticket, recalls=0, requeues=0):
    t.status, t.window_id, t.recalls, t.requeues = TicketStatus.called, "w1", recalls, requeues
    return WindowState("w1", "s", current_ticket_id=t.id)


def test_recall_limit_and_skip_after_recalls():
    rules = SiteRules(recall_limit=2, recalls_before_skip=1, grace_requeues=1)
    t = ticket(1)
    ws = called(t)
    with pytest.raises(e.SkipTooEarly):
        policy.decide_skip(rules, ws, t, requeue=False)
    assert policy.decide_recall(rules, ws, t)[0] == ev.TICKET_RECALLED
    ws = called(t, recalls=2)
    with pytest.raises(e.RecallLimit):
        policy.decide_recall(rules, ws, t)
    assert policy.decide_skip(rules, ws, t, requeue=True)[1]["requeue"] is True
    ws = called(t, recalls=2, requeues=1)  # the grace re-queue is used up: a plain no-show
    assert policy.decide_skip(rules, ws, t, requeue=True)[1]["requeue"] is False


def test_grace_requeue_puts_the_ticket_at_the_end_of_its_queue():
    t, later = ticket(1), ticket(2, minutes=3)
    ws = called(t, recalls=1)
    kind, data = policy.decide_skip(RULES, ws, t, requeue=True)
    state = fold([])
    state.tickets, state.windows = {t.id: t, later.id: later}, {"w1": ws}
    fold([Event(id="e", site_id="s", kind=kind, at=T0 + timedelta(minutes=8), data=data)], state)
    assert t.status is TicketStatus.waiting and ws.current_ticket_id is None
    assert policy.choose_next(by_queue(t, later), ["qA"], T0 + timedelta(minutes=9), RULES) is later


@pytest.mark.parametrize(
    "outcome, kw, error",
    [
        (Outcome.rejected, {}, e.ReasonRequired),
        (Outcome.accepted_missing, {"missing_materials": "户口簿"}, e.InvalidInput),
        (Outcome.accepted_missing, {"due_date": date(2026, 12, 1)}, e.InvalidInput),
        (Outcome.accepted_missing, {"missing_materials": "户口簿", "due_date": date(2026, 11, 1)}, e.InvalidInput),
    ],
)
def test_finish_validates_the_outcome(outcome, kw, error):
    t = ticket(1)
    ws = called(t)
    t.status = TicketStatus.serving
    with pytest.raises(error):
        policy.decide_finish(ws, t, outcome, **kw)


def test_finish_needs_a_started_service_and_records_the_outcome():
    t = ticket(1)
    ws = called(t)
    with pytest.raises(e.NotStarted):
        policy.decide_finish(ws, t, Outcome.completed)
    t.status = TicketStatus.serving
    kind, data = policy.decide_finish(ws, t, Outcome.accepted_missing, missing_materials="户口簿复印件", due_date=date(2026, 12, 1))
    assert kind == ev.SERVICE_FINISHED and data["due_date"] == "2026-12-01"
    kind, data = policy.decide_finish(ws, t, Outcome.completed, missing_materials="ignored")
    assert data["missing_materials"] is None


def test_rating_rules():
    t = ticket(1)
    with pytest.raises(e.NotFinished):
        policy.decide_rate(t, 5, None)
    t.status = TicketStatus.finished
    for bad in (1, 2):
        with pytest.raises(e.ReasonRequired):
            policy.decide_rate(t, bad, " ")
    with pytest.raises(e.InvalidInput):
        policy.decide_rate(t, 6, None)
    assert policy.decide_rate(t, 3, None)[1]["score"] == 3
    assert policy.decide_rate(t, None, None) == (ev.TICKET_UNRATED, {"ticket_id": t.id})  # no answer in time
    t.rating_score = 4
    with pytest.raises(e.AlreadyRated):
        policy.decide_rate(t, 5, None)
    with pytest.raises(e.AlreadyRated):
        policy.decide_rate(t, None, None)


def test_an_unrated_service_takes_no_later_rating_in_the_projection():
    from common.domain.model import UNRATED

    at = datetime(2026, 11, 26, 1, 0, tzinfo=timezone.utc)
    issue = {"ticket_id": "t1", "business_day": "2026-11-26", "number": "A001", "letter": "A", "seq": 1,
             "queue_id": "qA", "item_id": "iA", "priority": "normal", "wait_limit_min": 10, "service_limit_min": 20,
             "public_token": "a-public-token-0001"}
    steps = [(ev.TICKET_ISSUED, issue), (ev.TICKET_CALLED, {"ticket_id": "t1", "window_id": "w1"}),
             (ev.SERVICE_STARTED, {"ticket_id": "t1", "window_id": "w1"}),
             (ev.SERVICE_FINISHED, {"ticket_id": "t1", "window_id": "w1", "outcome": "completed"}),
             (ev.TICKET_UNRATED, {"ticket_id": "t1"}), (ev.TICKET_RATED, {"ticket_id": "t1", "score": 1, "reason": "x"})]
    for kind, data in steps:
        ev.validate(kind, data)
    state = fold(Event(id=str(i), site_id="s", kind=k, at=at, data=d) for i, (k, d) in enumerate(steps))
    assert state.tickets["t1"].rating_score == UNRATED and state.tickets["t1"].rating_reason is None


def test_pause_and_resume():
    ws = WindowState("w1", "s")
    with pytest.raises(e.WindowNotPaused):
        policy.decide_resume(ws)
    assert policy.decide_pause(ws, "午休")[1]["reason"] == "午休"
    with pytest.raises(e.WindowBusy):
        policy.decide_pause(WindowState("w1", "s", current_ticket_id="t"), None)
    ws.paused = True
    with pytest.raises(e.WindowPaused):
        policy.decide_call_next(RULES, window(), ws, by_queue(ticket(1)), T0)
    assert policy.decide_resume(ws)[0] == ev.WINDOW_RESUMED


@pytest.mark.parametrize(("role", "clerk", "age", "granted"), [
    (Role.kiosk, None, None, False),  # a kiosk's word alone
    (Role.kiosk, None, policy.GREEN_AGE - 1, False),
    (Role.kiosk, None, policy.GREEN_AGE, True),  # the age the hub read from the ID number
    (Role.kiosk, "c1", None, True),  # a guide signed in for the ticket
    (Role.terminal, None, None, False),
    (Role.terminal, "c1", None, True),  # the clerk signed in at the window
    (Role.rating, None, None, False),
    (Role.hub, None, None, True),  # relayed: the child hub's door let it in
])
def test_the_green_channel_is_granted_by_staff_or_age_never_by_a_device(role, clerk, age, granted):
    assert policy.green_granted(role, clerk, age) is granted
