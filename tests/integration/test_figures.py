"""Named cases of the figures' one definition (docs/queue.md "Figures"), through the real hub on a real database."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from common.domain.clock import SHANGHAI
from common.domain.model import Outcome
from common.readmodels import assessment, dashboard, gauges, queries


def _hall(world):
    hub, w = world.hub, world
    kiosk = w.actor("kiosk")
    term = {n: w.actor(f"terminal{n}") for n in (1, 2, 3, 4)}
    issue = lambda letter: hub.issue_ticket(kiosk, item_id=w.items[letter]).ticket_id  # noqa: E731
    return hub, term, issue


def _figures(world):
    with world.hub.engine.connect() as c:
        return dashboard.site_dashboard(c, "s1", world.clock.now())["figures"]


def test_a_transferred_citizen_waiting_44_minutes_shows_44_minutes(world):
    hub, term, issue = _hall(world)
    a = issue("A")
    world.clock.advance(seconds=2)
    hub.call_next(term[1], world.windows[1])  # called after 2 s
    hub.start(term[1], world.windows[1])
    world.clock.advance(minutes=3)
    hub.transfer(term[1], world.windows[1], world.queues["C"])  # window 4 serves C: it is paused meanwhile
    hub.pause(term[4], world.windows[4], "午休")
    world.clock.advance(minutes=44)
    now = world.clock.now()
    f = _figures(world)
    assert f["longest_wait_seconds"] == 44 * 60 + 2 and f["transfers"] == 1
    with hub.engine.connect() as c:
        t = queries.ticket_by_token(c, queries.repo.ticket(c, "s1", a).public_token)
        assert queries.public_ticket(c, t, now)["waited_seconds"] == 44 * 60 + 2
        assert gauges._read(c, now).longest_wait[("s1", "C")] == 44 * 60 + 2
        [q] = [q for q in queries.queue_state(c, "s1", now) if q["letter"] == "C"]
        assert q["tickets"][0]["waited_seconds"] == 44 * 60 + 2
    # the A ticket's limit is 10 minutes: waiting 44 more, it already counts as over
    assert f["wait_within_limit_share"] == 0.0 and f["wait_within_limit_by_class"]["general"]["over"] == 1


def test_still_waiting_past_the_limit_at_closing_counts_as_over_and_within_it_not_yet(world):
    hub, term, issue = _hall(world)
    served = issue("A")
    hub.call_next(term[2], world.windows[2])
    world.clock.advance(minutes=1)
    late, fresh = issue("B"), None
    world.clock.advance(minutes=11)  # late has waited 11 minutes of its 10
    fresh = issue("A")
    world.clock.advance(minutes=2)
    f = _figures(world)
    assert f["wait_within_limit_share"] == 0.5  # served: within; late: over; fresh (2 min): not counted yet
    assert f["wait_within_limit_by_class"]["general"] == {"share": 0.5, "counted": 2, "over": 1}
    # the day ends with both still waiting; the next morning the hub closes the day
    local = world.clock.now().astimezone(SHANGHAI)
    morning = datetime.combine(local.date() + timedelta(days=1), time(8, 30), SHANGHAI)
    world.clock.advance(seconds=(morning - local).total_seconds())
    assert hub.close_past_days() == 3  # `served` was called, never came: it expires too
    with hub.engine.connect() as c:
        day = [queries.repo.ticket(c, "s1", x) for x in (served, late, fresh)]
    f = queries.figures_of("s1", day, world.clock.now())
    # served: called within its limit; late and fresh: waiting until the day ended, past 10 minutes: over
    assert f["wait_within_limit_by_class"]["general"] == {"share": round(1 / 3, 4), "counted": 3, "over": 2}
    assert f["longest_wait_seconds"] == 0  # nobody waits now: the longest wait is of tickets waiting now


def test_general_and_complex_matters_are_counted_apart(world):
    hub, term, issue = _hall(world)
    a, b, c = issue("A"), issue("B"), issue("C")
    world.clock.advance(minutes=5)
    hub.call_next(term[2], world.windows[2])  # a after 5 min: general, within 10
    world.clock.advance(minutes=7)
    hub.call_next(term[3], world.windows[3])  # b after 12 min: general, over 10
    world.clock.advance(minutes=13)
    hub.call_next(term[4], world.windows[4])  # c after 25 min: complex, within 30
    f = _figures(world)
    assert f["wait_within_limit_by_class"] == {"general": {"share": 0.5, "counted": 2, "over": 1},
                                               "complex": {"share": 1.0, "counted": 1, "over": 0}}
    assert f["wait_within_limit_share"] == round(2 / 3, 4)
    assert {a, b, c}


def test_the_first_clerk_of_a_transferred_ticket_is_credited(world):
    hub, term, issue = _hall(world)
    a = issue("A")
    world.clock.advance(minutes=1)
    hub.call_next(term[1], world.windows[1])
    hub.start(term[1], world.windows[1])
    world.clock.advance(minutes=6)
    hub.transfer(term[1], world.windows[1], world.queues["C"])
    world.clock.advance(minutes=2)
    hub.call_next(term[4], world.windows[4])
    hub.start(term[4], world.windows[4])
    world.clock.advance(minutes=25)  # over the 20-minute service limit
    hub.finish(term[4], world.windows[4], Outcome.completed)
    hub.rate(world.actor("pad4"), a, 5, None)
    with hub.engine.connect() as c:
        t = queries.repo.ticket(c, "s1", a)
        rows = {r["staff_no"]: r for r in assessment.assessment(c, "s1", assessment.quarter_of(world.clock.now().date()),
                                                                 world.clock.now())}
        mine = queries.clerk_figures(c, "s1", "s1-C1", world.clock.now())
    assert [(s["window_id"], s["clerk_id"], s["end"], s["score"]) for s in t.services] == [
        (world.windows[1], "s1-C1", "transferred", None), (world.windows[4], "s1-C4", "finished", 5)]
    assert rows["C1"]["services"] == 1 and rows["C1"]["rated"] == 0 and rows["C1"]["within_limits_share"] == 1.0
    assert rows["C4"]["services"] == 1 and rows["C4"]["average_rating"] == 5 and rows["C4"]["within_limits_share"] == 0.0
    assert mine["served"] == 1 and mine["average_service_seconds"] == 6 * 60
    f = _figures(world)
    assert f["service_within_limit_share"] == 0.5  # window 1's 6 minutes within, window 4's 25 over
