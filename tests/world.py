"""A small hall for tests: two sites, a few queues, windows, items and clerks, and enrolled devices."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine

from common.domain.model import Role
from common.usecases import auth, reference
from common.usecases.hub import Hub

PIN = "482915"
ID_KEY = b"a test hub's secret for ID-number hashes"
# Window -> the queues it serves (letters), at site s1. w4 is the only one for C.
WINDOWS = {1: "AB", 2: "A", 3: "BC", 4: "C"}


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.t = start or datetime(2026, 11, 26, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai

    def now(self) -> datetime:
        return self.t

    def advance(self, **kw) -> None:
        self.t += timedelta(**kw)


@dataclass
class World:
    hub: Hub
    clock: FakeClock
    codes: dict = field(default_factory=dict)  # name -> one-time enrolment code
    items: dict = field(default_factory=dict)  # letter -> item id at s1
    queues: dict = field(default_factory=dict)  # letter -> queue id at s1
    windows: dict = field(default_factory=dict)  # number -> window id at s1

    def actor(self, name: str) -> auth.Actor:
        token, actor = self.hub.enrol(self.codes.pop(name))
        if actor.role is Role.terminal:
            clerk_token, _, _ = self.hub.sign_in(actor, f"C{actor.window_id[-1]}", PIN)
            return self.hub.actor(token, clerk_token)
        return actor


def build(engine: Engine, clock: FakeClock | None = None) -> World:
    clock = clock or FakeClock()
    w = World(hub=Hub(engine, clock, id_key=ID_KEY), clock=clock)
    now = clock.now()
    with engine.begin() as c:
        for sid in ("s1", "s2"):
            reference.create_site(c, id=sid, name=f"测试中心{sid}", level="community")
        for letter, complexity in (("A", "general"), ("B", "general"), ("C", "complex")):
            q = w.queues[letter] = reference.create_queue(c, site_id="s1", letter=letter, name=f"队列{letter}")
            w.items[letter] = reference.create_item(
                c, site_id="s1", code=f"I{letter}", name=f"事项{letter}", department="医保", category="personal",
                complexity=complexity, standard_minutes=10, queue_id=q)
        reference.create_bundle(c, site_id="s1", code="BD", name="一件事", queue_id=w.queues["A"],
                                item_ids=[w.items["A"], w.items["C"]])
        for number, letters in WINDOWS.items():
            wid = w.windows[number] = reference.create_window(
                c, site_id="s1", number=number, name=f"{number}号窗口", kind="general",
                queue_ids=[w.queues[x] for x in letters])
            reference.create_clerk(c, site_id="s1", staff_no=f"C{number}", name=f"工作人员{number}", pin=PIN)
            w.codes[f"terminal{number}"] = auth.create_enrolment_code(
                c, site_id="s1", role=Role.terminal, name=f"t{number}", now=now, window_id=wid)
            w.codes[f"pad{number}"] = auth.create_enrolment_code(
                c, site_id="s1", role=Role.rating, name=f"r{number}", now=now, window_id=wid)
        w.codes["kiosk"] = auth.create_enrolment_code(c, site_id="s1", role=Role.kiosk, name="k", now=now)
        w.codes["display"] = auth.create_enrolment_code(c, site_id="s1", role=Role.display, name="d", now=now)
        w.codes["importer"] = auth.create_enrolment_code(c, site_id="s1", role=Role.booking_import, name="一网通办", now=now)
        # site s2: its own queue, window, clerk and devices
        q2 = reference.create_queue(c, site_id="s2", letter="A", name="队列A")
        reference.create_item(c, site_id="s2", code="IA", name="事项A", department="医保", category="personal",
                              complexity="general", standard_minutes=5, queue_id=q2)
        wid2 = reference.create_window(c, site_id="s2", number=1, name="1号窗口", kind="general", queue_ids=[q2])
        reference.create_clerk(c, site_id="s2", staff_no="C1", name="乙", pin=PIN)
        w.codes["s2kiosk"] = auth.create_enrolment_code(c, site_id="s2", role=Role.kiosk, name="k2", now=now)
        w.codes["s2terminal1"] = auth.create_enrolment_code(c, site_id="s2", role=Role.terminal, name="t2", now=now, window_id=wid2)
    return w
