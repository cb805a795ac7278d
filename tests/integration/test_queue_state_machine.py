"""Hypothesis state machine over the real hub (use cases on a real SQLite file) with four windows.

Invariants: no ticket is current at two windows; numbers are unique per site-day; call-next
respects priority classes and arrival order, and passes over tickets transferred to another window;
every waiting ticket of a served queue is eventually called (one transferred to a window, by that
window); the stored projection equals the fold of the events.
"""
from __future__ import annotations

import shutil
from datetime import datetime, time, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import func, select

from common.db import repo
from common.db.engine import make_engine, migrate
from common.domain import errors as e
from common.domain.clock import SHANGHAI, business_day
from common.domain.idcard import check_digit
from common.domain.model import Outcome, Priority, SiteRules, TicketStatus
from common.usecases import check
from common.usecases.hub import Hub
from tests.world import WINDOWS, FakeClock, build

ELDER = "31011819500315002" + check_digit("31011819500315002")  # 76 on the machine's days

WINDOW_NUMBERS = sorted(WINDOWS)
LETTERS = "ABC"
_template: dict = {}


def template(tmp_root) -> dict:
    """One migrated database with the small hall and signed-in actors, copied for every example."""
    if not _template:
        path = tmp_root / "template.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        migrate(engine)
        world = build(engine)
        actors = {"kiosk": world.actor("kiosk")}
        for n in WINDOW_NUMBERS:
            actors[f"terminal{n}"] = world.actor(f"terminal{n}")
            actors[f"pad{n}"] = world.actor(f"pad{n}")
        engine.dispose()
        _template.update(path=path, actors=actors, world=world)
    return _template


def ticket_class(t, now, rules=SiteRules()):
    """Independent of `policy`: 0 appointment inside its slot, 1 green channel, 2 everyone else."""
    if t.slot_start and t.slot_start - timedelta(minutes=rules.appointment_early_min) <= now <= t.slot_end:
        return 0
    return 1 if t.priority is Priority.green else 2


