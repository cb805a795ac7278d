"""The back-off schedules of sign-in (README "Sign-in and back-off"): doubling, capped, forgotten after a quiet hour."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from common.usecases.auth import ACCOUNT_MAX_WAIT, SourceBackoff, account_wait

T0 = datetime(2026, 11, 26, 1, 30, tzinfo=timezone.utc)


def test_the_account_waits_double_and_are_capped():
    assert [account_wait(n) for n in range(5)] == [None] * 5
    assert [account_wait(n).total_seconds() for n in range(5, 10)] == [15, 30, 60, 120, 240]
    assert account_wait(12) == account_wait(10_000) == ACCOUNT_MAX_WAIT


def test_a_source_waits_double_up_to_the_cap_and_a_quiet_hour_forgets():
    b = SourceBackoff()
    assert [b.take("addr:x", T0) for _ in range(5)] == [0] * 5
    assert b.take("addr:x", T0) == 1 and b.take("addr:y", T0) == 0  # another source is its own
    at = T0
    for expected in (1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300):
        assert b.take("addr:x", at) == expected
        at += timedelta(seconds=expected)
        assert b.take("addr:x", at) == 0  # let through, counted
    assert b.take("addr:x", at + timedelta(hours=1, seconds=1)) == 0  # forgotten: counts from 1 again
    assert [b.take("addr:x", at + timedelta(hours=1, seconds=1)) for _ in range(4)] == [0] * 4
    assert b.take("addr:x", at + timedelta(hours=1, seconds=1)) == 1


def test_a_right_attempt_does_not_count_and_the_table_stays_bounded():
    b = SourceBackoff(max_sources=3)
    for _ in range(10):
        assert b.take("device:d", T0) == 0
        b.succeeded("device:d")
    for n in range(10):
        b.take(f"addr:{n}", T0)
    assert len(b._failures) == 3
