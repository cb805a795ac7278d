"""Hypothesis state machine over the case workflow (docs/cases.md) at a real hub, on SQLite and PostgreSQL.

Rules: a case is opened at the kiosk, at the 办不成事 window, or by a bad rating of a service really served and rated;
it is classified, assigned, noted (a contact or not), extended, answered, followed up, its appeal decided; the clock
moves by hours or days and lands on the days where deadlines are easy to get wrong: around National Day 2026, the
turn of 2026/2027, Spring Festival 2027 (a year the library does not know: a made-up arrangement entered as the
district's own calendar days) and a made-up working Saturday.

The model predicts, for every command, whether it must be refused and, for every case, its status, due day (by its
own plain working-day count over the same entries and library, not `WorkCalendar.add`), reopen-once, and the work
list's flags. Invariants: the stored cases equal the fold of the events, the work list is the model's and in its
order (overdue, then due soon, then by due day), and no refused command wrote an event.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta

import chinese_calendar
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import create_engine, func, select, text

from common.db import caserows
from common.db.engine import make_engine, migrate
from common.db.schema import CaseRow, EventRow
from common.domain import errors as e
from common.domain.clock import SHANGHAI, business_day
from common.domain.model import Outcome, Role
from common.readmodels import cases as read
from common.usecases import auth, check, reference
from common.usecases.casework import RATING_CASE, Desk
from common.usecases.hub import Hub
from tests.conftest import PG_ADMIN_URL
from tests.world import PIN, FakeClock, build

# The district's own entries: Spring Festival 2027 (made up: the library stops at 2026), New Year's Day 2027, and a
# working Saturday the library does not have.
OVERRIDES = {date(2027, 1, 1): False, date(2026, 12, 26): True, date(2027, 2, 14): True}
OVERRIDES.update({date(2027, 2, 5) + timedelta(days=i): False for i in range(7)})  # 5-11 Feb 2027 off

# Where the clock may land (Shanghai time), besides moving by hours and days.
LANDMARKS = [datetime(2026, 9, 30, 9, 0), datetime(2026, 10, 1, 10, 0), datetime(2026, 10, 7, 16, 0),
             datetime(2026, 10, 8, 9, 0), datetime(2026, 10, 10, 9, 30), datetime(2026, 12, 25, 17, 0),
             datetime(2026, 12, 26, 9, 0), datetime(2026, 12, 31, 23, 59), datetime(2027, 1, 1, 0, 1),
             datetime(2027, 1, 4, 9, 0), datetime(2027, 2, 4, 15, 0), datetime(2027, 2, 8, 10, 0),
             datetime(2027, 2, 14, 9, 0), datetime(2027, 2, 15, 9, 0)]
START = datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI)
KEY = bytes(range(32))
CLASS_DAYS = {"immediate": 0, "general": 5, "complex": 15}
CASE_ANSWERS, RATING_ANSWERS = ("done", "partly", "cannot"), ("rectified", "explained", "appeal")


def working(day: date) -> bool:
    """The model's calendar: the district's entry, else the library, else Monday to Friday."""
    if day in OVERRIDES:
        return OVERRIDES[day]
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_days(day: date, n: int) -> date:
    """n working days after `day` (that day not counted); n = 0: that day if working, else the next working one."""
    if n == 0:
        while not working(day):
            day += timedelta(days=1)
        return day
    while n:
        day += timedelta(days=1)
        n -= working(day)
    return day


def prepare(engine) -> dict:
    """The test hall, a 办不成事 window (9) with clerk C9, the district's calendar entries; actors signed in."""
    migrate(engine)
    world = build(engine)
    with engine.begin() as c:
        q = reference.create_queue(c, site_id="s1", letter="D", name="办不成事")
        w9 = reference.create_window(c, site_id="s1", number=9, name="办不成事反映窗口", kind="cases", queue_ids=[q])
        reference.create_clerk(c, site_id="s1", staff_no="C9", name="处理人", pin=PIN)
        world.codes["terminal9"] = auth.create_enrolment_code(c, site_id="s1", role=Role.terminal, name="t9",
                                                              now=world.clock.now(), window_id=w9)
        caserows.set_calendar_days(c, OVERRIDES)
    actors = {name: world.actor(name) for name in ("kiosk", "terminal1", "pad1", "terminal9", "terminal2")}
    return {"actors": actors, "windows": dict(world.windows), "items": dict(world.items)}


