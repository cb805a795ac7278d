"""The domain model as plain data: reference data (sites, queues, windows, items) and live state (tickets, windows)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from common.domain.cases import Case
from common.domain.homevisits import HomeVisit
from common.domain.videohelp import VideoHelp


class SiteLevel(StrEnum):
    district = "district"
    subcentre = "subcentre"
    community = "community"
    village = "village"


class Complexity(StrEnum):
    general = "general"
    complex = "complex"


class WindowKind(StrEnum):
    general = "general"
    dedicated = "dedicated"
    cases = "cases"


class Priority(StrEnum):
    normal = "normal"
    green = "green"


class TicketStatus(StrEnum):
    waiting = "waiting"
    called = "called"
    serving = "serving"
    finished = "finished"
    no_show = "no_show"
    expired = "expired"  # still waiting (or called) when its business day ended: numbers are for one day


RETURNING = "补齐材料后返回"  # the call reason of a citizen back with what was missing: a second visit, not a first


class Outcome(StrEnum):
    completed = "completed"
    accepted = "accepted"
    accepted_missing = "accepted_missing"
    commitment = "commitment"
    rejected = "rejected"


class Role(StrEnum):
    kiosk = "kiosk"
    terminal = "terminal"
    rating = "rating"
    display = "display"
    hub = "hub"
    booking_import = "booking_import"  # the booking system's adapter: imports the day's appointments, nothing else


# `Ticket.rating_score` of a service whose citizen gave no answer in time (未评价): the rating is closed,
# and figures count it apart from the scores 1..5.
UNRATED = 0

# Default service-level limits in minutes (plan §2): wait 10 general / 30 complex, service 20.
WAIT_LIMIT_MIN = {Complexity.general: 10, Complexity.complex: 30}
SERVICE_LIMIT_MIN = 20


@dataclass(frozen=True)
class SiteRules:
    """Per-site settings of the queue policy."""

    recall_limit: int = 3  # recalls allowed after the first call
    recalls_before_skip: int = 1  # a ticket may be skipped only after this many recalls
    grace_requeues: int = 1  # how often a skipped ticket may go back to the end of its queue
    appointment_early_min: int = 15  # an appointment counts as "inside its slot" this early


@dataclass(frozen=True)
class Window:
    id: str
    site_id: str
    number: int
    name: str
    kind: WindowKind
    queue_ids: tuple[str, ...]


@dataclass(frozen=True)
class ServiceItem:
    id: str
    site_id: str
    code: str
    name: str
    department: str
    category: str
    complexity: Complexity
    standard_minutes: int
    queue_id: str
    wait_limit_min: int
    service_limit_min: int


@dataclass
class Ticket:
    """Live state of one ticket: a projection of its events."""

    id: str
    site_id: str
    business_day: str
    number: str
    letter: str
    seq: int
    queue_id: str
    item_id: str | None
    bundle_id: str | None
    priority: Priority
    issued_at: datetime
    arrival_at: datetime  # orders the queue; kept on transfer, reset on a grace re-queue
    wait_limit_min: int
    service_limit_min: int
    public_token: str
    slot_start: datetime | None = None
    slot_end: datetime | None = None
    status: TicketStatus = TicketStatus.waiting
    window_id: str | None = None
    clerk_id: str | None = None
    first_called_at: datetime | None = None
    called_at: datetime | None = None
    recalls: int = 0
    requeues: int = 0
    transfers: int = 0
    target_window_id: str | None = None  # transferred to one window: only that window calls it next
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: Outcome | None = None
    outcome_reason: str | None = None
    missing_materials: str | None = None
    due_date: str | None = None
    rating_score: int | None = None
    rating_reason: str | None = None
    # Waits and services as figures count them (common/domain/sla.py, docs/queue.md "Figures"):
    waited_seconds: float = 0.0  # every closed span of waiting (issue, re-queue or transfer -> the next call)
    waiting_since: datetime | None = None  # the open span's start while waiting
    services: list[dict] = field(default_factory=list)  # every ended service (sla.Service as JSON), first window's too


@dataclass
class WindowState:
    """Live state of one window: a projection of its events."""

    window_id: str
    site_id: str
    paused: bool = False
    pause_reason: str | None = None
    current_ticket_id: str | None = None
    clerk_id: str | None = None


@dataclass
class SiteState:
    """Everything the projection holds for one or more sites; the hub loads only the part a command needs."""

    tickets: dict[str, Ticket] = field(default_factory=dict)
    windows: dict[str, WindowState] = field(default_factory=dict)
    # (site, business day, letter) -> the highest number given out, to a ticket or in a lease
    counters: dict[tuple[str, str, str], int] = field(default_factory=dict)
    # (site, business day, number) of the tickets known here: a second ticket with a taken number is void
    numbers: set[tuple[str, str, str]] = field(default_factory=set)
    cases: dict[str, Case] = field(default_factory=dict)  # 办不成事 and 差评 cases (common/domain/cases.py)
    video: dict[str, VideoHelp] = field(default_factory=dict)  # 视频帮办 requests (common/domain/videohelp.py)
    home: dict[str, HomeVisit] = field(default_factory=dict)  # 上门办 visits (common/domain/homevisits.py)
