"""Unit tests of ticket numbers, the business day and service levels."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from common.domain import sla
from common.domain.clock import SimClock, business_day, parse_clock
from common.domain.policy import format_number
from tests.unit.test_policy import T0, ticket


def test_number_is_letter_and_three_digits_and_grows_past_999():
    assert format_number("A", 1) == "A001"
    assert format_number("C", 42) == "C042"
    assert format_number("A", 999) == "A999"
    assert format_number("A", 1000) == "A1000"  # never wraps: a number is never reused in a site-day
    assert format_number("A", 12345) == "A12345"


def test_business_day_is_the_shanghai_date():
    assert business_day(datetime(2026, 11, 26, 15, 59, tzinfo=timezone.utc)).isoformat() == "2026-11-26"
    assert business_day(datetime(2026, 11, 26, 16, 0, tzinfo=timezone.utc)).isoformat() == "2026-11-27"


def test_wait_and_service_times_and_breach():
    t = ticket(1)
    assert sla.wait_breach_at(t) == T0 + timedelta(minutes=10)
    assert sla.wait_within_limit(t, T0 + timedelta(minutes=10)) is None  # waiting within its limit: not counted yet
    assert sla.wait_within_limit(t, T0 + timedelta(minutes=10, seconds=1)) is False  # waiting past it: over
    sla.wait_closes(t, T0 + timedelta(minutes=4))
    t.first_called_at = T0 + timedelta(minutes=4)
    assert sla.wait_seconds(t, T0 + timedelta(hours=1)) == 240  # stops at the call
    assert sla.wait_within_limit(t, T0 + timedelta(hours=1)) is True and sla.wait_breach_at(t) is None
    assert sla.service_seconds(t, T0) is None and sla.service_breach_at(t) is None
    t.started_at = T0 + timedelta(minutes=5)
    assert sla.service_breach_at(t) == T0 + timedelta(minutes=25)
    t.finished_at = T0 + timedelta(minutes=26)
    assert sla.service_seconds(t, T0 + timedelta(hours=3)) == 21 * 60
    sla.service_ends(t, t.finished_at, sla.FINISHED)
    [s] = sla.services(t)
    assert s.seconds == 21 * 60 and not sla.service_within(t, s) and not sla.within_both(t, s)


def test_sim_clock_runs_faster():
    clock = parse_clock(f"sim:{T0.isoformat()}:600")
    assert isinstance(clock, SimClock)
    assert T0 <= clock.now() < T0 + timedelta(minutes=10)