class Model:
    """One case as the model expects it."""

    def __init__(self, kind: str, opened: date, due: date | None = None, rated: str | None = None) -> None:
        self.kind, self.status, self.due, self.rated = kind, "registered", due, rated
        self.opened, self.cls, self.answer, self.appeal = opened, None, None, None
        self.contacts, self.reopened, self.on_time, self.negative = 0, False, None, False


class Cases(RuleBasedStateMachine):
    """Subclassed per database: `fresh()` gives an engine holding a copy of the prepared hall."""

    accepted: Counter = Counter()  # commands accepted, over all examples: every step must have been exercised

    def fresh(self):
        raise NotImplementedError

    @initialize()
    def open_hall(self):
        self.engine, self.tpl = self.fresh()
        self.clock = FakeClock(START)
        self.hub = Hub(self.engine, self.clock, contact_key=KEY)
        a = self.tpl["actors"]
        self.kiosk, self.t1, self.pad, self.desk, self.general = (a["kiosk"], a["terminal1"], a["pad1"], a["terminal9"],
                                                                  a["terminal2"])
        self.sup = Desk(site_id="s1", clerk_id="s1-SUP")
        self.rated_clerk = Desk(site_id="s1", clerk_id=self.t1.clerk_id)  # a supervisor, rated at window 1 before
        self.elsewhere = Desk(site_id="s2", clerk_id="s2-SUP")
        self.cases: dict[str, Model] = {}
        self.ids: list[str] = []
        self.rating(1)  # a case of each kind from the start: every rule has something to work on
        self.open("kiosk", "materials", 1, True, 5)

    def teardown(self):
        if hasattr(self, "engine"):
            self.engine.dispose()
            self.drop()

    def drop(self):
        pass

    # ------------------------------------------------------------ helpers

    def today(self) -> date:
        return business_day(self.clock.now())

    def events(self) -> int:
        with self.engine.connect() as c:
            return c.execute(select(func.count()).select_from(EventRow)).scalar()

    def run(self, ok: bool, fn, *args, written: int = 1, **kw):
        """Run a command the model says must succeed (`ok`) or be refused; a refusal writes nothing."""
        before = self.events()
        try:
            done = fn(*args, **kw)
        except e.HaobanError as exc:
            assert self.events() == before, f"a refused command wrote an event: {exc.key}"
            assert not ok, f"refused, the model expected success: {exc.key} {exc.detail}"
            assert exc.status < 500 and exc.key != "conflict", f"refused as a bug, not a rule: {exc.key}"
            return None
        assert ok, f"{fn.prepare.__name__} accepted, the model expected a refusal"
        self.accepted[fn.prepare.__name__] += 1
        assert self.events() == before + written
        return done

    def pick(self, i: int) -> tuple[str, Model] | tuple[None, None]:
        if not self.ids:
            return None, None
        if i >= 1000:  # a case chosen by the caller, by its place
            return self.ids[i - 1000], self.cases[self.ids[i - 1000]]
        recent = i < 70  # mostly one of the last few cases, so that long chains of steps happen
        cid = self.ids[-1 - i % min(3, len(self.ids))] if recent else self.ids[i % len(self.ids)]
        return cid, self.cases[cid]

    def handler(self, who: str):
        return {"desk": self.desk, "sup": self.sup, "general": self.general, "kiosk": self.kiosk,
                "rated": self.rated_clerk, "elsewhere": self.elsewhere}[who]

    @staticmethod
    def may_handle(who: str, m: Model) -> bool:
        if who in ("general", "kiosk", "elsewhere"):
            return False
        return not (who == "rated" and m.kind == "rating")

    # ------------------------------------------------------------ opening

    @rule(source=st.sampled_from(["kiosk", "window", "rating"]), cause=st.sampled_from(["policy", "system", "materials", "other"]),
          long=st.integers(0, 5), contact=st.booleans(), score=st.sampled_from([1, 2, 2, 3, 5]))
    def open(self, source, cause, long, contact, score):
        if source == "rating":
            return self.rating(score)
        actor = self.kiosk if source == "kiosk" else self.desk
        long = long == 0  # sometimes 501 characters: refused
        body = "材" * (501 if long else 20)
        who = {"name": "王小明", "phone": "13812345678"} if contact else {}
        done = self.run(not long, self.hub.open_case, actor, source=source, cause=cause, text=body, **who)
        if done:
            assert done.case.status.value == "registered" and done.case.due_day is None
            self.cases[done.case.id] = Model("case", self.today())
            self.ids.append(done.case.id)

    def rating(self, score):
        """A real service at window 1, served and rated on its pad: 1 or 2 opens a 差评 case by itself."""
        t = self.hub.issue_ticket(self.kiosk, item_id=self.tpl["items"]["A"]).ticket
        w = self.tpl["windows"][1]
        assert self.hub.call_next(self.t1, w).ticket_id == t.id
        self.hub.start(self.t1, w)
        self.hub.finish(self.t1, w, Outcome.completed)
        bad = score <= 2
        done = self.run(True, self.hub.rate, self.pad, t.id, score, "等了很久" if bad else None, written=2 if bad else 1)
        cid = str(uuid.uuid5(RATING_CASE, t.id))
        if bad:
            self.cases[cid] = Model("rating", self.today(), add_days(self.today(), 1), rated=self.t1.clerk_id)
            self.ids.append(cid)
        with self.engine.connect() as c:
            assert (c.execute(select(CaseRow.id).where(CaseRow.id == cid)).first() is not None) == bad
        assert done.event.kind == "ticket_rated"

    # ------------------------------------------------------------ handling

    @precondition(lambda self: self.ids)
    @rule(i=st.integers(0, 99), who=st.sampled_from(["desk"] * 4 + ["sup"] * 2 + ["general", "kiosk", "elsewhere"]),
          cls=st.sampled_from(["immediate", "general", "complex", "out_of_scope"]), explained=st.booleans())
    def classify(self, i, who, cls, explained):
        cid, m = self.pick(i)
        if cid is None:
            return
        ok = (self.may_handle(who, m) and m.kind == "case" and m.status in ("registered", "open")
              and (cls != "out_of_scope" or explained))
        done = self.run(ok, self.hub.classify_case, self.handler(who), cid, cls, "属涉诉事项，请向法院起诉" if explained else None)
        if done:
            m.cls = cls
            if cls == "out_of_scope":
                m.status, m.answer, m.due = "closed", "out_of_scope", None
            else:
                m.status, m.due = "open", add_days(self.today(), CLASS_DAYS[cls])
            assert done.case.due_day == (m.due.isoformat() if m.due else None)

    @precondition(lambda self: self.ids)
    @rule(i=st.integers(0, 99), who=st.sampled_from(["desk"] * 4 + ["sup", "rated", "general"]))
    def assign(self, i, who):
        cid, m = self.pick(i)
        if cid is None:
            return
        ok = self.may_handle(who, m) and (m.status == "open" or (m.kind == "rating" and m.status == "registered"))
        done = self.run(ok, self.hub.assign_case, self.handler(who), cid, "区医保中心")
        if done:
            assert done.case.department == "区医保中心" and done.case.handler_site_id == "s1"

    @precondition(lambda self: self.ids)
    @rule(i=st.integers(0, 99), who=st.sampled_from(["desk"] * 4 + ["sup", "rated", "kiosk"]), contact=st.booleans())
    def note(self, i, who, contact):
        cid, m = self.pick(i)
        if cid is None:
            return
        ok = self.may_handle(who, m) and m.status != "closed"
        if self.run(ok, self.hub.note_case, self.handler(who), cid, "已电话联系办事人", contact_made=contact):
            m.contacts += contact

    @precondition(lambda self: self.ids)
    @rule(i=st.integers(0, 99), later=st.integers(-1, 12), told=st.booleans())
    def extend(self, i, later, told):
        cid, m = self.pick(i)
        if cid is None or m.due is None:
            return
        new_due = m.due + timedelta(days=later)
        ok = m.status == "open" and self.today() <= m.due and told and new_due > m.due and working(new_due)
        if self.run(ok, self.hub.extend_case, self.desk, cid, new_due, "需要部门会商", told):
            m.due = new_due

    @precondition(lambda self: self.ids)
    @rule(i=st.integers(0, 99), who=st.sampled_from(["desk"] * 4 + ["sup", "rated"]),
          k=st.integers(0, 3), legal=st.booleans())
    def answer(self, i, who, k, legal):
        cid, m = self.pick(i)
        if cid is None:
            return
        allowed, other = (CASE_ANSWERS, RATING_ANSWERS) if m.kind == "case" else (RATING_ANSWERS, CASE_ANSWERS)
        answer = allowed[k] if k < 3 else other[i % 3]  # mostly an answer of its kind, sometimes the other kind's
        ok = (self.may_handle(who, m) and (m.status == "open" or (m.kind == "rating" and m.status == "registered"))
              and answer in allowed and (answer != "cannot" or legal) and (m.kind == "case" or m.contacts > 0))
        done = self.run(ok, self.hub.answer_case, self.handler(who), cid, answer, "已答复办事人",
                        "《社会保险法》第十条" if legal else None)
        if done:
            m.status, m.answer, m.negative = "answered", answer, answer == "cannot"  # reported; a reopen keeps it
            m.on_time = m.due is None or self.today() <= m.due
            assert done.case.answered_on_time is m.on_time

    @precondition(lambda self: self.ids)
    @rule(i=st.integers(0, 99), reached=st.booleans(), satisfied=st.sampled_from([True, False, None]))
    def follow_up(self, i, reached, satisfied):
        cid, m = self.pick(i)
        if cid is None:
            return
        ok = m.status == "answered" and reached == (satisfied is not None)
        done = self.run(ok, self.hub.follow_up_case, self.sup, cid, reached, satisfied)
        if done:
            if reached and satisfied is False and not m.reopened:
                m.status, m.reopened, m.answer = "open", True, None
            elif reached:
                m.status = "closed"
            assert done.case.status.value == m.status and done.case.escalated is m.reopened

    @precondition(lambda self: self.ids)
    @rule(i=st.integers(0, 99), who=st.sampled_from(["sup", "sup", "desk"]), upheld=st.booleans())
    def appeal(self, i, who, upheld):
        cid, m = self.pick(i)
        if cid is None:
            return
        ok = who == "sup" and m.kind == "rating" and m.answer == "appeal" and m.appeal is None and m.status != "closed"
        if m.answer == "appeal" and m.appeal is None and m.status == "closed":
            self.accepted["appeal tried on a closed case"] += 1
        if self.run(ok, self.hub.decide_appeal, self.handler(who), cid, upheld, "经核查"):
            m.appeal = upheld

    @precondition(lambda self: self.ids)
    @rule(i=st.integers(0, 99), choice=st.integers(0, 5))
    def carry_on(self, i, choice):
        """The natural next step of a case (so that long histories happen): classify, contact, answer, follow up,
        decide the appeal, the variant picked by `choice`."""
        cid, m = self.pick(i)
        if m.status == "closed" and m.answer != "appeal":
            cid, m = next(((x, y) for x, y in self.cases.items() if y.status != "closed"), (cid, m))
            i = self.ids.index(cid) + 1000  # the same case through `pick`
        if m.status == "registered" and m.kind == "case":
            self.classify(i, "desk", ["immediate", "general", "complex", "general", "immediate", "out_of_scope"][choice], True)
        elif m.status != "answered" and m.kind == "rating" and m.contacts == 0:
            self.note(i, "desk", True)
        elif m.status == "open" and choice == 5 and m.due is not None:
            self.extend(i, 1 + i % 4, True)
        elif m.status in ("registered", "open"):
            self.answer(i, "desk", choice % 3, True)
        elif m.status == "answered" and m.answer == "appeal" and choice < 3:
            self.appeal(i, "sup", choice % 2 == 0)
        elif m.status == "answered" or (m.status == "closed" and m.answer == "appeal"):
            reached, satisfied = [(True, True), (True, False), (False, None), (True, False), (True, True), (True, None)][choice]
            self.follow_up(i, reached, satisfied) if m.status == "answered" else self.appeal(i, "sup", True)

    # ------------------------------------------------------------ the clock moves

    @rule(hours=st.integers(1, 30))
    def hours_pass(self, hours):
        self.clock.advance(hours=hours)

    @rule(days=st.integers(1, 12), at=st.sampled_from([time(8, 45), time(13, 30), time(23, 59), time(0, 1)]))
    def days_pass(self, days, at):
        day = self.clock.now().astimezone(SHANGHAI).date() + timedelta(days=days)
        self.clock.t = datetime.combine(day, at, SHANGHAI)

    @rule(k=st.integers(0, len(LANDMARKS) - 1))
    def land(self, k):
        later = [x for x in LANDMARKS if x.replace(tzinfo=SHANGHAI) > self.clock.now()]
        if later:
            self.clock.t = later[k % len(later)].replace(tzinfo=SHANGHAI)

    # ------------------------------------------------------------ invariants

    @precondition(lambda self: hasattr(self, "engine"))
    @invariant()
    def stored_cases_are_the_fold(self):
        with self.engine.connect() as c:
            stored = {r.id: caserows.case_from_row(r) for r in c.execute(select(CaseRow))}
        assert stored == check.rebuilt(self.engine).cases
        assert check.differences(self.engine) == []
        for cid, m in self.cases.items():
            x = stored[cid]
            assert (x.kind.value, x.status.value, x.due_day, x.reopened, x.escalated, x.contacts, x.answer) == (
                m.kind, m.status, m.due.isoformat() if m.due else None, m.reopened, m.reopened, m.contacts, m.answer), cid
            assert x.appeal_upheld is m.appeal and x.rated_clerk_id == m.rated
        assert set(stored) == set(self.cases)

    @precondition(lambda self: hasattr(self, "engine"))
    @invariant()
    def worklist_is_the_models(self):
        today = self.today()
        listed = self.hub.read_cases(self.desk, read.worklist)
        assert listed == self.hub.read_cases(self.sup, read.worklist)
        expected = {}
        for cid, m in self.cases.items():
            if m.status == "closed":
                continue
            waiting = m.status in ("registered", "open")
            overdue = waiting and m.due is not None and m.due < today
            soon = waiting and m.due is not None and not overdue and m.due <= add_days(today, 1)
            expected[cid] = (m.status, m.due.isoformat() if m.due else None, overdue, soon, overdue or soon or m.reopened)
        got = {x["case_id"]: (x["status"], x["due_day"], x["overdue"], x["due_soon"], x["escalated"]) for x in listed}
        assert got == expected
        keys = [(not x["overdue"], not x["due_soon"], x["due_day"] or "9999", x["opened_day"]) for x in listed]
        assert keys == sorted(keys)
        with self.engine.connect() as c:  # the supervisors' figures count what the model holds
            fig = read.figures(c, ["s1"], START.date(), today, caserows.calendar(c))
        ms = self.cases.values()
        assert (fig["registered"], fig["ratings"], fig["open"], fig["overdue"]) == (
            len(ms), sum(m.kind == "rating" for m in ms), sum(m.status != "closed" for m in ms),
            sum(v[2] for v in expected.values()))
        assert fig["negative_answers"] == sum(m.negative for m in ms)


