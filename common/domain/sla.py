"""Service levels (plan §2): the one definition of a ticket's waits and services against its limits.

Every figure (dashboard, assessment export, /metrics, hall display, phone page, terminal) reads waits and services
through these functions; the projection keeps what they read (`Ticket.waited_seconds`, `Ticket.waiting_since`,
`Ticket.services`). The rules and the reasons for them: docs/queue.md, "Figures".
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from common.domain.clock import SHANGHAI, utc
from common.domain.model import Ticket

TRANSFERRED, FINISHED = "transferred", "finished"  # how a service ended


@dataclass(frozen=True)
class Service:
    """One stretch of a ticket at one window: started there, ended by a transfer or a finish."""

    window_id: str | None
    clerk_id: str | None
    started_at: datetime
    ended_at: datetime
    waited_seconds: float  # the ticket's wait (every span) when this window called it
    end: str  # TRANSFERRED | FINISHED
    score: int | None = None  # the rating of this service (only a finished one is rated); UNRATED: no answer

    @property
    def seconds(self) -> float:
        return max(0.0, (self.ended_at - self.started_at).total_seconds())


# ------------------------------------------------------------ what the projection keeps (called by projection.apply)

def wait_opens(t: Ticket, at: datetime) -> None:
    """The ticket starts waiting: issued, put back at the end of its queue after a skip, or transferred."""
    t.waiting_since = at


def wait_closes(t: Ticket, at: datetime) -> None:
    """A window calls it: the open span is added to what it has waited."""
    if t.waiting_since is not None:
        t.waited_seconds = round(t.waited_seconds + max(0.0, (at - t.waiting_since).total_seconds()), 3)
        t.waiting_since = None


def day_end(t: Ticket) -> datetime:
    """Midnight after the ticket's business day: a ticket left waiting (and then expired) stops waiting there."""
    day = datetime.fromisoformat(t.business_day).date() + timedelta(days=1)
    return datetime.combine(day, time(0), SHANGHAI)


def service_ends(t: Ticket, at: datetime, end: str) -> None:
    """The window that served it transfers or finishes it: the service is kept, with its window and clerk."""
    if t.started_at is None:
        return
    t.services = [*t.services, {
        "window_id": t.window_id, "clerk_id": t.clerk_id, "started_at": utc(t.started_at).isoformat(),
        "ended_at": utc(at).isoformat(), "waited_seconds": t.waited_seconds, "end": end, "score": None}]


def service_rated(t: Ticket, score: int) -> None:
    """A rating belongs to the service rated: the last, finished one."""
    if t.services and t.services[-1]["end"] == FINISHED:
        t.services = [*t.services[:-1], {**t.services[-1], "score": score}]


# ------------------------------------------------------------ what figures read

def wait_seconds(t: Ticket, now: datetime) -> float:
    """Everything the citizen has waited: every span from issue, re-queue or transfer to the next call, and the
    span still open (to `now`, at most to the end of its day) while waiting or when the day ended it waiting."""
    open_span = (min(now, day_end(t)) - t.waiting_since).total_seconds() if t.waiting_since is not None else 0.0
    return max(0.0, t.waited_seconds + max(0.0, open_span))


def wait_breach_at(t: Ticket) -> datetime | None:
    """When the open wait crosses the limit (None when not waiting)."""
    if t.waiting_since is None:
        return None
    return t.waiting_since + timedelta(seconds=t.wait_limit_min * 60 - t.waited_seconds)


def wait_within_limit(t: Ticket, now: datetime) -> bool | None:
    """True within the limit, False over it, None not counted yet.

    Over: its whole wait is past its limit, whatever its state (still waiting, waiting when its day ended, or
    called late). Within: it was called and is not waiting again, and its whole wait is within. Not counted: waiting
    within its limit at `now` (it may still be called in time)."""
    if wait_seconds(t, now) > t.wait_limit_min * 60:
        return False
    return None if t.waiting_since is not None else True


def services(t: Ticket) -> list[Service]:
    """Every service the ticket had, in order: a transferred ticket keeps the first window's too."""
    return [Service(s["window_id"], s["clerk_id"], datetime.fromisoformat(s["started_at"]),
                    datetime.fromisoformat(s["ended_at"]), s["waited_seconds"], s["end"], s.get("score"))
            for s in t.services]


def service_seconds(t: Ticket, now: datetime) -> float | None:
    """The current (or last) service at a window: from its start to its end, or to `now` while serving."""
    if t.started_at is None:
        return None
    return max(0.0, ((t.finished_at or now) - t.started_at).total_seconds())


def service_breach_at(t: Ticket) -> datetime | None:
    return t.started_at + timedelta(minutes=t.service_limit_min) if t.started_at else None


def service_within(t: Ticket, s: Service) -> bool:
    return s.seconds <= t.service_limit_min * 60


def within_both(t: Ticket, s: Service) -> bool:
    """A service within both limits: the ticket's wait when this window called it, and the service itself."""
    return s.waited_seconds <= t.wait_limit_min * 60 and service_within(t, s)


# ---------------------------------------------------------------- the crossing a live warning predicts (common/planning/warning.py)

def breaches(tickets: Iterable[tuple[str, datetime, int, datetime | None]]) -> list[tuple[str, datetime]]:
    """(queue, issued at, limit minutes, first called at or None) -> (queue, when it crossed) of each that did."""
    out = []
    for q, issued, limit, called in tickets:
        deadline = issued + timedelta(minutes=limit)
        if called is None or called > deadline:
            out.append((q, deadline))
    return out


def foretold(raised: Iterable[tuple[str, datetime, int]], crossed: Iterable[tuple[str, datetime]], lead_min: int = 1) -> int:
    """How many crossings some warning (queue, raised at, horizon minutes) foretold: raised at least `lead_min` before
    the crossing, on its queue, and looking that far."""
    by_queue: dict[str, list[tuple[datetime, int]]] = {}
    for q, at, horizon in raised:
        by_queue.setdefault(q, []).append((at, horizon))
    lead = timedelta(minutes=lead_min)
    return sum(any(w_at <= at - lead and at <= w_at + timedelta(minutes=h) for w_at, h in by_queue.get(q, ()))
               for q, at in crossed)
