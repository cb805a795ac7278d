"""Service levels (plan §2): each ticket's wait and service time against its limits."""
from __future__ import annotations

from datetime import datetime, timedelta

from common.domain.model import Ticket


def wait_seconds(t: Ticket, now: datetime) -> float:
    """From issue to first call (or to now while still waiting)."""
    end = t.first_called_at or now
    return max(0.0, (end - t.issued_at).total_seconds())


def service_seconds(t: Ticket, now: datetime) -> float | None:
    if t.started_at is None:
        return None
    return max(0.0, ((t.finished_at or now) - t.started_at).total_seconds())


def wait_breach_at(t: Ticket) -> datetime:
    return t.issued_at + timedelta(minutes=t.wait_limit_min)


def service_breach_at(t: Ticket) -> datetime | None:
    return t.started_at + timedelta(minutes=t.service_limit_min) if t.started_at else None


def wait_within_limit(t: Ticket, now: datetime) -> bool:
    return wait_seconds(t, now) <= t.wait_limit_min * 60


def service_within_limit(t: Ticket, now: datetime) -> bool | None:
    s = service_seconds(t, now)
    return None if s is None else s <= t.service_limit_min * 60