class OnSQLite(Cases):
    root = None
    template: dict = {}

    def fresh(self):
        if not self.template:
            path = self.root / "template.sqlite3"
            engine = make_engine(f"sqlite:///{path}")
            self.template.update(prepare(engine), path=path)
            engine.dispose()
        OnSQLite.n = getattr(OnSQLite, "n", 0) + 1
        path = self.root / f"cases{self.n}.sqlite3"
        shutil.copy(self.template["path"], path)
        return make_engine(f"sqlite:///{path}"), self.template


class OnPostgres(Cases):
    """Each example a database of its own, copied from a prepared one (CREATE DATABASE ... TEMPLATE)."""

    url = None
    template: dict = {}

    def fresh(self):
        base = self.url.rsplit("/", 1)
        if not self.template:
            engine = make_engine(self.url)
            self.template.update(prepare(engine))
            engine.dispose()
        OnPostgres.n = getattr(OnPostgres, "n", 0) + 1
        self.name = f"{base[1]}_{self.n}"
        with self.admin().connect() as c:
            c.execute(text(f'CREATE DATABASE "{self.name}" TEMPLATE "{base[1]}"'))
        return make_engine(f"{base[0]}/{self.name}"), self.template

    def admin(self):
        if not hasattr(OnPostgres, "_admin"):
            OnPostgres._admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        return OnPostgres._admin

    def drop(self):
        with self.admin().connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))


# Steps every run must have accepted at least once (extend and appeal need longer chains: counted, printed)
STEPS = {"open_case", "rate", "classify_case", "assign_case", "note_case", "answer_case", "follow_up_case"}


def _settings(examples: int):
    return settings(max_examples=examples, stateful_step_count=50, deadline=None, suppress_health_check=list(HealthCheck))


def test_case_state_machine_sqlite(tmp_path_factory):
    OnSQLite.root = tmp_path_factory.mktemp("cases")
    OnSQLite.template = {}
    Cases.accepted.clear()
    OnSQLite.TestCase.settings = _settings(int(os.environ.get("CASE_EXAMPLES", 60)))
    OnSQLite.TestCase().runTest()
    print(dict(Cases.accepted))
    assert set(Cases.accepted) >= STEPS, f"steps never accepted: {STEPS - set(Cases.accepted)}"


def test_case_state_machine_postgresql(pg_url):
    OnPostgres.url = pg_url
    OnPostgres.template = {}
    Cases.accepted.clear()
    OnPostgres.TestCase.settings = _settings(15)
    OnPostgres.TestCase().runTest()
    assert set(Cases.accepted) >= STEPS, f"steps never accepted: {STEPS - set(Cases.accepted)}"
