"""Every figure equals a recomputation from the event log, over random days of the real hub.

The queue state machine's rules (issue, call, call out of order, recall, skip with and without re-queue, transfer to
a queue or a window, start, finish, rate, pause, time passing, the next morning with or without the day closed) drive
the real use cases on a real SQLite file; after every step, the dashboard's figures, the quarterly assessment, the
/metrics longest waits and each phone page's waited time must equal `tests/web/recompute.py`, which walks the raw
events with the rules of docs/queue.md "Figures" and nothing of the hub's.
"""
from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import invariant, precondition, rule
from sqlalchemy import select

from common.db.schema import QueueRow
from common.domain.clock import business_day
from common.domain.model import Outcome
from common.readmodels import assessment, dashboard, gauges, queries
from tests.integration import test_queue_state_machine as qsm
from tests.web import recompute


class FiguresHall(qsm.Hall):
    """The queue machine's rules, and whole services (call, start, serve a while, finish or transfer, rate), which
    the single-step rules alone rarely string together."""

    @rule(n=st.sampled_from(qsm.WINDOW_NUMBERS), minutes=st.integers(0, 30),
          then=st.sampled_from(["finish", "transfer", "to_window", "skip_requeue"]), score=st.none() | st.integers(1, 5))
    def serve(self, n, minutes, then, score):
        me = self.world.windows[n]
        self.attempt(self.hub.resume, self.term(n), me)
        done = self.hub.issue_ticket(self.actors["kiosk"], item_id=self.world.items[qsm.WINDOWS[n][minutes % len(qsm.WINDOWS[n])]])
        self.issued.append(done.ticket_id)  # someone for this window (it calls the first in its queues)
        if self.attempt(self.hub.call_next, self.term(n), me) is None:
            return
        if then == "skip_requeue":
            self.attempt(self.hub.recall, self.term(n), me)
            self.clock.advance(minutes=minutes)
            self.attempt(self.hub.skip, self.term(n), me, True)
            return
        self.attempt(self.hub.start, self.term(n), me)
        self.clock.advance(minutes=minutes)
        if then == "finish":
            done = self.attempt(self.hub.finish, self.term(n), me, Outcome.completed)
            if done is not None:
                self.attempt(self.hub.rate, self.actors[f"pad{n}"], done.event.data["ticket_id"], score,
                             None if score is None else "一般")  # None: no answer in time (未评价)
        elif then == "transfer":
            self.attempt(self.hub.transfer, self.term(n), me, self.world.queues["ABC"[(n + minutes) % 3]])
        else:
            other = qsm.WINDOW_NUMBERS[(qsm.WINDOW_NUMBERS.index(n) + 1) % len(qsm.WINDOW_NUMBERS)]
            self.attempt(self.hub.transfer, self.term(n), me, None, self.world.windows[other])

    @precondition(lambda self: hasattr(self, "engine"))
    @invariant()
    def figures_equal_the_events(self):
        now = self.clock.now()
        today = business_day(now)
        want = recompute.figures(self.engine, "s1", now, today.isoformat())
        with self.engine.connect() as c:
            day = dashboard.site_dashboard(c, "s1", now)
            rows = assessment.assessment(c, "s1", assessment.quarter_of(today), now)
            g = gauges._read(c, now)
            letters = dict(c.execute(select(QueueRow.id, QueueRow.letter).where(QueueRow.site_id == "s1")).all())
            phones = {t.id: queries.public_ticket(c, t, now)["waited_seconds"] for t in queries.today_tickets(c, "s1", now)}
        f = day["figures"]
        for key in ("issued", "waiting", "served", "transfers", "longest_wait_seconds", "wait_within_limit_share",
                    "wait_within_limit_by_class", "service_within_limit_share"):
            assert f[key] == want[key], (key, f[key], want[key])
        assert f["ratings"]["by_score"] == want["by_score"] and f["ratings"]["average"] == want["average"]
        assert [p["count"] for p in day["arrivals_per_hour"]] == want["arrivals"]

        first, last = assessment.parse_quarter(assessment.quarter_of(today))
        per_clerk = recompute.assessment(self.engine, "s1", first.isoformat(), last.isoformat())
        for row in rows:
            expected = per_clerk.get(f"s1-{row['staff_no']}")
            if expected is None:
                assert row["services"] == 0
            else:
                assert {k: row[k] for k in expected} == expected, (row, expected)

        longest = recompute.longest_per_queue(self.engine, "s1", now, today.isoformat())
        for qid, letter in letters.items():
            assert g.longest_wait[("s1", letter)] == longest.get(qid, 0.0), letter

        tickets = recompute.tickets_from_events(self.engine, "s1")
        for tid, shown in phones.items():
            assert shown == round(recompute.wait(tickets[tid], now)), tid


def test_figures_state_machine(tmp_path_factory):
    FiguresHall.tmp_root = tmp_path_factory.mktemp("figure-halls")
    qsm._template.clear()
    FiguresHall.TestCase.settings = settings(
        max_examples=40, stateful_step_count=40, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    FiguresHall.TestCase().runTest()
