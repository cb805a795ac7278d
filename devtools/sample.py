"""A morning at a hall, played through the hub's own commands on a hand-moved clock: realistic data for
the pages' screenshots and the dashboard benchmark (deterministic for a given seed)."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine, select

from common.db.schema import ServiceItemRow, WindowQueueRow, WindowRow
from common.domain import errors as e
from common.domain.model import Outcome, Role
from common.usecases import auth, reference
from common.usecases.hub import Hub

BAD_REASONS = ("等候时间太长", "材料要求没有一次说清楚", "窗口解释不够耐心")


class HandClock:
    def __init__(self, start: datetime) -> None:
        self.t = start

    def now(self) -> datetime:
        return self.t


@dataclass
class Hall:
    hub: Hub
    clock: HandClock
    kiosk: object
    counters: list[dict]  # window id, the terminal's actor (clerk signed in), the rating pad, current ticket


def play(engine: Engine, site_id: str, start: datetime, end: datetime, per_hour: int, seed: int = 7) -> Hall:
    """Citizens arrive from `start` to `end` (`per_hour` on average) and clerks serve them; the hub's clock
    is left at `end`. The demo sites must be loaded; each window's clerk signs in at its terminal."""
    rng, clock = random.Random(seed), HandClock(start)
    hub = Hub(engine, clock)
    data = next(s for s in reference.demo_data()["sites"] if s["id"] == site_id)
    with engine.begin() as c:
        items = [r.id for r in c.execute(select(ServiceItemRow.id).where(ServiceItemRow.site_id == site_id))]
        windows = [r for r in c.execute(select(WindowRow.id, WindowRow.number).where(WindowRow.site_id == site_id)
                                        .order_by(WindowRow.number))
                   if c.execute(select(WindowQueueRow).where(WindowQueueRow.window_id == r.id)).first()]
        code = lambda role, w=None: auth.create_enrolment_code(c, site_id=site_id, role=role, name=role.value, now=start, window_id=w)  # noqa: E731
        kiosk_code = code(Role.kiosk)
        codes = [(w, code(Role.terminal, w.id), code(Role.rating, w.id)) for w in windows]
    kiosk = hub.enrol(kiosk_code)[1]
    counters = []
    for n, (w, terminal_code, pad_code) in enumerate(codes):
        token, actor = hub.enrol(terminal_code)
        clerk = data["clerks"][n % len(data["clerks"])]
        clerk_token = hub.sign_in(actor, clerk["staff_no"], clerk["pin"])[0]
        counters.append({"window": w.id, "actor": hub.actor(token, clerk_token), "pad": hub.enrol(pad_code)[1],
                         "ticket": None, "due": start})
    step = timedelta(seconds=30)
    while clock.t < end:
        clock.t += step
        arrivals = per_hour / 120  # per 30-second step
        for _ in range(int(arrivals) + (rng.random() < arrivals % 1)):
            hub.issue_ticket(kiosk, item_id=rng.choice(items))
        for c in counters:
            if clock.t < c["due"]:
                continue
            if c["ticket"] is None:
                try:
                    c["ticket"] = hub.call_next(c["actor"], c["window"]).ticket
                    hub.start(c["actor"], c["window"])
                    c["due"] = clock.t + timedelta(minutes=rng.triangular(4, 26, 10))
                except e.QueueEmpty:  # nobody waiting for this window: look again in a minute
                    c["due"] = clock.t + timedelta(minutes=1)
            else:
                hub.finish(c["actor"], c["window"], Outcome.completed)
                score = rng.choices((5, 4, 3, 2, 1), weights=(78, 14, 5, 2, 1))[0]
                if rng.random() < 0.8:
                    hub.rate(c["pad"], c["ticket"].id, score, rng.choice(BAD_REASONS) if score <= 2 else None)
                c["ticket"], c["due"] = None, clock.t + timedelta(seconds=rng.randint(30, 120))
    return Hall(hub, clock, kiosk, counters)


def morning(engine: Engine, site_id: str = "qp-centre", per_hour: int = 45, seed: int = 7) -> Hall:
    """08:30 to 10:30 of 2026-11-26 at the demo district centre."""
    start = datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai
    return play(engine, site_id, start, start + timedelta(hours=2), per_hour, seed)
