"""The demo's simulated hall day (devtools/demo.py: its citizens and clerks, over HTTP) through a real hub on a
loopback port, on a clock moved by hand: the same day as `./haoban demo`, deterministic for a seed and as fast as the
hub answers. The planning's simulation is checked against what it records (tests/integration/test_planning_replay.py)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from common.db.engine import make_engine
from common.usecases.hub import Hub
from devtools import demo
from devtools.loopback import LoopbackHub
from devtools.sample import HandClock


def play(db_url: str, start: datetime, end: datetime, seed: int = 2023, step: timedelta = timedelta(seconds=5)) -> None:
    """A fresh demo database at `db_url`, then the demo's simulation from `start` to `end` in steps of `step`; the
    hub's clock is the hand clock (in UTC, as the hub's clocks are)."""
    start, end = start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    codes = demo._prepare(db_url, None, start)
    engine = make_engine(db_url)
    clock = HandClock(start)
    with LoopbackHub(Hub(engine, clock)) as loop:
        sites = demo._connect(loop.url, codes)
        sim = demo.Simulation(sites, random.Random(seed))
        while clock.t < end:
            clock.t += step
            sim.step(clock.t)
    engine.dispose()
