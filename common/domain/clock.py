"""Time: the hub's clock (real or sped up for the demo) and the Asia/Shanghai business day."""
from __future__ import annotations

import time
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def business_day(at: datetime) -> date:
    """The business day of an instant: its calendar date in Shanghai."""
    return at.astimezone(SHANGHAI).date()


def utc(at: datetime) -> datetime:
    """Aware UTC datetime; naive values are taken as UTC (SQLite returns them naive)."""
    if at.tzinfo is timezone.utc:  # what PostgreSQL gives (a month's report converts a million of them)
        return at
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class SimClock:
    """A clock that starts at `start` and runs `speed` times faster than real time (demo only)."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.start = utc(start)
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        from datetime import timedelta

        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


def parse_clock(spec: str | None):
    """'system' (default) or 'sim:<ISO start>:<speed>'."""
    if not spec or spec == "system":
        return SystemClock()
    kind, _, rest = spec.partition(":")
    start, _, speed = rest.rpartition(":")
    if kind != "sim" or not start:
        raise ValueError(f"unknown clock {spec!r}")
    return SimClock(datetime.fromisoformat(start), float(speed))


class OffsetClock:
    """Another clock corrected by an offset (seconds) that a sync link keeps up to date."""

    def __init__(self, base, offset: float = 0.0) -> None:
        self.base, self.offset = base, offset

    def now(self) -> datetime:
        from datetime import timedelta

        return self.base.now() + timedelta(seconds=self.offset)