class Hall(RuleBasedStateMachine):
    tmp_root = None

    @initialize()
    def open_hall(self):
        tpl = template(self.tmp_root)
        self.n = getattr(Hall, "_n", 0) + 1
        Hall._n = self.n
        path = self.tmp_root / f"hall{self.n}.sqlite3"
        shutil.copy(tpl["path"], path)
        self.engine = make_engine(f"sqlite:///{path}")
        self.clock = FakeClock()
        self.hub = Hub(self.engine, self.clock)
        self.actors, self.world = tpl["actors"], tpl["world"]
        self.issued: list[str] = []

    def teardown(self):
        if not hasattr(self, "engine"):
            return
        try:
            self.drain()
            assert check.differences(self.engine) == []
        finally:
            self.engine.dispose()

    # ------------------------------------------------------------ helpers

    def term(self, n):
        return self.actors[f"terminal{n}"]

    def attempt(self, fn, *args, **kw):
        try:
            return fn(*args, **kw)
        except e.HaobanError as exc:  # a refused command is fine; it must not be a crash or a 5xx-kind error
            assert exc.status < 500 and exc.code != "conflict", exc
            return None

    def tickets(self):
        with self.engine.connect() as c:
            return [repo.ticket_from_row(r) for r in c.execute(select(repo.T))]

    def windows(self):
        with self.engine.connect() as c:
            return {n: repo.window_state(c, "s1", self.world.windows[n]) for n in WINDOW_NUMBERS}

    # ------------------------------------------------------------ rules

    @rule(arrivals=st.lists(st.tuples(st.sampled_from(LETTERS), st.sampled_from(["normal", "green", "appointment"]),
                                       st.integers(0, 3)), min_size=1, max_size=5))
    def citizens_arrive(self, arrivals):
        for letter, kind, minutes in arrivals:
            self.clock.advance(minutes=minutes)
            now = self.clock.now()
            # appointments whose slot is now, or later today (they then queue by arrival)
            start = now + timedelta(minutes=-5 if minutes % 2 else 90)
            slot = (start, start + timedelta(minutes=30)) if kind == "appointment" else None
            ev = self.hub.issue_ticket(self.actors["kiosk"], item_id=self.world.items[letter],
                                       priority=Priority.green if kind == "green" else Priority.normal, slot=slot,
                                       id_number=ELDER if kind == "green" else None)  # the age read from the card
            self.issued.append(ev.ticket_id)

    @rule(n=st.sampled_from(WINDOW_NUMBERS))
    def call_next(self, n):
        now = self.clock.now()
        before = {t.id: t for t in self.tickets()}
        served = {self.world.queues[x] for x in WINDOWS[n]}
        me = self.world.windows[n]
        today = business_day(now).isoformat()
        rivals = [t for t in before.values() if t.status is TicketStatus.waiting and t.queue_id in served
                  and t.target_window_id in (None, me) and t.business_day == today]
        try:
            ev = self.hub.call_next(self.term(n), me)
        except e.QueueEmpty:
            assert rivals == [], "a window found its queue empty while a ticket waited for it"
            return
        except e.HaobanError as exc:
            assert exc.code in ("window_busy", "window_paused"), exc
            return
        chosen = before[ev.ticket_id]
        assert chosen.status is TicketStatus.waiting and chosen.queue_id in served
        assert chosen.target_window_id in (None, me) and chosen.business_day == today
        best_class = min(ticket_class(t, now) for t in rivals)
        assert ticket_class(chosen, now) == best_class
        same = [t for t in rivals if ticket_class(t, now) == best_class]
        assert (chosen.arrival_at, chosen.seq) <= min((t.arrival_at, t.seq) for t in same)

    @rule(n=st.sampled_from(WINDOW_NUMBERS), pick=st.integers(0, 50))
    def call_specific(self, n, pick):
        if self.issued:
            self.attempt(self.hub.call_specific, self.term(n), self.world.windows[n],
                         self.issued[pick % len(self.issued)], "行动不便的老人")

    @rule(n=st.sampled_from(WINDOW_NUMBERS))
    def recall(self, n):
        self.attempt(self.hub.recall, self.term(n), self.world.windows[n])

    @rule(n=st.sampled_from(WINDOW_NUMBERS), requeue=st.booleans())
    def skip(self, n, requeue):
        self.attempt(self.hub.skip, self.term(n), self.world.windows[n], requeue)

    @rule(n=st.sampled_from(WINDOW_NUMBERS), letter=st.sampled_from(LETTERS))
    def transfer(self, n, letter):
        self.attempt(self.hub.transfer, self.term(n), self.world.windows[n], self.world.queues[letter])

    @rule(data=st.data())
    def transfer_to_window(self, data):
        """A window holding a ticket sends it to another window, mostly to a queue that window serves."""
        busy = [n for n, ws in self.windows().items() if ws.current_ticket_id]
        if not busy:
            return
        n = data.draw(st.sampled_from(busy))
        m = data.draw(st.sampled_from(WINDOW_NUMBERS))
        letter = data.draw(st.sampled_from([None, None, *WINDOWS[m], *LETTERS]))
        before = {t.id: t for t in self.tickets()}
        ev = self.attempt(self.hub.transfer, self.term(n), self.world.windows[n],
                          self.world.queues[letter] if letter else None, self.world.windows[m])
        if ev is not None:
            assert n != m
            moved = {t.id: t for t in self.tickets()}[ev.ticket_id]
            assert moved.target_window_id == self.world.windows[m] and moved.status is TicketStatus.waiting
            assert moved.queue_id in {self.world.queues[x] for x in WINDOWS[m]}
            assert moved.arrival_at == before[ev.ticket_id].arrival_at

    @rule(n=st.sampled_from(WINDOW_NUMBERS))
    def start(self, n):
        self.attempt(self.hub.start, self.term(n), self.world.windows[n])

    @rule(n=st.sampled_from(WINDOW_NUMBERS), outcome=st.sampled_from([Outcome.completed, Outcome.accepted, Outcome.rejected]))
    def finish(self, n, outcome):
        self.attempt(self.hub.finish, self.term(n), self.world.windows[n], outcome, reason="材料不齐")

    @rule(n=st.sampled_from(WINDOW_NUMBERS), score=st.integers(1, 5), pick=st.integers(0, 50))
    def rate(self, n, score, pick):
        if self.issued:
            self.attempt(self.hub.rate, self.actors[f"pad{n}"], self.issued[pick % len(self.issued)], score, "一般")

    @rule(n=st.sampled_from(WINDOW_NUMBERS))
    def pause(self, n):
        self.attempt(self.hub.pause, self.term(n), self.world.windows[n], "临时离开")

    @rule(n=st.sampled_from(WINDOW_NUMBERS))
    def resume(self, n):
        self.attempt(self.hub.resume, self.term(n), self.world.windows[n])

    @rule(minutes=st.integers(0, 20))
    def time_passes(self, minutes):
        self.clock.advance(minutes=minutes)

    @rule(close=st.booleans())
    def next_morning(self, close):
        """The hall closes for the night; the next day starts, with or without the hub having closed the day."""
        local = self.clock.now().astimezone(SHANGHAI)
        morning = datetime.combine(local.date() + timedelta(days=1), time(8, 30), SHANGHAI)
        self.clock.advance(seconds=(morning - local).total_seconds())
        if close:
            left = [t for t in self.tickets() if t.status in (TicketStatus.waiting, TicketStatus.called)]
            assert self.hub.close_past_days() == len(left)
            today = business_day(self.clock.now()).isoformat()
            assert not [t for t in self.tickets() if t.business_day < today
                        and t.status in (TicketStatus.waiting, TicketStatus.called)]

    # ------------------------------------------------------------ invariants

    @precondition(lambda self: hasattr(self, "engine"))
    @invariant()
    def one_ticket_one_window(self):
        tickets = {t.id: t for t in self.tickets()}
        current = [(n, ws.current_ticket_id) for n, ws in self.windows().items() if ws.current_ticket_id]
        assert len({tid for _, tid in current}) == len(current)
        for n, tid in current:
            t = tickets[tid]
            assert t.status in (TicketStatus.called, TicketStatus.serving) and t.window_id == self.world.windows[n]
        active = [t for t in tickets.values() if t.status in (TicketStatus.called, TicketStatus.serving)]
        assert len(active) == len(current)

    @precondition(lambda self: hasattr(self, "engine"))
    @invariant()
    def numbers_unique_per_site_day(self):
        with self.engine.connect() as c:
            total, distinct = c.execute(
                select(func.count(), func.count(func.distinct(repo.T.c.business_day + repo.T.c.number)))
            ).one()
        assert total == distinct == len(self.issued)

    def drain(self):
        """Every waiting ticket of a served queue is eventually called (or expires with its day)."""
        self.hub.close_past_days()
        for n in WINDOW_NUMBERS:
            self.attempt(self.hub.resume, self.term(n), self.world.windows[n])
            self.attempt(self.hub.start, self.term(n), self.world.windows[n])
            self.attempt(self.hub.finish, self.term(n), self.world.windows[n], Outcome.completed)
        for _ in range(len(self.issued) + 1):
            progressed = False
            for n in WINDOW_NUMBERS:
                if self.attempt(self.hub.call_next, self.term(n), self.world.windows[n]):
                    progressed = True
                    self.hub.start(self.term(n), self.world.windows[n])
                    self.hub.finish(self.term(n), self.world.windows[n], Outcome.completed)
            if not progressed:
                break
        assert not [t for t in self.tickets() if t.status not in (TicketStatus.finished, TicketStatus.no_show, TicketStatus.expired)]


def test_queue_state_machine(tmp_path_factory):
    Hall.tmp_root = tmp_path_factory.mktemp("halls")
    _template.clear()
    Hall.TestCase.settings = settings(
        max_examples=150, stateful_step_count=50, deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    Hall.TestCase().runTest()
