"""The live warning: foretells a crossing at the current pace, names a window that could help, keeps to today's
tickets around midnight, and its precision measured on a simulated hall day (the hub's own queue policy, SimPy)."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from common.domain import sla
from common.domain.clock import SHANGHAI
from common.domain.workdays import WorkCalendar
from common.planning import staffing, warning
from common.planning.warning import Waiting, WindowNow
from devtools import history

NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)
A, B = "q-A", "q-B"
WINDOWS = [WindowNow("w1", 1, (A,), "serving"), WindowNow("w7", 7, (A, B), "idle"), WindowNow("w3", 3, (B,), "paused")]


def waiting(queue: str, minutes_ago: int, limit: int = 10, n: int = 0) -> Waiting:
    return Waiting(f"{queue}-{minutes_ago}-{n}", queue, NOW - timedelta(minutes=minutes_ago), limit)


def test_a_slow_queue_is_warned_with_an_idle_window_that_can_help():
    calls = [(A, NOW - timedelta(minutes=m)) for m in (25, 5)]  # 2 calls in 30 minutes: one per 15 minutes
    got = warning.warnings(NOW, [waiting(A, 3), waiting(A, 2), waiting(A, 1)], WINDOWS, calls)
    assert len(got) == 1
    w = got[0]
    # the 2nd in line is expected at +30 min, its limit at +8: crosses in 8 minutes (within 15)
    assert (w.queue_id, w.minutes, w.horizon, w.helper_number) == (A, 7, 15, 7)
    assert w.tickets == 3


def test_a_queue_keeping_pace_is_not_warned():
    calls = [(A, NOW - timedelta(minutes=m)) for m in range(1, 30, 2)]  # one call every 2 minutes
    assert warning.warnings(NOW, [waiting(A, 3), waiting(A, 2)], WINDOWS, calls) == []


def test_a_queue_nobody_serves_warns_at_its_limit_and_names_a_paused_window():
    got = warning.warnings(NOW, [waiting(B, 20, limit=30)], [WindowNow("w3", 3, (B,), "paused")], [])
    assert [(w.minutes, w.horizon, w.helper_number) for w in got] == [(10, 15, 3)]


def test_late_tickets_and_far_limits_are_no_prediction():
    assert warning.warnings(NOW, [waiting(A, 12), waiting(B, 0, limit=60)], WINDOWS, []) == []


def test_around_midnight_and_on_a_holiday():
    at = datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI)  # nobody waits after hours: nothing to warn
    assert warning.warnings(at, [], WINDOWS, []) == []
    after = datetime(2027, 1, 1, 0, 1, tzinfo=SHANGHAI)  # 元旦: a ticket left from yesterday is past its limit
    left = Waiting("t", A, datetime(2026, 12, 31, 16, 55, tzinfo=SHANGHAI), 10)
    assert warning.warnings(after, [left], WINDOWS, []) == []
    # a warning raised at 23:59 looks 15 minutes across midnight: its crossing at 00:05 counts for it
    late = Waiting("t2", A, datetime(2026, 12, 31, 23, 55, tzinfo=SHANGHAI), 10)
    w = warning.warnings(at, [late], [WindowNow("w1", 1, (A,), "paused")], [])
    assert [x.minutes for x in w] == [6]
    assert warning.precision(w, sla.breaches([(A, late.issued_at, 10, None)])) == 1.0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([A, B]), st.integers(0, 40), st.sampled_from([10, 30])), max_size=30),
       st.lists(st.tuples(st.sampled_from([A, B]), st.integers(0, 60)), max_size=30))
def test_warnings_are_consistent(tickets, called):
    ws = [Waiting(f"t{n}", q, NOW - timedelta(minutes=m), lim) for n, (q, m, lim) in enumerate(tickets)]
    calls = [(q, NOW - timedelta(minutes=m)) for q, m in called]
    got = warning.warnings(NOW, ws, WINDOWS, calls)
    assert len({w.queue_id for w in got}) == len(got)  # one per queue at most
    for w in got:
        mine = [t for t in ws if t.queue_id == w.queue_id]
        assert 0 <= w.minutes <= w.horizon <= 30 and 1 <= w.tickets <= len(mine)
        assert w.helper_window_id in {x.window_id for x in WINDOWS if w.queue_id in x.queue_ids}
    more = warning.warnings(NOW, ws, WINDOWS, calls + [(q, NOW) for q in (A, B) for _ in range(40)])
    assert {w.queue_id for w in more} <= {w.queue_id for w in got}  # a faster pace never adds a warning


def test_on_a_simulated_day_warnings_come_before_breaches_and_their_precision_is_a_figure():
    """A 34-window centre's forecast day, run with too few windows (the hub's policy in SimPy); every minute the
    warning looks at the hall as the simulation had it; the crossings it foretold and its precision are counted."""
    day = date(2026, 11, 10)
    centre = history.demo_centre(windows=34)
    expected = history.expected(day, WorkCalendar())
    few = {h: [w.id for w in centre.windows][::3] for h in centre.hours()}  # a third of the windows
    result = staffing.simulate_plan(centre, few, staffing.sample_arrivals(expected, day, seed=3, items=centre.items),
                                    day, seed=3)
    by_id = {w.id: w for w in centre.windows}
    tickets = result.tickets
    crossed = sla.breaches((result.issued_in[t.id], t.issued_at, t.wait_limit_min, t.first_called_at)
                               for t in tickets)
    assert len(crossed) >= 20  # the short-staffed day does breach
    raised = []
    at = datetime(2026, 11, 10, 8, 45, tzinfo=SHANGHAI)
    while at < datetime(2026, 11, 10, 16, 30, tzinfo=SHANGHAI):
        wait_now = [Waiting(t.id, result.issued_in[t.id], t.issued_at, t.wait_limit_min) for t in tickets
                    if t.issued_at <= at and (t.first_called_at is None or t.first_called_at > at)]
        calls = [(result.issued_in[t.id], t.first_called_at) for t in tickets
                 if t.first_called_at is not None and t.first_called_at <= at]
        busy = {w for w, spans in result.busy.items() if any(a <= at < b for a, b, _ in spans)}
        now_windows = [WindowNow(w, by_id[w].number, by_id[w].queue_ids, "serving" if w in busy else "idle")
                       for w in few[at.hour]]
        raised += warning.warnings(at, wait_now, now_windows, calls)
        at += timedelta(minutes=1)
    p = warning.precision(raised, crossed)
    r = warning.recall(raised, crossed, lead_min=5)
    print(f"warnings {len(raised)}, crossings {len(crossed)}, precision {p:.2f}, foretold 5+ min ahead {r:.2f}")
    assert p is not None and p >= 0.8  # most warnings come true
    assert r is not None and r >= 0.5  # and at least half the crossings were foretold five minutes or more ahead
    assert np.isfinite(p)


_T0 = datetime(2026, 12, 31, 23, 0, tzinfo=SHANGHAI)
_minutes = st.integers(0, 120).map(lambda m: _T0 + timedelta(minutes=m))


@given(st.lists(st.tuples(st.sampled_from("AB"), _minutes, st.sampled_from(warning.HORIZONS)), max_size=8),
       st.lists(st.tuples(st.sampled_from("AB"), _minutes), max_size=12), st.integers(0, 10))
def test_foretold_counts_each_crossing_a_warning_of_its_queue_saw_coming(raised, crossed, lead):
    """The report's recall (`foretold`) against its definition written out: a crossing counts once when any warning
    of its queue was raised at least `lead` minutes before it and its horizon reaches it."""
    want = 0
    for q, at in crossed:
        seen = False
        for wq, w_at, horizon in raised:
            if wq == q and at - w_at >= timedelta(minutes=lead) and at - w_at <= timedelta(minutes=horizon):
                seen = True
        want += seen
    assert sla.foretold(raised, crossed, lead) == want
    ws = [warning.Warning(q, at, 1, h, 1, None, None) for q, at, h in raised]
    assert warning.recall(ws, crossed, lead) == (want / len(crossed) if crossed else None)
