"""The demo data loads at every hour of the day: late in the evening, just after midnight, on New Year's Eve."""
from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from common.db.schema import AppointmentRow
from common.domain.clock import SHANGHAI, SimClock, utc
from common.usecases import appointments, reference
from tests.integration.test_migrations_cli import ROOT
from tests.world import FakeClock

HOURS = ["2026-11-26T21:45", "2026-11-26T23:59", "2026-11-27T00:01", "2026-12-31T23:59"]


@pytest.mark.parametrize("at", HOURS + ["2026-11-26T10:10", "2026-11-26T21:30", "2026-11-26T01:30"])
def test_the_demo_bookings_load_at_any_hour_inside_the_day(sqlite_engine, at):
    clock = FakeClock(datetime.fromisoformat(at).replace(tzinfo=SHANGHAI))
    with sqlite_engine.begin() as conn:
        reference.load_demo(conn)
        rows = appointments.load_demo(conn, b"k" * 32, clock.now())
        stored = conn.execute(select(AppointmentRow)).all()
    day = clock.now().date()
    assert len(rows) == len(stored) == 4  # always the same four bookings
    for r in stored:
        start, end = utc(r.slot_start).astimezone(SHANGHAI), utc(r.slot_end).astimezone(SHANGHAI)
        assert r.business_day == day.isoformat() and start.date() == end.date() == day and end - start == timedelta(minutes=30)


def test_in_opening_hours_the_first_booking_is_for_the_current_half_hour():
    rows = appointments.demo_bookings(datetime(2026, 11, 26, 10, 10, tzinfo=SHANGHAI))
    assert [(r["start"], r["end"]) for r in rows] == [("10:00", "10:30"), ("10:00", "10:30"), ("12:00", "12:30"), ("08:00", "08:30")]
    late = appointments.demo_bookings(SimClock(datetime(2026, 12, 31, 23, 59, tzinfo=SHANGHAI), 0).now())
    assert [(r["start"], r["end"]) for r in late] == [("21:00", "21:30"), ("21:00", "21:30"), ("23:00", "23:30"), ("19:00", "19:30")]
    assert {r["date"] for r in late} == {"2026-12-31"}


@pytest.mark.parametrize("at", ["2026-11-26T21:45:00+08:00", "2026-12-31T23:59:00+08:00"])
def test_cli_load_demo_on_the_hubs_clock(tmp_path, at):
    env = {**os.environ, "HAOBAN_DATA_DIR": str(tmp_path), "HAOBAN_CLOCK": f"sim:{at}:1"}
    r = subprocess.run([sys.executable, "-m", "server", "admin", "load-demo"], env=env, cwd=ROOT, capture_output=True,
                       text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    from common.db.engine import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'hub.sqlite3'}")
    with engine.connect() as conn:
        days = set(conn.execute(select(AppointmentRow.business_day)).scalars())
    engine.dispose()
    assert days == {at[:10]}
